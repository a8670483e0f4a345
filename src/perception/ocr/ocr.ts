import type { Box } from '../../shared/geometry.js';
import { AppError, errorMessage, throwIfAborted } from '../../shared/errors.js';
import { nullLogger } from '../../shared/logger.js';
import { rotatedLine, upsideDownLines } from './angle.js';
import { detectionRects } from './content.js';
import { type DetectedBox, detectorScale, detectText } from './detect.js';
import { OcrError } from './errors.js';
import { clampRect, outerRect, type PixelRect } from './image.js';
import { acquireModels, characterClasses, modelSession, releaseModels } from './models.js';
import { readingOrder } from './order.js';
import { type LineSource, recognizeLines } from './recognize.js';
import type { Ocr, OcrImage, OcrLine, OcrOptions, OcrResult, RecognizeOptions } from './types.js';
import { buildLine, mapLineBoxes } from './words.js';

const LINE_MARGIN = 0.05;

export const OCR_DEFAULTS = {
  // Full resolution up to 1920 px. On the 1280x800 bench screen, PaddleOCR's 960 px limit
  // merged neighbouring elements ("Format Tools Help" into one line, the "File" chip into the
  // address bar) and saved little: recognition, not detection, takes most of the time.
  detectorMaxSide: 1920,
  textThreshold: 0.3,
  boxThreshold: 0.6,
  unclipRatio: 1.5,
  recognizerBatch: 8,
  minLineConfidence: 0.5,
  classifyAngle: false,
  threads: 2,
  skipEmpty: true,
} satisfies Required<Omit<OcrOptions, 'logger'>>;

/**
 * Our OCR pipeline on onnxruntime-node: DB text detection, optional angle classification, batched
 * CTC recognition, and word boxes from the CTC alignment. Model sessions are shared by every
 * instance in the process and released when the last instance is disposed.
 */
export function createOcr(options: OcrOptions = {}): Ocr {
  const settings = { ...OCR_DEFAULTS, ...withoutUndefined(options) };
  const logger = (options.logger ?? nullLogger).child({ component: 'ocr' });
  let holdsModels = false;
  const detectorSettings = {
    maxSide: settings.detectorMaxSide,
    textThreshold: settings.textThreshold,
    boxThreshold: settings.boxThreshold,
    unclipRatio: settings.unclipRatio,
  };

  async function recognize(image: OcrImage, opts: RecognizeOptions = {}): Promise<OcrResult> {
    const { signal } = opts;
    throwIfAborted(signal);
    checkImage(image);
    const area = clampRect(
      opts.region ?? { x: 0, y: 0, width: image.width, height: image.height },
      image.width,
      image.height,
    );
    if (area.width < 4 || area.height < 4) return { lines: [] };
    if (!holdsModels) {
      acquireModels();
      holdsModels = true;
    }
    try {
      const started = performance.now();
      const scale = detectorScale(area, settings.detectorMaxSide);
      const rects = settings.skipEmpty ? detectionRects(image, area, scale) : [area];
      if (rects.length === 0) {
        logger.debug({ detectMs: Math.round(performance.now() - started) }, 'ocr: nothing but empty tiles');
        return { lines: [] };
      }
      const detector = await modelSession('detector', settings.threads);
      const detected: DetectedBox[] = [];
      for (const rect of rects) {
        const found = await detectText(detector, image, rect, detectorSettings, scale);
        detected.push(...found);
        throwIfAborted(signal);
      }
      const detectedAt = performance.now();
      const lines = await readLines(
        image,
        area,
        detected.map((d) => withMargin(outerRect(d.box))),
        signal,
      );
      logger.debug(
        {
          lines: lines.length,
          passes: rects.length,
          detectMs: Math.round(detectedAt - started),
          recognizeMs: Math.round(performance.now() - detectedAt),
        },
        'ocr done',
      );
      return { lines: readingOrder(lines) };
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new OcrError(`OCR failed on a ${image.width}x${image.height} image: ${errorMessage(err)}`, {
        cause: err,
      });
    }
  }

  async function readLines(
    image: OcrImage,
    area: PixelRect,
    rects: PixelRect[],
    signal?: AbortSignal,
  ): Promise<OcrLine[]> {
    const usable = rects.filter((r) => r.width >= 2 && r.height >= 2);
    let sources: LineSource[] = usable.map((rect) => ({ image, rect, bounds: area }));
    let flipped = usable.map(() => false);
    if (settings.classifyAngle && sources.length) {
      const angle = await modelSession('angle', settings.threads);
      flipped = await upsideDownLines(angle, sources, settings.recognizerBatch);
      sources = sources.map((s, i) => (flipped[i] ? rotatedLine(s) : s));
      throwIfAborted(signal);
    }
    const recognizer = await modelSession('recognizer', settings.threads);
    const read = await recognizeLines(
      recognizer,
      sources,
      characterClasses(),
      settings.recognizerBatch,
      signal,
    );
    const lines: OcrLine[] = [];
    read.forEach((r, i) => {
      const source = sources[i]!;
      const line = buildLine(source, r.chars, r.stepWidth);
      if (!line || line.confidence < settings.minLineConfidence) return;
      lines.push(flipped[i] ? turnedBack(line, usable[i]!) : line);
    });
    return lines;
  }

  return {
    recognize,
    async dispose() {
      if (!holdsModels) return;
      holdsModels = false;
      await releaseModels();
    },
  };
}

/**
 * The recogniser drops spaces and misreads when the glyphs touch the crop's top and bottom; the
 * detector's boxes are that tight where text sits near an edge. A twentieth of the height (at
 * least a pixel) on each side read 41 of 42 rendered test lines exactly; 0.1 read 35 and 0.2
 * read 29 (thin letters and spaces get lost as the text shrinks in the 48 px line image).
 */
function withMargin(r: PixelRect): PixelRect {
  const m = Math.max(1, Math.round(r.height * LINE_MARGIN));
  return { x: r.x - m, y: r.y - m, width: r.width + 2 * m, height: r.height + 2 * m };
}

/** Maps a line read from a 180-degree copy back onto the frame. */
function turnedBack(line: OcrLine, rect: PixelRect): OcrLine {
  const back = (b: Box): Box => ({
    x: rect.x + rect.width - (b.x + b.width),
    y: rect.y + rect.height - (b.y + b.height),
    width: b.width,
    height: b.height,
  });
  return mapLineBoxes(line, back);
}

function checkImage(image: OcrImage): void {
  const expected = image.width * image.height * 4;
  if (!Number.isInteger(image.width) || !Number.isInteger(image.height) || image.data.length !== expected) {
    throw new OcrError(
      `OCR needs RGBA pixels: a ${image.width}x${image.height} image must have ${expected} bytes, got ${image.data.length}`,
    );
  }
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
