import { TestBedError } from './errors.js';
import { pollUntil, runTool } from './util.js';

export interface WindowInfo {
  id: string;
  title: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

interface NamedWindow {
  hexId: string;
  title: string;
}

/** Every window with a name, from `xwininfo -root -tree` (one call sees the whole tree). */
async function namedWindows(env: NodeJS.ProcessEnv): Promise<NamedWindow[]> {
  const result = await runTool('xwininfo', ['-root', '-tree'], env);
  if (result.code !== 0) return [];
  const found: NamedWindow[] = [];
  for (const line of result.stdout.toString('utf8').split('\n')) {
    const m = /^\s*(0x[0-9a-f]+) "(.*)": \(/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) found.push({ hexId: m[1], title: m[2] });
  }
  return found;
}

function field(text: string, label: string): number {
  const m = new RegExp(`${label}:\\s+(-?\\d+)`).exec(text);
  return m?.[1] === undefined ? Number.NaN : Number(m[1]);
}

/**
 * Geometry of a window when it is on screen, in root (desktop) coordinates of its content area;
 * undefined while it is still unmapped, which is how a window looks between creation and display.
 */
async function viewableGeometry(env: NodeJS.ProcessEnv, w: NamedWindow): Promise<WindowInfo | undefined> {
  const result = await runTool('xwininfo', ['-id', w.hexId], env);
  const text = result.stdout.toString('utf8');
  if (result.code !== 0 || !text.includes('Map State: IsViewable')) return undefined;
  return {
    // decimal, as xdotool prints and accepts it
    id: String(Number.parseInt(w.hexId, 16)),
    title: w.title,
    x: field(text, 'Absolute upper-left X'),
    y: field(text, 'Absolute upper-left Y'),
    width: field(text, 'Width'),
    height: field(text, 'Height'),
  };
}

function matches(title: string, wanted: string | RegExp): boolean {
  // A string matches anywhere in the title: Chromium appends " - Chromium", editors add markers.
  return typeof wanted === 'string' ? title.includes(wanted) : wanted.test(title);
}

/** Waits until a window whose title matches is mapped and visible; returns where it is. */
export async function waitForWindow(
  env: NodeJS.ProcessEnv,
  title: string | RegExp,
  timeoutMs = 10_000,
): Promise<WindowInfo> {
  let lastSeen: string[] = [];
  return pollUntil(
    async () => {
      const windows = await namedWindows(env);
      lastSeen = windows.map((w) => w.title);
      for (const w of windows.filter((w) => matches(w.title, title))) {
        const info = await viewableGeometry(env, w);
        if (info) return info;
      }
      return undefined;
    },
    timeoutMs,
    () =>
      new TestBedError(
        `no visible window titled ${String(title)} on ${env.DISPLAY ?? '?'} after ${timeoutMs} ms; ` +
          `windows there: ${[...new Set(lastSeen)].map((t) => JSON.stringify(t)).join(', ') || 'none'}`,
      ),
    50,
  );
}
