import { describe, expect, it } from 'vitest';
import { cleanupEvents, commandLine, type InputEvent } from '../../../src/macros/record/index.js';
import { Step } from '../../../src/shared/steps.js';

/** Synthetic streams as the global hook reports them (uiohook key codes, US layout). */
const K = { shift: 42, ctrl: 29, alt: 56, a: 30, s: 31, h: 35, i: 23, one: 2, semicolon: 39, slash: 53, enter: 28, tab: 15, backspace: 14, end: 3663, c: 46, space: 57 };

let t = 1000;
const at = (dt = 20) => (t += dt);
const down = (x: number, y: number, window?: string, dt?: number): InputEvent => ({ type: 'down', t: at(dt), x, y, button: 'left', ...(window ? { window } : {}) });
const up = (x: number, y: number, dt = 60): InputEvent => ({ type: 'up', t: at(dt), x, y, button: 'left' });
const move = (x: number, y: number): InputEvent => ({ type: 'move', t: at(10), x, y });
const key = (keycode: number, shift = false, dt = 40): InputEvent[] => [
  { type: 'keydown', t: at(dt), keycode, shift },
  { type: 'keyup', t: at(30), keycode, shift },
];
const hold = (keycode: number): InputEvent => ({ type: 'keydown', t: at(), keycode, shift: keycode === K.shift });
const release = (keycode: number): InputEvent => ({ type: 'keyup', t: at(), keycode, shift: false });

