import type { Box } from '../../shared/geometry.js';
import type { UiElement } from '../../shared/ports.js';
import type { OcrLine } from '../ocr/types.js';
import type { Blob } from './blobs.js';
import { boxUnion } from '../../shared/geometry.js';
import { area, inside, overlap, pad } from './pixels.js';
import type { Rect } from './rects.js';

/** An element in frame pixels, before ids and desktop coordinates. */
export type Proposal = Omit<UiElement, 'id'>;

const ICON_MIN = 6;
const ICON_MAX = 64;

function centreX(b: Box): number {
  return b.x + b.width / 2;
}

/** Checkbox-sized square: 12.5–28 logical px (a window's 10–11 px maximise glyph is smaller). */
function isSquare(b: Box, s: number): boolean {
  const lo = 12.5 * s;
  const hi = 28 * s;
  return (
    b.width >= lo &&
    b.height >= lo &&
    b.width <= hi &&
    b.height <= hi &&
    b.width <= b.height * 1.34 &&
    b.height <= b.width * 1.34
  );
}

/** Widest horizontal empty span between the blobs, left to right. */
function largestGap(blobs: Blob[]): number {
  const xs = blobs.map((b) => b.box).sort((a, b) => a.x - b.x);
  let reach = xs[0] ? xs[0].x + xs[0].width : 0;
  let gap = 0;
  for (const b of xs) {
    gap = Math.max(gap, b.x - reach);
    reach = Math.max(reach, b.x + b.width);
  }
  return gap;
}

function touchesNoSide(b: Box, face: Box): boolean {
  return (
    b.x > face.x &&
    b.y > face.y &&
    b.x + b.width < face.x + face.width &&
    b.y + b.height < face.y + face.height
  );
}

/**
 * OCR reads lone glyphs as symbols ("←", "+", "x", "="); such a line is an icon seen by OCR, not
 * text: one character, or two with no letter or digit.
 */
export function isGlyphLine(l: OcrLine): boolean {
  const t = l.text.trim();
  return [...t].length <= 1 || ([...t].length <= 2 && !/[\p{L}\p{N}]/u.test(t));
}

/** A blob that is mostly OCR'd text: the OCR line speaks for it. */
function isText(b: Blob, lines: OcrLine[]): boolean {
  return lines.some((l) => overlap(pad(l.box, 2, Infinity, Infinity), b.box) >= 0.5 * area(b.box));
}

/**
 * Turns rectangles, ink blobs and OCR lines into typed elements, the way a person reads a form:
 * a rectangle with one centred text line is a button; a wide one that is empty or holds text at
 * its left edge is a field; a small square is a checkbox; a small lone glyph is an icon; every
 * other OCR line is text. Rectangles that hold several lines or other rectangles are containers
 * (dialogs, toolbars) and give way to what they contain.
 */
export function classify(
  frame: { width: number; height: number; scale: number },
  rects: Rect[],
  blobs: Blob[],
  ocrLines: OcrLine[],
): Proposal[] {
  const s = frame.scale;
  const lines = ocrLines.filter((l) => !isGlyphLine(l));
  const ink = blobs.filter((b) => !isText(b, lines));
  const out: Proposal[] = [];
  const usedLines = new Set<OcrLine>();
  const usedBlobs = new Set<Blob>();
  const scene: Scene = { s, rects, ink, lines };
  for (const r of rects.slice().sort((a, b) => area(a.box) - area(b.box))) {
    const found = rectElement(r, scene);
    if (!found) continue;
    out.push(found.proposal);
    if (found.line) usedLines.add(found.line);
    found.absorbed.forEach((b) => usedBlobs.add(b));
  }
  for (const l of lines) {
    if (!usedLines.has(l)) out.push({ kind: 'text', box: l.box, text: l.text, confidence: l.confidence });
  }
  const dashes = dashedLines(ink, s);
  for (const b of ink) {
    if (usedBlobs.has(b) || dashes.has(b)) continue;
    const p = blobProposal(b, frame.width, frame.height, s);
    if (p) out.push(p);
  }
  return out;
}

interface Scene {
  s: number;
  rects: Rect[];
  ink: Blob[];
  lines: OcrLine[];
}

interface RectElement {
  proposal: Proposal;
  /** The OCR line it took as its label, if any. */
  line?: OcrLine;
  /** Blobs that are part of it (border ring, label glyphs, the icon of an icon button). */
  absorbed: Blob[];
}

