import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { execProgram, launchProgram, ProgramNotRun } from '../../actions/run-program.js';
import type { X11Connection } from '../../actions/x11-client.js';
import { activeWindow, focusedWindow, onDisplay, visibleWindows } from '../../actions/x11-windows.js';
import { WORKER_MALLOC } from '../suite/protocol.js';
import { Aborted, AppError, errorMessage, throwIfAborted } from '../../shared/errors.js';
import type { Getters } from './evaluate.js';
import type { SetupAction } from './schema.js';
import { anyRunning, signal } from './procs.js';
import { screenShows } from './screen-match.js';


/**
 * One task's private session on a display: the apps its setup starts (each in its own process
 * group), a private work dir as the current directory and private XDG dirs, so that apps keep
 * no settings or single-instance state from one task to the next. `close()` ends every app the
 * task started, and any window left on the display (apps the steps themselves opened).
 */

export class SetupError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TASK_SETUP', message, options);
  }
}

export interface SessionOptions {
  /** The worker's environment; DISPLAY names the task's display. */
  env: NodeJS.ProcessEnv;
  /** The task's private directory: cwd of commands, base of relative `file:` paths. */
  workDir: string;
  /** The task file's directory: base of relative `open:` paths. */
  taskDir: string;
  screen: { width: number; height: number };
  /** OCR of the current screen, lines joined by newlines. */
  screenText(signal?: AbortSignal): Promise<string>;
  /**
   * Resolves once the screen differs from the one screenText last read (or after at most ~1 s):
   * a `wait_for: { text }` that did not see its text reads again then, not after a fixed pause.
   */
  screenChange?(signal?: AbortSignal): Promise<void>;
  log(line: string): void;
  /** End every app with a window on the display after the task (only on a private display). */
  sweepWindows: boolean;
}

const CHROMIUM_FLAGS = [
  '--no-sandbox',
  // Chromium's test mode: no "unsupported command-line flag: --no-sandbox" bar over the page
  // (a root user needs --no-sandbox; the bar moved the page down and cost a long OCR line).
  '--test-type',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--password-store=basic',
  // Less start-up and background work on a throw-away profile: no extensions, no built-in
  // apps or services that fetch, translate or report.
  '--disable-extensions',
  '--disable-default-apps',
  '--disable-component-extensions-with-background-pages',
  // WebUIOmniboxPopup and WebUIOmniboxAimPopup: Chromium 156 preloads the address bar's popup
  // as two WebUI pages in a renderer of their own at every start; without them (the classic
  // popup is used) a start took 0.5 s of CPU instead of 1.1 s.
  '--disable-features=Translate,MediaRouter,OptimizationHints,WebUIOmniboxPopup,WebUIOmniboxAimPopup',
  '--disable-breakpad',
  '--no-pings',
  '--mute-audio',
];

/**
 * Chromium's profile goes to memory where there is a roomy tmpfs: many small files, written at
 * start and exit and removed after the task. Not a small one (Docker's default /dev/shm is
 * 64 MB): Chromium needs that space itself.
 */
const MEMORY_DIR = '/dev/shm';
const MEMORY_DIR_MIN_FREE = 1 << 30;

/**
 * GTK apps, and Chromium through its GTK integration, read `gtk-cursor-blink` from the task's
 * private config dir: off, a focused text field's caret stays drawn instead of being redrawn
 * every 0.5 s. With it blinking, the screen of a task with a focused field was never still for
 * long (test/desktop/steady-caret.test.ts: 3 changes in 1.5 s), each blink was a change for the
 * incremental OCR to read again, and a report's screenshots showed the caret or not by chance.
 */
function steadyTextCursor(configDir: string): void {
  for (const gtk of ['gtk-3.0', 'gtk-4.0']) {
    const dir = path.join(configDir, gtk);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'settings.ini'), '[Settings]\ngtk-cursor-blink = false\n');
  }
}

export class TaskSession {
  readonly env: NodeJS.ProcessEnv;
  private readonly groups: number[] = [];
  /** Dirs outside the work dir (Chromium profiles in memory): removed by close(). */
  private readonly scratch: string[] = [];
  private windowSize: [number, number];

  constructor(private readonly options: SessionOptions) {
    const { workDir } = options;
    const configDir = path.join(workDir, '.config');
    const env: NodeJS.ProcessEnv = {
      ...options.env,
      XDG_CONFIG_HOME: configDir,
      XDG_CACHE_HOME: path.join(workDir, '.cache'),
      XDG_DATA_HOME: path.join(workDir, '.local'),
      WORK_DIR: workDir,
      TASK_DIR: options.taskDir,
    };
    // No session bus: GTK apps do not hand the task over to an instance on another display, and
    // do not autolaunch a private bus either (dbus-launch stayed in the app's process group for
    // seconds after the app ended, and dbus-daemon, at-spi and dconf-service were left running
    // after every GTK task). Settings live in memory: the work dir is thrown away anyway.
    env['DBUS_SESSION_BUS_ADDRESS'] = 'disabled:';
    env['NO_AT_BRIDGE'] = '1';
    env['GSETTINGS_BACKEND'] = 'memory';
    delete env['WAYLAND_DISPLAY'];
    delete env['XAUTHORITY'];
    // The test worker's own glibc tuning is not the apps' business.
    for (const name of Object.keys(WORKER_MALLOC)) delete env[name];
    this.env = env;
    this.windowSize = [options.screen.width, options.screen.height];
    steadyTextCursor(configDir);
  }

