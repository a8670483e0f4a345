import { GroundingError } from '../../shared/errors.js';
import type { Point } from '../../shared/geometry.js';
import type { Grounder, Location, Observation } from '../../shared/ports.js';
import type { Landmark } from '../format/index.js';

/** One landmark as seen on this screen. */
export interface LandmarkSighting {
  text: string;
  /** The offset the macro recorded (target centre minus landmark centre). */
  recorded: { dx: number; dy: number };
  /** Where the landmark's centre is now; absent when it was not found. */
  at?: Point;
  /** The offset of the target from it now, when the target's point is known. */
  now?: { dx: number; dy: number };
}

/** Predictions closer than this to the consensus point agree with it (desktop px). */
const AGREE_PX = 25;

/**
 * Landmark geometry: find each recorded neighbour text by OCR and apply its recorded offset.
 * Several landmarks that agree make a confident answer; one alone stays below what an
 * irreversible step accepts on its own. With `actual`, only measures (for healing) where the
 * landmarks are relative to a point another rung found.
 */
export async function locateByLandmarks(
  text: Grounder,
  observation: Observation,
  landmarks: Landmark[],
  signal?: AbortSignal,
  actual?: Point,
): Promise<{ location: Location; sightings: LandmarkSighting[] }> {
  const sightings: LandmarkSighting[] = [];
  const predictions: { p: Point; confidence: number }[] = [];
  for (const lm of landmarks) {
    const s: LandmarkSighting = { text: lm.text, recorded: { dx: lm.dx, dy: lm.dy } };
    sightings.push(s);
    try {
      const loc = await text.locate(observation, { text: lm.text }, signal);
      s.at = loc.point;
      predictions.push({ p: { x: loc.point.x + lm.dx, y: loc.point.y + lm.dy }, confidence: loc.confidence });
      if (actual) s.now = { dx: Math.round(actual.x - loc.point.x), dy: Math.round(actual.y - loc.point.y) };
    } catch (err) {
      if (signal?.aborted) throw err;
      // A landmark that is gone or ambiguous just does not vote.
    }
  }
  if (predictions.length === 0) {
    throw new GroundingError(`none of the landmarks ${landmarks.map((l) => JSON.stringify(l.text)).join(', ')} is on screen`, 'GROUNDING_NOT_FOUND');
  }
  const centre = median(predictions.map((x) => x.p));
  const agreeing = predictions.filter((x) => Math.hypot(x.p.x - centre.x, x.p.y - centre.y) <= AGREE_PX);
  const seen = agreeing.reduce((a, x) => a + x.confidence, 0) / agreeing.length;
  const confidence = predictions.length === 1 ? seen * 0.7 : seen * 0.9 * (agreeing.length / predictions.length);
  const point = { x: Math.round(centre.x), y: Math.round(centre.y) };
  if (!actual) for (const s of sightings) if (s.at) s.now = { dx: point.x - Math.round(s.at.x), dy: point.y - Math.round(s.at.y) };
  return { location: { point, confidence, source: 'landmarks', alternatives: [] }, sightings };
}

function median(points: Point[]): Point {
  const mid = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const n = s.length;
    return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  };
  return { x: mid(points.map((p) => p.x)), y: mid(points.map((p) => p.y)) };
}
