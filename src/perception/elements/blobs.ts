import { boxUnion, type Box } from '../../shared/geometry.js';
import type { GrayImage } from './pixels.js';
import { labelRegions, type Labelling, type Region } from './regions.js';

/** A compact cluster of ink: a glyph, an icon, a word, a checkbox. */
export interface Blob {
  box: Box;
  /** Ink pixels in the cluster. */
  ink: number;
}

export interface BlobOptions {
  /** A region at least this large (pixels) or this long (px, either side) is background. */
  backgroundArea: number;
  backgroundSide: number;
  /** Clusters this close (px) side by side merge: letters of one word, strokes of one icon. */
  gapX: number;
  /** Clusters this close (px) one above the other merge: the bars of a hamburger menu. */
  gapY: number;
}

/** A region is "ink" when it is small: strokes, glyphs, anti-aliasing, small icons. */
function isInk(r: Region, o: BlobOptions): boolean {
  return r.area < o.backgroundArea && r.box.width <= o.backgroundSide && r.box.height <= o.backgroundSide;
}

/**
 * Ink clusters: pixels of small regions (everything that is not a large flat fill), grouped into
 * connected components, then merged when closer than `gap`, so that the three bars of a
 * hamburger menu or the letters of a word come out as one blob.
 */
export function findBlobs(g: GrayImage, lab: Labelling, o: BlobOptions): Blob[] {
  const mask = new Uint8Array(g.width * g.height);
  for (let i = 0; i < lab.runCount; i++) {
    const r = lab.regions[lab.runRegion[i]!]!;
    if (isInk(r, o)) mask.fill(255, lab.runStart[i], lab.runStart[i]! + lab.runLength[i]!);
  }
  const parts = labelRegions({ width: g.width, height: g.height, data: mask }, 0).regions.filter(
    (r) => r.gray === 255,
  );
  return mergeClose(
    parts.map((r) => ({ box: r.box, ink: r.area })),
    o.gapX,
    o.gapY,
  );
}

/** Union-find over boxes closer than the gaps; a sweep on x keeps it near-linear on real screens. */
export function mergeClose(blobs: Blob[], gapX: number, gapY: number): Blob[] {
  const items = blobs.slice().sort((a, b) => a.box.x - b.box.x);
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  // Boxes grow as they merge, so repeat until nothing changes (usually two rounds).
  let boxes = items.map((b) => ({ ...b.box }));
  for (let round = 0; round < 4; round++) {
    let changed = false;
    const order = boxes.map((_, i) => i).sort((a, b) => boxes[a]!.x - boxes[b]!.x);
    for (let a = 0; a < order.length; a++) {
      const A = boxes[order[a]!]!;
      for (let b = a + 1; b < order.length; b++) {
        const B = boxes[order[b]!]!;
        if (B.x > A.x + A.width + gapX) break;
        if (B.y > A.y + A.height + gapY || A.y > B.y + B.height + gapY) continue;
        if (framed(A, B) || framed(B, A)) continue;
        const ra = find(order[a]!);
        const rb = find(order[b]!);
        if (ra !== rb) {
          parent[rb] = ra;
          changed = true;
        }
      }
    }
    const grown = new Map<number, Box>();
    boxes.forEach((b, i) => {
      const r = find(i);
      const u = grown.get(r);
      grown.set(r, u ? boxUnion(u, b) : { ...b });
    });
    boxes = boxes.map((_, i) => grown.get(find(i))!);
    if (!changed) break;
  }
  const out = new Map<number, Blob>();
  items.forEach((item, i) => {
    const r = find(i);
    const o = out.get(r);
    if (o) o.ink += item.ink;
    else out.set(r, { box: boxes[i]!, ink: item.ink });
  });
  return [...out.values()];
}

/** `inner` sits well inside `outer` (a glyph on a bordered button face): two things, not one. */
function framed(inner: Box, outer: Box): boolean {
  const m = 4;
  return (
    inner.x >= outer.x + m &&
    inner.y >= outer.y + m &&
    inner.x + inner.width <= outer.x + outer.width - m &&
    inner.y + inner.height <= outer.y + outer.height - m
  );
}
