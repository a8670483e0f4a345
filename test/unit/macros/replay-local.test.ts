import { describe, expect, it } from 'vitest';
import { Policy } from '../../../src/actions/policy/policy.js';
import { TextGrounder } from '../../../src/grounding/text.js';
import { TextMemory } from '../../../src/grounding/text-memory.js';
import { LadderGrounder, type Anchors } from '../../../src/macros/index.js';
import { contextCanMatter } from '../../../src/macros/replay/replay.js';
import { verifyExpect } from '../../../src/macros/replay/verify.js';
import { FixtureScreenSource } from '../../fakes/fixture-screen.js';
import { makeFrame } from '../../../src/perception/index.js';
import type { OcrLine } from '../../../src/perception/ocr/types.js';
import type { Box } from '../../../src/shared/geometry.js';
import type { Frame, Observation } from '../../../src/shared/ports.js';
import { Step } from '../../../src/shared/steps.js';

/** An OCR line at (x, y) with 10 px per character and 20 px high. */
function line(text: string, x: number, y: number): OcrLine {
  const box = { x, y, width: text.length * 10, height: 20 };
  return { text, box, confidence: 0.99, words: [{ text, box, confidence: 0.99 }] };
}
const centre = (l: OcrLine) => ({ x: l.box.x + l.box.width / 2, y: l.box.y + l.box.height / 2 });
const inside = (a: Box, p: { x: number; y: number }) => p.x >= a.x && p.y >= a.y && p.x < a.x + a.width && p.y < a.y + a.height;

/** A plain 800x600 screen (nothing for the text memory to match) and its OCR lines. */
function world(lines: OcrLine[]) {
  const frame: Frame = makeFrame('d0', 800, 600, new Uint8Array(800 * 600 * 4).fill(250), { x: 0, y: 0, width: 800, height: 600 });
  const calls = { whole: 0, areas: [] as Box[] };
  const text = new TextGrounder(() => {
    calls.whole++;
    return Promise.resolve({ lines });
  });
  const ladder = new LadderGrounder({
    rungs: { text },
    // A local read sees the lines whose centre is inside the area.
    local: (_o, area) => {
      calls.areas.push(area);
      return Promise.resolve({ lines: lines.filter((l) => inside(area, centre(l))) });
    },
  });
  const obs: Observation = { frame, displays: [] };
  const locate = (target: string, anchors: Anchors, irreversible = false) => {
    ladder.intent = { key: target, runId: 'r', step: Step.parse({ kind: 'click', target: { text: target } }), irreversible, anchors };
    return ladder.locate(obs, { text: target });
  };
  return { ladder, calls, locate };
}

/** Anchors as the recorder writes them: the target's centre and its offset from each landmark. */
function anchorsOf(target: OcrLine, ...landmarks: OcrLine[]): Anchors {
  const c = centre(target);
  return {
    text: target.text,
    at: [c.x, c.y],
    landmarks: landmarks.map((l) => ({ text: l.text, dx: c.x - centre(l).x, dy: c.y - centre(l).y })),
  };
}

const name = line('Name', 40, 100);
const email = line('Email', 40, 150);
const message = line('Message', 40, 200);

