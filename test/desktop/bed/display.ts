import { readFileSync } from 'node:fs';
import { displayTaken } from '../../../src/runner/xvfb.js';
import { TestBedError } from './errors.js';
import { describeLeft, type ProcessTracker } from './processes.js';
import { mustRunTool, pollUntil, runTool } from './util.js';

export interface ScreenRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const FIRST_DISPLAY = 100;
const LAST_DISPLAY = 999;
const START_ATTEMPTS = 20;

function lockOwner(n: number): number | undefined {
  try {
    return Number.parseInt(readFileSync(`/tmp/.X${n}-lock`, 'utf8').trim(), 10);
  } catch {
    return undefined;
  }
}

function nextFreeDisplay(from: number): number {
  for (let n = from; n <= LAST_DISPLAY; n++) if (!displayTaken(n)) return n;
  throw new TestBedError(`no free X display number between :${FIRST_DISPLAY} and :${LAST_DISPLAY}`);
}

/**
 * Starts Xvfb on the first display number that looks free, from :100 upward. Test files run in
 * parallel, so two of them can pick the same number at the same moment; the loser's Xvfb exits
 * ("server already active") and we move on to the next number. The display counts as ours only
 * when its lock file names our Xvfb's pid, because xdpyinfo alone would also succeed against
 * the winner's server.
 */
export async function startXvfb(
  tracker: ProcessTracker,
  baseEnv: NodeJS.ProcessEnv,
  width: number,
  height: number,
): Promise<{ number: number; pid: number }> {
  let candidate = FIRST_DISPLAY;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const n = nextFreeDisplay(candidate);
    candidate = n + 1;
    const args = [`:${n}`, '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-noreset'];
    const child = await tracker.spawn('Xvfb', args, { env: baseEnv });
    // Killed by SIGKILL in the exit hook, Xvfb cannot remove these; the hook does.
    tracker.xServers.push({ pid: child.pid, lock: `/tmp/.X${n}-lock`, socket: `/tmp/.X11-unix/X${n}` });
    let exited = false;
    child.once('exit', () => (exited = true));
    const env = { ...baseEnv, DISPLAY: `:${n}` };
    const ready = await pollUntil(
      async () => {
        if (exited) return false;
        if (lockOwner(n) !== child.pid) return undefined;
        return (await runTool('xdpyinfo', [], env, 5_000)).code === 0 ? true : undefined;
      },
      15_000,
      () => new TestBedError(`Xvfb on :${n} did not become ready within 15 s`),
      20,
    ).catch(async (error: unknown) => {
      await tracker.end(new Set([child.pid]));
      throw error;
    });
    if (ready) return { number: n, pid: child.pid };
    tracker.groups.delete(child.pid); // lost the race for :n; that Xvfb is already gone
  }
  throw new TestBedError(
    `could not start Xvfb after ${START_ATTEMPTS} attempts (display numbers kept colliding)`,
  );
}

/**
 * Declares monitors inside the one big Xvfb screen. What works under this Xvfb (21.1, checked by
 * hand): `xrandr --setmonitor` on a single screen of the total size makes `xrandr --listmonitors`
 * show both, with the first bound to the real output (binding all to "none" leaves the automatic
 * whole-screen monitor listed as a third). `+xinerama` with two `-screen` entries does NOT work:
 * the root stays the size of screen 0 and both Xinerama heads report position 0,0.
 */
export async function declareMonitors(env: NodeJS.ProcessEnv, screens: ScreenRect[]): Promise<void> {
  const query = (await mustRunTool('xrandr', ['--query'], env)).toString('utf8');
  const output = /^(\S+) connected/m.exec(query)?.[1] ?? 'screen';
  const mm = (px: number): number => Math.round((px * 25.4) / 96);
  for (const [i, s] of screens.entries()) {
    const geometry = `${s.width}/${mm(s.width)}x${s.height}/${mm(s.height)}+${s.x}+${s.y}`;
    const name = i === 0 ? `*BED-${i}` : `BED-${i}`;
    await mustRunTool('xrandr', ['--setmonitor', name, geometry, i === 0 ? output : 'none'], env);
  }
}

/** Lays the requested screens side by side, left to right, top-aligned. */
export function layoutScreens(sizes: Array<{ width: number; height: number }>): ScreenRect[] {
  let x = 0;
  return sizes.map((s) => {
    const rect = { x, y: 0, width: s.width, height: s.height };
    x += s.width;
    return rect;
  });
}

/** Starts openbox and waits until it manages the screen (it sets _NET_SUPPORTING_WM_CHECK). */
export async function startWindowManager(tracker: ProcessTracker, env: NodeJS.ProcessEnv): Promise<number> {
  const child = await tracker.spawn('openbox', ['--sm-disable'], { env });
  let exited = false;
  child.once('exit', () => (exited = true));
  await pollUntil(
    async () => {
      if (exited) throw new TestBedError(`openbox exited at once on ${env.DISPLAY ?? '?'}`);
      const r = await runTool('xprop', ['-root', '_NET_SUPPORTING_WM_CHECK'], env);
      return r.code === 0 && r.stdout.toString('utf8').includes('window id') ? true : undefined;
    },
    10_000,
    () => new TestBedError(`openbox did not take over ${env.DISPLAY ?? '?'} within 10 s`),
  );
  return child.pid;
}

export async function stopXvfb(tracker: ProcessTracker, pid: number, display: string): Promise<void> {
  const left = await tracker.end(new Set([pid]));
  if (left.length > 0) throw new TestBedError(`Xvfb ${display} would not stop: ${describeLeft(left)}`);
}
