import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createScreenSource, DesktopScreenshotSource, makeFrame, NutScreenSource, waitForSettle } from '../../../src/perception/index.js';
import { Aborted, CaptureError } from '../../../src/shared/errors.js';
import type { CaptureOptions, Display, Frame, ScreenSource } from '../../../src/shared/ports.js';

/** A screen whose content is a counter: it changes for the first `busyFor` captures, then rests. */
class ScriptedScreen implements ScreenSource {
  captures = 0;
  constructor(private readonly busyFor: number) {}
  listDisplays(): Promise<Display[]> {
    return Promise.resolve([{ id: 'd', name: 'd', bounds: { x: 0, y: 0, width: 64, height: 64 }, scaleFactor: 1, primary: true }]);
  }
  capture(_o?: CaptureOptions): Promise<Frame> {
    const shade = Math.min(this.captures, this.busyFor) * 40;
    this.captures++;
    const data = new Uint8Array(64 * 64 * 4).fill(255);
    for (let i = 0; i < 16 * 4; i += 4) data[i] = shade % 256; // a 16 px strip that repaints
    return Promise.resolve(makeFrame('d', 64, 64, data, { x: 0, y: 0, width: 64, height: 64 }));
  }
  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

describe('waitForSettle', () => {
  it('returns settled after two identical captures on a still screen (more when asked)', async () => {
    const screen = new ScriptedScreen(0);
    const r = await waitForSettle(screen);
    expect(r.settled).toBe(true);
    expect(r.captures).toBe(2);
    expect((await waitForSettle(new ScriptedScreen(0), { stableFrames: 3 })).captures).toBe(4);
  });

  it('keeps watching while the screen changes and reports where', async () => {
    const screen = new ScriptedScreen(5);
    const r = await waitForSettle(screen, { stableFrames: 2 });
    expect(r.settled).toBe(true);
    expect(r.captures).toBe(8); // 5 changing comparisons, then 2 quiet ones
    expect(r.lastChange[0]?.box).toEqual({ x: 0, y: 0, width: 16, height: 16 });
  });

  it('after an action, waits for an app that repaints a little late instead of taking the old screen', async () => {
    // Still for 40 ms, then one repaint (an app answering a click a few frames late).
    const lateRepaint = () => {
      const started = performance.now();
      const screen = new ScriptedScreen(0);
      const capture = screen.capture.bind(screen);
      screen.capture = async (o?: CaptureOptions) => {
        const f = await capture(o);
        if (performance.now() - started >= 40) f.data[0] = 7;
        return f;
      };
      return screen;
    };
    const before = await new ScriptedScreen(0).capture();
    const eager = await waitForSettle(lateRepaint());
    expect(eager.frame.data[0]).toBe(0); // settled on the old screen
    const patient = await waitForSettle(lateRepaint(), { reactMs: 100, before });
    expect(patient.settled).toBe(true);
    expect(patient.frame.data[0]).toBe(7);
    // A step that changes nothing costs the window, grabbed every 10 ms, not back to back.
    const r = await waitForSettle(new ScriptedScreen(0), { reactMs: 100, before });
    expect(r.settled).toBe(true);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(100);
    expect(r.captures).toBeLessThan(15);
    // An app that repainted while the action ran (typed text) settles at once.
    const typed = await waitForSettle(lateRepaint(), { reactMs: 100, before: makeFrame('d', 64, 64, new Uint8Array(64 * 64 * 4), { x: 0, y: 0, width: 64, height: 64 }) });
    expect(typed.captures).toBe(2);
  });

  it('gives up at the timeout when the screen never rests', async () => {
    const screen = new ScriptedScreen(Number.MAX_SAFE_INTEGER);
    const r = await waitForSettle(screen, { timeoutMs: 50, intervalMs: 5 });
    expect(r.settled).toBe(false);
    expect(r.captures).toBeGreaterThan(2);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const screen = new ScriptedScreen(Number.MAX_SAFE_INTEGER);
    setTimeout(() => controller.abort(), 20);
    await expect(waitForSettle(screen, { timeoutMs: 10_000, intervalMs: 5, signal: controller.signal })).rejects.toBeInstanceOf(Aborted);
  });
});

describe('capture adapters fail with advice instead of crashing', () => {
  const savedPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = savedPath;
  });

  it('screenshot-desktop says to install xrandr and ImageMagick when they are missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'nopath-'));
    process.env.PATH = empty;
    try {
      const err = await DesktopScreenshotSource.create({ display: ':0' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CaptureError);
      expect((err as Error).message).toMatch(/x11-xserver-utils.*imagemagick/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('nut-js refuses a display that is not running (libnut would segfault on it)', async () => {
    await expect(NutScreenSource.create({ display: ':49' })).rejects.toThrow(/:49 is not running/);
  });

  it('createScreenSource names both adapters when neither works', async () => {
    await expect(createScreenSource({ display: ':49' })).rejects.toThrow(/nut-js: .*screenshot-desktop: /);
  });
});