describe('replay looks near the recorded place first', () => {
  it('finds a target at its recorded place, its landmarks at their offsets, without reading the whole screen', async () => {
    const w = world([name, email, message, line('Submit', 40, 400)]);
    const loc = await w.locate('Email', anchorsOf(email, name, message));
    expect(loc.point).toEqual(centre(email));
    expect(loc.source).toBe('ladder:text');
    expect(w.calls.whole).toBe(0);
    expect(w.calls.areas.length).toBe(3);
    expect(w.ladder.stats.near).toBe(1);
    expect(w.ladder.results.get('Email')).toMatchObject({ rung: 'text', expected: 'text' });
  });

  it('reads the whole screen when a landmark moved, so that healing still sees it', async () => {
    const anchors = anchorsOf(email, name, message);
    const moved = line('Message', 40, 230);
    const w = world([name, email, moved]);
    const loc = await w.locate('Email', anchors);
    expect(loc.point).toEqual(centre(email));
    expect(w.calls.whole).toBeGreaterThan(0);
    expect(w.ladder.stats).toMatchObject({ near: 0, whole: 1 });
    expect(w.ladder.stats.why.join()).toMatch(/landmark "Message" is at/);
    const sighting = w.ladder.results.get('Email')!.landmarks.find((s) => s.text === 'Message');
    expect(sighting?.now).toEqual({ dx: centre(email).x - centre(moved).x, dy: centre(email).y - centre(moved).y });
  });

  it('follows a moved window: the first step reads the whole screen, the next looks where the window went', async () => {
    const recorded = { email: anchorsOf(email, name, message), message: anchorsOf(message, email, name) };
    const shift = (l: OcrLine) => line(l.text, l.box.x + 120, l.box.y + 60);
    const w = world([shift(name), shift(email), shift(message)]);
    expect((await w.locate('Email', recorded.email)).point).toEqual(centre(shift(email)));
    expect(w.calls.whole).toBeGreaterThan(0);
    const whole = w.calls.whole;
    expect((await w.locate('Message', recorded.message)).point).toEqual(centre(shift(message)));
    expect(w.calls.whole).toBe(whole);
    expect(w.ladder.stats).toMatchObject({ near: 1, whole: 1 });
  });

  it('never picks one of two equal texts near the place: the whole ladder decides (here by the landmarks)', async () => {
    const twin = line('Email', 150, 150);
    const w = world([name, email, twin, message]);
    expect((await w.locate('Email', anchorsOf(email, name, message))).point).toEqual(centre(email));
    expect(w.ladder.stats).toMatchObject({ near: 0, whole: 1 });
    expect(w.ladder.results.get('Email')?.rung).toBe('landmarks');
  });

  it('does not take a near miss of the text at the place ("Save as" where "Save" was)', async () => {
    const save = line('Save', 40, 300);
    // Read as a line of two words, so that the word "Save" alone matches exactly.
    const saveAs = { ...line('Save as', 40, 300), words: [{ text: 'Save', box: { x: 40, y: 300, width: 40, height: 20 }, confidence: 0.99 }, { text: 'as', box: { x: 90, y: 300, width: 20, height: 20 }, confidence: 0.99 }] };
    const cancel = line('Cancel', 40, 350);
    const w = world([saveAs, cancel, line('Save', 400, 500)]);
    const anchors = anchorsOf(save, cancel);
    await w.locate('Save', anchors).catch(() => undefined);
    expect(w.ladder.stats.near).toBe(0);
    expect(w.ladder.stats.why.join()).toMatch(/reads "Save as"/);
    expect(w.calls.whole).toBeGreaterThan(0);
  });

  it('does not answer near the place without landmarks to cross-check it', async () => {
    const w = world([name, email]);
    const { landmarks: _none, ...bare } = anchorsOf(email, name);
    await w.locate('Email', bare);
    expect(w.calls.areas).toEqual([]);
    expect(w.calls.whole).toBeGreaterThan(0);
  });

  it('a target whose text is gone is left to the whole ladder: found by landmarks, and an irreversible step fails closed', async () => {
    const w = world([name, message]);
    expect((await w.locate('Email', anchorsOf(email, name, message))).source).toBe('ladder:landmarks');
    expect(w.calls.whole).toBeGreaterThan(0);
    expect(w.ladder.stats.near).toBe(0);
    await expect(w.locate('Email', anchorsOf(email, name, message), true)).rejects.toThrow(/fails closed/);
  });
});

