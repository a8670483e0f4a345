import { GroundingError, throwIfAborted } from '../../shared/errors.js';
import { nullLogger, type Logger } from '../../shared/logger.js';
import type { ChatContent, Grounder, Location, Observation } from '../../shared/ports.js';
import { describeTarget, type Target } from '../../shared/target.js';
import { frameForRegion } from '../template/region.js';
import { locationFromAnswer } from './grounder.js';
import type { LocalVlmDtypeOption } from './local-folder.js';
import { loadLocalVlm, type LocalVlmModel } from './local-model.js';
import { VLM_FORMATS, type VlmFormat } from './parsers.js';
import { buildMessages, instructionFor, RESIZE } from './prompts.js';

export interface LocalVlmGrounderOptions {
  /** The model folder (Qwen2-VL ONNX export for transformers.js); see models/README.md. */
  dir: string;
  /** Which model it is: its prompt and its answer syntax (prompts.ts, parsers.ts). */
  format: VlmFormat;
  dtype?: LocalVlmDtypeOption;
  /** Pixel budget of the image; the format's default (prompts.ts RESIZE) when absent. */
  maxPixels?: number;
  /** Generation stops here even without an end token. */
  maxNewTokens?: number;
  /** These models give no score; every answer gets this (as the endpoint grounder). */
  confidence?: number;
  logger?: Logger;
}

/** What one call did, for reports and tests. */
export interface LocalVlmExchange {
  instruction: string;
  prompt: string;
  answer: string;
  image: { width: number; height: number };
  promptTokens: number;
  newTokens: number;
  latencyMs: number;
}

/**
 * Locates a target with a grounding model (ShowUI-2B, OS-Atlas-Base-7B) running in this process
 * on onnxruntime through transformers.js, from a folder on disk, with no network: the same
 * prompts and parsers as the endpoint grounder, the image through the model's own Qwen2-VL
 * processor (smart resize to multiples of 28), greedy decoding, the answer mapped back to the
 * desktop through shared/coords.ts.
 */
export class LocalVlmGrounder implements Grounder {
  readonly name = 'vlm-local';
  lastExchange: LocalVlmExchange | undefined;
  private readonly logger: Logger;

  constructor(private readonly options: LocalVlmGrounderOptions) {
    if (!VLM_FORMATS.includes(options.format)) {
      throw new GroundingError(`unknown VLM grounder format "${String(options.format)}"; known: ${VLM_FORMATS.join(', ')}`);
    }
    this.logger = (options.logger ?? nullLogger).child({ grounder: 'vlm-local', format: options.format });
  }

  /** Loads the model now (otherwise the first locate does). */
  model(): Promise<LocalVlmModel> {
    return loadLocalVlm({ dir: this.options.dir, ...(this.options.dtype ? { dtype: this.options.dtype } : {}) });
  }

  async locate(observation: Observation, target: Target, signal?: AbortSignal): Promise<Location> {
    const { format } = this.options;
    const instruction = instructionFor(target);
    if (instruction === undefined) {
      throw new GroundingError(`the local VLM grounder needs a description or the visible text of ${describeTarget(target)}`);
    }
    throwIfAborted(signal);
    const model = await this.model();
    throwIfAborted(signal);
    const frame = frameForRegion(observation.frame, target.region);
    const started = performance.now();
    const budget = RESIZE[format];
    const result = await model.generate({
      messages: toTransformersMessages(buildMessages(format, instruction, IMAGE_SLOT)),
      image: { data: frame.data, width: frame.width, height: frame.height, channels: 4 },
      minPixels: budget.minPixels,
      maxPixels: this.options.maxPixels ?? budget.maxPixels,
      maxNewTokens: this.options.maxNewTokens ?? 64,
      ...(signal ? { signal } : {}),
    });
    const latencyMs = performance.now() - started;
    this.lastExchange = { instruction, latencyMs, ...result };
    this.logger.debug({ instruction, image: result.image, answer: result.answer.slice(0, 200), latencyMs, newTokens: result.newTokens }, 'local vlm answer');
    return locationFromAnswer(format, result.answer, result.image, frame, { confidence: this.options.confidence ?? 0.6, source: 'vlm-local' });
  }
}

/** Where the screenshot goes in the prompt; the processor gets the pixels separately. */
const IMAGE_SLOT: ChatContent = { type: 'image', base64: '', mime: 'image/png' };

/** The endpoint prompts, in the message form the Qwen2-VL chat template reads. */
function toTransformersMessages(messages: ReturnType<typeof buildMessages>): unknown[] {
  return messages.map((m) => ({
    role: m.role,
    content: typeof m.content === 'string' ? m.content : m.content.map((c) => (c.type === 'image' ? { type: 'image' } : { type: 'text', text: c.text })),
  }));
}
