import { desktopToScreen } from '../../shared/coords.js';
import { throwIfAborted } from '../../shared/errors.js';
import type { Box } from '../../shared/geometry.js';
import type { Frame, UiElement } from '../../shared/ports.js';
import { toGray, type GrayImage } from '../../perception/elements/index.js';
import { classifyGlyph, MIN_ICON_SCORE } from './classify.js';
import { loadExemplars, type Exemplar } from './exemplars.js';
import { ICON_NAMES, SYMBOL_TEXT, type IconName } from './vocabulary.js';

/** Score given to a button whose OCR text is exactly an icon's symbol ("%", "+/-"). */
const SYMBOL_SCORE = 0.9;

function symbolNamed(text: string): IconName | undefined {
  const t = text.replace(/\s+/g, '');
  return ICON_NAMES.find((n) => SYMBOL_TEXT[n]?.includes(t));
}

export interface IconMatch {
  element: UiElement;
  name: IconName;
  score: number;
  runnerUp: number;
}

/** Text-less elements small enough to be an icon are worth classifying. */
function iconLike(e: UiElement): boolean {
  if (e.kind === 'icon') return true;
  // Tall keys (a calculator's = spans two rows) are still one glyph on a button face.
  return (e.kind === 'button' || e.kind === 'other') && !e.text && Math.max(e.box.width, e.box.height) <= 80;
}

function frameBox(frame: Frame, b: Box): Box {
  const tl = desktopToScreen({ space: 'desktop', x: b.x, y: b.y }, frame);
  const br = desktopToScreen({ space: 'desktop', x: b.x + b.width, y: b.y + b.height }, frame);
  return { x: tl.x, y: tl.y, width: br.x - tl.x, height: br.y - tl.y };
}

/**
 * Classifies every icon-like element of a frame against the vocabulary. Returns one match per
 * element that was classified (any score; callers apply their threshold). Checkbox elements
 * count as the checkbox icon outright: the proposals already saw a small square.
 */
export async function recogniseIcons(
  frame: Frame,
  elements: readonly UiElement[],
  options: { signal?: AbortSignal; gray?: GrayImage } = {},
): Promise<IconMatch[]> {
  const exemplars = await loadExemplars();
  throwIfAborted(options.signal);
  const gray = options.gray ?? toGray(frame);
  const out: IconMatch[] = [];
  for (const e of elements) {
    if (e.kind === 'checkbox') {
      out.push({ element: e, name: 'checkbox', score: Math.max(0.8, e.confidence), runnerUp: 0 });
      continue;
    }
    const symbol = e.text && e.text.length <= 3 ? symbolNamed(e.text) : undefined;
    if (symbol) {
      out.push({ element: e, name: symbol, score: SYMBOL_SCORE, runnerUp: 0 });
      continue;
    }
    if (!iconLike(e)) continue;
    const guess = classifyGlyph(gray, frameBox(frame, e.box), exemplars);
    if (guess && guess.name !== 'text') out.push({ element: e, ...guess, name: guess.name });
  }
  out.push(...splitSwitches(gray, frame, elements, exemplars));
  return out;
}

/**
 * A switch's knob draws a vertical edge through it, so proposals often cut one switch into two
 * side-by-side blobs of one height. Each such pair is classified as a whole; it counts only when
 * it then reads as a switch.
 */
function splitSwitches(
  gray: GrayImage,
  frame: Frame,
  elements: readonly UiElement[],
  exemplars: Exemplar[],
): IconMatch[] {
  const parts = elements.filter(iconLike);
  const out: IconMatch[] = [];
  for (const a of parts) {
    for (const b of parts) {
      const gap = b.box.x - (a.box.x + a.box.width);
      if (a === b || gap < -1 || gap > 3) continue;
      if (Math.abs(a.box.y - b.box.y) > 2 || Math.abs(a.box.height - b.box.height) > 2) continue;
      const x1 = Math.max(a.box.x + a.box.width, b.box.x + b.box.width);
      const y0 = Math.min(a.box.y, b.box.y);
      const y1 = Math.max(a.box.y + a.box.height, b.box.y + b.box.height);
      const box = { x: a.box.x, y: y0, width: x1 - a.box.x, height: y1 - y0 };
      if (box.width > 80 || box.width < box.height) continue;
      const guess = classifyGlyph(gray, frameBox(frame, box), exemplars);
      if (guess?.name !== 'toggle') continue;
      const element: UiElement = {
        id: `${a.id}+${b.id}`,
        kind: 'icon',
        box,
        confidence: Math.min(a.confidence, b.confidence),
      };
      out.push({ element, ...guess, name: guess.name });
    }
  }
  return out;
}

/**
 * The elements with recognised icons named (`text: 'close'`), so the perception list reads
 * `e7 [x, y]; icon: close`. An icon-like button or blob that is recognised becomes an icon.
 */
export async function labelIcons(
  frame: Frame,
  elements: readonly UiElement[],
  options: { signal?: AbortSignal; minScore?: number } = {},
): Promise<UiElement[]> {
  const min = options.minScore ?? MIN_ICON_SCORE;
  const matches = await recogniseIcons(frame, elements, options);
  const named = new Map(
    matches.filter((m) => m.score >= min && m.element.kind !== 'checkbox').map((m) => [m.element, m.name]),
  );
  return elements.map((e) => {
    const name = named.get(e);
    if (name === 'checkbox') return { ...e, kind: 'checkbox' as const };
    return name ? { ...e, kind: 'icon' as const, text: name } : e;
  });
}
