import type { Ocr, OcrResult } from '../perception/ocr/types.js';
import { IncrementalOcr } from './incremental-ocr.js';
import { boxToDesktop } from '../shared/coords.js';
import type { Frame, Observation, UiElement } from '../shared/ports.js';

export type ElementProposer = (frame: Frame, ocr: OcrResult, signal?: AbortSignal) => Promise<UiElement[]> | UiElement[];

/**
 * Perception of one observation, computed once and shared by every grounder and agent that
 * looks at it: the OCR result and the element list (the planner's perception list).
 */
export class ObservationPerception {
  private readonly ocrCache = new WeakMap<Frame, Promise<OcrResult>>();
  private readonly elementCache = new WeakMap<Frame, Promise<UiElement[]>>();
  /** Successive observations of one screen re-read only what changed. */
  readonly incremental: IncrementalOcr;

  constructor(
    ocrEngine: Ocr,
    private readonly proposer?: ElementProposer,
  ) {
    this.incremental = new IncrementalOcr(ocrEngine);
  }

  ocr(observation: Observation, signal?: AbortSignal): Promise<OcrResult> {
    let r = this.ocrCache.get(observation.frame);
    if (!r) {
      r = this.incremental.recognize(observation.frame, signal);
      r.catch(() => this.ocrCache.delete(observation.frame));
      this.ocrCache.set(observation.frame, r);
    }
    return r;
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
