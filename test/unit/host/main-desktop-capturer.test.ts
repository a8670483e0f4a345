import { describe, expect, it } from 'vitest';
import { bitmapToFrame, DesktopCapturerSource, displaysOf, matchSource, pickDisplay, type CapturerDeps, type CapturerSource, type ElectronDisplay } from '../../../src/main/desktop-capturer-source.js';
import { pixelAt } from '../../../src/perception/frame.js';
import type { Display } from '../../../src/shared/ports.js';

/**
 * Electron's desktopCapturer as our ScreenSource, with synthetic NativeImage bitmaps: BGRA to
 * RGBA, the right source for each display, HiDPI scale and regions.
 */

/** A BGRA bitmap whose pixel (x, y) is B=x, G=y, R=seed, A=0 (as X hands it over). */
function bitmap(width: number, height: number, seed: number): Buffer {
  const b = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) b.set([x & 255, y & 255, seed, 0], (y * width + x) * 4);
  return b;
}

function source(id: string, displayId: string, width: number, height: number, seed: number): CapturerSource {
  return { id, name: id, display_id: displayId, thumbnail: { toBitmap: () => bitmap(width, height, seed), getSize: () => ({ width, height }), isEmpty: () => width === 0 } };
}

const left: ElectronDisplay = { id: 11, label: 'Left', bounds: { x: 0, y: 0, width: 200, height: 100 }, scaleFactor: 1 };
const right: ElectronDisplay = { id: 22, label: '', bounds: { x: 200, y: 0, width: 100, height: 50 }, scaleFactor: 2 };

function deps(sources: (size: { width: number; height: number }) => CapturerSource[]): CapturerDeps & { asked: Array<{ width: number; height: number }> } {
  const asked: Array<{ width: number; height: number }> = [];
  return {
    asked,
    getSources: (o) => (asked.push(o.thumbnailSize), Promise.resolve(sources(o.thumbnailSize))),
    getAllDisplays: () => [left, right],
    getPrimaryDisplay: () => left,
  };
}

describe('the desktopCapturer screen source', () => {
  it('turns a BGRA bitmap into an RGBA frame of the display, opaque', () => {
    const d: Display = { id: '11', name: 'Left', bounds: left.bounds, scaleFactor: 1, primary: true };
    const f = bitmapToFrame(bitmap(200, 100, 77), { width: 200, height: 100 }, d, 5);
    expect(f).toMatchObject({ displayId: '11', width: 200, height: 100, desktopBounds: left.bounds, scaleFactor: 1, capturedAt: 5 });
    expect(pixelAt(f, 10, 20)).toEqual([77, 20, 10, 255]);
    expect(pixelAt(f, 199, 99)).toEqual([77, 99, 199, 255]);
    expect(() => bitmapToFrame(Buffer.alloc(10), { width: 200, height: 100 }, d)).toThrow(/too small for 200x100/);
  });

  it('lists the displays from Electron, with the primary one marked', async () => {
    expect(displaysOf([left, right], 22)).toEqual([
      { id: '11', name: 'Left', bounds: left.bounds, scaleFactor: 1, primary: false },
      { id: '22', name: 'screen 2', bounds: right.bounds, scaleFactor: 2, primary: true },
    ]);
    expect((await new DesktopCapturerSource(deps(() => [])).listDisplays()).map((d) => d.primary)).toEqual([true, false]);
  });

  it('matches sources to displays by display_id, else by order when the platform leaves it empty', () => {
    const ds = displaysOf([left, right], 11);
    const byId = [source('screen:1:0', '22', 1, 1, 0), source('screen:0:0', '11', 1, 1, 0)];
    expect(matchSource(byId, ds[0]!, ds)?.id).toBe('screen:0:0');
    expect(matchSource(byId, ds[1]!, ds)?.id).toBe('screen:1:0');
    const blank = [source('screen:0:0', '', 1, 1, 0), source('screen:1:0', '', 1, 1, 0)];
    expect(matchSource(blank, ds[1]!, ds)?.id).toBe('screen:1:0');
    // Ids given but none for this display: no guess.
    expect(matchSource([source('screen:0:0', '99', 1, 1, 0)], ds[0]!, ds)).toBeUndefined();
    expect(matchSource(blank.slice(0, 1), ds[1]!, ds)).toBeUndefined();
  });

  it('captures a HiDPI display at its physical size, and a region as its part of the frame', async () => {
    const d = deps((size) => [source('screen:0:0', '11', 200, 100, 1), source('screen:1:0', '22', size.width, size.height, 2)]);
    const src = new DesktopCapturerSource(d);
    const full = await src.capture({ displayId: '22' });
    expect(d.asked.at(-1)).toEqual({ width: 200, height: 100 });
    expect(full).toMatchObject({ displayId: '22', width: 200, height: 100, scaleFactor: 2, desktopBounds: right.bounds });
    expect(pixelAt(full, 0, 0)[0]).toBe(2);

    // The desktop region 250..270 x 10..20 lies on the right display: pixels 100..140 x 20..40.
    const region = await src.capture({ region: { x: 250, y: 10, width: 20, height: 10 } });
    expect(region).toMatchObject({ displayId: '22', width: 40, height: 20, desktopBounds: { x: 250, y: 10, width: 20, height: 10 } });
    expect(pixelAt(region, 0, 0)).toEqual([2, 20, 100, 255]);
    expect((await src.capture()).displayId).toBe('11');
  });

  it('explains a missing display, a missing source and an empty image', async () => {
    const ds = displaysOf([left, right], 11);
    expect(() => pickDisplay(ds, { displayId: '5' })).toThrow('no display with id 5 (have: 11, 22)');
    await expect(new DesktopCapturerSource(deps(() => [source('screen:0:0', '22', 1, 1, 0)])).capture()).rejects.toThrow(/no screen source for display 11 \(sources: screen:0:0=22\)/);
    await expect(new DesktopCapturerSource(deps(() => [source('screen:0:0', '11', 0, 0, 0)])).capture()).rejects.toThrow(/empty image for display 11: is screen recording allowed/);
  });
});
