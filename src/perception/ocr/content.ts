import { boxesOverlap as overlaps, boxUnion as union } from '../../shared/boxes.js';
import { bands } from './detect.js';
import type { PixelRect } from './image.js';
import type { OcrImage } from './types.js';

/**
 * Where on a screen text can be: the detector costs the same per pixel whether a pixel shows
 * text or an empty desktop, so OCR runs it only over "content rectangles" around the parts of
 * the area that are not plainly empty.
 *
 * The area is cut into TILE x TILE tiles. A tile is empty when all its rows are identical or all
 * its columns are identical: flat colour, 1-px borders and separators running through it, and
 * one-direction gradients (title bars). Text always varies both ways, so a tile holding any part
 * of a glyph is not empty. Where two such lines meet (a window frame's corner) a tile varies both
 * ways too; a few of those alone, far from anything else, are cleared again (dropLoneCorners).
 * The non-empty tiles form 8-connected components; each component's bounding box grows by one
 * tile of real pixels (the detector's context), and boxes that overlap merge, so each component
 * lies whole inside one rectangle and no rectangle edge cuts text.
 */

export const TILE = 16;
/** Tiles of real pixels kept around each group of non-empty tiles: the detector's context. */
export const MARGIN_TILES = 4;
/** At most this many detector passes per read; more rectangles are merged down to it. */
export const MAX_PASSES = 8;
/**
 * The fixed cost of one detector pass, in padded input pixels. A 32x32 PP-OCRv4 detector run
 * took 1.5 ms (2 threads) where 1280x480 took 337 ms, ~0.55 us a pixel: ~2,700 pixels of
 * overhead; rounded up for the per-pass copy and post-processing.
 */
export const PASS_OVERHEAD_PIXELS = 4096;
/** Split the read only when the rectangles cost at most this share of the whole area... */
export const SPLIT_GAIN = 0.75;
/**
 * ...and save at least this many pixels (~50 ms of detector CPU). The detector's squeeze-excite
 * blocks pool over the whole input, so a crop never reads exactly like the whole: on a 640x48
 * label a 224 px crop drew its box 2 px tighter and the recogniser lost a space. Small areas
 * are cheap anyway; the skip is for large, mostly empty screens.
 */
export const MIN_SAVING_PIXELS = 100_000;

/** Non-empty tiles of `area`, row-major, `columns` x `rows` (lone frame corners cleared, see dropLoneCorners). */
export interface TileMap {
  columns: number;
  rows: number;
  filled: Uint8Array;
}

export function tileMap(image: OcrImage, area: PixelRect): TileMap {
  const px = pixels(image);
  const stride = image.width;
  const columns = Math.ceil(area.width / TILE);
  const rows = Math.ceil(area.height / TILE);
  const filled = new Uint8Array(columns * rows);
  for (let ty = 0; ty < rows; ty++) {
    const y0 = area.y + ty * TILE;
    const y1 = Math.min(y0 + TILE, area.y + area.height);
    for (let tx = 0; tx < columns; tx++) {
      const x0 = area.x + tx * TILE;
      const x1 = Math.min(x0 + TILE, area.x + area.width);
      const empty = rowsAlike(px, stride, x0, y0, x1, y1) || columnsAlike(px, stride, x0, y0, x1, y1);
      if (!empty) filled[ty * columns + tx] = 1;
    }
  }
  const map = { columns, rows, filled };
  dropLoneCorners(px, stride, area, map);
  return map;
}

/**
 * Most places along each axis where neighbouring pixels of a lone tile may differ for the tile to
 * be a frame's corner or joint: a line (a pixel or two, maybe shaded) has two or three such
 * places across it, and a corner or a T of two lines has them on both axes.
 */
const CORNER_EDGES = 4;

/** Groups of at most this many tiles may be dropped as a frame's corner (see dropLoneCorners). */
const CORNER_TILES = 4;

/**
 * Clears small groups of filled tiles (up to CORNER_TILES, 8-connected) in which every tile holds
 * nothing but straight lines meeting, far from other content: the bottom corners of a window
 * frame, where its side and bottom edges (each empty as a tile) meet, or a scrollbar's end. Each
 * such group was a detector pass of its own that never held text: on the sample suite's xterm
 * screens two of five passes and a third of the detector's pixels (its six full-screen xterm
 * reads: 0.87x the wall time, 0.89x the CPU; the grounding set still 517 of 549). A short word
 * is kept: its glyphs have more stroke edges than lines do. Groups near other content are kept
 * too (see nearContent).
 */
