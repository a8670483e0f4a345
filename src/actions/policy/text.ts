/**
 * Text normalisation for policy matching. Screen text and model output can hide a keyword
 * behind case, spacing, punctuation, full-width letters or zero-width characters; the policy
 * must still see it.
 */
export function normalize(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[\u200b-\u200f\u2060\ufeff\u00ad]/g, '')
    .toLowerCase()
    .replace(/[_\s]+/g, ' ')
    .trim();
}

const cache = new Map<string, RegExp>();

/** A whole-word, case-insensitive matcher for a word or phrase; spaces match any separator. */
export function phraseRegex(phrase: string): RegExp {
  let re = cache.get(phrase);
  if (!re) {
    const p = normalize(phrase);
    const body = p
      .split(' ')
      .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[\\s\\-_.:/]*');
    const lead = /^[\p{L}\p{N}]/u.test(p) ? '(?<![\\p{L}\\p{N}])' : '';
    const trail = /[\p{L}\p{N}]$/u.test(p) ? '(?![\\p{L}\\p{N}])' : '';
    re = new RegExp(lead + body + trail, 'iu');
    cache.set(phrase, re);
  }
  return re;
}

/**
 * The first phrase found in `haystack` as whole words. With `loose`, phrases of 5+ letters also
 * count inside run-together text: OCR of screen text often loses spaces ("Delete3filespermanently?",
 * "Thiscannotbeundone."). Used for the surroundings of a step, where a false match only means
 * one more question, never one less.
 */
export function firstPhrase(haystack: string, phrases: readonly string[], loose = false): string | undefined {
  if (!haystack) return undefined;
  const memo = normalizedOnce(haystack);
  const h = memo.normalized;
  const squeezed = loose ? (memo.squeezed ??= letters(h)) : '';
  return phrases.find(
    (p) =>
      (mayContain(h, p) && phraseRegex(p).test(h)) ||
      (loose && phraseLetters(p).length >= 5 && squeezed.includes(phraseLetters(p))),
  );
}

/**
 * False only when the phrase cannot match: its first word (plain ASCII letters and digits, which
 * the lower-cased haystack holds verbatim wherever the phrase matches) is nowhere in it. Saves
 * running a Unicode regex per rule phrase over kilobytes of screen text.
 */
function mayContain(h: string, phrase: string): boolean {
  let first = firstWords.get(phrase);
  if (first === undefined) {
    const w = normalize(phrase).split(' ')[0] ?? '';
    first = /^[a-z0-9]+$/.test(w) ? w : '';
    firstWords.set(phrase, first);
  }
  return first === '' || h.includes(first);
}
const firstWords = new Map<string, string>();

function letters(s: string): string {
  return normalize(s).replace(/[^\p{L}\p{N}]/gu, '');
}

// Every rule of a policy asks about the same few texts of a step (the screen text around it can
// run to kilobytes): normalise each once, and each rule's phrases once per process.
let lastHaystack: { raw: string; normalized: string; squeezed?: string } | undefined;
function normalizedOnce(s: string): { normalized: string; squeezed?: string } {
  if (lastHaystack?.raw !== s) lastHaystack = { raw: s, normalized: normalize(s) };
  return lastHaystack;
}

const phraseLetterCache = new Map<string, string>();
function phraseLetters(p: string): string {
  let l = phraseLetterCache.get(p);
  if (l === undefined) phraseLetterCache.set(p, (l = letters(p)));
  return l;
}

/** A key chord in one canonical form: lower case, modifiers sorted, aliases unified. */
export function normalizeChord(chord: string): string {
  const alias: Record<string, string> = {
    control: 'ctrl', cmd: 'meta', super: 'meta', win: 'meta', command: 'meta', option: 'alt',
    return: 'enter', kp_enter: 'enter', del: 'delete', esc: 'escape',
  };
  const order = ['ctrl', 'alt', 'shift', 'meta'];
  const parts = normalize(chord).split(/\s*\+\s*/).filter(Boolean).map((k) => alias[k] ?? k);
  const mods = parts.filter((k) => order.includes(k)).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const rest = parts.filter((k) => !order.includes(k));
  return [...new Set(mods), ...rest].join('+');
}