describe('a postcondition checked where the screen changed', () => {
  /** A light 800x600 frame with a dark block where a message shows. */
  function screenWith(block?: Box): Frame {
    const data = new Uint8Array(800 * 600 * 4).fill(250);
    if (block) for (let y = block.y; y < block.y + block.height; y++) data.fill(30, (y * 800 + block.x) * 4, (y * 800 + block.x + block.width) * 4);
    return makeFrame('d0', 800, 600, data, { x: 0, y: 0, width: 800, height: 600 });
  }

  it('finds the text that appeared by reading only the changed area, and the whole screen otherwise', async () => {
    const saved = line('Saved', 300, 400);
    const w = world([name, email, saved]);
    const before = screenWith();
    const now = { frame: screenWith(saved.box), displays: [] };
    const screen = FixtureScreenSource.solid(800, 600);
    const signal = new AbortController().signal;
    expect(await verifyExpect({ text: 'Saved' }, screen, w.ladder, before, now, signal)).toBeUndefined();
    expect(w.calls.whole).toBe(0);
    expect(w.calls.areas).toHaveLength(1);
    expect(w.calls.areas[0]!.y).toBeLessThanOrEqual(400);
    // "Email" was already there: not in what changed, so the whole screen is read to find it.
    expect(await verifyExpect({ text: 'Email' }, screen, w.ladder, before, now, signal)).toBeUndefined();
    expect(w.calls.whole).toBe(1);
  });
});

describe('text memory', () => {
  /** A white frame with irregular dark "glyph" pixels in a box; the same seed draws the same glyphs. */
  function frameWith(box: Box, seed: number): Frame {
    const W = 300;
    const H = 200;
    const data = new Uint8Array(W * H * 4).fill(255);
    for (let y = 4; y < box.height - 4; y++)
      for (let x = 2; x < box.width - 2; x++) {
        const h = Math.imul(x * 374761393 + y * 668265263 + seed * 2246822519, 3266489917) >>> 0;
        if (h % 5 < 2) data.set([20, 20, 20, 255], ((box.y + y) * W + box.x + x) * 4);
      }
    return makeFrame('d0', W, H, data, { x: 0, y: 0, width: W, height: H });
  }

  it('finds a text again where it looks the same, near where it is expected', () => {
    const memory = new TextMemory();
    const box = { x: 50, y: 40, width: 60, height: 24 };
    memory.remember(frameWith(box, 1), 'Save', box, 0.97);
    const moved = { ...box, x: 58, y: 45 };
    const found = memory.find(frameWith(moved, 1), 'Save', { x: 80, y: 52 });
    expect(found?.box).toEqual(moved);
    expect(found?.confidence).toBe(0.97);
  });

  it('does not match other pixels, a place too far away, or a crop without ink', () => {
    const memory = new TextMemory();
    const box = { x: 50, y: 40, width: 60, height: 24 };
    memory.remember(frameWith(box, 1), 'Save', box, 0.97);
    expect(memory.find(frameWith(box, 5), 'Save', { x: 80, y: 52 })).toBeUndefined();
    expect(memory.find(frameWith(box, 1), 'Save', { x: 200, y: 150 })).toBeUndefined();
    const blank = makeFrame('d0', 300, 200, new Uint8Array(300 * 200 * 4).fill(255), { x: 0, y: 0, width: 300, height: 200 });
    memory.remember(blank, 'Blank', box, 0.9);
    expect(memory.find(blank, 'Blank', { x: 80, y: 52 })).toBeUndefined();
  });
});

describe('nearby text for the safety gate', () => {
  it('is needed only where a policy rule looks at the context of the step', () => {
    const policy = Policy.load();
    expect(contextCanMatter(policy, Step.parse({ kind: 'click', target: { text: 'Name' } }), 'Name')).toBe(false);
    expect(contextCanMatter(policy, Step.parse({ kind: 'type', text: 'hello', target: { text: 'Message' } }), 'Message')).toBe(false);
    expect(contextCanMatter(policy, Step.parse({ kind: 'click', target: { text: 'Continue' } }), 'Continue')).toBe(true);
    expect(contextCanMatter(policy, Step.parse({ kind: 'click', target: { text: 'Next' } }), 'Next')).toBe(true);
  });
});
