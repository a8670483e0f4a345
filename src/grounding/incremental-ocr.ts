import { createHash } from 'node:crypto';
import { diffFrames } from '../perception/diff.js';
import { readingOrder } from '../perception/ocr/order.js';
import type { Ocr, OcrLine, OcrResult } from '../perception/ocr/types.js';
import { boxesOverlap as overlaps, boxIou as iou, boxUnion as union, overlapArea, type Box } from '../shared/geometry.js';
import type { Frame } from '../shared/ports.js';

export interface IncrementalStats {
  full: number;
  partial: number;
  reused: number;
  /** Regions answered from the content-hash cache. */
  cached: number;
}

/**
 * OCR that re-reads only what changed: the new frame is compared with the last one read; an
 * unchanged screen reuses the last result, a small change re-reads just the changed regions
 * (grown to whole text lines) and keeps every old line outside them, and region results are
 * cached by the hash of their pixels (a dialog that comes back is not read twice).
 */
export class IncrementalOcr {
  readonly stats: IncrementalStats = { full: 0, partial: 0, reused: 0, cached: 0 };
  private last: { frame: Frame; result: OcrResult } | undefined;
  private readonly regionCache = new Map<string, OcrLine[]>();

  constructor(
    private readonly ocr: Ocr,
    private readonly options: { maxChangedShare?: number; cacheSize?: number } = {},
  ) {}

  async recognize(frame: Frame, signal?: AbortSignal): Promise<OcrResult> {
    const prev = this.last;
    let result: OcrResult;
    if (!prev || prev.frame.width !== frame.width || prev.frame.height !== frame.height) {
      result = await this.full(frame, signal);
    } else {
      const diff = diffFrames(prev.frame, frame, { threshold: 8 });
      if (!diff.changed) {
        this.stats.reused++;
        result = prev.result;
      } else if (diff.changedTiles / diff.totalTiles > (this.options.maxChangedShare ?? 0.3)) {
        result = await this.full(frame, signal);
      } else {
        result = await this.partial(prev.frame, frame, prev.result, diff.regions.map((r) => grow(r.box, 12, frame)), signal);
      }
    }
    this.last = { frame, result };
    return result;
  }

  private async full(frame: Frame, signal?: AbortSignal): Promise<OcrResult> {
    this.stats.full++;
    return this.ocr.recognize(frame, signal ? { signal } : {});
  }

  /** Forget the last frame: the next read is a full one (a new session, another app in front). */
  reset(): void {
    this.last = undefined;
  }

  private async partial(before: Frame, frame: Frame, old: OcrResult, changed: Box[], signal?: AbortSignal): Promise<OcrResult> {
    this.stats.partial++;
    // A region must cover whole old lines it touches, or a line would be half kept, half re-read.
    const regions = changed.map((r) => old.lines.reduce((acc, l) => (overlaps(acc, l.box) ? union(acc, grow(l.box, 4, frame)) : acc), r));
    const kept = old.lines.filter((l) => !regions.some((r) => overlaps(r, l.box)));
    // Old lines inside a region whose own pixels did not change keep their reading: the detector
    // boxes the same line a few pixels differently in a slightly different region (a terminal
    // line read "Writethe notebelow" from a box 3 px tighter), and unchanged text must not flicker.
    const still = old.lines.filter((l) => !kept.includes(l) && samePixels(before, frame, l.box));
    const fresh: OcrLine[] = [];
    for (const region of regions) {
      const key = hashRegion(frame, region);
      let lines = this.regionCache.get(key);
      if (lines) this.stats.cached++;
      else {
        lines = (await this.ocr.recognize(frame, { region, ...(signal ? { signal } : {}) })).lines;
        this.remember(key, lines);
      }
      fresh.push(...lines.filter((l) => !fresh.some((f) => same(f.box, l.box))));
    }
    // A fresh line that is the same line as a still one (intersection over union 0.7+) gives way
    // to it; a longer one that covers it (text typed after it) replaces it.
    const stillUsed = still.filter((s) => !fresh.some((f) => iou(f.box, s.box) < 0.7 && overlapArea(s.box, f.box) >= 0.8 * s.box.width * s.box.height));
    const freshOwn = fresh.filter((f) => !stillUsed.some((s) => iou(f.box, s.box) >= 0.7));
    return { lines: readingOrder([...kept, ...stillUsed, ...freshOwn]) };
  }

  private remember(key: string, lines: OcrLine[]): void {
    this.regionCache.set(key, lines);
    const max = this.options.cacheSize ?? 64;
    while (this.regionCache.size > max) this.regionCache.delete(this.regionCache.keys().next().value!);
  }
}

function hashRegion(frame: Frame, r: Box): string {
  const h = createHash('sha1');
  h.update(`${r.x},${r.y},${r.width},${r.height};`);
  for (let y = r.y; y < r.y + r.height; y++) {
    const start = (y * frame.width + r.x) * 4;
    h.update(frame.data.subarray(start, start + r.width * 4));
  }
  return h.digest('hex');
}

/**
 * Whether no pixel of the line's text band differs by more than the change threshold between the
 * two frames. The band leaves out a fifth of the box at the top and at the bottom: line boxes
 * reach into the space between lines, where a terminal's cursor on the next line is drawn.
 */
function samePixels(a: Frame, b: Frame, box: Box): boolean {
  const inset = box.height / 5;
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y + inset));
  const x1 = Math.min(b.width, Math.ceil(box.x + box.width));
  const y1 = Math.min(b.height, Math.ceil(box.y + box.height - inset));
  for (let y = y0; y < y1; y++) {
    for (let i = (y * b.width + x0) * 4, end = (y * b.width + x1) * 4; i < end; i += 4) {
      if (
        Math.abs(a.data[i]! - b.data[i]!) > 8 ||
        Math.abs(a.data[i + 1]! - b.data[i + 1]!) > 8 ||
        Math.abs(a.data[i + 2]! - b.data[i + 2]!) > 8
      )
        return false;
    }
  }
  return true;
}

function grow(b: Box, by: number, f: Frame): Box {
  const x = Math.max(0, Math.floor(b.x - by));
  const y = Math.max(0, Math.floor(b.y - by));
  return { x, y, width: Math.min(f.width, Math.ceil(b.x + b.width + by)) - x, height: Math.min(f.height, Math.ceil(b.y + b.height + by)) - y };
}

function same(a: Box, b: Box): boolean {
  return Math.abs(a.x - b.x) < 3 && Math.abs(a.y - b.y) < 3 && Math.abs(a.width - b.width) < 3;
}
