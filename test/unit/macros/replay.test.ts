import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Policy } from '../../../src/actions/policy/policy.js';
import { Engine } from '../../../src/engine/engine.js';
import { TextGrounder } from '../../../src/grounding/text.js';
import { LadderGrounder, MacroStepSource, parseCsv, parseMacro, resolveParams } from '../../../src/macros/index.js';
import type { OcrLine } from '../../../src/perception/ocr/types.js';
import { nullLogger } from '../../../src/shared/logger.js';
import type { ConfirmAnswer, ConfirmRequest, Store } from '../../../src/shared/ports.js';
import { openStore } from '../../../src/storage/index.js';
import { FixtureScreenSource } from '../../fakes/fixture-screen.js';
import { RecordingInputDriver } from '../../fakes/recording-input.js';

/** An OCR line at (x, y) with 10 px per character, as the text grounder reads it. */
function line(text: string, x: number, y: number): OcrLine {
  return { text, box: { x, y, width: text.length * 10, height: 20 }, confidence: 0.99, words: [{ text, box: { x, y, width: text.length * 10, height: 20 }, confidence: 0.99 }] };
}

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(yaml: string, options: { lines: OcrLine[]; params?: Record<string, string>; rows?: string; answers?: ConfirmAnswer[] }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'deskpilot-replay-'));
  dirs.push(dataDir);
  const store = openStore({ dataDir });
  stores.push(store);
  const screen = FixtureScreenSource.solid(800, 600, [250, 250, 250]);
  const input = new RecordingInputDriver();
  const screenText = { lines: options.lines };
  const asked: ConfirmRequest[] = [];
  const confirmer = {
    confirm: (req: ConfirmRequest) => {
      asked.push(req);
      return Promise.resolve(options.answers?.shift() ?? 'deny');
    },
  };
  const text = new TextGrounder(() => Promise.resolve(screenText));
  const ladder = new LadderGrounder({ rungs: { text }, confirmer });
  const macro = parseMacro(yaml, 'test.yaml');
  const source = new MacroStepSource(macro, {
    params: resolveParams(macro.params, options.params ?? {}),
    ladder,
    screen,
    rows: () => parseCsv(options.rows ?? 'x\n'),
    confirmer,
    textAt: (_o, p) => Promise.resolve(screenText.lines.find((l) => Math.abs(l.box.x + l.box.width / 2 - p.x) < 20 && Math.abs(l.box.y + 10 - p.y) < 15)?.text),
  });
  const engine = new Engine({
    screen, input, grounder: ladder, store, policy: Policy.load(), confirmer, logger: nullLogger,
    config: { engine: { maxSteps: 50, stepTimeoutMs: 10_000, runTimeoutMs: 60_000 }, safety: { confirmTimeoutMs: 2000, allowApps: [] } },
  });
  const run = () => engine.run({ source, title: macro.name, kind: 'macro' });
  return { run, input, source, asked, screenText, store };
}

