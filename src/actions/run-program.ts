import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs short helper programs (xdotool, xclip, xrandr, `sh -c`) to completion. A process holding
 * the OCR models pays 15-40 ms of fork cost per spawn; after `startSpawnBroker()` (called while
 * the process is still small) the programs are started by a tiny broker process instead
 * (spawn-broker.mjs). Without a broker (the app, the CLI, tests) they are spawned directly.
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
/** What the broker is sent: a program to run, or one to end. */
export type BrokerMessage = SpawnJob | { kill: number };

/** What became of a SpawnJob. */
export type SpawnReply =
  | { id: number; error: { message: string; code?: string } }
  | { id: number; pid: number }
  | { id: number; code: number | null; signal: NodeJS.Signals | null; stdout: Uint8Array; stderr: Uint8Array; timedOut: boolean };
interface Pending {
  file: string;
  aborted: () => boolean;
  resolve(r: ProgramResult): void;
  reject(e: Error): void;
  /** A detached job's pid (launchProgram). */
  launched?(pid: number): void;
}

/** How jobs reach whoever runs them: a broker child process, or this worker's parent. */
interface Transport {
  send(m: BrokerMessage): void;
  connected(): boolean;
  /** While programs run, the channel keeps this process alive. */
  hold(on: boolean): void;
}

let broker: { transport: Transport; pending: Map<number, Pending>; exited: Promise<void>; child?: ChildProcess } | undefined;
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
  const b = broker;
  return b ? viaBroker(b, job, signal) : direct(job, signal);
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
  const b = broker;
  if (!b) return launchDirect(job);
  return new Promise((resolve, reject) => {
    b.pending.set(job.id, { file, aborted: () => false, resolve: () => reject(new ProgramNotRun(file, 'the spawn broker did not say its pid', undefined)), reject, launched: resolve });
    refChannel(b);
    b.transport.send(job);
  });
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

/**
 * Starts the broker (once). Call it early, while this process is still small: starting it forks
 * this process once, at its size then. Returns false, and callers keep spawning directly, where
 * the broker script cannot be found or DESKPILOT_NO_SPAWN_BROKER=1.
 */
export function startSpawnBroker(): boolean {
  if (broker) return true;
  if (process.env['DESKPILOT_NO_SPAWN_BROKER'] === '1') return false; // to compare, or to rule it out
  const script = brokerScript();
  if (!script) return false;
  // Plain node: no tsx loader from NODE_OPTIONS (fast start, small memory).
  const { NODE_OPTIONS: _loader, ...env } = process.env;
  const child = spawn(process.execPath, [script], {
    env: { ...env, ...(process.versions['electron'] ? { ELECTRON_RUN_AS_NODE: '1' } : {}) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const pending = new Map<number, Pending>();
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve()); // never started: nothing to wait for
  });
  const transport: Transport = {
    send: (m) => child.send(m),
    connected: () => child.connected,
    hold: (on) => (on ? child.channel?.ref() : child.channel?.unref()),
  };
  const b = { transport, pending, exited, child };
  broker = b;
  child.on('message', (m: SpawnReply) => settle(b, m));
  const fail = (why: string) => {
    if (broker === b) broker = undefined;
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(new ProgramNotRun(p.file, `the spawn broker ${why}`, undefined));
    }
  };
  child.once('error', (err) => fail(`could not start: ${err.message}`));
  child.once('exit', (code, sig) => fail(`ended (${sig ?? `exit code ${code}`})`));
  child.unref();
  refChannel(b);
  return true;
}

/**
 * The broker script: beside this module when it runs from src/ (tsx), else in the package's
 * src/actions/ above it when it runs from a bundle (dist/node/<name>-<hash>/, dist/main/index.mjs).
 */
function brokerScript(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    for (const file of [path.join(dir, 'spawn-broker.mjs'), path.join(dir, 'src', 'actions', 'spawn-broker.mjs')])
      if (existsSync(file)) return file;
    if (path.dirname(dir) === dir) return undefined;
    dir = path.dirname(dir);
  }
}

