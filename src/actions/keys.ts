import { editDistance } from '../shared/edit-distance.js';
import { UserInputError } from '../shared/errors.js';

/**
 * Key names and chord parsing. A chord is what a person writes ("ctrl+shift+t", "f5", "enter",
 * "ctrl+a"); it becomes an ordered list of platform-neutral key names that a driver maps to its
 * own key codes. Names are lower case; letters in a chord mean the key, not the character, so
 * "ctrl+A" is the same chord as "ctrl+a" (add "shift" to get a capital).
 */

export const MODIFIER_KEYS = ['ctrl', 'shift', 'alt', 'super'] as const;
export type ModifierKey = (typeof MODIFIER_KEYS)[number];

const LETTERS = 'abcdefghijklmnopqrstuvwxyz'.split('');
const DIGITS = '0123456789'.split('');
const FUNCTION_KEYS = Array.from({ length: 24 }, (_, i) => `f${i + 1}`);
const NAMED = [
  'enter', 'tab', 'escape', 'space', 'backspace', 'delete', 'insert', 'home', 'end', 'pageup',
  'pagedown', 'up', 'down', 'left', 'right', 'capslock', 'numlock', 'scrolllock', 'printscreen',
  'pause', 'menu',
] as const;
/** Unshifted punctuation keys of a US layout, by the character they print. */
const PUNCTUATION = ['minus', 'equal', 'leftbracket', 'rightbracket', 'backslash', 'semicolon', 'quote', 'comma', 'period', 'slash', 'grave'] as const;
const PUNCTUATION_CHARS: Record<string, (typeof PUNCTUATION)[number]> = {
  '-': 'minus', '=': 'equal', '[': 'leftbracket', ']': 'rightbracket', '\\': 'backslash',
  ';': 'semicolon', "'": 'quote', ',': 'comma', '.': 'period', '/': 'slash', '`': 'grave',
};

export const KEY_NAMES: readonly string[] = [
  ...MODIFIER_KEYS, ...NAMED, ...FUNCTION_KEYS, ...LETTERS, ...DIGITS, ...PUNCTUATION,
];
export type KeyName = string;

/** Other spellings people use, mapped to the canonical name. */
const ALIASES: Record<string, KeyName> = {
  control: 'ctrl', ctl: 'ctrl', option: 'alt', meta: 'super', win: 'super', windows: 'super',
  cmd: 'super', command: 'super', return: 'enter', esc: 'escape', del: 'delete', ins: 'insert',
  pgup: 'pageup', pgdn: 'pagedown', page_up: 'pageup', page_down: 'pagedown', arrowup: 'up',
  arrowdown: 'down', arrowleft: 'left', arrowright: 'right', print: 'printscreen', prtsc: 'printscreen',
  caps: 'capslock', bksp: 'backspace', spacebar: 'space', plus: 'equal', apps: 'menu',
};

const KNOWN = new Set(KEY_NAMES);

export function isModifierKey(k: KeyName): k is ModifierKey {
  return (MODIFIER_KEYS as readonly string[]).includes(k);
}

/** One key name (or single character) to its canonical name, or undefined when unknown. */
export function canonicalKey(raw: string): KeyName | undefined {
  if (raw.length === 1) {
    const c = raw.toLowerCase();
    if (KNOWN.has(c)) return c;
    if (c === ' ') return 'space';
    return PUNCTUATION_CHARS[c];
  }
  const k = raw.trim().toLowerCase().replace(/[\s-]+/g, '');
  if (KNOWN.has(k)) return k;
  return ALIASES[k] ?? ALIASES[raw.trim().toLowerCase()];
}

/**
 * Parses "ctrl+shift+t" into ["ctrl","shift","t"]: modifiers first (ctrl, shift, alt, super), then
 * the one non-modifier key (if any). "super" alone and "ctrl+shift" are valid chords. A literal
 * plus is written "plus" or as a trailing "+" ("ctrl++").
 */
export function parseChord(chord: string): KeyName[] {
  const text = chord.trim();
  if (text === '') throw new UserInputError('empty key chord: write a key such as "enter" or "ctrl+s"');
  const parts = text === '+' ? ['+'] : text.endsWith('++') ? [...text.slice(0, -2).split('+'), '+'] : text.split('+');
  const keys: KeyName[] = [];
  for (const part of parts) {
    const name = part === '+' ? 'equal' : canonicalKey(part);
    if (name === undefined || part.trim() === '') {
      const hint = closestKey(part);
      throw new UserInputError(
        `unknown key "${part}" in chord "${chord}"` + (hint ? `; did you mean "${hint}"?` : '') +
          ` Valid keys: modifiers (ctrl, shift, alt, super), enter, tab, escape, arrows, f1-f24, letters, digits.`,
        {},
        { code: 'UNKNOWN_KEY' },
      );
    }
    if (keys.includes(name)) continue;
    keys.push(name);
  }
  const mains = keys.filter((k) => !isModifierKey(k));
  if (mains.length > 1) {
    throw new UserInputError(`chord "${chord}" presses ${mains.join(' and ')} together; a chord has at most one key besides modifiers`, {}, { code: 'UNKNOWN_KEY' });
  }
  // Modifiers in one fixed order, so that "shift+ctrl+t" and "ctrl+shift+t" are the same chord.
  return [...MODIFIER_KEYS.filter((m) => keys.includes(m)), ...mains];
}

/** The valid key name nearest to what was written (edit distance), for error messages. */
export function closestKey(raw: string): KeyName | undefined {
  const k = raw.trim().toLowerCase();
  if (k === '') return undefined;
  let best: KeyName | undefined;
  let bestDistance = Infinity;
  for (const candidate of [...KEY_NAMES.filter((n) => n.length > 1), ...Object.keys(ALIASES)]) {
    const d = editDistance(k, candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best = ALIASES[candidate] ?? candidate;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(k.length / 2)) ? best : undefined;
}

