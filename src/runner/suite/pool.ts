import { errorMessage, serializeError } from '../../shared/errors.js';
import type { Task } from '../tasks/schema.js';
import type { AttemptProgress } from './attempt.js';
import type { WorkerHandle } from './child.js';
import { finalStatus, type AttemptResult, type TaskResult } from './results.js';
import { planLanes } from './schedule.js';

/**
 * Hands tasks to N workers; a failed task is retried (on the same worker) up to its retry count.
 * A worker that crashes fails its task with the reason and is replaced for the tasks that remain.
 * Without estimates each worker takes the next task in order as soon as it is free. With them
 * (`estimate`), each worker runs its own lane (planLanes: even expected totals), and once few
 * tasks are left they are planned again at each hand-out from where the run stands. A worker
 * whose lane is done takes the last task of the lane expected to end last, if it would end sooner
 * that way; else it waits for the next task to finish and looks again.
 */

export type SuiteEvent =
  | { type: 'worker_ready'; worker: number; display?: string; /** From spawn to ready. */ startMs: number }
  | { type: 'task_started'; task: Task; attempt: number; worker: number }
  | { type: 'step'; task: Task; progress: AttemptProgress }
  | { type: 'attempt_failed'; task: Task; result: AttemptResult; willRetry: boolean }
  | { type: 'task_finished'; result: TaskResult };

export interface PoolOptions {
  workers: number;
  /** Retries for tasks that do not set their own. */
  retries: number;
  start: (index: number) => WorkerHandle;
  onEvent?: (e: SuiteEvent) => void;
  signal?: AbortSignal;
  /** Expected ms of a task (schedule.ts expectedMs): with it, several workers run even lanes. */
  estimate?: (task: Task) => number;
  /**
   * Called once every task has its result (or, after --max-failures, once the tasks running then
   * have theirs), before the workers are closed.
   */
  onTasksDone?: () => void;
  /**
   * Stop handing out tasks once this many have failed (failed, error, unexpected pass; a flaky
   * pass is not a failure): the tasks running then finish, the rest are reported skipped.
   */
  maxFailures?: number;
}

const MAX_REPLACEMENTS = 3;
/** The pool plans the tasks left again at each hand-out once this few are left (Lanes.replan). */
const REPLAN_TASKS = 32;

export async function runPool(tasks: Task[], options: PoolOptions): Promise<TaskResult[]> {
  const suiteStarted = Date.now();
  const results = new Map<Task, TaskResult>();
  const n = Math.max(1, Math.min(options.workers, tasks.length));
  const lanes = new Lanes(tasks, n, n > 1 ? options.estimate : undefined);
  let nextIndex = 0;
  let replacements = 0;
  let failures = 0;
  let running = 0;
  let tasksDone = false;
  const allDone = () => {
    if (tasksDone) return;
    tasksDone = true;
    options.onTasksDone?.();
  };
  const emit = (e: SuiteEvent) => options.onEvent?.(e);

  // A worker's display can fail to come up on a loaded machine (Xvfb or openbox too slow): one
  // more try before its tasks are reported as errors.
  const startWorker = async (tries = 2, index = nextIndex++): Promise<{ handle: WorkerHandle; index: number } | { error: string }> => {
    const handle = options.start(index);
    const spawned = handle.spawnedAt ?? Date.now();
    try {
      const display = await handle.ready;
      emit({ type: 'worker_ready', worker: index, ...(display ? { display } : {}), startMs: Date.now() - spawned });
      return { handle, index };
    } catch (err) {
      await handle.close();
      return tries > 1 ? startWorker(tries - 1, index) : { error: errorMessage(err) };
    }
  };

  const slot = async (lane: number) => {
    let worker = await startWorker();
    for (let task = await lanes.next(lane); task; task = await lanes.next(lane)) {
      running++;
      const attempts: AttemptResult[] = [];
      const allowed = task.spec.expected_failure ? 0 : (task.spec.retries ?? options.retries);
      const started = Date.now();
      for (let attempt = 1; attempt <= allowed + 1; attempt++) {
        if (options.signal?.aborted) {
          attempts.push(errored(attempt, 'the test run was interrupted'));
          break;
        }
        if ('error' in worker) {
          attempts.push(errored(attempt, `no worker could start: ${worker.error}`));
          break;
        }
        emit({ type: 'task_started', task, attempt, worker: worker.index });
        let result: AttemptResult;
        try {
          result = await worker.handle.run(task, attempt, (progress) =>
            emit({ type: 'step', task, progress }),
          );
        } catch (err) {
          result = { ...errored(attempt, errorMessage(err)), error: serializeError(err) };
          await worker.handle.close();
          worker =
            replacements++ < MAX_REPLACEMENTS
              ? await startWorker()
              : { error: `workers kept crashing; last: ${errorMessage(err)}` };
        }
        attempts.push(result);
        if (result.status === 'passed') break;
        emit({ type: 'attempt_failed', task, result, willRetry: attempt <= allowed });
      }
      const { status, ok } = finalStatus(attempts, task.spec.expected_failure);
      const done: TaskResult = {
        ...taskHead(task),
        status,
        ok,
        attempts,
        durationMs: Date.now() - started,
        ...('error' in worker ? {} : { worker: worker.index }),
        startedMs: started - suiteStarted,
      };
      results.set(task, done);
      running--;
      if (!ok && options.maxFailures !== undefined && ++failures >= options.maxFailures) lanes.stop();
      if (results.size === tasks.length || (lanes.stopped && running === 0)) allDone();
      lanes.finished(lane);
      emit({ type: 'task_finished', result: done });
    }
    if (!('error' in worker)) await worker.handle.close();
  };

  await Promise.all(Array.from({ length: n }, (_, lane) => slot(lane)));
  const notRun = `not run: stopped after ${failures} failed task${failures === 1 ? '' : 's'} (max failures ${options.maxFailures ?? 0})`;
  return tasks.map((t) => {
    const result = results.get(t);
    if (result) return result;
    const skipped: TaskResult = { ...taskHead(t), status: 'skipped', ok: true, attempts: [], durationMs: 0, notRun };
    emit({ type: 'task_finished', result: skipped });
    return skipped;
  });
}

