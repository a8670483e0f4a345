import { execFile } from 'node:child_process';
import { TestBedError } from './errors.js';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface ToolResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs a short X tool (xdpyinfo, xdotool, xrandr, import) and resolves with its exit code instead
 * of throwing, because polling callers treat a non-zero exit as "not yet".
 */
export function runTool(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 10_000,
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { env, timeout: timeoutMs, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { code?: unknown }) | null;
        if (err && err.code === 'ENOENT') {
          reject(
            new TestBedError(`${command} is not installed (needed by the desktop test bed)`, { cause: err }),
          );
          return;
        }
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr: stderr.toString('utf8') });
      },
    );
  });
}

/** Like runTool but a failure is an error naming the command and its stderr. */
export async function mustRunTool(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs?: number,
): Promise<Buffer> {
  const result = await runTool(command, args, env, timeoutMs);
  if (result.code !== 0) {
    throw new TestBedError(
      `\`${command} ${args.join(' ')}\` on ${env.DISPLAY ?? '?'} failed (exit ${result.code}): ${result.stderr.trim()}`,
    );
  }
  return result.stdout;
}

/** Polls `check` until it returns a value other than undefined, or throws `onTimeout()`. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  onTimeout: () => Error,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw onTimeout();
    await sleep(intervalMs);
  }
}
