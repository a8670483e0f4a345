import { GroundingError } from '../../shared/errors.js';
import type { Point } from '../../shared/geometry.js';
import type { Confirmer, Grounder, Location, Observation } from '../../shared/ports.js';
import { describeStep, type Step } from '../../shared/steps.js';
import { describeTarget, type Target } from '../../shared/target.js';
import type { Anchors } from '../format/index.js';
import { locateByLandmarks, type LandmarkSighting } from './landmarks.js';
import { locateNear, type AreaReader } from './local.js';
import { TextMemory } from '../../grounding/text-memory.js';

/** A lower rung's match this far from the landmarks' prediction is not trusted (desktop px). */
const DISAGREE_PX = 40;

/** The rungs of the ladder, best evidence first. */
export const RUNGS = ['text', 'icon', 'template', 'landmarks', 'vlm'] as const;
export type RungName = (typeof RUNGS)[number];

export interface LadderRungs {
  text: Grounder;
  icon?: Grounder;
  template?: Grounder;
  vlm?: Grounder;
}

export interface LadderOptions {
  rungs: LadderRungs;
  /** A rung's answer below this falls through to the next rung (default 0.6). */
  minConfidence?: number;
  /** An irreversible step acts on its own only at this confidence or above (default 0.8). */
  irreversibleConfidence?: number;
  /** Asked before an irreversible step runs on weaker evidence than recorded; absent = fail closed. */
  confirmer?: Confirmer;
  /**
   * Reads one area of the screen: with it, a step whose anchors say where its target was
   * (`at`) is first looked for there, and the whole screen is read only when that is not
   * conclusive (the text once, every landmark at its recorded offset).
   */
  local?: AreaReader;
}

/** The step the ladder is resolving for, told by the macro step source before each step. */
export interface LadderIntent {
  key: string;
  runId: string;
  step: Step;
  irreversible: boolean;
  anchors?: Anchors;
}

/** Which rung answered, against which rung the macro was recorded for. */
export interface LadderResult {
  rung: RungName;
  expected: RungName;
  location: Location;
  landmarks: LandmarkSighting[];
  /** What each rung above the answering one said. */
  tried: string[];
}

/**
 * The replay resolution ladder: text -> icon vocabulary -> template crop -> landmark geometry
 * -> VLM, each rung with a confidence, the first sure answer wins. Its result says which rung
 * answered so that replay can heal the macro. An irreversible step never runs on a weak match
 * or on a lower rung than it was recorded with unless a person allows it: it fails closed.
 */
export class LadderGrounder implements Grounder {
  readonly name = 'ladder';
  intent: LadderIntent | undefined;
  readonly results = new Map<string, LadderResult>();
  /** Steps answered near their recorded place, and steps looked for there that needed the whole screen (why, the last few). */
  readonly stats = { near: 0, whole: 0, why: [] as string[] };
  private readonly min: number;
  private readonly sure: number;
  /** How far from its recorded place the last target was found: the window moved by that much. */
  private shift = { x: 0, y: 0 };
  /** How the texts read near their places so far look, to find them again without OCR. */
  private readonly memory = new TextMemory();

  constructor(private readonly options: LadderOptions) {
    this.min = options.minConfidence ?? 0.6;
    this.sure = options.irreversibleConfidence ?? 0.8;
  }

  /** The OCR text rung, which postcondition checks and landmark geometry also use. */
  get text(): Grounder {
    return this.options.rungs.text;
  }

  /** Reads one area of the screen, when replay looks near the recorded places first. */
  get area(): AreaReader | undefined {
    return this.options.local;
  }

