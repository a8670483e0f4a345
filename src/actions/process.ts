import { spawn } from 'node:child_process';
import { ActionError } from '../shared/errors.js';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a short helper program (xdotool, xclip) to completion. No AbortSignal on purpose: killing
 * xdotool between a key press and its release would leave the key held down on the X server, so
 * callers keep each run short and check their signal between runs instead.
 */
export function runTool(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => reject(new ActionError(`could not run ${command}: ${err.message}`, { cause: err })));
    // 'exit', not 'close': xclip forks a child that keeps serving the selection and holds the
    // pipes open; waiting for 'close' would wait for that child.
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin?.end(input);
  });
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
