import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { labelIcons, loadExemplars } from '../src/grounding/icon/index.js';
import { proposeElements, toGray, type GrayImage } from '../src/perception/elements/index.js';
import { decodeImage } from '../src/perception/index.js';
import type { OcrResult } from '../src/perception/ocr/types.js';
import type { Frame } from '../src/shared/ports.js';
import { measure, measurePair, summarize, type Benchmark } from './harness.js';

const GOAL_MS = 150;
const SCREEN = fileURLToPath(
  new URL('../test/fixtures/icons/chromium-elements-1280x800.png', import.meta.url),
);

/**
 * Element proposals + icon labelling on a real 1280x800 screenshot (Chromium showing the elements
 * fixture page, with its OCR stored beside it). The baseline is the textbook first step the
 * run-length labelling replaces: per-pixel union-find connected components over the same frame,
 * alone. The ratio says how many full proposal passes fit in that one labelling pass.
 */
export const elementsBench: Benchmark = {
  name: 'elements',
  description:
    'element proposals + icon labelling on a 1280x800 screenshot vs per-pixel union-find labelling alone',
  goal: `proposals + icon labelling <= ${GOAL_MS} ms median`,
  async run({ quick }) {
    const img = await decodeImage(readFileSync(SCREEN));
    const frame: Frame = {
      ...img,
      displayId: 'bench',
      desktopBounds: { x: 0, y: 0, width: img.width, height: img.height },
      scaleFactor: 1,
      capturedAt: 0,
    };
    const ocr = JSON.parse(readFileSync(SCREEN.replace(/\.png$/, '.ocr.json'), 'utf8')) as OcrResult;
    const cold = await measure(() => loadExemplars(), { iterations: 1 });
    const rounds = quick ? { iterations: 3, warmup: 1 } : { iterations: 25, warmup: 3 };
    const pipeline = async (): Promise<void> => {
      await labelIcons(frame, proposeElements(frame, { ocr }));
    };
    const { baseline, candidate } = await measurePair(() => pixelLabels(toGray(frame), 2), pipeline, rounds);
    const proposalsOnly = await measure(() => proposeElements(frame, { ocr }), rounds);
    const b = summarize(baseline);
    const c = summarize(candidate);
    return {
      figures: {
        'proposals + icon labelling': c,
        'proposals alone': summarize(proposalsOnly),
        'per-pixel union-find labelling alone (baseline)': b,
        'icon exemplars, first load (once per process)': summarize(cold),
      },
      ratio: b.median / c.median,
      ratioLabel: 'per-pixel labelling time / whole proposals + labelling time',
      goalMet: c.median <= GOAL_MS,
    };
  },
};

/** Per-pixel union-find over 4-neighbours within `tol`, with each region's bbox: the baseline. */
function pixelLabels(g: GrayImage, tol: number): number {
  const { width: w, height: h, data } = g;
  const parent = new Int32Array(w * h);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (let i = 0; i < w * h; i++) {
    parent[i] = i;
    const x = i % w;
    if (x > 0 && Math.abs(data[i]! - data[i - 1]!) <= tol) parent[i] = find(i - 1);
    if (i >= w && Math.abs(data[i]! - data[i - w]!) <= tol) {
      const a = find(i);
      const b = find(i - w);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  }
  const boxes = new Map<number, [number, number, number, number]>();
  for (let i = 0; i < w * h; i++) {
    const r = find(i);
    const x = i % w;
    const y = (i - x) / w;
    const b = boxes.get(r);
    if (!b) boxes.set(r, [x, y, x, y]);
    else {
      if (x < b[0]) b[0] = x;
      if (x > b[2]) b[2] = x;
      b[3] = y;
    }
  }
  return boxes.size;
}
