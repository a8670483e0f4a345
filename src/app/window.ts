import { readFile } from 'node:fs/promises';
import { runProgram } from '../actions/run-program.js';
import type { ActiveWindow } from '../engine/observe.js';

/**
 * The focused window's title and program, for the safety policy and the run log. On X11 via
 * xdotool; elsewhere unknown for now (the policy then sees no window words, which only means
 * fewer reasons to ask, never a reason to skip asking for the step itself).
 */
export function activeWindowReader(env: NodeJS.ProcessEnv): () => Promise<ActiveWindow | undefined> {
  return async () => {
    if (process.platform !== 'linux') return undefined;
    // One xdotool process for all three (a chained command line): ~3x cheaper per step than three.
    // A window without _NET_WM_PID fails the last command after the title was printed.
    // Through the spawn broker when the process started one (runProgram).
    const out = await runProgram('xdotool', ['getactivewindow', 'getwindowname', 'getwindowpid'], { env, timeoutMs: 1000 }).then(
      (r) => r.stdout.toString('utf8'),
      () => '',
    );
    const [title, pid] = out.split('\n').map((l) => l.trim());
    if (title === undefined || (title === '' && !pid)) return undefined;
    const app = pid && /^\d+$/.test(pid) ? (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() : '';
    return { title, ...(app ? { app } : {}) };
  };
}
