import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../../src/actions/process.js';
import { freeKeycodes } from '../../src/actions/keysym-map.js';
import { runProgram } from '../../src/actions/run-program.js';
import { X11Connection } from '../../src/actions/x11-client.js';
import { randrMonitors } from '../../src/actions/x11-monitors.js';
import { parseListMonitors, queryXrandrDisplays, readMonitorsWith } from '../../src/perception/displays.js';
import { routeCommands } from '../../src/perception/x11.js';
import { nullLogger } from '../../src/shared/logger.js';
import { activeWindow, closeX11, focusedWindow, onDisplay, pointerInFocus, visibleWindows, windowAtPointer, x11 } from '../../src/actions/x11-windows.js';
import { startVirtualDisplay, type VirtualDisplay } from '../../src/runner/xvfb.js';
import { desktopSupport } from './bed/index.js';

const support = desktopSupport();
const TITLE = 'Grüße aus dem X11-Test';

/** What xdotool (Xlib) says of the same display: the reference the in-process reads must match. */
async function xdotool(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const r = await runTool('xdotool', args, env);
  return r.stdout.trim();
}

describe.skipIf(!support.ok)(`in-process X11 window reads${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  let screen: VirtualDisplay;
  let xterm: ChildProcess;

  beforeAll(async () => {
    screen = await startVirtualDisplay({ from: 290 });
    xterm = spawn('xterm', ['-T', TITLE, '-geometry', '40x10+100+50', '-e', 'sh', '-c', 'sleep 60'], { env: screen.env, stdio: 'ignore' });
    await runTool('xdotool', ['search', '--sync', '--onlyvisible', '--name', 'X11-Test'], screen.env);
  });
  afterAll(async () => {
    xterm?.kill('SIGKILL');
    await screen?.stop();
  });

  it('reads the active window, its UTF-8 title and its pid as xdotool does', async () => {
    const env = screen.env;
    const win = await onDisplay(screen.display, activeWindow);
    expect(win).toBeDefined();
    expect(String(win!.id)).toBe(await xdotool(env, 'getactivewindow'));
    expect(win!.title).toBe(TITLE);
    expect(win!.pid).toBe(xterm.pid);
    expect(await focusedWindow(env)).toEqual({ title: TITLE, pid: xterm.pid });
  });

  it('lists the visible windows that xdotool search --onlyvisible finds, with their pids', async () => {
    const windows = await onDisplay(screen.display, visibleWindows);
    const found = (await xdotool(screen.env, 'search', '--onlyvisible', '--name', '.')).split('\n').map(Number);
    expect(found.length).toBeGreaterThan(0);
    for (const id of found) expect(windows.map((w) => w.id)).toContain(id);
    expect(windows.find((w) => w.title === TITLE)?.pid).toBe(xterm.pid);
    // An unmapped window is not visible.
    const id = String(windows.find((w) => w.title === TITLE)!.id);
    await runTool('xdotool', ['windowunmap', '--sync', id], screen.env);
    try {
      expect((await onDisplay(screen.display, visibleWindows)).some((w) => w.title === TITLE)).toBe(false);
    } finally {
      await runTool('xdotool', ['windowmap', '--sync', id], screen.env);
    }
  });

  it('tells whether the pointer is in the focused window', async () => {
    const id = await xdotool(screen.env, 'search', '--onlyvisible', '--name', 'X11-Test');
    await runTool('xdotool', ['windowfocus', '--sync', id], screen.env);
    await runTool('xdotool', ['mousemove', '--sync', '--window', id, '10', '10'], screen.env);
    expect(await onDisplay(screen.display, pointerInFocus)).toBe(true);
    await runTool('xdotool', ['mousemove', '--sync', '1000', '700'], screen.env);
    expect(await onDisplay(screen.display, pointerInFocus)).toBe(false);
  });

  it('names the window under the pointer, not the focused one (a press goes there)', async () => {
    const other = spawn('xterm', ['-T', 'Zweites Fenster', '-geometry', '30x8+600+400', '-e', 'sh', '-c', 'sleep 60'], { env: screen.env, stdio: 'ignore' });
    try {
      const second = await xdotool(screen.env, 'search', '--sync', '--onlyvisible', '--name', 'Zweites Fenster');
      const first = await xdotool(screen.env, 'search', '--onlyvisible', '--name', 'X11-Test');
      await runTool('xdotool', ['windowfocus', '--sync', first], screen.env);
      // Over the second window's text area (xterm's untitled inner window): its titled window.
      await runTool('xdotool', ['mousemove', '--sync', '--window', second, '20', '20'], screen.env);
      const under = await onDisplay(screen.display, windowAtPointer);
      expect(under).toMatchObject({ id: Number(second), title: 'Zweites Fenster', pid: other.pid });
      expect((await onDisplay(screen.display, activeWindow))?.title).toBe(TITLE);
      await runTool('xdotool', ['mousemove', '--sync', '--window', first, '10', '10'], screen.env);
      expect((await onDisplay(screen.display, windowAtPointer))?.title).toBe(TITLE);
      // The bare desktop: no window.
      await runTool('xdotool', ['mousemove', '--sync', '1200', '20'], screen.env);
      expect(await onDisplay(screen.display, windowAtPointer)).toBeUndefined();
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('an X error fails that request only; the connection goes on', async () => {
    const c = await x11(screen.display);
    await expect(c.children(0x7ffffff)).rejects.toThrow(/QueryTree failed: BadWindow/);
    expect((await c.children(c.root)).length).toBeGreaterThan(0);
  });

  it('reconnects when the server behind a display name was restarted', async () => {
    const other = await startVirtualDisplay({ from: 296, windowManager: false });
    const display = other.display;
    const before = await x11(display);
    await other.stop(); // closes this process's connection too
    const again = await startVirtualDisplay({ from: Number(display.slice(1)), windowManager: false });
    try {
      expect(again.display).toBe(display);
      const root = await onDisplay(display, (c) => Promise.resolve(c.root));
      expect(root).toBeGreaterThan(0);
      expect(await x11(display)).not.toBe(before);
    } finally {
      await again.stop();
    }
  });

  it('lists the monitors as xrandr --listmonitors does, and the display list needs no xrandr run', async () => {
    // Servers without a window manager: xrandr is their only client until randrMonitors
    // connects, right after xrandr left (startVirtualDisplay's -noreset keeps the server from
    // starting over then and dropping that connection).
    for (const [from, size] of [[310, { width: 1280, height: 800 }], [320, { width: 1024, height: 640 }]] as const) {
      const other = await startVirtualDisplay({ from, windowManager: false, ...size });
      try {
        const xrandr = parseListMonitors((await runTool('xrandr', ['--listmonitors'], other.env)).stdout);
        expect(xrandr).toHaveLength(1);
        const monitors = await randrMonitors(other.display);
        expect(monitors?.map((m) => ({ name: m.name, bounds: m.bounds }))).toEqual(xrandr.map((d) => ({ name: d.name, bounds: d.bounds })));
        expect(monitors?.[0]?.bounds).toEqual({ x: 0, y: 0, ...size });
        // Through perception's display list: the in-process read answers, xrandr is not started;
        // a read that fails falls back to xrandr, with the same answer.
        const started: string[] = [];
        routeCommands(async (file, args, options) => {
          started.push(path.basename(file));
          return runProgram(file, args, { ...options, until: 'close' });
        });
        try {
          readMonitorsWith(randrMonitors);
          expect(await queryXrandrDisplays(other.display, nullLogger)).toEqual(xrandr);
          expect(started).toEqual([]);
          readMonitorsWith(() => Promise.reject(new Error('no RandR here')));
          expect(await queryXrandrDisplays(other.display, nullLogger)).toEqual(xrandr);
          expect(started).toEqual(['xrandr']);
        } finally {
          readMonitorsWith(undefined);
          routeCommands(undefined);
        }
      } finally {
        await other.stop();
        closeX11(other.display);
      }
    }
  });

  it('finds the keycodes without keysyms that xmodmap -pke lists, before and after one is bound', async () => {
    const byXmodmap = async () =>
      [...(await runTool('xmodmap', ['-pke'], screen.env)).stdout.matchAll(/^keycode\s+(\d+)\s*=\s*$/gm)].map((m) => Number(m[1]));
    const before = await freeKeycodes(screen.display);
    expect(before.length).toBeGreaterThan(4);
    expect(before).toEqual(await byXmodmap());
    const taken = before[0]!;
    await runTool('xmodmap', ['-e', `keycode ${taken} = 0xe4 0xe4`], screen.env);
    try {
      const after = await freeKeycodes(screen.display);
      expect(after).not.toContain(taken);
      expect(after).toEqual(await byXmodmap());
    } finally {
      await runTool('xmodmap', ['-e', `keycode ${taken} =`], screen.env);
    }
    expect(await freeKeycodes(screen.display)).toEqual(before);
  });

  it('says which display and socket it could not reach, and refuses a name that is not a display', async () => {
    await expect(X11Connection.open(':977')).rejects.toThrow(/cannot connect to the X display :977 \(\/tmp\/\.X11-unix\/X977\)/);
    await expect(X11Connection.open('nonsense')).rejects.toThrow(/"nonsense" is not an X display name/);
    closeX11(':977');
  });
});

describe.skipIf(!support.ok)(`X11 authorisation${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'deskpilot-xauth-'));
  const authFile = path.join(dir, 'server.auth');
  let xvfb: ChildProcess;
  const n = 299;
  const saved = process.env['XAUTHORITY'];

  beforeAll(async () => {
    const cookie = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    await runTool('xauth', ['-f', authFile, 'add', `:${n}`, 'MIT-MAGIC-COOKIE-1', cookie], process.env);
    // -noreset: without it the server starts over each time its last client leaves (the probe
    // below), and a connection made while it does is refused (seen once in CI).
    xvfb = spawn('Xvfb', [`:${n}`, '-auth', authFile, '-noreset', '-nolisten', 'tcp', '-screen', '0', '320x200x24'], { stdio: 'ignore' });
    // Up to 20 s: a loaded CI machine starts Xvfb slowly.
    let up = false;
    for (let i = 0; i < 400 && !up; i++) {
      const r = await runTool('xdpyinfo', [], { ...process.env, DISPLAY: `:${n}`, XAUTHORITY: authFile }).catch(() => undefined);
      up = r?.code === 0;
      if (!up) await new Promise((r) => setTimeout(r, 50));
    }
    if (!up) throw new Error(`Xvfb :${n} with -auth ${authFile} did not accept a client within 20 s`);
  }, 30_000);
  afterAll(() => {
    xvfb?.kill('SIGKILL');
    if (saved === undefined) delete process.env['XAUTHORITY'];
    else process.env['XAUTHORITY'] = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects with the MIT-MAGIC-COOKIE-1 from XAUTHORITY, and says why without it', async () => {
    process.env['XAUTHORITY'] = path.join(dir, 'none');
    await expect(X11Connection.open(`:${n}`)).rejects.toThrow(/the server refused the connection: .*[Aa]uthoriz/);
    process.env['XAUTHORITY'] = authFile;
    const c = await X11Connection.open(`:${n}`);
    try {
      expect(c.root).toBeGreaterThan(0);
      expect(await c.atom('WM_NAME')).toBe(39); // a predefined atom
    } finally {
      c.close();
    }
  });
});
