import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCsv, parseMacro, resolveParams, serializeMacro, substitute, substituteDeep } from '../../../src/macros/index.js';
import { UserInputError } from '../../../src/shared/errors.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'macros');
const expense = readFileSync(path.join(fixtures, 'expense.yaml'), 'utf8');

function errorOf(text: string): UserInputError {
  try {
    parseMacro(text, 'm.yaml');
  } catch (err) {
    if (err instanceof UserInputError) return err;
    throw err;
  }
  throw new Error('expected the macro to be rejected');
}

describe('macro file', () => {
  it('reads every step form: command lines, do, if/then/else and repeat, with anchors and policies', () => {
    const m = parseMacro(expense, 'expense.yaml');
    expect(m.name).toBe('Submit expense');
    expect(m.params?.['amount']).toEqual({ type: 'number', default: 10 });
    expect(m.program.map((n) => n.type)).toEqual(['action', 'action', 'action', 'action', 'if', 'repeat']);
    const submit = m.program[2]!;
    expect(submit).toMatchObject({
      type: 'action',
      irreversible: true,
      onError: 'ask',
      step: { kind: 'click', target: { text: 'Submit' }, irreversible: true },
      anchors: { template: '003.png', landmarks: [{ text: 'Amount', dx: 0, dy: 60 }] },
      expect: { text: 'Saved' },
      path: ['steps', 2],
      where: { line: 9, column: 5 },
    });
    const cond = m.program[4]!;
    expect(cond.type === 'if' && [cond.visible, cond.target.text, cond.then.length, cond.else.length]).toEqual([true, 'Error', 1, 1]);
    const rep = m.program[5]!;
    expect(rep.type === 'repeat' && rep.forEachRow).toBe('data.csv');
    expect(rep.type === 'repeat' && rep.steps[0]?.type === 'action' && rep.steps[0].step).toMatchObject({ kind: 'type', text: '{{row.name}}' });
  });

  it('points a bad command inside a YAML string at its own line and column in the file', () => {
    const e = errorOf(expense.replace('  - do: click "Submit"', '  - do: clik "Submit"'));
    expect(e.message).toMatch(/^m\.yaml:9:9: unknown command "clik"; did you mean "click"\?/);
    const quoted = errorOf(expense.replace(`then: [ 'click "OK"' ]`, `then: [ 'click "OK" twice' ]`));
    expect([quoted.line, quoted.column]).toEqual([21, 25]);
    expect(quoted.message).toMatch(/twice/);
  });

  it('names the key and place of a schema error, and suggests nothing silently', () => {
    expect(errorOf(expense.replace('offset: [4, 2]', 'ofset: [4, 2]')).message).toBe('m.yaml:15:7: steps[2].anchors.ofset: unknown key "ofset"');
    expect(errorOf(expense.replace('on_error: ask', 'on_error: maybe')).message).toMatch(/^m\.yaml:11:5: steps\[2\]\.on_error: on_error is ask, skip, fail or \{ retry: N \}/);
    expect(errorOf(expense.replace('type: number', 'type: numbr')).message).toMatch(/^m\.yaml:4:13: params\.amount\.type/);
    expect(errorOf('name: x\nsteps: []\n').message).toMatch(/^m\.yaml:2:1: steps: a macro needs at least one step/);
    expect(errorOf('name: x\nsteps:\n  - click: "Save"\n').message).toMatch(/^m\.yaml:3:5: a step mapping needs do, step, if or repeat \(found click\)/);
    expect(errorOf('name: x\nsteps:\n  - click "a"\n   bad: [1\n').message).toMatch(/^m\.yaml:\d+:\d+: not valid YAML/);
  });

  it('accepts a structured Step object and rejects a bad one with its path', () => {
    const ok = parseMacro('name: s\nsteps:\n  - step: { kind: key, keys: ctrl+s }\n    on_error: { retry: 2 }\n');
    expect(ok.program[0]).toMatchObject({ type: 'action', step: { kind: 'key', keys: 'ctrl+s', repeat: 1 }, onError: { retry: 2 } });
    const bad = errorOf('name: s\nsteps:\n  - step: { kind: key, keys: ctrl+s, times: 3 }\n');
    expect(bad.message).toMatch(/^m\.yaml:3:\d+: steps\[0\]\.step/);
  });

  it('writes a file that reads back to the same macro, with anchors on one line each', () => {
    const m = parseMacro(expense, 'expense.yaml');
    const text = serializeMacro(m);
    const again = parseMacro(text, 'again.yaml');
    expect(again.steps).toEqual(m.steps);
    expect(again.params).toEqual(m.params);
    expect(again.program.map((n) => n.type)).toEqual(m.program.map((n) => n.type));
    expect(text).toContain('landmarks: [ { text: Amount, dx: 0, dy: 60 } ]');
    expect(text).not.toContain('program');
  });

  it('keeps a list of step mappings one step per line (never folds it into one flow line)', () => {
    const m = parseMacro('name: s\nsteps:\n  - do: click "A"\n    anchors: { text: A }\n  - do: click "B"\n    anchors: { text: B }\n  - repeat: { for_each_row: data.csv }\n    steps:\n      - do: type "x"\n      - do: press enter\n', 's.yaml');
    const text = serializeMacro(m);
    expect(parseMacro(text, 'again.yaml').steps).toEqual(m.steps);
    expect(text).toMatch(/^ {2}- do: click "A"$/m);
    expect(text).toMatch(/^ {2}- do: click "B"$/m);
    expect(text).toMatch(/^ {6}- do: type "x"$/m);
    expect(text).toContain('anchors: { text: A }');
  });
});

