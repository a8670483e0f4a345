import { confusionFold } from '../../grounding/text-match.js';

/**
 * Whether OCR'd screen text shows `text`, the way a person would say it does: case, spacing,
 * punctuation and the usual OCR confusions ignored, and about one misread letter in eight
 * allowed ("Enter the rows" read as "Enter the" and "erows").
 */
export function screenShows(screenText: string, text: string): boolean {
  const want = confusionFold(text);
  if (!want) return false;
  const allowed = Math.floor(want.length / 8);
  // The whole screen at once: OCR may break one phrase over lines ("Enter the" / "erows").
  const got = confusionFold(screenText);
  return got.includes(want) || (allowed > 0 && substringDistance(want, got) <= allowed);
}

/** The fewest edits that turn `needle` into some substring of `hay` (Sellers' algorithm). */
export function substringDistance(needle: string, hay: string): number {
  let prev = Array.from({ length: hay.length + 1 }, () => 0);
  for (let i = 1; i <= needle.length; i++) {
    const cur = [i];
    for (let j = 1; j <= hay.length; j++) {
      const cost = needle[i - 1] === hay[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return Math.min(...prev);
}