  /** The rungs that can say anything about this target, in ladder order. */
  applicable(target: Target, anchors?: Anchors): { rung: RungName; target: Target }[] {
    const { rungs } = this.options;
    const out: { rung: RungName; target: Target }[] = [];
    const text = target.text ?? anchors?.text;
    if (text !== undefined) out.push({ rung: 'text', target: { ...target, text } });
    if (rungs.icon && (target.role === 'icon' || target.description !== undefined)) out.push({ rung: 'icon', target });
    const image = anchors?.template ?? target.image;
    if (rungs.template && image !== undefined) out.push({ rung: 'template', target: { image, ...(target.region ? { region: target.region } : {}) } });
    if ((anchors?.landmarks?.length ?? target.anchors?.length ?? 0) > 0) out.push({ rung: 'landmarks', target });
    if (rungs.vlm && (target.description !== undefined || text !== undefined)) out.push({ rung: 'vlm', target });
    return out;
  }

  async locate(observation: Observation, target: Target, signal?: AbortSignal): Promise<Location> {
    const intent = this.intent;
    const result = (await this.near(observation, target, intent?.anchors, signal)) ?? (await this.climb(observation, target, intent?.anchors, signal));
    const at = intent?.anchors?.at;
    if (at && result.rung === 'text') this.shift = { x: result.location.point.x - at[0], y: result.location.point.y - at[1] };
    if (intent) {
      this.results.set(intent.key, result);
      if (intent.irreversible && isActing(intent.step)) await this.guardIrreversible(intent, target, result, signal);
    }
    return result.location;
  }

