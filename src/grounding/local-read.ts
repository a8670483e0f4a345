import { createHash } from 'node:crypto';
import type { Ocr, OcrResult } from '../perception/ocr/types.js';
import { desktopToScreen } from '../shared/coords.js';
import type { Box } from '../shared/geometry.js';
import type { Frame } from '../shared/ports.js';

/**
 * OCR of one part of a frame (a crop around where a target is expected), for replay's
 * search-near-the-recorded-place-first: the detector on a few hundred pixels square and a
 * handful of lines recognised cost tens of milliseconds where a whole 1280x800 screen costs
 * seconds. Results are cached per frame and area, and by the area's pixels (an area that did not
 * change between two steps is not read twice).
 */
export class LocalReader {
  readonly stats = { reads: 0, cached: 0 };
  private readonly perFrame = new WeakMap<Frame, Map<string, Promise<OcrResult>>>();
  private readonly byPixels = new Map<string, OcrResult>();

  constructor(
    private readonly ocr: Ocr,
    private readonly cacheSize = 128,
  ) {}

  /** The lines inside `area` (desktop px; clipped to the frame), boxes in the frame's pixels as any OCR result. */
  read(frame: Frame, area: Box, signal?: AbortSignal): Promise<OcrResult> {
    const region = toScreenRegion(frame, area);
    if (region.width < 4 || region.height < 4) return Promise.resolve({ lines: [] });
    let byArea = this.perFrame.get(frame);
    if (!byArea) this.perFrame.set(frame, (byArea = new Map<string, Promise<OcrResult>>()));
    const key = `${region.x},${region.y},${region.width},${region.height}`;
    let r = byArea.get(key);
    if (!r) {
      r = this.readRegion(frame, region, signal);
      r.catch(() => byArea.delete(key));
      byArea.set(key, r);
    }
    return r;
  }

  private async readRegion(frame: Frame, region: Box, signal?: AbortSignal): Promise<OcrResult> {
    const hash = hashRegion(frame, region);
    const known = this.byPixels.get(hash);
    if (known) {
      this.stats.cached++;
      return known;
    }
    this.stats.reads++;
    const result = await this.ocr.recognize(frame, { region, ...(signal ? { signal } : {}) });
    this.byPixels.set(hash, result);
    while (this.byPixels.size > this.cacheSize) this.byPixels.delete(this.byPixels.keys().next().value!);
    return result;
  }
}

/** A desktop box as whole frame pixels, clipped to the frame. */
function toScreenRegion(frame: Frame, area: Box): Box {
  const a = desktopToScreen({ space: 'desktop', x: area.x, y: area.y }, frame);
  const b = desktopToScreen({ space: 'desktop', x: area.x + area.width, y: area.y + area.height }, frame);
  const x = Math.max(0, Math.floor(Math.min(a.x, b.x)));
  const y = Math.max(0, Math.floor(Math.min(a.y, b.y)));
  const right = Math.min(frame.width, Math.ceil(Math.max(a.x, b.x)));
  const bottom = Math.min(frame.height, Math.ceil(Math.max(a.y, b.y)));
  return { x, y, width: Math.max(0, right - x), height: Math.max(0, bottom - y) };
}

/** The area's position and pixels: the same pixels at the same place read the same. */
function hashRegion(frame: Frame, r: Box): string {
  const h = createHash('sha1');
  h.update(`${frame.width}x${frame.height};${r.x},${r.y},${r.width},${r.height};`);
  for (let y = r.y; y < r.y + r.height; y++) {
    const start = (y * frame.width + r.x) * 4;
    h.update(frame.data.subarray(start, start + r.width * 4));
  }
  return h.digest('hex');
}
