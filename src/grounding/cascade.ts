import { GroundingError } from '../shared/errors.js';
import type { Grounder, Location, Observation } from '../shared/ports.js';
import { describeTarget, type Target } from '../shared/target.js';

export interface Rung {
  grounder: Grounder;
  /** A location below this confidence falls through to the next rung. */
  minConfidence: number;
  /** Whether this rung can say anything about the target at all (cheap check, no work). */
  applies: (target: Target) => boolean;
}

/**
 * Cheap rungs first (text, icon vocabulary, template), a model only when those fail, are
 * ambiguous or unsure. What each rung said is kept, so a final failure explains all of them.
 */
export class CascadeGrounder implements Grounder {
  readonly name = 'cascade';
  constructor(private readonly rungs: Rung[]) {}

  async locate(observation: Observation, target: Target, signal?: AbortSignal): Promise<Location> {
    const said: string[] = [];
    let ambiguous: GroundingError | undefined;
    let weak: Location | undefined;
    for (const rung of this.rungs) {
      if (!rung.applies(target)) continue;
      try {
        const loc = await rung.grounder.locate(observation, target, signal);
        if (loc.confidence >= rung.minConfidence) return loc;
        said.push(`${rung.grounder.name}: only ${Math.round(loc.confidence * 100)}% sure`);
        if (!weak || loc.confidence > weak.confidence) weak = loc;
      } catch (err) {
        if (signal?.aborted) throw err;
        if (err instanceof GroundingError && err.code === 'GROUNDING_AMBIGUOUS') ambiguous ??= err;
        said.push(`${rung.grounder.name}: ${(err as Error).message}`);
      }
    }
    if (ambiguous) throw ambiguous;
    if (weak) return weak; // the best unsure answer; the safety gate decides whether it may act on it
    if (said.length === 0) throw new GroundingError(`no grounder can look for ${describeTarget(target)}`, 'GROUNDING');
    throw new GroundingError(`${describeTarget(target)} not found (${said.join('; ')})`, 'GROUNDING_NOT_FOUND');
  }
}
