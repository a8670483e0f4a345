import { noTaskFiles, planSuite, type PlanOptions } from '../../runner/suite/plan.js';
import { loadErrorAt, taskName } from '../../runner/suite/results.js';
import type { Output } from '../output.js';

/**
 * `deskpilot test --list`: the tasks a run with the same files, --grep and --shard would do, in
 * the order every shard agrees on, without running any (no display, no worker is started), as
 * Playwright Test's --list. Task files that cannot be read are listed with file:line:col; the
 * exit code is then 1, as a run's would be.
 */
export async function listTasks(out: Output, patterns: string[], options: PlanOptions): Promise<number> {
  const plan = await planSuite(patterns, options);
  if (plan.files.length === 0) plan.loadErrors.push(noTaskFiles(patterns));
  for (const t of plan.tasks) {
    const tags = t.spec.tags.map((tag) => `@${tag}`).join(' ');
    out.line(`${t.file} › ${taskName(t.spec.id, t.repeat)}${tags ? `  ${tags}` : ''}${t.spec.expected_failure ? '  (expected to fail)' : ''}`);
  }
  for (const e of plan.loadErrors)
    out.line(`✗ ${loadErrorAt(e)}: ${e.message}`);
  const files = new Set(plan.tasks.map((t) => t.file)).size;
  const shard = options.shard ? ` (shard ${options.shard.index}/${options.shard.total})` : '';
  out.line(`${plan.tasks.length} task${plan.tasks.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}${shard}`);
  out.document({
    tasks: plan.tasks.map((t) => ({
      file: t.file,
      id: t.spec.id,
      ...(t.repeat ? { repeat: t.repeat } : {}),
      ...(t.spec.title ? { title: t.spec.title } : {}),
      tags: t.spec.tags,
      ...(t.spec.expected_failure ? { expectedFailure: true } : {}),
    })),
    loadErrors: plan.loadErrors,
    ...(options.shard ? { shard: options.shard } : {}),
  });
  return plan.loadErrors.length ? 1 : 0;
}
