import type { Box } from '../../shared/geometry.js';
import type { GrayImage } from '../../perception/elements/index.js';
import type { Exemplar, ExemplarName } from './exemplars.js';
import { correlate, glyphFeatures } from './glyph.js';

export interface IconGuess {
  /** 'text' when the glyph looks most like a digit or letter, not an icon. */
  name: ExemplarName;
  /** Correlation with the nearest exemplar, -1..1. */
  score: number;
  /** Best score of any other icon: a small gap means the glyph looks like two icons. */
  runnerUp: number;
}

/**
 * Lowest correlation that names an icon in the perception list; below it the glyph is "some
 * icon". Set above what unknown icons reach on a real Chromium screen (an "info" glyph scores
 * 0.78 as a gear, a star 0.72) and below the real icons there (0.81 and up).
 */
export const MIN_ICON_SCORE = 0.8;

/**
 * The grounder's bar is lower: it is asked for one named icon and takes the best of those that
 * look like it, so a weaker drawing of the wanted icon still counts when nothing better is there.
 */
export const MIN_GROUND_SCORE = 0.75;

/** Nearest-exemplar classification of the glyph inside a box (frame pixels). */
export function classifyGlyph(g: GrayImage, box: Box, exemplars: readonly Exemplar[]): IconGuess | undefined {
  const best = new Map<ExemplarName, number>();
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
