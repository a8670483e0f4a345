import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { ActiveWindow } from '../engine/observe.js';

const run = promisify(execFile);

/**
 * The focused window's title and program, for the safety policy and the run log. On X11 via
 * xdotool; elsewhere unknown for now (the policy then sees no window words, which only means
 * fewer reasons to ask, never a reason to skip asking for the step itself).
 */
export function activeWindowReader(env: NodeJS.ProcessEnv): () => Promise<ActiveWindow | undefined> {
  return async () => {
    if (process.platform !== 'linux') return undefined;
    try {
      const { stdout: id } = await run('xdotool', ['getactivewindow'], { env, timeout: 1000 });
      const wid = id.trim();
      const [{ stdout: title }, pid] = await Promise.all([
        run('xdotool', ['getwindowname', wid], { env, timeout: 1000 }),
        run('xdotool', ['getwindowpid', wid], { env, timeout: 1000 }).then((r) => r.stdout.trim(), () => ''),
      ]);
      const app = pid ? (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() : '';
      return { title: title.trim(), ...(app ? { app } : {}) };
    } catch {
      return undefined;
    }
  };
}
