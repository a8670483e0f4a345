import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Box, Point } from '../../src/shared/geometry.js';
import type { InputDriver } from '../../src/shared/ports.js';
import type { Modifier, MouseButton } from '../../src/shared/steps.js';
import { Aborted, UserInputError } from '../../src/shared/errors.js';
import type { EventClock, InputCall } from '../../src/actions/index.js';

/**
 * ONE contract for every InputDriver: the dry-run driver, the recording fake and the real nut-js
 * driver on a virtual desktop. A subject reports what it observed in one shape: for the fakes,
 * derived from the calls they recorded; for the real driver, from the DOM events of a real
 * Chromium page (where the clicks landed in desktop pixels, which text arrived).
 */

export interface ClickSeen { at: Point; button: MouseButton; count: number; modifiers: Modifier[] }
export interface DragSeen { from: Point; to: Point }
export interface ScrollSeen { direction: 'up' | 'down' | 'left' | 'right'; notches: number; at: Point }

export interface Observed {
  text: string;
  clicks: ClickSeen[];
  drags: DragSeen[];
  scrolls: ScrollSeen[];
  /** Chords in canonical form ("ctrl+shift+t"), one per press. */
  chords: string[];
}

export interface ContractSubject {
  driver: InputDriver;
  /** Desktop area where the pointer actions of the contract land. */
  area: Box;
  /** Put keyboard focus on a text field (real) or nothing (fakes). */
  focusText(): Promise<void>;
  /** Put keyboard focus where key chords are observed. */
  focusKeys(): Promise<void>;
  /** Forget everything observed so far. */
  reset(): Promise<void>;
  observed(): Promise<Observed>;
  /** Whether events take real time, so that an abort can land in the middle of a `type`. */
  takesTime: boolean;
  /** Pause between separate clicks/scrolls so that a real system does not merge them (multi-click, wheel coalescing). */
  clickGapMs: number;
  clock?: EventClock;
  close(): Promise<void>;
}

export function observedFromCalls(calls: InputCall[]): Observed {
  const o: Observed = { text: '', clicks: [], drags: [], scrolls: [], chords: [] };
  for (const c of calls) {
    if (c.op === 'type') o.text += c.text;
    else if (c.op === 'click') o.clicks.push({ at: c.at, button: c.button, count: c.count, modifiers: c.modifiers });
    else if (c.op === 'drag') o.drags.push({ from: c.from, to: c.to });
    else if (c.op === 'scroll') o.scrolls.push({ direction: c.direction, notches: c.amount, at: c.at ?? { x: NaN, y: NaN } });
    else if (c.op === 'key') for (let i = 0; i < c.repeat; i++) o.chords.push(c.keys.join('+'));
  }
  return o;
}

export const TYPING_SAMPLES: Array<[string, string]> = [
  ['shifted symbols', '!@#$%^&*()_+{}|:"<>?~'],
  ['tabs and newlines', 'col1\tcol2\nline two\n\tindented'],
  ['German and French letters', 'äöü ß é ÄÖÜ'],
  ['Japanese', '日本語'],
  ['mixed', 'Hello, World! 1+1=2 (ok) ~user@host:~$ ä日'],
];

function near(a: Point, b: Point, px = 1): boolean {
  return Math.abs(a.x - b.x) <= px && Math.abs(a.y - b.y) <= px;
}

