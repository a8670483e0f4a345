import { errorMessage, serializeError } from '../../shared/errors.js';
import type { Task } from '../tasks/schema.js';
import type { AttemptProgress } from './attempt.js';
import type { WorkerHandle } from './child.js';
import { finalStatus, type AttemptResult, type TaskResult } from './results.js';

/**
 * Hands tasks to N workers, each taking the next task as soon as it is free; a failed task is
 * retried (on the same worker) up to its retry count. A worker that crashes fails its task
 * with the reason and is replaced for the tasks that remain.
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
}

const MAX_REPLACEMENTS = 3;

export async function runPool(tasks: Task[], options: PoolOptions): Promise<TaskResult[]> {
  const suiteStarted = Date.now();
  const results = new Map<Task, TaskResult>();
  const queue = [...tasks];
  let nextIndex = 0;
  let replacements = 0;
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

  const slot = async () => {
    let worker = await startWorker();
    for (let task = queue.shift(); task; task = queue.shift()) {
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
        id: task.spec.id,
        file: task.file,
        ...(task.spec.title ? { title: task.spec.title } : {}),
        tags: task.spec.tags,
        status,
        ok,
        attempts,
        durationMs: Date.now() - started,
        ...('error' in worker ? {} : { worker: worker.index }),
        startedMs: started - suiteStarted,
      };
      results.set(task, done);
      emit({ type: 'task_finished', result: done });
    }
    if (!('error' in worker)) await worker.handle.close();
  };

  const n = Math.max(1, Math.min(options.workers, tasks.length));
  await Promise.all(Array.from({ length: n }, () => slot()));
  return tasks.map((t) => results.get(t)!);
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
