import * as ort from 'onnxruntime-node';
import type { Box } from '../../shared/geometry.js';
import { copyIntoPlanes, type Normalisation, type PixelRect, resizeIntoPlanes } from './image.js';
import type { OcrImage } from './types.js';

/**
 * Text detection with the PP-OCRv4 DB detector: it outputs a per-pixel text probability map of
 * the (shrunk) text kernels; DB post-processing turns that map into line boxes.
 */

export interface DetectorSettings {
  maxSide: number;
  textThreshold: number;
  boxThreshold: number;
  unclipRatio: number;
}

export interface DetectedBox {
  /** In image pixels. */
  box: Box;
  /** Mean text probability inside the unexpanded box. */
  score: number;
}

// ImageNet mean/std, applied to BGR bytes: PaddleOCR trains on cv2 images, so channel 0 is blue.
const MEAN = [0.485, 0.456, 0.406] as const;
const STD = [0.229, 0.224, 0.225] as const;
const DETECTOR_NORM: Normalisation = {
  source: [2, 1, 0],
  scale: [1 / (255 * STD[0]), 1 / (255 * STD[1]), 1 / (255 * STD[2])],
  shift: [MEAN[0] / STD[0], MEAN[1] / STD[1], MEAN[2] / STD[2]],
};
const MIN_SIZE = 3;
const MAX_CANDIDATES = 2000;

/**
 * Largest detector input, in pixels, run in one pass; taller screens are read in overlapping
 * horizontal bands. ORT runs without its arena, and glibc keeps the freed feature maps of a pass
 * resident: one pass over 1280x800 left ~90 MB behind, two bands of 1280x480 about a third of
 * that (engine RSS after one full read: 428-465 MB before, 311-340 MB with bands and smaller
 * recogniser batches). Bands see less context, so a few boxes move by a pixel or two (128 of
 * 984 boxes on 28 screens); text accuracy on the grounding set did not drop (97.3 -> 97.9%).
 */
export const DETECT_BAND_PIXELS = 1280 * 480;
/**
 * Rows (at detector scale) that neighbouring bands share. A line belongs to the band whose own
 * half of the overlap holds its centre, so any line under half this high is read whole once,
 * with 80 rows of context around it.
 */
export const BAND_OVERLAP = 160;

/** The detector's resize factor for an area: 1 unless its longer side exceeds `maxSide`. */
export function detectorScale(area: PixelRect, maxSide: number): number {
  return Math.min(1, maxSide / Math.max(area.width, area.height));
}

/**
 * Line boxes, in image pixels, of the text in `rect`. `scale` defaults to the one `rect` needs;
 * a read split into several rectangles passes the whole area's, so that each part sees the
 * text at the same size the whole-area read would.
 */
export async function detectText(
  session: ort.InferenceSession,
  image: OcrImage,
  rect: PixelRect,
  settings: DetectorSettings,
  scale = detectorScale(rect, settings.maxSide),
): Promise<DetectedBox[]> {
  const out: DetectedBox[] = [];
  for (const band of bands(rect, scale)) {
    const found = await detectPass(session, image, band.rect, scale, settings);
    for (const d of found) {
      const cy = d.box.y + d.box.height / 2;
      if (cy >= band.ownTop && cy < band.ownBottom) out.push(d);
    }
  }
  return out;
}

interface Band {
  rect: PixelRect;
  /** The rows (image pixels) whose line centres this band answers for. */
  ownTop: number;
  ownBottom: number;
}

/**
 * Horizontal bands of `rect`, each about DETECT_BAND_PIXELS at detector scale, and never under
 * three overlaps high (on very wide screens), so each band still owns rows of its own.
 */
