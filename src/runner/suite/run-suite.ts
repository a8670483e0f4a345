import type { Reporter } from '../reporters/reporter.js';
import type { WorkerHandle } from './child.js';
import { keepScreenshots } from './keep-screenshots.js';
import { noTaskFiles, planSuite, type PlanOptions } from './plan.js';
import { runPool, type SuiteEvent } from './pool.js';
import { expectedMs, readDurations, rememberDurations } from './schedule.js';
import type { SuiteResult, TaskStatus } from './results.js';

/** `deskpilot test` without the command line: plan, run on the workers, report. */

/** Which tasks (PlanOptions: --grep, --grep-invert, --last-failed, --repeat-each, --shard), and how to run them. */
export interface SuiteOptions extends PlanOptions {
  patterns: string[];
  workers: number;
  retries: number;
  /** Stop handing out tasks after this many failures; the rest are skipped (see PoolOptions). */
  maxFailures?: number;
  start: (index: number) => WorkerHandle;
  reporters: Reporter[];
  signal?: AbortSignal;
  /**
   * Where task durations are remembered between runs (see schedule.ts): with several workers,
   * tasks are dealt to even lanes by them. Without it, a guess from each task's setup is used.
   */
  durationsFile?: string;
  /**
   * Called once every task has its result, while the workers close (or at once when there was
   * nothing to run): what served the workers alone (the run's OCR server) can go then.
   */
  onTasksDone?: () => void;
  /** Called once the pool has asked for its workers (or there was nothing to run). */
  onWorkersStarted?: () => void;
  /** Called with the files the reporters wrote. */
  onReport?: (reporter: string, file: string) => void;
  /**
   * Where the run's screenshots are kept once its tasks are done (keep-screenshots.ts): the
   * result then names them there. Without it they stay in the workers' data dirs.
   */
  screenshotsDir?: string;
}

export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const plan = await planSuite(options.patterns, options);
  if (plan.files.length === 0) plan.loadErrors.push(noTaskFiles(options.patterns));
  const workerStarts: { worker: number; ms: number }[] = [];
  const emit = (e: SuiteEvent) => {
    if (e.type === 'worker_ready') workerStarts.push({ worker: e.worker, ms: e.startMs });
    for (const r of options.reporters) r.onEvent?.(e);
  };
  const durations = options.durationsFile ? await readDurations(options.durationsFile) : {};
  const workers = Math.max(1, Math.min(options.workers, plan.tasks.length));
  const running = plan.tasks.length
    ? runPool(plan.tasks, {
        workers: options.workers,
        retries: options.retries,
        start: options.start,
        onEvent: emit,
        estimate: (task) => expectedMs(task, durations, workers),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onTasksDone ? { onTasksDone: options.onTasksDone } : {}),
        ...(options.maxFailures !== undefined ? { maxFailures: options.maxFailures } : {}),
      })
    : Promise.resolve([]);
  if (!plan.tasks.length) options.onTasksDone?.();
  options.onWorkersStarted?.();
  // In the plan's order, whatever order the workers took them in.
  const tasks = await running;
  if (options.durationsFile && tasks.length)
    await rememberDurations(options.durationsFile, tasks, workers).catch(() => undefined); // only a hint for next time
  const counts: Record<TaskStatus | 'load_error', number> = {
    passed: 0,
    flaky: 0,
    failed: 0,
    error: 0,
    expected_failure: 0,
    unexpected_pass: 0,
    skipped: 0,
    load_error: plan.loadErrors.length,
  };
  for (const t of tasks) counts[t.status]++;
  let result: SuiteResult = {
    startedAt,
    durationMs: Date.now() - started,
    workers,
    ...(options.shard ? { shard: options.shard } : {}),
    tasks,
    workerStarts,
    loadErrors: plan.loadErrors,
    // A suite that ran nothing at all is not a pass: a wrong glob must not turn CI green.
    ok:
      tasks.every((t) => t.ok) &&
      plan.loadErrors.length === 0 &&
      (tasks.length > 0 || options.shard !== undefined),
    counts,
  };
  if (options.screenshotsDir && tasks.length) result = await keepScreenshots(result, options.screenshotsDir);
  for (const r of options.reporters) {
    const file = await r.finish(result);
    if (file) options.onReport?.(r.name, file);
  }
  return result;
}
