import { serializeError } from '../../shared/errors.js';
import { runAttempt, type TaskRuntime } from './attempt.js';
import type { FromWorker, ToWorker } from './protocol.js';

/**
 * The worker's side of the protocol: runs the tasks the parent sends, one at a time, on the
 * worker's runtime, and answers each with its result. Resolves when told to exit or when the
 * parent goes away.
 */
export function serveTasks(rt: TaskRuntime, workRoot: string, pids: number[] = []): Promise<void> {
  const send = (m: FromWorker) => process.send?.(m);
  return new Promise((resolve) => {
    let queue = Promise.resolve();
    const onMessage = (m: ToWorker) => {
      if (m.type === 'exit') {
        void queue.then(finish);
        return;
      }
      if (m.type !== 'run') return; // a relayed program's reply: run-program's
      queue = queue.then(async () => {
        try {
          const result = await runAttempt(m.task, rt, {
            attempt: m.attempt,
            workRoot,
            displayPids: pids,
            onProgress: (progress) => send({ type: 'progress', taskId: m.task.spec.id, progress }),
          });
          send({ type: 'result', taskId: m.task.spec.id, result });
        } catch (err) {
          send({ type: 'fatal', error: serializeError(err) });
        }
      });
    };
    const finish = () => {
      process.off('message', onMessage);
      process.off('disconnect', finish);
      resolve();
    };
    process.on('message', onMessage);
    process.once('disconnect', finish);
    send({ type: 'ready', ...(rt.display ? { display: rt.display } : {}), pids });
  });
}
