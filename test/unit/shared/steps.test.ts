import { describe, expect, it } from 'vitest';
import { Step, describeStep, stepTargets } from '../../../src/shared/steps.js';

describe('the Step union', () => {
  it('fills defaults a person leaves out', () => {
    const step = Step.parse({ kind: 'click', target: { text: 'Save' } });
    expect(step).toMatchObject({ kind: 'click', button: 'left', count: 1 });
    expect(describeStep(step)).toBe('click "Save"');
  });

  it('round-trips through JSON as storage keeps it', () => {
    const steps = [
      { kind: 'drag', from: { text: 'a.txt' }, to: { text: 'Trash' } },
      { kind: 'type', text: 'hello {{secret:PIN}}', target: { text: 'Name', relation: { kind: 'right_of', text: 'Label' } } },
      { kind: 'scroll', direction: 'down', amount: 3, target: { description: 'the results list' } },
      { kind: 'wait', for: { text: 'Saved' }, timeoutMs: 10_000 },
      { kind: 'launch', app: 'mousepad' },
      { kind: 'done', success: false, summary: 'cannot find the form' },
    ].map((s) => Step.parse(s));
    for (const s of steps) expect(Step.parse(JSON.parse(JSON.stringify(s)))).toEqual(s);
    expect(steps.map(describeStep)).toEqual([
      'drag "a.txt" to "Trash"',
      'type "hello {{secret:PIN}}" into "Name" right of "Label"',
      'scroll down 3 in the results list',
      'wait for "Saved" 10s',
      'open "mousepad"',
      'give up: cannot find the form',
    ]);
    expect(stepTargets(steps[0]!)).toHaveLength(2);
  });

  it('rejects a target with no way to find it, unknown kinds and stray fields', () => {
    expect(Step.safeParse({ kind: 'click', target: {} }).success).toBe(false);
    expect(Step.safeParse({ kind: 'explode' }).success).toBe(false);
    expect(Step.safeParse({ kind: 'key', keys: 'ctrl+s', extra: 1 }).success).toBe(false);
    expect(Step.safeParse({ kind: 'click', target: { text: 'OK' }, count: 4 }).success).toBe(false);
  });
});
