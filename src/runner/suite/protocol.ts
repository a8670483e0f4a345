import { availableParallelism } from 'node:os';
import type { BrokerMessage, SpawnReply } from '../../actions/spawn-broker-client.js';
import type { SerializedError } from '../../shared/errors.js';
import type { Task } from '../tasks/schema.js';
import type { AttemptProgress } from './attempt.js';
import type { AttemptResult } from './results.js';

/** Messages between `deskpilot test` and its workers (Node IPC, 'advanced' serialization: Buffers stay bytes). */

export type ToWorker =
  | { type: 'run'; task: Task; attempt: number }
  | { type: 'exit' }
  /** What became of a program the worker asked its parent to run (WorkerConfig.relaySpawns). */
  | { type: 'spawned'; reply: SpawnReply };

export type FromWorker =
  | {
      type: 'ready';
      display?: string;
      /** X server and window manager: ended by the parent if the worker dies. */ pids?: number[];
    }
  | { type: 'progress'; taskId: string; progress: AttemptProgress }
  | { type: 'result'; taskId: string; result: AttemptResult }
  | { type: 'fatal'; error: SerializedError }
  /** Told to exit: its display and helpers are gone; only the process's own exit is left. */
  | { type: 'closed' }
  /** A helper program to run (xdotool, xclip, sh) or one to end, with relaySpawns. */
  | { type: 'spawn'; message: BrokerMessage };

/** How the parent starts a worker: passed as JSON in DESKPILOT_TEST_WORKER. */
export interface WorkerConfig {
  index: number;
  /** The worker's own data dir (database and screenshots). */
  dataDir: string;
  /** Where task work dirs go. */
  workRoot: string;
  configPath?: string;
  logLevel?: string;
  /** How sensitive steps are answered: no person watches a test run. */
  confirm: 'deny' | 'allow';
  /** The person's data dir: where `{{secret:NAME}}` values are kept (encrypted-file store). */
  secretsDir: string;
  /** First display number to try. */
  displayFrom: number;
  width: number;
  height: number;
  /** Threads per OCR model run: fewer when several workers share the CPU cores. */
  ocrThreads?: number;
  /** Where optimised OCR models are kept between runs (see model-cache.ts). */
  modelCacheDir?: string;
  /** Helper programs are run by the parent (see relaySpawns), not by a broker of its own. */
  relaySpawns?: boolean;
  /** Screens are read by the run's OCR server (see ocr-server.ts), not by models of its own. */
  ocrServer?: OcrServerAddress;
}

/** Where the run's OCR server listens, and its process: while it starts, its socket is waited for only while it lives. */
export interface OcrServerAddress {
  socket: string;
  pid?: number;
}

export const WORKER_ENV = 'DESKPILOT_TEST_WORKER';

/** The run's OCR server's config (ocr-server-main.ts): passed as JSON in DESKPILOT_OCR_SERVER. */
export interface OcrServerConfig {
  socket: string;
  threads: number;
  modelCacheDir?: string;
}

export const OCR_SERVER_ENV = 'DESKPILOT_OCR_SERVER';
// In plain JS: the CLI's launcher reads them before any TypeScript loads (src/cli/prestart.mjs).
export { nodeStartEnv, OCR_SERVER_DEFERRED_ENV, restoreDeferredCa, WORKER_MALLOC, WORKER_NODE_FLAGS } from './process-tuning.mjs';

/**
 * OCR threads per model run in each of `workers` workers: the OCR's default of 2 (1 on a single
 * core), and 1 once there are more workers than cores. With 2 workers on 2 cores, 2 threads each
 * was the faster (4 of 5 alternating suite runs, ~3% less wall time, ~7% more CPU): the OCR's
 * idle threads sleep rather than spin, and one worker's read can use the core of a worker that
 * waits for its app.
 */
export function ocrThreadsPerWorker(workers: number, cores = availableParallelism()): number {
  return workers > cores ? 1 : Math.max(1, Math.min(2, cores));
}