  async setup(actions: SetupAction[], signal?: AbortSignal): Promise<void> {
    for (const action of actions) {
      throwIfAborted(signal);
      await this.runAction(action, signal);
    }
  }

  private async runAction(action: SetupAction, signal?: AbortSignal): Promise<void> {
    if ('launch' in action)
      return this.start(['sh', '-c', `exec ${action.launch}`], `launch ${action.launch}`);
    if ('open' in action) return this.open(action.open);
    if ('execute' in action) {
      this.options.log(`setup: execute ${action.execute}`);
      await this.shell(action.execute, signal);
      return;
    }
    if ('sleep' in action) return sleep(action.sleep * 1000, signal);
    if ('window_size' in action) {
      this.windowSize = action.window_size;
      this.options.log(`setup: window size ${action.window_size.join('x')}`);
      const id = await this.activeWindow().catch(() => undefined);
      if (id)
        await execProgram(
          'xdotool',
          ['windowsize', id, String(action.window_size[0]), String(action.window_size[1])],
          { env: this.env },
        ).catch((err: unknown) => {
          // The window manager may still name a window that just closed: then there is none to size.
          if (/BadWindow/.test(String((err as { stderr?: string }).stderr))) return;
          throw new SetupError(`cannot resize the active window: ${errorMessage(err)}`, { cause: err });
        });
      return;
    }
    const w = action.wait_for;
    // Generous by default: apps start slowly on a loaded CI machine, and the task timeout still bounds it.
    const timeoutMs = (w.timeout ?? 30) * 1000;
    if ('window' in w) {
      this.options.log(`setup: wait for a window titled "${w.window}"`);
      await this.waitForWindow(w.window, timeoutMs, signal);
    } else {
      this.options.log(`setup: wait for "${w.text}" on screen`);
      let seen = '';
      const found = async () => screenShows((seen = await this.options.screenText(signal)), w.text);
      const options = this.options;
      await poll(
        found,
        timeoutMs,
        signal,
        () =>
          `"${w.text}" did not appear on screen within ${timeoutMs / 1000}s (read: ${JSON.stringify(seen.replace(/\s+/g, ' ').slice(0, 300))})`,
        options.screenChange && (() => options.screenChange!(signal)),
      );
    }
  }

  private open(target: string): Promise<void> {
    const isUrl = /^[a-z][a-z0-9+.-]*:/i.test(target);
    const url = isUrl ? target : path.resolve(this.options.taskDir, target);
    if (isUrl || /\.html?$/i.test(url)) {
      const [w, h] = this.windowSize;
      const profile = this.chromiumProfile();
      return this.start(
        [
          'chromium',
          ...CHROMIUM_FLAGS,
          `--user-data-dir=${profile}`,
          '--window-position=0,0',
          `--window-size=${w},${h}`,
          url,
        ],
        `open ${target} in Chromium`,
      );
    }
    return this.start(['xdg-open', url], `open ${target}`);
  }

  private chromiumProfile(): string {
    let dir = path.join(this.options.workDir, '.chromium');
    try {
      const fs = process.platform === 'linux' ? statfsSync(MEMORY_DIR) : undefined;
      if (fs && fs.bavail * fs.bsize >= MEMORY_DIR_MIN_FREE) {
        dir = mkdtempSync(path.join(MEMORY_DIR, 'deskpilot-chromium-'));
        if (this.scratch.push(dir) === 1) process.once('exit', this.dropScratch);
      }
    } catch {
      // no tmpfs: the work dir
    }
    return dir;
  }

  /** Starts an app in a process group of its own, so that close() ends it and its children. */
  private async start(argv: string[], what: string): Promise<void> {
    this.options.log(`setup: ${what}`);
    const [cmd, ...args] = argv as [string, ...string[]];
    try {
      this.groups.push(await launchProgram(cmd, args, { cwd: this.options.workDir, env: this.env }));
    } catch (err) {
      throw new SetupError(`cannot ${what}: ${err instanceof ProgramNotRun ? err.reason : errorMessage(err)}`, { cause: err });
    }
  }

  async shell(command: string, signal?: AbortSignal): Promise<string> {
    try {
      const { stdout } = await execProgram('sh', ['-c', command], {
        cwd: this.options.workDir,
        env: this.env,
        timeoutMs: 60_000,
        ...(signal ? { signal } : {}),
      });
      return stdout;
    } catch (err) {
      throwIfAborted(signal);
      const e = err as { code?: number | string; stderr?: string };
      throw new SetupError(
        `\`${command}\` failed (exit ${e.code ?? '?'})${e.stderr ? `: ${e.stderr.trim().slice(0, 500)}` : ''}`,
        { cause: err },
      );
    }
  }

