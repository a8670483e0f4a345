import { toDesktop } from '../shared/coords.js';
import { GroundingError } from '../shared/errors.js';
import { boxCenter } from '../shared/geometry.js';
import type { Grounder, Location, Observation } from '../shared/ports.js';
import { describeTarget, type Target } from '../shared/target.js';

/**
 * Turns a target into a desktop point. Points and perception element ids are answered here;
 * everything else goes to the grounder (the cascade in the composition root).
 */
export async function resolveTarget(
  observation: Observation,
  target: Target,
  grounder: Grounder,
  signal?: AbortSignal,
): Promise<Location> {
  if (target.point) {
    const p = target.point;
    if (p.space === 'image') {
      throw new GroundingError('a point in image space needs the image size; give desktop, screen or normalised coordinates', 'GROUNDING');
    }
    const d = toDesktop({ ...p, space: p.space }, { frame: observation.frame });
    return { point: { x: d.x, y: d.y }, confidence: 1, source: 'point', alternatives: [] };
  }
  if (target.elementId) {
    const el = observation.elements?.find((e) => e.id === target.elementId);
    if (!el) {
      throw new GroundingError(`element ${target.elementId} is not in the current perception list`, 'GROUNDING_NOT_FOUND');
    }
    return {
      point: boxCenter(el.box),
      box: el.box,
      confidence: el.confidence,
      source: 'element',
      ...(el.text ? { text: el.text } : {}),
      alternatives: [],
    };
  }
  try {
    return await grounder.locate(observation, target, signal);
  } catch (err) {
    if (err instanceof GroundingError) throw err;
    throw new GroundingError(`could not locate ${describeTarget(target)}: ${(err as Error).message}`, 'GROUNDING', { cause: err });
  }
}