/** What one rectangle is (checkbox, button, field, icon button), or undefined for containers and decoration. */
function rectElement(r: Rect, { s, rects, ink, lines }: Scene): RectElement | undefined {
  const R = r.box;
  if (partOfGlyph(R, ink, lines, s)) return undefined;
  const linesIn = lines.filter((l) => inside(l.box, R, 3));
  const all = ink.filter((b) => inside(b.box, R, 2));
  // The blob as large as the rectangle is its own border ring; the others are its content.
  const face = {
    x: R.x + r.border,
    y: R.y + r.border,
    width: R.width - 2 * r.border,
    height: R.height - 2 * r.border,
  };
  const content = all.filter((b) => area(b.box) < 0.8 * area(R) && touchesNoSide(b.box, face));
  const ring = all.filter((b) => !content.includes(b));
  const nested = rects.some((o) => o !== r && area(o.box) < area(R) && inside(o.box, R, 0));
  const wide = R.width >= 2.5 * R.height && R.height >= 12 * s;
  // Fields have a visible edge; a flat wide fill without one is a bar or a panel. A large
  // bordered box that holds at most one line is a text area.
  const fieldLike = r.border > 0 && (wide || (R.width >= 120 * s && R.height >= 40 * s));
  const make = (
    kind: Proposal['kind'],
    confidence: number,
    absorbed: Blob[],
    line?: OcrLine,
  ): RectElement => ({
    proposal: { kind, box: R, confidence: confidence * r.score, ...(line ? { text: line.text } : {}) },
    absorbed,
    ...(line ? { line } : {}),
  });
  // Above 20 px a square with a glyph inside is more likely an icon button than a checkbox.
  const empty = content.length === 0 || Math.max(R.width, R.height) <= 20 * s;
  if (isSquare(R, s) && linesIn.length === 0 && !nested && empty) return make('checkbox', 0.8, all);
  if (nested || linesIn.length > 1) return undefined;
  const line = linesIn[0];
  if (line) {
    const centred = Math.abs(centreX(line.box) - centreX(R)) <= 0.15 * R.width + 4 * s;
    const leftAligned = line.box.x - R.x <= Math.max(16 * s, 0.7 * R.height);
    if (r.border === 0 && content.length > 0 && !centred) return undefined; // a title bar or a toolbar
    if (centred && !(wide && leftAligned && R.width > line.box.width * 3))
      return make('button', 0.85, all, line);
    if (fieldLike && leftAligned) return make('field', 0.8, ring, line);
    return undefined;
  }
  if (content.length === 0) return fieldLike && R.height >= 14 * s ? make('field', 0.7, all) : undefined;
  const span = content.map((b) => b.box).reduce(boxUnion);
  // Text at the left and a caret at the right look centred as a whole; a wide gap between them
  // says field, not button.
  const centred =
    Math.abs(centreX(span) - centreX(R)) <= 0.15 * R.width + 3 * s && largestGap(content) <= 1.5 * R.height;
  if (fieldLike && !centred) return make('field', 0.6, ring);
  if (!centred || R.width > 8 * R.height) return undefined;
  const lone = content.length === 1 && Math.max(R.width, R.height) <= ICON_MAX * s;
  return make(lone ? 'icon' : 'button', 0.6, all);
}

/**
 * A rectangle that is part of a glyph, not a control: a closed letter's counter ("o", "D") inside
 * an OCR line (but not a checkbox that OCR took into the start or end of its line), or a small
 * enclosed space of an icon (the body of a trash can).
 */
function partOfGlyph(R: Box, ink: Blob[], lines: OcrLine[], s: number): boolean {
  const inWord = lines.some(
    (l) => inside(R, l.box, 2) && R.x - l.box.x > 4 * s && l.box.x + l.box.width - R.x - R.width > 4 * s,
  );
  const inIcon = ink.some(
    (b) =>
      inside(R, b.box, 0) &&
      area(b.box) > area(R) * 1.3 &&
      Math.max(b.box.width, b.box.height) <= ICON_MAX * s,
  );
  return inWord || inIcon;
}

/**
 * Dashes and dots of a dashed border or a dotted leader: thin blobs of one size on
 * one line (three or more). They are decoration, not icons.
 */
function dashedLines(ink: Blob[], s: number): Set<Blob> {
  const out = new Set<Blob>();
  const thin = ink.filter(
    (b) => Math.min(b.box.width, b.box.height) <= 3 * s && Math.max(b.box.width, b.box.height) <= 16 * s,
  );
  for (const horizontal of [true, false]) {
    const across = (b: Blob): number => (horizontal ? b.box.y : b.box.x);
    const along = (b: Blob): number => (horizontal ? b.box.x : b.box.y);
    const same = thin
      .filter((b) => b.box.width >= b.box.height === horizontal)
      .sort((a, b) => across(a) - across(b) || along(a) - along(b));
    let group: Blob[] = [];
    const flush = (): void => {
      if (group.length >= 3) group.forEach((b) => out.add(b));
      group = [];
    };
    for (const b of same) {
      if (group.length > 0 && Math.abs(across(b) - across(group[0]!)) > 2 * s) flush();
      group.push(b);
    }
    flush();
  }
  // Corner pieces of a dashed frame sit at the ends of those lines.
  for (const b of ink) {
    if (out.has(b) || Math.max(b.box.width, b.box.height) > 12 * s) continue;
    const near = [...out].filter(
      (d) => Math.abs(d.box.x - b.box.x) <= 12 * s && Math.abs(d.box.y - b.box.y) <= 12 * s,
    );
    if (near.length >= 2) out.add(b);
  }
  return out;
}

/** A lone blob: an icon when small and compact (or a short bar: minimise), otherwise "other". */
function blobProposal(b: Blob, fw: number, fh: number, s: number): Proposal | undefined {
  const { width: w, height: h } = b.box;
  const long = Math.max(w, h);
  if (long < ICON_MIN * s) return undefined;
  const compact = long <= ICON_MAX * s && w <= 3 * h && h <= 3 * w;
  const bar = h <= 4 * s && w >= 8 * s && w <= 24 * s;
  if (compact || bar) return { kind: 'icon', box: pad(b.box, Math.round(2 * s), fw, fh), confidence: 0.5 };
  if (h <= 60 * s && w <= 600 * s) return { kind: 'other', box: b.box, confidence: 0.3 };
  return undefined;
}
