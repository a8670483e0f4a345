import { describe, expect, it } from 'vitest';
import {
  contentRects,
  detectionCost,
  detectionRects,
  MARGIN_TILES,
  MAX_PASSES,
  mergeOverlaps,
  TILE,
  tileMap,
} from '../../../src/perception/ocr/content.js';
import type { PixelRect } from '../../../src/perception/ocr/image.js';
import type { OcrImage } from '../../../src/perception/ocr/index.js';

type Rgb = [number, number, number];

function canvas(width: number, height: number, colour: Rgb): OcrImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([...colour, 255], i * 4);
  return { width, height, data };
}

function fill(img: OcrImage, r: PixelRect, colour: (x: number, y: number) => Rgb): void {
  for (let y = r.y; y < r.y + r.height; y++) {
    for (let x = r.x; x < r.x + r.width; x++) img.data.set([...colour(x, y), 255], (y * img.width + x) * 4);
  }
}

/** A window: 1-px grey frame, white inside. */
function window(img: OcrImage, r: PixelRect): void {
  fill(img, r, () => [128, 128, 128]);
  fill(img, { x: r.x + 1, y: r.y + 1, width: r.width - 2, height: r.height - 2 }, () => [255, 255, 255]);
}

/**
 * Glyph-like ink: 7x11 cells with strokes both ways (an "E" with a stem), `count` of them in a
 * row with 2 px between, from (x, y).
 */
function text(img: OcrImage, x: number, y: number, count: number): PixelRect {
  for (let i = 0; i < count; i++) {
    const gx = x + i * 9;
    fill(img, { x: gx, y, width: 2, height: 11 }, () => [0, 0, 0]);
    for (const dy of [0, 5, 10]) fill(img, { x: gx, y: y + dy, width: 7, height: 1 }, () => [0, 0, 0]);
  }
  return { x, y, width: count * 9 - 2, height: 11 };
}

const whole = (img: OcrImage): PixelRect => ({ x: 0, y: 0, width: img.width, height: img.height });

function contains(outer: PixelRect, inner: PixelRect, margin = 0): boolean {
  return (
    inner.x - margin >= outer.x &&
    inner.y - margin >= outer.y &&
    inner.x + inner.width + margin <= outer.x + outer.width &&
    inner.y + inner.height + margin <= outer.y + outer.height
  );
}

