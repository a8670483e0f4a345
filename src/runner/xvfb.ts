import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closeX11, onDisplay } from '../actions/x11-windows.js';
import { isProcessAlive } from '../storage/liveness.js';
import { AppError, throwIfAborted } from '../shared/errors.js';
import { nullLogger, type Logger } from '../shared/logger.js';

/**
 * A private X server (Xvfb) with openbox as window manager, for one test worker. Display
 * numbers are chosen from `from` upward; a number is ours only when our Xvfb bound its socket
 * (it then reports the number on -displayfd; one that lost a race for the number exits), so two
 * workers racing for the same number cannot end up sharing a screen.
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
  /**
   * Resolves once the window manager runs (at once without one). startVirtualDisplay waits for
   * it unless told `waitForWindowManager: false`; then the caller does, before apps start.
   */
  windowManagerReady: Promise<void>;
  /** With `framebuffer: true`: the file Xvfb keeps the screen in (XWD), for FramebufferScreenSource. */
  framebuffer?: string;
  /** Stops openbox and Xvfb, waits until both are gone and removes a lock file left behind. */
  stop(): Promise<void>;
}

export interface VirtualDisplayOptions {
  from?: number;
  width?: number;
  height?: number;
  windowManager?: boolean;
  /** false: resolve once the X server answers; openbox comes up meanwhile (see windowManagerReady). */
  waitForWindowManager?: boolean;
  /** Keep the screen in a memory-mapped file (Xvfb -fbdir) that can be read instead of XGetImage. */
  framebuffer?: boolean;
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
    if (displayTaken(n)) continue;
    rmSync(`/tmp/.X${n}-lock`, { force: true }); // a stale one, if any
    // -displayfd: Xvfb writes the display number to fd 3 once it accepts connections (no polling).
    // -fbdir keeps the screen in a file; -nocursor then keeps the pointer out of it, as XGetImage does.
    // -noreset: without it the server starts over whenever its last client leaves (keyboard
    // remaps and all), and a client connecting just then is dropped (EPIPE/ECONNRESET): seen
    // with no window manager, between one short-lived tool's exit and the next connection.
    const fbdir = options.framebuffer ? mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'deskpilot-fb-')) : undefined;
    const xvfb = spawn(
      'Xvfb',
      [`:${n}`, '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-noreset', '-displayfd', '3', ...(fbdir ? ['-fbdir', fbdir, '-nocursor'] : [])],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] },
    );
    const dropFb = () => fbdir && rmSync(fbdir, { recursive: true, force: true });
    const env = { ...process.env, DISPLAY: `:${n}` };
    if (!(await ready(xvfb, n, signal))) {
      await ended(xvfb, 2000);
      dropFb();
      continue;
    }
    // With -displayfd Xvfb writes no lock file; one is written for it (X's format), so tools
    // that pick a free number by lock files (xvfb-run -a) skip this one.
    writeLock(n, xvfb.pid);
    logger.debug({ display: `:${n}`, pid: xvfb.pid }, 'virtual display started');
    // The lock is ours to remove (Xvfb removes only one it wrote), with the framebuffer file.
    const cleanUp = () => {
      if (lockPid(n) === xvfb.pid) rmSync(`/tmp/.X${n}-lock`, { force: true });
      dropFb();
    };
    let wm: ChildProcess | undefined;
    // Never leave an X server behind when the worker ends in any way.
    process.once('exit', () => {
      wm?.kill('SIGTERM');
      xvfb.kill('SIGTERM');
      cleanUp();
    });
    let wmStarting: Promise<ChildProcess> | undefined;
    const stop = async () => {
      await wmStarting?.catch(() => undefined);
      closeX11(`:${n}`);
      if (wm) await ended(wm, 3000);
      await ended(xvfb, 3000);
      cleanUp();
      logger.debug({ display: `:${n}` }, 'virtual display stopped');
    };
    const pids = [xvfb.pid].filter((p): p is number => p !== undefined);
    let windowManagerReady = Promise.resolve();
    if (options.windowManager !== false) {
      wmStarting = startOpenbox(env, (child) => {
        // An openbox started again replaces the one that died: pids stay [Xvfb, openbox].
        const gone = wm?.pid === undefined ? -1 : pids.indexOf(wm.pid);
        if (gone >= 0) pids.splice(gone, 1);
        wm = child;
        if (child.pid !== undefined && !pids.includes(child.pid)) pids.push(child.pid);
      }, signal);
      windowManagerReady = wmStarting.then(
        () => undefined,
        async (err: unknown) => {
          await stop();
          throw err;
        },
      );
      if (options.waitForWindowManager !== false) await windowManagerReady;
      else windowManagerReady.catch(() => undefined); // the caller awaits it
    }
    return {
      display: `:${n}`,
      width,
      height,
      env,
      pids,
      windowManagerReady,
      ...(fbdir ? { framebuffer: path.join(fbdir, 'Xvfb_screen0') } : {}),
      stop,
    };
  }
  throw new DisplayError(`no free X display number from :${from} to :${from + 199} (is Xvfb installed?)`);
}

