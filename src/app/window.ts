import { readFile } from 'node:fs/promises';
import { focusedWindow } from '../actions/x11-windows.js';
import type { ActiveWindow } from '../engine/observe.js';

/**
 * The focused window's title and program, for the safety policy and the run log. On X11 (read
 * in-process, see x11-windows.ts); elsewhere unknown for now (the policy then sees no window
 * words, which only means fewer reasons to ask, never a reason to skip asking for the step itself).
 */
export function activeWindowReader(env: NodeJS.ProcessEnv): () => Promise<ActiveWindow | undefined> {
  return async () => {
    if (process.platform !== 'linux') return undefined;
    const win = await focusedWindow(env);
    if (!win) return undefined;
    const app = win.pid ? (await readFile(`/proc/${win.pid}/comm`, 'utf8').catch(() => '')).trim() : '';
    return { title: win.title, ...(app ? { app } : {}) };
  };
}