function dropLoneCorners(px: Uint32Array, stride: number, area: PixelRect, map: TileMap): void {
  const { columns, filled } = map;
  const lineOnly = (t: number): boolean => {
    const x0 = area.x + (t % columns) * TILE;
    const y0 = area.y + Math.floor(t / columns) * TILE;
    return onlyLines(px, stride, x0, y0, Math.min(x0 + TILE, area.x + area.width), Math.min(y0 + TILE, area.y + area.height));
  };
  const corners = components(map).filter((g) => g.tiles.length <= CORNER_TILES && g.tiles.every(lineOnly));
  // Only corners that would be passes of their own: the rest of the content, corners aside.
  const content = { ...map, filled: filled.slice() };
  for (const g of corners) for (const t of g.tiles) content.filled[t] = 0;
  for (const g of corners) if (!nearContent(content, g.box)) for (const t of g.tiles) filled[t] = 0;
}

/**
 * Whether content tiles lie within two margins of the group: then the group's rectangle would
 * merge with theirs (contentRects), and dropping it would only reshape that read (which moves
 * the detector's boxes by a few pixels) instead of saving a pass.
 */
function nearContent(content: TileMap, box: TileBox): boolean {
  const reach = 2 * MARGIN_TILES;
  for (let y = Math.max(0, box.y0 - reach); y <= Math.min(content.rows - 1, box.y1 + reach); y++) {
    for (let x = Math.max(0, box.x0 - reach); x <= Math.min(content.columns - 1, box.x1 + reach); x++) {
      if (content.filled[y * content.columns + x]) return true;
    }
  }
  return false;
}

/** Neighbouring pixels differ at no more than CORNER_EDGES columns and CORNER_EDGES rows of the tile. */
function onlyLines(px: Uint32Array, stride: number, x0: number, y0: number, x1: number, y1: number): boolean {
  let across = 0; // bit i: pixels at x0+i and x0+i+1 differ in some row
  let down = 0; // bit i: pixels at y0+i and y0+i+1 differ in some column
  for (let y = y0; y < y1; y++) {
    const row = y * stride;
    for (let x = x0; x < x1; x++) {
      const v = px[row + x]! & RGB;
      if (x + 1 < x1 && v !== (px[row + x + 1]! & RGB)) across |= 1 << (x - x0);
      if (y + 1 < y1 && v !== (px[row + stride + x]! & RGB)) down |= 1 << (y - y0);
    }
  }
  return bitCount(across) <= CORNER_EDGES && bitCount(down) <= CORNER_EDGES;
}

function bitCount(n: number): number {
  let c = 0;
  for (let v = n; v; v &= v - 1) c++;
  return c;
}

/** Every row of the tile equals its first row (RGB; alpha is ignored as the detector ignores it). */
function rowsAlike(px: Uint32Array, stride: number, x0: number, y0: number, x1: number, y1: number): boolean {
  const first = y0 * stride;
  for (let y = y0 + 1; y < y1; y++) {
    const row = y * stride;
    for (let x = x0; x < x1; x++) if (((px[row + x]! ^ px[first + x]!) & RGB) !== 0) return false;
  }
  return true;
}

/** Every column of the tile equals its first column: each row is one colour. */
function columnsAlike(px: Uint32Array, stride: number, x0: number, y0: number, x1: number, y1: number): boolean {
  for (let y = y0; y < y1; y++) {
    const row = y * stride;
    const v = px[row + x0]!;
    for (let x = x0 + 1; x < x1; x++) if (((px[row + x]! ^ v) & RGB) !== 0) return false;
  }
  return true;
}

// RGBA bytes read as a little-endian Uint32: R is the low byte, alpha the high one.
const RGB = 0x00ffffff;

/** The RGBA bytes as one Uint32 a pixel; copied when the bytes do not start on a 4-byte boundary. */
function pixels(image: OcrImage): Uint32Array {
  const { data } = image;
  const count = image.width * image.height;
  if (data.byteOffset % 4 === 0) return new Uint32Array(data.buffer, data.byteOffset, count);
  return new Uint32Array(data.slice(0, count * 4).buffer);
}

/**
 * The content rectangles of `area`, in image pixels, not overlapping one another; none when no
 * tile holds anything.
 */
export function contentRects(image: OcrImage, area: PixelRect, scale = 1): PixelRect[] {
  const map = tileMap(image, area);
  const m = MARGIN_TILES;
  const boxes = components(map).map(({ box: c }) =>
    toDetectorGrid(
      clampTo(
        {
          x: area.x + (c.x0 - m) * TILE,
          y: area.y + (c.y0 - m) * TILE,
          width: (c.x1 - c.x0 + 1 + 2 * m) * TILE,
          height: (c.y1 - c.y0 + 1 + 2 * m) * TILE,
        },
        area,
      ),
      area,
      scale,
    ),
  );
  return mergeOverlaps(boxes);
}

/**
 * Grows `r` (inside `area`) to a size the detector takes without padding, where the area has
 * the pixels: the detector pads its input to multiples of 32 anyway, and real pixels there
 * give it the context a whole-area read would have, where padding would put an edge.
 */
