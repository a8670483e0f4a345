import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { type OrtModule, PaddleOcrService } from 'paddleocr';
import sharp from 'sharp';
import { createOcr, ocrModelDir, ocrModelPath, type OcrImage } from '../src/perception/ocr/index.js';
import { measurePair, summarize, type Benchmark, type Figure } from './harness.js';

const SCREEN = fileURLToPath(new URL('../test/fixtures/ocr/screen-1280x800.png', import.meta.url));
const GOAL_RATIO = 1.0;
const MB = 1024 * 1024;

async function loadScreen(): Promise<OcrImage> {
  const { data, info } = await sharp(SCREEN).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

function arrayBuffer(path: string): ArrayBuffer {
  const b = readFileSync(path);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
}

/** The paddleocr npm package on the very same PP-OCRv4 files, its dictionary with the space. */
async function paddle(maxSideLength: number): Promise<PaddleOcrService> {
  const keys = readFileSync(join(ocrModelDir(), 'ppocr_keys_v1.txt'), 'utf8')
    .split(/\r?\n/)
    .filter((k) => k !== '');
  return PaddleOcrService.createInstance({
    // Its own structural ORT typing differs from onnxruntime-node's declarations; the runtime is the same.
    ort: ort as unknown as OrtModule,
    detection: { modelBuffer: arrayBuffer(ocrModelPath('detector')), maxSideLength },
    recognition: {
      modelBuffer: arrayBuffer(ocrModelPath('recognizer')),
      charactersDictionary: [...keys, ' '],
    },
  });
}

const rssFigure = (): Figure => {
  const mb = process.memoryUsage().rss / MB;
  return { median: mb, min: mb, max: mb, unit: 'MB' };
};

/**
 * Full-screen OCR of a 1280x800 screenshot (Chromium showing a form, table and paragraph):
 * our pipeline (lines + word boxes) against the paddleocr package (line boxes only) on the same
 * models, both reading the screen at full resolution, in alternating rounds. The package at its
 * default 960 px detector size is timed too, for reference. Resident memory is sampled before
 * the package is loaded, so it is ours alone.
 */
export const ocrBench: Benchmark = {
  name: 'ocr',
  description:
    'full-screen OCR of a 1280x800 screenshot: ours (word boxes) vs the paddleocr package, same PP-OCRv4 models',
  goal: `ours at most ${GOAL_RATIO}x the paddleocr package's time, with word boxes`,
  async run({ quick }) {
    const screen = await loadScreen();
    const rssStart = rssFigure();
    const ours = createOcr();
    await ours.recognize({ width: 32, height: 32, data: new Uint8Array(32 * 32 * 4).fill(255) });
    const rssLoaded = rssFigure();
    const first = await ours.recognize(screen);
    const rssAfterOne = rssFigure();
    const theirsFull = await paddle(Math.max(screen.width, screen.height));
    const theirsDefault = await paddle(960);
    try {
      const rounds = quick ? { iterations: 2, warmup: 1 } : { iterations: 7, warmup: 2 };
      const full = await measurePair(
        () => theirsFull.recognize(screen),
        () => ours.recognize(screen),
        rounds,
      );
      const reference = await measurePair(
        () => theirsDefault.recognize(screen),
        () => ours.recognize(screen),
        { iterations: quick ? 1 : 3, warmup: 0 },
      );
      const words = first.lines.reduce((n, l) => n + l.words.length, 0);
      const theirLines = (await theirsFull.recognize(screen)).filter((r) => r.text.trim() !== '').length;
      const count = (n: number, unit: string): Figure => ({ median: n, min: n, max: n, unit });
      const figures: Record<string, Figure> = {
        'ours, full resolution (lines + words)': summarize(full.candidate),
        'paddleocr, full resolution (lines)': summarize(full.baseline),
        'paddleocr, default 960 px detector (lines)': summarize(reference.baseline),
        'ours: lines found': count(first.lines.length, 'lines'),
        'ours: words found': count(words, 'words'),
        'paddleocr: lines found': count(theirLines, 'lines'),
        'rss before OCR': rssStart,
        'rss with OCR models loaded': rssLoaded,
        'rss after one full-screen OCR': rssAfterOne,
      };
      const ratio = summarize(full.baseline).median / summarize(full.candidate).median;
      return {
        figures,
        ratio,
        ratioLabel: 'paddleocr time / our time (same detector size)',
        goalMet: ratio >= GOAL_RATIO,
      };
    } finally {
      await ours.dispose();
      await theirsFull.destroy();
      await theirsDefault.destroy();
    }
  },
};
