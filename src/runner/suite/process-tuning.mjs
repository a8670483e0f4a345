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

/** Where a worker started without NODE_EXTRA_CA_CERTS finds it, for the programs it runs (see nodeStartEnv). */
export const DEFERRED_CA_ENV = 'DESKPILOT_NODE_EXTRA_CA_CERTS';

/**
 * The environment to start a worker or OCR server process with. Where NODE_EXTRA_CA_CERTS is set
 * (corporate CI, proxies; this machine: Debian's ca-certificates.crt), Node parses every
 * certificate in that file when the process starts, before any code runs: `node -e 0` took 84 ms
 * of CPU instead of 22 (perf stat, 10 runs each). The OCR server and a worker without a model
 * endpoint over https make no TLS connection, so they start without it: ~60 ms of CPU less for
 * each, while the workers start on the same cores (2 workers on 2 cores: both ready 80 ms sooner,
 * 1 worker: 45 ms, medians of 15 alternating runs). A worker keeps the value under
 * DEFERRED_CA_ENV and puts it back for the apps and commands it runs (restoreDeferredCa).
 * `tls`: the process may open TLS connections itself (a worker whose config names an https
 * model endpoint): the environment is left as it is.
 * @param {NodeJS.ProcessEnv} env @param {{ tls: boolean, forChildren: boolean }} o
 * @returns {NodeJS.ProcessEnv}
 */
export function nodeStartEnv(env, o) {
  const { NODE_EXTRA_CA_CERTS: ca, ...rest } = env;
  if (!ca || o.tls) return env;
  return o.forChildren ? { ...rest, [DEFERRED_CA_ENV]: ca } : rest;
}

/**
 * In a process started with nodeStartEnv(…, { forChildren: true }), before anything copies the
 * environment: what it starts sees NODE_EXTRA_CA_CERTS as the person set it.
 * @param {NodeJS.ProcessEnv} [env]
 */
export function restoreDeferredCa(env = process.env) {
  const ca = env[DEFERRED_CA_ENV];
  if (ca === undefined) return;
  env.NODE_EXTRA_CA_CERTS = ca;
  delete env[DEFERRED_CA_ENV];
}