/**
 * A test worker's programs run by its parent's broker instead of one of its own: with several
 * workers one broker serves them all, and each worker's start is one process (~70-90 ms of CPU)
 * lighter. `send` carries the broker's messages to the parent, whose spawnRelay runs them; its
 * replies go to the function returned.
 */
export function relaySpawns(send: (m: BrokerMessage) => void): (reply: SpawnReply) => void {
  const b = {
    transport: { send, connected: () => process.connected, hold: () => undefined },
    pending: new Map<number, Pending>(),
    exited: Promise.resolve(),
  };
  broker = b;
  return (reply) => settle(b, reply);
}

/**
 * The parent's side of relaySpawns: runs each message of one worker through runProgram (this
 * process's broker when it has one) and gives `reply` what became of each program.
 */
export function spawnRelay(reply: (r: SpawnReply) => void): (m: BrokerMessage) => void {
  const running = new Map<number, AbortController>();
  return (m) => {
    if ('kill' in m) return void running.get(m.kill)?.abort();
    if (m.detach) {
      void launchProgram(m.file, m.args, { env: m.env, ...(m.cwd !== undefined ? { cwd: m.cwd } : {}) }).then(
        (pid) => reply({ id: m.id, pid }),
        (err: ProgramNotRun) => reply({ id: m.id, error: { message: err.reason, ...(err.code ? { code: err.code } : {}) } }),
      );
      return;
    }
    const stop = new AbortController();
    running.set(m.id, stop);
    void runProgram(m.file, m.args, {
      env: m.env,
      until: m.until,
      signal: stop.signal,
      ...(m.cwd !== undefined ? { cwd: m.cwd } : {}),
      ...(m.input !== undefined ? { input: m.input } : {}),
      ...(m.timeoutMs ? { timeoutMs: m.timeoutMs } : {}),
    })
      .then(
        (r): SpawnReply => ({ id: m.id, code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr, timedOut: r.timedOut }),
        (err: ProgramNotRun): SpawnReply => ({ id: m.id, error: { message: err.reason, ...(err.code ? { code: err.code } : {}) } }),
      )
      .then((r) => {
        running.delete(m.id);
        reply(r);
      });
  };
}

/** Ends the broker and waits until it has exited (so its CPU is counted in this process's cutime). */
export async function stopSpawnBroker(): Promise<void> {
  const b = broker;
  if (!b) return;
  broker = undefined;
  if (!b.child) return; // relayed: the parent's broker is the parent's
  b.child.ref(); // the wait for its exit keeps this process alive
  if (b.child.connected) b.child.disconnect();
  await b.exited;
}

/** The broker's pid while one is up (tests). */
export function spawnBrokerPid(): number | undefined {
  return broker?.child?.pid;
}

function viaBroker(b: NonNullable<typeof broker>, job: SpawnJob, signal: AbortSignal | undefined): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    let aborted = false;
    const kill = () => {
      aborted = true;
      if (b.transport.connected()) b.transport.send({ kill: job.id });
    };
    signal?.addEventListener('abort', kill, { once: true });
    b.pending.set(job.id, {
      file: job.file,
      aborted: () => aborted,
      resolve: (r) => {
        signal?.removeEventListener('abort', kill);
        resolve(r);
      },
      reject: (e) => {
        signal?.removeEventListener('abort', kill);
        reject(e);
      },
    });
    refChannel(b);
    b.transport.send(job);
  });
}

function settle(b: NonNullable<typeof broker>, m: SpawnReply): void {
  const p = b.pending.get(m.id);
  if (!p) return;
  b.pending.delete(m.id);
  refChannel(b);
  if ('error' in m) p.reject(new ProgramNotRun(p.file, m.error.message, m.error.code));
  else if ('pid' in m) p.launched?.(m.pid);
  else
    p.resolve({
      code: m.code,
      signal: m.signal,
      stdout: asBuffer(m.stdout),
      stderr: asBuffer(m.stderr),
      timedOut: m.timedOut,
      aborted: p.aborted(),
    });
}

/** The IPC channel keeps this process alive only while a program runs. */
function refChannel(b: NonNullable<typeof broker>): void {
  b.transport.hold(b.pending.size > 0);
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

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
