import { boxToDesktop, desktopToScreen } from '../../shared/coords.js';
import { boxCenter, boxContains, type Box, type Point } from '../../shared/geometry.js';
import type { Frame, UiElement } from '../../shared/ports.js';
import { proposeElements } from '../../perception/elements/index.js';
import type { Ocr, OcrResult } from '../../perception/ocr/index.js';
import { crop, diffFrames, encodePng } from '../../perception/index.js';

/** One before-frame, read once: its OCR lines and element proposals, both in desktop coordinates. */
export interface FrameReading {
  frame: Frame;
  lines: Array<{ text: string; box: Box; words: Array<{ text: string; box: Box }> }>;
  elements: UiElement[];
}

/** Reads a whole frame: OCR (the slow part, seconds on a small machine) and element proposals. */
export async function readFrame(frame: Frame, ocr: Ocr, signal?: AbortSignal): Promise<FrameReading> {
  const result: OcrResult = await ocr.recognize(frame, signal ? { signal } : {});
  const toDesk = (b: Box): Box => {
    const d = boxToDesktop({ ...b, space: 'screen' }, { frame });
    return { x: d.x, y: d.y, width: d.width, height: d.height };
  };
  const lines = result.lines.map((l) => ({
    text: l.text,
    box: toDesk(l.box),
    words: l.words.map((w) => ({ text: w.text, box: toDesk(w.box) })),
  }));
  return { frame, lines, elements: proposeElements(frame, { ocr: result, ...(signal ? { signal } : {}) }) };
}

/** Evidence about the thing under a point, for the step's target and its anchors. */
export interface PointEvidence {
  /** Text under the point, or the label of the text-less field/checkbox there. */
  text?: string;
  /** 'field' or 'checkbox' when the text is the element's label rather than its own. */
  role?: 'field' | 'checkbox';
  /** The element box under the point (desktop). */
  box?: Box;
  /** The template crop's area (desktop): the element's box when it is small, else 64x40 around the point. */
  crop: Box;
  /** The clicked point minus the crop's top-left, desktop px (what replay adds to a template match). */
  offset: [number, number];
  /**
   * Nearby texts and the target's offset from each (target centre minus landmark centre), where
   * the target centre is what replay's text rung finds: the text's (or label's) box centre.
   */
  landmarks: Array<{ text: string; dx: number; dy: number }>;
  /** Where the target's text (or label) centre was, desktop px: replay looks there first. */
  centre?: Point;
}

/** Addresses and host:port texts (a browser's URL bar) change between sessions: never landmarks. */
const VOLATILE = /:\/\/|^[\w.-]+:\d+(\/|$)|^[\w-]+(\.[\w-]+)+\/\S*$/;

const grow = (b: Box, by: number): Box => ({ x: b.x - by, y: b.y - by, width: b.width + 2 * by, height: b.height + 2 * by });
const round = (n: number) => Math.round(n);

/**
 * What is under a clicked point: the word or short line there, else the element's label (a
 * field's label sits left of or above it, a checkbox's to its right), the element box, and a few
 * landmark texts around it. `forbidden` texts (secret values) never become evidence.
 */
export function evidenceAt(r: FrameReading, p: Point, forbidden: readonly string[] = []): PointEvidence {
  const ok = (t: string) => t.trim().length > 0 && !forbidden.some((f) => f.length >= 3 && t.includes(f));
  const element = smallestAt(r.elements, p);
  let text: string | undefined;
  let textBox: Box | undefined;
  let role: PointEvidence['role'];
  // A landmark must be read the same way next time: real words, not OCR specks, and unique on screen.
  const count = new Map<string, number>();
  for (const l of r.lines) count.set(l.text, (count.get(l.text) ?? 0) + 1);
  const steady = (t: string) => ok(t) && !VOLATILE.test(t) && /\p{L}{2}/u.test(t) && t.trim().length >= 3 && count.get(t) === 1;
  for (const line of r.lines) {
    if (!boxContains(grow(line.box, 3), p) || !ok(line.text)) continue;
    // A short line is a button or label as a whole; in a long one, the word is the target.
    const word = line.words.find((w) => boxContains(grow(w.box, 3), p));
    const short = line.text.length <= 30 && line.words.length <= 4;
    text = short || !word ? line.text : word.text;
    textBox = short || !word ? line.box : word.box;
    break;
  }
  if (text === undefined && element && (element.kind === 'field' || element.kind === 'checkbox' || !element.text)) {
    const label = labelOf(r, element.box, element.kind === 'checkbox' ? 'right' : 'left', ok);
    if (label) {
      text = label.text;
      textBox = label.box;
      role = element.kind === 'checkbox' ? 'checkbox' : 'field';
    }
  }
  const crop = cropArea(p, element?.box);
  const centre = textBox ? boxCenter(textBox) : p;
  const landmarks = r.lines
    .filter((l) => steady(l.text) && l.text !== text && !boxContains(grow(l.box, 3), p) && !insideField(r, l.box))
    .map((l) => ({ l, d: Math.hypot(boxCenter(l.box).x - p.x, boxCenter(l.box).y - p.y) }))
    .filter((x) => x.d <= 400)
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map(({ l }) => ({ text: l.text, dx: round(centre.x - boxCenter(l.box).x), dy: round(centre.y - boxCenter(l.box).y) }));
  return {
    ...(text !== undefined ? { text } : {}),
    ...(role ? { role } : {}),
    ...(element ? { box: element.box } : {}),
    crop,
    offset: [round(p.x - crop.x), round(p.y - crop.y)],
    landmarks,
    ...(textBox ? { centre: { x: round(centre.x), y: round(centre.y) } } : {}),
  };
}

