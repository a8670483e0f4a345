import { z } from 'zod';

/**
 * Coordinates are tagged with the space they live in, because mixing spaces is the classic
 * off-by-scale bug of desktop agents:
 * - `screen`: physical pixels of one display's screenshot (origin top-left of that display);
 * - `desktop`: logical input coordinates of the whole virtual desktop (what the mouse uses);
 * - `image`: pixels of a resized image sent to a model;
 * - `norm1000`: 0..1000 relative to an image (OS-Atlas, UGround);
 * - `norm1`: 0..1 relative to an image (ShowUI).
 */
export const CoordSpace = z.enum(['screen', 'desktop', 'image', 'norm1000', 'norm1']);
export type CoordSpace = z.infer<typeof CoordSpace>;

export const Point = z.object({ x: z.number(), y: z.number() });
export type Point = z.infer<typeof Point>;

export const Box = z.object({
  x: z.number(),
  y: z.number(),
  width: z.number().nonnegative(),
  height: z.number().nonnegative(),
});
export type Box = z.infer<typeof Box>;

export const SpacedPoint = Point.extend({ space: CoordSpace.default('desktop') });
export type SpacedPoint = z.infer<typeof SpacedPoint>;

export function boxCenter(b: Box): Point {
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

export function boxContains(b: Box, p: Point): boolean {
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
