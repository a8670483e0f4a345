import { boxCenter, type Box } from '../../shared/geometry.js';
import type { UiElement } from '../../shared/ports.js';
import { iconWords } from './vocabulary.js';

/**
 * Tie-breaking by what else an instruction says. "the checkbox of budget-2024.xlsx", "remove the
 * headphones from the cart", "edit Ana Lima": the words that do not name the icon name a row or
 * a label on screen, and the icon meant is the one on that row, nearest to it. "close the dialog":
 * a dialog sits in the middle of the screen, so its × is nearer the centre than a tab's.
 */

const FILLER = new Set(
  'the a an of for to in on at this that these from with and or my your its it button buttons icon icons field page file files message item row record view text selection one more go open show make insert s'.split(
    ' ',
  ),
);
const DIALOG_WORDS = /\b(dialog|dialogue|modal|popup|pop-up|overlay|sheet)\b/i;

/** The instruction's words that are neither filler nor icon words: what to look for on screen. */
export function anchorWords(instruction: string): string[] {
  const icon = iconWords();
  return instruction
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 2 && !FILLER.has(w) && !icon.has(w));
}

/** OCR may drop the space between words ("Wirelessheadphones"), so longer words match inside tokens. */
function matchedWords(text: string, words: readonly string[]): number {
  const tokens = text.toLowerCase().split(/[^a-z0-9]+/);
  return words.filter((w) => tokens.some((t) => t === w || (w.length >= 4 && t.includes(w)))).length;
}

/**
 * Text elements showing the first anchor word found on screen (the object right after the verb:
 * "decrease the headphones quantity" is about the headphones row, not the Quantity header), and
 * of those the ones that carry the most anchor words.
 */
export function anchorElements(elements: readonly UiElement[], words: readonly string[]): UiElement[] {
  const texts = elements.filter((e) => e.text);
  for (const w of words) {
    const showing = texts.filter((e) => matchedWords(e.text!, [w]) > 0);
    if (showing.length === 0) continue;
    const counts = showing.map((e) => matchedWords(e.text!, words));
    const most = Math.max(...counts);
    return showing.filter((_, i) => counts[i] === most);
  }
  return [];
}

/** Distance from a candidate to an anchor, counting rows far more than columns. */
function rowDistance(cand: Box, anchor: Box): number {
  const c = boxCenter(cand);
  const a = boxCenter(anchor);
  return Math.abs(c.y - a.y) + Math.abs(c.x - a.x) * 0.05;
}

/**
 * The index of the candidate the instruction's other words point at, or undefined when they
 * point nowhere or do not separate the candidates (the nearest must be clearly nearer).
 */
export function pickByContext(
  instruction: string,
  cands: ReadonlyArray<{ box: Box }>,
  elements: readonly UiElement[],
  screen: Box,
): number | undefined {
  // "the dialog" is where the icon is, not a word to look for (a page named dialog.html shows
  // it in the address bar).
  const dialog = DIALOG_WORDS.test(instruction);
  const anchors = dialog ? [] : anchorElements(elements, anchorWords(instruction));
  let dist: number[] | undefined;
  if (anchors.length > 0) {
    dist = cands.map((c) => Math.min(...anchors.map((a) => rowDistance(c.box, a.box))));
  } else if (dialog) {
    const mid = boxCenter(screen);
    dist = cands.map((c) => {
      const p = boxCenter(c.box);
      return Math.hypot(p.x - mid.x, p.y - mid.y);
    });
  }
  if (!dist) return undefined;
  const order = dist.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const [first, second] = order;
  if (!first) return undefined;
  if (second && first[0] > 0.7 * second[0]) return undefined;
  return first[1];
}
