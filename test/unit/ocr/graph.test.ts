import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { rewriteActivations } from '../../../src/perception/ocr/graph.js';
import { ocrModelPath } from '../../../src/perception/ocr/models.js';
import { readFields, text } from '../../../src/perception/ocr/protobuf.js';
import { modelInput } from './model-input.js';

/** The op types of a model's nodes, counted. */
function ops(model: Uint8Array): Map<string, number> {
  const graph = [...readFields(model)].find((f) => f.field === 7)!;
  const counts = new Map<string, number>();
  for (const n of readFields(model, graph.from, graph.to)) {
    if (n.field !== 1) continue;
    const op = [...readFields(model, n.from, n.to)].find((f) => f.field === 4)!;
    counts.set(text(model, op), (counts.get(text(model, op)) ?? 0) + 1);
  }
  return counts;
}

async function outputs(model: Uint8Array, input: ort.Tensor): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
  });
  try {
    return (await session.run({ [session.inputNames[0]!]: input }))[session.outputNames[0]!]!
      .data as Float32Array;
  } finally {
    await session.release();
  }
}

const largestDifference = (a: Float32Array, b: Float32Array) => {
  expect(b.length).toBe(a.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
};

// The hard-swish rewrite (graph.ts): every activation of both PP-OCRv4 models is rewritten, none of
// the old operators is left, and the rewritten graphs compute what the shipped ones do, on real
// screen pixels.
describe('OCR model activation rewrite', () => {
  it('rewrites every hard-swish of the detector and computes the same probability map', async () => {
    const shipped = readFileSync(ocrModelPath('detector'));
    const { model, rewritten } = rewriteActivations(shipped);
    expect(rewritten).toBe(24);
    const before = ops(shipped);
    const after = ops(model);
    expect(before.get('Clip')).toBe(24);
    expect(after.get('Clip')).toBeUndefined();
    expect(after.get('HardSigmoid')).toBe((before.get('HardSigmoid') ?? 0) + 24);
    const input = new ort.Tensor(
      'float32',
      await modelInput('detector', 640, 384, { left: 0, top: 0, width: 640, height: 400 }),
      [1, 3, 384, 640],
    );
    const [a, b] = [await outputs(shipped, input), await outputs(model, input)];
    expect(a.reduce((m, v) => Math.max(m, v), 0)).toBeGreaterThan(0.5); // text found: real output compared
    expect(largestDifference(a, b)).toBeLessThan(1e-4);
  });

  it('rewrites every hard-swish of the recogniser and computes the same class scores', async () => {
    const shipped = readFileSync(ocrModelPath('recognizer'));
    const { model, rewritten } = rewriteActivations(shipped);
    expect(rewritten).toBe(28);
    expect(ops(model).get('Clip')).toBeUndefined();
    const lines = new Float32Array(2 * 3 * 48 * 320);
    lines.set(await modelInput('recognizer', 320, 48, { left: 0, top: 40, width: 640, height: 96 }), 0);
    lines.set(
      await modelInput('recognizer', 320, 48, { left: 0, top: 400, width: 640, height: 96 }),
      3 * 48 * 320,
    );
    const input = new ort.Tensor('float32', lines, [2, 3, 48, 320]);
    const [a, b] = [await outputs(shipped, input), await outputs(model, input)];
    expect(largestDifference(a, b)).toBeLessThan(1e-4);
  });

  it('leaves a model without the pattern as it is, and says what is wrong with one that is not a model', () => {
    const angle = readFileSync(ocrModelPath('angle'));
    const result = rewriteActivations(angle);
    expect(result.rewritten).toBe(0);
    expect(result.model).toBe(angle);
    expect(() => rewriteActivations(Buffer.from('not a model'))).toThrow(/ONNX model|runs past|wire type/);
  });
});
