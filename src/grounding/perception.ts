import type { Ocr, OcrResult } from '../perception/ocr/types.js';
import { IncrementalOcr } from './incremental-ocr.js';
import { LocalReader } from './local-read.js';
import { boxToDesktop } from '../shared/coords.js';
import { boxCenter, boxContains, type Box } from '../shared/geometry.js';
import type { Frame, Observation, UiElement } from '../shared/ports.js';

export type ElementProposer = (frame: Frame, ocr: OcrResult, signal?: AbortSignal) => Promise<UiElement[]> | UiElement[];

/**
 * Perception of one observation, computed once and shared by every grounder and agent that
 * looks at it: the OCR result and the element list (the planner's perception list).
 */
export class ObservationPerception {
  private readonly ocrCache = new WeakMap<Frame, Promise<OcrResult>>();
  private readonly elementCache = new WeakMap<Frame, Promise<UiElement[]>>();
  /** Whole-screen readings that have finished, so that a local read of the same frame is free. */
  private readonly done = new WeakMap<Frame, OcrResult>();
  /** Successive observations of one screen re-read only what changed. */
  readonly incremental: IncrementalOcr;
  /** Reads of one area of a screen (replay looks near the recorded place first). */
  readonly local: LocalReader;

  constructor(
    ocrEngine: Ocr,
    private readonly proposer?: ElementProposer,
  ) {
    this.incremental = new IncrementalOcr(ocrEngine);
    this.local = new LocalReader(ocrEngine);
  }

  ocr(observation: Observation, signal?: AbortSignal): Promise<OcrResult> {
    let r = this.ocrCache.get(observation.frame);
    if (!r) {
      const frame = observation.frame;
      r = this.incremental.recognize(frame, signal);
      r.then((result) => this.done.set(frame, result), () => this.ocrCache.delete(frame));
      this.ocrCache.set(frame, r);
    }
    return r;
  }

  /**
   * The text lines inside one area of the screen (desktop px): from the whole-screen reading
   * when this frame already has one, else by reading just that area. Lines cut by the area's edge
   * read as their visible part.
   */
  async region(observation: Observation, area: Box, signal?: AbortSignal): Promise<OcrResult> {
    const whole = this.done.get(observation.frame);
    if (whole) {
      const frame = observation.frame;
      return { lines: whole.lines.filter((l) => boxContains(area, boxCenter(boxToDesktop({ ...l.box, space: 'screen' }, { frame })))) };
    }
    return this.local.read(observation.frame, area, signal);
  }

  elements(observation: Observation, signal?: AbortSignal): Promise<UiElement[]> {
    let r = this.elementCache.get(observation.frame);
    if (!r) {
      r = this.ocr(observation, signal).then(async (ocr) =>
        this.proposer ? this.proposer(observation.frame, ocr, signal) : textElements(observation.frame, ocr),
      );
      r.catch(() => this.elementCache.delete(observation.frame));
      this.elementCache.set(observation.frame, r);
    }
    return r;
  }
}

/** OCR lines as text elements, ids in reading order, boxes in desktop coordinates. */
export function textElements(frame: Frame, ocr: OcrResult): UiElement[] {
  return ocr.lines.map((line, i) => {
    const b = boxToDesktop({ ...line.box, space: 'screen' }, { frame });
    return {
      id: `e${i + 1}`,
      kind: 'text' as const,
      text: line.text,
      confidence: line.confidence,
      box: { x: b.x, y: b.y, width: b.width, height: b.height },
    };
  });
}
