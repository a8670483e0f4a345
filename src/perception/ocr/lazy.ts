import type { Ocr, OcrOptions } from './types.js';

/**
 * createOcr(), loaded at the first read: the OCR pipeline and ONNX Runtime (a native library,
 * ~25 ms of a process's start and its mapped code) stay out of a process that never reads with
 * models of its own, such as a test worker that sends its reads to the run's OCR server.
 */
export function lazyOcr(options: OcrOptions = {}): Ocr {
  let loaded: Promise<Ocr> | undefined;
  const load = () => (loaded ??= import('./ocr.js').then((m) => m.createOcr(options)));
  return {
    recognize: async (image, opts) => (await load()).recognize(image, opts),
    async dispose() {
      // Nothing to release when the pipeline never loaded (its first read said why).
      await (await loaded?.catch(() => undefined))?.dispose();
    },
  };
}
