import type { Box } from '../shared/geometry.js';
import type { CaptureOptions, Display } from '../shared/ports.js';
import { displayAt } from '../shared/coords.js';
import { CaptureError } from '../shared/errors.js';
import { intersect } from './frame.js';

/**
 * Which display a capture request means and which desktop area to grab: the named display,
 * else the one holding the region's top-left corner, else the primary. A region is clipped to
 * that display, because a frame has exactly one display (one scale factor).
 */
export function pickArea(displays: readonly Display[], options: CaptureOptions): { display: Display; area: Box } {
  const display = chooseDisplay(displays, options);
  if (!options.region) return { display, area: { ...display.bounds } };
  const area = intersect(options.region, display.bounds);
  if (!area) {
    const r = options.region;
    throw new CaptureError(
      `capture region ${r.width}x${r.height}+${r.x}+${r.y} does not overlap display "${display.id}" (${fmt(display.bounds)})`,
    );
  }
  return { display, area };
}

function chooseDisplay(displays: readonly Display[], options: CaptureOptions): Display {
  if (displays.length === 0) throw new CaptureError('no displays found to capture');
  if (options.displayId !== undefined) {
    const named = displays.find((d) => d.id === options.displayId);
    if (!named) {
      throw new CaptureError(`no display "${options.displayId}"; displays: ${displays.map((d) => d.id).join(', ')}`);
    }
    return named;
  }
  if (options.region) {
    const r = options.region;
    const holder = displayAt(displays, { space: 'desktop', x: r.x, y: r.y });
    if (holder) return holder;
  }
  return displays.find((d) => d.primary) ?? displays[0]!;
}

function fmt(b: Box): string {
  return `${b.width}x${b.height}+${b.x}+${b.y}`;
}
