import { Key } from '@nut-tree-fork/nut-js';
import { ActionError } from '../shared/errors.js';
import type { KeyName } from './keys.js';

/** Our key names to nut-js keys. Letters and digits are computed; the rest are listed. */
const TABLE: Record<string, Key> = {
  ctrl: Key.LeftControl, shift: Key.LeftShift, alt: Key.LeftAlt, super: Key.LeftSuper,
  enter: Key.Enter, tab: Key.Tab, escape: Key.Escape, space: Key.Space, backspace: Key.Backspace,
  delete: Key.Delete, insert: Key.Insert, home: Key.Home, end: Key.End, pageup: Key.PageUp,
  pagedown: Key.PageDown, up: Key.Up, down: Key.Down, left: Key.Left, right: Key.Right,
  capslock: Key.CapsLock, numlock: Key.NumLock, scrolllock: Key.ScrollLock, printscreen: Key.Print,
  pause: Key.Pause, menu: Key.Menu, minus: Key.Minus, equal: Key.Equal, leftbracket: Key.LeftBracket,
  rightbracket: Key.RightBracket, backslash: Key.Backslash, semicolon: Key.Semicolon, quote: Key.Quote,
  comma: Key.Comma, period: Key.Period, slash: Key.Slash, grave: Key.Grave,
};

export function nutKey(name: KeyName): Key {
  const listed = TABLE[name];
  if (listed !== undefined) return listed;
  if (/^[a-z]$/.test(name)) return Key[name.toUpperCase() as keyof typeof Key];
  if (/^[0-9]$/.test(name)) return Key[`Num${name}` as keyof typeof Key];
  const f = /^f([1-9]|1[0-9]|2[0-4])$/.exec(name);
  if (f) return Key[`F${f[1]}` as keyof typeof Key];
  // parseChord only yields names from KEY_NAMES, all of which are covered above.
  throw new ActionError(`no nut-js key for "${name}"`);
}
