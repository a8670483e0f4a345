// How a test run's worker and OCR server processes are started (src/runner/suite/protocol.ts
// re-exports these). Plain JS, because the CLI's launcher (src/cli/prestart.mjs) starts the OCR
// server with them before any TypeScript is loaded.

/** Set for a server the CLI's launcher started ahead (src/cli/prestart.mjs): its config comes as an IPC message, { config }. */
export const OCR_SERVER_DEFERRED_ENV = 'DESKPILOT_OCR_SERVER_DEFERRED';

/**
 * V8 flags of the worker process. Its heap churns (frames, OCR tensors, screenshots), and V8's
 * helper threads (concurrent marking, parallel scavenge, background compiles) then competed for
 * the cores with the OCR's own second thread and the apps under test: about 1.4 s of CPU per
 * sample-suite run on 4 threads. Done on the main thread instead, with a larger young generation
 * (fewer scavenges), the sample suite took 7.1-7.3 s instead of 8.1 s with 2 workers, and
 * 11.6 s instead of 12.1 s with 1 (A/B runs on a 2-core machine). The young generation starts
 * at its full size: growing it from 1 MB cost ~30 scavenges, 43-47 ms of a worker's start (now 14-17 ms).
 * Bytecode is kept once compiled (not flushed from functions that ran long ago), so the code cache
 * a worker saves at exit (src/cli/run-cached.cjs) still holds what its start compiled.
 *
 * @type {readonly string[]}
 */
export const WORKER_NODE_FLAGS = [
  '--single-threaded',
  '--min-semi-space-size=16',
  '--max-semi-space-size=16',
  '--no-flush-bytecode',
];

/**
 * glibc settings for the worker process (read at its start). A worker allocates and frees large
 * blocks all the time: 4 MB screen frames, ONNX feature maps (ORT runs without its arena). Above
 * glibc's default thresholds each one is a fresh mmap whose pages fault in zeroed again, and a
 * freed heap top is handed back to the kernel at once. Kept in the heap instead, the sample
 * suite with 2 workers took 7.9-8.1 s instead of 8.3-9.3 s (less system time), and a worker's
 * peak memory went down (341 vs 405 MB), not up. Apps the worker starts do not inherit them.
 */
export const WORKER_MALLOC = {
  MALLOC_MMAP_THRESHOLD_: String(64 << 20),
  MALLOC_TRIM_THRESHOLD_: String(256 << 20),
};
