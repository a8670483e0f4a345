import type { Modifier, MouseButton } from '../../shared/steps.js';
import type { InputEvent, RecordedAction } from './events.js';
import { charOf, keyName, modifierOf, type ModifierKey } from './keymap.js';

export interface CleanupOptions {
  /** Two presses within this many ms (and `doubleClickPx`) are one double-click. Default 400. */
  doubleClickMs?: number;
  doubleClickPx?: number;
  /** A press that moves farther than this before release is a drag. Default 6. */
  dragPx?: number;
  /** Wheel notches closer than this in time are one scroll. Default 800. */
  scrollMergeMs?: number;
  /** Windows whose title starts with this are DeskPilot's own: nothing done there is recorded. */
  ownWindowPrefix?: string;
  /** Chords that stop the recorder; dropped when they end the stream. */
  stopChords?: string[];
}

const DEFAULTS = {
  doubleClickMs: 400,
  doubleClickPx: 4,
  dragPx: 6,
  scrollMergeMs: 800,
  ownWindowPrefix: 'DeskPilot',
  stopChords: ['ctrl+alt+end', 'ctrl+c'],
} satisfies Required<CleanupOptions>;

const CHORD_ORDER: ModifierKey[] = ['ctrl', 'alt', 'shift', 'meta'];

interface Press {
  index: number;
  t: number;
  x: number;
  y: number;
  button: MouseButton;
  modifiers: Modifier[];
  far: boolean;
  window?: string;
}

/**
 * Turns the raw event stream into a person's actions: moves merged away, presses into clicks,
 * double/triple clicks and drags, key presses into typed text and chords, wheel notches into
 * scrolls. Pure: the same stream always gives the same actions.
 */
export function cleanupEvents(events: readonly InputEvent[], options: CleanupOptions = {}): RecordedAction[] {
  const o = { ...DEFAULTS, ...options };
  const out: WithLastDown[] = [];
  const held = new Set<ModifierKey>();
  let press: Press | undefined;
  const own = (w: string | undefined) => w !== undefined && w.startsWith(o.ownWindowPrefix);
  const mods = (): Modifier[] => CHORD_ORDER.filter((m) => m !== 'shift' && held.has(m));

  const finishPress = (p: Press, upIndex: number, upT: number, ux: number, uy: number) => {
    const base = { first: p.index, last: upIndex, start: p.t, end: upT, ...(p.window !== undefined ? { window: p.window } : {}) };
    if (p.far) {
      out.push({ ...base, kind: 'drag', from: { x: p.x, y: p.y }, to: { x: ux, y: uy }, modifiers: p.modifiers });
      return;
    }
    const prev = out[out.length - 1];
    if (
      prev?.kind === 'click' &&
      prev.button === p.button &&
      prev.count < 3 &&
      p.t - (prev.lastDown ?? prev.start) <= o.doubleClickMs &&
      Math.hypot(p.x - prev.at.x, p.y - prev.at.y) <= o.doubleClickPx
    ) {
      prev.count = (prev.count + 1) as 2 | 3;
      prev.last = upIndex;
      prev.end = upT;
      prev.lastDown = p.t;
      return;
    }
    out.push({ ...base, kind: 'click', at: { x: p.x, y: p.y }, button: p.button, count: 1, modifiers: p.modifiers, lastDown: p.t });
  };

  events.forEach((e, i) => {
    if (e.type === 'keydown' || e.type === 'keyup') {
      const m = modifierOf(e.keycode);
      if (m) {
        if (e.type === 'keydown') held.add(m);
        else held.delete(m);
        return;
      }
      if (e.type === 'keyup' || own(e.window)) return;
      onKey(out, e, i, held, mods());
      return;
    }
    if (own(e.window) && e.type !== 'up' && e.type !== 'move') return;
    switch (e.type) {
      case 'down':
        press = { index: i, t: e.t, x: e.x, y: e.y, button: e.button, modifiers: mods(), far: false, ...(e.window !== undefined ? { window: e.window } : {}) };
        return;
      case 'move':
        if (press && Math.hypot(e.x - press.x, e.y - press.y) > o.dragPx) press.far = true;
        return;
      case 'up':
        if (!press || press.button !== e.button) return;
        // Released over DeskPilot's own window (a press that ended there): not the person's step.
        if (own(e.window)) {
          press = undefined;
          return;
        }
        if (Math.hypot(e.x - press.x, e.y - press.y) > o.dragPx) press.far = true;
        finishPress(press, i, e.t, e.x, e.y);
        press = undefined;
        return;
      case 'wheel': {
        const prev = out[out.length - 1];
        if (prev?.kind === 'scroll' && prev.direction === e.direction && e.t - prev.end <= o.scrollMergeMs) {
          prev.amount += e.amount;
          prev.last = i;
          prev.end = e.t;
          return;
        }
        out.push({ kind: 'scroll', first: i, last: i, start: e.t, end: e.t, at: { x: e.x, y: e.y }, direction: e.direction, amount: e.amount, ...(e.window !== undefined ? { window: e.window } : {}) });
        return;
      }
    }
  });
  const last = events.length - 1;
  if (press) finishPress(press, last, events[last]?.t ?? press.t, press.x, press.y);
  while (out.length > 0) {
    const tail = out[out.length - 1]!;
    if (tail.kind === 'key' && o.stopChords.includes(tail.keys)) out.pop();
    else break;
  }
  return out.map(stripInternal);
}

type KeyEvent = Extract<InputEvent, { keycode: number }>;
type WithLastDown = RecordedAction & { lastDown?: number };

function stripInternal(a: WithLastDown): RecordedAction {
  const { lastDown: _drop, ...rest } = a;
  return rest;
}

function onKey(
  out: WithLastDown[],
  e: KeyEvent,
  i: number,
  held: ReadonlySet<ModifierKey>,
  chordMods: Modifier[],
): void {
  const prev = out[out.length - 1];
  const shift = e.shift || held.has('shift');
  const win = e.window !== undefined ? { window: e.window } : {};
  const char = charOf(e.keycode, shift);
  if (chordMods.length === 0 && char !== undefined) {
    if (prev?.kind === 'type') {
      prev.text += char;
      prev.last = i;
      prev.end = e.t;
    } else out.push({ kind: 'type', text: char, first: i, last: i, start: e.t, end: e.t, ...win });
    return;
  }
  const name = keyName(e.keycode);
  if (!name) return;
  // Backspace inside a run of typing edits the text instead of becoming a key step.
  if (name === 'backspace' && chordMods.length === 0 && prev?.kind === 'type') {
    prev.text = prev.text.slice(0, -1);
    prev.last = i;
    prev.end = e.t;
    if (prev.text === '') out.pop();
    return;
  }
  // Shift only joins a chord with another modifier or a named key (shift+tab); shift+a is "A".
  const parts = CHORD_ORDER.filter((m) => (m === 'shift' ? shift && (chordMods.length > 0 || char === undefined) : held.has(m)));
  const keys = [...parts, name].join('+');
  if (prev?.kind === 'key' && prev.keys === keys) {
    prev.repeat += 1;
    prev.last = i;
    prev.end = e.t;
    return;
  }
  out.push({ kind: 'key', keys, repeat: 1, first: i, last: i, start: e.t, end: e.t, ...win });
}