function smallestAt(elements: readonly UiElement[], p: Point): UiElement | undefined {
  let best: UiElement | undefined;
  for (const e of elements) {
    if (!boxContains(e.box, p)) continue;
    if (!best || e.box.width * e.box.height < best.box.width * best.box.height) best = e;
  }
  return best;
}

/**
 * The label of a text-less element: the nearest text on its row to one side, else (fields only)
 * text just above it. Text inside another field is content a person typed, never a label.
 */
function labelOf(r: FrameReading, box: Box, side: 'left' | 'right', ok: (t: string) => boolean): { text: string; box: Box } | undefined {
  const cy = box.y + box.height / 2;
  const candidates = r.lines.filter((l) => ok(l.text) && !insideField(r, l.box));
  let best: { text: string; box: Box; d: number } | undefined;
  for (const l of candidates) {
    const sameRow = Math.abs(boxCenter(l.box).y - cy) <= Math.max(box.height, l.box.height) / 2;
    if (!sameRow) continue;
    const d = side === 'left' ? box.x - (l.box.x + l.box.width) : l.box.x - (box.x + box.width);
    if (d >= -2 && d <= 300 && (!best || d < best.d)) best = { text: l.text, box: l.box, d };
  }
  if (best || side === 'right') return best;
  for (const l of candidates) {
    const gap = box.y - (l.box.y + l.box.height);
    if (gap >= -2 && gap <= 24 && Math.abs(l.box.x - box.x) <= 40 && (!best || gap < best.d)) best = { text: l.text, box: l.box, d: gap };
  }
  return best;
}

function insideField(r: FrameReading, b: Box): boolean {
  const c = boxCenter(b);
  return r.elements.some((e) => e.kind === 'field' && boxContains(e.box, c));
}

/** The element's box when it is a sensible template (not tiny, not a whole panel), else 64x40 around the point. */
export function cropArea(p: Point, box: Box | undefined): Box {
  const useBox = box && box.width <= 400 && box.height <= 200 && box.width >= 8 && box.height >= 8;
  return useBox ? box : { x: Math.round(p.x - 32), y: Math.round(p.y - 20), width: 64, height: 40 };
}

/** PNG of a crop area (desktop) of the frame. */
export async function templateCrop(frame: Frame, area: Box): Promise<Buffer> {
  const tl = desktopToScreen({ space: 'desktop', x: area.x, y: area.y }, frame);
  const br = desktopToScreen({ space: 'desktop', x: area.x + area.width, y: area.y + area.height }, frame);
  return encodePng(crop(frame, { x: tl.x, y: tl.y, width: br.x - tl.x, height: br.y - tl.y }));
}

/** What a step changed on screen: text that appeared (not there before), or just "changed". */
export interface ScreenChange {
  changed: boolean;
  appeared?: string;
}

export function screenChange(before: FrameReading, after: FrameReading, forbidden: readonly string[] = []): ScreenChange {
  // Carets and focus rings are small; a real result covers more than a couple of tiles.
  const diff = diffFrames(before.frame, after.frame, { minArea: 200 });
  if (!diff.changed) return { changed: false };
  const old = new Set(before.lines.map((l) => l.text));
  // The longest new line: a status message rather than a stray fragment of one.
  let best: string | undefined;
  for (const l of after.lines) {
    if (old.has(l.text) || l.text.trim().length < 3) continue;
    if (forbidden.some((f) => f.length >= 3 && l.text.includes(f))) continue;
    if (!diff.regions.some((g) => overlaps(g.desktop, l.box))) continue;
    if (!best || l.text.trim().length > best.length) best = l.text.trim();
  }
  return best ? { changed: true, appeared: firstWords(best, 4) } : { changed: true };
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function firstWords(text: string, n: number): string {
  const words = text.trim().split(/\s+/);
  return words.length <= n ? text.trim() : words.slice(0, n).join(' ');
}
