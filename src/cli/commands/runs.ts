import { InvalidArgumentError, Option, type Command } from 'commander';
import { StorageError } from '../../shared/errors.js';
import type { RunRecord, RunStatus, StepRecord } from '../../shared/records.js';
import { describeStep } from '../../shared/steps.js';
import { withApp } from '../compose.js';
import type { CliIo } from '../output.js';

const STATUSES: RunStatus[] = ['running', 'paused', 'succeeded', 'failed', 'aborted', 'interrupted'];

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('expected a whole number of 1 or more.');
  return Number(value);
}

/** "12.3 s", "850 ms", or "-" while a run or step has not ended. */
export function duration(startedAt: string, endedAt: string | null): string {
  if (!endedAt) return '-';
  const ms = Date.parse(endedAt) - Date.parse(startedAt);
  if (!Number.isFinite(ms)) return '-';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function when(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function formatRunLine(r: RunRecord): string {
  return [
    r.id,
    r.status.padEnd(11),
    r.source.padEnd(7),
    when(r.startedAt),
    duration(r.startedAt, r.endedAt).padStart(8),
    r.title,
  ].join('  ');
}

export function formatStepLine(s: StepRecord): string {
  const how = s.resolution ? `${s.resolution.source} ${s.resolution.confidence.toFixed(2)}` : '-';
  const line = `${String(s.index).padStart(4)}  ${describeStep(s.step)}  ${s.outcome}  ${how}  ${duration(s.startedAt, s.endedAt)}`;
  return s.error ? `${line}\n        ${s.error.name}: ${s.error.message}` : line;
}

export function registerRuns(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const runs = program.command('runs').description('list and inspect past runs');

  runs
    .command('list')
    .description('list recent runs, newest first')
    .option('--limit <n>', 'at most this many runs', positiveInt, 20)
    .addOption(new Option('--status <status>', 'only runs with this status').choices(STATUSES))
    .action(async (opts: { limit: number; status?: RunStatus }, cmd: Command) => {
      setExit(
        await withApp(cmd, io, async (app, out) => {
          const store = await app.store();
          const list = store.runs.list({
            limit: opts.limit,
            ...(opts.status ? { status: opts.status } : {}),
          });
          if (list.length === 0)
            out.line(
              `no runs${opts.status ? ` with status ${opts.status}` : ''} in ${await app.databaseFile()}`,
            );
          for (const r of list) out.line(formatRunLine(r));
          out.document({ ok: true, runs: list });
          return 0;
        }),
      );
    });

  runs
    .command('show')
    .description('show one run and its steps')
    .argument('<id>', 'the run id, as printed by "deskpilot runs list"')
    .option('--audit', 'also show the audit log: every executed or refused step, its policy decision and who decided')
    .action(async (id: string, opts: { audit?: boolean }, cmd: Command) => {
      setExit(
        await withApp(cmd, io, async (app, out) => {
          const store = await app.store();
          const run = store.runs.get(id);
          if (!run) {
            throw new StorageError(
              `no run with id "${id}" in ${await app.databaseFile()} ("deskpilot runs list" shows the ids)`,
              'STORAGE_NOT_FOUND',
            );
          }
          const steps = store.steps.listForRun(id);
          out.line(`run ${run.id}  ${run.status}  (${run.source}) ${JSON.stringify(run.title)}`);
          out.line(
            `started ${when(run.startedAt)}${run.endedAt ? `, ended ${when(run.endedAt)} (${duration(run.startedAt, run.endedAt)})` : ''}, pid ${run.pid}`,
          );
          if (run.error) out.line(`error: ${run.error.name}: ${run.error.message}`);
          out.line(steps.length ? `${steps.length} step${steps.length > 1 ? 's' : ''}:` : 'no steps');
          for (const s of steps) out.line(formatStepLine(s));
          const audit = opts.audit ? store.audit.list({ runId: id }) : undefined;
          if (audit) {
            out.line(audit.length ? 'audit:' : 'audit: no entries');
            for (const a of audit) {
              const classes = (a.detail['classes'] as string[] | undefined)?.join(', ');
              const extra = a.detail['injectionSuspected'] ? ` — suspected injection: ${JSON.stringify(a.detail['injectionSuspected'])}` : '';
              out.line(`  ${when(a.at)}  ${String(a.stepIndex ?? '-').padStart(3)}  ${a.decision.padEnd(9)} by ${a.actor.padEnd(18)} ${a.action}${classes ? `  [${classes}]` : ''}${extra}`);
            }
          }
          out.document({ ok: true, run, steps, ...(audit ? { audit } : {}) });
          return 0;
        }),
      );
    });
}
