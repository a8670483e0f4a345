import { runAttempt, type TaskRuntime } from './attempt.js';
import type { WorkerHandle } from './child.js';

/**
 * `--no-isolate`: the tasks run in this process on the current display, one at a time. No
 * window is swept after a task here: on a person's desktop that would close their windows.
 */
export function inProcessWorker(
  open: () => Promise<{ runtime: TaskRuntime; dispose: () => Promise<void> }>,
  workRoot: string,
): WorkerHandle {
  const opened = open();
  const ready = opened.then((o) => o.runtime.display);
  ready.catch(() => undefined);
  return {
    ready,
    async run(task, attempt, onProgress) {
      const { runtime } = await opened;
      return runAttempt(task, runtime, { attempt, workRoot, onProgress });
    },
    async close() {
      const o = await opened.catch(() => undefined);
      await o?.dispose();
    },
  };
}