describe('macro parameters', () => {
  const declared = { amount: { type: 'number' as const, default: 10 }, who: { type: 'string' as const }, urgent: { type: 'boolean' as const, default: false } };

  it('fills defaults, converts given values by type, and requires the ones without a default', () => {
    expect(resolveParams(declared, { who: 'Ada', amount: '12.5', urgent: 'yes' })).toEqual({ amount: 12.5, who: 'Ada', urgent: true });
    expect(() => resolveParams(declared, {})).toThrow(/missing required parameter "who": give it with --param who=VALUE/);
    expect(() => resolveParams(declared, { who: 'a', amount: 'ten' })).toThrow(/"amount" must be a number, got "ten"/);
    expect(() => resolveParams(declared, { who: 'a', colour: 'red' })).toThrow(/unknown parameter "colour"/);
  });

  it('substitutes params and row columns, leaves secrets for the driver, and refuses unknown names', () => {
    expect(substitute('{{amount}} by {{ who }} for {{row.name}} pw {{secret:BANK}}', { amount: 12, who: 'Ada' }, { name: 'Bob' })).toBe('12 by Ada for Bob pw {{secret:BANK}}');
    expect(() => substitute('{{amout}}', { amount: 1 })).toThrow(/\{\{amout\}\} is not a parameter/);
    expect(() => substitute('{{row.nme}}', {}, { name: 'x' })).toThrow(/no column "nme" \(columns: name\)/);
    expect(substituteDeep({ kind: 'type', text: '{{who}}', target: { text: 'Name {{who}}' } }, { who: 'Ada' }, undefined)).toEqual({ kind: 'type', text: 'Ada', target: { text: 'Name Ada' } });
  });
});

describe('CSV rows', () => {
  it('reads a header row and quoted fields with commas, doubled quotes and newlines', () => {
    const rows = parseCsv('name,amount,note\r\nAda,12,"lunch, with team"\n"Bob ""B""",3,"two\nlines"\n\n');
    expect(rows).toEqual([
      { name: 'Ada', amount: '12', note: 'lunch, with team' },
      { name: 'Bob "B"', amount: '3', note: 'two\nlines' },
    ]);
  });

  it('says which line has the wrong number of fields', () => {
    expect(() => parseCsv('a,b\n1,2\n3\n', 'rows.csv')).toThrow(/^rows\.csv:3:1: expected 2 fields \(a, b\), found 1/);
    expect(() => parseCsv('', 'rows.csv')).toThrow(/empty/);
  });
});
