import { join } from 'node:path';

/**
 * Where optimised OCR models are kept (see model-cache.ts), set once per process: by a test
 * worker from its parent, else from the data dir when the engine is set up. Kept apart from the
 * cache itself, which loads ONNX Runtime: `deskpilot test` names the folder without loading it.
 */
let cacheDir: string | undefined;

/** undefined: not kept (each load optimises again). */
export function setModelCacheDir(dir: string | undefined): void {
  cacheDir = dir;
}

export function modelCacheDir(): string | undefined {
  return cacheDir;
}

/** The folder of a data dir that holds its optimised models. */
export function modelCacheIn(dataDir: string): string {
  return join(dataDir, 'cache', 'models');
}
