import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { CaptureError, errorMessage } from '../shared/errors.js';

/** Absolute path of an executable on PATH, or null; lets callers fail with advice, not a crash. */
export async function findBinary(name: string, pathVar = process.env.PATH ?? ''): Promise<string | null> {
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    const full = path.join(dir, name);
    try {
      await access(full, fsConstants.X_OK);
      return full;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** The display to use: the option, else the inherited DISPLAY (what every X client does). */
export function resolveDisplay(option: string | undefined): string {
  const display = option ?? process.env.DISPLAY;
  if (!display) {
    throw new CaptureError('no X display: set the `display` option (config `display`, DESKPILOT_DISPLAY) or DISPLAY');
  }
  return display;
}

/**
 * True when a local display (":N") has its server socket. libnut segfaults the whole process
 * on an unreachable display, so this must pass before any native call.
 */
export async function localDisplayExists(display: string): Promise<boolean> {
  const m = /^(?:unix)?:(\d+)(?:\.\d+)?$/.exec(display);
  if (!m) return true; // remote or unusual form: only a real connection can tell
  try {
    await access(`/tmp/.X11-unix/X${m[1]}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * How runCommand starts a program when set: the test worker routes its programs through a spawn
 * broker (actions/run-program.ts runProgram), because forking a process that holds the OCR models
 * costs 15-40 ms per spawn. Perception may not import actions, so the worker hands it in.
 */
export type CommandRunner = (
  file: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; timeoutMs: number; signal?: AbortSignal },
) => Promise<{ code: number | null; signal: string | null; stdout: Buffer; stderr: Buffer; timedOut: boolean; aborted: boolean }>;

let runner: CommandRunner | undefined;

/** Routes runCommand through `run` (undefined: spawn directly again). */
export function routeCommands(run: CommandRunner | undefined): void {
  runner = run;
}

export function runCommand(
  file: string,
  args: string[],
  options: { display: string; signal?: AbortSignal; timeoutMs?: number; encoding?: 'utf8' | 'buffer' },
): Promise<Buffer> {
  const env = { ...process.env, DISPLAY: options.display };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const fail = (detail: string, cause: unknown) =>
    new CaptureError(`${file} ${args.join(' ')} failed on display ${options.display}: ${detail}`, { cause });
  if (runner) {
    return runner(file, args, { env, timeoutMs, ...(options.signal ? { signal: options.signal } : {}) }).then(
      (r) => {
        if (r.code === 0) return r.stdout;
        const why = r.aborted ? 'aborted' : r.timedOut ? `timed out after ${timeoutMs} ms` : r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`;
        throw fail(r.stderr.toString('utf8').trim() || why, undefined);
      },
      (err: unknown) => {
        throw fail(errorMessage(err), err);
      },
    );
  }
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { env, signal: options.signal, timeout: timeoutMs, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(fail(stderr.toString('utf8').trim() || errorMessage(err), err));
        else resolve(stdout);
      },
    );
  });
}

/**
 * Native capture code (libnut's XOpenDisplay(NULL) per grab, ImageMagick inside
 * screenshot-desktop) reads DISPLAY from the process environment at call time, so an adapter
 * for a given display has to set it. That makes the display process-wide: one process works
 * on one X display. A second adapter asking for another display fails instead of silently
 * capturing the wrong screen.
 */
let bound: { display: string; users: number } | null = null;

export function bindProcessDisplay(display: string): () => void {
  if (bound && bound.display !== display) {
    throw new CaptureError(
      `this process already captures display ${bound.display}; X capture reads DISPLAY process-wide, so ${display} needs its own process (or dispose the other screen source first)`,
    );
  }
  bound = bound ?? { display, users: 0 };
  bound.users++;
  process.env.DISPLAY = display;
  let released = false;
  return () => {
    if (released || !bound) return;
    released = true;
    bound.users--;
    if (bound.users === 0) bound = null;
  };
}
