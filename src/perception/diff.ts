import type { Box } from '../shared/geometry.js';
import type { Frame } from '../shared/ports.js';
import { packedBgraOf } from './frame.js';

export interface DiffOptions {
  /** A pixel counts as changed when any channel differs by more than this (0–255). Default 24. */
  threshold?: number;
  /** Regions whose box is smaller than this many frame pixels are ignored (caret blinks). */
  minArea?: number;
  /** Tile side in frame pixels; changes are found per tile, then tiles are merged. Default 16. */
  tile?: number;
}

export interface ChangedRegion {
  /** Frame pixels. */
  box: Box;
  /** The same area in desktop (logical) coordinates. */
  desktop: Box;
  tiles: number;
}

export interface FrameDiff {
  changed: boolean;
  regions: ChangedRegion[];
  changedTiles: number;
  totalTiles: number;
}

/**
 * What changed between two frames of the same area, as boxes. Works on a grid of tiles so
 * that one moving caret or a repainted button is one box, not thousands of pixels; touching
 * changed tiles (8-neighbourhood) merge into one region. Frames of different sizes differ
 * everywhere.
 */
export function diffFrames(a: Frame, b: Frame, options: DiffOptions = {}): FrameDiff {
  const tile = Math.max(1, Math.floor(options.tile ?? 16));
  const cols = Math.ceil(b.width / tile);
  const rows = Math.ceil(b.height / tile);
  const grid = new Uint8Array(cols * rows);
  if (a.width !== b.width || a.height !== b.height) grid.fill(1);
  else {
    // Both raw grabs when there are: same channels in another order, and no conversion needed.
    const rawA = packedBgraOf(a);
    const rawB = rawA && packedBgraOf(b);
    const [pa, pb] = rawA && rawB ? [rawA, rawB] : [a.data, b.data];
    markChangedTiles(pa, pb, b.width, b.height, tile, cols, options.threshold ?? 24, grid);
  }
  const regions = mergeTiles(grid, cols, rows, tile, b, options.minArea ?? 0);
  let changedTiles = 0;
  for (const v of grid) changedTiles += v;
  return { changed: regions.length > 0, regions, changedTiles, totalTiles: cols * rows };
}

function markChangedTiles(
  a: Uint8Array,
  b: Uint8Array,
  width: number,
  height: number,
  tile: number,
  cols: number,
  threshold: number,
  grid: Uint8Array,
): void {
  // A still screen is the common case (waitForSettle): the same grab again, or one memcmp.
  if (a === b) return;
  if (Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))) return;
  // Otherwise compare whole pixels as 32-bit words where the buffers allow it, and look at
  // channels only for pixels that differ; the rest of a tile is skipped once it is marked.
  const aligned = a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0;
  const a32 = aligned ? new Uint32Array(a.buffer, a.byteOffset, width * height) : null;
  const b32 = aligned ? new Uint32Array(b.buffer, b.byteOffset, width * height) : null;
  for (let y = 0; y < height; y++) {
    const gridRow = Math.floor(y / tile) * cols;
    const rowStart = y * width;
    for (let x = 0; x < width; x++) {
      const p = rowStart + x;
      if (a32 && b32 && a32[p] === b32[p]) continue;
      const tx = Math.floor(x / tile);
      if (grid[gridRow + tx]) {
        x = Math.min(width, (tx + 1) * tile) - 1;
        continue;
      }
      const i = p * 4;
      if (
        Math.abs(a[i]! - b[i]!) > threshold ||
        Math.abs(a[i + 1]! - b[i + 1]!) > threshold ||
        Math.abs(a[i + 2]! - b[i + 2]!) > threshold
      ) {
        grid[gridRow + tx] = 1;
        x = Math.min(width, (tx + 1) * tile) - 1;
      }
    }
  }
}

function mergeTiles(grid: Uint8Array, cols: number, rows: number, tile: number, frame: Frame, minArea: number): ChangedRegion[] {
  const seen = new Uint8Array(grid.length);
  const regions: ChangedRegion[] = [];
  const sx = frame.desktopBounds.width / frame.width;
  const sy = frame.desktopBounds.height / frame.height;
  for (let start = 0; start < grid.length; start++) {
    if (!grid[start] || seen[start]) continue;
    let minC = cols, minR = rows, maxC = -1, maxR = -1, count = 0;
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const cell = stack.pop()!;
      const c = cell % cols;
      const r = (cell - c) / cols;
      count++;
      minC = Math.min(minC, c); maxC = Math.max(maxC, c);
      minR = Math.min(minR, r); maxR = Math.max(maxR, r);
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          const nr = r + dr;
          const nc = c + dc;
          if (nr < 0 || nc < 0 || nr >= rows || nc >= cols) continue;
          const n = nr * cols + nc;
          if (grid[n] && !seen[n]) {
            seen[n] = 1;
            stack.push(n);
          }
        }
      }
    }
    const x = minC * tile;
    const y = minR * tile;
    const box = { x, y, width: Math.min(frame.width, (maxC + 1) * tile) - x, height: Math.min(frame.height, (maxR + 1) * tile) - y };
    if (box.width * box.height < minArea) continue;
    const desktop = {
      x: frame.desktopBounds.x + box.x * sx,
      y: frame.desktopBounds.y + box.y * sy,
      width: box.width * sx,
      height: box.height * sy,
    };
    regions.push({ box, desktop, tiles: count });
  }
  return regions;
}
