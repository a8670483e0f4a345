import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { rewriteActivations } from '../src/perception/ocr/graph.js';
import { ocrModelPath } from '../src/perception/ocr/models.js';
import { modelInput } from '../test/unit/ocr/model-input.js';
import { measurePair, summarize, type Benchmark, type Figure } from './harness.js';

const GOAL = 0.95;

/**
 * The OCR models as shipped vs with their hard-swish activations rewritten (graph.ts), in the
 * same process on the same inputs: the detector on the 1280x800 bench screen, the recogniser on
 * eight 48x320 strips of it. CPU time per run (2 threads, as the OCR runs), and how far apart the
 * two graphs' outputs are (they compute the same thing; float rounding only).
 */
export const ocrGraphBench: Benchmark = {
  name: 'ocr-graph',
  description: 'OCR model runs: rewritten activations (graph.ts) vs the models as shipped',
  goal: `rewritten graphs take <= ${GOAL}x the CPU time of the originals, same outputs (max difference < 1e-4)`,
  async run({ quick }) {
    const options: ort.InferenceSession.SessionOptions = {
      graphOptimizationLevel: 'all',
      intraOpNumThreads: 2,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      enableCpuMemArena: false,
    };
    const lines = new Float32Array(8 * 3 * 48 * 320);
    for (let i = 0; i < 8; i++)
      lines.set(
        await modelInput('recognizer', 320, 48, { left: 0, top: 40 + i * 90, width: 640, height: 96 }),
        i * 3 * 48 * 320,
      );
    const inputs = {
      detector: new ort.Tensor('float32', await modelInput('detector', 1280, 800), [1, 3, 800, 1280]),
      recognizer: new ort.Tensor('float32', lines, [8, 3, 48, 320]),
    };
    const figures: Record<string, Figure> = {};
    const shares: number[] = [];
    let worst = 0;
    for (const kind of ['detector', 'recognizer'] as const) {
      const shipped = readFileSync(ocrModelPath(kind));
      const { model, rewritten } = rewriteActivations(shipped);
      const [a, b] = await Promise.all([
        ort.InferenceSession.create(shipped, options),
        ort.InferenceSession.create(model, options),
      ]);
      const run = async (s: ort.InferenceSession) =>
        (await s.run({ [s.inputNames[0]!]: inputs[kind] }))[s.outputNames[0]!]!.data as Float32Array;
      const [ra, rb] = [await run(a), await run(b)];
      let diff = 0;
      for (let i = 0; i < ra.length; i++) diff = Math.max(diff, Math.abs(ra[i]! - rb[i]!));
      worst = Math.max(worst, diff);
      const cpu = (s: ort.InferenceSession, into: number[]) => async () => {
        const start = process.cpuUsage();
        await run(s);
        const used = process.cpuUsage(start);
        into.push((used.user + used.system) / 1000);
      };
      const before: number[] = [];
      const after: number[] = [];
      await measurePair(cpu(a, before), cpu(b, after), { iterations: quick ? 2 : 12, warmup: 1 });
      const one = summarize(before);
      const two = summarize(after);
      figures[`${kind} CPU per run, as shipped`] = one;
      figures[`${kind} CPU per run, rewritten (${rewritten} activations)`] = two;
      figures[`${kind} largest output difference`] = {
        median: diff * 1e6,
        min: diff * 1e6,
        max: diff * 1e6,
        unit: 'x 1e-6',
      };
      shares.push(two.median / one.median);
      await Promise.all([a.release(), b.release()]);
    }
    const share = Math.max(...shares);
    return {
      figures,
      ratio: 1 / share,
      ratioLabel: 'as shipped / rewritten CPU time (the slower-gaining model of the two)',
      goalMet: share <= GOAL && worst < 1e-4,
    };
  },
};
