import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { IncrementalOcr } from '../src/grounding/incremental-ocr.js';
import { createOcr } from '../src/perception/ocr/index.js';
import type { Frame } from '../src/shared/ports.js';
import { measurePair, summarize, type Benchmark } from './harness.js';

const GOAL = 5;

async function frameOf(png: Buffer): Promise<Frame> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { displayId: 'x', width: info.width, height: info.height, data: new Uint8Array(data), scaleFactor: 1, capturedAt: 0, desktopBounds: { x: 0, y: 0, width: info.width, height: info.height } };
}

async function toast(base: Buffer, n: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="50"><rect width="320" height="50" fill="#222"/><text x="14" y="33" font-family="DejaVu Sans" font-size="20" fill="#fff">Saved copy ${n}</text></svg>`;
  return sharp(base).composite([{ input: Buffer.from(svg), left: 900, top: 720 }]).png().toBuffer();
}

/**
 * After a small change (a toast appears), re-reading only the changed region vs OCR of the
 * whole 1280x800 screen, on the same models in the same process.
 */
export const incrementalOcrBench: Benchmark = {
  name: 'incremental-ocr',
  description: 'OCR after a small change: changed region only vs the whole 1280x800 screen',
  goal: `incremental at least ${GOAL}x faster than full OCR`,
  async run({ quick }) {
    const ocr = createOcr();
    try {
      const base = readFileSync(new URL('../test/fixtures/ocr/screen-1280x800.png', import.meta.url));
      const baseFrame = await frameOf(base);
      const changed = await Promise.all(Array.from({ length: 8 }, (_, i) => toast(base, i).then(frameOf)));
      await ocr.recognize(baseFrame); // load the models outside the timing
      let i = 0;
      const rounds = quick ? { iterations: 2, warmup: 0 } : { iterations: 6, warmup: 1 };
      const { baseline, candidate } = await measurePair(
        ({ frame }: { frame: Frame; inc: IncrementalOcr }) => ocr.recognize(frame),
        ({ frame, inc }: { frame: Frame; inc: IncrementalOcr }) => inc.recognize(frame),
        {
          ...rounds,
          setup: async () => {
            // Each round: an incremental reader that has seen the plain screen, and a new toast.
            const inc = new IncrementalOcr(ocr);
            await inc.recognize(baseFrame);
            return { frame: changed[i++ % changed.length]!, inc };
          },
        },
      );
      const full = summarize(baseline, 'ms');
      const partial = summarize(candidate, 'ms');
      const ratio = full.median / partial.median;
      return { figures: { full, incremental: partial }, ratio, ratioLabel: 'full / incremental time', goalMet: ratio >= GOAL };
    } finally {
      await ocr.dispose();
    }
  },
};
