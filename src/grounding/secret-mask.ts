import type { OcrResult } from '../perception/ocr/types.js';
import type { Box } from '../shared/geometry.js';
import type { Frame } from '../shared/ports.js';
import { compact } from './text-match.js';

/**
 * Where secret values show on screen, read by OCR: a word or line whose letters and digits
 * contain a secret's (or a run of 4+ of them, since OCR may misread one character). Boxes are
 * frame pixels.
 */
export function secretBoxes(ocr: OcrResult, values: Iterable<string>): Box[] {
  const secrets = [...values].map(compact).filter((v) => v.length >= 3);
  if (secrets.length === 0) return [];
  const hit = (text: string) => {
    const t = compact(text);
    return secrets.some((v) => t.includes(v) || chunks(v).some((c) => t.includes(c)));
  };
  const boxes: Box[] = [];
  for (const line of ocr.lines) {
    if (hit(line.text)) boxes.push(line.box);
    else for (const w of line.words) if (hit(w.text)) boxes.push(w.box);
  }
  return boxes;
}

function chunks(v: string): string[] {
  if (v.length < 8) return [];
  const out: string[] = [];
  for (let i = 0; i + 6 <= v.length; i += 3) out.push(v.slice(i, i + 6));
  return out;
}

/** A copy of the frame with the boxes filled black (a margin around them included). */
export function blackOut(frame: Frame, boxes: Box[], margin = 4): Frame {
  if (boxes.length === 0) return frame;
  const data = new Uint8Array(frame.data);
  for (const b of boxes) {
    const x0 = Math.max(0, Math.floor(b.x - margin));
    const y0 = Math.max(0, Math.floor(b.y - margin));
    const x1 = Math.min(frame.width, Math.ceil(b.x + b.width + margin));
    const y1 = Math.min(frame.height, Math.ceil(b.y + b.height + margin));
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = (y * frame.width + x) * 4;
        data[i] = 0;
        data[i + 1] = 0;
        data[i + 2] = 0;
        data[i + 3] = 255;
      }
    }
  }
  return { ...frame, data };
}
