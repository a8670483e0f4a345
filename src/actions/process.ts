import { ActionError, errorMessage } from '../shared/errors.js';
import { runProgram } from './run-program.js';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a short helper program (xdotool, xclip) to completion, through the spawn broker when the
 * process started one (run-program.ts). With a signal, the program is
 * killed the moment the signal fires (the kill switch must stop input within 100 ms even when
 * a loaded machine makes one xdotool run slow); a caller that passes a signal must then release
 * any key the killed program may have left down (see XdotoolTypist).
 */
export async function runTool(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
  signal?: AbortSignal,
): Promise<ProcessResult> {
  try {
    // 'exit', not 'close': xclip forks a child that keeps serving the selection and holds the
    // pipes open; waiting for 'close' would wait for that child.
    const r = await runProgram(command, args, {
      env,
      until: 'exit',
      ...(input !== undefined ? { input } : {}),
      ...(signal ? { signal } : {}),
    });
    return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
  } catch (err) {
    throw new ActionError(errorMessage(err), { cause: err });
  }
}

/** Whether a program is on PATH (checked once per driver, not per call). */
export async function hasTool(command: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    const r = await runTool('sh', ['-c', `command -v ${command}`], env);
    return r.code === 0;
  } catch {
    return false;
  }
}
