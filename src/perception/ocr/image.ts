import type { Box } from '../../shared/geometry.js';
import type { OcrImage } from './types.js';

/**
 * Pixel work for the OCR models, in plain typed arrays: resizing and normalising straight into
 * the planar float tensor the model reads saves a copy per stage compared with going through
 * sharp, and keeps OCR usable on frames that never were PNGs.
 */

/** An integer rectangle of source pixels. */
export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Per-channel normalisation in tensor channel order: value = (byte * scale[c]) - shift[c]. */
export interface Normalisation {
  /** Which RGBA byte feeds tensor channel 0, 1, 2 (PaddleOCR models read BGR: [2, 1, 0]). */
  source: readonly [number, number, number];
  scale: readonly [number, number, number];
  shift: readonly [number, number, number];
}

/** The destination: a planar [3, planeHeight, planeWidth] block inside a float tensor. */
export interface PlaneTarget {
  data: Float32Array;
  offset: number;
  planeWidth: number;
  planeHeight: number;
}

/** Clamps a box to the image and rounds it outwards to whole pixels. */
export function clampRect(box: Box, width: number, height: number): PixelRect {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(width, Math.ceil(box.x + box.width));
  const y1 = Math.min(height, Math.ceil(box.y + box.height));
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

/**
 * Bilinear resize of `rect` of `image` to `outWidth` x `outHeight`, normalised, written at the
 * top-left of the target planes. Uses OpenCV's half-pixel centres, as the models were trained
 * on cv2.resize output. `rect` may reach past `bounds` (default: the whole image): the edge
 * pixels are repeated there, so text touching the edge still gets the margin the recogniser
 * was trained with.
 */
export function resizeIntoPlanes(
  image: OcrImage,
  rect: PixelRect,
  outWidth: number,
  outHeight: number,
  norm: Normalisation,
  target: PlaneTarget,
  bounds: PixelRect = { x: 0, y: 0, width: image.width, height: image.height },
): void {
  const { data: src, width: srcStride } = image;
  const { data: out, offset, planeWidth, planeHeight } = target;
  const plane = planeWidth * planeHeight;
  const [c0, c1, c2] = norm.source;
  const [s0, s1, s2] = norm.scale;
  const [h0, h1, h2] = norm.shift;
  const fx = rect.width / outWidth;
  const fy = rect.height / outHeight;
  const xs0 = new Int32Array(outWidth);
  const xs1 = new Int32Array(outWidth);
  const wx = new Float32Array(outWidth);
  const left = bounds.x;
  const right = bounds.x + bounds.width - 1;
  const top = bounds.y;
  const bottom = bounds.y + bounds.height - 1;
  for (let x = 0; x < outWidth; x++) {
    const sx = Math.min(Math.max((x + 0.5) * fx - 0.5, 0), rect.width - 1);
    const i = Math.floor(sx);
    xs0[x] = clamp(rect.x + i, left, right) * 4;
    xs1[x] = clamp(rect.x + Math.min(i + 1, rect.width - 1), left, right) * 4;
    wx[x] = sx - i;
  }
  for (let y = 0; y < outHeight; y++) {
    const sy = Math.min(Math.max((y + 0.5) * fy - 0.5, 0), rect.height - 1);
    const j = Math.floor(sy);
    const wy = sy - j;
    const row0 = clamp(rect.y + j, top, bottom) * srcStride * 4;
    const row1 = clamp(rect.y + Math.min(j + 1, rect.height - 1), top, bottom) * srcStride * 4;
    const o = offset + y * planeWidth;
    for (let x = 0; x < outWidth; x++) {
      const a = row0 + xs0[x]!;
      const b = row0 + xs1[x]!;
      const c = row1 + xs0[x]!;
      const d = row1 + xs1[x]!;
      const w = wx[x]!;
      const wa = (1 - w) * (1 - wy);
      const wb = w * (1 - wy);
      const wc = (1 - w) * wy;
      const wd = w * wy;
      out[o + x] = (src[a + c0]! * wa + src[b + c0]! * wb + src[c + c0]! * wc + src[d + c0]! * wd) * s0 - h0;
      out[o + plane + x] =
        (src[a + c1]! * wa + src[b + c1]! * wb + src[c + c1]! * wc + src[d + c1]! * wd) * s1 - h1;
      out[o + 2 * plane + x] =
        (src[a + c2]! * wa + src[b + c2]! * wb + src[c + c2]! * wc + src[d + c2]! * wd) * s2 - h2;
    }
  }
}

/** Copies `rect` of `image` without resizing (the detector's full-resolution path: 3x faster). */
export function copyIntoPlanes(
  image: OcrImage,
  rect: PixelRect,
  norm: Normalisation,
  target: PlaneTarget,
): void {
  const { data: src, width: srcStride } = image;
  const { data: out, offset, planeWidth, planeHeight } = target;
  const plane = planeWidth * planeHeight;
  const [c0, c1, c2] = norm.source;
  const [s0, s1, s2] = norm.scale;
  const [h0, h1, h2] = norm.shift;
  for (let y = 0; y < rect.height; y++) {
    let i = ((rect.y + y) * srcStride + rect.x) * 4;
    const o = offset + y * planeWidth;
    for (let x = 0; x < rect.width; x++, i += 4) {
      out[o + x] = src[i + c0]! * s0 - h0;
      out[o + plane + x] = src[i + c1]! * s1 - h1;
      out[o + 2 * plane + x] = src[i + c2]! * s2 - h2;
    }
  }
}

/**
 * Luminance (0..255) of `rect`, row-major; used to snap word boxes to their ink. Outside
 * `bounds` the edge pixels repeat, as in resizeIntoPlanes.
 */
export function luminance(
  image: OcrImage,
  rect: PixelRect,
  bounds: PixelRect = { x: 0, y: 0, width: image.width, height: image.height },
): Uint8Array {
  const out = new Uint8Array(rect.width * rect.height);
  const src = image.data;
  for (let y = 0; y < rect.height; y++) {
    const row = clamp(rect.y + y, bounds.y, bounds.y + bounds.height - 1) * image.width;
    for (let x = 0; x < rect.width; x++) {
      const i = (row + clamp(rect.x + x, bounds.x, bounds.x + bounds.width - 1)) * 4;
      out[y * rect.width + x] = (src[i]! * 77 + src[i + 1]! * 150 + src[i + 2]! * 29) >> 8;
    }
  }
  return out;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Rounds a box outwards to whole pixels, without clamping it. */
export function outerRect(box: Box): PixelRect {
  const x = Math.floor(box.x);
  const y = Math.floor(box.y);
  return { x, y, width: Math.ceil(box.x + box.width) - x, height: Math.ceil(box.y + box.height) - y };
}
