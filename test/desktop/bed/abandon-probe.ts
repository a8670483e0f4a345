// Run by testbed.test.ts in a child process: starts a desktop with an app on it, reports what it
// started, then dies WITHOUT calling stop() (exits when told so on stdin, or by the test's signal),
// so the test can check that the exit hook still took everything down.
import { startDesktop } from './index.js';

const desktop = await startDesktop({ width: 640, height: 480 });
const term = await desktop.xterm('sleep 60');
process.stdout.write(
  JSON.stringify({ display: desktop.display, pids: desktop.pids(), xterm: term.pid }) + '\n',
);
process.stdin.on('data', (line) => {
  if (line.toString().trim() === 'exit') process.exit(0);
});
