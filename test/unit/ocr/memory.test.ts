import { afterAll, describe, expect, it } from 'vitest';
import { createOcr } from '../../../src/perception/ocr/index.js';
import { BAND_OVERLAP, bands, DETECT_BAND_PIXELS } from '../../../src/perception/ocr/detect.js';
import { renderText } from './render.js';

/**
 * The memory-saving paths: large screens are detected in overlapping bands, and long lines are
 * recognised in small batches. Both must read exactly what one pass reads.
 */

const ocr = createOcr();
afterAll(() => ocr.dispose());

describe('detector bands', () => {
  it('reads a short screen in one pass, and cuts a 1280x800 one in two', () => {
    expect(bands({ x: 0, y: 0, width: 1280, height: 400 }, 1)).toHaveLength(1);
    expect(bands({ x: 0, y: 0, width: 1280, height: 800 }, 1)).toHaveLength(2);
  });

  it('cuts a tall screen into bands that cover every row, each line owned by exactly one band', () => {
    const rect = { x: 0, y: 0, width: 1920, height: 2400 };
    const list = bands(rect, 1);
    expect(list.length).toBeGreaterThan(2);
    expect(list[0]!.rect.y).toBe(0);
    expect(list.at(-1)!.rect.y + list.at(-1)!.rect.height).toBe(2400);
    const budget = Math.max(DETECT_BAND_PIXELS, 1920 * 3 * BAND_OVERLAP);
    for (const b of list) expect(b.rect.width * b.rect.height).toBeLessThanOrEqual(budget);
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1]!;
      const cur = list[i]!;
      // Neighbours overlap by at least the band overlap, and their own zones meet exactly.
      expect(prev.rect.y + prev.rect.height - cur.rect.y).toBeGreaterThanOrEqual(BAND_OVERLAP);
      expect(cur.ownTop).toBe(prev.ownBottom);
      // A line centred at the seam lies whole inside the band that owns it.
      expect(cur.ownTop - cur.rect.y).toBeGreaterThanOrEqual(BAND_OVERLAP / 2 - 1);
    }
  });

  it('reads each line of a tall screen once, lines on the band seams included', async () => {
    const seam = bands({ x: 0, y: 0, width: 1400, height: 1600 }, 1)[1]!.ownTop;
    const ys = [60, Math.round(seam) + 6, Math.round(seam) + 300, 1560];
    const rendered = await renderText(
      ys.map((y, i) => ({ words: ['Line', `number ${i + 1}`, 'here'], x: 40, y, size: 16 })),
      { width: 1400, height: 1600 },
    );
    const result = await ocr.recognize(rendered.image);
    expect(result.lines.map((l) => l.text)).toEqual(ys.map((_, i) => `Line number ${i + 1} here`));
  });
});

describe('recogniser batches', () => {
  it('reads many long lines next to short ones, each line whole', async () => {
    const long = 'The quick brown fox jumps over the lazy dog again and again';
    const specs = Array.from({ length: 10 }, (_, i) => ({
      words: i % 2 ? [long] : [`Item ${i}`],
      x: 20,
      y: 30 + i * 34,
      size: 16,
    }));
    const result = await ocr.recognize((await renderText(specs, { width: 900, height: 380 })).image);
    expect(result.lines.map((l) => l.text)).toEqual(specs.map((s) => s.words[0]));
  });
});
