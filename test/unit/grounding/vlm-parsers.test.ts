import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  instructionFor,
  parseAnswer,
  parseOsAtlas7b,
  parseShowUi,
  parseUiTars,
  VLM_FORMATS,
  type VlmFormat,
} from '../../../src/grounding/vlm/index.js';
import { ModelError } from '../../../src/shared/errors.js';

interface Case {
  output: string;
  point?: [number, number];
  box?: [number, number, number, number] | null;
  why?: string;
  note?: string;
}
interface Fixtures {
  formats: Record<VlmFormat, { image: [number, number]; valid: Case[]; invalid: Case[] }>;
}

const fixtures = JSON.parse(readFileSync(new URL('../../fixtures/vlm/outputs.json', import.meta.url), 'utf8')) as Fixtures;
const SPACE: Record<VlmFormat, string> = { 'os-atlas-7b': 'norm1000', 'os-atlas-4b': 'norm1000', showui: 'norm1', uground: 'norm1000', 'ui-tars': 'image' };

describe('grounding model output parsers on recorded answers', () => {
  it('has fixtures for every format', () => {
    expect(Object.keys(fixtures.formats).sort()).toEqual([...VLM_FORMATS].sort());
  });

  for (const format of VLM_FORMATS) {
    const { image, valid, invalid } = fixtures.formats[format];
    const size = { width: image[0], height: image[1] };

    describe(format, () => {
      it.each(valid.map((c) => [c.note ?? c.output, c] as const))('reads %s', (_label, c) => {
        const r = parseAnswer(format, c.output, size);
        expect(r.point.space).toBe(SPACE[format]);
        expect(r.point.x).toBeCloseTo(c.point![0], 9);
        expect(r.point.y).toBeCloseTo(c.point![1], 9);
        if (c.box) {
          expect(r.box).toBeDefined();
          const b = r.box!;
          [b.x, b.y, b.width, b.height].forEach((v, i) => expect(v).toBeCloseTo(c.box![i]!, 9));
        } else {
          expect(r.box).toBeUndefined();
        }
      });

      it.each(invalid.map((c) => [JSON.stringify(c.output), c] as const))('rejects %s', (_label, c) => {
        let caught: unknown;
        try {
          parseAnswer(format, c.output, size);
        } catch (err) {
          caught = err;
        }
        expect(caught).toBeInstanceOf(ModelError);
        const err = caught as ModelError;
        expect(err.code).toBe('MODEL_BAD_OUTPUT');
        // The message quotes the answer and says what was expected, so a log reader can act on it.
        expect(err.message).toContain(JSON.stringify(c.output));
        expect(err.message).toMatch(/expected /);
        expect(err.message).toContain(c.why!);
      });
    });
  }

  it('truncates a long answer in the error message', () => {
    const prose = 'I think the element you are looking for might be somewhere near the top. '.repeat(20);
    expect(() => parseShowUi(prose)).toThrow(/…" is not a location \(no coordinates in it\); expected \[x, y\] with x and y between 0 and 1/);
    try {
      parseShowUi(prose);
    } catch (err) {
      expect((err as Error).message.length).toBeLessThan(320);
    }
  });

  it('checks UI-TARS pixels against the size of the image the model saw', () => {
    expect(parseUiTars("click(start_box='(1000,500)')", { width: 1288, height: 784 }).point).toEqual({ space: 'image', x: 1000, y: 500 });
    expect(() => parseUiTars("click(start_box='(1000,500)')", { width: 812, height: 504 })).toThrow(/1000 is outside 0–812/);
  });

  it('names the format in its message', () => {
    expect(() => parseOsAtlas7b('no idea')).toThrow(/^OS-Atlas-7B answer "no idea" is not a location .*expected <\|box_start\|>\(x1,y1\),\(x2,y2\)<\|box_end\|> in 0–1000$/);
  });
});

describe('the instruction a model reads', () => {
  it('uses the description, else the quoted text, with ordinal, role and landmark', () => {
    expect(instructionFor({ description: 'the gear icon at the top right' })).toBe('the gear icon at the top right');
    expect(instructionFor({ text: 'Save', role: 'button' })).toBe("'Save' button");
    expect(instructionFor({ text: 'Delete', role: 'button', ordinal: 2, relation: { kind: 'right_of', text: 'Email' } })).toBe(
      "the second 'Delete' button right of 'Email'",
    );
    expect(instructionFor({ description: 'close button of the dialog', role: 'button' })).toBe('close button of the dialog');
    expect(instructionFor({ image: 'crop.png' })).toBeUndefined();
  });
});
