import { IconGrounder } from '../../grounding/icon/index.js';
import type { ObservationPerception } from '../../grounding/perception.js';
import { TemplateGrounder } from '../../grounding/template/index.js';
import { TextGrounder } from '../../grounding/text.js';
import { boxToDesktop } from '../../shared/coords.js';
import type { Box, Point } from '../../shared/geometry.js';
import type { Logger } from '../../shared/logger.js';
import type { Confirmer, Grounder, Observation } from '../../shared/ports.js';
import { LadderGrounder } from './ladder.js';

export interface ReplayGroundingOptions {
  perception: ObservationPerception;
  /** The macro's folder: template crops (`<name>.crops/NNN.png`) resolve against it. */
  baseDir: string;
  templateThreshold?: number;
  minConfidence?: number;
  /** The VLM rung, when a grounding model is configured. */
  vlm?: Grounder;
  confirmer?: Confirmer;
  logger?: Logger;
  /** Look for each target near its recorded place first (default true). */
  localFirst?: boolean;
}

/** The replay ladder on the shared perception (one OCR per frame for every rung and check). */
export function createReplayGrounding(options: ReplayGroundingOptions): {
  ladder: LadderGrounder;
  textAt: (observation: Observation, point: Point, signal?: AbortSignal) => Promise<string | undefined>;
} {
  const { perception } = options;
  const ocr = (obs: Observation, signal?: AbortSignal) => perception.ocr(obs, signal);
  const ladder = new LadderGrounder({
    rungs: {
      text: new TextGrounder(ocr),
      icon: new IconGrounder({ ocr }),
      template: new TemplateGrounder({
        baseDir: options.baseDir,
        threshold: options.templateThreshold ?? 0.7,
        ...(options.logger ? { logger: options.logger } : {}),
      }),
      ...(options.vlm ? { vlm: options.vlm } : {}),
    },
    ...(options.minConfidence !== undefined ? { minConfidence: options.minConfidence } : {}),
    ...(options.confirmer ? { confirmer: options.confirmer } : {}),
    ...(options.localFirst !== false ? { local: (obs: Observation, area: Box, signal?: AbortSignal) => perception.region(obs, area, signal) } : {}),
  });
  const textAt = async (obs: Observation, point: Point, signal?: AbortSignal) => {
    const result = await perception.ocr(obs, signal);
    let best: { text: string; d: number } | undefined;
    for (const line of result.lines) {
      const b = boxToDesktop({ ...line.box, space: 'screen' }, { frame: obs.frame });
      // Distance from the point to the line's box; 0 inside it.
      const dx = Math.max(b.x - point.x, 0, point.x - (b.x + b.width));
      const dy = Math.max(b.y - point.y, 0, point.y - (b.y + b.height));
      const d = Math.hypot(dx, dy);
      if (d <= 12 && (!best || d < best.d)) best = { text: line.text.trim(), d };
    }
    return best?.text || undefined;
  };
  return { ladder, textAt };
}
