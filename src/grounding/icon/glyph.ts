import type { Box } from '../../shared/geometry.js';
import type { GrayImage } from '../../perception/elements/index.js';

/** Side of the normalised glyph grid the classifier compares. */
export const GRID = 16;

/**
 * A glyph normalised for comparison: its ink (distance from the background, 0..1) cut to the
 * glyph's own bounding box, centred in a square, sampled on a GRID×GRID grid, lightly blurred,
 * then zero-mean unit-norm so a dot product is a correlation. Size, colour and polarity (dark on
 * light or light on dark) drop out; shape stays.
 */
export type GlyphFeature = Float32Array;

/** Most frequent value of the crop, or of its outermost ring when `ring` is set. */
function mode(g: GrayImage, b: Box, ring: boolean): number {
  const hist = new Uint32Array(256);
  for (let y = b.y; y < b.y + b.height; y++) {
    for (let x = b.x; x < b.x + b.width; x++) {
      if (ring && y > b.y && y < b.y + b.height - 1 && x > b.x && x < b.x + b.width - 1) continue;
      hist[g.data[y * g.width + x]!]!++;
    }
  }
  let best = 0;
  for (let v = 1; v < 256; v++) if (hist[v]! > hist[best]!) best = v;
  return best;
}

/**
 * Glyph features of the crop under several background hypotheses (the crop's most common value,
 * the value of its outer ring, each row's margins), because an icon button's face and a filled icon's surroundings
 * are told apart by what classifies better, not by a rule. Ink touching the crop's edge is a
 * border or a neighbour and is dropped.
 */
export function glyphFeatures(g: GrayImage, box: Box): GlyphFeature[] {
  const b = clip(box, g);
  if (b.width < 3 || b.height < 3) return [];
  const bgs = new Set([mode(g, b, false), mode(g, b, true)]);
  const out: GlyphFeature[] = [];
  for (const bg of bgs) out.push(...featuresFor(g, b, () => bg));
  // Themes shade buttons with vertical gradients: also take each row's background from the
  // crop's left and right margins.
  out.push(...featuresFor(g, b, (y) => rowMargin(g, b, y)));
  return out;
}

function clip(b: Box, g: GrayImage): Box {
  const x = Math.max(0, Math.floor(b.x));
  const y = Math.max(0, Math.floor(b.y));
  return {
    x,
    y,
    width: Math.min(g.width, Math.ceil(b.x + b.width)) - x,
    height: Math.min(g.height, Math.ceil(b.y + b.height)) - y,
  };
}

function rowMargin(g: GrayImage, b: Box, y: number): number {
  const row = (b.y + y) * g.width + b.x;
  const v = [g.data[row]!, g.data[row + 1]!, g.data[row + b.width - 2]!, g.data[row + b.width - 1]!].sort(
    (p, q) => p - q,
  );
  return (v[1]! + v[2]!) / 2;
}

function featuresFor(g: GrayImage, b: Box, bgAt: (y: number) => number): GlyphFeature[] {
  const { width: w, height: h } = b;
  const ink = new Float32Array(w * h);
  let contrast = 0;
  for (let y = 0; y < h; y++) {
    const bg = bgAt(y);
    for (let x = 0; x < w; x++) {
      const d = Math.abs(g.data[(b.y + y) * g.width + b.x + x]! - bg);
      ink[y * w + x] = d;
      if (d > contrast) contrast = d;
    }
  }
  if (contrast < 24) return [];
  for (let i = 0; i < ink.length; i++) ink[i] = Math.min(1, ink[i]! / contrast);
  dropEdgeInk(ink, w, { x: 0, y: 0, width: w, height: h });
  const gb = inkBox(ink, w, h);
  if (!gb) return [];
  const out = [normalise(ink, w, gb)];
  // A small framed button (a window manager's title-bar buttons): the frame is the glyph's
  // bbox; peel it off and offer what is inside as well.
  if (framedBy(ink, w, gb)) {
    const inner = ink.slice();
    dropEdgeInk(inner, w, gb);
    const ib = inkBox(inner, w, h);
    if (ib) out.push(normalise(inner, w, ib));
  }
  return out;
}

