import { desktopToScreen } from '../../shared/coords.js';
import { throwIfAborted } from '../../shared/errors.js';
import type { Box } from '../../shared/geometry.js';
import type { Frame, UiElement } from '../../shared/ports.js';
import { toGray, type GrayImage } from '../../perception/elements/index.js';
import { classifyGlyph, MIN_ICON_SCORE } from './classify.js';
import { loadExemplars } from './exemplars.js';
import type { IconName } from './vocabulary.js';

export interface IconMatch {
  element: UiElement;
  name: IconName;
  score: number;
  runnerUp: number;
}

/** Text-less elements small enough to be an icon are worth classifying. */
function iconLike(e: UiElement): boolean {
  if (e.kind === 'icon') return true;
  return (e.kind === 'button' || e.kind === 'other') && !e.text && Math.max(e.box.width, e.box.height) <= 64;
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
    if (!iconLike(e)) continue;
    const guess = classifyGlyph(gray, frameBox(frame, e.box), exemplars);
    if (guess) out.push({ element: e, ...guess });
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
