import type { Box } from '../../shared/geometry.js';

/** A one-channel image: luminance 0..255, row-major, no padding. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** RGBA → luminance (integer Rec. 601 weights: fast and good enough to see UI structure). */
export function toGray(rgba: { width: number; height: number; data: Uint8Array }): GrayImage {
  const n = rgba.width * rgba.height;
  const src = rgba.data;
  const out = new Uint8Array(n);
  for (let i = 0, s = 0; i < n; i++, s += 4) {
    out[i] = (src[s]! * 77 + src[s + 1]! * 150 + src[s + 2]! * 29) >> 8;
  }
  return { width: rgba.width, height: rgba.height, data: out };
}

/** Median of the pixels of one row segment or column segment, clipped to the image; -1 when empty. */
export function lineMedian(
  g: GrayImage,
  x0: number,
  y0: number,
  dx: number,
  dy: number,
  len: number,
): number {
  const hist = new Uint32Array(256);
  let count = 0;
  for (let k = 0; k < len; k++) {
    const x = x0 + dx * k;
    const y = y0 + dy * k;
    if (x < 0 || y < 0 || x >= g.width || y >= g.height) continue;
    hist[g.data[y * g.width + x]!]!++;
    count++;
  }
  if (count === 0) return -1;
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += hist[v]!;
    if (acc * 2 >= count) return v;
  }
  return 255;
}

export function area(b: Box): number {
  return b.width * b.height;
}

export function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** True when `inner` lies inside `outer`, allowing `slack` pixels on every side. */
export function inside(inner: Box, outer: Box, slack = 0): boolean {
  return (
    inner.x >= outer.x - slack &&
    inner.y >= outer.y - slack &&
    inner.x + inner.width <= outer.x + outer.width + slack &&
    inner.y + inner.height <= outer.y + outer.height + slack
  );
}

export function pad(b: Box, p: number, w: number, h: number): Box {
  const x = Math.max(0, b.x - p);
  const y = Math.max(0, b.y - p);
  return { x, y, width: Math.min(w, b.x + b.width + p) - x, height: Math.min(h, b.y + b.height + p) - y };
}