export function bands(rect: PixelRect, scale: number): Band[] {
  const width = Math.max(1, Math.round(rect.width * scale));
  const rows = Math.max(3 * BAND_OVERLAP, Math.floor(DETECT_BAND_PIXELS / width / 32) * 32);
  const bandRows = Math.ceil(rows / scale);
  const overlap = Math.ceil(BAND_OVERLAP / scale);
  const end = rect.y + rect.height;
  if (rect.height <= bandRows) return [{ rect, ownTop: -Infinity, ownBottom: Infinity }];
  const out: Band[] = [];
  for (let top = rect.y; ; top += bandRows - overlap) {
    const y = Math.min(top, end - bandRows);
    const last = y + bandRows >= end;
    // The last band is pulled up to end at the image's edge, so it starts where the one before
    // it stops answering, not at its own overlap.
    out.push({
      rect: { x: rect.x, y, width: rect.width, height: bandRows },
      ownTop: out.at(-1)?.ownBottom ?? -Infinity,
      ownBottom: last ? Infinity : y + bandRows - overlap / 2,
    });
    if (last) return out;
  }
}

async function detectPass(
  session: ort.InferenceSession,
  image: OcrImage,
  rect: PixelRect,
  scale: number,
  settings: DetectorSettings,
): Promise<DetectedBox[]> {
  const width = Math.max(1, Math.round(rect.width * scale));
  const height = Math.max(1, Math.round(rect.height * scale));
  // Pad (rather than stretch, as PaddleOCR does) to the multiple of 32 the network needs, so
  // that x and y keep exactly the same scale.
  const planeWidth = Math.ceil(width / 32) * 32;
  const planeHeight = Math.ceil(height / 32) * 32;
  const data = new Float32Array(3 * planeWidth * planeHeight);
  const target = { data, offset: 0, planeWidth, planeHeight };
  if (scale === 1) copyIntoPlanes(image, rect, DETECTOR_NORM, target);
  else resizeIntoPlanes(image, rect, width, height, DETECTOR_NORM, target);

  const input = new ort.Tensor('float32', data, [1, 3, planeHeight, planeWidth]);
  const outputs = await session.run({ [session.inputNames[0] ?? 'x']: input });
  input.dispose();
  const output = outputs[session.outputNames[0] ?? ''];
  if (!output) return [];
  const prob = output.data as Float32Array;
  const boxes = boxesFromProbability(prob, planeWidth, width, height, settings);
  output.dispose();
  return boxes.map(({ box, score }) => ({
    box: {
      x: rect.x + box.x / scale,
      y: rect.y + box.y / scale,
      width: box.width / scale,
      height: box.height / scale,
    },
    score,
  }));
}

/**
 * DB post-processing, simplified for screens: text there is axis-aligned, so each connected
 * region of the thresholded map becomes its bounding rectangle (PaddleOCR fits a rotated
 * minimum-area rectangle and unclips its polygon with pyclipper; for an upright rectangle both
 * give the same result, grown by area * ratio / perimeter on every side).
 */
export function boxesFromProbability(
  prob: Float32Array,
  stride: number,
  width: number,
  height: number,
  settings: DetectorSettings,
): DetectedBox[] {
  const seen = new Uint8Array(stride * height);
  const stack = new Int32Array(stride * height);
  const found: DetectedBox[] = [];
  for (let start = 0; start < stride * height && found.length < MAX_CANDIDATES; start++) {
    if (seen[start] || prob[start]! <= settings.textThreshold || start % stride >= width) continue;
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    while (top > 0) {
      const p = stack[--top]!;
      const x = p % stride;
      const y = (p - x) / stride;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      // 8-connected, like cv2.findContours on the bitmap.
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * stride + nx;
          if (!seen[q] && prob[q]! > settings.textThreshold) {
            seen[q] = 1;
            stack[top++] = q;
          }
        }
      }
    }
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    if (Math.min(w, h) < MIN_SIZE) continue;
    const score = meanInRect(prob, stride, x0, y0, x1, y1);
    if (score < settings.boxThreshold) continue;
    const grow = (w * h * settings.unclipRatio) / (2 * (w + h));
    // Not clamped to the image: text touching the edge keeps its margin (edge pixels repeat).
    const box = { x: x0 - grow, y: y0 - grow, width: w + 2 * grow, height: h + 2 * grow };
    found.push({ box, score });
  }
  return found;
}

function meanInRect(
  prob: Float32Array,
  stride: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): number {
  let sum = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0, i = y * stride + x0; x <= x1; x++, i++) sum += prob[i]!;
  }
  return sum / ((x1 - x0 + 1) * (y1 - y0 + 1));
}