/** Ink covers at least 90% of the box's outline: a frame around whatever is inside. */
function framedBy(ink: Float32Array, w: number, b: Box): boolean {
  let on = 0;
  let all = 0;
  for (let x = b.x; x < b.x + b.width; x++) {
    for (const y of [b.y, b.y + b.height - 1]) {
      all++;
      if (ink[y * w + x]! > 0.25) on++;
    }
  }
  for (let y = b.y + 1; y < b.y + b.height - 1; y++) {
    for (const x of [b.x, b.x + b.width - 1]) {
      all++;
      if (ink[y * w + x]! > 0.25) on++;
    }
  }
  return on >= 0.9 * all;
}

/** Zeroes 8-connected ink (> 0.25) that reaches the edge of `r` (within the crop): borders, neighbours. */
function dropEdgeInk(ink: Float32Array, w: number, r: Box): void {
  const h = ink.length / w;
  const stack: number[] = [];
  const seen = new Uint8Array(w * h);
  const push = (i: number): void => {
    if (!seen[i] && ink[i]! > 0.25) {
      seen[i] = 1;
      stack.push(i);
    }
  };
  const x1 = r.x + r.width - 1;
  const y1 = r.y + r.height - 1;
  for (let x = r.x; x <= x1; x++) {
    push(r.y * w + x);
    push(y1 * w + x);
  }
  for (let y = r.y; y <= y1; y++) {
    push(y * w + r.x);
    push(y * w + x1);
  }
  while (stack.length > 0) {
    const i = stack.pop()!;
    ink[i] = 0;
    const x = i % w;
    const y = (i - x) / w;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx >= r.x && ny >= r.y && nx <= x1 && ny <= y1) push(ny * w + nx);
      }
    }
  }
}

function inkBox(ink: Float32Array, w: number, h: number): Box | undefined {
  let x0 = w,
    y0 = h,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (ink[y * w + x]! > 0.25) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0 || Math.max(x1 - x0, y1 - y0) < 3) return undefined;
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Samples the glyph's square on the grid (4×4 bilinear taps per cell), blurs, normalises. */
function normalise(ink: Float32Array, w: number, gb: Box): GlyphFeature {
  const side = Math.max(gb.width, gb.height);
  const ox = gb.x + (gb.width - side) / 2;
  const oy = gb.y + (gb.height - side) / 2;
  const h = ink.length / w;
  const at = (x: number, y: number): number => {
    const xi = Math.floor(x);
    const yi = Math.floor(y);
    if (xi < 0 || yi < 0 || xi >= w || yi >= h) return 0;
    return ink[yi * w + xi]!;
  };
  const grid = new Float32Array(GRID * GRID);
  const cell = side / GRID;
  for (let j = 0; j < GRID; j++) {
    for (let i = 0; i < GRID; i++) {
      let s = 0;
      for (let v = 0; v < 4; v++)
        for (let u = 0; u < 4; u++) s += at(ox + (i + (u + 0.5) / 4) * cell, oy + (j + (v + 0.5) / 4) * cell);
      grid[j * GRID + i] = s / 16;
    }
  }
  const out = new Float32Array(GRID * GRID);
  for (let j = 0; j < GRID; j++) {
    for (let i = 0; i < GRID; i++) {
      let s = 0;
      let n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const x = i + dx;
          const y = j + dy;
          if (x < 0 || y < 0 || x >= GRID || y >= GRID) continue;
          const wgt = dx === 0 && dy === 0 ? 4 : dx === 0 || dy === 0 ? 2 : 1;
          s += grid[y * GRID + x]! * wgt;
          n += wgt;
        }
      }
      out[j * GRID + i] = s / n;
    }
  }
  let mean = 0;
  for (const v of out) mean += v;
  mean /= out.length;
  let norm = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = out[i]! - mean;
    norm += out[i]! * out[i]!;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / norm;
  return out;
}

export function correlate(a: GlyphFeature, b: GlyphFeature): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
