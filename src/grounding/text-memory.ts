import { boxToDesktop, desktopToScreen } from '../shared/coords.js';
import { boxCenter, type Box, type Point } from '../shared/geometry.js';
import type { Frame, Location } from '../shared/ports.js';

/** Mean difference per colour channel (0..255) below which two crops show the same thing. */
const SAME = 4;

interface Seen {
  width: number;
  height: number;
  /** RGBA pixels of the text's box, as OCR read it. */
  data: Uint8Array;
  confidence: number;
}

/**
 * The pixels of texts OCR has read in this session, to find the same text again without OCR:
 * the same glyphs in the same pixels near where the text is expected are the same text. A text
 * drawn differently (focused, hovered, another theme) does not match, and the caller reads it.
 */
export class TextMemory {
  private readonly seen = new Map<string, Seen>();

  constructor(private readonly maxTexts = 256) {}

  /** Keeps the pixels of `box` (desktop px) as how `text` looks. */
  remember(frame: Frame, text: string, box: Box, confidence: number): void {
    const r = screenRect(frame, box);
    if (r.width < 4 || r.height < 4 || r.x < 0 || r.y < 0 || r.x + r.width > frame.width || r.y + r.height > frame.height) return;
    const data = new Uint8Array(r.width * r.height * 4);
    for (let y = 0; y < r.height; y++) {
      const start = ((r.y + y) * frame.width + r.x) * 4;
      data.set(frame.data.subarray(start, start + r.width * 4), y * r.width * 4);
    }
    // A crop with hardly any ink would match any plain background near the place.
    if (!inked(data)) return;
    this.seen.delete(text);
    this.seen.set(text, { width: r.width, height: r.height, data, confidence });
    while (this.seen.size > this.maxTexts) this.seen.delete(this.seen.keys().next().value!);
  }

  /** `text` where it looks as remembered, its centre within `radius` of `near` (desktop px). */
  find(frame: Frame, text: string, near: Point, radius = 16): Location | undefined {
    const s = this.seen.get(text);
    if (!s) return undefined;
    const c = desktopToScreen({ space: 'desktop', x: near.x, y: near.y }, frame);
    const r = Math.ceil(radius * (frame.width / frame.desktopBounds.width));
    const x0 = Math.round(c.x - s.width / 2);
    const y0 = Math.round(c.y - s.height / 2);
    const limit = SAME * 3 * s.width * s.height;
    let best: { x: number; y: number; d: number } | undefined;
    for (let y = Math.max(0, y0 - r); y <= Math.min(frame.height - s.height, y0 + r); y++) {
      for (let x = Math.max(0, x0 - r); x <= Math.min(frame.width - s.width, x0 + r); x++) {
        const d = difference(frame, s, x, y, best ? Math.min(best.d, limit) : limit);
        if (d < (best?.d ?? limit)) best = { x, y, d };
      }
    }
    if (!best) return undefined;
    const b = boxToDesktop({ space: 'screen', x: best.x, y: best.y, width: s.width, height: s.height }, { frame });
    const box = { x: b.x, y: b.y, width: b.width, height: b.height };
    return { point: boxCenter(box), box, confidence: s.confidence, source: 'text', text, alternatives: [] };
  }
}

/** Sum of absolute RGB differences of the crop placed at (x, y); stops once it passes `stop`. */
function difference(frame: Frame, s: Seen, x: number, y: number, stop: number): number {
  let d = 0;
  const f = frame.data;
  for (let row = 0; row < s.height; row++) {
    let i = ((y + row) * frame.width + x) * 4;
    let j = row * s.width * 4;
    for (let col = 0; col < s.width; col++, i += 4, j += 4) {
      d += Math.abs(f[i]! - s.data[j]!) + Math.abs(f[i + 1]! - s.data[j + 1]!) + Math.abs(f[i + 2]! - s.data[j + 2]!);
    }
    if (d >= stop) return d;
  }
  return d;
}

/** Whether at least 3% of the pixels stand out from the crop's top-left (background) colour. */
function inked(data: Uint8Array): boolean {
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i]! - data[0]!) + Math.abs(data[i + 1]! - data[1]!) + Math.abs(data[i + 2]! - data[2]!) > 96) n++;
  }
  return n >= (data.length / 4) * 0.03;
}

function screenRect(frame: Frame, box: Box): Box {
  const a = desktopToScreen({ space: 'desktop', x: box.x, y: box.y }, frame);
  const b = desktopToScreen({ space: 'desktop', x: box.x + box.width, y: box.y + box.height }, frame);
  return { x: Math.round(a.x), y: Math.round(a.y), width: Math.round(b.x - a.x), height: Math.round(b.y - a.y) };
}
