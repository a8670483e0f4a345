import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchProgram, ProgramNotRun, routePrograms, runProgram, type ProgramResult, type SpawnJob } from './run-program.js';

/**
 * This process's side of the spawn broker (spawn-broker.mjs): a broker child of its own
 * (startSpawnBroker), or a test worker's parent that runs the worker's programs (relaySpawns,
 * and spawnRelay on the parent's side). Either way runProgram and launchProgram go through it.
 */

/** What the broker is sent: a program to run, or one to end. */
export type BrokerMessage = SpawnJob | { kill: number };

/** What became of a SpawnJob. */
export type SpawnReply =
  | { id: number; error: { message: string; code?: string } }
  | { id: number; pid: number }
  | { id: number; code: number | null; signal: NodeJS.Signals | null; stdout: Uint8Array; stderr: Uint8Array; timedOut: boolean };

/** How jobs reach whoever runs them: a broker child process, or this worker's parent. */
interface Transport {
  send(m: BrokerMessage): void;
  connected(): boolean;
  /** While programs run, the channel keeps this process alive. */
  hold(on: boolean): void;
}

interface Link {
  transport: Transport;
  /** Per job sent, what to do with its reply (or with the link's failure). */
  pending: Map<number, { file: string; settle(m: SpawnReply): void; fail(e: Error): void }>;
  exited: Promise<void>;
  child?: ChildProcess;
}

let link: Link | undefined;

function use(l: Link | undefined): void {
  link = l;
  routePrograms(l && { run: (job, signal) => run(l, job, signal), launch: (job) => launch(l, job) });
}

/**
 * Starts the broker (once). Call it early, while this process is still small: starting it forks
 * this process once, at its size then. Returns false, and callers keep spawning directly, where
 * the broker script cannot be found or DESKPILOT_NO_SPAWN_BROKER=1.
 */
export function startSpawnBroker(): boolean {
  if (link) return true;
  const script = spawnBrokerScript();
  if (!script) return false;
  // Plain node: no tsx loader from NODE_OPTIONS (fast start, small memory).
  const { NODE_OPTIONS: _loader, ...env } = process.env;
  const child = spawn(process.execPath, [script], {
    env: { ...env, ...(process.versions['electron'] ? { ELECTRON_RUN_AS_NODE: '1' } : {}) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve()); // never started: nothing to wait for
  });
  const l: Link = {
    transport: {
      send: (m) => child.send(m),
      connected: () => child.connected,
      hold: (on) => (on ? child.channel?.ref() : child.channel?.unref()),
    },
    pending: new Map(),
    exited,
    child,
  };
  use(l);
  child.on('message', (m: SpawnReply) => settle(l, m));
  const fail = (why: string) => {
    if (link === l) use(undefined);
    for (const [id, p] of l.pending) {
      l.pending.delete(id);
      p.fail(new ProgramNotRun(p.file, `the spawn broker ${why}`, undefined));
    }
  };
  child.once('error', (err) => fail(`could not start: ${err.message}`));
  child.once('exit', (code, sig) => fail(`ended (${sig ?? `exit code ${code}`})`));
  child.unref();
  refChannel(l);
  return true;
}

/**
 * The broker script: beside this module when it runs from src/ (tsx), else in the package's
 * src/actions/ above it when it runs from a bundle (dist/node/<name>-<hash>/, dist/main/index.mjs).
 * Undefined where startSpawnBroker would not start one: not found, or DESKPILOT_NO_SPAWN_BROKER=1
 * (to compare, or to rule it out).
 */
export function spawnBrokerScript(): string | undefined {
  if (process.env['DESKPILOT_NO_SPAWN_BROKER'] === '1') return undefined;
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
  const l: Link = {
    transport: { send, connected: () => process.connected, hold: () => undefined },
    pending: new Map(),
    exited: Promise.resolve(),
  };
  use(l);
  return (reply) => settle(l, reply);
}

/**
 * The parent's side of relaySpawns: runs each message of one worker through runProgram or
 * launchProgram (this process's broker when it has one) and gives `reply` what became of each.
 */
export function spawnRelay(reply: (r: SpawnReply) => void): (m: BrokerMessage) => void {
  const running = new Map<number, AbortController>();
  const failed = (id: number) => (err: ProgramNotRun) => reply({ id, error: { message: err.reason, ...(err.code ? { code: err.code } : {}) } });
  return (m) => {
    if ('kill' in m) return void running.get(m.kill)?.abort();
    if (m.detach) {
      void launchProgram(m.file, m.args, { env: m.env, ...(m.cwd !== undefined ? { cwd: m.cwd } : {}) }).then((pid) => reply({ id: m.id, pid }), failed(m.id));
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
      .then((r) => reply({ id: m.id, code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr, timedOut: r.timedOut }), failed(m.id))
      .finally(() => running.delete(m.id));
  };
}

/** Ends the broker and waits until it has exited (so its CPU is counted in this process's cutime). */
export async function stopSpawnBroker(): Promise<void> {
  const l = link;
  if (!l) return;
  use(undefined);
  if (!l.child) return; // relayed: the parent's broker is the parent's
  l.child.ref(); // the wait for its exit keeps this process alive
  if (l.child.connected) l.child.disconnect();
  await l.exited;
}

/** The broker's pid while one is up (tests). */
export function spawnBrokerPid(): number | undefined {
  return link?.child?.pid;
}

function run(l: Link, job: SpawnJob, signal: AbortSignal | undefined): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    let aborted = false;
    const kill = () => {
      aborted = true;
      if (l.transport.connected()) l.transport.send({ kill: job.id });
    };
    signal?.addEventListener('abort', kill, { once: true });
    send(l, job, (m) => {
      signal?.removeEventListener('abort', kill);
      if ('error' in m) reject(new ProgramNotRun(job.file, m.error.message, m.error.code));
      else if ('pid' in m) reject(new ProgramNotRun(job.file, 'the spawn broker answered with a pid', undefined));
      else resolve({ code: m.code, signal: m.signal, stdout: asBuffer(m.stdout), stderr: asBuffer(m.stderr), timedOut: m.timedOut, aborted });
    }, (e) => {
      signal?.removeEventListener('abort', kill);
      reject(e);
    });
  });
}

function launch(l: Link, job: SpawnJob): Promise<number> {
  return new Promise((resolve, reject) =>
    send(l, job, (m) => {
      if ('error' in m) reject(new ProgramNotRun(job.file, m.error.message, m.error.code));
      else if ('pid' in m) resolve(m.pid);
      else reject(new ProgramNotRun(job.file, 'the spawn broker did not say its pid', undefined));
    }, reject),
  );
}

function send(l: Link, job: SpawnJob, settle: (m: SpawnReply) => void, fail: (e: Error) => void): void {
  l.pending.set(job.id, { file: job.file, settle, fail });
  refChannel(l);
  l.transport.send(job);
}

function settle(l: Link, m: SpawnReply): void {
  const p = l.pending.get(m.id);
  if (!p) return;
  l.pending.delete(m.id);
  refChannel(l);
  p.settle(m);
}

/** The IPC channel keeps this process alive only while a program runs. */
function refChannel(l: Link): void {
  l.transport.hold(l.pending.size > 0);
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
