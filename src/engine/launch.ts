import { spawn } from 'node:child_process';
import { ActionError } from '../shared/errors.js';

/**
 * Starts a program for a `launch` step, detached so it outlives the run like an app a person
 * opened. A name without a path is looked up on PATH; a file or URL goes to the desktop's
 * opener (xdg-open on Linux, open on macOS, start on Windows).
 */
export async function launchApp(app: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const isDocument = /^[a-z]+:\/\//i.test(app) || /\.[a-z0-9]{2,5}$/i.test(app);
  const [cmd, argv] = isDocument
    ? process.platform === 'darwin'
      ? ['open', [app, ...args]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', app, ...args]]
        : ['xdg-open', [app, ...args]]
    : [app, args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { env, detached: true, stdio: 'ignore' });
    child.once('error', (err) => reject(new ActionError(`cannot start "${app}": ${err.message}`, { cause: err })));
    child.once('spawn', () => {
      child.unref();
      resolve(child.pid ?? 0);
    });
  });
}
