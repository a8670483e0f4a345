import type { Box } from '../../shared/geometry.js';
import type { GrayImage } from './pixels.js';

/**
 * Connected regions of near-equal luminance, found on horizontal runs (run-length labelling with
 * union-find). Screens are mostly flat fills, so a 1280x800 frame has tens of thousands of runs
 * rather than a million pixels, which keeps this pass cheap in plain TypeScript.
 */
export interface Region {
  box: Box;
  /** Pixels in the region. */
  area: number;
  /** Luminance of the region (its first pixel; neighbours differ by at most the tolerance). */
  gray: number;
  /** Share of the bbox's four sides that the region itself covers, the smallest of the four. */
  sideCover: number;
}

export interface Labelling {
  regions: Region[];
  /** Per run: first pixel index, length and the region's index in `regions`. */
  runStart: Int32Array;
  runLength: Int32Array;
  runRegion: Int32Array;
  runCount: number;
}

function find(parent: Int32Array, i: number): number {
  let r = i;
  while (parent[r] !== r) r = parent[r]!;
  while (parent[i] !== r) {
    const next = parent[i]!;
    parent[i] = r;
    i = next;
  }
  return r;
}

/**
 * Labels the image. Neighbouring pixels (4-connected) whose luminance differs by at most `tol`
 * join the same region.
 */
export function labelRegions(g: GrayImage, tol: number): Labelling {
  const { width: w, height: h, data } = g;
  let cap = Math.max(1024, (w * h) >> 4);
  let start = new Int32Array(cap);
  let len = new Int32Array(cap);
  let parent = new Int32Array(cap);
  let n = 0;
  let prevFirst = 0;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const first = n;
    let x0 = 0;
    for (let x = 1; x <= w; x++) {
      if (x < w && Math.abs(data[row + x]! - data[row + x - 1]!) <= tol) continue;
      if (n === cap) {
        cap *= 2;
        start = grow(start, cap);
        len = grow(len, cap);
        parent = grow(parent, cap);
      }
      start[n] = row + x0;
      len[n] = x - x0;
      parent[n] = n;
      n++;
      x0 = x;
    }
    if (y > 0) joinRows(data, w, start, len, parent, prevFirst, first, n, tol);
    prevFirst = first;
  }
  return summarize(w, start, len, parent, n, data);
}

function grow(a: Int32Array<ArrayBuffer>, cap: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

/** Unions each run of the current row with the overlapping runs of the row above. */
function joinRows(
  data: Uint8Array,
  w: number,
  start: Int32Array,
  len: Int32Array,
  parent: Int32Array,
  a: number,
  b: number,
  end: number,
  tol: number,
): void {
  let i = a;
  let j = b;
  while (i < b && j < end) {
    const ax0 = start[i]! + w; // the run above, shifted down one row
    const ax1 = ax0 + len[i]!;
    const bx0 = start[j]!;
    const bx1 = bx0 + len[j]!;
    const lo = Math.max(ax0, bx0);
    if (lo < Math.min(ax1, bx1) && Math.abs(data[lo]! - data[lo - w]!) <= tol) {
      const ra = find(parent, i);
      const rb = find(parent, j);
      if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
    if (ax1 < bx1) i++;
    else j++;
  }
}

function summarize(
  w: number,
  start: Int32Array,
  len: Int32Array,
  parent: Int32Array,
  n: number,
  data: Uint8Array,
): Labelling {
  const index = new Int32Array(n).fill(-1);
  const runRegion = new Int32Array(n);
  const minX: number[] = [];
  const minY: number[] = [];
  const maxX: number[] = [];
  const maxY: number[] = [];
  const areas: number[] = [];
  const grays: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = find(parent, i);
    let k = index[r]!;
    const x = start[i]! % w;
    const y = (start[i]! - x) / w;
    const x1 = x + len[i]! - 1;
    if (k < 0) {
      k = index[r] = areas.length;
      minX.push(x);
      maxX.push(x1);
      minY.push(y);
      maxY.push(y);
      areas.push(0);
      grays.push(data[start[i]!]!);
    }
    runRegion[i] = k;
    areas[k]! += len[i]!;
    if (x < minX[k]!) minX[k] = x;
    if (x1 > maxX[k]!) maxX[k] = x1;
    if (y > maxY[k]!) maxY[k] = y;
  }
  // Second pass: how much of each side of its bbox a region covers (a rectangle covers all four).
  const m = areas.length;
  const top = new Float64Array(m);
  const bottom = new Float64Array(m);
  const left = new Float64Array(m);
  const right = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const k = runRegion[i]!;
    const x = start[i]! % w;
    const y = (start[i]! - x) / w;
    const x1 = x + len[i]! - 1;
    if (y === minY[k]) top[k]! += len[i]!;
    if (y === maxY[k]) bottom[k]! += len[i]!;
    if (x <= minX[k]! + 1) left[k]!++;
    if (x1 >= maxX[k]! - 1) right[k]!++;
  }
  const regions: Region[] = [];
  for (let k = 0; k < m; k++) {
    const bw = maxX[k]! - minX[k]! + 1;
    const bh = maxY[k]! - minY[k]! + 1;
    // Rounded corners cut up to a few pixels off each end of every side: do not count them.
    const cw = Math.max(1, bw - 2 * Math.min(3, Math.floor(bw / 6)));
    const ch = Math.max(1, bh - 2 * Math.min(3, Math.floor(bh / 6)));
    regions.push({
      box: { x: minX[k]!, y: minY[k]!, width: bw, height: bh },
      area: areas[k]!,
      gray: grays[k]!,
      sideCover: Math.min(1, top[k]! / cw, bottom[k]! / cw, left[k]! / ch, right[k]! / ch),
    });
  }
  return { regions, runStart: start, runLength: len, runRegion, runCount: n };
}