export function inputContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`InputDriver contract: ${name}`, () => {
    let s: ContractSubject;
    const at = (fx: number, fy: number): Point => ({
      x: Math.round(s.area.x + s.area.width * fx),
      y: Math.round(s.area.y + s.area.height * fy),
    });
    beforeAll(async () => {
      s = await open();
    });
    afterAll(async () => {
      await s?.close();
    });
    beforeEach(async () => {
      await s.reset();
    });

    it.each(TYPING_SAMPLES)('types %s exactly', async (_label, text) => {
      await s.focusText();
      await s.driver.type(text);
      expect((await s.observed()).text).toBe(text);
    });

    it('clicks single, double, triple, right and middle with modifiers where intended', async () => {
      const wanted: ClickSeen[] = [
        { at: at(0.1, 0.2), button: 'left', count: 1, modifiers: [] },
        { at: at(0.3, 0.3), button: 'left', count: 2, modifiers: [] },
        { at: at(0.5, 0.4), button: 'right', count: 1, modifiers: [] },
        { at: at(0.7, 0.5), button: 'middle', count: 1, modifiers: [] },
        { at: at(0.2, 0.7), button: 'left', count: 3, modifiers: [] },
        { at: at(0.8, 0.8), button: 'left', count: 1, modifiers: ['ctrl', 'shift'] },
      ];
      for (const w of wanted) {
        await s.driver.click(w.at, { button: w.button, count: w.count as 1 | 2 | 3, modifiers: w.modifiers });
        // Separate clicks far enough apart in time that the next is not counted as a multi-click.
        await new Promise((r) => setTimeout(r, s.clickGapMs));
      }
      const seen = (await s.observed()).clicks;
      expect(seen.map((c) => ({ ...c, at: { x: Math.round(c.at.x), y: Math.round(c.at.y) } }))).toEqual(wanted);
    });

    it('drags from one point to another', async () => {
      const from = at(0.2, 0.3);
      const to = at(0.6, 0.7);
      await s.driver.drag(from, to);
      const drags = (await s.observed()).drags;
      expect(drags).toHaveLength(1);
      expect(near(drags[0]!.from, from) && near(drags[0]!.to, to), JSON.stringify(drags)).toBe(true);
    });

    it('scrolls in four directions by the number of notches at the point', async () => {
      const p = at(0.5, 0.5);
      const wanted: ScrollSeen[] = [
        { direction: 'down', notches: 3, at: p },
        { direction: 'up', notches: 2, at: p },
        { direction: 'right', notches: 2, at: p },
        { direction: 'left', notches: 1, at: p },
      ];
      for (const w of wanted) {
        await s.driver.scroll(w.direction, w.notches, w.at);
        await new Promise((r) => setTimeout(r, s.clickGapMs)); // opposite notches in one frame would cancel out
      }
      expect((await s.observed()).scrolls).toEqual(wanted);
    });

    it('presses key chords, repeated', async () => {
      await s.focusKeys();
      await s.driver.key('f2');
      await s.driver.key('Shift+F4');
      await s.driver.key('alt+ctrl+y');
      await s.driver.key('down', 3);
      expect((await s.observed()).chords).toEqual(['f2', 'shift+f4', 'ctrl+alt+y', 'down', 'down', 'down']);
    });

    it('refuses an unknown key name, suggests the closest one and sends nothing', async () => {
      await s.focusKeys();
      const err = await s.driver.key('ctrl+entr').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserInputError);
      expect((err as Error).message).toMatch(/unknown key "entr".*did you mean "enter"/);
      expect((await s.observed()).chords).toEqual([]);
    });

    it('sends nothing once its signal is aborted', async () => {
      await s.focusText();
      const ac = new AbortController();
      ac.abort(new Aborted('stop'));
      await expect(s.driver.type('never', ac.signal)).rejects.toBeInstanceOf(Aborted);
      await expect(s.driver.click(at(0.5, 0.5), {}, ac.signal)).rejects.toBeInstanceOf(Aborted);
      const o = await s.observed();
      expect(o.text).toBe('');
      expect(o.clicks).toEqual([]);
    });

    it('stops a long type mid-way within 100 ms of the abort', async (ctx) => {
      ctx.skip(!s.takesTime, 'a dry run sends nothing over time, so there is no "mid-way"');
      await s.focusText();
      const text = 'abcdefghij'.repeat(100);
      const ac = new AbortController();
      let abortedAt = 0;
      setTimeout(() => {
        abortedAt = performance.now();
        ac.abort(new Aborted('stop button'));
      }, 60);
      await expect(s.driver.type(text, ac.signal)).rejects.toThrow('stop button');
      const typed = (await s.observed()).text;
      expect(typed.length).toBeGreaterThan(0);
      expect(typed.length).toBeLessThan(text.length);
      expect(text.startsWith(typed)).toBe(true);
      const last = s.clock?.lastEventAt();
      if (last !== undefined) expect(last - abortedAt).toBeLessThanOrEqual(100);
    });
  });
}
