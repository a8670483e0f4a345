import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { diffFrames } from '../../../src/perception/diff.js';
import { lazyBgraFrame, pixelAt } from '../../../src/perception/frame.js';
import { MASK_RGB, MaskedScreenSource, maskFrame } from '../../../src/perception/masked-source.js';
import { createOcr } from '../../../src/perception/ocr/index.js';
import type { Box } from '../../../src/shared/geometry.js';
import type { Display, Frame, ScreenSource } from '../../../src/shared/ports.js';

/**
 * The status widget is kept out of what the grounders see: a real screen with a widget painted
 * on it, read by the real OCR, before and after the mask.
 */
const ocr = createOcr();
afterAll(() => ocr.dispose());

const base = readFileSync('test/fixtures/ocr/screen-1280x800.png');
const WIDGET: Box = { x: 900, y: 690, width: 360, height: 90 };

async function screenWithWidget(step: string): Promise<Frame> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDGET.width}" height="${WIDGET.height}"><rect width="100%" height="100%" rx="8" fill="#1d2330"/><text x="14" y="32" font-family="DejaVu Sans" font-size="20" fill="#fff">${step}</text><rect x="14" y="46" width="90" height="32" fill="#fff"/><text x="30" y="69" font-family="DejaVu Sans" font-size="18" fill="#000">Pause</text><rect x="120" y="46" width="80" height="32" fill="#fff"/><text x="140" y="69" font-family="DejaVu Sans" font-size="18" fill="#b3261e">Stop</text></svg>`;
  const png = await sharp(base).composite([{ input: Buffer.from(svg), left: WIDGET.x, top: WIDGET.y }]).png().toBuffer();
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { displayId: '0', width: info.width, height: info.height, data: new Uint8Array(data), scaleFactor: 1, capturedAt: 0, desktopBounds: { x: 0, y: 0, width: info.width, height: info.height } };
}

function sourceOf(frames: Frame[]): ScreenSource & { disposed: boolean } {
  const display: Display = { id: '0', name: 'screen', bounds: { x: 0, y: 0, width: 1280, height: 800 }, scaleFactor: 1, primary: true };
  let i = 0;
  return {
    disposed: false,
    listDisplays: () => Promise.resolve([display]),
    capture: () => Promise.resolve(frames[Math.min(i++, frames.length - 1)]!),
    dispose() {
      this.disposed = true;
      return Promise.resolve();
    },
  };
}

const texts = (r: { lines: Array<{ text: string }> }) => r.lines.map((l) => l.text).join(' | ');

describe('the masked screen source', () => {
  it('hides the widget from OCR and leaves the rest of the screen as it was', async () => {
    const frame = await screenWithWidget('Step 3: click Save');
    const inner = sourceOf([frame]);
    const masked = new MaskedScreenSource(inner);
    const before = await ocr.recognize(frame);
    expect(texts(before)).toMatch(/Step 3: click Save/);
    expect(texts(before)).toMatch(/Stop/);

    masked.setExcluded([WIDGET]);
    const shot = await masked.capture();
    const after = await ocr.recognize(shot);
    expect(texts(after)).not.toMatch(/Step 3|click Save|Pause|Stop/);
    // Every other line is still read (the widget covered no text of the screen underneath).
    // Compared word by word: the recogniser may group a line's words differently between two reads.
    const words = (lines: Array<{ text: string }>) => new Set(lines.flatMap((l) => l.text.split(/[^\p{L}\p{N}]+/u)).filter((w) => w.length > 1));
    const others = words(before.lines.filter((l) => l.box.x + l.box.width < WIDGET.x || l.box.y + l.box.height < WIDGET.y));
    expect(others.size).toBeGreaterThan(10);
    const seen = words(after.lines);
    expect([...others].filter((w) => !seen.has(w))).toEqual([]);
    // The area is one flat colour to its edges; outside it, the pixels are the source's; the source frame is untouched.
    for (const [x, y] of [[WIDGET.x, WIDGET.y], [WIDGET.x + WIDGET.width - 1, WIDGET.y + WIDGET.height - 1], [1000, 730]] as const) {
      expect(pixelAt(shot, x, y)).toEqual([...MASK_RGB, 255]);
    }
    expect(pixelAt(shot, WIDGET.x - 1, WIDGET.y)).toEqual(pixelAt(frame, WIDGET.x - 1, WIDGET.y));
    expect(pixelAt(frame, 1000, 730)).not.toEqual([...MASK_RGB, 255]);
    await masked.dispose();
    expect(inner.disposed).toBe(true);
  }, 90_000);

  it('follows the widget when it moves, and passes frames it does not touch through as they are', async () => {
    const frame = await screenWithWidget('Step 1');
    const masked = new MaskedScreenSource(sourceOf([frame]));
    masked.setExcluded([{ x: 2000, y: 0, width: 100, height: 100 }]);
    expect(await masked.capture()).toBe(frame);
    masked.setExcluded([{ x: 0, y: 0, width: 10, height: 10 }]);
    const moved = await masked.capture();
    expect(pixelAt(moved, 5, 5)).toEqual([...MASK_RGB, 255]);
    expect(pixelAt(moved, 1000, 730)).toEqual(pixelAt(frame, 1000, 730));
    expect(masked.excludedAreas()).toEqual([{ x: 0, y: 0, width: 10, height: 10 }]);
  });

  it('a widget whose text changes between frames is no change to the settle diff', async () => {
    const a = maskFrame(await screenWithWidget('Step 1: click File'), [WIDGET]);
    const b = maskFrame(await screenWithWidget('Step 2: type hello'), [WIDGET]);
    expect(diffFrames(a, b, { minArea: 1 }).regions).toEqual([]);
    const rawA = await screenWithWidget('Step 1: click File');
    const rawB = await screenWithWidget('Step 2: type hello');
    expect(diffFrames(rawA, rawB, { minArea: 1 }).regions.length).toBeGreaterThan(0);
  });

  it('maps desktop boxes to pixels on a scaled display away from the origin, and drops the raw grab', () => {
    // A 2x display at desktop x=1000: the desktop box 1010..1020 is pixels 20..40.
    const bgra = new Uint8Array(100 * 40 * 4).fill(255);
    const frame = lazyBgraFrame('1', 100, 40, { bytes: bgra, stride: 400 }, { x: 1000, y: 0, width: 50, height: 20 });
    const out = maskFrame(frame, [{ x: 1010, y: 5, width: 10, height: 5 }]);
    expect(pixelAt(out, 19, 10)).toEqual([255, 255, 255, 255]);
    expect(pixelAt(out, 20, 10)).toEqual([...MASK_RGB, 255]);
    expect(pixelAt(out, 39, 19)).toEqual([...MASK_RGB, 255]);
    expect(pixelAt(out, 40, 10)).toEqual([255, 255, 255, 255]);
    expect(pixelAt(out, 25, 20)).toEqual([255, 255, 255, 255]);
    // A diff of a masked frame reads its painted pixels, not the raw grab underneath.
    expect(diffFrames(frame, out, { minArea: 1 }).regions.length).toBe(1);
  });
});
