import { boxToDesktop } from '../shared/coords.js';
import { GroundingError } from '../shared/errors.js';
import { boxCenter, boxContains, type Box } from '../shared/geometry.js';
import type { Grounder, Location, Observation } from '../shared/ports.js';
import type { Resolution } from '../shared/records.js';
import { describeTarget, type Target } from '../shared/target.js';
import type { OcrResult } from '../perception/ocr/types.js';
import { findTextCandidates, readingOrder, type TextCandidate } from './candidates.js';
import { relationDistance } from './relations.js';
import { similarity } from './text-match.js';

/** Gives the OCR of an observation; callers cache it per observation. */
export type OcrProvider = (observation: Observation, signal?: AbortSignal) => Promise<OcrResult>;

export interface TextGrounderOptions {
  /** Lowest match score a candidate needs (0..1). */
  minScore?: number;
  /** Candidates within this score of the best are ties. */
  tieMargin?: number;
}

type Placed = TextCandidate & { desktop: Box };

/**
 * Finds a target by its visible text in the OCR of the screen: fuzzy matching, ordinals ("the
 * second 'Delete'"), relations to a landmark ("the field right of 'Name'"), region hints. Two
 * equally good candidates are reported as ambiguous rather than guessed between.
 */
export class TextGrounder implements Grounder {
  readonly name = 'text';
  private readonly minScore: number;
  private readonly tieMargin: number;

  constructor(
    private readonly ocr: OcrProvider,
    options: TextGrounderOptions = {},
  ) {
    this.minScore = options.minScore ?? 0.6;
    this.tieMargin = options.tieMargin ?? 0.02;
  }

  async locate(observation: Observation, target: Target, signal?: AbortSignal): Promise<Location> {
    if (!target.text) throw new GroundingError('the text grounder needs the target\'s visible text', 'GROUNDING');
    const ocr = await this.ocr(observation, signal);
    const place = (c: TextCandidate): Placed => ({ ...c, desktop: boxToDesktop({ ...c.box, space: 'screen' }, { frame: observation.frame }) });
    let cands = findTextCandidates(ocr, target.text, this.minScore).map(place);
    if (target.region) cands = cands.filter((c) => boxContains(target.region!, boxCenter(c.desktop)));
    if (cands.length === 0) throw notFound(target, ocr);
    const chosen = target.relation ? this.byRelation(cands, target, ocr, place) : this.byScore(cands, target);
    const alternatives = cands.filter((c) => c !== chosen).slice(0, 5).map(resolution);
    return { ...resolution(chosen), alternatives };
  }

  private byScore(cands: Placed[], target: Target): Placed {
    const best = cands[0]!.score;
    const top = readingOrder(cands.filter((c) => c.score >= best - this.tieMargin));
    if (target.ordinal !== undefined) {
      const pick = top[target.ordinal - 1];
      if (!pick) {
        throw new GroundingError(`asked for ${describeTarget(target)} but only ${top.length} on screen`, 'GROUNDING_NOT_FOUND');
      }
      return pick;
    }
    if (top.length > 1) throw ambiguous(target, top);
    return top[0]!;
  }

  private byRelation(cands: Placed[], target: Target, ocr: OcrResult, place: (c: TextCandidate) => Placed): Placed {
    const rel = target.relation!;
    const anchors = findTextCandidates(ocr, rel.text, this.minScore).map(place);
    if (anchors.length === 0) {
      throw new GroundingError(`the landmark "${rel.text}" is not on screen`, 'GROUNDING_NOT_FOUND');
    }
    const bestAnchor = anchors[0]!.score;
    const landmarks = anchors.filter((a) => a.score >= bestAnchor - this.tieMargin);
    const ranked = cands
      .filter((c) => !landmarks.some((a) => a.desktop.x === c.desktop.x && a.desktop.y === c.desktop.y))
      .map((c) => {
        const ds = landmarks.map((a) => relationDistance(rel.kind, c.desktop, a.desktop)).filter((d): d is number => d !== undefined);
        return { c, d: ds.length ? Math.min(...ds) - c.score * 20 : undefined };
      })
      .filter((x): x is { c: Placed; d: number } => x.d !== undefined)
      .sort((a, b) => a.d - b.d);
    if (ranked.length === 0) {
      throw new GroundingError(`nothing matching ${describeTarget(target)}: no "${target.text}" ${rel.kind.replace('_', ' ')} "${rel.text}"`, 'GROUNDING_NOT_FOUND');
    }
    if (target.ordinal !== undefined) {
      const pick = ranked[target.ordinal - 1];
      if (!pick) throw new GroundingError(`only ${ranked.length} matches for ${describeTarget(target)}`, 'GROUNDING_NOT_FOUND');
      return pick.c;
    }
    if (ranked.length > 1 && Math.abs(ranked[1]!.d - ranked[0]!.d) < 4) throw ambiguous(target, [ranked[0]!.c, ranked[1]!.c]);
    return ranked[0]!.c;
  }
}

function resolution(c: Placed): Resolution {
  const { x, y, width, height } = c.desktop;
  return {
    point: boxCenter(c.desktop),
    box: { x, y, width, height },
    confidence: Math.max(0, Math.min(1, c.score * (0.5 + 0.5 * c.ocrConfidence))),
    source: 'text',
    text: c.text,
  };
}

function ambiguous(target: Target, tied: Placed[]): GroundingError {
  const where = tied
    .slice(0, 4)
    .map((c) => `(${Math.round(boxCenter(c.desktop).x)}, ${Math.round(boxCenter(c.desktop).y)})`)
    .join(', ');
  return new GroundingError(
    `${tied.length} equally good matches for ${describeTarget(target)} at ${where}; say which one, e.g. the first/second ${JSON.stringify(target.text)} or ${JSON.stringify(target.text)} right of "..."`,
    'GROUNDING_AMBIGUOUS',
  );
}

function notFound(target: Target, ocr: OcrResult): GroundingError {
  const readings = ocr.lines.flatMap((l) => [l.text, ...l.words.map((w) => w.text)]);
  const near = [...new Set(readings)]
    .map((text) => ({ text, s: similarity(target.text!, text) }))
    .filter((r) => r.s >= 0.4)
    .sort((a, b) => b.s - a.s)
    .slice(0, 3)
    .map((r) => JSON.stringify(r.text));
  return new GroundingError(
    `no text matching ${describeTarget(target)} on screen` + (near.length ? ` (closest readings: ${near.join(', ')})` : ''),
    'GROUNDING_NOT_FOUND',
  );
}
