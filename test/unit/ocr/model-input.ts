import { fileURLToPath } from 'node:url';
import sharp, { type Region } from 'sharp';

/** The OCR bench screen (1280x800): an app window with menus, toolbar, form and text. */
export const BENCH_SCREEN = fileURLToPath(new URL('../../fixtures/ocr/screen-1280x800.png', import.meta.url));

const NORMALISATION = {
  // ImageNet mean and deviation, per BGR channel (detect.ts).
  detector: { mean: [0.406, 0.456, 0.485], std: [0.225, 0.224, 0.229] },
  // -1..1 (recognize.ts).
  recognizer: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
};

/**
 * The bench screen (or a region of it) resized to `width` x `height`, as an OCR model reads it:
 * three planes of BGR, normalised as detect.ts or recognize.ts does. For tests and benchmarks
 * that run the models themselves.
 */
export async function modelInput(
  kind: 'detector' | 'recognizer',
  width: number,
  height: number,
  region?: Region,
): Promise<Float32Array> {
  const image = sharp(BENCH_SCREEN).removeAlpha();
  const { data } = await (region ? image.extract(region) : image)
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { mean, std } = NORMALISATION[kind];
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++)
    for (let c = 0; c < 3; c++) out[c * plane + i] = (data[i * 3 + 2 - c]! / 255 - mean[c]!) / std[c]!;
  return out;
}
