import { GroundingError } from '../../shared/errors.js';
import { boxCenter, boxContains, type Box } from '../../shared/geometry.js';
import type { Frame, Grounder, Location, Observation, UiElement } from '../../shared/ports.js';
import type { Resolution } from '../../shared/records.js';
import { describeTarget, type Target } from '../../shared/target.js';
import { proposeElements, readingOrder } from '../../perception/elements/index.js';
import type { OcrProvider } from '../text.js';
import { MIN_GROUND_SCORE } from './classify.js';
import { recogniseIcons, type IconMatch } from './label.js';
import { pickByContext } from './anchors.js';
import { ICON_NAMES, iconNamed, LOOKALIKES, type IconName } from './vocabulary.js';

const LOOKALIKE_PENALTY = 0.05;

interface Seen {
  elements: readonly UiElement[];
  matches: IconMatch[];
}

export interface IconGrounderOptions {
  /** OCR of an observation: lets proposals tell text from glyphs. Optional. */
  ocr?: OcrProvider;
  /** Lowest classification score that counts as the icon (default MIN_GROUND_SCORE). */
  minScore?: number;
  /** Matches within this score of the best are ties. */
  tieMargin?: number;
}

/**
 * Finds vocabulary icons ("close button", "the gear icon", {role: 'icon', text: 'close'}) among
 * the element proposals of the screen, by nearest-exemplar classification of their glyphs. Honours
 * ordinal and region; two equally good matches are reported as ambiguous, never guessed.
 */
export class IconGrounder implements Grounder {
  readonly name = 'icon';
  private readonly minScore: number;
  private readonly tieMargin: number;
  private readonly seen = new WeakMap<Frame, Promise<Seen>>();

  constructor(private readonly options: IconGrounderOptions = {}) {
    this.minScore = options.minScore ?? MIN_GROUND_SCORE;
    this.tieMargin = options.tieMargin ?? 0.02;
  }

  async locate(observation: Observation, target: Target, signal?: AbortSignal): Promise<Location> {
    const wanted = wantedIcon(target);
    if (!wanted) {
      throw new GroundingError(
        `the icon grounder does not know an icon in ${describeTarget(target)}; it knows: ${ICON_NAMES.join(', ')}`,
        'GROUNDING',
      );
    }
    const { elements, matches } = await this.matches(observation, signal);
    const accepted = new Set<IconName>([wanted, ...(LOOKALIKES[wanted] ?? [])]);
    let cands = matches.filter((m) => accepted.has(m.name) && m.score >= this.minScore);
    if (target.region) cands = cands.filter((m) => boxContains(target.region!, boxCenter(m.element.box)));
    if (cands.length === 0) throw notFound(target, wanted, matches, this.minScore);
    const chosen = this.choose(cands, target, elements, observation.frame.desktopBounds);
    const alternatives = cands
      .filter((c) => c !== chosen)
      .slice(0, 5)
      .map((m) => resolution(m, wanted));
    return { ...resolution(chosen, wanted), alternatives };
  }

  private choose(cands: IconMatch[], target: Target, elements: readonly UiElement[], screen: Box): IconMatch {
    if (target.ordinal !== undefined) {
      const ordered = readingOrder(cands.map((m) => ({ box: m.element.box, m }))).map((x) => x.m);
      const pick = ordered[target.ordinal - 1];
      if (!pick)
        throw new GroundingError(
          `asked for ${describeTarget(target)} but only ${ordered.length} on screen`,
          'GROUNDING_NOT_FOUND',
        );
      return pick;
    }
    if (cands.length > 1) {
      // The instruction's other words ("of budget.xlsx", "the dialog") may say which one.
      const words = target.description ?? target.text ?? '';
      const pick = pickByContext(
        words,
        cands.map((m) => m.element),
        elements,
        screen,
      );
      if (pick !== undefined) return cands[pick]!;
    }
    const sorted = cands.slice().sort((a, b) => this.rank(b, target) - this.rank(a, target));
    const best = this.rank(sorted[0]!, target);
    const tied = sorted.filter((m) => this.rank(m, target) >= best - this.tieMargin);
    if (tied.length > 1) {
      const where = tied
        .slice(0, 4)
        .map((m) => at(m.element))
        .join(', ');
      throw new GroundingError(
        `${tied.length} equally good matches for ${describeTarget(target)} at ${where}; say which one (first/second, or a region)`,
        'GROUNDING_AMBIGUOUS',
      );
    }
    return sorted[0]!;
  }

  /**
   * A match's score, less a little when it was classified as a lookalike of the icon asked for
   * (a minimise bar when a minus was asked for): the icon itself wins when both are on screen.
   */
  private rank(m: IconMatch, target: Target): number {
    return m.name === wantedIcon(target) ? m.score : m.score - LOOKALIKE_PENALTY;
  }

  /** Proposals (unless the observation has them) and their icon classes, once per frame. */
  private matches(observation: Observation, signal?: AbortSignal): Promise<Seen> {
    const frame = observation.frame;
    let p = this.seen.get(frame);
    if (!p) {
      p = (async () => {
        const elements =
          observation.elements ??
          proposeElements(frame, {
            ocr: this.options.ocr ? await this.options.ocr(observation, signal) : undefined,
            signal,
          });
        return { elements, matches: await recogniseIcons(frame, elements, { signal }) };
      })();
      this.seen.set(frame, p);
      p.catch(() => this.seen.delete(frame));
    }
    return p;
  }
}

/** The vocabulary icon a target asks for: its text when it names one, else its description. */
export function wantedIcon(target: Target): IconName | undefined {
  return (
    (target.text ? iconNamed(target.text) : undefined) ??
    (target.description ? iconNamed(target.description) : undefined)
  );
}

function at(e: UiElement): string {
  const c = boxCenter(e.box);
  return `(${Math.round(c.x)}, ${Math.round(c.y)})`;
}

/** The icon asked for is named: a lookalike (a minimise bar for a minus) has the same shape. */
function resolution(m: IconMatch, wanted: IconName): Resolution {
  const { x, y, width, height } = m.element.box;
  return {
    point: boxCenter(m.element.box),
    box: { x, y, width, height },
    confidence: Math.max(0, Math.min(1, m.score)),
    source: 'icon',
    text: wanted,
  };
}

function notFound(target: Target, wanted: IconName, matches: IconMatch[], min: number): GroundingError {
  const seen = [...new Set(matches.filter((m) => m.score >= min).map((m) => m.name))];
  return new GroundingError(
    `no ${wanted} icon for ${describeTarget(target)} on screen` +
      (seen.length ? ` (icons seen: ${seen.join(', ')})` : ' (no vocabulary icon recognised)'),
    'GROUNDING_NOT_FOUND',
  );
}
