import type { Box } from '../shared/geometry.js';
import type { Logger } from '../shared/logger.js';
import type { Display, Monitor } from '../shared/ports.js';
import { errorMessage } from '../shared/errors.js';
import { findBinary, runCommand } from './x11.js';

/**
 * Display enumeration on X11. RandR monitors are the truth for where each screen sits in the
 * virtual desktop. X11 has no per-monitor logical scaling (input and pixels share one space),
 * so scaleFactor is 1 here; a nut-js grab whose pixel size differs from the requested region
 * reports its own scale on the frame.
 */

// ` 1: +*DP-1 1920/527x1080/296+1280+0  DP-1`
const MONITOR = /^\s*\d+:\s+\+?(\*?)(\S+)\s+(\d+)\/\d+x(\d+)\/\d+([+-]\d+)([+-]\d+)/;
// `HDMI-1 connected primary 1920x1080+0+0 (normal ...`
const OUTPUT = /^(\S+)\s+connected\s+(primary\s+)?(\d+)x(\d+)([+-]\d+)([+-]\d+)/;

function display(name: string, bounds: Box, primary: boolean): Display {
  return { id: name, name, bounds, scaleFactor: 1, primary };
}

/** Parses `xrandr --listmonitors` (RandR 1.5). */
export function parseListMonitors(text: string): Display[] {
  const out: Display[] = [];
  for (const line of text.split('\n')) {
    const m = MONITOR.exec(line);
    if (!m) continue;
    const [, star, name, w, h, x, y] = m;
    out.push(display(name!, { x: Number(x), y: Number(y), width: Number(w), height: Number(h) }, star === '*'));
  }
  return withPrimary(out);
}

/** Parses `xrandr --query`: connected outputs that have a mode (geometry) set. */
export function parseXrandrQuery(text: string): Display[] {
  const out: Display[] = [];
  for (const line of text.split('\n')) {
    const m = OUTPUT.exec(line);
    if (!m) continue;
    const [, name, primary, w, h, x, y] = m;
    out.push(display(name!, { x: Number(x), y: Number(y), width: Number(w), height: Number(h) }, Boolean(primary)));
  }
  return withPrimary(out);
}

/** Exactly one primary: the marked one, else the one at the desktop origin, else the first. */
function withPrimary(displays: Display[]): Display[] {
  if (displays.length === 0 || displays.some((d) => d.primary)) return displays;
  const origin = displays.find((d) => d.bounds.x === 0 && d.bounds.y === 0) ?? displays[0]!;
  origin.primary = true;
  return displays;
}

/** The whole virtual desktop as one display, when RandR cannot be asked. */
export function singleDisplay(width: number, height: number): Display[] {
  return [display('screen', { x: 0, y: 0, width, height }, true)];
}

/** The monitors of an X display read in-process (RandR over the caller's X connection); undefined: ask xrandr. */
export type MonitorReader = (xDisplay: string) => Promise<Monitor[] | undefined>;

let monitorReader: MonitorReader | undefined;

/**
 * Reads monitors with `read` before starting xrandr (undefined: xrandr only). Perception may not
 * import actions, where the X connection is: the composition root hands it in (engine-setup.ts).
 */
export function readMonitorsWith(read: MonitorReader | undefined): void {
  monitorReader = read;
}

/** Every monitor (RandR, in-process or via xrandr); null when neither says anything usable. */
export async function queryXrandrDisplays(
  xDisplay: string,
  logger: Logger,
  signal?: AbortSignal,
): Promise<Display[] | null> {
  if (monitorReader) {
    try {
      const monitors = await monitorReader(xDisplay);
      if (monitors?.length) return withPrimary(monitors.map((m) => display(m.name, m.bounds, m.primary)));
    } catch (err) {
      logger.debug({ display: xDisplay, err: errorMessage(err) }, 'reading the monitors over X failed; asking xrandr');
    }
  }
  const xrandr = await findBinary('xrandr');
  if (!xrandr) {
    logger.debug({ display: xDisplay }, 'xrandr not found; using one display of the grab size');
    return null;
  }
  try {
    const monitors = parseListMonitors((await runCommand(xrandr, ['--listmonitors'], { display: xDisplay, signal })).toString('utf8'));
    if (monitors.length > 0) return monitors;
    const outputs = parseXrandrQuery((await runCommand(xrandr, ['--query'], { display: xDisplay, signal })).toString('utf8'));
    return outputs.length > 0 ? outputs : null;
  } catch (err) {
    if (signal?.aborted) throw err;
    logger.warn({ display: xDisplay, err: errorMessage(err) }, 'xrandr failed; using one display of the grab size');
    return null;
  }
}

/**
 * The monitors of X display `display` (xrandr), or one display of the root window's size when
 * xrandr has nothing to say (or no display name is known).
 */
export async function xDisplays(display: string | undefined, root: { width: number; height: number }, logger: Logger, signal?: AbortSignal): Promise<Display[]> {
  const found = display ? await queryXrandrDisplays(display, logger, signal) : null;
  return found ?? singleDisplay(root.width, root.height);
}
