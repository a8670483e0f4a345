import { launchProgram, ProgramNotRun } from '../actions/run-program.js';
import { ActionError, errorMessage } from '../shared/errors.js';

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
  // Through the spawn broker where the process has one (see launchProgram).
  return launchProgram(cmd, argv, { env }).catch((err: unknown) => {
    throw new ActionError(`cannot start "${app}": ${err instanceof ProgramNotRun ? err.reason : errorMessage(err)}`, { cause: err });
  });
}