  /** Getters for one evaluation: the screen is read once however many checks look at it. */
  getters(): Getters {
    let screen: Promise<string> | undefined;
    return {
      command: (command, signal) => this.shell(command, signal),
      file: (p) => readFile(path.resolve(this.options.workDir, p), 'utf8'),
      screenText: (signal) => {
        screen ??= this.options.screenText(signal);
        // A failed read is not kept: the next check tries again.
        screen.catch(() => (screen = undefined));
        return screen;
      },
      windowTitle: async () => {
        const win = await focusedWindow(this.env);
        if (!win) throw new SetupError('no active window on the display');
        return win.title;
      },
      clipboard: async () =>
        (await execProgram('xclip', ['-selection', 'clipboard', '-o'], { env: this.env, timeoutMs: 3000 })).stdout,
    };
  }

  private async activeWindow(): Promise<string> {
    const id = await this.onDisplay(async (c) => (await activeWindow(c))?.id).catch((err: unknown) => {
      throw new SetupError(`cannot read the active window: ${errorMessage(err)}`, { cause: err });
    });
    if (id === undefined) throw new SetupError('no active window on the display');
    return String(id);
  }

  private onDisplay<T>(read: (c: X11Connection) => Promise<T>): Promise<T> {
    const display = this.env['DISPLAY'];
    if (!display) return Promise.reject(new SetupError('no DISPLAY is set for the task'));
    return onDisplay(display, read);
  }

  /**
   * Waits for a visible window whose title contains `title` (any case, as `xdotool search
   * --onlyvisible --name` matched it). The window tree is read in-process every 25 ms: a few X
   * requests, where each look used to be an xdotool process.
   */
  private async waitForWindow(title: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    const wanted = title.toLowerCase();
    const deadline = performance.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      throwIfAborted(signal);
      const found = await this.onDisplay(visibleWindows).then(
        (windows) => windows.some((w) => w.title.toLowerCase().includes(wanted)),
        (err: unknown) => ((lastError = err), false),
      );
      if (found) return;
      if (performance.now() >= deadline) {
        const why = lastError ? ` (${errorMessage(lastError)})` : '';
        throw new SetupError(`no window titled "${title}" appeared within ${timeoutMs / 1000}s${why}`);
      }
      await sleep(25, signal);
    }
  }

  /** The process groups of the apps the setup started (for their CPU time). */
  appGroups(): readonly number[] {
    return this.groups;
  }

  /**
   * Ends the task's process groups, then any app that still has a window on the display. The
   * evaluator has run, so the apps get a short grace to exit on SIGTERM (Chromium took 1.5-2 s
   * to exit cleanly, for a profile thrown away), then SIGKILL. The waits read the process table
   * (a spawn-free check), so teardown takes about as long as the apps do (was a fixed 300 ms,
   * then up to 3 s while a GTK app's dbus-launch lingered).
   */
  async close(): Promise<void> {
    for (const pgid of this.groups) signal(-pgid, 'SIGTERM');
    // Apps the steps opened (not in our groups): found by their windows, once.
    const swept = this.options.sweepWindows ? await this.windowPids() : [];
    for (const pid of swept) signal(pid, 'SIGTERM');
    const running = () => anyRunning(this.groups, swept);
    await waitUntil(() => !running(), 500);
    if (running()) {
      for (const pgid of this.groups) signal(-pgid, 'SIGKILL');
      for (const pid of swept) signal(pid, 'SIGKILL');
      await waitUntil(() => !running(), 2000);
    }
    // The X server drops an ended app's windows a moment later: the next task must not find them.
    if (this.options.sweepWindows) {
      const deadline = Date.now() + 2000;
      while ((await this.windowPids()).length && Date.now() < deadline) await sleep(20);
    }
    this.groups.length = 0;
    process.off('exit', this.dropScratch);
    await Promise.all(this.scratch.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }

  /** A worker that ends mid-task still frees the memory its Chromium profile took. */
  private readonly dropScratch = () => {
    for (const d of this.scratch) rmSync(d, { recursive: true, force: true });
  };

  /** The processes owning a visible window (windows without _NET_WM_PID, openbox's own, name none). */
  private async windowPids(): Promise<number[]> {
    const windows = await this.onDisplay(visibleWindows).catch(() => []);
    const pids = new Set<number>();
    for (const { pid } of windows) if (pid && pid !== process.pid && pid !== process.ppid) pids.add(pid);
    return [...pids];
  }
}

/** Resolves once `done()` holds or `ms` have passed; checks every 20 ms (reads /proc, spawns nothing). */
async function waitUntil(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(20);
}

/** `check()` until it holds, waiting between tries for `next()` (a screen change), else 200 ms. */
async function poll(
  check: () => Promise<boolean>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  failure: () => string,
  next?: () => Promise<void>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    throwIfAborted(signal);
    if (await check()) return;
    if (Date.now() > deadline) throw new SetupError(failure());
    await (next ? next() : sleep(200, signal));
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason instanceof AppError ? signal.reason : new Aborted(errorMessage(signal.reason)));
      },
      { once: true },
    );
  });
}
