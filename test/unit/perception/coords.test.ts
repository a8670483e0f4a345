import { describe, expect, it } from 'vitest';
import {
  at,
  boxToDesktop,
  displayAt,
  displayGeometry,
  fromDesktop,
  roundPoint,
  smartResize,
  toDesktop,
  toScreen,
  type DisplayLike,
} from '../../../src/shared/coords.js';

const left: DisplayLike = { id: 'left', bounds: { x: 0, y: 0, width: 1280, height: 800 }, scaleFactor: 1 };

describe.each([1, 1.25, 1.5, 2])('a second monitor at x=1280 with scale %s', (scale) => {
  const right: DisplayLike = { id: 'right', bounds: { x: 1280, y: 0, width: 1536, height: 864 }, scaleFactor: scale };
  const frame = displayGeometry(right);

  it('has a physical frame of logical size × scale', () => {
    expect(frame.width).toBe(Math.round(1536 * scale));
    expect(frame.height).toBe(Math.round(864 * scale));
  });

  it('maps a screenshot pixel to the desktop point the mouse must go to', () => {
    // The middle of the right monitor's screenshot is the middle of that monitor on the desktop.
    const mid = toDesktop(at('screen', frame.width / 2, frame.height / 2), { frame });
    expect(mid).toEqual({ space: 'desktop', x: 1280 + 768, y: 432 });
    const origin = toDesktop(at('screen', 0, 0), { frame });
    expect(origin).toEqual({ space: 'desktop', x: 1280, y: 0 });
  });

  it('round-trips desktop → every space → desktop', () => {
    const image = smartResize(frame.width, frame.height);
    const p = at('desktop', 1280 + 400.5, 300.25);
    for (const space of ['screen', 'image', 'norm1000', 'norm1'] as const) {
      const q = fromDesktop(p, space, { frame, image });
      expect(q.space).toBe(space);
      const back = toDesktop(q, { frame, image });
      expect(back.x).toBeCloseTo(p.x, 6);
      expect(back.y).toBeCloseTo(p.y, 6);
    }
  });

  it('turns a model answer in 0–1000 into a desktop point on the right monitor', () => {
    const d = roundPoint(toDesktop(at('norm1000', 500, 500), { frame }));
    expect(d).toEqual({ space: 'desktop', x: 2048, y: 432 });
    expect(displayAt([left, right], d)?.id).toBe('right');
  });
});

describe('model space from a resized screenshot', () => {
  const frame = { width: 1920, height: 1080, desktopBounds: { x: 0, y: 0, width: 1920, height: 1080 } };

  it('smart-resizes to multiples of 28 under the pixel budget, aspect kept', () => {
    const s = smartResize(1920, 1080, { maxPixels: 1344 * 28 * 28 });
    expect(s.width % 28).toBe(0);
    expect(s.height % 28).toBe(0);
    expect(s.width * s.height).toBeLessThanOrEqual(1344 * 28 * 28);
    expect(s.width / s.height).toBeCloseTo(1920 / 1080, 1);
    // Same numbers as the Qwen2-VL reference implementation.
    expect(s).toEqual({ width: 1344, height: 756 });
    expect(smartResize(1280, 800)).toEqual({ width: 1288, height: 812 });
  });

  it('maps an absolute answer in resized-image pixels back to the full screen', () => {
    const image = smartResize(1920, 1080);
    const d = toDesktop(at('image', image.width / 2, image.height / 4), { frame, image });
    expect(d.x).toBeCloseTo(960, 6);
    expect(d.y).toBeCloseTo(270, 6);
    expect(toScreen(at('norm1', 0.25, 0.5), { frame, image })).toEqual({ space: 'screen', x: 480, y: 540 });
  });

  it('keeps a box a box across spaces', () => {
    const b = boxToDesktop({ space: 'norm1000', x: 100, y: 200, width: 50, height: 100 }, { frame });
    expect(b).toEqual({ space: 'desktop', x: 192, y: 216, width: 96, height: 108 });
  });

  it('finds no display outside every monitor', () => {
    expect(displayAt([left], at('desktop', 1280, 10))).toBeUndefined();
    expect(displayAt([left], at('desktop', 1279, 799))?.id).toBe('left');
  });
});
