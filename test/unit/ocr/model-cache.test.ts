import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it } from 'vitest';
import { modelCacheDir, setModelCacheDir } from '../../../src/perception/ocr/cache-dir.js';
import { openSession } from '../../../src/perception/ocr/model-cache.js';
import { ocrModelPath } from '../../../src/perception/ocr/models.js';

// The optimised-model cache: the first load saves the optimised graph, later loads use it and
// compute the same outputs; a damaged file is replaced; without a folder nothing is kept.
describe('optimised OCR model cache', () => {
  const dirs: string[] = [];
  const before = modelCacheDir();
  afterEach(() => {
    setModelCacheDir(before);
    dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
  });
  const folder = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'deskpilot-model-cache-'));
    dirs.push(d);
    return d;
  };
  const options: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', intraOpNumThreads: 1 };
  // A 64x64 detector input with a pattern on it; the probability map it gives back.
  const run = async (session: ort.InferenceSession) => {
    const data = new Float32Array(3 * 64 * 64).map((_, i) => Math.sin(i / 7));
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', data, [1, 3, 64, 64]) });
    return Array.from(out[session.outputNames[0]!]!.data as Float32Array);
  };

  it('saves the optimised detector once and loads it after, with the same outputs', async () => {
    const dir = folder();
    setModelCacheDir(dir);
    const source = ocrModelPath('detector');
    const first = await openSession(source, options);
    const saved = readdirSync(dir);
    expect(saved).toEqual([expect.stringMatching(/^ch_PP-OCRv4_det_infer-[0-9a-f]{16}\.ort$/)]);
    const stamp = statSync(path.join(dir, saved[0]!)).mtimeMs;
    const second = await openSession(source, options);
    expect(statSync(path.join(dir, saved[0]!)).mtimeMs).toBe(stamp); // read, not written again
    const uncached = await ort.InferenceSession.create(source, options);
    const [a, b, c] = [await run(first), await run(second), await run(uncached)];
    expect(b).toEqual(a);
    expect(Math.max(...b.map((v, i) => Math.abs(v - c[i]!)))).toBeLessThan(1e-5);
    await Promise.all([first.release(), second.release(), uncached.release()]);
  });

  it('removes the same model saved under an older key, and leaves other files alone', async () => {
    const dir = folder();
    setModelCacheDir(dir);
    const older = 'ch_PP-OCRv4_det_infer-0123456789abcdef.ort';
    const others = ['ch_PP-OCRv4_rec_infer-0123456789abcdef.ort', 'ch_PP-OCRv4_det_infer-0123456789abcdef.999.tmp.ort'];
    for (const f of [older, ...others]) writeFileSync(path.join(dir, f), 'an older save');
    await (await openSession(ocrModelPath('detector'), options)).release();
    const saved = readdirSync(dir).sort();
    expect(saved).not.toContain(older);
    expect(saved).toEqual(expect.arrayContaining(others));
    expect(saved.filter((f) => /^ch_PP-OCRv4_det_infer-[0-9a-f]{16}\.ort$/.test(f))).toHaveLength(1);
  });

  it('replaces a damaged file, and keeps nothing without a folder', async () => {
    const dir = folder();
    setModelCacheDir(dir);
    const source = ocrModelPath('detector');
    await (await openSession(source, options)).release();
    const file = path.join(dir, readdirSync(dir)[0]!);
    writeFileSync(file, 'not a model');
    const session = await openSession(source, options);
    const outputs = await run(session);
    expect(statSync(file).size).toBeGreaterThan(1_000_000); // optimised again and saved
    expect(readdirSync(dir)).toEqual([path.basename(file)]); // no temporary file left
    const stamp = statSync(file).mtimeMs;
    const again = await openSession(source, options); // the new file loads as it is
    expect(await run(again)).toEqual(outputs);
    expect(statSync(file).mtimeMs).toBe(stamp);
    await Promise.all([session.release(), again.release()]);

    setModelCacheDir(undefined);
    const plain = folder();
    await (await openSession(source, options)).release();
    expect(readdirSync(plain)).toEqual([]);
  });
});
