import type { Frame, UiElement } from '../../shared/ports.js';
import type { Box } from '../../shared/geometry.js';

/** What the deterministic check concluded about the last step, before any model is asked. */
export type Check = { verdict: 'A' | 'C'; reason: string } | { verdict: 'unknown'; reason: string };

export interface VerifyInput {
  before: Frame;
  after: Frame;
  beforeTitle: string | undefined;
  afterTitle: string | undefined;
  afterElements: UiElement[];
  expect: string | undefined;
  /** Desktop box of the target the step acted on. */
  targetBox: Box | undefined;
  /** Changed regions between two frames, in desktop coordinates (injected: planner does no pixel work). */
  changes: (a: Frame, b: Frame) => Box[];
}

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * Cheap checks first (FIELD_NOTES): the expected text appeared, the window title changed, or
 * the screen changed at the target → as expected; nothing changed at all → no effect.
 * Only when none of these decides is the reflection model asked.
 */
export function deterministicCheck(v: VerifyInput): Check {
  if (v.expect) {
    const want = norm(v.expect);
    if (v.afterElements.some((e) => e.text && norm(e.text).includes(want))) return { verdict: 'A', reason: `"${v.expect}" appeared` };
  }
  if (v.beforeTitle !== v.afterTitle && v.afterTitle) return { verdict: 'A', reason: `the window changed to "${v.afterTitle}"` };
  const changed = v.changes(v.before, v.after);
  if (changed.length === 0) return { verdict: 'C', reason: 'nothing on the screen changed' };
  if (v.targetBox && changed.some((c) => overlaps(c, grow(v.targetBox!, 40)))) {
    if (!v.expect) return { verdict: 'A', reason: 'the screen changed where the action was' };
  }
  return { verdict: 'unknown', reason: v.expect ? `"${v.expect}" did not appear, but the screen changed` : 'the screen changed elsewhere' };
}

function grow(b: Box, by: number): Box {
  return { x: b.x - by, y: b.y - by, width: b.width + 2 * by, height: b.height + 2 * by };
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}
