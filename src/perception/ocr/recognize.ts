import * as ort from 'onnxruntime-node';
import { throwIfAborted } from '../../shared/errors.js';
import { ctcDecode, type DecodedChar } from './ctc.js';
import { type Normalisation, type PixelRect, resizeIntoPlanes } from './image.js';
import type { OcrImage } from './types.js';

/**
 * Line recognition with the PP-OCRv4 recogniser (SVTR-LCNet, CTC head). Input [N, 3, 48, W];
 * output [N, W/8, 6625] class probabilities, one time step per 8 columns of the line image.
 */

export const LINE_HEIGHT = 48;
/** Columns of the resized line image per output time step. */
export const STEP_COLUMNS = 8;

// (x / 255 - 0.5) / 0.5 on BGR bytes.
const RECOGNIZER_NORM: Normalisation = {
  source: [2, 1, 0],
  scale: [2 / 255, 2 / 255, 2 / 255],
  shift: [1, 1, 1],
};

export interface LineSource {
  image: OcrImage;
  /** The line's box; it may reach past `bounds`, where the edge pixels repeat. */
  rect: PixelRect;
  /** The part of the image that may be read. */
  bounds: PixelRect;
}

export interface RecognizedLine {
  chars: DecodedChar[];
  /** Source pixels per time step, along x. */
  stepWidth: number;
}

/** Width of a line once resized to the model's height, a whole number of time steps. */
function resizedWidth(rect: PixelRect): number {
  const w = Math.max(1, Math.round((LINE_HEIGHT * rect.width) / Math.max(1, rect.height)));
  return Math.ceil(w / STEP_COLUMNS) * STEP_COLUMNS;
}

/**
 * Most line-image columns one batch may hold (lines x padded width). The recogniser's memory
 * grows with the batch's columns (its output alone is 6625 floats per 8 columns, and attention
 * grows faster), and without ORT's arena every peak stays resident: a batch of eight
 * full-width lines cost ~150 MB. Short labels still go eight at a time.
 */
export const MAX_BATCH_COLUMNS = 2048;

/**
 * Most padding columns one batch may hold in all. The recogniser's time is linear in the batch's
 * columns, padding included, plus a cost per run: ~1 ms with 1 thread (~55 us a column), ~3 ms
 * with 2 (~32 us a column), about 96 columns. Batching lines only saves that per-run cost, and
 * padding a short line to a long one's width cost more: a terminal's first read in the sample
 * suite ran its 4 lines (the prompt, the title, the frame's buttons) as one batch padded to 448
 * columns each. With this limit the OCR fixture screens read the same text in 0.6-0.7x of the
 * time on an xterm screen and 0.92-0.95x on the 1280x800 app screen (2 threads).
 */
export const MAX_BATCH_PADDING = 96;

/**
 * Consecutive runs of `order` (sorted by width), at most `size` lines, MAX_BATCH_COLUMNS columns
 * and MAX_BATCH_PADDING columns of padding.
 */
function* batches(order: number[], widths: number[], size: number): Generator<number[]> {
  let batch: number[] = [];
  let columns = 0;
  for (const i of order) {
    // Sorted ascending, so the newest line is the widest and sets the padded width.
    const width = widths[i]!;
    const full = batch.length >= size || (batch.length + 1) * width > MAX_BATCH_COLUMNS;
    if (batch.length > 0 && (full || batch.length * width - columns > MAX_BATCH_PADDING)) {
      yield batch;
      batch = [];
      columns = 0;
    }
    batch.push(i);
    columns += width;
  }
  if (batch.length > 0) yield batch;
}

/**
 * Recognises lines in batches of similar width (sorted, so little of each batch is padding).
 * Results come back in the order of `lines`.
 */
export async function recognizeLines(
  session: ort.InferenceSession,
  lines: readonly LineSource[],
  labels: readonly string[],
  batchSize: number,
  signal?: AbortSignal,
): Promise<RecognizedLine[]> {
  const results: RecognizedLine[] = new Array<RecognizedLine>(lines.length);
  const widths = lines.map((l) => resizedWidth(l.rect));
  const order = lines.map((_, i) => i).sort((a, b) => widths[a]! - widths[b]!);
  for (const batch of batches(order, widths, batchSize)) {
    throwIfAborted(signal);
    // PaddleOCR pads every batch to at least 320 columns; on screens most lines are short
    // labels, so that padding tripled the work and changed no text in our samples.
    const width = Math.max(...batch.map((i) => widths[i]!));
    const plane = LINE_HEIGHT * width;
    const data = new Float32Array(batch.length * 3 * plane);
    batch.forEach((lineIndex, row) => {
      const line = lines[lineIndex]!;
      resizeIntoPlanes(
        line.image,
        line.rect,
        widths[lineIndex]!,
        LINE_HEIGHT,
        RECOGNIZER_NORM,
        {
          data,
          offset: row * 3 * plane,
          planeWidth: width,
          planeHeight: LINE_HEIGHT,
        },
        line.bounds,
      );
    });
    const input = new ort.Tensor('float32', data, [batch.length, 3, LINE_HEIGHT, width]);
    const outputs = await session.run({ [session.inputNames[0] ?? 'x']: input });
    const output = outputs[session.outputNames[0] ?? ''];
    if (!output) throw new Error('the recogniser returned no output');
    const [, steps = 0, classes = 0] = output.dims;
    const probs = output.data as Float32Array;
    batch.forEach((lineIndex, row) => {
      const line = lines[lineIndex]!;
      const lineWidth = widths[lineIndex]!;
      // Steps over the padding read nothing useful; stop at the line's own columns.
      const ownSteps = Math.min(steps, lineWidth / STEP_COLUMNS);
      results[lineIndex] = {
        chars: ctcDecode(probs, row * steps * classes, ownSteps, classes, labels),
        stepWidth: (STEP_COLUMNS * line.rect.width) / lineWidth,
      };
    });
  }
  return results;
}
