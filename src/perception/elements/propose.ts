import { boxToDesktop } from '../../shared/coords.js';
import { throwIfAborted } from '../../shared/errors.js';
import type { Box } from '../../shared/geometry.js';
import type { Frame, UiElement } from '../../shared/ports.js';
import type { OcrResult } from '../ocr/types.js';
import { findBlobs } from './blobs.js';
import { classify, type Proposal } from './classify.js';
import { toGray } from './pixels.js';
import { findRects } from './rects.js';
import { labelRegions } from './regions.js';

export interface ProposeOptions {
  /** OCR of the same frame (boxes in frame pixels); without it text stays unread blobs. */
  ocr?: OcrResult;
  signal?: AbortSignal;
}

/** Neighbouring pixels this close in luminance are one flat fill (absorbs dithering and subtle gradients). */
const FLAT_TOLERANCE = 2;

/**
 * Element proposals from the screenshot's own pixels, merged with OCR: buttons, fields,
 * checkboxes, icons and text, with ids e1, e2, ... in reading order and boxes in desktop
 * coordinates. Plain TypeScript on typed arrays, no model.
 */
export function proposeElements(frame: Frame, options: ProposeOptions = {}): UiElement[] {
  const proposals = proposeInFrame(frame, options);
  return readingOrder(proposals).map((p, i) => {
    const d = boxToDesktop({ ...p.box, space: 'screen' }, { frame });
    const el: UiElement = {
      id: `e${i + 1}`,
      kind: p.kind,
      box: { x: d.x, y: d.y, width: d.width, height: d.height },
      confidence: round2(p.confidence),
    };
    if (p.text !== undefined) el.text = p.text;
    return el;
  });
}

/** The same proposals with boxes in frame pixels, unordered (for callers that look at pixels). */
export function proposeInFrame(frame: Frame, options: ProposeOptions = {}): Proposal[] {
  const { signal } = options;
  throwIfAborted(signal);
  const gray = toGray(frame);
  const lab = labelRegions(gray, FLAT_TOLERANCE);
  throwIfAborted(signal);
  // Sizes below are logical pixels; a HiDPI frame has scaleFactor physical pixels per logical one.
  const s = frame.scaleFactor > 0 ? frame.scaleFactor : 1;
  const rects = findRects(gray, lab.regions, {
    minSide: 10 * s,
    maxHeight: 160 * s,
    maxShare: 0.1,
    minSideCover: 0.85,
  });
  const blobs = findBlobs(gray, lab, {
    backgroundArea: 400 * s * s,
    backgroundSide: 40 * s,
    gapX: Math.round(2 * s),
    gapY: Math.round(4 * s),
  });
  throwIfAborted(signal);
  return classify(
    { width: frame.width, height: frame.height, scale: s },
    rects,
    blobs,
    options.ocr?.lines ?? [],
  );
}

/** Rows top to bottom (an element joins a row when its middle is within the row's first box), then left to right. */
export function readingOrder<T extends { box: Box }>(items: T[]): T[] {
  const byTop = items.slice().sort((a, b) => a.box.y - b.box.y || a.box.x - b.box.x);
  const out: T[] = [];
  let row: T[] = [];
  let bottom = -Infinity;
  for (const it of byTop) {
    const mid = it.box.y + it.box.height / 2;
    if (row.length > 0 && mid > bottom) {
      out.push(...row.sort((a, b) => a.box.x - b.box.x));
      row = [];
    }
    if (row.length === 0) bottom = it.box.y + it.box.height;
    row.push(it);
  }
  out.push(...row.sort((a, b) => a.box.x - b.box.x));
  return out;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
