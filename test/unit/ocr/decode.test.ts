import { describe, expect, it } from 'vitest';
import { ctcDecode, splitWords } from '../../../src/perception/ocr/ctc.js';
import { boxesFromProbability } from '../../../src/perception/ocr/detect.js';
import { readingOrder } from '../../../src/perception/ocr/order.js';
import type { OcrLine } from '../../../src/perception/ocr/index.js';

const LABELS = ['', 'a', 'b', 'c', ' '];

/** A [T, C] softmax-like row where step t is sure of class `classes[t]`. */
function steps(classes: number[], sure = 0.9): Float32Array {
  const out = new Float32Array(classes.length * LABELS.length).fill((1 - sure) / (LABELS.length - 1));
  classes.forEach((c, t) => (out[t * LABELS.length + c] = sure));
  return out;
}

describe('CTC decoding with alignment', () => {
  it('merges repeats, drops blanks, keeps a blank-separated double letter, and keeps the time steps', () => {
    //            a  a  _  a  b  _  _  _  c
    const probs = steps([1, 1, 0, 1, 2, 0, 4, 0, 3]);
    const chars = ctcDecode(probs, 0, 9, LABELS.length, LABELS);
    expect(chars.map((c) => c.text).join('')).toBe('aab c');
    expect(chars.map((c) => [c.firstStep, c.lastStep])).toEqual([
      [0, 1],
      [3, 3],
      [4, 4],
      [6, 6],
      [8, 8],
    ]);
    expect(chars[0]!.prob).toBeCloseTo(0.9);
  });

  it('reads one row of a batch from its offset', () => {
    const batch = new Float32Array([...steps([2, 0, 3]), ...steps([1, 4, 1])]);
    const second = ctcDecode(batch, 3 * LABELS.length, 3, LABELS.length, LABELS);
    expect(second.map((c) => c.text).join('')).toBe('a a');
  });

  it('splits words at spaces and ignores leading, trailing and repeated spaces', () => {
    const chars = ctcDecode(steps([4, 1, 2, 4, 0, 4, 3, 4]), 0, 8, LABELS.length, LABELS);
    expect(splitWords(chars).map((w) => w.map((c) => c.text).join(''))).toEqual(['ab', 'c']);
  });
});

describe('DB post-processing', () => {
  const settings = { maxSide: 1920, textThreshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5 };

  function map(
    width: number,
    height: number,
    kernels: { x: number; y: number; w: number; h: number; p: number }[],
  ): Float32Array {
    const prob = new Float32Array(width * height);
    for (const k of kernels) {
      for (let y = k.y; y < k.y + k.h; y++) for (let x = k.x; x < k.x + k.w; x++) prob[y * width + x] = k.p;
    }
    return prob;
  }

  it('turns each text kernel into a box grown by area * ratio / perimeter, and drops weak or tiny ones', () => {
    const prob = map(100, 40, [
      { x: 10, y: 10, w: 30, h: 6, p: 0.9 },
      { x: 60, y: 10, w: 30, h: 6, p: 0.45 }, // above the pixel threshold but a weak box
      { x: 60, y: 30, w: 2, h: 2, p: 0.95 }, // too small to be text
    ]);
    const boxes = boxesFromProbability(prob, 100, 100, 40, settings);
    expect(boxes).toHaveLength(1);
    const grow = (30 * 6 * 1.5) / (2 * 36);
    expect(boxes[0]!.box.x).toBeCloseTo(10 - grow);
    expect(boxes[0]!.box.width).toBeCloseTo(30 + 2 * grow);
    expect(boxes[0]!.box.height).toBeCloseTo(6 + 2 * grow);
    expect(boxes[0]!.score).toBeCloseTo(0.9);
  });

  it('ignores the padding columns to the right of the image', () => {
    const prob = map(64, 20, [{ x: 40, y: 5, w: 20, h: 6, p: 0.9 }]);
    expect(boxesFromProbability(prob, 64, 32, 20, settings)).toHaveLength(0);
  });
});

describe('reading order', () => {
  const line = (text: string, x: number, y: number, height = 14): OcrLine => ({
    text,
    box: { x, y, width: 60, height },
    confidence: 1,
    words: [],
  });

  it('reads rows top to bottom and, within a row, left to right despite baseline jitter', () => {
    const ordered = readingOrder([
      line('Due', 300, 81),
      line('Date', 300, 40),
      line('Total', 10, 79),
      line('Name', 10, 42),
    ]);
    expect(ordered.map((l) => l.text)).toEqual(['Name', 'Date', 'Total', 'Due']);
  });
});