  /** Whether the target is on screen now (for `if: visible`); several matches count as visible. */
  async isVisible(observation: Observation, target: Target, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.climb(observation, target, undefined, signal);
      return true;
    } catch (err) {
      if (err instanceof GroundingError && err.code === 'GROUNDING_AMBIGUOUS') return true;
      if (err instanceof GroundingError && err.code === 'GROUNDING_NOT_FOUND') return false;
      throw err;
    }
  }

  /**
   * The text rung on a small area around where the target is expected; undefined when that
   * is not conclusive and the whole ladder must run on the whole screen.
   */
  private async near(observation: Observation, target: Target, anchors: Anchors | undefined, signal?: AbortSignal): Promise<LadderResult | undefined> {
    const text = target.text ?? anchors?.text;
    const read = this.options.local;
    if (!read || !anchors?.at || text === undefined || target.ordinal !== undefined || target.relation || target.region || target.image) return undefined;
    const expected = { x: anchors.at[0] + this.shift.x, y: anchors.at[1] + this.shift.y };
    const r = await locateNear(read, this.memory, observation, text, anchors, expected, this.min, signal);
    if ('why' in r) {
      this.stats.whole++;
      this.stats.why = [...this.stats.why.slice(-9), r.why];
      return undefined;
    }
    this.stats.near++;
    return { rung: 'text', expected: 'text', location: { ...r.location, source: 'ladder:text' }, landmarks: r.sightings, tried: [] };
  }

  async climb(observation: Observation, target: Target, anchors: Anchors | undefined, signal?: AbortSignal): Promise<LadderResult> {
    const ways = this.applicable(target, anchors);
    if (ways.length === 0) throw new GroundingError(`no rung of the replay ladder can look for ${describeTarget(target)}`, 'GROUNDING');
    const expected = ways[0]!.rung;
    const tried: string[] = [];
    let ambiguous: GroundingError | undefined;
    let sightings: LandmarkSighting[] = [];
    for (const way of ways) {
      try {
        let loc: Location;
        if (way.rung === 'landmarks') {
          const found = await locateByLandmarks(this.options.rungs.text, observation, anchors?.landmarks ?? target.anchors ?? [], signal);
          sightings = found.sightings;
          loc = found.location;
        } else {
          loc = await this.options.rungs[way.rung]!.locate(observation, way.target, signal);
          if (way.rung === 'template') loc = withOffset(loc, anchors?.offset);
        }
        if (loc.confidence >= this.min && way.rung !== 'text' && way.rung !== 'landmarks' && anchors?.landmarks?.length) {
          // A crop or a model can match the wrong place when the target's text is gone; the
          // landmarks, when they are on screen, must agree before such an answer is acted on.
          const check = await this.landmarkPrediction(observation, anchors, signal);
          if (check && Math.hypot(check.x - loc.point.x, check.y - loc.point.y) > DISAGREE_PX) {
            tried.push(`${way.rung}: its match is ${Math.round(Math.hypot(check.x - loc.point.x, check.y - loc.point.y))} px from where the landmarks put the target`);
            continue;
          }
        }
        if (loc.confidence >= this.min) {
          // Landmarks are also read when a higher rung answered, to notice that they moved.
          if (way.rung !== 'landmarks' && anchors?.landmarks?.length) sightings = await this.sight(observation, anchors, loc.point, signal);
          return { rung: way.rung, expected, location: { ...loc, source: `ladder:${way.rung}` }, landmarks: sightings, tried };
        }
        tried.push(`${way.rung}: only ${pct(loc.confidence)} sure`);
      } catch (err) {
        if (signal?.aborted) throw err;
        if (err instanceof GroundingError && err.code === 'GROUNDING_AMBIGUOUS') ambiguous ??= err;
        tried.push(`${way.rung}: ${(err as Error).message}`);
      }
    }
    if (ambiguous) throw new GroundingError(`${ambiguous.message} (${tried.join('; ')})`, 'GROUNDING_AMBIGUOUS');
    throw new GroundingError(`${describeTarget(target)} not found by any rung (${tried.join('; ')})`, 'GROUNDING_NOT_FOUND');
  }

  private async landmarkPrediction(observation: Observation, anchors: Anchors, signal?: AbortSignal): Promise<Point | undefined> {
    try {
      return (await locateByLandmarks(this.options.rungs.text, observation, anchors.landmarks ?? [], signal)).location.point;
    } catch (err) {
      if (signal?.aborted) throw err;
      return undefined;
    }
  }

  private async sight(observation: Observation, anchors: Anchors, at: Point, signal?: AbortSignal): Promise<LandmarkSighting[]> {
    try {
      const found = await locateByLandmarks(this.options.rungs.text, observation, anchors.landmarks ?? [], signal, at);
      return found.sightings;
    } catch {
      return [];
    }
  }

  private async guardIrreversible(intent: LadderIntent, target: Target, r: LadderResult, signal?: AbortSignal): Promise<void> {
    const weak = r.location.confidence < this.sure;
    const lower = RUNGS.indexOf(r.rung) > RUNGS.indexOf(r.expected);
    if (!weak && !lower) return;
    const why = lower
      ? `${describeTarget(target)} was found only by ${r.rung} (${pct(r.location.confidence)}), not by ${r.expected} as recorded`
      : `${describeTarget(target)} was matched with only ${pct(r.location.confidence)} confidence (needs ${pct(this.sure)})`;
    const confirmer = this.options.confirmer;
    if (confirmer) {
      const answer = await confirmer.confirm(
        { runId: intent.runId, step: intent.step, reasons: [`irreversible step: ${why}`], point: r.location.point },
        signal,
      );
      if (answer === 'allow_once' || answer === 'allow_run') return;
    }
    // A GroundingError, so that the engine records it as the step's own failure, unchanged.
    throw new GroundingError(`irreversible step "${describeStep(intent.step)}" not done: ${why}; it fails closed rather than guess`);
  }
}

function isActing(step: Step): boolean {
  return step.kind !== 'wait' && step.kind !== 'assert' && step.kind !== 'done';
}

/** The recorded click offset from the top-left of the found crop, when it lies inside it. */
function withOffset(loc: Location, offset: [number, number] | undefined): Location {
  if (!offset || !loc.box) return loc;
  const [dx, dy] = offset;
  if (dx < 0 || dy < 0 || dx > loc.box.width || dy > loc.box.height) return loc;
  return { ...loc, point: { x: loc.box.x + dx, y: loc.box.y + dy } };
}

function pct(c: number): string {
  return `${Math.round(c * 100)}%`;
}