/**
 * Whether Xvfb came up on `:n`: it wrote the number to its -displayfd pipe once its socket was
 * bound and it accepts connections (a server that lost a race for `n` exits instead).
 */
async function ready(xvfb: ChildProcess, n: number, signal?: AbortSignal): Promise<boolean> {
  const fd = xvfb.stdio[3] as NodeJS.ReadableStream | null | undefined;
  if (!fd) return false;
  let text = '';
  const answered = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => done(false), 10_000);
    const onAbort = () => done(false);
    signal?.addEventListener('abort', onAbort, { once: true });
    function done(ok: boolean) {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fd!.removeAllListeners('data');
      (fd as NodeJS.ReadableStream & { destroy(): void }).destroy(); // Xvfb writes it once
      xvfb.removeListener('exit', onExit);
      xvfb.removeListener('error', onExit);
      resolve(ok);
    }
    const onExit = () => done(false);
    fd.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\n')) done(true);
    });
    xvfb.once('exit', onExit);
    xvfb.once('error', onExit);
  });
  throwIfAborted(signal);
  return answered && Number(text.trim()) === n;
}

async function startOpenbox(
  env: NodeJS.ProcessEnv,
  onLaunch: (child: ChildProcess) => void,
  signal?: AbortSignal,
): Promise<ChildProcess> {
  const launch = () => {
    const child = spawn('openbox', ['--sm-disable'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.once('error', (err) => (stderr += `\n${err.message}`));
    onLaunch(child);
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
    const display = env['DISPLAY'];
    const announced = display
      ? await onDisplay(display, async (c) => (await c.property(c.root, '_NET_SUPPORTING_WM_CHECK')) !== undefined).catch(() => false)
      : false;
    if (announced) return wm;
    await sleep(20);
  }
  wm.kill('SIGKILL');
  throw new DisplayError(
    `openbox did not start on ${env['DISPLAY'] ?? '?'} within 20 s${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
  );
}

/**
 * Whether display number `n` is in use: its lock file names a live process, or, without a lock,
 * its socket exists. A lock left by a killed server is not: X servers remove such a stale lock
 * themselves (a server started with -displayfd writes none, so startVirtualDisplay removes it).
 */
export function displayTaken(n: number): boolean {
  if (!existsSync(`/tmp/.X${n}-lock`)) return existsSync(`/tmp/.X11-unix/X${n}`);
  const owner = lockPid(n);
  return owner === undefined || !Number.isInteger(owner) || isProcessAlive(owner);
}

function writeLock(n: number, pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    writeFileSync(`/tmp/.X${n}-lock`, `${String(pid).padStart(10)}\n`, { flag: 'wx', mode: 0o444 });
  } catch {
    // there is one already (left by a killed server): the socket is ours all the same
  }
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
