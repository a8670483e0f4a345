export { createOcr, OCR_DEFAULTS } from './ocr.js';
export { OcrError } from './errors.js';
export { modelCacheDir, modelCacheIn, setModelCacheDir } from './cache-dir.js';
export { loadedModelCount, ocrModelDir, ocrModelPath, setOcrThreads, warmOcrModels } from './models.js';
export type { Ocr, OcrImage, OcrLine, OcrOptions, OcrResult, OcrWord, RecognizeOptions } from './types.js';
