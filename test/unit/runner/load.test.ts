import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTaskFile } from '../../../src/runner/tasks/load.js';
import { planSuite } from '../../../src/runner/suite/plan.js';

const messages = (r: ReturnType<typeof parseTaskFile>) => r.errors.map((e) => e.message);

describe('task file loader', () => {
  it('loads one task, or a list under tasks:, with defaults and the line each task starts on', () => {
    const one = parseTaskFile('one.yaml', 'id: a\nsteps: [click "OK"]\n');
    expect(one.errors).toEqual([]);
    expect(one.tasks[0]?.spec).toMatchObject({
      id: 'a',
      timeout: 60,
      setup: [],
      tags: [],
      expected_failure: false,
    });
    const many = parseTaskFile(
      'many.yaml',
      'tasks:\n  - id: a\n    steps: [press enter]\n  - id: b\n    instruction: open the editor\n',
    );
    expect(many.tasks.map((t) => [t.spec.id, t.line])).toEqual([
      ['a', 2],
      ['b', 4],
    ]);
  });

  it('reads JSON task files too, with positions', () => {
    const r = parseTaskFile(
      't.json',
      '{\n  "id": "j",\n  "steps": ["press enter"],\n  "timeout": "soon"\n}\n',
    );
    expect(messages(r)).toEqual([
      't.json:4:14: task "j": timeout: Invalid input: expected number, received string',
    ]);
  });

  it('points at an unknown key, a bad value and a missing source with file:line:col', () => {
    const text = [
      'tasks:',
      '  - id: good',
      '    steps: [press enter]',
      '  - id: typo',
      '    step: [press enter]',
      '  - id: bad-setup',
      '    steps: [press enter]',
      '    setup:',
      '      - launch: xterm',
      '      - wait_for: { window: 3 }',
    ].join('\n');
    const r = parseTaskFile('suite.yaml', text);
    expect(r.tasks.map((t) => t.spec.id)).toEqual(['good']);
    const ms = messages(r);
    expect(ms).toContain('suite.yaml:5:5: task "typo": unknown key "step"');
    expect(ms).toContain('suite.yaml:4:5: task "typo": a task needs steps, a macro or an instruction');
    expect(ms.find((m) => m.startsWith('suite.yaml:10:9: task "bad-setup": setup.1: '))).toMatch(
      /wait_for: \{window: "title"\}/,
    );
  });

  it('maps a mistyped command to its column in the file, in lists, quoted strings and blocks', () => {
    const list = parseTaskFile(
      'l.yaml',
      'id: l\nsteps:\n  - click "OK"\n  - "press enter; clik \\"Cancel\\""\n',
    );
    expect(messages(list)).toEqual(['l.yaml:4:19: task "l": unknown command "clik"; did you mean "click"?']);
    const block = parseTaskFile('b.yaml', 'id: b\nsteps: |\n  click "OK"\n  tpye "hi"\n');
    expect(messages(block)).toEqual(['b.yaml:4:3: task "b": unknown command "tpye"; did you mean "type"?']);
  });

  it('loads a task that replays a macro with parameters', () => {
    const r = parseTaskFile('m.yaml', 'id: m\nmacro: macros/fill.yaml\nparams: { who: Ada, count: 2 }\n');
    expect(r.errors).toEqual([]);
    expect(r.tasks[0]?.spec).toMatchObject({ macro: 'macros/fill.yaml', params: { who: 'Ada', count: 2 } });
  });

  it('reports a YAML syntax error at its place and loads nothing from that file', () => {
    const r = parseTaskFile('s.yaml', 'id: s\nsteps: [click "OK"\nsetup: []\n');
    expect(r.tasks).toEqual([]);
    expect(messages(r)[0]).toMatch(/^s\.yaml:\d+:\d+: syntax error: /);
  });

  it('rejects duplicate ids and checks with two getters or no comparison', () => {
    const r = parseTaskFile(
      'd.yaml',
      'tasks:\n  - id: x\n    steps: [press a]\n  - id: x\n    steps: [press b]\n',
    );
    expect(messages(r)).toEqual(['d.yaml:4:9: duplicate task id "x"']);
    expect(r.tasks).toHaveLength(1);
    const two = parseTaskFile(
      'g.yaml',
      'id: g\nsteps: [press a]\nevaluator: { file: a.txt, command: ls, exact: "1" }\n',
    );
    expect(messages(two)).toEqual([
      'g.yaml:3:12: task "g": evaluator: a check needs exactly one getter (command, file, screen_text, window_title, clipboard), found command, file',
    ]);
    const r2 = parseTaskFile('e.yaml', 'id: e\nsteps: [press a]\nevaluator:\n  file: out.txt\n');
    expect(messages(r2)[0]).toMatch(/^e\.yaml:4:3: task "e": evaluator: .*exactly one comparison/);
  });
});

describe('a malformed file does not stop the others', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'deskpilot-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("plans the good files' tasks and lists the bad file's errors", async () => {
    writeFileSync(path.join(dir, 'a-good.yaml'), 'id: fine\nsteps: [press enter]\n');
    writeFileSync(path.join(dir, 'b-broken.yaml'), 'id: broken\nsteps: [press enter\n');
    writeFileSync(path.join(dir, 'c-good.json'), '{"tasks": [{"id": "also-fine", "steps": "press tab"}]}');
    const plan = await planSuite(['*.yaml', '*.json'], { cwd: dir });
    expect(plan.tasks.map((t) => t.spec.id)).toEqual(['fine', 'also-fine']);
    expect(plan.loadErrors).toHaveLength(1);
    expect(plan.loadErrors[0]).toMatchObject({ file: 'b-broken.yaml', line: expect.any(Number) as number });
    expect(plan.loadErrors[0]?.message).toMatch(/syntax error/);
  });

  it('reports a named file that does not exist', async () => {
    const plan = await planSuite(['missing.yaml'], { cwd: dir });
    expect(plan.loadErrors).toEqual([{ file: 'missing.yaml', message: 'task file not found' }]);
  });
});
