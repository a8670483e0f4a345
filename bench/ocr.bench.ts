import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { type OrtModule, PaddleOcrService } from 'paddleocr';
import sharp from 'sharp';
import { createOcr, ocrModelDir, ocrModelPath, type OcrImage } from '../src/perception/ocr/index.js';
import { measurePair, summarize, type Benchmark, type Figure } from './harness.js';

const SCREEN = fileURLToPath(new URL('../test/fixtures/ocr/screen-1280x800.png', import.meta.url));
/** A mostly empty Xvfb screen: one 845x315 xterm on a black root window. */
const EMPTY_SCREEN = fileURLToPath(new URL('../test/fixtures/ocr/xterm-screen.png', import.meta.url));
const GOAL_RATIO = 1.0;
const MB = 1024 * 1024;

async function loadScreen(path = SCREEN): Promise<OcrImage> {
  const { data, info } = await sharp(path).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
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

/** Wraps `fn` to record the process CPU time (user + system, ms) of each call into `into`. */
function withCpu(fn: () => Promise<unknown>, into: number[]): () => Promise<void> {
  return async () => {
    const start = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(start);
    into.push((used.user + used.system) / 1000);
  };
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
 * the package is loaded, so it is ours alone. Also: a mostly empty screen (one xterm on a black
 * root) read with the empty-tile skip against the same OCR reading the whole area, wall and CPU.
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
      const emptyScreen = await loadScreen(EMPTY_SCREEN);
      const wholeArea = createOcr({ skipEmpty: false });
      const skipping = createOcr({ skipEmpty: true });
      const cpu = { whole: [] as number[], skip: [] as number[] };
      const skipRounds = quick ? { iterations: 3, warmup: 1 } : { iterations: 9, warmup: 2 };
      const skip = await measurePair(
        withCpu(() => wholeArea.recognize(emptyScreen), cpu.whole),
        withCpu(() => skipping.recognize(emptyScreen), cpu.skip),
        skipRounds,
      );
      await wholeArea.dispose();
      await skipping.dispose();
      const words = first.lines.reduce((n, l) => n + l.words.length, 0);
      const theirLines = (await theirsFull.recognize(screen)).filter((r) => r.text.trim() !== '').length;
      const count = (n: number, unit: string): Figure => ({ median: n, min: n, max: n, unit });
      const figures: Record<string, Figure> = {
        'ours, full resolution (lines + words)': summarize(full.candidate),
        'paddleocr, full resolution (lines)': summarize(full.baseline),
        'paddleocr, default 960 px detector (lines)': summarize(reference.baseline),
        'mostly empty screen, empty tiles skipped': summarize(skip.candidate),
        'mostly empty screen, whole area read': summarize(skip.baseline),
        'mostly empty screen, CPU with skip': summarize(cpu.skip.slice(skipRounds.warmup)),
        'mostly empty screen, CPU whole area': summarize(cpu.whole.slice(skipRounds.warmup)),
        'mostly empty screen: whole-area time / skip time': count(
          summarize(skip.baseline).median / summarize(skip.candidate).median,
          'x',
        ),
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
