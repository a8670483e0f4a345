import { UserInputError } from '../../shared/errors.js';
import { restoreDeferredCa, WORKER_ENV, type FromWorker, type ToWorker, type WorkerConfig } from '../../runner/suite/protocol.js';
import { startVirtualDisplay } from '../../runner/xvfb.js';
import { runProgram } from '../../actions/run-program.js';
import { relaySpawns, startSpawnBroker, stopSpawnBroker } from '../../actions/spawn-broker-client.js';
import { routeCommands } from '../../perception/x11.js';
import { trustDisplay } from '../../perception/nut-probe.js';
import { setModelCacheDir } from '../../perception/ocr/cache-dir.js';

/**
 * Entry of one `deskpilot test` worker (a child process, started by test.ts): its own Xvfb and
 * openbox, then the engine on that display, then tasks from the parent until it says exit.
 * No top-level await: the worker's bundle is one CommonJS script, run with V8's code cache
 * (see src/cli/bundle.mjs).
 */

void main();

async function main(): Promise<void> {
  // First: the apps and commands the worker runs get NODE_EXTRA_CA_CERTS back (nodeStartEnv).
  restoreDeferredCa();
  const raw = process.env[WORKER_ENV];
  if (!raw)
    throw new UserInputError(`the test worker is started by "deskpilot test" (${WORKER_ENV} is not set)`);
  const config = JSON.parse(raw) as WorkerConfig;
  // The spawn broker first, while this process is small: every xdotool/xclip/xrandr/sh the worker
  // runs is then forked from it (~1 ms) instead of from this process once it holds the OCR models
  // (15-40 ms per spawn).
  // Or the parent runs them (deskpilot test's CLI process, which holds no models): no process to start.
  const parent = process.send?.bind(process);
  if (config.relaySpawns && parent) {
    const deliver = relaySpawns((message) => parent({ type: 'spawn', message } satisfies FromWorker));
    process.on('message', (m: ToWorker) => void (m.type === 'spawned' && deliver(m.reply)));
    routeCommands(runProgram);
  } else if (startSpawnBroker()) routeCommands(runProgram);
  // The X server first: it boots in its own process while this one loads the task runner (which
  // does not need X).
  const starting = startVirtualDisplay({
    from: config.displayFrom,
    width: config.width,
    height: config.height,
    // openbox comes up while the engine loads; the first task waits for it below.
    waitForWindowManager: false,
    // Screens are read from Xvfb's memory-mapped framebuffer (DESKPILOT_NO_FRAMEBUFFER=1: XGetImage).
    framebuffer: process.env['DESKPILOT_NO_FRAMEBUFFER'] !== '1',
  });
  starting.catch(() => undefined); // awaited below
  // Ended from outside (a Stop, the parent giving up): the display goes too, even mid-start. The
  // broker is waited for before exit, so that its CPU (and its children's) is counted in ours.
  process.once('SIGTERM', () => {
    const display = starting.then(
      (s) => s.stop(),
      () => undefined,
    );
    void Promise.all([display, stopSpawnBroker()]).finally(() => process.exit(143));
  });
  // The task runner and the engine's modules load while the X server boots (~40 ms of this
  // thread that would otherwise wait for X, and then for them).
  const serving = import('../../runner/suite/worker.js');
  const runtimeModule = import('./test-runtime.js');
  runtimeModule.catch(() => undefined); // awaited below
  const screen = await starting;
  // Our own X server, seen accepting clients: libnut cannot crash opening it, so its probe in a
  // child process is not needed.
  trustDisplay(screen.display, { width: screen.width, height: screen.height });
  const { serveTasks } = await serving;
  // Ctrl+C reaches the whole process group: the parent decides (it lets running tasks finish).
  process.on('SIGINT', () => undefined);
  try {
    // The display must be in the environment before libnut loads (it binds $DISPLAY at load).
    process.env['DISPLAY'] = screen.display;
    // Optimised OCR models are kept in the person's data dir, not this worker's (one run long).
    setModelCacheDir(config.modelCacheDir);
    const { openRuntime } = await runtimeModule;
    const { runtime, dispose } = await openRuntime({
      dataDir: config.dataDir,
      secretsDir: config.secretsDir,
      ...(config.configPath ? { configPath: config.configPath } : {}),
      ...(config.logLevel ? { logLevel: config.logLevel } : {}),
      display: screen.display,
      confirm: config.confirm,
      env: { ...process.env, DISPLAY: screen.display },
      sweepWindows: true,
      privateDisplay: true,
      ...(screen.framebuffer ? { framebuffer: screen.framebuffer } : {}),
      ...(config.ocrServer ? { ocrServer: config.ocrServer } : {}),
    });
    // The OCR models (~0.2 s of this thread) load now, while openbox may still be starting. Loaded
    // while the X server started, they held up the engine's set-up (the main thread is busy while a
    // model loads); loaded during the first task, with several workers they competed with that
    // task's app and the other workers (2 workers: ~0.2 s more wall time; 1 worker: the same).
    // With the run's OCR server (`deskpilot test` starts one), the models are its to load.
    if (!config.ocrServer)
      await import('../../perception/ocr/index.js')
        .then((ocr) => ocr.warmOcrModels(config.ocrThreads))
        .catch(() => undefined); // a model that fails to load shows at the first read
    await screen.windowManagerReady;
    try {
      await serveTasks(runtime, config.workRoot, screen.pids);
    } finally {
      await dispose();
    }
  } finally {
    await screen.stop();
    await stopSpawnBroker();
  }
  // The parent goes on (its reports) while this process exits, which takes 50-80 ms: the OCR
  // models and screen frames (~400 MB) are unmapped. It waits for that exit before its own.
  setTimeout(() => process.exit(0), 1000);
  if (process.connected) process.send?.({ type: 'closed' } satisfies FromWorker, () => process.exit(0));
  else process.exit(0);
}
