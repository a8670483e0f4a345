import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Box } from '../../../src/shared/geometry.js';
import { detectionRects } from '../../../src/perception/ocr/content.js';
import { createOcr, loadedModelCount, type OcrImage, type OcrResult } from '../../../src/perception/ocr/index.js';
import { edgeError, loadPng } from './render.js';

/**
 * Real OCR with the empty-tile skip against the same OCR over the whole area, on real screens:
 * the skip must find the same words at the same places, in image coordinates.
 */

const fixture = (path: string): string => fileURLToPath(new URL(`../../fixtures/${path}`, import.meta.url));
const SCREENS = [
  // An xterm on a black root window (Xvfb), and the same with a Mousepad window beside it.
  'ocr/xterm-screen.png',
  'ocr/xterm-mousepad-screen.png',
  // Real app screens from the grounding set: Mousepad with a menu open, galculator.
  'screenspot/gtk_mousepad_search_menu.png',
  'screenspot/gtk_galculator_basic.png',
];
const BOX_TOLERANCE = 2;
/**
 * Words that may disagree each way: two, or 5% of them. The detector sees different context at
 * a rectangle's edge than at a whole-area band's (galculator's "MS" box takes in its drop-down
 * arrow in one read and not the other), and the recogniser's batches pad to their widest line,
 * so a word in a differently composed batch may read differently ("Find" as "Eind" on the
 * Mousepad menu). A window's text lost or misplaced is many words.
 */
const allowed = (n: number): number => Math.max(2, Math.floor(n * 0.05));

interface Word {
  text: string;
  box: Box;
}

/**
 * Words with at least two Latin letters or digits: single glyphs, and the CJK characters the
 * recogniser makes of window buttons, are mostly icons read as text.
 */
function words(result: OcrResult): Word[] {
  return result.lines.flatMap((l) => l.words).filter((w) => (w.text.match(/[A-Za-z0-9]/g) ?? []).length >= 2);
}

function unmatched(from: Word[], to: Word[]): string[] {
  return from
    .filter((w) => !to.some((v) => v.text === w.text && edgeError(v.box, w.box) <= BOX_TOLERANCE))
    .map((w) => `${w.text} ${JSON.stringify(w.box)}`);
}

function expectSameWords(skipped: OcrResult, whole: OcrResult): void {
  const a = words(whole);
  const b = words(skipped);
  expect(a.length).toBeGreaterThan(2);
  const missing = unmatched(a, b);
  const extra = unmatched(b, a);
  expect(missing.length, `missing with the skip: ${missing.join(', ')}`).toBeLessThanOrEqual(allowed(a.length));
  expect(extra.length, `only with the skip: ${extra.join(', ')}`).toBeLessThanOrEqual(allowed(b.length));
}

const area = (img: OcrImage): { x: number; y: number; width: number; height: number } => ({
  x: 0,
  y: 0,
  width: img.width,
  height: img.height,
});

const skip = createOcr({ skipEmpty: true });
const whole = createOcr({ skipEmpty: false });
afterAll(async () => {
  await skip.dispose();
  await whole.dispose();
});

describe('OCR skipping empty tiles', () => {
  // First in the file, before any read loads a model.
  it('returns no lines for a flat screen without loading a model', async () => {
    const flat: OcrImage = { width: 800, height: 600, data: new Uint8Array(800 * 600 * 4).fill(40) };
    expect(await skip.recognize(flat)).toEqual({ lines: [] });
    expect(loadedModelCount()).toBe(0);
  });

  for (const name of SCREENS) {
    it(`reads the same words as the whole-area read on ${name}`, async () => {
      const img = await loadPng(fixture(name));
      // The skip really splits these screens: the rectangles cover well under the screen.
      const rects = detectionRects(img, area(img), 1);
      const covered = rects.reduce((n, r) => n + r.width * r.height, 0);
      expect(rects.length).toBeGreaterThan(0);
      expect(covered).toBeLessThan(0.6 * img.width * img.height);
      expectSameWords(await skip.recognize(img), await whole.recognize(img));
    });
  }

  it('keeps boxes in image coordinates when reading a region away from 0,0', async () => {
    const img = await loadPng(fixture('ocr/xterm-mousepad-screen.png'));
    const region = { x: 600, y: 280, width: 680, height: 520 };
    expect(detectionRects(img, region, 1)).not.toEqual([region]);
    const skipped = await skip.recognize(img, { region });
    // Against the full-screen read, not a whole-region one: cutting the screen at the region's
    // edge changes the detector's context there more than the skip does ("Help" read as "tHelp").
    const full = await whole.recognize(img);
    const inside = (b: Box): boolean => b.x >= region.x && b.y >= region.y;
    expectSameWords(skipped, { lines: full.lines.filter((l) => inside(l.box)) });
    const warning = skipped.lines.find((l) => l.text.startsWith('Warning'));
    expect(warning?.box.x).toBeGreaterThan(700);
    expect(warning?.box.y).toBeGreaterThan(340);
  });
});
