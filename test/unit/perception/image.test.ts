import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  annotate,
  bgraToRgba,
  crop,
  decodeImage,
  diffFrames,
  encodeJpeg,
  encodePng,
  lazyBgraFrame,
  makeFrame,
  overlayArea,
  overlaySvg,
  pixelAt,
  resizeToBudget,
} from '../../../src/perception/index.js';
import type { Frame } from '../../../src/shared/ports.js';

/** A frame filled with one colour, optionally with a rectangle of another. */
function solid(width: number, height: number, rgb: [number, number, number], x0 = 0, y0 = 0): Frame {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) [data[i], data[i + 1], data[i + 2], data[i + 3]] = [...rgb, 255];
  return makeFrame('d', width, height, data, { x: x0, y: y0, width, height });
}

function paint(f: Frame, x: number, y: number, w: number, h: number, rgb: [number, number, number]): Frame {
  const data = new Uint8Array(f.data);
  for (let yy = y; yy < y + h; yy++)
    for (let xx = x; xx < x + w; xx++) data.set([...rgb, 255], (yy * f.width + xx) * 4);
  return { ...f, data };
}

describe('BGRA with alpha 0 from X11 becomes opaque RGBA', () => {
  it('swaps blue and red, forces alpha, honours a padded stride', () => {
    // 2x2 pixels, rows padded to 12 bytes: blue, red / green, white; alpha bytes 0 as X sends them.
    const bgra = Uint8Array.from([255, 0, 0, 0, 0, 0, 255, 0, 9, 9, 9, 9, 0, 255, 0, 0, 255, 255, 255, 0, 9, 9, 9, 9]);
    const rgba = bgraToRgba(bgra, 2, 2, 12);
    expect(Array.from(rgba)).toEqual([0, 0, 255, 255, 255, 0, 0, 255, 0, 255, 0, 255, 255, 255, 255, 255]);
  });
});

describe('frames straight from a nut-js grab', () => {
  const bgraOf = (rgb: [number, number, number], n: number): Uint8Array => {
    const out = new Uint8Array(n * 4);
    for (let i = 0; i < out.length; i += 4) [out[i], out[i + 1], out[i + 2], out[i + 3]] = [rgb[2], rgb[1], rgb[0], 0];
    return out;
  };
  const bounds = { x: 0, y: 0, width: 32, height: 32 };

  it('read as opaque RGBA, and diff on the raw bytes finds the same change', () => {
    const a = lazyBgraFrame('d', 32, 32, { bytes: bgraOf([255, 0, 0], 32 * 32), stride: 128 }, bounds);
    const raw = bgraOf([255, 0, 0], 32 * 32);
    raw.set([0, 0, 0, 0], (20 * 32 + 20) * 4); // one pixel turns black
    const b = lazyBgraFrame('d', 32, 32, { bytes: raw, stride: 128 }, bounds);
    expect(diffFrames(a, b).regions.map((r) => r.box)).toEqual([{ x: 16, y: 16, width: 16, height: 16 }]);
    expect(pixelAt(a, 3, 3)).toEqual([255, 0, 0, 255]);
    expect(pixelAt(b, 20, 20)).toEqual([0, 0, 0, 255]);
    // Mixed with an ordinary RGBA frame, the diff compares converted pixels.
    expect(diffFrames(a, solid(32, 32, [255, 0, 0])).changed).toBe(false);
    expect(diffFrames(b, solid(32, 32, [255, 0, 0])).changed).toBe(true);
  });
});

