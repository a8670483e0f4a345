import { spawn } from 'node:child_process';
import { ActionError } from '../shared/errors.js';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a short helper program (xdotool, xclip) to completion. With a signal, the program is
 * killed the moment the signal fires (the kill switch must stop input within 100 ms even when
 * a loaded machine makes one xdotool run slow); a caller that passes a signal must then release
 * any key the killed program may have left down (see XdotoolTypist).
 */
export function runTool(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
  signal?: AbortSignal,
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const kill = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', kill, { once: true });
    child.on('exit', () => signal?.removeEventListener('abort', kill));
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
