import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { spawnRelay } from '../../actions/spawn-broker-client.js';
import { AppError } from '../../shared/errors.js';
import type { Task } from '../tasks/schema.js';
import type { AttemptProgress } from './attempt.js';
import type { FromWorker, ToWorker, WorkerConfig } from './protocol.js';
import { WORKER_ENV, WORKER_MALLOC, WORKER_NODE_FLAGS } from './protocol.js';
import type { AttemptResult } from './results.js';

/**
 * A worker as a child process. libnut binds one X display per process for its lifetime, so a
 * private display per worker means a process per worker.
 */

export interface WorkerHandle {
  /** Resolves with the worker's display once it can take tasks; rejects if it cannot start. */
  ready: Promise<string | undefined>;
  /** When its process was started (Date.now()), for a worker started before the pool took it. */
  spawnedAt?: number;
  run(task: Task, attempt: number, onProgress: (p: AttemptProgress) => void): Promise<AttemptResult>;
  /** Resolves once the worker's display and helpers are gone (its process may still be exiting). */
  close(): Promise<void>;
  /**
   * Resolves when the worker's process has exited. A process that held the OCR models takes
   * 50-80 ms to exit (its ~400 MB are unmapped): the caller waits for it last, after its reports.
   */
  exited?: Promise<void>;
  /** Ends the worker now, mid-task (a Stop from the app); its display is stopped too. */
  interrupt?(): void;
}

export class WorkerCrashed extends AppError {
  constructor(message: string) {
    super('WORKER_CRASHED', message);
  }
}

/** `entry`: the worker's bundle (its launcher, run by node itself) or its TypeScript source (run via tsx). */
export function spawnWorker(entry: string, config: WorkerConfig, env: NodeJS.ProcessEnv): WorkerHandle {
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, workerArgs(entry), {
    env: { ...env, ...WORKER_MALLOC, [WORKER_ENV]: JSON.stringify(config) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    // Relayed programs' output is bytes (Buffers), which JSON would turn into arrays of numbers.
    serialization: 'advanced',
  });
  // Programs the worker asks for (config.relaySpawns), run by this process's broker.
  const relay = spawnRelay((reply) => {
    if (child.connected) child.send({ type: 'spawned', reply } satisfies ToWorker);
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let pending:
    | {
        taskId: string;
        resolve(r: AttemptResult): void;
        reject(e: Error): void;
        onProgress(p: AttemptProgress): void;
      }
    | undefined;
  let exited = false;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let closed: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    closed = resolve;
    void gone.then(resolve);
  });
  // Ready and listening: told to exit, it finishes; before that (still starting) it is ended.
  let serving = false;
  let leftovers: number[] = [];
  const crashed = (code: number | null, sig: string | null) =>
    new WorkerCrashed(
      `worker ${config.index} ended (${sig ?? `exit code ${code}`})${stderr ? `: ${stderr.trim().split('\n').slice(-5).join(' | ')}` : ''}`,
    );

  const ready = new Promise<string | undefined>((resolve, reject) => {
    child.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        leftovers = m.pids ?? [];
        serving = true;
        resolve(m.display);
      } else if (m.type === 'progress' && pending?.taskId === m.taskId) pending.onProgress(m.progress);
      else if (m.type === 'result' && pending?.taskId === m.taskId) {
        const p = pending;
        pending = undefined;
        p.resolve(m.result);
      } else if (m.type === 'closed') closed();
      else if (m.type === 'spawn') relay(m.message);
      else if (m.type === 'fatal') {
        const err = new WorkerCrashed(`worker ${config.index}: ${m.error.message}`);
        if (pending) {
          const p = pending;
          pending = undefined;
          p.reject(err);
        } else reject(err);
      }
    });
    child.once('error', (err) => reject(new WorkerCrashed(`cannot start a worker: ${err.message}`)));
    child.once('exit', (code, sig) => {
      exited = true;
      // A worker that crashed or was killed cannot stop its X server: do it here.
      endLeftovers(leftovers);
      const err = crashed(code, sig);
      reject(err);
      if (pending) {
        const p = pending;
        pending = undefined;
        p.reject(err);
      }
    });
  });
  ready.catch(() => undefined);

  return {
    ready,
    spawnedAt,
    run(task, attempt, onProgress) {
      if (exited) return Promise.reject(new WorkerCrashed(`worker ${config.index} is not running`));
      return new Promise((resolve, reject) => {
        pending = { taskId: task.spec.id, resolve, reject, onProgress };
        child.send({ type: 'run', task, attempt } satisfies ToWorker);
      });
    },
    close: () => closeChild(child, exited, serving, done, gone),
    exited: gone,
    interrupt: () => void (exited || child.kill('SIGTERM')),
  };
}

/** Node's arguments for the worker's entry (and the OCR server's, see ocr-server.ts). */
export function workerArgs(entry: string): string[] {
  // tsx resolved from here, not from the cwd: `deskpilot test` runs from the tester's project.
  const tsx = () => pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return [...WORKER_NODE_FLAGS, ...(entry.endsWith('.ts') ? ['--import', tsx(), entry] : [entry])];
}

function endLeftovers(pids: number[]): void {
  const alive = pids.filter((pid) => signal(pid, 'SIGTERM'));
  if (alive.length) setTimeout(() => alive.forEach((pid) => signal(pid, 'SIGKILL')), 3000).unref();
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false; // already gone: the normal case
  }
}

/** `done`: the worker said it is closed, or its process exited; `gone`: its process exited. */
async function closeChild(child: ChildProcess, exited: boolean, serving: boolean, done: Promise<void>, gone: Promise<void>): Promise<void> {
  if (exited || child.exitCode !== null) return;
  // A worker still starting does not listen for messages yet: SIGTERM stops its display and it.
  if (!serving) child.kill('SIGTERM');
  else if (child.connected) child.send({ type: 'exit' } satisfies ToWorker);
  // The worker stops its display and exits; if it hangs, it is ended (on its way out too).
  const term = setTimeout(() => child.kill('SIGTERM'), 15_000);
  const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await done;
  clearTimeout(term);
  void gone.then(() => clearTimeout(kill));
}
