import path from 'node:path';
import type { SuiteEvent } from '../suite/pool.js';
import { loadErrorAt, taskName, type SuiteResult, type TaskStatus } from '../suite/results.js';
import { failureReason, seconds, type Reporter } from './reporter.js';

/** Live progress for a person: a line per task start, per step and per result, then a summary. */

const MARK: Record<TaskStatus, string> = {
  passed: 'ok',
  flaky: 'flaky',
  failed: 'FAIL',
  error: 'ERROR',
  expected_failure: 'ok (expected failure)',
  unexpected_pass: 'FAIL (unexpected pass)',
  skipped: 'skipped',
};

export class ListReporter implements Reporter {
  readonly name = 'list';
  constructor(private readonly line: (text: string) => void) {}

  onEvent(e: SuiteEvent): void {
    switch (e.type) {
      case 'worker_ready':
        this.line(
          `worker ${e.worker + 1} ready${e.display ? ` on display ${e.display}` : ''} (${seconds(e.startMs)} s)`,
        );
        break;
      case 'task_started':
        this.line(
          `▶ ${e.task.file} › ${taskName(e.task.spec.id, e.task.repeat)}${e.attempt > 1 ? ` (retry ${e.attempt - 1})` : ''}  [worker ${e.worker + 1}]`,
        );
        break;
      case 'step':
        this.line(
          `    ${taskName(e.task.spec.id, e.task.repeat)} [${e.progress.index + 1}] ${e.progress.text} — ${e.progress.outcome} (${Math.round(e.progress.durationMs)} ms)${e.progress.error ? `: ${e.progress.error}` : ''}`,
        );
        break;
      case 'attempt_failed':
        this.line(
          `  ✗ ${taskName(e.task.spec.id, e.task.repeat)} attempt ${e.result.attempt}: ${e.result.error?.message ?? e.result.status}${e.willRetry ? ' — retrying' : ''}`,
        );
        break;
      case 'task_finished': {
        const t = e.result;
        if (t.status === 'skipped') {
          this.line(`- ${MARK.skipped}  ${t.file} › ${taskName(t.id, t.repeat)}: ${failureReason(t)}`);
          break;
        }
        const why = t.ok ? '' : `\n      ${failureReason(t) ?? ''}`;
        this.line(
          `${t.ok ? '✓' : '✗'} ${MARK[t.status]}  ${t.file} › ${taskName(t.id, t.repeat)} (${seconds(t.durationMs)} s)${why}`,
        );
        break;
      }
    }
  }

  finish(result: SuiteResult): Promise<undefined> {
    for (const e of result.loadErrors)
      this.line(`✗ ${loadErrorAt(e)}: ${e.message}`);
    const c = result.counts;
    const parts = [
      `${c.passed} passed`,
      c.flaky ? `${c.flaky} flaky` : '',
      c.expected_failure ? `${c.expected_failure} expected failures` : '',
      c.failed ? `${c.failed} failed` : '',
      c.error ? `${c.error} errors` : '',
      c.unexpected_pass ? `${c.unexpected_pass} unexpected passes` : '',
      c.skipped ? `${c.skipped} skipped` : '',
      c.load_error ? `${c.load_error} load errors` : '',
    ].filter(Boolean);
    const shard = result.shard ? ` (shard ${result.shard.index}/${result.shard.total})` : '';
    this.line(
      `\n${result.ok ? 'PASSED' : 'FAILED'}: ${parts.join(', ')} in ${seconds(result.durationMs)} s with ${result.workers} worker${result.workers === 1 ? '' : 's'}${shard}`,
    );
    return Promise.resolve(undefined);
  }
}

/** Relative path for display; the given path when it is outside the cwd. */
export function shortPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel.startsWith('..') ? p : rel;
}
