import { CascadeGrounder, type Rung } from '../grounding/cascade.js';
import { IconGrounder } from '../grounding/icon/index.js';
import { ObservationPerception } from '../grounding/perception.js';
import { TemplateGrounder } from '../grounding/template/index.js';
import { TextGrounder } from '../grounding/text.js';
import { LocalVlmGrounder, localVlmSettings, VlmGrounder } from '../grounding/vlm/index.js';
import { proposeElements } from '../perception/elements/index.js';
import { lazyOcr } from '../perception/ocr/lazy.js';
import { OpenAiModelClient } from '../planner/model/client.js';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import type { Grounder } from '../shared/ports.js';
import type { Ocr } from '../perception/ocr/types.js';

export interface GroundingSetup {
  grounder: CascadeGrounder;
  perception: ObservationPerception;
  /** The rungs by name, for `--grounder NAME`. */
  byName: Record<string, Grounder>;
  ocr: Ocr;
}

/**
 * The grounding cascade from config: cheap rungs first (text via OCR, the icon vocabulary,
 * template crops), the VLM endpoint only when one is configured and the others fail. The local
 * VLM ('vlm-local') is always there by name (it says "model not installed" until its folder
 * is) and joins the cascade only when grounding.cascade lists it.
 */
export function setupGrounding(config: Config, logger: Logger, baseDir = process.cwd(), shared?: Ocr): GroundingSetup {
  const ocr = shared ?? lazyOcr({ logger });
  const perception = new ObservationPerception(ocr, (frame, result, signal) => proposeElements(frame, { ocr: result, ...(signal ? { signal } : {}) }));
  const ocrOf = (obs: Parameters<typeof perception.ocr>[0], signal?: AbortSignal) => perception.ocr(obs, signal);
  const min = config.grounding.minConfidence;
  const rungs: Record<string, Rung> = {
    text: { grounder: new TextGrounder(ocrOf), minConfidence: min, applies: (t) => t.text !== undefined },
    icon: {
      grounder: new IconGrounder({ ocr: ocrOf }),
      minConfidence: min,
      applies: (t) => t.description !== undefined || t.role === 'icon' || t.text !== undefined,
    },
    template: {
      grounder: new TemplateGrounder({ baseDir, threshold: config.grounding.templateThreshold, logger }),
      minConfidence: config.grounding.templateThreshold,
      applies: (t) => t.image !== undefined,
    },
  };
  if (config.models.grounder) {
    const model = new OpenAiModelClient({ endpoints: { grounder: config.models.grounder }, logger });
    rungs['vlm'] = {
      grounder: new VlmGrounder({ model, format: config.grounding.vlmFormat, logger }),
      minConfidence: 0,
      applies: (t) => t.description !== undefined || t.text !== undefined,
    };
  }
  rungs['vlm-local'] = {
    grounder: localVlmGrounder(config, logger, baseDir),
    minConfidence: 0,
    applies: (t) => t.description !== undefined || t.text !== undefined,
  };
  const order = config.grounding.cascade.flatMap((name) => (rungs[name] ? [rungs[name]] : []));
  return {
    grounder: new CascadeGrounder(order),
    perception,
    byName: Object.fromEntries(Object.entries(rungs).map(([k, r]) => [k, r.grounder])),
    ocr,
  };
}

/** The local VLM grounder from grounding.localVlm; loads nothing until its first locate. */
export function localVlmGrounder(config: Config, logger: Logger, baseDir = process.cwd()): LocalVlmGrounder {
  const c = localVlmSettings(config.grounding.localVlm, baseDir);
  return new LocalVlmGrounder({
    dir: c.dir,
    format: c.format,
    maxNewTokens: c.maxNewTokens,
    ...(c.dtype ? { dtype: c.dtype } : {}),
    ...(c.maxPixels !== undefined ? { maxPixels: c.maxPixels } : {}),
    logger,
  });
}
