import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../../src/shared/errors.js';
import { chunkText, closestKey, parseChord } from '../../../src/actions/index.js';
import { keysym } from '../../../src/actions/keysym-map.js';
import { usKeystroke } from '../../../src/actions/keymap-typist.js';

describe('key chords', () => {
  it.each([
    ['ctrl+shift+t', ['ctrl', 'shift', 't']],
    ['Shift+Ctrl+T', ['ctrl', 'shift', 't']],
    ['super', ['super']],
    ['F5', ['f5']],
    ['Return', ['enter']],
    ['esc', ['escape']],
    ['ctrl+a', ['ctrl', 'a']],
    ['PgUp', ['pageup']],
    ['cmd+/', ['super', 'slash']],
    ['ctrl++', ['ctrl', 'equal']],
    ['alt+left', ['alt', 'left']],
    ['space', ['space']],
  ])('parses %s', (chord, keys) => {
    expect(parseChord(chord)).toEqual(keys);
  });

  it('names the unknown key and suggests the closest valid one', () => {
    expect(() => parseChord('ctrl+entr')).toThrow(UserInputError);
    expect(() => parseChord('ctrl+entr')).toThrow(/unknown key "entr" in chord "ctrl\+entr"; did you mean "enter"\?/);
    expect(closestKey('escpae')).toBe('escape');
    expect(closestKey('pagedwn')).toBe('pagedown');
    expect(() => parseChord('ctrl+a+b')).toThrow(/at most one key/);
    expect(() => parseChord('  ')).toThrow(/empty key chord/);
  });
});

describe('text to type', () => {
  it('chunks by kind without splitting characters outside the BMP', () => {
    const chunks = chunkText('ab😀c\r\näöüßé', 16, 4);
    expect(chunks).toEqual([
      { kind: 'plain', text: 'ab' },
      { kind: 'remapped', text: '😀' },
      { kind: 'plain', text: 'c\n' },
      { kind: 'remapped', text: 'äöüß' },
      { kind: 'remapped', text: 'é' },
    ]);
    expect(chunkText('x'.repeat(40), 16).map((c) => c.text.length)).toEqual([16, 16, 8]);
  });

  it('refuses control characters other than tab and newline, saying where', () => {
    expect(() => chunkText('ok\u001b[A')).toThrow(/U\+001b at index 2/);
  });

  it('maps characters to X keysyms and US keystrokes', () => {
    expect(keysym('ä')).toBe('0xe4');
    expect(keysym('日')).toBe('0x10065e5');
    expect(usKeystroke('!')).toEqual(['shift', '1']);
    expect(usKeystroke(':')).toEqual(['shift', 'semicolon']);
    expect(usKeystroke('Q')).toEqual(['shift', 'q']);
    expect(usKeystroke('\n')).toEqual(['enter']);
  });
});
