import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { IncrementalOcr } from '../../../src/grounding/incremental-ocr.js';
import { createOcr } from '../../../src/perception/ocr/index.js';
import type { Frame } from '../../../src/shared/ports.js';

const ocr = createOcr();
afterAll(() => ocr.dispose());

async function frameOf(png: Buffer): Promise<Frame> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    displayId: 'x', width: info.width, height: info.height, data: new Uint8Array(data), scaleFactor: 1, capturedAt: 0,
    desktopBounds: { x: 0, y: 0, width: info.width, height: info.height },
  };
}

const base = readFileSync('test/fixtures/ocr/screen-1280x800.png');
/** The same screen with a toast painted at the bottom right, as an app would show one. */
async function withToast(text: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="360" height="60"><rect width="360" height="60" fill="#222"/><text x="16" y="38" font-family="DejaVu Sans" font-size="22" fill="#fff">${text}</text></svg>`;
  return sharp(base).composite([{ input: Buffer.from(svg), left: 880, top: 700 }]).png().toBuffer();
}

const texts = (r: { lines: Array<{ text: string }> }) => r.lines.map((l) => l.text);

describe('incremental OCR', () => {
  it('reuses a still screen, re-reads only a changed region, and remembers regions it has seen', async () => {
    const inc = new IncrementalOcr(ocr);
    const first = await inc.recognize(await frameOf(base));
    const again = await inc.recognize(await frameOf(base));
    expect(again).toBe(first);

    const toast = await inc.recognize(await frameOf(await withToast('File saved to disk')));
    expect(inc.stats).toMatchObject({ full: 1, reused: 1, partial: 1 });
    expect(texts(toast)).toContain('File saved to disk');
    // Everything else is still there, as a full read would find it (letters and digits compared:
    // the recogniser's batch padding can move a space or a dot between two reads of one line).
    const full = await ocr.recognize(await frameOf(await withToast('File saved to disk')));
    const letters = (r: { lines: Array<{ text: string }> }) => new Set(texts(r).map((t) => t.replace(/[^\p{L}\p{N}]/gu, '')));
    expect(letters(toast)).toEqual(letters(full));

    await inc.recognize(await frameOf(base)); // the toast goes away: its old area is re-read
    const back = await inc.recognize(await frameOf(await withToast('File saved to disk')));
    expect(inc.stats.cached).toBeGreaterThanOrEqual(1);
    expect(texts(back)).toContain('File saved to disk');
  });
});

describe('incremental OCR keeps the reading of unchanged lines', () => {
  // A recogniser that reads the first line differently when re-read from a region, as the real
  // one did ("Writethe notebelow" from a box 3 px tighter): the first reading must stay while the
  // line's pixels stay, and the new one must win once they change.
  const line = (text: string, x: number, y: number, width: number, height: number) => ({
    text, box: { x, y, width, height }, confidence: 0.9, words: [],
  });
  const reader = {
    calls: [] as string[],
    recognize(_: unknown, o: { region?: unknown } = {}) {
      this.calls.push(o.region ? 'region' : 'full');
      return Promise.resolve(
        o.region
          ? { lines: [line('Writethe notebelow', 11, 12, 99, 17), line('buy milk', 10, 40, 60, 20)] }
          : { lines: [line('Write the note below', 10, 10, 100, 20)] },
      );
    },
    dispose: () => Promise.resolve(),
  };
  const frame = (paint: (put: (x: number, y: number) => void) => void): Frame => {
    const data = new Uint8Array(200 * 100 * 4).fill(255);
    paint((x, y) => data.fill(0, (y * 200 + x) * 4, (y * 200 + x) * 4 + 3));
    return { displayId: 'x', width: 200, height: 100, data, scaleFactor: 1, capturedAt: 0, desktopBounds: { x: 0, y: 0, width: 200, height: 100 } };
  };
  const glyphs = (put: (x: number, y: number) => void) => {
    for (let x = 12; x < 100; x += 3) for (let y = 14; y < 26; y++) put(x, y);
  };
  const typed = (put: (x: number, y: number) => void) => {
    for (let x = 12; x < 60; x += 2) for (let y = 42; y < 56; y++) put(x, y);
  };

  it('keeps a still line as first read, next to the new line', async () => {
    const inc = new IncrementalOcr(reader);
    await inc.recognize(frame(glyphs));
    const after = await inc.recognize(frame((put) => (glyphs(put), typed(put))));
    expect(reader.calls).toEqual(['full', 'region']);
    expect(texts(after)).toEqual(['Write the note below', 'buy milk']);
  });

  it('takes the new reading when the line itself changed', async () => {
    const inc = new IncrementalOcr(reader);
    await inc.recognize(frame(glyphs));
    const changed = (put: (x: number, y: number) => void) => {
      for (let x = 13; x < 100; x += 3) for (let y = 14; y < 26; y++) put(x, y);
      typed(put);
    };
    expect(texts(await inc.recognize(frame(changed)))).toEqual(['Writethe notebelow', 'buy milk']);
  });
});