describe('image operations', () => {
  it('encodes PNG and JPEG that decode back to the same picture', async () => {
    const f = paint(solid(64, 48, [255, 255, 255]), 8, 8, 16, 16, [255, 0, 0]);
    const png = await encodePng(f);
    expect((await sharp(png).metadata()).format).toBe('png');
    const back = await decodeImage(png);
    expect(Buffer.from(back.data).equals(Buffer.from(f.data))).toBe(true);
    const jpg = await decodeImage(await encodeJpeg(f, { quality: 95 }));
    const i = (16 * 64 + 16) * 4;
    expect(jpg.data[i]).toBeGreaterThan(230);
    expect(jpg.data[i + 1]).toBeLessThan(30);
  });

  it('resizes to a Qwen budget and reports the scale used', async () => {
    const r = await resizeToBudget(solid(1920, 1080, [0, 0, 255]), { maxPixels: 1344 * 28 * 28 });
    expect([r.width, r.height]).toEqual([1344, 756]);
    expect(r.scaleX).toBeCloseTo(1344 / 1920, 9);
    expect(r.data.length).toBe(1344 * 756 * 4);
    expect(Array.from(r.data.subarray(0, 4))).toEqual([0, 0, 255, 255]);
  });

  it('crops frame pixels and keeps the desktop position of the crop', () => {
    const f = paint(solid(200, 100, [0, 0, 0], 1280, 0), 50, 20, 10, 10, [0, 255, 0]);
    const c = crop(f, { x: 45, y: 15, width: 20, height: 20 });
    expect([c.width, c.height]).toEqual([20, 20]);
    expect(c.desktopBounds).toEqual({ x: 1325, y: 15, width: 20, height: 20 });
    expect(pixelAt(c, 5, 5)).toEqual([0, 255, 0, 255]);
    expect(pixelAt(c, 0, 0)).toEqual([0, 0, 0, 255]);
  });

  it('annotates a point and a box in red at the given pixels', async () => {
    const f = solid(120, 80, [255, 255, 255]);
    const png = await annotate(f, { points: [{ x: 30, y: 40 }], boxes: [{ x: 70, y: 10, width: 40, height: 30, label: 'OK' }] });
    const out = await decodeImage(png);
    const at = (x: number, y: number): number[] => Array.from(out.data.subarray((y * 120 + x) * 4, (y * 120 + x) * 4 + 3));
    const [r, g] = at(30, 40); // centre of the cross
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(80);
    expect(at(90, 25)).toEqual([255, 255, 255]); // inside the box stays untouched
    expect(at(5, 75)).toEqual([255, 255, 255]);
  });

  it('draws only the part the annotations cover, with the same pixels as a whole-image overlay', async () => {
    const f = paint(solid(400, 300, [240, 240, 240]), 100, 100, 120, 60, [20, 60, 200]);
    const a = {
      points: [{ x: 395, y: 5, label: 'edge' }],
      boxes: [{ x: 150, y: 90, width: 60, height: 30, label: 'text 97%' }],
      labels: [{ x: 10, y: 290, text: 'not found' }],
    };
    expect(overlayArea(400, 300, a)).toEqual({ x: 8, y: 0, width: 392, height: 296 }); // spread over the corners, clipped
    expect(overlayArea(400, 300, { boxes: a.boxes })).toEqual({ x: 146, y: 70, width: 82, height: 54 });
    expect(overlayArea(400, 300, { points: [{ x: -50, y: -50 }] })).toBeNull(); // off the image
    for (const one of [{ boxes: a.boxes }, { points: a.points }, a]) {
      const whole = await sharp(Buffer.from(f.data), { raw: { width: 400, height: 300, channels: 4 } })
        .composite([{ input: Buffer.from(overlaySvg(400, 300, one)), top: 0, left: 0 }])
        .raw()
        .toBuffer();
      const cropped = await decodeImage(await annotate(f, one));
      expect(Buffer.from(cropped.data).equals(whole)).toBe(true);
    }
  });
});

describe('change detection', () => {
  const base = solid(320, 240, [255, 255, 255], 1280, 0);

  it('finds nothing between identical frames', () => {
    const d = diffFrames(base, solid(320, 240, [255, 255, 255], 1280, 0));
    expect(d.changed).toBe(false);
    expect(d.regions).toEqual([]);
  });

  it('boxes each changed area, in frame and desktop coordinates', () => {
    let b = paint(base, 40, 40, 30, 20, [0, 0, 0]);
    b = paint(b, 250, 200, 10, 10, [255, 0, 0]);
    const d = diffFrames(base, b);
    expect(d.regions).toHaveLength(2);
    const [first, second] = d.regions;
    // Tiles are 16 px: the 30x20 change at 40,40 covers tiles 2..4 × 2..3.
    expect(first!.box).toEqual({ x: 32, y: 32, width: 48, height: 32 });
    expect(first!.desktop).toEqual({ x: 1312, y: 32, width: 48, height: 32 });
    expect(second!.box).toEqual({ x: 240, y: 192, width: 32, height: 32 });
  });

  it('ignores changes below the threshold and regions below minArea', () => {
    expect(diffFrames(base, paint(base, 0, 0, 50, 50, [250, 250, 250])).changed).toBe(false);
    const caret = paint(base, 100, 100, 2, 12, [0, 0, 0]);
    expect(diffFrames(base, caret, { minArea: 16 * 16 + 1 }).changed).toBe(false);
    expect(diffFrames(base, caret).changed).toBe(true);
  });

  it('treats frames of different sizes as changed everywhere', () => {
    const d = diffFrames(base, solid(160, 120, [255, 255, 255]));
    expect(d.regions).toHaveLength(1);
    expect(d.regions[0]!.box).toEqual({ x: 0, y: 0, width: 160, height: 120 });
  });
});
