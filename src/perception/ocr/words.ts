import type { Box } from '../../shared/geometry.js';
import { type DecodedChar, meanProb, splitWords } from './ctc.js';
import { luminance, type PixelRect } from './image.js';
import type { LineSource } from './recognize.js';
import type { OcrImage, OcrLine, OcrWord } from './types.js';

/**
 * Word boxes from the CTC alignment, snapped to the ink.
 *
 * The recogniser says at which time steps (columns of the line image) each character was read.
 * That places every word roughly, but CTC fires a step or two late and near a glyph's middle,
 * not at its edges. So the line's ink is cut into blobs at gaps wider than a letter gap, and
 * each blob goes to the word whose stretch of the line (between the middles of the gaps to its
 * neighbours) holds the blob's centre. A word's box is the extent of its blobs. Screen text
 * sits on flat backgrounds, which makes "ink" easy to tell apart.
 */

// Ink must differ from the background by this share of the line's strongest contrast.
const INK_SHARE = 0.35;
const MIN_INK_CONTRAST = 24;
// A column inked over nearly the crop's whole height is a border or separator, not a glyph.
const RULE_SHARE = 0.95;
// Empty columns (share of the crop height) still inside one word: glyph gaps, "..." dots.
const LETTER_GAP_SHARE = 0.1;
// Empty rows (share of the crop height) tolerated inside one line's glyphs: accents, i dots.
const ROW_GAP_SHARE = 0.1;
// How far (in time steps) a blob may lie outside a word's CTC span and still belong to it;
// beyond that it is a neighbouring label, an icon or a border caught in the crop.
const SLACK_STEPS = 2;

interface InkMap {
  ink: Uint8Array;
  width: number;
  height: number;
}

interface Span {
  from: number;
  /** Exclusive. */
  to: number;
}

export function buildLine(
  source: LineSource,
  chars: readonly DecodedChar[],
  stepWidth: number,
): OcrLine | null {
  const { rect, bounds } = source;
  const groups = splitWords(chars);
  if (!groups.length) return null;
  const ink = inkMap(source.image, rect, bounds);
  const blobs = inkBlobs(ink);
  const cores: Span[] = groups.map((g) => ({
    from: g[0]!.firstStep * stepWidth,
    to: (g.at(-1)!.lastStep + 1) * stepWidth,
  }));
  const slack = SLACK_STEPS * stepWidth;
  const words: OcrWord[] = groups.map((group, k) => {
    const core = cores[k]!;
    const left = k === 0 ? -Infinity : (cores[k - 1]!.to + core.from) / 2;
    const right = k === groups.length - 1 ? Infinity : (core.to + cores[k + 1]!.from) / 2;
    const mine = blobs.filter((b) => {
      const centre = (b.from + b.to) / 2;
      return centre >= left && centre < right && b.to > core.from - slack && b.from < core.to + slack;
    });
    const span = mine.length ? { from: mine[0]!.from, to: mine.at(-1)!.to } : core;
    const local = verticalExtent(ink, span);
    return {
      text: group.map((c) => c.text).join(''),
      box: clampBox(
        { x: rect.x + local.x, y: rect.y + local.y, width: local.width, height: local.height },
        bounds,
      ),
      confidence: meanProb(group),
    };
  });
  return {
    text: words.map((w) => w.text).join(' '),
    box: unionBox(words.map((w) => w.box)),
    confidence: meanProb(chars),
    words,
  };
}

function inkMap(image: OcrImage, rect: PixelRect, bounds: PixelRect): InkMap {
  const { width, height } = rect;
  const lum = luminance(image, rect, bounds);
  const background = borderMedian(lum, width, height);
  let strongest = 0;
  for (const v of lum) strongest = Math.max(strongest, Math.abs(v - background));
  const threshold = Math.max(MIN_INK_CONTRAST, strongest * INK_SHARE);
  const ink = new Uint8Array(lum.length);
  for (let i = 0; i < lum.length; i++) ink[i] = Math.abs(lum[i]! - background) >= threshold ? 1 : 0;
  eraseHorizontalRules(ink, width, height);
  return { ink, width, height };
}

