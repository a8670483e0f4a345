/**
 * The virtual-desktop test bed: a private Xvfb display per test file, real apps on it (xterm,
 * headed Chromium, GTK apps), their windows, a screen capture, and a teardown that proves nothing
 * it started is still running. Other test files import only this module.
 */
import { existsSync } from 'node:fs';
import { launchChromium, repainted, type BrowserApp, type BrowserOptions } from './browser.js';
import {
  declareMonitors,
  layoutScreens,
  startWindowManager,
  startXvfb,
  stopXvfb,
  type ScreenRect,
} from './display.js';
import { TestBedError } from './errors.js';
import { describeLeft, installExitHook, ProcessTracker } from './processes.js';
import { mustRunTool } from './util.js';
import { waitForWindow, type WindowInfo } from './windows.js';

export { repainted };
export { serveFixtures } from './fixtures-server.js';
export { TestBedError } from './errors.js';
export type { BrowserApp, WindowInfo, ScreenRect };

export interface DesktopOptions {
  width?: number;
  height?: number;
  /** two screens side by side when given */
  screens?: Array<{ width: number; height: number }>;
  windowManager?: boolean /* openbox */;
}

export interface AppProcess {
  pid: number;
  stop(): Promise<void>;
}

export interface Desktop {
  display: string;
  env: NodeJS.ProcessEnv;
  width: number;
  height: number;
  screens: ScreenRect[];
  launch(command: string, args?: string[], opts?: { cwd?: string }): Promise<AppProcess>;
  xterm(
    shellCommand: string,
    opts?: { title?: string; geometry?: string },
  ): Promise<AppProcess & { window: WindowInfo }>;
  chromium(url: string, opts?: BrowserOptions): Promise<BrowserApp>;
  waitForWindow(title: string | RegExp, timeoutMs?: number): Promise<WindowInfo>;
  screenshotPng(): Promise<Buffer>;
  stop(): Promise<void>;
  /** Process-group leaders the bed started (Xvfb, openbox, apps, Chromium), for leak checks. */
  pids(): number[];
}

export function desktopSupport(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux')
    return { ok: false, reason: `the desktop test bed needs Linux (this is ${process.platform})` };
  const xvfb = ['/usr/bin/Xvfb', '/usr/local/bin/Xvfb', '/bin/Xvfb'].some((p) => existsSync(p));
  if (!xvfb) return { ok: false, reason: 'Xvfb is not installed (apt-get install xvfb)' };
  return { ok: true };
}

/**
 * The environment every app on the desktop gets. The host's D-Bus session and Wayland/X auth are
 * removed: with the host's bus, single-instance apps (mousepad) would open their window on the
 * host's display instead; without one, GTK autolaunches a private bus for this display.
 */
function desktopEnv(display: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: display };
  delete env.WAYLAND_DISPLAY;
  delete env.XAUTHORITY;
  delete env.DBUS_SESSION_BUS_ADDRESS;
  return env;
}

export async function startDesktop(opts: DesktopOptions = {}): Promise<Desktop> {
  const support = desktopSupport();
  if (!support.ok) throw new TestBedError(support.reason);
  installExitHook();

  const screens = layoutScreens(opts.screens ?? [{ width: opts.width ?? 1280, height: opts.height ?? 800 }]);
  const width = Math.max(...screens.map((s) => s.x + s.width));
  const height = Math.max(...screens.map((s) => s.y + s.height));
  const tracker = new ProcessTracker('desktop');
  // Xvfb itself gets no DISPLAY: it is the display, and a leftover one would only mislead.
  const baseEnv = desktopEnv('');
  delete baseEnv.DISPLAY;

  let xvfb: { number: number; pid: number };
  try {
    xvfb = await startXvfb(tracker, baseEnv, width, height);
  } catch (error) {
    tracker.killAllNow();
    tracker.dispose();
    throw error;
  }
  const display = `:${xvfb.number}`;
  const env = desktopEnv(display);
  const browsers = new Set<BrowserApp>();
  let stopped = false;

  const launch = async (
    command: string,
    args: string[] = [],
    o: { cwd?: string } = {},
  ): Promise<AppProcess> => {
    if (stopped) throw new TestBedError(`desktop ${display} is stopped; cannot launch ${command}`);
    const child = await tracker.spawn(command, args, { env, cwd: o.cwd });
    const pid = child.pid;
    return {
      pid,
      stop: async () => {
        const left = await tracker.end(new Set([pid]));
        if (left.length > 0) throw new TestBedError(`${command} would not stop: ${describeLeft(left)}`);
      },
    };
  };

  let xtermCount = 0;
  const desktop: Desktop = {
    display,
    env,
    width,
    height,
    screens,
    launch,
    async xterm(shellCommand, o = {}) {
      const title = o.title ?? `bed-xterm-${++xtermCount}-${process.pid}`;
      const geometry = o.geometry ?? '80x24+0+0';
      // A scalable font at 14 pt: large and clean enough for OCR to read later.
      const args = ['-T', title, '-geometry', geometry, '-fa', 'DejaVu Sans Mono', '-fs', '14'];
      const app = await launch('xterm', [...args, '-e', 'sh', '-c', shellCommand]);
      try {
        return { ...app, window: await waitForWindow(env, title) };
      } catch (error) {
        await app.stop().catch(() => undefined);
        throw error;
      }
    },
    async chromium(url, o) {
      if (stopped) throw new TestBedError(`desktop ${display} is stopped; cannot open ${url}`);
      const app = await launchChromium(tracker, env, url, o);
      browsers.add(app);
      const close = (): Promise<void> => {
        browsers.delete(app);
        return app.close();
      };
      return { ...app, close };
    },
    waitForWindow: (title, timeoutMs) => waitForWindow(env, title, timeoutMs),
    // ImageMagick until the capture adapters land; the whole root window, all monitors.
    screenshotPng: () => mustRunTool('import', ['-window', 'root', 'png:-'], env, 30_000),
    pids: () => [...tracker.groups],
    async stop() {
      if (stopped) return;
      stopped = true;
      const problems: string[] = [];
      for (const b of browsers) await b.close().catch((e: unknown) => problems.push(String(e)));
      // Apps first, while their display still exists, so they can exit cleanly; then Xvfb; then
      // whatever escaped the process groups (D-Bus daemons, crashpad, shells of xterms).
      const apps = new Set([...tracker.groups].filter((pid) => pid !== xvfb.pid));
      await tracker.end(apps);
      await stopXvfb(tracker, xvfb.pid, display).catch((e: unknown) => problems.push(String(e)));
      const left = await tracker.end(undefined, 1_000);
      if (left.length > 0) problems.push(`still running: ${describeLeft(left)}`);
      if (problems.length > 0) {
        throw new TestBedError(`desktop ${display} did not stop cleanly: ${problems.join('; ')}`);
      }
      tracker.dispose();
    },
  };

  try {
    if (screens.length > 1) await declareMonitors(env, screens);
    if (opts.windowManager) await startWindowManager(tracker, env);
  } catch (error) {
    await desktop.stop().catch(() => undefined);
    throw error;
  }
  return desktop;
}
