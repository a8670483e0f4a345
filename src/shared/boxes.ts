/** A box and a point as geometry.ts's Box and Point have them (plain types: no zod here). */
interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface XY {
  x: number;
  y: number;
}

export function boxCenter(b: Box): XY {
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

export function boxContains(b: Box, p: XY): boolean {
  return p.x >= b.x && p.y >= b.y && p.x < b.x + b.width && p.y < b.y + b.height;
}

/** The smallest box holding both. */
export function boxUnion(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/** Whether the boxes share any area (touching edges do not count). */
export function boxesOverlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** The area the boxes share. */
export function overlapArea(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w <= 0 || h <= 0 ? 0 : w * h;
}

/** Intersection over union, 0..1. */
export function boxIou(a: Box, b: Box): number {
  const inter = overlapArea(a, b);
  return inter === 0 ? 0 : inter / (a.width * a.height + b.width * b.height - inter);
}
