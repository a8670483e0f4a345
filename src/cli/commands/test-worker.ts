import { UserInputError } from '../../shared/errors.js';
import { WORKER_ENV, type WorkerConfig } from '../../runner/suite/protocol.js';
import { serveTasks } from '../../runner/suite/worker.js';
import { startVirtualDisplay } from '../../runner/xvfb.js';

/**
 * Entry of one `deskpilot test` worker (a child process, started by test.ts): its own Xvfb and
 * openbox, then the engine on that display, then tasks from the parent until it says exit.
 */

const raw = process.env[WORKER_ENV];
if (!raw)
  throw new UserInputError(`the test worker is started by "deskpilot test" (${WORKER_ENV} is not set)`);
const config = JSON.parse(raw) as WorkerConfig;
const screen = await startVirtualDisplay({
  from: config.displayFrom,
  width: config.width,
  height: config.height,
});
const stopAll = () => void screen.stop().finally(() => process.exit(143));
process.once('SIGTERM', stopAll);
// Ctrl+C reaches the whole process group: the parent decides (it lets running tasks finish).
process.on('SIGINT', () => undefined);
try {
  // The display must be in the environment before libnut loads (it binds $DISPLAY at load).
  process.env['DISPLAY'] = screen.display;
  const { openRuntime } = await import('./test-runtime.js');
  const { runtime, dispose } = await openRuntime({
    dataDir: config.dataDir,
    secretsDir: config.secretsDir,
    ...(config.configPath ? { configPath: config.configPath } : {}),
    ...(config.logLevel ? { logLevel: config.logLevel } : {}),
    display: screen.display,
    confirm: config.confirm,
    env: { ...process.env, DISPLAY: screen.display },
    sweepWindows: true,
  });
  try {
    await serveTasks(runtime, config.workRoot, screen.pids);
  } finally {
    await dispose();
  }
} finally {
  await screen.stop();
}
process.exit(0);
