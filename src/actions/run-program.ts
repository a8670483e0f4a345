import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Runs short helper programs (xdotool, xclip, xrandr, `sh -c`) to completion, and starts apps. A
 * process holding the OCR models pays 15-40 ms of fork cost per spawn; after `startSpawnBroker()`
 * (spawn-broker-client.ts, called while the process is still small) the programs are started by
 * a tiny broker process instead (spawn-broker.mjs). Without a broker (the app, the CLI, tests)
 * they are spawned directly.
 */

export interface ProgramOptions {
  /** The program's whole environment (default: this process's environment at call time). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to the program's stdin, which is then closed (stdin is ignored without it). */
  input?: string | Buffer;
  /** SIGTERM after this long; the result then says `timedOut`. */
  timeoutMs?: number;
  /** SIGKILL at once when this fires (the kill switch); the result then says `aborted`. */
  signal?: AbortSignal;
  /**
   * 'close' (default) waits for the program's output pipes to close, as execFile does. 'exit'
   * resolves when the program exits: xclip -i forks a child that keeps serving the selection and
   * holds the pipes open.
   */
  until?: 'exit' | 'close';
}

export interface ProgramResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
  aborted: boolean;
}

/** A program that could not be started at all (ENOENT, EACCES): carries the spawn error's code. */
export class ProgramNotRun extends Error {
  readonly code: string | undefined;
  /** Why, without the program's name. */
  readonly reason: string;
  constructor(file: string, message: string, code: string | undefined) {
    super(`could not run ${file}: ${message}`);
    this.name = 'ProgramNotRun';
    this.code = code;
    this.reason = message;
  }
}

/** A program to run, as sent to the broker (or, from a test worker, to its parent: relaySpawns). */
export interface SpawnJob {
  id: number;
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string | Buffer;
  timeoutMs?: number;
  until: 'exit' | 'close';
  /**
   * An app to start and leave running (launchProgram): in a session of its own, output ignored;
   * the reply is its pid once it has started.
   */
  detach?: true;
}
/** Who runs this process's programs instead of spawning them here: a spawn broker (spawn-broker-client.ts). */
export interface ProgramRoute {
  run(job: SpawnJob, signal: AbortSignal | undefined): Promise<ProgramResult>;
  /** A detached job (launchProgram): resolves with the app's pid. */
  launch(job: SpawnJob): Promise<number>;
}

let route: ProgramRoute | undefined;

/** Sends this process's programs through `r` from now on (undefined: spawned here again). */
export function routePrograms(r: ProgramRoute | undefined): void {
  route = r;
}

let nextId = 1;

/** Runs one program through the broker when one is up, directly otherwise. Rejects only with ProgramNotRun. */
export function runProgram(file: string, args: string[], options: ProgramOptions = {}): Promise<ProgramResult> {
  const job: SpawnJob = {
    id: nextId++,
    file,
    args,
    env: options.env ?? process.env,
    until: options.until ?? 'close',
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  };
  const signal = options.signal;
  if (signal?.aborted) return Promise.resolve(abortedResult());
  return route ? route.run(job, signal) : direct(job, signal);
}

/** Like execFile: rejects when the program fails (exit code not 0, a signal, a timeout, an abort). */
export async function execProgram(
  file: string,
  args: string[],
  options: ProgramOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  const r = await runProgram(file, args, options);
  const stdout = r.stdout.toString('utf8');
  const stderr = r.stderr.toString('utf8');
  if (r.code === 0) return { stdout, stderr };
  const why = r.aborted
    ? 'aborted'
    : r.timedOut
      ? `timed out after ${options.timeoutMs} ms`
      : r.signal
        ? `killed by ${r.signal}`
        : `exit code ${r.code}`;
  throw Object.assign(new Error(`${file} ${args.join(' ')} failed (${why})${stderr ? `: ${stderr.trim().slice(0, 500)}` : ''}`), {
    code: r.code ?? undefined,
    signal: r.signal,
    killed: r.timedOut || r.aborted,
    stdout,
    stderr,
  });
}

/**
 * Starts an app and leaves it running: detached (a session and process group of its own, so its
 * whole group can be ended), output ignored. Resolves with its pid once it has started. Through
 * the broker when there is one: forking a process that holds the OCR models costs 15-40 ms, and
 * afterwards every page it writes takes a copy-on-write fault (~220 000 per sample-suite run
 * when each task's app was forked from the test worker).
 */
export function launchProgram(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<number> {
  const job: SpawnJob = {
    id: nextId++,
    file,
    args,
    env: options.env ?? process.env,
    until: 'exit',
    detach: true,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  };
  return route ? route.launch(job) : launchDirect(job);
}

function launchDirect(job: SpawnJob): Promise<number> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(job.file, job.args, { env: job.env, ...(job.cwd !== undefined ? { cwd: job.cwd } : {}), detached: true, stdio: 'ignore' });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      reject(new ProgramNotRun(job.file, e.message, e.code));
      return;
    }
    child.once('error', (err: NodeJS.ErrnoException) => reject(new ProgramNotRun(job.file, err.message, err.code)));
    child.once('spawn', () => {
      child.unref();
      resolve(child.pid ?? 0);
    });
  });
}

function direct(job: SpawnJob, signal: AbortSignal | undefined): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(job.file, job.args, {
        env: job.env,
        ...(job.cwd !== undefined ? { cwd: job.cwd } : {}),
        stdio: [job.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      reject(new ProgramNotRun(job.file, e.message, e.code));
      return;
    }
    let aborted = false;
    let timedOut = false;
    const kill = () => {
      aborted = true;
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', kill, { once: true });
    const timer = job.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGTERM');
        }, job.timeoutMs)
      : undefined;
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', kill);
    };
    const out: Buffer[] = [];
    const errs: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => errs.push(d));
    child.on('error', (err: NodeJS.ErrnoException) => {
      done();
      reject(new ProgramNotRun(job.file, err.message, err.code));
    });
    child.on(job.until, (code: number | null, sig: NodeJS.Signals | null) => {
      done();
      resolve({ code, signal: sig, stdout: Buffer.concat(out), stderr: Buffer.concat(errs), timedOut, aborted });
    });
    if (job.input !== undefined) {
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(job.input);
    }
  });
}

function abortedResult(): ProgramResult {
  return { code: null, signal: 'SIGKILL', stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), timedOut: false, aborted: true };
}