describe('cleanup of recorded input into actions', () => {
  it('merges moves away and keeps one click per press', () => {
    const acts = cleanupEvents([move(1, 1), move(50, 50), down(100, 200), up(101, 201), move(300, 300)]);
    expect(acts).toHaveLength(1);
    expect(acts[0]).toMatchObject({ kind: 'click', at: { x: 100, y: 200 }, count: 1, button: 'left', first: 2 });
  });

  it('detects double and triple clicks only when close in time and place', () => {
    const dbl = cleanupEvents([down(10, 10), up(10, 10, 50), down(12, 11, undefined, 100), up(12, 11, 50)]);
    expect(dbl).toMatchObject([{ kind: 'click', count: 2 }]);
    const triple = cleanupEvents([down(10, 10), up(10, 10), down(10, 10, undefined, 80), up(10, 10), down(10, 10, undefined, 80), up(10, 10)]);
    expect(triple).toMatchObject([{ kind: 'click', count: 3 }]);
    const slow = cleanupEvents([down(10, 10), up(10, 10), down(10, 10, undefined, 900), up(10, 10)]);
    expect(slow.map((a) => a.kind === 'click' && a.count)).toEqual([1, 1]);
    const far = cleanupEvents([down(10, 10), up(10, 10), down(30, 10, undefined, 80), up(30, 10)]);
    expect(far).toHaveLength(2);
  });

  it('turns a press that moves beyond 6 px into a drag from the press to the release', () => {
    const acts = cleanupEvents([down(100, 100), move(103, 102), move(200, 180), up(240, 190)]);
    expect(acts).toMatchObject([{ kind: 'drag', from: { x: 100, y: 100 }, to: { x: 240, y: 190 } }]);
    const jitter = cleanupEvents([down(100, 100), move(103, 102), up(104, 103)]);
    expect(jitter).toMatchObject([{ kind: 'click', at: { x: 100, y: 100 } }]);
  });

  it('collapses keys into typed text with shift and symbols (US layout) and edits it with backspace', () => {
    const acts = cleanupEvents([
      ...key(K.h, true), ...key(K.i), ...key(K.one, true), ...key(K.space), ...key(K.semicolon, true), ...key(K.slash),
      hold(K.shift), ...key(K.a), release(K.shift), ...key(K.s), ...key(K.s), ...key(K.backspace),
    ]);
    expect(acts).toMatchObject([{ kind: 'type', text: 'Hi! :/As' }]);
  });

  it('makes chords of ctrl/alt + key, and Enter/Tab separate key steps with repeats', () => {
    const acts = cleanupEvents([
      ...key(K.a), hold(K.ctrl), ...key(K.s), release(K.ctrl), ...key(K.tab), ...key(K.tab), ...key(K.enter),
      hold(K.shift), ...key(K.tab), release(K.shift), hold(K.ctrl), hold(K.shift), ...key(K.a), release(K.shift), release(K.ctrl),
    ]);
    expect(acts.map((a) => (a.kind === 'key' ? `${a.keys}x${a.repeat}` : a.kind === 'type' ? a.text : a.kind))).toEqual([
      'a', 'ctrl+sx1', 'tabx2', 'enterx1', 'shift+tabx1', 'ctrl+shift+ax1',
    ]);
  });

  it('drops what is done in DeskPilot\'s own windows, and the stop hotkey at the end', () => {
    const own = 'DeskPilot — recording';
    const acts = cleanupEvents([
      down(10, 10, 'Form - Chromium'), up(10, 10),
      down(500, 10, own), up(500, 10),
      { type: 'keydown', t: at(), keycode: K.a, shift: false, window: own },
      hold(K.ctrl), hold(K.alt), ...key(K.end), release(K.alt), release(K.ctrl),
    ]);
    expect(acts).toMatchObject([{ kind: 'click', at: { x: 10, y: 10 }, window: 'Form - Chromium' }]);
    expect(cleanupEvents([hold(K.ctrl), ...key(K.c), release(K.ctrl)])).toEqual([]);
  });

  it('drops a click that brought DeskPilot to the front (focus still on the app at the press, on DeskPilot at the release)', () => {
    const released: InputEvent = { ...up(500, 10), window: 'DeskPilot' };
    const acts = cleanupEvents([down(10, 10, 'Form - Chromium'), up(10, 10), down(500, 10, 'Form - Chromium'), released]);
    expect(acts).toMatchObject([{ kind: 'click', at: { x: 10, y: 10 } }]);
    expect(acts).toHaveLength(1);
  });

  it('merges wheel notches in one direction into one scroll', () => {
    const wheel = (direction: 'up' | 'down'): InputEvent => ({ type: 'wheel', t: at(100), x: 5, y: 5, direction, amount: 1 });
    const acts = cleanupEvents([wheel('down'), wheel('down'), wheel('down'), wheel('up')]);
    expect(acts).toMatchObject([{ kind: 'scroll', direction: 'down', amount: 3 }, { kind: 'scroll', direction: 'up', amount: 1 }]);
  });
});

describe('recorded steps as command lines', () => {
  it('writes lines that parse back to the same step, and none when the language cannot say it', () => {
    const cases: Array<[unknown, string | undefined]> = [
      [{ kind: 'click', target: { text: 'Save "all"' } }, 'click "Save \\"all\\""'],
      [{ kind: 'click', target: { text: 'a.txt' }, count: 2, modifiers: ['ctrl'] }, 'ctrl+double-click "a.txt"'],
      [{ kind: 'click', target: { text: 'Desktop' }, button: 'right' }, 'right-click "Desktop"'],
      [{ kind: 'type', text: 'Alice', target: { text: 'Name', role: 'field' } }, 'type "Alice" into "Name" field'],
      [{ kind: 'key', keys: 'tab', repeat: 3 }, 'press tab 3 times'],
      [{ kind: 'wait', for: { text: 'Saved' }, timeoutMs: 10000 }, 'wait for "Saved" 10s'],
      [{ kind: 'drag', from: { text: 'a' }, to: { text: 'Trash' } }, 'drag "a" to "Trash"'],
      [{ kind: 'click', target: { image: 'x.crops/001.png' } }, undefined],
    ];
    for (const [input, line] of cases) expect(commandLine(Step.parse(input))).toBe(line);
  });
});
