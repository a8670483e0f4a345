import { describe, expect, it } from 'vitest';
import { buildSteps, macroSource, type RecordedAction } from '../../../src/macros/record/index.js';
import { parseMacro } from '../../../src/macros/format/index.js';
import { makeFrame } from '../../../src/perception/index.js';
import type { Ocr, OcrLine, OcrResult } from '../../../src/perception/ocr/index.js';
import type { Box } from '../../../src/shared/geometry.js';
import type { Frame, SecretStore } from '../../../src/shared/ports.js';

/**
 * Steps from synthetic screens: frames drawn with rectangles, and an OCR that reads back the
 * texts each frame was drawn with. Exercises evidence, postconditions, waits and secrets.
 */
const W = 400;
const H = 300;
type Drawn = { box: Box; text?: string; fill?: number; border?: boolean };

const texts = new WeakMap<Frame, OcrLine[]>();
function screen(items: Drawn[]): Frame {
  const data = new Uint8Array(W * H * 4).fill(255);
  const paint = (x: number, y: number, v: number) => {
    const i = (y * W + x) * 4;
    data[i] = data[i + 1] = data[i + 2] = v;
  };
  for (const it of items) {
    const { x, y, width, height } = it.box;
    for (let yy = y; yy < y + height; yy++)
      for (let xx = x; xx < x + width; xx++) {
        const edge = yy === y || yy === y + height - 1 || xx === x || xx === x + width - 1;
        if (it.border && edge) paint(xx, yy, 0);
        else if (it.fill !== undefined) paint(xx, yy, it.fill);
      }
  }
  const f = makeFrame('d0', W, H, data, { x: 0, y: 0, width: W, height: H });
  texts.set(
    f,
    items.filter((i) => i.text).map((i) => ({ text: i.text!, box: i.box, confidence: 0.99, words: wordsOf(i.text!, i.box) })),
  );
  return f;
}
function wordsOf(text: string, box: Box) {
  const words = text.split(' ');
  const w = box.width / words.length;
  return words.map((t, i) => ({ text: t, box: { x: box.x + i * w, y: box.y, width: w - 4, height: box.height }, confidence: 0.99 }));
}
/** Reads back the drawn texts; a region read sees the lines that overlap the region. */
const reads = { whole: 0, regions: 0 };
const ocr: Ocr = {
  recognize: (img, options) => {
    const r = options?.region;
    if (r) reads.regions++;
    else reads.whole++;
    const lines = (texts.get(img as Frame) ?? []).filter((l) => !r || (l.box.x < r.x + r.width && r.x < l.box.x + l.box.width && l.box.y < r.y + r.height && r.y < l.box.y + l.box.height));
    return Promise.resolve<OcrResult>({ lines });
  },
  dispose: () => Promise.resolve(),
};
function memorySecrets(): SecretStore & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    values,
    get: (n) => Promise.resolve(values.get(n)),
    set: (n, v) => Promise.resolve(void values.set(n, v)),
    list: () => Promise.resolve([...values.keys()]),
    remove: (n) => Promise.resolve(values.delete(n)),
  };
}

const submit: Drawn = { box: { x: 50, y: 40, width: 110, height: 34 }, fill: 220, border: true };
const submitText: Drawn = { box: { x: 66, y: 48, width: 78, height: 18 }, text: 'Submit' };
const label: Drawn = { box: { x: 10, y: 120, width: 90, height: 18 }, text: 'Password' };
const field: Drawn = { box: { x: 120, y: 114, width: 220, height: 30 }, border: true };
const base = [submit, submitText, label, field];
const click = (first: number, start: number, x: number, y: number): RecordedAction => ({ kind: 'click', first, last: first + 1, start, end: start + 60, at: { x, y }, button: 'left', count: 1, modifiers: [], window: 'Login - Chromium' });

