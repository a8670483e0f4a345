import type { Box } from '../../shared/geometry.js';
import type { GrayImage } from '../../perception/elements/index.js';
import type { Exemplar } from './exemplars.js';
import { correlate, glyphFeatures } from './glyph.js';
import type { IconName } from './vocabulary.js';

export interface IconGuess {
  name: IconName;
  /** Correlation with the nearest exemplar, -1..1. */
  score: number;
  /** Best score of any other icon: a small gap means the glyph looks like two icons. */
  runnerUp: number;
}

/** Lowest correlation that names an icon; below it the glyph is "some icon". */
export const MIN_ICON_SCORE = 0.72;

/** Nearest-exemplar classification of the glyph inside a box (frame pixels). */
export function classifyGlyph(g: GrayImage, box: Box, exemplars: readonly Exemplar[]): IconGuess | undefined {
  const best = new Map<IconName, number>();
  for (const f of glyphFeatures(g, box)) {
    for (const e of exemplars) {
      const s = correlate(f, e.feature);
      if (s > (best.get(e.name) ?? -2)) best.set(e.name, s);
    }
  }
  const ranked = [...best.entries()].sort((a, b) => b[1] - a[1]);
  const top = ranked[0];
  if (!top) return undefined;
  return { name: top[0], score: top[1], runnerUp: ranked[1]?.[1] ?? -1 };
}
