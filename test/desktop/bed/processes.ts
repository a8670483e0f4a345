import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { TestBedError } from './errors.js';
import { pollUntil } from './util.js';

/**
 * Keeps track of every process a desktop starts, so that stop() can end them all and prove it.
 *
 * Two nets, because neither alone catches everything:
 * - each child is spawned detached, i.e. as the leader of its own process group, and the group is
 *   signalled as a whole (Chromium's zygote and renderers stay in the group);
 * - each child gets a marker variable in its environment, inherited by whatever it starts. That
 *   finds the processes that leave the group: xterm's shell (new session on the pty), Chromium's
 *   crashpad handler and the D-Bus/AT-SPI daemons GTK apps autolaunch (double-forked, setsid).
 * Zombies do not count: in containers PID 1 often never reaps orphans.
 */

export interface LiveProcess {
  pid: number;
  pgid: number;
  name: string;
}

interface ProcStat {
  pid: number;
  state: string;
  pgid: number;
  name: string;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone between readdir and read
  }
  // The name sits in parentheses and may itself contain spaces or ')'.
  const close = text.lastIndexOf(')');
  const name = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' ');
  return { pid, state: fields[0] ?? '?', pgid: Number(fields[2]), name };
}

function hasMarker(pid: number, marker: Buffer): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`).includes(marker);
  } catch {
    return false;
  }
}

/** Every live (non-zombie) process in one of `groups` or carrying `marker`, except ourselves. */
export function findLive(groups: ReadonlySet<number>, marker: Buffer): LiveProcess[] {
  const found: LiveProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const stat = readStat(pid);
    if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
    if (groups.has(stat.pgid) || hasMarker(pid, marker)) {
      found.push({ pid, pgid: stat.pgid, name: stat.name });
    }
  }
  return found;
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone (ESRCH): that is what we want
  }
}

export class ProcessTracker {
  readonly groups = new Set<number>();
  /** X servers started here: killed by SIGKILL, Xvfb leaves its lock file and socket behind. */
  readonly xServers: Array<{ pid: number; lock: string; socket: string }> = [];
  readonly markerKey = 'DESKPILOT_TEST_BED';
  readonly markerValue: string;
  private readonly marker: Buffer;

  constructor(label: string) {
    this.markerValue = `${label}.${process.pid}.${Math.random().toString(36).slice(2, 10)}`;
    this.marker = Buffer.from(`${this.markerKey}=${this.markerValue}\0`);
    trackers.add(this);
  }

  /** Spawns `command` as a new process group; resolves once it started, rejects if it cannot. */
  spawn(
    command: string,
    args: string[],
    opts: { env: NodeJS.ProcessEnv; cwd?: string },
  ): Promise<ChildProcess & { pid: number }> {
    const child = spawn(command, args, {
      env: { ...opts.env, [this.markerKey]: this.markerValue },
      cwd: opts.cwd,
      detached: true,
      stdio: 'ignore',
    });
    // A desktop someone forgot to stop must not keep the test worker alive; the exit hook kills it.
    child.unref();
    return new Promise((resolve, reject) => {
      child.once('error', (cause) =>
        reject(new TestBedError(`could not start ${command} ${args.join(' ')}: ${cause.message}`, { cause })),
      );
      child.once('spawn', () => {
        // Later errors (a failed kill) must not become uncaught exceptions in the test worker.
        child.on('error', () => undefined);
        const pid = child.pid;
        if (pid === undefined) return reject(new TestBedError(`${command} started without a pid`));
        this.groups.add(pid);
        resolve(child as ChildProcess & { pid: number });
      });
    });
  }

  live(onlyGroups?: ReadonlySet<number>): LiveProcess[] {
    if (onlyGroups) return findLive(onlyGroups, Buffer.from('\0no marker\0'));
    return findLive(this.groups, this.marker);
  }

  /**
   * SIGTERM to the given groups (all of ours by default, plus marked strays), then SIGKILL to
   * whatever is still there after `graceMs`. Resolves with what survived even that.
   */
  async end(onlyGroups?: ReadonlySet<number>, graceMs = 2_000): Promise<LiveProcess[]> {
    const targets = (): LiveProcess[] => this.live(onlyGroups);
    const groups = onlyGroups ?? this.groups;
    for (const pgid of groups) signalQuietly(-pgid, 'SIGTERM');
    for (const p of targets()) signalQuietly(p.pid, 'SIGTERM');
    const gone = (): true | undefined => (targets().length === 0 ? true : undefined);
    try {
      await pollUntil(gone, graceMs, () => new Error('grace over'));
      return [];
    } catch {
      for (const pgid of groups) signalQuietly(-pgid, 'SIGKILL');
      for (const p of targets()) signalQuietly(p.pid, 'SIGKILL');
    }
    try {
      await pollUntil(gone, 2_000, () => new Error('kill over'));
      return [];
    } catch {
      return targets();
    }
  }

  /** Synchronous last resort for process exit: SIGKILL everything, wait for nothing. */
  killAllNow(): void {
    for (const pgid of this.groups) signalQuietly(-pgid, 'SIGKILL');
    for (const p of this.live()) signalQuietly(p.pid, 'SIGKILL');
    for (const x of this.xServers) {
      // Only while the lock still names our server: after a lost race it is another test's.
      const owner = Number.parseInt(readFileSafe(x.lock), 10);
      if (owner !== x.pid) continue;
      rmSync(x.lock, { force: true });
      rmSync(x.socket, { force: true });
    }
  }

  dispose(): void {
    trackers.delete(this);
  }
}

export function describeLeft(left: LiveProcess[]): string {
  return left.map((p) => `${p.name} (pid ${p.pid}, group ${p.pgid})`).join(', ');
}

// Desktops still running when the test process ends (a failed test, an aborted run) are killed
// here, so that an interrupted run does not leave Xvfb and browsers behind.
const trackers = new Set<ProcessTracker>();
let hooked = false;

export function installExitHook(): void {
  if (hooked) return;
  hooked = true;
  const killAll = (): void => {
    for (const t of trackers) t.killAllNow();
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAll();
      // Keep the default "die on this signal" unless someone else (the test runner) handles it.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}