/** The background is what the border of the line crop mostly shows (the box has a margin). */
function borderMedian(lum: Uint8Array, width: number, height: number): number {
  const counts = new Uint32Array(256);
  let n = 0;
  const add = (i: number): void => {
    counts[lum[i]!]! += 1;
    n += 1;
  };
  for (let x = 0; x < width; x++) {
    add(x);
    add((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    add(y * width);
    add(y * width + width - 1);
  }
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += counts[v]!;
    if (seen * 2 >= n) return v;
  }
  return 255;
}

/**
 * Clears horizontal ink runs much longer than a glyph is wide: the top or bottom border of a
 * button, field or status bar caught in the crop would otherwise ink every column.
 */
function eraseHorizontalRules(ink: Uint8Array, width: number, height: number): void {
  const longest = Math.max(12, 2 * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let start = 0;
    for (let x = 0; x <= width; x++) {
      if (x < width && ink[row + x]) continue;
      if (x - start >= longest) ink.fill(0, row + start, row + x);
      start = x + 1;
    }
  }
}

/** Runs of inked columns, split where more than a letter gap of empty columns lies between. */
function inkBlobs(map: InkMap): Span[] {
  const { ink, width, height } = map;
  const letterGap = Math.max(2, Math.round(height * LETTER_GAP_SHARE));
  const blobs: Span[] = [];
  let current: Span | null = null;
  for (let x = 0; x < width; x++) {
    let count = 0;
    for (let y = 0; y < height; y++) count += ink[y * width + x]!;
    if (count === 0 || count >= height * RULE_SHARE) continue;
    if (current && x - current.to <= letterGap) current.to = x + 1;
    else blobs.push((current = { from: x, to: x + 1 }));
  }
  return blobs;
}

/**
 * The box of the ink in columns `span`: rows grow from the densest one while the gaps stay
 * small, which keeps an "i" dot but stops at the descenders of the line above or the
 * ascenders of the line below caught in the crop.
 */
function verticalExtent(map: InkMap, span: Span): Box {
  const { ink, width, height } = map;
  const from = Math.max(0, Math.floor(span.from));
  const to = Math.min(width, Math.ceil(span.to));
  const rows = new Uint32Array(height);
  let densest = 0;
  for (let y = 0; y < height; y++) {
    let count = 0;
    for (let i = y * width + from; i < y * width + to; i++) count += ink[i]!;
    rows[y] = count;
    if (count > rows[densest]!) densest = y;
  }
  if (rows[densest] === 0) return { x: from, y: 0, width: Math.max(0, to - from), height };
  const rowGap = Math.max(1, Math.round(height * ROW_GAP_SHARE));
  const top = bandEnd(rows, densest, -1, rowGap);
  const bottom = bandEnd(rows, densest, 1, rowGap);
  return { x: from, y: top, width: to - from, height: bottom - top + 1 };
}

function bandEnd(rows: Uint32Array, from: number, step: 1 | -1, maxGap: number): number {
  let end = from;
  let gap = 0;
  for (let y = from + step; y >= 0 && y < rows.length; y += step) {
    if (rows[y]! > 0) {
      end = y;
      gap = 0;
    } else if (++gap > maxGap) {
      break;
    }
  }
  return end;
}

function clampBox(b: Box, bounds: PixelRect): Box {
  const x = Math.max(b.x, bounds.x);
  const y = Math.max(b.y, bounds.y);
  const width = Math.max(0, Math.min(b.x + b.width, bounds.x + bounds.width) - x);
  const height = Math.max(0, Math.min(b.y + b.height, bounds.y + bounds.height) - y);
  return { x, y, width, height };
}

/** The line with `f` applied to its box and to each word's box. */
export function mapLineBoxes(line: OcrLine, f: (b: Box) => Box): OcrLine {
  return { ...line, box: f(line.box), words: line.words.map((w) => ({ ...w, box: f(w.box) })) };
}

export function unionBox(boxes: readonly Box[]): Box {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const b of boxes) {
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.width);
    y1 = Math.max(y1, b.y + b.height);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
