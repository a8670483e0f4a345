import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { AppError, throwIfAborted } from '../shared/errors.js';
import { nullLogger, type Logger } from '../shared/logger.js';

const exec = promisify(execFile);

/**
 * A private X server (Xvfb) with openbox as window manager, for one test worker. Display
 * numbers are chosen from `from` upward; a number is ours only when the lock file names our
 * Xvfb's pid, so two workers racing for the same number cannot end up sharing a screen.
 */

export interface VirtualDisplay {
  /** ":201" */
  display: string;
  width: number;
  height: number;
  /** process.env with DISPLAY set to this display. */
  env: NodeJS.ProcessEnv;
  /** Xvfb's and openbox's pids: the parent ends them if this worker dies without stopping them. */
  pids: number[];
  /** Stops openbox and Xvfb, waits until both are gone and removes a lock file left behind. */
  stop(): Promise<void>;
}

export interface VirtualDisplayOptions {
  from?: number;
  width?: number;
  height?: number;
  windowManager?: boolean;
  logger?: Logger;
  signal?: AbortSignal;
}

export class DisplayError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DISPLAY', message, options);
  }
}

export async function startVirtualDisplay(options: VirtualDisplayOptions = {}): Promise<VirtualDisplay> {
  const { width = 1280, height = 800, logger = nullLogger, signal } = options;
  const from = options.from ?? 200;
  for (let n = from; n < from + 200; n++) {
    throwIfAborted(signal);
    if (existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`)) continue;
    const xvfb = spawn('Xvfb', [`:${n}`, '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'], {
      stdio: 'ignore',
    });
    const env = { ...process.env, DISPLAY: `:${n}` };
    if (!(await ready(xvfb, n, env, signal))) {
      await ended(xvfb, 2000);
      continue;
    }
    logger.debug({ display: `:${n}`, pid: xvfb.pid }, 'virtual display started');
    let wm: ChildProcess | undefined;
    // Never leave an X server behind when the worker ends in any way (SIGTERM: Xvfb then
    // removes its lock file itself).
    process.once('exit', () => {
      wm?.kill('SIGTERM');
      xvfb.kill('SIGTERM');
    });
    const stop = async () => {
      if (wm) await ended(wm, 3000);
      await ended(xvfb, 3000);
      // A killed Xvfb leaves its lock behind; ours (by pid) may be removed.
      if (lockPid(n) === xvfb.pid) rmSync(`/tmp/.X${n}-lock`, { force: true });
      logger.debug({ display: `:${n}` }, 'virtual display stopped');
    };
    try {
      if (options.windowManager !== false) wm = await startOpenbox(env, signal);
    } catch (err) {
      await stop();
      throw err;
    }
    const pids = [xvfb.pid, wm?.pid].filter((p): p is number => p !== undefined);
    return { display: `:${n}`, width, height, env, pids, stop };
  }
  throw new DisplayError(`no free X display number from :${from} to :${from + 199} (is Xvfb installed?)`);
}

async function ready(
  xvfb: ChildProcess,
  n: number,
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): Promise<boolean> {
  let failed = false;
  xvfb.once('error', () => (failed = true));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !failed && xvfb.exitCode === null && xvfb.signalCode === null) {
    throwIfAborted(signal);
    if (lockPid(n) === xvfb.pid) {
      try {
        await exec('xdpyinfo', [], { env, timeout: 2000 });
        return true;
      } catch {
        // not accepting connections yet
      }
    }
    await sleep(50);
  }
  return false;
}

async function startOpenbox(env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<ChildProcess> {
  const launch = () => {
    const child = spawn('openbox', ['--sm-disable'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.once('error', (err) => (stderr += `\n${err.message}`));
    return child;
  };
  let stderr = '';
  let wm = launch();
  let starts = 1;
  const deadline = Date.now() + 20_000;
  // openbox is ready once it has announced itself on the root window.
  while (Date.now() < deadline) {
    throwIfAborted(signal);
    // Seen on a loaded machine: openbox gone within moments of its start (while Xvfb was still
    // compiling its keymap). It is started again rather than waited for until the deadline.
    if (wm.exitCode !== null || wm.signalCode !== null) {
      if (starts >= 3)
        throw new DisplayError(
          `openbox exited (${wm.signalCode ?? `code ${wm.exitCode}`}) on ${env['DISPLAY'] ?? '?'}, ${starts} times${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
        );
      wm = launch();
      starts++;
    }
    try {
      const { stdout } = await exec('xprop', ['-root', '_NET_SUPPORTING_WM_CHECK'], { env, timeout: 2000 });
      if (/window id/.test(stdout)) return wm;
    } catch {
      // not yet
    }
    await sleep(50);
  }
  wm.kill('SIGKILL');
  throw new DisplayError(
    `openbox did not start on ${env['DISPLAY'] ?? '?'} within 20 s${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
  );
}

function lockPid(n: number): number | undefined {
  try {
    return Number(readFileSync(`/tmp/.X${n}-lock`, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** Sends SIGTERM, then SIGKILL after `ms`, and resolves once the process has exited. */
export async function ended(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await done;
  clearTimeout(timer);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
