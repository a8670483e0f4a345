import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { boxToDesktop } from '../../shared/coords.js';
import { GroundingError, throwIfAborted } from '../../shared/errors.js';
import { boxCenter, type Box } from '../../shared/geometry.js';
import { nullLogger, type Logger } from '../../shared/logger.js';
import type { Frame, Grounder, Location, Observation } from '../../shared/ports.js';
import type { Resolution } from '../../shared/records.js';
import { describeTarget, type Target } from '../../shared/target.js';
import { decodeImage } from '../../perception/image.js';
import { toGray, type GrayImage } from './gray.js';
import { frameForRegion } from './region.js';
import { searchTemplate, type TemplateMatch } from './search.js';

export interface TemplateGrounderOptions {
  /** Relative `target.image` paths resolve against this (the macro's folder); the cwd when absent. */
  baseDir?: string;
  /** Lowest NCC score that counts as found; 0.7 as SikuliX's default similarity. */
  threshold?: number;
  /** Two matches whose scores differ by at most this are a tie: ambiguous, not a guess. */
  tieMargin?: number;
  /** Template scales tried, relative to the crop's own size. */
  minScale?: number;
  maxScale?: number;
  logger?: Logger;
}

/**
 * Finds a recorded crop (macro replay's `target.image`) on the screen by multi-scale normalised
 * cross-correlation on grayscale, coarse to fine (search.ts). Confidence is the NCC score.
 */
export class TemplateGrounder implements Grounder {
  readonly name = 'template';
  private readonly threshold: number;
  private readonly tieMargin: number;
  private readonly logger: Logger;
  private readonly cache = new Map<string, GrayImage>();

  constructor(private readonly options: TemplateGrounderOptions = {}) {
    this.threshold = options.threshold ?? 0.7;
    this.tieMargin = options.tieMargin ?? 0.01;
    this.logger = (options.logger ?? nullLogger).child({ grounder: 'template' });
  }

  async locate(observation: Observation, target: Target, signal?: AbortSignal): Promise<Location> {
    if (!target.image) throw new GroundingError(`the template grounder needs a template image for ${describeTarget(target)}`);
    const template = await this.load(target.image);
    throwIfAborted(signal);
    const frame = frameForRegion(observation.frame, target.region);
    if (template.width > frame.width * (this.options.maxScale ?? 1.25) + 1 || template.height > frame.height * (this.options.maxScale ?? 1.25) + 1) {
      throw new GroundingError(`the template ${target.image} (${template.width}x${template.height}) is larger than the searched area (${frame.width}x${frame.height})`, 'GROUNDING_NOT_FOUND');
    }
    const started = performance.now();
    const matches = searchTemplate(toGray(frame.data, frame.width, frame.height), template, {
      minScale: this.options.minScale ?? 0.8,
      maxScale: this.options.maxScale ?? 1.25,
    });
    this.logger.debug({ image: target.image, ms: performance.now() - started, best: matches[0]?.score }, 'template search');
    const found = matches.filter((m) => m.score >= this.threshold);
    const best = matches[0];
    if (!best || found.length === 0) {
      const score = best ? best.score.toFixed(2) : 'none';
      throw new GroundingError(
        `the template ${target.image} is not on screen: best similarity ${score} is below the threshold ${this.threshold}`,
        'GROUNDING_NOT_FOUND',
      );
    }
    const chosen = this.choose(found, target, frame);
    const alternatives = found.filter((m) => m !== chosen).map((m) => resolution(m, frame));
    return { ...resolution(chosen, frame), alternatives };
  }

  private choose(found: TemplateMatch[], target: Target, frame: Frame): TemplateMatch {
    if (target.ordinal !== undefined) {
      const ordered = [...found].sort((a, b) => (Math.abs(a.y - b.y) > a.height / 2 ? a.y - b.y : a.x - b.x));
      const pick = ordered[target.ordinal - 1];
      if (!pick) throw new GroundingError(`asked for ${describeTarget(target)} but the template matches ${found.length} place(s)`, 'GROUNDING_NOT_FOUND');
      return pick;
    }
    const tied = found.filter((m) => found[0]!.score - m.score <= this.tieMargin);
    if (tied.length > 1) {
      const where = tied.slice(0, 4).map((m) => {
        const p = resolution(m, frame).point;
        return `(${Math.round(p.x)}, ${Math.round(p.y)})`;
      });
      throw new GroundingError(
        `the template ${target.image} matches ${tied.length} places equally well (similarity ${found[0]!.score.toFixed(3)}) at ${where.join(', ')}; give an ordinal or a region`,
        'GROUNDING_AMBIGUOUS',
      );
    }
    return found[0]!;
  }

  private async load(image: string): Promise<GrayImage> {
    const path = isAbsolute(image) ? image : resolve(this.options.baseDir ?? process.cwd(), image);
    let bytes: Buffer;
    let key: string;
    try {
      // Keyed by modification time too: a re-recorded crop under the same name is reloaded.
      const info = await stat(path);
      key = `${path}\0${info.mtimeMs}\0${info.size}`;
      const cached = this.cache.get(key);
      if (cached) return cached;
      bytes = await readFile(path);
    } catch (err) {
      throw new GroundingError(`cannot read the template image ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'GROUNDING', { cause: err });
    }
    let gray: GrayImage;
    try {
      const rgba = await decodeImage(bytes);
      gray = toGray(rgba.data, rgba.width, rgba.height);
    } catch (err) {
      throw new GroundingError(`the template ${path} is not a readable PNG/JPEG image`, 'GROUNDING', { cause: err });
    }
    if (isFlat(gray)) throw new GroundingError(`the template ${path} is a single flat colour: nothing to match on`);
    if (this.cache.size >= 64) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, gray);
    return gray;
  }
}

function isFlat(g: GrayImage): boolean {
  const first = g.data[0]!;
  return g.data.every((v) => Math.abs(v - first) < 1);
}

function resolution(m: TemplateMatch, frame: Frame): Resolution {
  const box = boxToDesktop({ space: 'screen', x: m.x, y: m.y, width: m.width, height: m.height }, { frame });
  const plain: Box = { x: box.x, y: box.y, width: box.width, height: box.height };
  return { point: boxCenter(plain), box: plain, confidence: Math.max(0, Math.min(1, m.score)), source: 'template' };
}
