import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../../src/actions/process.js';
import { FramebufferScreenSource } from '../../src/perception/fb-source.js';
import { packedBgraOf, pixelAt } from '../../src/perception/frame.js';
import { watchDamage } from '../../src/actions/x11-damage.js';
import { createScreenSource } from '../../src/perception/create.js';
import { startVirtualDisplay, type VirtualDisplay } from '../../src/runner/xvfb.js';
import type { ScreenSource } from '../../src/shared/ports.js';
import { desktopSupport } from './bed/index.js';

const support = desktopSupport();

/** A test worker reads its screen from Xvfb's framebuffer file: the same pixels XGetImage gives. */
describe.skipIf(!support.ok)(`framebuffer capture${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  let screen: VirtualDisplay;
  let xterm: ChildProcess;
  let fb: FramebufferScreenSource;
  let nut: ScreenSource;

  beforeAll(async () => {
    screen = await startVirtualDisplay({ from: 255, framebuffer: true });
    xterm = spawn('xterm', ['-T', 'fb', '-fa', 'Monospace', '-fs', '14', '-geometry', '50x8+37+21', '-e', 'sh', '-c', 'echo "pixels from the framebuffer"; sleep 60'], {
      env: screen.env,
      stdio: 'ignore',
    });
    await runTool('xdotool', ['search', '--sync', '--onlyvisible', '--name', '^fb$'], screen.env);
    fb = FramebufferScreenSource.open(screen.framebuffer!, { display: screen.display });
    nut = await createScreenSource({ display: screen.display });
  });
  afterAll(async () => {
    await fb?.dispose();
    await nut?.dispose();
    xterm?.kill('SIGKILL');
    await screen?.stop();
  });

  it('gives the pixels XGetImage gives, for the whole screen and for a region', async () => {
    expect(fb.layout).toMatchObject({ width: 1280, height: 800, stride: 5120 });
    // Wait for the terminal to draw its text, then compare two reads of the same still screen.
    await expect
      .poll(async () => Buffer.from((await fb.capture()).data).equals(Buffer.from((await nut.capture()).data)), { timeout: 5000 })
      .toBe(true);
    const region = { x: 40.5, y: 30, width: 301, height: 77 };
    const [a, b] = [await fb.capture({ region }), await nut.capture({ region })];
    expect([a.width, a.height, a.desktopBounds]).toEqual([b.width, b.height, b.desktopBounds]);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    // Not a blank screen: the terminal is in it.
    expect(new Set(a.data).size).toBeGreaterThan(2);
  });

  it('with the X server\'s damage reports, a still screen is not read again, and any drawing is', async () => {
    const damage = await watchDamage(screen.display);
    expect(damage).toBeDefined();
    const tracked = FramebufferScreenSource.open(screen.framebuffer!, { display: screen.display, damage: damage! });
    try {
      const read = async () => packedBgraOf(await tracked.capture())!;
      const first = await read();
      await expect.poll(async () => (await read()) === first || Buffer.from(await read()).equals(first), { timeout: 5000 }).toBe(true);
      // Nothing drawn: the same grab again, not a new read of the file.
      const still = await read();
      expect(await read()).toBe(still);
      // Drawing anywhere (the root window's background), however soon after a grab, is in the next one.
      for (const color of ['#ff0000', '#00ff00', '#0000ff']) {
        await runTool('xsetroot', ['-solid', color], screen.env);
        const frame = await tracked.capture();
        expect(packedBgraOf(frame)).not.toBe(still);
        expect(pixelAt(frame, 1270, 790).slice(0, 3)).toEqual([0, 2, 4].map((i) => parseInt(color.slice(1 + i, 3 + i), 16)));
        expect(Buffer.from(frame.data).equals(Buffer.from((await nut.capture()).data))).toBe(true);
      }
    } finally {
      damage!.close();
      await tracked.dispose();
    }
  });

  it('refuses a file that is not an Xvfb framebuffer, saying which and why', () => {
    expect(() => FramebufferScreenSource.open('/dev/null')).toThrow(/framebuffer \/dev\/null is not one DeskPilot reads/);
    expect(() => FramebufferScreenSource.open('/nonexistent/Xvfb_screen0')).toThrow(/cannot open the framebuffer/);
  });

  it('takes a display number whose lock file names a server that is gone, and leaves no lock behind', async () => {
    const gone = spawn('true');
    await new Promise((r) => gone.once('exit', r));
    const n = 258;
    writeFileSync(`/tmp/.X${n}-lock`, `${String(gone.pid).padStart(10)}\n`);
    const other = await startVirtualDisplay({ from: n, windowManager: false });
    try {
      expect(other.display).toBe(`:${n}`);
      expect(Number(readFileSync(`/tmp/.X${n}-lock`, 'utf8').trim())).toBe(other.pids[0]);
    } finally {
      await other.stop();
    }
    expect(existsSync(`/tmp/.X${n}-lock`)).toBe(false);
  });

  it('is removed with its display', async () => {
    const other = await startVirtualDisplay({ from: 256, framebuffer: true, windowManager: false });
    expect(existsSync(other.framebuffer!)).toBe(true);
    await other.stop();
    expect(existsSync(other.framebuffer!)).toBe(false);
  });
});
