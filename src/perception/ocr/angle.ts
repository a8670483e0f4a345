import * as ort from 'onnxruntime-node';
import { type Normalisation, resizeIntoPlanes } from './image.js';
import type { LineSource } from './recognize.js';
import type { OcrImage } from './types.js';

/**
 * The optional 0/180 degree line classifier (PaddleOCR's use_angle_cls). Input [N, 3, 48, 192],
 * output [N, 2] probabilities for (upright, upside down).
 */

const HEIGHT = 48;
const WIDTH = 192;
const FLIP_THRESHOLD = 0.9;
const NORM: Normalisation = { source: [2, 1, 0], scale: [2 / 255, 2 / 255, 2 / 255], shift: [1, 1, 1] };

/** Which lines read upside down, with PaddleOCR's 0.9 confidence threshold. */
export async function upsideDownLines(
  session: ort.InferenceSession,
  lines: readonly LineSource[],
  batchSize: number,
): Promise<boolean[]> {
  const flipped: boolean[] = [];
  for (let start = 0; start < lines.length; start += batchSize) {
    const batch = lines.slice(start, start + batchSize);
    const plane = HEIGHT * WIDTH;
    const data = new Float32Array(batch.length * 3 * plane);
    batch.forEach((line, row) => {
      const w = Math.min(
        WIDTH,
        Math.max(1, Math.ceil((HEIGHT * line.rect.width) / Math.max(1, line.rect.height))),
      );
      resizeIntoPlanes(
        line.image,
        line.rect,
        w,
        HEIGHT,
        NORM,
        {
          data,
          offset: row * 3 * plane,
          planeWidth: WIDTH,
          planeHeight: HEIGHT,
        },
        line.bounds,
      );
    });
    const input = new ort.Tensor('float32', data, [batch.length, 3, HEIGHT, WIDTH]);
    const outputs = await session.run({ [session.inputNames[0] ?? 'x']: input });
    const probs = outputs[session.outputNames[0] ?? '']?.data as Float32Array | undefined;
    batch.forEach((_, row) => flipped.push((probs?.[row * 2 + 1] ?? 0) > FLIP_THRESHOLD));
  }
  return flipped;
}

/** A copy of the line turned by 180 degrees, as a standalone image. */
export function rotatedLine(line: LineSource): LineSource {
  const { width, height } = line.rect;
  const { bounds } = line;
  const data = new Uint8Array(width * height * 4);
  const src = line.image.data;
  const at = (v: number, lo: number, size: number): number => Math.min(Math.max(v, lo), lo + size - 1);
  for (let y = 0; y < height; y++) {
    const row = at(line.rect.y + y, bounds.y, bounds.height) * line.image.width;
    for (let x = 0; x < width; x++) {
      const from = (row + at(line.rect.x + x, bounds.x, bounds.width)) * 4;
      const to = ((height - 1 - y) * width + (width - 1 - x)) * 4;
      data[to] = src[from]!;
      data[to + 1] = src[from + 1]!;
      data[to + 2] = src[from + 2]!;
      data[to + 3] = src[from + 3]!;
    }
  }
  const image: OcrImage = { width, height, data };
  const whole = { x: 0, y: 0, width, height };
  return { image, rect: whole, bounds: whole };
}
