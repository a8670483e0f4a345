import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Aborted, AppError, errorMessage, throwIfAborted } from '../../shared/errors.js';
import type { Getters } from './evaluate.js';
import type { SetupAction } from './schema.js';
import { screenShows } from './screen-match.js';

const exec = promisify(execFile);

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
  log(line: string): void;
  /** End every app with a window on the display after the task (only on a private display). */
  sweepWindows: boolean;
}

const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--password-store=basic',
];

export class TaskSession {
  readonly env: NodeJS.ProcessEnv;
  private readonly groups: number[] = [];
  private windowSize: [number, number];

  constructor(private readonly options: SessionOptions) {
    const { workDir } = options;
    const env: NodeJS.ProcessEnv = {
      ...options.env,
      XDG_CONFIG_HOME: path.join(workDir, '.config'),
      XDG_CACHE_HOME: path.join(workDir, '.cache'),
      XDG_DATA_HOME: path.join(workDir, '.local'),
      WORK_DIR: workDir,
      TASK_DIR: options.taskDir,
    };
    // Without a session bus, GTK apps do not hand the task over to an instance on another display.
    delete env['DBUS_SESSION_BUS_ADDRESS'];
    delete env['WAYLAND_DISPLAY'];
    delete env['XAUTHORITY'];
    this.env = env;
    this.windowSize = [options.screen.width, options.screen.height];
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
        await exec(
          'xdotool',
          ['windowsize', id, String(action.window_size[0]), String(action.window_size[1])],
          { env: this.env },
        );
      return;
    }
    const w = action.wait_for;
    // Generous by default: apps start slowly on a loaded CI machine, and the task timeout still bounds it.
    const timeoutMs = (w.timeout ?? 30) * 1000;
    if ('window' in w) {
      this.options.log(`setup: wait for a window titled "${w.window}"`);
      await poll(
        () => this.hasWindow(w.window),
        timeoutMs,
        signal,
        () => `no window titled "${w.window}" appeared within ${timeoutMs / 1000}s`,
      );
    } else {
      this.options.log(`setup: wait for "${w.text}" on screen`);
      let seen = '';
      const found = async () => screenShows((seen = await this.options.screenText(signal)), w.text);
      await poll(
        found,
        timeoutMs,
        signal,
        () =>
          `"${w.text}" did not appear on screen within ${timeoutMs / 1000}s (read: ${JSON.stringify(seen.replace(/\s+/g, ' ').slice(0, 300))})`,
      );
    }
  }

  private open(target: string): Promise<void> {
    const isUrl = /^[a-z][a-z0-9+.-]*:/i.test(target);
    const url = isUrl ? target : path.resolve(this.options.taskDir, target);
    if (isUrl || /\.html?$/i.test(url)) {
      const [w, h] = this.windowSize;
      const profile = path.join(this.options.workDir, '.chromium');
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

  /** Starts an app in a process group of its own, so that close() ends it and its children. */
  private start(argv: string[], what: string): Promise<void> {
    this.options.log(`setup: ${what}`);
    const [cmd, ...args] = argv as [string, ...string[]];
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, {
        cwd: this.options.workDir,
        env: this.env,
        detached: true,
        stdio: 'ignore',
      });
      child.once('error', (err) => reject(new SetupError(`cannot ${what}: ${err.message}`, { cause: err })));
      child.once('spawn', () => {
        if (child.pid) this.groups.push(child.pid);
        child.unref();
        resolve();
      });
    });
  }

  async shell(command: string, signal?: AbortSignal): Promise<string> {
    try {
      const { stdout } = await exec('sh', ['-c', command], {
        cwd: this.options.workDir,
        env: this.env,
        timeout: 60_000,
        maxBuffer: 16 << 20,
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

  getters(): Getters {
    return {
      command: (command, signal) => this.shell(command, signal),
      file: (p) => readFile(path.resolve(this.options.workDir, p), 'utf8'),
      screenText: (signal) => this.options.screenText(signal),
      windowTitle: async () => {
        const id = await this.activeWindow();
        return (await exec('xdotool', ['getwindowname', id], { env: this.env })).stdout.replace(/\n$/, '');
      },
      clipboard: async () =>
        (await exec('xclip', ['-selection', 'clipboard', '-o'], { env: this.env, timeout: 3000 })).stdout,
    };
  }

  private async activeWindow(): Promise<string> {
    try {
      return (await exec('xdotool', ['getactivewindow'], { env: this.env })).stdout.trim();
    } catch (err) {
      throw new SetupError('no active window on the display', { cause: err });
    }
  }

  private async hasWindow(title: string): Promise<boolean> {
    const pattern = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    try {
      const { stdout } = await exec('xdotool', ['search', '--onlyvisible', '--name', pattern], {
        env: this.env,
      });
      return stdout.trim() !== '';
    } catch {
      return false; // xdotool exits 1 when nothing matches
    }
  }

  /** Ends the task's process groups, then any app that still has a window on the display. */
  async close(): Promise<void> {
    for (const pgid of this.groups) signalGroup(pgid, 'SIGTERM');
    const sweep = async () => (this.options.sweepWindows ? this.windowPids() : []);
    for (const pid of await sweep()) signalPid(pid, 'SIGTERM');
    await sleep(300);
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && (this.groups.some(alive) || (await sweep()).length)) await sleep(100);
    for (const pgid of this.groups) signalGroup(pgid, 'SIGKILL');
    for (const pid of await sweep()) signalPid(pid, 'SIGKILL');
    this.groups.length = 0;
  }

  private async windowPids(): Promise<number[]> {
    let ids: string[];
    try {
      ids = (await exec('xdotool', ['search', '--onlyvisible', '--name', '.'], { env: this.env })).stdout
        .split('\n')
        .filter(Boolean);
    } catch {
      return [];
    }
    const pids = new Set<number>();
    for (const id of ids) {
      try {
        const pid = Number((await exec('xdotool', ['getwindowpid', id], { env: this.env })).stdout.trim());
        if (pid > 0 && pid !== process.pid && pid !== process.ppid) pids.add(pid);
      } catch {
        // windows without _NET_WM_PID (openbox's own) are not apps
      }
    }
    return [...pids];
  }
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // already gone
  }
}

function signalPid(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function alive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function poll(
  check: () => Promise<boolean>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  failure: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    throwIfAborted(signal);
    if (await check()) return;
    if (Date.now() > deadline) throw new SetupError(failure());
    await sleep(200, signal);
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
