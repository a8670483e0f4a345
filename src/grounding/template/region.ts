import { toScreen } from '../../shared/coords.js';
import { GroundingError } from '../../shared/errors.js';
import type { Box } from '../../shared/geometry.js';
import type { Frame } from '../../shared/ports.js';
import { crop } from '../../perception/image.js';

/**
 * The part of a frame a target's `region` hint (desktop box) covers. The crop keeps its own
 * desktopBounds, so coordinates found inside it convert to the desktop exactly (coords.ts).
 * Searching less is both faster and stops a match outside the region from winning.
 */
export function frameForRegion(frame: Frame, region: Box | undefined): Frame {
  if (!region) return frame;
  const ctx = { frame };
  const tl = toScreen({ space: 'desktop', x: region.x, y: region.y }, ctx);
  const br = toScreen({ space: 'desktop', x: region.x + region.width, y: region.y + region.height }, ctx);
  const x = Math.max(0, Math.floor(tl.x));
  const y = Math.max(0, Math.floor(tl.y));
  const r = Math.min(frame.width, Math.ceil(br.x));
  const b = Math.min(frame.height, Math.ceil(br.y));
  if (r <= x || b <= y) {
    throw new GroundingError(
      `the region ${region.width}x${region.height}+${region.x}+${region.y} is outside the captured area ` +
        `${frame.desktopBounds.width}x${frame.desktopBounds.height}+${frame.desktopBounds.x}+${frame.desktopBounds.y}`,
      'GROUNDING_NOT_FOUND',
    );
  }
  return crop(frame, { x, y, width: r - x, height: b - y });
}