describe('recorded steps with evidence', () => {
  it('targets the text under a click, keeps anchors and a crop, and waits for text that appeared during a pause', async () => {
    const before = screen(base);
    const after = screen([...base, { box: { x: 40, y: 220, width: 260, height: 22 }, fill: 40, text: 'Saved to disk now' }]);
    const frames: Record<number, Frame> = { 0: before, 2: after };
    const r = await buildSteps({
      name: 'Save',
      actions: [click(0, 0, 100, 57), click(2, 2500, 200, 128)],
      frameBefore: (i) => frames[i],
      final: after,
      ocr,
      cropDir: 'save.crops',
    });
    expect(r.steps.map((s) => s.step.kind)).toEqual(['click', 'wait', 'click']);
    const first = r.steps[0]!;
    expect(first.step).toMatchObject({ kind: 'click', target: { text: 'Submit' } });
    expect(first.anchors).toMatchObject({ text: 'Submit', template: '001.png', window: 'Login - Chromium' });
    expect(first.anchors?.landmarks?.[0]).toMatchObject({ text: 'Password' });
    expect(first.crop?.png.subarray(1, 4).toString()).toBe('PNG');
    expect(r.steps[1]!.step).toMatchObject({ kind: 'wait', for: { text: 'Saved to disk now' } });
    // The empty field is named by its label, as a field.
    expect(r.steps[2]!.step).toMatchObject({ kind: 'click', target: { text: 'Password', role: 'field' } });
  });

  it('without a pause, what appeared becomes the step\'s expect; a bare change becomes changed: true', async () => {
    const before = screen(base);
    const shown = screen([...base, { box: { x: 40, y: 220, width: 260, height: 22 }, fill: 40, text: 'Saved' }]);
    const blob = screen([...base, { box: { x: 40, y: 220, width: 260, height: 60 }, fill: 90 }]);
    const run = (after: Frame) =>
      buildSteps({ name: 'x', actions: [click(0, 0, 100, 57), click(2, 200, 100, 57)], frameBefore: (i) => (i === 0 ? before : after), final: after, ocr, cropDir: 'x.crops' });
    expect((await run(shown)).steps[0]!.expect).toEqual({ text: 'Saved' });
    expect((await run(blob)).steps[0]!.expect).toEqual({ changed: true });
    expect((await run(before)).steps[0]!.expect).toBeUndefined();
  });

  it('types into a password field as a {{secret:…}} placeholder, stores the value, and never writes it', async () => {
    const before = screen(base);
    const typed = screen([...base, { box: { x: 126, y: 120, width: 120, height: 18 }, fill: 0, text: '••••••••' }]);
    const secrets = memorySecrets();
    const actions: RecordedAction[] = [
      click(0, 0, 200, 128),
      { kind: 'type', text: 'hunter22', first: 2, last: 17, start: 300, end: 900 },
      click(18, 1000, 100, 57),
    ];
    const frames: Record<number, Frame> = { 0: before, 2: before, 18: typed };
    const r = await buildSteps({ name: 'Daily login', actions, frameBefore: (i) => frames[i], final: typed, ocr, secrets, cropDir: 'daily-login.crops' });
    expect(r.secrets).toEqual(['DAILY_LOGIN_PASSWORD']);
    expect(secrets.values.get('DAILY_LOGIN_PASSWORD')).toBe('hunter22');
    expect(r.steps[0]!.step).toEqual({ kind: 'type', text: '{{secret:DAILY_LOGIN_PASSWORD}}', target: { text: 'Password', role: 'field' } });
    const yaml = macroSource('Daily login', 'test', r.steps);
    expect(yaml).not.toContain('hunter22');
    expect(yaml).toContain('type "{{secret:DAILY_LOGIN_PASSWORD}}" into "Password" field');
    // One block per step, so that a person can review and edit the recording.
    expect(yaml.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(2);
    const macro = parseMacro(yaml, 'daily-login.yaml');
    expect(macro.program).toHaveLength(2);
  });

  it('treats a field that shows bullets instead of the typed text as a password field', async () => {
    const named = [submit, submitText, { ...label, text: 'Code' }, field];
    const before = screen(named);
    const typed = screen([...named, { box: { x: 126, y: 120, width: 120, height: 18 }, fill: 0, text: '••••••' }]);
    const actions: RecordedAction[] = [click(0, 0, 200, 128), { kind: 'type', text: 'xyz123', first: 2, last: 9, start: 300, end: 600 }, click(10, 1000, 100, 57)];
    const frames: Record<number, Frame> = { 0: before, 2: before, 10: typed };
    const r = await buildSteps({ name: 'Unlock', actions, frameBefore: (i) => frames[i], final: typed, ocr, cropDir: 'u.crops' });
    expect(r.steps[0]!.step).toMatchObject({ kind: 'type', text: '{{secret:UNLOCK_CODE}}' });
  });

  it('treats a field the person marked with --secret-field as secret, and other fields as clear text', async () => {
    const named = [submit, submitText, { ...label, text: 'Member code' }, field];
    const before = screen(named);
    const actions: RecordedAction[] = [click(0, 0, 200, 128), { kind: 'type', text: 'A-123', first: 2, last: 9, start: 300, end: 600 }];
    const frames: Record<number, Frame> = { 0: before, 2: before };
    const plain = await buildSteps({ name: 'm', actions, frameBefore: (i) => frames[i], final: before, ocr, cropDir: 'm.crops' });
    expect(plain.steps[0]!.step).toMatchObject({ kind: 'type', text: 'A-123' });
    const marked = await buildSteps({ name: 'm', actions, frameBefore: (i) => frames[i], final: before, ocr, cropDir: 'm.crops', secretFields: ['member code'] });
    expect(marked.steps[0]!.step).toMatchObject({ kind: 'type', text: '{{secret:M_MEMBER_CODE}}' });
    // A store that fails keeps the recording; the name is reported as not stored.
    const broken: SecretStore = { ...memorySecrets(), set: () => Promise.reject(new Error('locked keychain')) };
    const kept = await buildSteps({ name: 'm', actions, frameBefore: (i) => frames[i], final: before, ocr, cropDir: 'm.crops', secretFields: ['member code'], secrets: broken });
    expect(kept.unstored).toEqual(['M_MEMBER_CODE']);
    expect(kept.steps[0]!.step).toMatchObject({ text: '{{secret:M_MEMBER_CODE}}' });
  });

  it('reads the first screen whole and each later one only where it changed, with the same steps as reading all whole', async () => {
    const before = screen(base);
    const after = screen([...base, { box: { x: 40, y: 220, width: 260, height: 22 }, fill: 40, text: 'Saved to disk now' }]);
    const frames: Record<number, Frame> = { 0: before, 2: after };
    const build = (incremental: boolean) =>
      buildSteps({ name: 'Save', actions: [click(0, 0, 100, 57), click(2, 2500, 200, 128)], frameBefore: (i) => frames[i], final: after, ocr, cropDir: 's.crops', incremental });
    reads.whole = reads.regions = 0;
    const whole = await build(false);
    expect(reads).toEqual({ whole: 2, regions: 0 });
    reads.whole = reads.regions = 0;
    const changes = await build(true);
    expect(reads.whole).toBe(1);
    expect(reads.regions).toBeGreaterThan(0);
    expect(changes.steps.map((s) => [s.step, s.anchors, s.expect])).toEqual(whole.steps.map((s) => [s.step, s.anchors, s.expect]));
    // Replay looks first where the target's text was.
    expect(changes.steps[0]!.anchors?.at).toEqual([105, 57]);
  });
});