function toDetectorGrid(r: PixelRect, area: PixelRect, scale: number): PixelRect {
  const step = Math.ceil(32 / scale);
  const grow = (start: number, size: number, lo: number, hi: number): [number, number] => {
    const want = Math.min(Math.ceil(size / step) * step, hi - lo);
    const from = Math.max(lo, Math.min(start, hi - want));
    return [from, want];
  };
  const [x, width] = grow(r.x, r.width, area.x, area.x + area.width);
  const [y, height] = grow(r.y, r.height, area.y, area.y + area.height);
  return { x, y, width, height };
}

interface TileBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** An 8-connected group of filled tiles: its tiles (row-major indices) and bounding box. */
interface TileGroup {
  tiles: number[];
  box: TileBox;
}

/** The 8-connected groups of filled tiles, each with its bounding box (inclusive tile coordinates). */
function components(map: TileMap): TileGroup[] {
  const { columns, rows, filled } = map;
  const seen = new Uint8Array(filled.length);
  const out: TileGroup[] = [];
  for (let start = 0; start < filled.length; start++) {
    if (!filled[start] || seen[start]) continue;
    const box = { x0: columns, y0: rows, x1: -1, y1: -1 };
    const tiles = [start];
    seen[start] = 1;
    for (let k = 0; k < tiles.length; k++) {
      const t = tiles[k]!;
      const x = t % columns;
      const y = (t - x) / columns;
      box.x0 = Math.min(box.x0, x);
      box.x1 = Math.max(box.x1, x);
      box.y0 = Math.min(box.y0, y);
      box.y1 = Math.max(box.y1, y);
      for (let ny = Math.max(0, y - 1); ny <= Math.min(rows - 1, y + 1); ny++) {
        for (let nx = Math.max(0, x - 1); nx <= Math.min(columns - 1, x + 1); nx++) {
          const n = ny * columns + nx;
          if (filled[n] && !seen[n]) {
            seen[n] = 1;
            tiles.push(n);
          }
        }
      }
    }
    out.push({ tiles, box });
  }
  return out;
}

/** Replaces overlapping rectangles by their union until none overlap. */
export function mergeOverlaps(rects: PixelRect[]): PixelRect[] {
  const out = [...rects];
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) {
      if (!overlaps(out[i]!, out[j]!)) continue;
      out[i] = union(out[i]!, out[j]!);
      out.splice(j, 1);
      // The grown rectangle may now overlap ones already checked: start its row again.
      j = i;
    }
  }
  // A later union can swallow an earlier rectangle's neighbour; repeat until stable.
  return out.length === rects.length ? out : mergeOverlaps(out);
}

/**
 * The detector's cost for `rect` at `scale`: the input pixels of its passes (bands, each padded to
 * multiples of 32 as the detector pads) plus a fixed overhead a pass.
 */
export function detectionCost(rect: PixelRect, scale: number): number {
  let sum = 0;
  for (const band of bands(rect, scale)) {
    const width = Math.ceil(Math.max(1, Math.round(band.rect.width * scale)) / 32) * 32;
    const height = Math.ceil(Math.max(1, Math.round(band.rect.height * scale)) / 32) * 32;
    sum += width * height + PASS_OVERHEAD_PIXELS;
  }
  return sum;
}

/**
 * The rectangles the detector should run over at `scale`: `[]` when the area holds nothing, the
 * area itself when splitting would not clearly pay (see detectionCost, SPLIT_GAIN and
 * MIN_SAVING_PIXELS), else the content rectangles, merged pairwise where one pass over the
 * union costs less than two, and down to MAX_PASSES.
 */
export function detectionRects(image: OcrImage, area: PixelRect, scale: number): PixelRect[] {
  const cost = (r: PixelRect): number => detectionCost(r, scale);
  let rects = contentRects(image, area, scale);
  if (rects.length === 0) return [];
  for (;;) {
    let best: [number, number] | undefined;
    let bestExtra = Infinity;
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const extra = cost(union(rects[i]!, rects[j]!)) - cost(rects[i]!) - cost(rects[j]!);
        if (extra < bestExtra) {
          bestExtra = extra;
          best = [i, j];
        }
      }
    }
    if (!best || (bestExtra > 0 && rects.length <= MAX_PASSES)) break;
    const [i, j] = best;
    const merged = union(rects[i]!, rects[j]!);
    rects = mergeOverlaps([merged, ...rects.filter((_, k) => k !== i && k !== j)]);
  }
  const split = rects.reduce((sum, r) => sum + cost(r), 0);
  const full = cost(area);
  return split <= SPLIT_GAIN * full && full - split >= MIN_SAVING_PIXELS ? rects : [area];
}

function clampTo(r: PixelRect, area: PixelRect): PixelRect {
  const x0 = Math.max(r.x, area.x);
  const y0 = Math.max(r.y, area.y);
  const x1 = Math.min(r.x + r.width, area.x + area.width);
  const y1 = Math.min(r.y + r.height, area.y + area.height);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
