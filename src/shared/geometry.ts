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

// The box arithmetic has no zod: the OCR server's bundle (which has no schemas) uses it too.
export { boxCenter, boxContains, boxesOverlap, boxIou, boxUnion, overlapArea } from './boxes.js';
