import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  LINE_HEIGHT,
  MAX_BATCH_PADDING,
  recognizeLines,
  STEP_COLUMNS,
  type LineSource,
} from '../../../src/perception/ocr/recognize.js';

const LABELS = ['', 'a', ' '];

/** A recogniser stand-in that records the shape of each batch it is given and reads nothing. */
function recordingSession(): { session: ort.InferenceSession; shapes: number[][] } {
  const shapes: number[][] = [];
  const session = {
    inputNames: ['x'],
    outputNames: ['y'],
    run: (feeds: Record<string, ort.Tensor>) => {
      const [n = 0, , , width = 0] = feeds['x']!.dims;
      shapes.push([n, width]);
      const steps = width / STEP_COLUMNS;
      return Promise.resolve({
        y: new ort.Tensor('float32', new Float32Array(n * steps * LABELS.length), [n, steps, LABELS.length]),
      });
    },
  } as unknown as ort.InferenceSession;
  return { session, shapes };
}

/** Lines of the model's own height, so that each is read at `width` columns. */
function lines(widths: number[]): LineSource[] {
  const image = { width: 2000, height: LINE_HEIGHT, data: new Uint8Array(2000 * LINE_HEIGHT * 4).fill(255) };
  const bounds = { x: 0, y: 0, width: image.width, height: image.height };
  return widths.map((width) => ({ image, rect: { x: 0, y: 0, width, height: LINE_HEIGHT }, bounds }));
}

describe('recogniser batches', () => {
  it('does not pad short lines to a long line’s width: a long line goes alone', async () => {
    const { session, shapes } = recordingSession();
    // A terminal's first read: two short labels, a title and the prompt line.
    const read = await recognizeLines(session, lines([448, 40, 48, 120]), LABELS, 8);
    expect(read).toHaveLength(4);
    expect(shapes).toEqual([
      [2, 48],
      [1, 120],
      [1, 448],
    ]);
  });

  it('batches lines of near widths up to the batch size, within the padding allowed', async () => {
    const { session, shapes } = recordingSession();
    const widths = [64, 64, 72, 64, 64, 64, 64, 64, 64, 64];
    await recognizeLines(session, lines(widths), LABELS, 8);
    // Sorted by width: eight of 64 fill a batch, the last 64 goes with the 72.
    expect(shapes).toEqual([
      [8, 64],
      [2, 72],
    ]);
    const padding = shapes.reduce((sum, [n, w]) => sum + n! * w!, 0) - widths.reduce((a, b) => a + b, 0);
    expect(padding).toBeLessThanOrEqual(2 * MAX_BATCH_PADDING);
  });
});
