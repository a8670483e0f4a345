import { z } from 'zod';
import { Box, SpacedPoint } from './geometry.js';

/** A landmark near a target, recorded so that replay can find the target when the UI moved. */
export const Anchor = z.object({
  text: z.string().min(1),
  /** Offset of the target's centre from the landmark's centre, in desktop pixels. */
  dx: z.number(),
  dy: z.number(),
});
export type Anchor = z.infer<typeof Anchor>;

export const Relation = z.object({
  kind: z.enum(['right_of', 'left_of', 'above', 'below', 'inside', 'near']),
  text: z.string().min(1),
});
export type Relation = z.infer<typeof Relation>;

/**
 * What a step acts on. At least one way of finding it is given; grounders use whichever they
 * understand (text for OCR, image for template matching, description for a VLM, point as is).
 */
export const Target = z
  .object({
    /** Visible text of the element ("Save"). */
    text: z.string().min(1).optional(),
    /** Free description for a model ("the gear icon at the top right"). */
    description: z.string().min(1).optional(),
    /** A template crop, by screenshot id or file path relative to the macro. */
    image: z.string().min(1).optional(),
    point: SpacedPoint.optional(),
    /** An id from the perception list of the current observation ("e12"). */
    elementId: z.string().min(1).optional(),
    /** Element role hint: button, field, checkbox, icon, link, menu item, tab, ... */
    role: z.string().min(1).optional(),
    /** 1-based: the n-th match in reading order. */
    ordinal: z.number().int().positive().optional(),
    relation: Relation.optional(),
    /** Restrict the search to this desktop region. */
    region: Box.optional(),
    anchors: z.array(Anchor).optional(),
  })
  .strict()
  .refine(
    (t) =>
      t.text !== undefined ||
      t.description !== undefined ||
      t.image !== undefined ||
      t.point !== undefined ||
      t.elementId !== undefined,
    { message: 'a target needs one of text, description, image, point or elementId' },
  );
export type Target = z.infer<typeof Target>;

/** Short human text for a target, for logs, reports and the UI. */
export function describeTarget(t: Target): string {
  let s: string;
  if (t.text !== undefined) s = JSON.stringify(t.text);
  else if (t.description !== undefined) s = t.description;
  else if (t.elementId !== undefined) s = `element ${t.elementId}`;
  else if (t.image !== undefined) s = `image ${t.image}`;
  else if (t.point) s = `(${Math.round(t.point.x)}, ${Math.round(t.point.y)})`;
  else s = 'target';
  if (t.ordinal !== undefined) s = `#${t.ordinal} ${s}`;
  if (t.relation) s += ` ${t.relation.kind.replace('_', ' ')} ${JSON.stringify(t.relation.text)}`;
  return s;
}
