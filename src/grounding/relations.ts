import type { Box } from '../shared/geometry.js';
import type { Relation } from '../shared/target.js';

/**
 * Spatial relations between a candidate and a landmark ("the field right of 'Name'"), scored
 * so that the nearest candidate in the right direction wins. Returns a distance in pixels, or
 * undefined when the candidate is not in that direction at all.
 */
export function relationDistance(kind: Relation['kind'], cand: Box, anchor: Box): number | undefined {
  const cx = cand.x + cand.width / 2;
  const cy = cand.y + cand.height / 2;
  const ax = anchor.x + anchor.width / 2;
  const ay = anchor.y + anchor.height / 2;
  const sameRow = cy >= anchor.y - anchor.height && cy <= anchor.y + 2 * anchor.height;
  const sameColumn = cand.x < anchor.x + anchor.width + anchor.height * 2 && cand.x + cand.width > anchor.x - anchor.height * 2;
  switch (kind) {
    case 'right_of':
      return cand.x >= anchor.x + anchor.width - 2 && sameRow ? cand.x - (anchor.x + anchor.width) + Math.abs(cy - ay) * 2 : undefined;
    case 'left_of':
      return cand.x + cand.width <= anchor.x + 2 && sameRow ? anchor.x - (cand.x + cand.width) + Math.abs(cy - ay) * 2 : undefined;
    case 'below':
      return cand.y >= anchor.y + anchor.height - 2 && sameColumn ? cand.y - (anchor.y + anchor.height) + Math.abs(cx - ax) : undefined;
    case 'above':
      return cand.y + cand.height <= anchor.y + 2 && sameColumn ? anchor.y - (cand.y + cand.height) + Math.abs(cx - ax) : undefined;
    case 'near':
      return Math.hypot(cx - ax, cy - ay);
    case 'inside':
      // "'OK' in 'Delete file?'": the landmark is a dialog's title or heading; its content lies
      // below it, within a dialog-sized area. Without window geometry, nearest below wins.
      return cand.y >= anchor.y - 2 && Math.abs(cx - ax) < 600 && cand.y - anchor.y < 500 ? Math.hypot(cx - ax, cy - ay) : undefined;
  }
}
