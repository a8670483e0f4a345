/**
 * uiohook key codes (PC scan codes, set 1) to characters and key names.
 *
 * LIMITATION: the hook reports physical keys, not the characters the layout produces, so this
 * table assumes a US keyboard layout. On other layouts typed text is recorded as the US key
 * caps would give it (AZERTY "a" is recorded as "q"); dead keys, AltGr characters and input
 * methods are not seen. Edit the macro's text by hand in those cases.
 */

/** [unshifted, shifted] characters of the printable keys. */
const PRINTABLE: Record<number, [string, string]> = {
  2: ['1', '!'], 3: ['2', '@'], 4: ['3', '#'], 5: ['4', '$'], 6: ['5', '%'], 7: ['6', '^'],
  8: ['7', '&'], 9: ['8', '*'], 10: ['9', '('], 11: ['0', ')'], 12: ['-', '_'], 13: ['=', '+'],
  16: ['q', 'Q'], 17: ['w', 'W'], 18: ['e', 'E'], 19: ['r', 'R'], 20: ['t', 'T'], 21: ['y', 'Y'],
  22: ['u', 'U'], 23: ['i', 'I'], 24: ['o', 'O'], 25: ['p', 'P'], 26: ['[', '{'], 27: [']', '}'],
  30: ['a', 'A'], 31: ['s', 'S'], 32: ['d', 'D'], 33: ['f', 'F'], 34: ['g', 'G'], 35: ['h', 'H'],
  36: ['j', 'J'], 37: ['k', 'K'], 38: ['l', 'L'], 39: [';', ':'], 40: ["'", '"'], 41: ['`', '~'],
  43: ['\\', '|'], 44: ['z', 'Z'], 45: ['x', 'X'], 46: ['c', 'C'], 47: ['v', 'V'], 48: ['b', 'B'],
  49: ['n', 'N'], 50: ['m', 'M'], 51: [',', '<'], 52: ['.', '>'], 53: ['/', '?'], 57: [' ', ' '],
  55: ['*', '*'], 74: ['-', '-'], 78: ['+', '+'], 83: ['.', '.'], 3637: ['/', '/'],
  82: ['0', '0'], 79: ['1', '1'], 80: ['2', '2'], 81: ['3', '3'], 75: ['4', '4'], 76: ['5', '5'],
  77: ['6', '6'], 71: ['7', '7'], 72: ['8', '8'], 73: ['9', '9'],
};

/** Names of the other keys, as the command language writes them (`press ctrl+s`). */
const NAMED: Record<number, string> = {
  1: 'escape', 14: 'backspace', 15: 'tab', 28: 'enter', 3612: 'enter', 58: 'capslock',
  3657: 'pageup', 3665: 'pagedown', 3663: 'end', 3655: 'home', 57419: 'left', 57416: 'up',
  57421: 'right', 57424: 'down', 3666: 'insert', 3667: 'delete', 3639: 'printscreen',
  59: 'f1', 60: 'f2', 61: 'f3', 62: 'f4', 63: 'f5', 64: 'f6', 65: 'f7', 66: 'f8', 67: 'f9',
  68: 'f10', 87: 'f11', 88: 'f12',
};

export type ModifierKey = 'ctrl' | 'shift' | 'alt' | 'meta';

const MODIFIERS: Record<number, ModifierKey> = {
  29: 'ctrl', 3613: 'ctrl', 42: 'shift', 54: 'shift', 56: 'alt', 3640: 'alt', 3675: 'meta', 3676: 'meta',
};

export function modifierOf(keycode: number): ModifierKey | undefined {
  return MODIFIERS[keycode];
}

/** The character a key gives (US layout), or undefined for non-printing keys. */
export function charOf(keycode: number, shift: boolean): string | undefined {
  const pair = PRINTABLE[keycode];
  return pair ? pair[shift ? 1 : 0] : undefined;
}

/** The key's name in a chord: "s" for S, "enter", "f5"; undefined for unknown codes. */
export function keyName(keycode: number): string | undefined {
  const named = NAMED[keycode];
  if (named) return named;
  const pair = PRINTABLE[keycode];
  if (!pair) return undefined;
  return pair[0] === ' ' ? 'space' : pair[0];
}
