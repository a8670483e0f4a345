import { describe, expect, it } from 'vitest';
import { TextGrounder } from '../../../src/grounding/text.js';
import type { OcrLine, OcrResult } from '../../../src/perception/ocr/types.js';
import type { Observation } from '../../../src/shared/ports.js';
import type { Target } from '../../../src/shared/target.js';

/** A line of OCR output with words laid out left to right, 10 px per character. */
function line(text: string, x: number, y: number, confidence = 0.98): OcrLine {
  let cx = x;
  const words = text.split(' ').map((w) => {
    const box = { x: cx, y, width: w.length * 10, height: 16 };
    cx += (w.length + 1) * 10;
    return { text: w, box, confidence };
  });
  return { text, box: { x, y, width: text.length * 10, height: 16 }, confidence, words };
}

// A 2x scaled display at desktop x=1280: frame pixels are twice the logical size.
function observation(): Observation {
  return {
    frame: {
      displayId: 'b', width: 2048, height: 1536, data: new Uint8Array(0), scaleFactor: 2,
      desktopBounds: { x: 1280, y: 0, width: 1024, height: 768 }, capturedAt: 0,
    },
    displays: [],
  };
}

function grounder(lines: OcrLine[]) {
  const ocr: OcrResult = { lines };
  return new TextGrounder(() => Promise.resolve(ocr));
}

const screen = [
  line('File Edit View Help', 0, 0),
  line('Name', 100, 200),
  line('Email', 100, 260),
  line('Delete', 600, 200),
  line('Delete', 600, 260),
  line('Delete all', 600, 400),
  line('Save As...', 300, 500),
  line('Cancel', 500, 700),
  line('0K', 700, 700),
  line('Rernove item', 900, 800),
];

const locate = (t: Target, lines = screen) => grounder(lines).locate(observation(), t);

describe('text grounder', () => {
  it('returns desktop coordinates: frame pixels halved and offset by the display origin', async () => {
    const r = await locate({ text: 'Cancel' });
    // frame box x 500..560, y 700..716 -> desktop x 1280+250..1280+280, y 350..358
    expect(r.point).toEqual({ x: 1280 + 265, y: 354 });
    expect(r.box).toEqual({ x: 1530, y: 350, width: 30, height: 8 });
    expect(r.source).toBe('text');
  });

  it('matches through case, punctuation and OCR confusions', async () => {
    expect((await locate({ text: 'save as…' })).point.y).toBe(254);
    expect((await locate({ text: 'Remove item' })).point.x).toBe(1280 + (900 + 60) / 2);
    expect((await locate({ text: 'Edit' })).box?.width).toBe(20);
  });

  it('does not match a short label by similarity', async () => {
    await expect(locate({ text: 'No' })).rejects.toMatchObject({ code: 'GROUNDING_NOT_FOUND' });
  });

  it('says a tie is ambiguous instead of guessing, and ordinals pick in reading order', async () => {
    await expect(locate({ text: 'Delete' })).rejects.toMatchObject({ code: 'GROUNDING_AMBIGUOUS' });
    expect((await locate({ text: 'Delete', ordinal: 2 })).point.y).toBe((260 + 8) / 2);
    await expect(locate({ text: 'Delete', ordinal: 3 })).rejects.toThrow(/only 2/);
  });

  it('uses a landmark: the "Delete" right of "Email"', async () => {
    const r = await locate({ text: 'Delete', relation: { kind: 'right_of', text: 'Email' } });
    expect(r.point.y).toBe((260 + 8) / 2);
    const below = await locate({ text: 'Email', relation: { kind: 'below', text: 'Name' } });
    expect(below.point.y).toBe(134);
    await expect(locate({ text: 'Delete', relation: { kind: 'right_of', text: 'Nowhere' } })).rejects.toThrow(/landmark "Nowhere"/);
  });

  it('honours a region hint in desktop coordinates', async () => {
    const r = await locate({ text: 'Delete', region: { x: 1280, y: 120, width: 1024, height: 20 } });
    expect(r.point.y).toBe(134);
  });

  it('names the closest readings when nothing matches', async () => {
    await expect(locate({ text: 'Emial' })).rejects.toThrow(/closest readings: "Email"/);
  });

  it('finds a label the detector split into neighbouring boxes on one row', async () => {
    // Seen on a terminal: "Write your answer here" read as "Write" | "eyouranswer" | "here".
    const split = [line('Write', 40, 60), line('eyouranswer', 95, 62), line('here', 260, 60), line('42 is the answer!', 40, 90)];
    const r = await locate({ text: 'Write your answer' }, split);
    expect(Math.abs(r.point.y - (60 + 10) / 2)).toBeLessThanOrEqual(1);
    expect(r.box!.x).toBe(1280 + 20);
  });
});
