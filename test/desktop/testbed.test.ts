import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeWindowReader } from '../../src/app/window.js';
import { desktopSupport, serveFixtures, startDesktop, TestBedError, type Desktop } from './bed/index.js';

const support = desktopSupport();
const skipReason = support.ok ? '' : ` (skipped: ${support.reason})`;
const pagesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'pages');

/** Independent of the bed's own bookkeeping: every live process whose environment names this display. */
function processesOnDisplay(display: string): Map<number, string> {
  const wanted = Buffer.from(`\0DISPLAY=${display}\0`);
  const found = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const env = Buffer.concat([Buffer.from('\0'), readFileSync(`/proc/${pid}/environ`)]);
      if (env.includes(wanted) && isAlive(pid))
        found.set(pid, readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Alive means present and not a zombie (containers often have no init reaping orphans). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

async function waitFor<T>(check: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function pixel(png: Buffer, x: number, y: number): Promise<number[]> {
  const { data } = await sharp(png)
    .extract({ left: x, top: y, width: 1, height: 1 })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return [...data];
}

describe.skipIf(!support.ok)(`virtual desktop with openbox, xterm and Chromium${skipReason}`, () => {
  let desktop: Desktop;
  let fixtures: Awaited<ReturnType<typeof serveFixtures>>;
  const workDir = mkdtempSync(path.join(tmpdir(), 'deskpilot-testbed-'));

  beforeAll(async () => {
    fixtures = await serveFixtures(pagesDir);
    desktop = await startDesktop({ width: 1280, height: 800, windowManager: true });
  });

  afterAll(async () => {
    await desktop?.stop();
    await fixtures?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('starts its own display, reachable with the env it hands out', () => {
    expect(desktop.display).toMatch(/^:\d+$/);
    expect(Number(desktop.display.slice(1))).toBeGreaterThanOrEqual(100);
    const info = execFileSync('xdpyinfo', { env: desktop.env }).toString();
    expect(info).toContain('dimensions:    1280x800 pixels');
    expect(desktop.screens).toEqual([{ x: 0, y: 0, width: 1280, height: 800 }]);
  });

  it('runs a shell command in xterm and shows its window', async () => {
    const file = path.join(workDir, 'hello.txt');
    const term = await desktop.xterm(`echo hello > ${file}; sleep 30`, {
      title: 'bed hello',
      geometry: '60x10+0+420',
    });
    expect(term.window.title).toBe('bed hello');
    expect(term.window.width).toBeGreaterThan(200);
    const text = await waitFor(() => (existsSync(file) ? readFileSync(file, 'utf8') : undefined), 10_000);
    expect(text).toBe('hello\n');
    // The engine's window reader (policy context, run log) sees the focused window and its program.
    execFileSync('xdotool', ['windowactivate', '--sync', term.window.id], { env: { ...process.env, DISPLAY: desktop.display } });
    expect(await activeWindowReader({ ...process.env, DISPLAY: desktop.display })()).toEqual({ title: 'bed hello', app: 'xterm' });
  });

  it('opens headed Chromium on a fixture page and reads back what the form received', async () => {
    const app = await desktop.chromium(`${fixtures.url}form.html`, { x: 560, y: 0, width: 720, height: 760 });
    const window = await desktop.waitForWindow('Form fixture');
    expect(window.x).toBeGreaterThanOrEqual(560);
    await app.page.fill('#name', 'Ada Lovelace');
    await app.page.check('#subscribe');
    await app.page.selectOption('#color', 'Green');
    await app.page.click('#submit');
    await expect.poll(() => app.page.textContent('#result')).toContain('name=Ada Lovelace');
    expect(await app.page.textContent('#result')).toContain('subscribe=yes; color=Green');
  });

  it('captures the screen with both apps on it', async () => {
    const png = await desktop.screenshotPng();
    if (process.env.DESKPILOT_TESTBED_LOOK) writeFileSync(process.env.DESKPILOT_TESTBED_LOOK, png);
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 1280, 800]);
    const stats = await sharp(png).stats();
    expect(Math.max(...stats.channels.map((c) => c.stdev))).toBeGreaterThan(20); // not a blank screen
    // The Chromium page (white) is right, the empty root window (black) is at the top left.
    const page = await pixel(png, 1100, 700);
    const root = await pixel(png, 300, 100);
    expect(Math.min(...page)).toBeGreaterThan(200);
    expect(Math.max(...root)).toBeLessThan(40);
  });

  it('waitForWindow names the windows it did see when the wanted one never shows', async () => {
    const error = await desktop.waitForWindow('No such window', 300).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TestBedError);
    expect(String(error)).toMatch(/No such window.*bed hello/);
  });

  it('refuses to launch a program that does not exist, naming it', async () => {
    await expect(desktop.launch('deskpilot-no-such-program')).rejects.toThrow(/deskpilot-no-such-program/);
  });

  it('launches a GTK app (mousepad) whose window the window manager shows', async () => {
    await desktop.launch('mousepad');
    const window = await desktop.waitForWindow(/Mousepad/, 20_000);
    expect(window.width).toBeGreaterThan(100);
  });

  it('stop() ends every process it started, including those that left their process group', async () => {
    const xvfbPid = Number(readFileSync(`/tmp/.X${desktop.display.slice(1)}-lock`, 'utf8').trim());
    expect(desktop.pids()).toContain(xvfbPid);
    const started = new Set([...desktop.pids(), ...processesOnDisplay(desktop.display).keys()]);
    const names = [...processesOnDisplay(desktop.display).values()];
    // xterm's shell runs in a new session and mousepad autolaunches D-Bus: both outside the groups.
    expect(names).toEqual(
      expect.arrayContaining(['openbox', 'xterm', 'sleep', 'chromium', 'mousepad', 'dbus-daemon']),
    );
    await desktop.stop();
    expect([...started].filter(isAlive)).toEqual([]);
    expect(processesOnDisplay(desktop.display).size).toBe(0);
    // Xvfb removed its lock (unless a parallel test already took the number: then it is not ours).
    const lock = `/tmp/.X${desktop.display.slice(1)}-lock`;
    const owner = existsSync(lock) ? Number(readFileSync(lock, 'utf8').trim()) : undefined;
    expect(owner).not.toBe(xvfbPid);
  });
});

describe.skipIf(!support.ok)(`virtual desktop abandoned by its test process${skipReason}`, () => {
  const probe = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bed', 'abandon-probe.ts');

  for (const how of ['exit', 'SIGTERM'] as const) {
    it(`takes Xvfb and its apps down when the test process ends by ${how}`, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', probe], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        child.once('exit', (code) => reject(new Error(`probe ended early with ${code}`)));
      });
      const report = JSON.parse(line) as { display: string; pids: number[]; xterm: number };
      // The shell's sleep is outside every group the bed made: only the exit hook's marker sweep finds it.
      await waitFor(
        () => ([...processesOnDisplay(report.display).values()].includes('sleep') ? true : undefined),
        5_000,
      );
      const started = new Set([...report.pids, ...processesOnDisplay(report.display).keys()]);
      expect(started.size).toBeGreaterThanOrEqual(4); // Xvfb, xterm, its shell, sleep
      if (how === 'SIGTERM') child.kill('SIGTERM');
      else child.stdin.write('exit\n');
      await ended;
      const left = await waitFor(() => {
        const alive = [...started].filter(isAlive);
        return alive.length === 0 ? alive : undefined;
      }, 5_000);
      expect(left ?? [...started].filter(isAlive)).toEqual([]);
      // SIGKILLed Xvfb cannot clean up; the hook removes its lock so the number is free again
      // (a parallel test may already have taken the number: then the lock names another pid).
      const lock = `/tmp/.X${report.display.slice(1)}-lock`;
      const owner = existsSync(lock) ? Number(readFileSync(lock, 'utf8').trim()) : undefined;
      expect(report.pids).not.toContain(owner);
    });
  }
});

