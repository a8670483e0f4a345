import { editDistance } from '../shared/edit-distance.js';
/**
 * Fuzzy text comparison for grounding: what a person or model calls "Save As…" must match
 * what OCR read ("Save As..."), through case, spacing, punctuation and the usual OCR confusions.
 */

export function normalizeText(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\u2026/g, '...')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Letters and digits only: "Save As..." and "save as" both become "saveas". */
export function compact(s: string): string {
  return normalizeText(s).replace(/[^\p{L}\p{N}]/gu, '');
}

const CONFUSIONS: Array<[RegExp, string]> = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
  [/cl/g, 'd'],
  [/[il1|!]/g, 'l'],
  [/0/g, 'o'],
  [/5/g, 's'],
  [/8/g, 'b'],
  [/2/g, 'z'],
  [/6/g, 'g'],
];

/** Folds characters OCR commonly mistakes for each other onto one representative. */
export function confusionFold(s: string): string {
  let out = compact(s);
  for (const [re, to] of CONFUSIONS) out = out.replace(re, to);
  return out;
}

export { editDistance as levenshtein } from '../shared/edit-distance.js';

/**
 * How well `candidate` (read on screen) matches `query` (what was asked for), 0..1.
 * 1: same text; 0.97: same letters and digits; 0.93: same after OCR confusions;
 * below that, edit similarity, and 0 when too different to be the same label.
 */
export function textScore(query: string, candidate: string): number {
  const q = normalizeText(query);
  const c = normalizeText(candidate);
  if (!q || !c) return 0;
  if (q === c) return 1;
  const qc = compact(q);
  const cc = compact(c);
  if (!qc || !cc) return 0;
  if (qc === cc) return 0.97;
  const qf = confusionFold(q);
  const cf = confusionFold(c);
  if (qf === cf) return 0.93;
  // OCR often glues a label to what follows it ("Save As..(Ctrl+S)"): the label, then a
  // non-letter, still names the same element.
  if (qc.length >= 3 && labelPrefix(qc, c)) return 0.88;
  const dist = editDistance(qf, cf);
  const sim = 1 - dist / Math.max(qf.length, cf.length);
  // Short labels ("OK", "No") must not match by similarity: one edit is a different word.
  if (qf.length <= 3) return 0;
  return sim >= 0.75 ? 0.9 * sim : 0;
}

/** Whether `candidate` begins with the letters and digits of the label, then a non-letter. */
function labelPrefix(labelCompact: string, candidate: string): boolean {
  let seen = '';
  for (let i = 0; i < candidate.length; i++) {
    const ch = candidate[i]!;
    if (!/[\p{L}\p{N}]/u.test(ch)) continue;
    if (seen.length === labelCompact.length) return false; // a letter right after the label: another word
    seen += ch;
    if (seen !== labelCompact.slice(0, seen.length)) return false;
    if (seen.length === labelCompact.length) {
      const rest = candidate.slice(i + 1);
      return rest.length > 0 && !/^[\p{L}\p{N}]/u.test(rest);
    }
  }
  return false;
}

/** Raw edit similarity of the folded texts, 0..1, for "closest readings" hints only. */
export function similarity(a: string, b: string): number {
  const af = confusionFold(a);
  const bf = confusionFold(b);
  if (!af || !bf) return 0;
  return 1 - editDistance(af, bf) / Math.max(af.length, bf.length);
}
