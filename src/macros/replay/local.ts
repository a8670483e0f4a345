import type { OcrResult } from '../../perception/ocr/types.js';
import { TextGrounder } from '../../grounding/text.js';
import type { TextMemory } from '../../grounding/text-memory.js';
import { normalizeText } from '../../grounding/text-match.js';
import { errorMessage } from '../../shared/errors.js';
import { boxToDesktop } from '../../shared/coords.js';
import { boxContains, type Box, type Point } from '../../shared/geometry.js';
import type { Location, Observation } from '../../shared/ports.js';
import type { Anchors } from '../format/index.js';
import type { LandmarkSighting } from './landmarks.js';

/** Reads the text lines in one area of an observation (desktop px). */
export type AreaReader = (observation: Observation, area: Box, signal?: AbortSignal) => Promise<OcrResult>;

/**
 * A landmark must sit this close to its recorded offset from the target (desktop px): no closer
 * than replay's healing notices a moved landmark (repair.ts MOVED_PX), so an answer found near
 * the recorded place never hides a repair the whole-screen read would have offered.
 */
const LANDMARK_PX = 8;
/** Height of the area read around the expected place of the target and of each landmark (desktop px). */
const AREA_HEIGHT = 96;

export type NearResult = { location: Location; sightings: LandmarkSighting[] } | { why: string };

/**
 * Looks for a target near where it is expected (the recorded place, shifted as earlier steps
 * found the window shifted), reading only small areas: the target's text, exactly, must be
 * there once, and every recorded landmark must be read at its recorded offset from it. Anything less is not
 * conclusive (the caller reads the whole screen); this never answers "not found".
 */
export async function locateNear(
  read: AreaReader,
  memory: TextMemory,
  observation: Observation,
  text: string,
  anchors: Anchors,
  expected: Point,
  minConfidence: number,
  signal?: AbortSignal,
): Promise<NearResult> {
  const landmarks = anchors.landmarks ?? [];
  if (landmarks.length === 0) return { why: 'no landmarks to cross-check a local match' };
  const found = await find(read, memory, observation, text, expected, signal);
  if ('why' in found) return found;
  if (found.confidence < minConfidence) return { why: `"${text}" near the recorded place is only ${Math.round(found.confidence * 100)}% sure` };
  const sightings: LandmarkSighting[] = [];
  for (const lm of landmarks) {
    const at = await find(read, memory, observation, lm.text, { x: found.point.x - lm.dx, y: found.point.y - lm.dy }, signal);
    if ('why' in at) return { why: `landmark ${at.why}` };
    const now = { dx: Math.round(found.point.x - at.point.x), dy: Math.round(found.point.y - at.point.y) };
    if (Math.abs(now.dx - lm.dx) > LANDMARK_PX || Math.abs(now.dy - lm.dy) > LANDMARK_PX) {
      return { why: `landmark "${lm.text}" is at (${now.dx}, ${now.dy}) from the target, recorded (${lm.dx}, ${lm.dy})` };
    }
    sightings.push({ text: lm.text, recorded: { dx: lm.dx, dy: lm.dy }, at: at.point, now });
  }
  return { location: found, sightings };
}

/**
 * `text` near `centre`: where it looks as it did when read earlier in this replay, else the one
 * reading of it in an area centred there, wide enough for the text.
 */
async function find(read: AreaReader, memory: TextMemory, observation: Observation, text: string, centre: Point, signal?: AbortSignal): Promise<Location | { why: string }> {
  const seen = memory.find(observation.frame, text, centre);
  if (seen) return seen;
  const width = Math.max(360, text.length * 36);
  const area = { x: Math.round(centre.x - width / 2), y: Math.round(centre.y - AREA_HEIGHT / 2), width, height: AREA_HEIGHT };
  const ocr = await read(observation, area, signal);
  try {
    const loc = await new TextGrounder(() => Promise.resolve(ocr)).locate(observation, { text }, signal);
    // Only a whole line that reads exactly so: a near miss, or the word "Save" of a "Save as"
    // button, may be something else that took the target's place.
    const whole = ocr.lines.find((l) => boxContains(boxToDesktop({ ...l.box, space: 'screen' }, { frame: observation.frame }), loc.point));
    if (!whole || normalizeText(whole.text) !== normalizeText(text)) return { why: `"${text}" near (${Math.round(centre.x)}, ${Math.round(centre.y)}) reads "${whole?.text ?? loc.text ?? ''}"` };
    if (loc.box) memory.remember(observation.frame, text, loc.box, loc.confidence);
    return loc;
  } catch (err) {
    if (signal?.aborted) throw err;
    return { why: `"${text}" near (${Math.round(centre.x)}, ${Math.round(centre.y)}): ${errorMessage(err)}` };
  }
}
