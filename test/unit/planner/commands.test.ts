import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../../src/shared/errors.js';
import { describeStep } from '../../../src/shared/steps.js';
import { parseCommands } from '../../../src/planner/commands/parse.js';

const steps = (s: string) => parseCommands(s).map((c) => c.step);

describe('direct commands', () => {
  it('parses every command of the language into Steps', () => {
    const script = [
      'click "Save"',
      'double-click "report.txt"; right-click "Desktop"',
      'type "hello" into "Name"',
      'press ctrl+s',
      'scroll down 3 in "Results"',
      'drag "a.txt" to "Trash"',
      'wait for "Saved" 10s',
      'assert visible "Done"',
      'open "mousepad"',
    ].join('\n');
    expect(steps(script).map(describeStep)).toEqual([
      'click "Save"',
      'double-click "report.txt"',
      'right-click "Desktop"',
      'type "hello" into "Name"',
      'press ctrl+s',
      'scroll down 3 in "Results"',
      'drag "a.txt" to "Trash"',
      'wait for "Saved" 10s',
      'assert visible "Done"',
      'open "mousepad"',
    ]);
  });

  it('understands ordinals, roles, relations, points, modifiers and repeats', () => {
    expect(steps('click the second "Delete"')[0]).toMatchObject({ target: { text: 'Delete', ordinal: 2 } });
    expect(steps('click "Delete" #3')[0]).toMatchObject({ target: { text: 'Delete', ordinal: 3 } });
    expect(steps('type "Ada" into the field right of "Name"')[0]).toMatchObject({
      target: { description: 'field', role: 'field', relation: { kind: 'right_of', text: 'Name' } },
    });
    expect(steps('click "OK" in "Confirm"')[0]).toMatchObject({ target: { text: 'OK', relation: { kind: 'inside', text: 'Confirm' } } });
    expect(steps('click at 640, 400')[0]).toMatchObject({ target: { point: { x: 640, y: 400, space: 'desktop' } } });
    expect(steps('ctrl+click "a.txt"')[0]).toMatchObject({ kind: 'click', modifiers: ['ctrl'] });
    expect(steps('press tab 3 times')[0]).toMatchObject({ kind: 'key', keys: 'tab', repeat: 3 });
    expect(steps('click the close button')[0]).toMatchObject({ target: { description: 'close button', role: 'button' } });
    expect(steps('type "a;b # not a comment"')[0]).toMatchObject({ text: 'a;b # not a comment' });
    expect(steps('# a comment\nwait 500ms')).toEqual([{ kind: 'wait', ms: 500 }]);
  });

  it('points at the column of a mistake and suggests the nearest command', () => {
    const err = (s: string) => {
      try {
        parseCommands(s);
      } catch (e) {
        expect(e).toBeInstanceOf(UserInputError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(err('click "Save"; clik "OK"')).toBe('command:1:15: unknown command "clik"; did you mean "click"?');
    expect(err('click "Save"\n  tpye "x"')).toBe('command:2:3: unknown command "tpye"; did you mean "type"?');
    expect(err('type hello')).toMatch(/^command:1:6: expected the text to type in quotes/);
    expect(err('wait for "Saved" 10')).toMatch(/^command:1:18: give the unit of the duration/);
    expect(err('click "Save" now')).toBe('command:1:14: unexpected "now" here');
    expect(err('click "Save')).toMatch(/^command:1:7: unterminated string/);
    expect(err('drag "a" "b"')).toMatch(/^command:1:10: expected "to"/);
  });
});