function overlap(a: PixelRect, b: PixelRect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

describe('content tiles', () => {
  it('finds nothing on a flat screen, so no detector pass runs', () => {
    const img = canvas(640, 400, [30, 60, 90]);
    const map = tileMap(img, whole(img));
    expect(map.columns).toBe(40);
    expect(map.rows).toBe(25);
    expect(map.filled.every((t) => t === 0)).toBe(true);
    expect(contentRects(img, whole(img))).toEqual([]);
    expect(detectionRects(img, whole(img), 1)).toEqual([]);
  });

  it('sees a bare window frame as empty, corners included: lines that meet hold no text', () => {
    const img = canvas(640, 400, [0, 0, 0]);
    window(img, { x: 40, y: 40, width: 300, height: 200 });
    // Edges alone are empty tiles (each row, or each column, is one colour); where two edges
    // meet the tile varies both ways, but only at the lines: CORNER_EDGES places along each axis.
    expect(tileMap(img, whole(img)).filled.every((t) => t === 0)).toBe(true);
    expect(detectionRects(img, whole(img), 1)).toEqual([]);
  });

  it('keeps a frame corner that shares a read with text, and a short label standing alone', () => {
    const img = canvas(800, 600, [255, 255, 255]);
    window(img, { x: 40, y: 40, width: 300, height: 300 });
    const ink = text(img, 60, 60, 8);
    // The label: two glyphs in a tile or two, far from anything else.
    const label = text(img, 600, 450, 2);
    const map = tileMap(img, whole(img));
    const at = (x: number, y: number) =>
      map.filled[Math.floor(y / TILE) * map.columns + Math.floor(x / TILE)];
    // The window's top-left corner is within two margins of the text: dropping it would only
    // reshape the text's rectangle (and move the detector's boxes), so it stays.
    expect(at(40, 40)).toBe(1);
    // Its bottom corners are farther from the text: gone, no pass of their own.
    expect(at(40, 339)).toBe(0);
    expect(at(339, 339)).toBe(0);
    expect(at(label.x, label.y)).toBe(1);
    const rects = detectionRects(img, whole(img), 1);
    expect(rects).toHaveLength(2);
    expect(rects.some((r) => contains(r, ink, TILE))).toBe(true);
    expect(rects.some((r) => contains(r, label, TILE))).toBe(true);
  });

  it('keeps text near a window border whole inside one rectangle with real pixels around it', () => {
    const img = canvas(800, 600, [0, 0, 0]);
    window(img, { x: 100, y: 100, width: 400, height: 300 });
    const ink = text(img, 103, 150, 12);
    const rects = contentRects(img, whole(img));
    const holder = rects.filter((r) => overlap(r, ink));
    expect(holder).toHaveLength(1);
    expect(contains(holder[0]!, ink, MARGIN_TILES * TILE)).toBe(true);
    // Most of the white inside and the black desktop around are not read.
    const read = rects.reduce((n, r) => n + r.width * r.height, 0);
    expect(read).toBeLessThan((800 * 600) / 3);
  });

  it('gives two windows far apart two rectangles that do not overlap', () => {
    const img = canvas(1280, 800, [20, 20, 20]);
    window(img, { x: 20, y: 20, width: 400, height: 200 });
    window(img, { x: 700, y: 450, width: 500, height: 300 });
    const a = text(img, 40, 60, 10);
    const b = text(img, 720, 500, 20);
    const rects = contentRects(img, whole(img));
    for (const ink of [a, b]) expect(rects.filter((r) => contains(r, ink, TILE))).toHaveLength(1);
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) expect(overlap(rects[i]!, rects[j]!)).toBe(false);
    }
    const plan = detectionRects(img, whole(img), 1);
    expect(plan.length).toBeGreaterThan(1);
    expect(plan.length).toBeLessThanOrEqual(MAX_PASSES);
    for (const ink of [a, b]) expect(plan.some((r) => contains(r, ink, TILE))).toBe(true);
    const cost = plan.reduce((n, r) => n + detectionCost(r, 1), 0);
    expect(cost).toBeLessThan(detectionCost(whole(img), 1) / 2);
  });

  it('treats a gradient title bar as empty, and its title as content', () => {
    const img = canvas(640, 200, [255, 255, 255]);
    // Left-to-right gradient: every column differs, every row is the same. (Where such a bar's
    // edge runs through a tile, that tile counts as content: its rows differ and so do its columns.)
    fill(img, { x: 0, y: 0, width: 640, height: 32 }, (x) => [x % 256, 100, 200]);
    // Top-to-bottom gradient, as title bars are drawn: each row is one colour, edges anywhere.
    fill(img, { x: 0, y: 100, width: 640, height: 60 }, (_, y) => [y * 2, y, 50]);
    expect(tileMap(img, whole(img)).filled.every((t) => t === 0)).toBe(true);
    const title = text(img, 300, 6, 5);
    const rects = contentRects(img, whole(img));
    expect(rects).toHaveLength(1);
    expect(contains(rects[0]!, title)).toBe(true);
  });

  it('reads the same tiles when the pixels do not start on a 4-byte boundary', () => {
    const img = canvas(320, 200, [255, 255, 255]);
    text(img, 50, 50, 4);
    expect(tileMap(img, whole(img)).filled.some((t) => t === 1)).toBe(true);
    const shifted = new Uint8Array(img.data.length + 1);
    shifted.set(img.data, 1);
    const odd: OcrImage = { ...img, data: shifted.subarray(1) };
    expect(odd.data.byteOffset % 4).toBe(1);
    expect(tileMap(odd, whole(odd))).toEqual(tileMap(img, whole(img)));
  });

  it('keeps rectangles inside an area that is not at 0,0', () => {
    const img = canvas(800, 600, [255, 255, 255]);
    const ink = text(img, 305, 205, 6);
    const area = { x: 300, y: 200, width: 250, height: 150 };
    const rects = contentRects(img, area);
    expect(rects).toHaveLength(1);
    expect(contains(area, rects[0]!)).toBe(true);
    expect(contains(rects[0]!, ink)).toBe(true);
    // Tiles are laid from the area's corner, not the image's.
    expect(tileMap(img, area).filled[0]).toBe(1);
  });

  it('reads the whole area when the screen is busy everywhere', () => {
    const img = canvas(640, 400, [0, 0, 0]);
    fill(img, whole(img), (x, y) => [(x * 7 + y * 13) % 256, (x * y) % 256, (x ^ y) % 256]);
    expect(detectionRects(img, whole(img), 1)).toEqual([whole(img)]);
  });

  it('reads a small area whole, where splitting would save little', () => {
    const img = canvas(640, 48, [35, 38, 43]);
    text(img, 10, 18, 16);
    expect(contentRects(img, whole(img))).toHaveLength(1);
    expect(detectionRects(img, whole(img), 1)).toEqual([whole(img)]);
  });

  it('merges overlapping rectangles until none overlap', () => {
    const merged = mergeOverlaps([
      { x: 0, y: 0, width: 50, height: 50 },
      { x: 100, y: 0, width: 50, height: 50 },
      { x: 40, y: 40, width: 70, height: 20 },
      { x: 300, y: 300, width: 10, height: 10 },
    ]);
    expect(merged).toEqual([
      { x: 0, y: 0, width: 150, height: 60 },
      { x: 300, y: 300, width: 10, height: 10 },
    ]);
  });
});