function taskHead(task: Task): Pick<TaskResult, 'id' | 'file' | 'title' | 'tags' | 'repeat'> {
  return {
    id: task.spec.id,
    file: task.file,
    ...(task.spec.title ? { title: task.spec.title } : {}),
    tags: task.spec.tags,
    ...(task.repeat ? { repeat: task.repeat } : {}),
  };
}

/** Who runs what next: one shared queue, or a lane per worker, planned again as the run goes. */
class Lanes {
  private readonly lanes: Task[][];
  /** Per lane, the task running and when it started. */
  private readonly running: ({ task: Task; at: number } | undefined)[];
  private waiters: (() => void)[] = [];
  /** Each task's place in the plan: equal estimates are handed out in it. */
  private readonly order: Map<Task, number>;
  /** No task is handed out any more (stop()). */
  stopped = false;

  constructor(
    tasks: Task[],
    count: number,
    private readonly estimate: ((task: Task) => number) | undefined,
  ) {
    this.lanes = estimate ? planLanes(tasks, count, estimate) : [[...tasks]];
    this.order = new Map(tasks.map((t, i) => [t, i]));
    this.running = Array.from({ length: count }, () => undefined);
  }

  /** The next task for `lane`, or undefined when there is nothing left for it. */
  async next(lane: number): Promise<Task | undefined> {
    for (;;) {
      const task = this.take(lane);
      if (task !== 'wait') {
        this.running[lane] = task ? { task, at: Date.now() } : undefined;
        return task;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * The tasks not handed out yet, dealt over the lanes again from where the run stands: this lane
   * is free now, another is busy until its running task is expected to end. A task's time varies
   * by 10-20% from run to run, so lanes planned at the start end apart; taking only a late lane's
   * last task, a worker done early often found that task already running. Planned again at each
   * hand-out, the sample suite's two lanes ended 35-181 ms apart (median 128) instead of 14-337
   * (median 251) in 6 runs each; a simulation over 2000 mixes of measured task times put the
   * suite 40 ms shorter on average, within the noise of a whole run here. Only once few tasks
   * are left: that is where the lanes' ends are decided, and planning hundreds again at every
   * hand-out would cost more than it saves.
   */
  private replan(lane: number, estimate: (task: Task) => number): void {
    const count = this.lanes.reduce((n, l) => n + l.length, 0);
    if (count === 0 || count > REPLAN_TASKS) return;
    const left = this.lanes.flat().sort((a, b) => this.order.get(a)! - this.order.get(b)!);
    const now = Date.now();
    const busy = this.lanes.map((_, i) => {
      const r = i === lane ? undefined : this.running[i];
      return r ? Math.max(0, r.at + estimate(r.task) - now) : 0;
    });
    planLanes(left, busy.length, estimate, busy).forEach((tasks, i) => (this.lanes[i] = tasks));
  }

  /** Hands out nothing more: the tasks not taken yet stay without a result. */
  stop(): void {
    this.stopped = true;
    for (const lane of this.lanes) lane.length = 0;
  }

  /** A task of `lane` ended: lanes waiting to take work look again. */
  finished(lane: number): void {
    this.running[lane] = undefined;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private take(lane: number): Task | undefined | 'wait' {
    const estimate = this.estimate;
    if (!estimate) return this.lanes[0]!.shift();
    this.replan(lane, estimate);
    const own = this.lanes[lane]!.shift();
    if (own) return own;
    // The lane expected to end last, and whether taking its last task ends the suite sooner.
    const now = Date.now();
    let victim: Task[] | undefined;
    let victimEnd = -Infinity;
    this.lanes.forEach((tasks, i) => {
      if (i === lane || tasks.length === 0) return;
      const current = this.running[i];
      const end = Math.max(now, current ? current.at + estimate(current.task) : now) + tasks.reduce((sum, t) => sum + estimate(t), 0);
      if (end > victimEnd) {
        victimEnd = end;
        victim = tasks;
      }
    });
    if (!victim) return undefined;
    if (now + estimate(victim.at(-1)!) < victimEnd) return victim.pop();
    // Its own worker gets to it sooner; a lane that falls behind is looked at again.
    return this.running.some((r, i) => i !== lane && r) ? 'wait' : victim.pop();
  }
}

function errored(attempt: number, message: string): AttemptResult {
  return {
    attempt,
    status: 'error',
    error: { name: 'AppError', code: 'WORKER', message },
    steps: [],
    log: [],
    durationMs: 0,
  };
}
