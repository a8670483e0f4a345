import { boxToDesktop, toDesktop, type ConversionContext, type DesktopPoint, type ImageSize } from '../../shared/coords.js';
import { GroundingError, throwIfAborted } from '../../shared/errors.js';
import type { Box } from '../../shared/geometry.js';
import { nullLogger, type Logger } from '../../shared/logger.js';
import type { ChatContent, Frame, Grounder, Location, ModelClient, Observation } from '../../shared/ports.js';
import { describeTarget, type Target } from '../../shared/target.js';
import { encodeJpeg, encodePng, resizeToBudget } from '../../perception/image.js';
import { frameForRegion } from '../template/region.js';
import { parseAnswer, VLM_FORMATS, type VlmFormat } from './parsers.js';
import { buildMessages, instructionFor, RESIZE } from './prompts.js';

export interface VlmGrounderOptions {
  /** The grounder-role model port; absent when no endpoint is configured. */
  model: ModelClient | undefined;
  format: VlmFormat;
  /** Pixel budget of the image sent; the format's default (prompts.ts RESIZE) when absent. */
  maxPixels?: number;
  /** PNG keeps pixels exact; JPEG is ~5x smaller for remote endpoints. */
  encoding?: 'png' | 'jpeg';
  /**
   * These models give no score with their answer, so every answer gets this confidence. Kept
   * below what a replay of an irreversible step accepts on its own.
   */
  confidence?: number;
  maxTokens?: number;
  logger?: Logger;
}

/** What one call sent, for reports and tests. */
export interface VlmExchange {
  instruction: string;
  image: ImageSize;
  answer: string;
  latencyMs: number;
}

/**
 * Locates a target by asking a grounding model (OS-Atlas, ShowUI, UGround, UI-TARS) served
 * behind an OpenAI-compatible endpoint: one request with the screenshot resized to the model's
 * budget and the model's own prompt, one parsed answer, converted to desktop coordinates.
 */
export class VlmGrounder implements Grounder {
  readonly name = 'vlm';
  /** The last exchange with the model. */
  lastExchange: VlmExchange | undefined;
  private readonly logger: Logger;

  constructor(private readonly options: VlmGrounderOptions) {
    if (!VLM_FORMATS.includes(options.format)) {
      throw new GroundingError(`unknown VLM grounder format "${String(options.format)}"; known: ${VLM_FORMATS.join(', ')}`);
    }
    this.logger = (options.logger ?? nullLogger).child({ grounder: 'vlm', format: options.format });
  }

  async locate(observation: Observation, target: Target, signal?: AbortSignal): Promise<Location> {
    const { model, format } = this.options;
    if (!model) {
      throw new GroundingError(
        'the VLM grounder has no model: set models.grounder (an OpenAI-compatible endpoint serving OS-Atlas, ShowUI, UGround or UI-TARS) in the config file',
      );
    }
    const instruction = instructionFor(target);
    if (instruction === undefined) {
      throw new GroundingError(`the VLM grounder needs a description or the visible text of ${describeTarget(target)}`);
    }
    throwIfAborted(signal);
    const frame = frameForRegion(observation.frame, target.region);
    const { part, size } = await this.encode(frame);
    throwIfAborted(signal);
    const reply = await model.chat(
      { role: 'grounder', messages: buildMessages(format, instruction, part), temperature: 0, maxTokens: this.options.maxTokens ?? 128 },
      signal,
    );
    this.lastExchange = { instruction, image: size, answer: reply.text, latencyMs: reply.latencyMs };
    this.logger.debug({ instruction, image: size, answer: reply.text.slice(0, 200), latencyMs: reply.latencyMs }, 'vlm answer');
    return locationFromAnswer(format, reply.text, size, frame, { confidence: this.options.confidence ?? 0.6, source: 'vlm' });
  }

  private async encode(frame: Frame): Promise<{ part: ChatContent; size: ImageSize }> {
    const budget = { ...RESIZE[this.options.format] };
    if (this.options.maxPixels !== undefined) budget.maxPixels = this.options.maxPixels;
    const resized = await resizeToBudget(frame, budget);
    const size = { width: resized.width, height: resized.height };
    const jpeg = this.options.encoding === 'jpeg';
    const bytes = jpeg ? await encodeJpeg(resized, { quality: 90 }) : await encodePng(resized);
    return { part: { type: 'image', base64: bytes.toString('base64'), mime: jpeg ? 'image/jpeg' : 'image/png' }, size };
  }
}

/** A model's answer about an image of `size` made from `frame`, as a Location on the desktop. */
export function locationFromAnswer(format: VlmFormat, answer: string, size: ImageSize, frame: Frame, how: { confidence: number; source: string }): Location {
  const parsed = parseAnswer(format, answer, size);
  const ctx: ConversionContext = { frame, image: size };
  const point = clampTo(toDesktop(parsed.point, ctx), frame);
  const box = parsed.box ? plainBox(boxToDesktop(parsed.box, ctx)) : undefined;
  return { point: { x: point.x, y: point.y }, ...(box ? { box } : {}), confidence: how.confidence, source: how.source, alternatives: [] };
}

/** A model's 1000 (or the box edge) lands one past the last pixel; keep the point on the frame. */
function clampTo(p: DesktopPoint, frame: Frame): DesktopPoint {
  const b = frame.desktopBounds;
  const px = b.width / frame.width;
  const py = b.height / frame.height;
  return { space: 'desktop', x: Math.min(Math.max(p.x, b.x), b.x + b.width - px), y: Math.min(Math.max(p.y, b.y), b.y + b.height - py) };
}

function plainBox(b: Box): Box {
  return { x: b.x, y: b.y, width: b.width, height: b.height };
}