describe.skipIf(!support.ok)(`virtual desktop with two monitors${skipReason}`, () => {
  let desktop: Desktop | undefined;
  afterAll(async () => {
    await desktop?.stop();
  });

  it('spans 1280x800 and 1024x768 side by side, as xrandr and captures report', async () => {
    desktop = await startDesktop({
      screens: [
        { width: 1280, height: 800 },
        { width: 1024, height: 768 },
      ],
    });
    expect([desktop.width, desktop.height]).toEqual([2304, 800]);
    expect(desktop.screens).toEqual([
      { x: 0, y: 0, width: 1280, height: 800 },
      { x: 1280, y: 0, width: 1024, height: 768 },
    ]);
    const monitors = execFileSync('xrandr', ['--listmonitors'], { env: desktop.env }).toString();
    expect(monitors).toMatch(/Monitors: 2/);
    expect(monitors).toMatch(/1280\/\d+x800\/\d+\+0\+0/);
    expect(monitors).toMatch(/1024\/\d+x768\/\d+\+1280\+0/);
    const meta = await sharp(await desktop.screenshotPng()).metadata();
    expect([meta.width, meta.height]).toEqual([2304, 800]);
    const term = await desktop.xterm('sleep 30', { geometry: '40x8+1300+20' });
    expect(term.window.x).toBeGreaterThanOrEqual(1280);
    await term.stop();
    expect(isAlive(term.pid)).toBe(false);
  });

  it('clicks.html on the second monitor records real X clicks, a drag and wheel scrolling', async () => {
    if (!desktop) throw new Error('the previous test did not start the desktop');
    const fixtures = await serveFixtures(pagesDir);
    try {
      const { page } = await desktop.chromium(`${fixtures.url}clicks.html`, {
        x: 1280,
        y: 0,
        width: 1024,
        height: 768,
      });
      // Where the page's (0,0) is on the screen: below the tab strip and toolbar.
      const [ox, oy] = await page.evaluate(() => [
        window.screenX,
        window.screenY + window.outerHeight - window.innerHeight,
      ]);
      const center = async (selector: string): Promise<[number, number]> => {
        const box = await page.locator(selector).boundingBox();
        if (!box) throw new Error(`${selector} is not on the page`);
        return [Math.round(ox + box.x + box.width / 2), Math.round(oy + box.y + box.height / 2)];
      };
      const xdotool = (...args: Array<string | number>): Buffer =>
        execFileSync('xdotool', args.map(String), { env: desktop!.env });

      const [cx, cy] = await center('#btn-charlie');
      expect(cx).toBeGreaterThan(1280);
      xdotool('mousemove', cx, cy, 'click', 3);
      xdotool('mousemove', ...(await center('#btn-kilo')), 'click', '--repeat', 2, '--delay', 80, 1);
      type Event = { type: string; target?: string; button?: number; screenX?: number };
      const events = (): Promise<Event[]> =>
        page.evaluate(() => (window as unknown as { __events: Event[] }).__events);
      await expect
        .poll(async () => (await events()).map((e) => `${e.type} ${e.target} ${e.button}`))
        .toEqual(expect.arrayContaining(['contextmenu Charlie 2', 'click Kilo 0', 'dblclick Kilo 0']));
      const contextmenu = (await events()).find((e) => e.type === 'contextmenu');
      expect(Math.abs((contextmenu?.screenX ?? 0) - cx)).toBeLessThanOrEqual(2);

      const [dx, dy] = await center('#drag');
      xdotool(
        'mousemove',
        dx,
        dy,
        'mousedown',
        1,
        'mousemove',
        dx + 60,
        dy + 30,
        'mousemove',
        dx + 200,
        dy + 100,
        'mouseup',
        1,
      );
      await expect.poll(() => page.textContent('#dropped')).toMatch(/^Dropped at (1\d\d|2\d\d),1\d\d$/);

      xdotool('mousemove', ...(await center('#scroller')), 'click', '--repeat', 3, '--delay', 50, 5);
      await expect
        .poll(() => page.evaluate(() => (window as unknown as { __scroll: { top: number } }).__scroll.top))
        .toBeGreaterThan(0);
    } finally {
      await fixtures.close();
    }
  });

  it('stop() also ends a process that left its group and ignores SIGTERM', async () => {
    if (!desktop) throw new Error('the previous test did not start the desktop');
    // setsid forks away into a new session; the trap makes the shell and its sleep ignore SIGTERM.
    await desktop.launch('setsid', ['sh', '-c', 'trap "" TERM HUP; sleep 60; echo done']);
    const stray = await waitFor(() => {
      const found = [...processesOnDisplay(desktop!.display)].find(([, name]) => name === 'sleep');
      return found?.[0];
    }, 5_000);
    expect(stray).toBeDefined();
    await desktop.stop();
    expect(isAlive(stray!)).toBe(false);
  });
});
