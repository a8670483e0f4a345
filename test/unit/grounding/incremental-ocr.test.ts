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