describe('macro replay', () => {
  it('fills parameters, decides if-visible on the screen and repeats for each CSV row', async () => {
    const yaml = [
      'name: Fill',
      'params: { who: { type: string }, greeting: { default: Hello } }',
      'steps:',
      '  - type "{{greeting}} {{who}}" into "Name"',
      '  - if: { visible: "Error" }',
      `    then: [ 'click "OK"' ]`,
      `    else: [ 'press tab' ]`,
      '  - repeat: { for_each_row: items.csv }',
      `    steps: [ 'type "{{row.item}}" into "Name"', 'press enter' ]`,
    ].join('\n');
    const s = setup(yaml, { lines: [line('Name', 40, 100)], params: { who: 'Ada' }, rows: 'item\npen\n"ink, blue"\n' });
    const result = await s.run();
    expect(result.error).toBeUndefined();
    expect(result.run.source).toBe('macro');
    const typed = s.input.calls.filter((c) => c.op === 'type').map((c) => (c as { text: string }).text);
    expect(typed).toEqual(['Hello Ada', 'pen', 'ink, blue']);
    const keys = s.input.calls.filter((c) => c.op === 'key').map((c) => (c as { keys: string[] }).keys.join('+'));
    expect(keys).toEqual(['tab', 'enter', 'enter']);
    expect(result.steps.map((r) => r.resolution?.source ?? '-')).toContain('ladder:text');
  });

  it('finds a target whose text changed by its landmarks, and records a repair with the new text', async () => {
    const yaml = [
      'name: Moved',
      'steps:',
      '  - do: click "Apply"',
      '    anchors: { text: Apply, landmarks: [ { text: Amount, dx: 0, dy: 60 }, { text: Total, dx: 100, dy: 60 } ] }',
    ].join('\n');
    // "Apply" now reads "Use": only the landmarks still know where it is (moved 200 px right).
    const s = setup(yaml, { lines: [line('Amount', 270, 90), line('Total', 175, 90), line('Use', 285, 140)] });
    const result = await s.run();
    expect(result.error).toBeUndefined();
    const click = s.input.calls.find((c) => c.op === 'click');
    expect(click).toMatchObject({ at: { x: 300, y: 160 } });
    expect(result.steps[0]!.resolution).toMatchObject({ source: 'ladder:landmarks' });
    expect(s.source.repairs).toHaveLength(1);
    expect(s.source.repairs[0]).toMatchObject({ path: ['steps', 0], text: { from: 'Apply', to: 'Use' }, anchors: { text: 'Use' } });
    expect(s.source.repairs[0]!.reason).toMatch(/found by landmarks, not by text/);
  });

  it('notes a landmark that moved relative to a target still found by its text', async () => {
    const yaml = ['name: L', 'steps:', '  - do: click "Apply"', '    anchors: { landmarks: [ { text: Amount, dx: 0, dy: 60 } ] }'].join('\n');
    const s = setup(yaml, { lines: [line('Amount', 100, 90), line('Apply', 100, 240)] });
    const result = await s.run();
    expect(result.status).toBe('succeeded');
    expect(s.source.repairs[0]).toMatchObject({ anchors: { landmarks: [{ text: 'Amount', dx: -5, dy: 150 }] }, reason: 'landmark "Amount" moved' });
  });

  it('an irreversible step found only by a lower rung fails closed: asks, and clicks nothing when denied', async () => {
    const yaml = ['name: Irr', 'steps:', '  - do: click "Apply"', '    irreversible: true', '    anchors: { landmarks: [ { text: Amount, dx: 0, dy: 60 }, { text: Total, dx: 100, dy: 60 } ] }'].join('\n');
    const s = setup(yaml, { lines: [line('Amount', 270, 90), line('Total', 175, 90)] });
    const result = await s.run();
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('GROUNDING');
    expect(result.error?.message).toMatch(/irreversible step "click "Apply"" not done: "Apply" was found only by landmarks .* not by text as recorded/);
    expect(s.input.calls.filter((c) => c.op === 'click')).toHaveLength(0);
    expect(s.asked[0]?.reasons[0]).toMatch(/^irreversible step:/);
  });

  it('the same irreversible step runs when a person allows it', async () => {
    const yaml = ['name: Irr', 'steps:', '  - do: click "Apply"', '    irreversible: true', '    anchors: { landmarks: [ { text: Amount, dx: 0, dy: 60 }, { text: Total, dx: 100, dy: 60 } ] }'].join('\n');
    const s = setup(yaml, { lines: [line('Amount', 270, 90), line('Total', 175, 90)], answers: ['allow_once'] });
    const result = await s.run();
    expect(result.status).toBe('succeeded');
    expect(s.input.calls.filter((c) => c.op === 'click')).toHaveLength(1);
  });

  it('applies on_error: skip goes on, retry tries again, fail stops the run', async () => {
    const skip = setup(['name: S', 'steps:', '  - do: click "Missing"', '    on_error: skip', '  - press enter'].join('\n'), { lines: [] });
    const r1 = await skip.run();
    expect(r1.status).toBe('succeeded');
    expect(skip.source.skipped[0]).toMatch(/click "Missing" \(test\.yaml:3\)/);
    expect(skip.input.calls.map((c) => c.op)).toEqual(['key']);

    const retry = setup(['name: R', 'steps:', '  - do: click "Missing"', '    on_error: { retry: 2 }', '  - press enter'].join('\n'), { lines: [] });
    const r2 = await retry.run();
    expect(r2.status).toBe('failed');
    expect(r2.steps.filter((st) => st.outcome === 'failed')).toHaveLength(3);
    expect(retry.input.calls).toHaveLength(0);

    const ask = setup(['name: A', 'steps:', '  - do: click "Missing"', '    on_error: ask', '  - press enter'].join('\n'), { lines: [] });
    const r3 = await ask.run();
    expect(r3.status).toBe('failed');
    expect(ask.asked[0]?.reasons[0]).toMatch(/the step failed: .*go on with the next step\?/);
    expect(ask.input.calls).toHaveLength(0);
  });

  it('a postcondition that never holds fails the run with what was expected', async () => {
    const yaml = ['name: P', 'steps:', '  - do: click "Save"', '    expect: { text: Done, within: 0.3 }', '  - press enter'].join('\n');
    const s = setup(yaml, { lines: [line('Save', 100, 100)] });
    const result = await s.run();
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('MACRO_EXPECT_FAILED');
    expect(result.error?.message).toMatch(/click "Save" \(test\.yaml:3\): expected "Done" to appear within 0\.3s/);
    expect(s.input.calls.map((c) => c.op)).toEqual(['click']);
  });

  it('does not trust a template match that the landmarks on screen contradict', async () => {
    const lines = [line('Amount', 270, 90), line('Total', 175, 90)];
    const text = new TextGrounder(() => Promise.resolve({ lines }));
    // The crop matches far from where both landmarks put the target.
    const template = { name: 'template', locate: () => Promise.resolve({ point: { x: 600, y: 500 }, confidence: 0.9, source: 'template', alternatives: [] }) };
    const ladder = new LadderGrounder({ rungs: { text, template } });
    const frame = (await FixtureScreenSource.solid(800, 600).capture());
    const anchors = { template: '001.png', landmarks: [{ text: 'Amount', dx: 0, dy: 60 }, { text: 'Total', dx: 100, dy: 60 }] };
    const r = await ladder.climb({ frame, displays: [] }, { text: 'Apply' }, anchors);
    expect(r.rung).toBe('landmarks');
    expect(r.location.point).toEqual({ x: 300, y: 160 });
    expect(r.tried.join('; ')).toMatch(/template: its match is \d+ px from where the landmarks put the target/);
    // Without landmarks on screen, the template's answer stands.
    lines.length = 0;
    expect((await ladder.climb({ frame, displays: [] }, { text: 'Apply' }, anchors)).rung).toBe('template');
  });
});
