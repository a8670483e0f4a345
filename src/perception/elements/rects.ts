import type { Box } from '../../shared/geometry.js';
import { area, lineMedian, type GrayImage } from './pixels.js';
import type { Region } from './regions.js';

/** A filled or bordered rectangle on screen: a button face, a field, a checkbox. */
export interface Rect {
  /** Outer box, border included, frame pixels. */
  box: Box;
  /** Border thickness found around the flat inside (0 when the face has none). */
  border: number;
  /** Luminance inside. */
  fill: number;
  /** How rectangular the region is, 0..1. */
  score: number;
}

export interface RectOptions {
  minSide: number;
  maxHeight: number;
  /** Largest share of the frame a rectangle may cover (larger ones are windows and panels). */
  maxShare: number;
  /** Smallest share of each bbox side the region must cover. */
  minSideCover: number;
}

/**
 * Rectangles are regions that fill the four sides of their own bounding box: the flat inside
 * of a field or button (text holes do not matter), or the ring of a border. Each is grown by the
 * border found around it and nested near-copies (border ring and inside) are folded together.
 */
export function findRects(g: GrayImage, regions: Region[], o: RectOptions): Rect[] {
  const maxArea = o.maxShare * g.width * g.height;
  const out: Rect[] = [];
  for (const r of regions) {
    const b = r.box;
    if (b.width < o.minSide || b.height < o.minSide || b.height > o.maxHeight || area(b) > maxArea) continue;
    if (r.sideCover < o.minSideCover) continue;
    // A thin line is a separator, not a face.
    if (r.area < 0.15 * area(b) && r.area < 2 * (b.width + b.height) * 0.8) continue;
    const border = borderWidth(g, b, r.gray);
    const box = {
      x: b.x - border,
      y: b.y - border,
      width: b.width + 2 * border,
      height: b.height + 2 * border,
    };
    out.push({ box, border, fill: r.gray, score: r.sideCover });
  }
  return foldNested(out);
}

/**
 * How far a border extends outside the inside box: lines whose median differs from what lies
 * beyond (the surroundings, read 6 px out). Up to 4 px, the widest common border.
 */
function borderWidth(g: GrayImage, b: Box, inside: number): number {
  const sides = [
    (k: number) => lineMedian(g, b.x, b.y - k, 1, 0, b.width),
    (k: number) => lineMedian(g, b.x, b.y + b.height - 1 + k, 1, 0, b.width),
    (k: number) => lineMedian(g, b.x - k, b.y, 0, 1, b.height),
    (k: number) => lineMedian(g, b.x + b.width - 1 + k, b.y, 0, 1, b.height),
  ];
  let best = 4;
  for (const side of sides) {
    const outside = side(6);
    let k = 0;
    while (k < 4) {
      const v = side(k + 1);
      if (v < 0 || outside < 0 || Math.abs(v - outside) <= 8) break;
      if (Math.abs(v - inside) <= 3 && k === 0) break;
      k++;
    }
    best = Math.min(best, k);
  }
  return best;
}

/** Two boxes are the same element when each side is within `slack` px. */
function sameBox(a: Box, b: Box, slack: number): boolean {
  return (
    Math.abs(a.x - b.x) <= slack &&
    Math.abs(a.y - b.y) <= slack &&
    Math.abs(a.x + a.width - b.x - b.width) <= slack &&
    Math.abs(a.y + a.height - b.y - b.height) <= slack
  );
}

/** Keeps the outermost of near-identical boxes (border ring + inside, or a 2-tone border). */
function foldNested(rects: Rect[]): Rect[] {
  const sorted = rects.slice().sort((a, b) => area(b.box) - area(a.box));
  const kept: Rect[] = [];
  for (const r of sorted) {
    const twin = kept.find((k) => sameBox(k.box, r.box, 4));
    if (!twin) kept.push(r);
    else if (twin.border === 0 && r.border > 0) twin.border = r.border;
  }
  return kept;
}
