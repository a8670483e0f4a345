import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
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

/**
 * Whether a program is on `env`'s PATH (checked once per driver, not per call): an executable
 * file in one of its folders, as the shell's `command -v` finds it, without starting a shell
 * (two of those were ~20 ms of each test worker's start). Perception's findBinary is the same
 * look-up for its own tools: actions may not import perception (ARCHITECTURE.md).
 */
export function hasTool(command: string, env: NodeJS.ProcessEnv): boolean {
  const dirs = command.includes('/') ? [''] : (env['PATH'] ?? '').split(path.delimiter);
  return dirs.some((dir) => isExecutableFile(dir ? path.join(dir, command) : command));
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
