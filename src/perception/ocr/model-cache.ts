import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { modelCacheDir } from './cache-dir.js';
import { rewriteActivations, REWRITE_VERSION } from './graph.js';

/**
 * ONNX Runtime optimises a model's graph each time a session loads it (~50 ms of the ~170 ms a
 * detector and recogniser take), in every process that reads the screen: each test worker, each
 * `deskpilot run`. The optimised graph is saved once, in ORT format, and loaded as it is after.
 * The optimisations at level 'all' fit the CPU they ran on (ORT warns so), so the file's name
 * holds the model file's identity, the ORT version and the CPU's model and feature flags: another
 * machine, an update of either, or a changed model gets a new file. A file that does not load is
 * removed and the model is optimised again. What is optimised is the model with its activations
 * rewritten (graph.ts: the same outputs, 0.82-0.84x the CPU time); the key has that rewrite's
 * version too.
 */

/** An inference session for the model at `source`, through the cache when one is set. */
export async function openSession(source: string, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  const dir = modelCacheDir();
  if (!dir || process.env['DESKPILOT_NO_MODEL_CACHE'] === '1') return ort.InferenceSession.create(rewritten(source), options);
  const name = basename(source).replace(/\.onnx$/, '');
  const cached = join(dir, `${name}-${cacheKey(source)}.ort`);
  if (existsSync(cached)) {
    try {
      return await ort.InferenceSession.create(cached, { ...options, graphOptimizationLevel: 'disabled' });
    } catch {
      rmSync(cached, { force: true }); // damaged or from an incompatible build: optimise again
    }
  }
  const temp = `${cached.slice(0, -4)}.${process.pid}.tmp.ort`; // ORT picks the format by the extension
  const model = rewritten(source);
  try {
    mkdirSync(dir, { recursive: true });
    // Warnings off for this load only: ORT warns that the saved graph fits this CPU (the key says so).
    const session = await ort.InferenceSession.create(model, { ...options, optimizedModelFilePath: temp, logSeverityLevel: 3 });
    renameSync(temp, cached); // whole or not at all, whichever process saves it first or last
    dropStale(dir, name, basename(cached));
    return session;
  } catch {
    rmSync(temp, { force: true });
    return ort.InferenceSession.create(model, options); // a read-only cache dir: no cache
  }
}

/**
 * Removes this model's files saved under other keys (an update of ONNX Runtime, of the model or of
 * the rewrite, another CPU): each is ~5-11 MB that nothing loads any more. Temporary files of
 * other processes' saves are left alone.
 */
function dropStale(dir: string, name: string, keep: string): void {
  const stale = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[0-9a-f]{16}\\.ort$`);
  try {
    for (const file of readdirSync(dir)) if (file !== keep && stale.test(file)) rmSync(join(dir, file), { force: true });
  } catch {
    // only tidying: the session is loaded either way
  }
}

/** The model file's bytes with its activations rewritten (graph.ts); as they are if that fails. */
function rewritten(source: string): Uint8Array {
  const bytes = readFileSync(source);
  try {
    return rewriteActivations(bytes).model;
  } catch {
    return bytes; // a graph the rewrite does not follow: ORT reads it, or says why not
  }
}

function cacheKey(source: string): string {
  const s = statSync(source);
  return createHash('sha256')
    .update([source, s.size, s.mtimeMs, ort.env.versions.node ?? ort.env.versions.common, cpuSignature(), `rewrite ${REWRITE_VERSION}`].join('\n'))
    .digest('hex')
    .slice(0, 16);
}

let cpu: string | undefined;

/** The CPU's model and instruction-set flags (Linux), or its model name and architecture. */
function cpuSignature(): string {
  if (cpu !== undefined) return cpu;
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1] ?? '';
    cpu = `${field('model name')}|${field('flags')}`;
  } catch {
    cpu = `${cpus()[0]?.model ?? 'unknown'}|${process.arch}`;
  }
  return cpu;
}
