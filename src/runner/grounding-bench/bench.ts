import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeImage } from '../../perception/image.js';
import { AppError, errorMessage, throwIfAborted, UserInputError } from '../../shared/errors.js';
import { boxContains, type Box, type Point } from '../../shared/geometry.js';
import type { Frame, Grounder, Location } from '../../shared/ports.js';
import type { Target } from '../../shared/target.js';
import type { Dataset, DatasetRow } from './dataset.js';
import { targetsFor } from './targets.js';

export interface SampleResult {
  /** 0-based index in the annotations file. */
  index: number;
  line: number;
  img_filename: string;
  instruction: string;
  data_type: 'text' | 'icon';
  bbox: [number, number, number, number];
  hit: boolean;
  /** The predicted point (image pixels); null when the grounder gave none. */
  point: Point | null;
  /** The target that produced the answer, or the last one tried. */
  target: Target;
  source: string | null;
  confidence: number | null;
  error: string | null;
  /** Time in locate() for this sample, every target tried included. */
  ms: number;
  /** Whether this was the first locate on its image (perception computed, not cached). */
  cold: boolean;
}

export interface Tally {
  samples: number;
  hits: number;
  /** hits / samples, 0..1; 0 when there are no samples. */
  accuracy: number;
}

export interface BenchSummary {
  grounder: string;
  dataset: string;
  overall: Tally;
  text: Tally;
  icon: Tally;
  /** Median locate time in ms, perception cached (later samples of an image) and cold (first). */
  medianMs: { cached: number | null; cold: number | null };
  images: number;
}

export interface BenchResult {
  summary: BenchSummary;
  results: SampleResult[];
}

export interface BenchOptions {
  grounder: Grounder;
  /** Only the first N samples of the file. */
  limit?: number;
  signal?: AbortSignal;
  /** Loads an image as a Frame; default: decode the PNG/JPEG file with sharp. */
  loadFrame?: (file: string) => Promise<Frame>;
  /** Called after each sample, for progress output. */
  onSample?: (result: SampleResult, done: number, total: number) => void;
}

/**
 * Runs a grounder over a ScreenSpot-format dataset and scores it the way ScreenSpot does: a hit is
 * a predicted point inside the true box. Samples of one image share one Frame, so the grounder's
 * per-frame perception cache works as it does in a run: the first locate on an image pays for OCR
 * and proposals (cold), the rest find them cached.
 */
export async function runGroundingBench(dataset: Dataset, options: BenchOptions): Promise<BenchResult> {
  const load = options.loadFrame ?? loadImageFrame;
  const rows = dataset.rows.slice(0, options.limit ?? dataset.rows.length);
  const byImage = new Map<string, Array<{ row: DatasetRow; index: number }>>();
  rows.forEach((row, index) => {
    const list = byImage.get(row.img_filename) ?? [];
    list.push({ row, index });
    byImage.set(row.img_filename, list);
  });
  const results: SampleResult[] = [];
  for (const [image, list] of byImage) {
    throwIfAborted(options.signal);
    const file = path.resolve(dataset.imageDir, image);
    const frame = await load(file).catch((err: unknown) => {
      if (err instanceof AppError) throw err;
      throw new UserInputError(`image ${image}: ${errorMessage(err)}`, { file: dataset.file, line: list[0]!.row.line });
    });
    let first = true;
    for (const { row, index } of list) {
      const r = await scoreSample(options.grounder, frame, row, index, first, options.signal);
      first = false;
      results.push(r);
      options.onSample?.(r, results.length, rows.length);
    }
  }
  results.sort((a, b) => a.index - b.index);
  return { summary: summarize(results, options.grounder.name, dataset.file, byImage.size), results };
}

async function scoreSample(
  grounder: Grounder,
  frame: Frame,
  row: DatasetRow,
  index: number,
  cold: boolean,
  signal?: AbortSignal,
): Promise<SampleResult> {
  const targets = targetsFor(row);
  const truth: Box = { x: row.bbox[0], y: row.bbox[1], width: row.bbox[2], height: row.bbox[3] };
  let ms = 0;
  let loc: Location | undefined;
  let used = targets[0]!;
  let error: string | null = null;
  for (const target of targets) {
    used = target;
    const started = performance.now();
    try {
      loc = await grounder.locate({ frame, displays: [] }, target, signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      // The first target is the best reading of the instruction; its failure says the most.
      error ??= errorMessage(err);
    } finally {
      ms += performance.now() - started;
    }
    if (loc) break;
  }
  return {
    index,
    line: row.line,
    img_filename: row.img_filename,
    instruction: row.instruction,
    data_type: row.data_type,
    bbox: row.bbox,
    hit: loc ? boxContains(truth, loc.point) : false,
    point: loc ? { x: loc.point.x, y: loc.point.y } : null,
    target: used,
    source: loc?.source ?? null,
    confidence: loc?.confidence ?? null,
    error: loc ? null : error,
    ms: Math.round(ms * 10) / 10,
    cold,
  };
}

export function summarize(results: SampleResult[], grounder: string, dataset: string, images: number): BenchSummary {
  const tally = (rs: SampleResult[]): Tally => {
    const hits = rs.filter((r) => r.hit).length;
    return { samples: rs.length, hits, accuracy: rs.length ? hits / rs.length : 0 };
  };
  return {
    grounder,
    dataset,
    overall: tally(results),
    text: tally(results.filter((r) => r.data_type === 'text')),
    icon: tally(results.filter((r) => r.data_type === 'icon')),
    medianMs: {
      cached: median(results.filter((r) => !r.cold).map((r) => r.ms)),
      cold: median(results.filter((r) => r.cold).map((r) => r.ms)),
    },
    images,
  };
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = values.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A dataset image as a Frame: RGBA, desktop = image pixels, scale 1. */
export async function loadImageFrame(file: string): Promise<Frame> {
  const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new UserInputError(`image ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  const img = await decodeImage(bytes).catch(() => {
    throw new UserInputError(`image ${file}: not a PNG or JPEG image`);
  });
  return {
    displayId: 'dataset',
    width: img.width,
    height: img.height,
    data: img.data,
    desktopBounds: { x: 0, y: 0, width: img.width, height: img.height },
    scaleFactor: 1,
    capturedAt: 0,
  };
}
