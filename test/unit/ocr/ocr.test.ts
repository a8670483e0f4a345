import { afterAll, describe, expect, it } from 'vitest';
import { Aborted } from '../../../src/shared/errors.js';
import { createOcr, loadedModelCount, OcrError, type OcrResult } from '../../../src/perception/ocr/index.js';
import { edgeError, type LineSpec, renderText } from './render.js';

const ocr = createOcr();
afterAll(() => ocr.dispose());

// Ink boxes from our threshold and from sharp's trim may differ by an anti-aliased pixel or two.
const EDGE_TOLERANCE = 2;

function wordsOf(
  result: OcrResult,
): { text: string; box: { x: number; y: number; width: number; height: number }; confidence: number }[] {
  return result.lines.flatMap((l) => l.words);
}

/** Levenshtein distance: the model may misread one character (e.g. "ll" as "l") on tiny text. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The line reads as rendered, give or take one character; every word but at most one comes
 * back as its own word (spaces kept) with a box on its ink and a high confidence.
 */
async function expectReads(spec: LineSpec, colours: { fg: string; bg: string }): Promise<void> {
  const rendered = await renderText([spec], { width: 640, height: spec.size * 3, ...colours });
  const result = await ocr.recognize(rendered.image);
  expect(result.lines).toHaveLength(1);
  const line = result.lines[0]!;
  const expectedText = spec.words.join(' ');
  expect(distance(line.text, expectedText), `read "${line.text}"`).toBeLessThanOrEqual(1);
  expect(line.confidence).toBeGreaterThan(0.9);
  const truth = rendered.lines[0]!;
  const found = truth.filter((t) => {
    const word = line.words.find((w) => distance(w.text, t.text) <= 1);
    if (!word) return false;
    expect(
      edgeError(word.box, t.box),
      `box of "${word.text}": ${JSON.stringify(word.box)} vs ${JSON.stringify(t.box)}`,
    ).toBeLessThanOrEqual(EDGE_TOLERANCE);
    expect(word.confidence).toBeGreaterThan(0.8);
    return true;
  });
  expect(found.length, `words of "${line.text}"`).toBeGreaterThanOrEqual(truth.length - 1);
}

describe('OCR on rendered text', () => {
  const sentences = [
    ['Save', 'As...', '(Ctrl+S)'],
    ['The', 'quick', 'brown', 'fox', 'jumps'],
    ['Email', 'address:', 'billing@acme.example'],
  ];
  const schemes = {
    'dark on light': { fg: '#111111', bg: '#ffffff' },
    'light on dark': { fg: '#e8e8e8', bg: '#23262b' },
  };
  for (const size of [12, 16, 24]) {
    for (const [name, colours] of Object.entries(schemes)) {
      for (const words of sentences) {
        it(`reads "${words.join(' ')}" at ${size}px, ${name}, with a box per word`, async () => {
          await expectReads({ words, x: 10, y: Math.round(size * 1.8), size }, colours);
        });
      }
    }
  }

  it('reads several lines in reading order, two labels of one row left to right', async () => {
    const rendered = await renderText(
      [
        { words: ['Invoice', 'date'], x: 320, y: 40, size: 14 },
        { words: ['Customer', 'name'], x: 20, y: 41, size: 14 },
        { words: ['Total', 'due', '3,565.00'], x: 20, y: 90, size: 14 },
        { words: ['Settings'], x: 20, y: 140, size: 20, weight: 'bold' },
      ],
      { width: 640, height: 180 },
    );
    const result = await ocr.recognize(rendered.image);
    expect(result.lines.map((l) => l.text)).toEqual([
      'Customer name',
      'Invoice date',
      'Total due 3,565.00',
      'Settings',
    ]);
  });

  it('reads only the requested region and reports boxes in frame pixels', async () => {
    const rendered = await renderText(
      [
        { words: ['Left', 'panel'], x: 20, y: 40, size: 16 },
        { words: ['Right', 'panel'], x: 400, y: 40, size: 16 },
      ],
      { width: 640, height: 80 },
    );
    const result = await ocr.recognize(rendered.image, { region: { x: 380, y: 0, width: 260, height: 80 } });
    expect(result.lines.map((l) => l.text)).toEqual(['Right panel']);
    const right = rendered.lines[1]!;
    wordsOf(result).forEach((word, i) => {
      expect(edgeError(word.box, right[i]!.box)).toBeLessThanOrEqual(EDGE_TOLERANCE);
    });
  });

  it('finds nothing on a blank screen', async () => {
    const rendered = await renderText([], { width: 320, height: 200 });
    expect((await ocr.recognize(rendered.image)).lines).toEqual([]);
  });

  it('stops with Aborted when the signal has fired', async () => {
    const rendered = await renderText([{ words: ['Cancel'], x: 10, y: 30, size: 16 }], {
      width: 200,
      height: 50,
    });
    const controller = new AbortController();
    controller.abort();
    await expect(ocr.recognize(rendered.image, { signal: controller.signal })).rejects.toBeInstanceOf(
      Aborted,
    );
  });

  it('rejects pixels that are not RGBA of the stated size, saying what it expected', async () => {
    const bad = { width: 10, height: 10, data: new Uint8Array(10 * 10 * 3) };
    await expect(ocr.recognize(bad)).rejects.toThrow(OcrError);
    await expect(ocr.recognize(bad)).rejects.toThrow(/10x10 image must have 400 bytes, got 300/);
  });
});

describe('OCR model lifetime and options', () => {
  it('shares the sessions between instances and releases them with the last one', async () => {
    const rendered = await renderText([{ words: ['Open', 'file'], x: 10, y: 30, size: 16 }], {
      width: 200,
      height: 50,
    });
    const a = createOcr();
    const b = createOcr();
    expect((await a.recognize(rendered.image)).lines[0]?.text).toBe('Open file');
    const loaded = loadedModelCount();
    expect((await b.recognize(rendered.image)).lines[0]?.text).toBe('Open file');
    expect(loadedModelCount()).toBe(loaded);
    await a.dispose();
    expect(loadedModelCount()).toBe(loaded);
    await b.dispose();
    await ocr.dispose();
    expect(loadedModelCount()).toBe(0);
  });

  it('reads an upside-down line when the angle classifier is on', async () => {
    const rendered = await renderText([{ words: ['Quarterly', 'report', '2024'], x: 10, y: 30, size: 18 }], {
      width: 260,
      height: 46,
    });
    const { width, height, data } = rendered.image;
    const turned = new Uint8Array(data.length);
    for (let i = 0; i < width * height; i++)
      turned.set(data.subarray(i * 4, i * 4 + 4), (width * height - 1 - i) * 4);
    const withAngle = createOcr({ classifyAngle: true });
    try {
      const result = await withAngle.recognize({ width, height, data: turned });
      expect(result.lines.map((l) => l.text)).toEqual(['Quarterly report 2024']);
      // The first word of the turned line sits at the right of the image.
      const [first, last] = [result.lines[0]!.words[0]!, result.lines[0]!.words.at(-1)!];
      expect(first.box.x).toBeGreaterThan(last.box.x);
    } finally {
      await withAngle.dispose();
    }
  });
});
