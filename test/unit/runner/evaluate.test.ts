import { describe, expect, it, vi } from 'vitest';
import { compare, parseCsv } from '../../../src/runner/tasks/compare.js';
import { evaluate, evaluateSettled, RETRY_PAUSES_MS, type Getters } from '../../../src/runner/tasks/evaluate.js';
import { Evaluator } from '../../../src/runner/tasks/schema.js';

function getters(
  values: Partial<Record<'command' | 'file' | 'screen' | 'title' | 'clipboard', string | Error>>,
): Getters {
  const give = (v: string | Error | undefined) =>
    v instanceof Error ? Promise.reject(v) : Promise.resolve(v ?? '');
  return {
    command: () => give(values.command),
    file: () => give(values.file),
    screenText: () => give(values.screen),
    windowTitle: () => give(values.title),
    clipboard: () => give(values.clipboard),
  };
}

describe('comparisons', () => {
  it('exact ignores trailing whitespace only', () => {
    expect(compare('exact', 'hello\n', 'hello').passed).toBe(true);
    expect(compare('exact', ' hello', 'hello').passed).toBe(false);
    expect(compare('exact', 'Hello', 'hello').passed).toBe(false);
  });

  it('contains and regex (multiline)', () => {
    expect(compare('contains', 'Saved 3 files', '3 files').passed).toBe(true);
    expect(compare('contains', 'Saved 3 files', '4 files').passed).toBe(false);
    expect(compare('regex', 'a\nCount: 12\nb', '^Count: \\d+$').passed).toBe(true);
    expect(compare('regex', 'Count: x', '^Count: \\d+$').passed).toBe(false);
  });

  it('json: deep equality, key order free, array order kept, bad JSON explained', () => {
    expect(compare('json', '{"b": [1, 2], "a": {"x": null}}', { a: { x: null }, b: [1, 2] }).passed).toBe(
      true,
    );
    expect(compare('json', '{"b": [2, 1]}', { b: [1, 2] }).passed).toBe(false);
    expect(compare('json', '{"a": 1, "extra": 2}', { a: 1 }).passed).toBe(false);
    const bad = compare('json', '{oops', { a: 1 });
    expect(bad.passed).toBe(false);
    expect(bad.detail).toMatch(/not JSON/);
  });

  it('csv: rows and cells, quotes, blank lines and cell spaces ignored, numbers as text', () => {
    expect(parseCsv('a, "b,c" ,"say ""hi"""\r\n\n1,2,3\n')).toEqual([
      ['a', 'b,c', 'say "hi"'],
      ['1', '2', '3'],
    ]);
    expect(
      compare('csv', 'fruit,qty\napple,3\n', [
        ['fruit', 'qty'],
        ['apple', 3],
      ]).passed,
    ).toBe(true);
    expect(compare('csv', 'fruit,qty\napple,3\n', 'fruit, qty\napple ,3').passed).toBe(true);
    const r = compare('csv', 'fruit,qty\napple,4\n', [
      ['fruit', 'qty'],
      ['apple', 3],
    ]);
    expect(r).toEqual({ passed: false, detail: 'row 2 is ["apple","4"], expected ["apple","3"]' });
    expect(compare('csv', 'a\nb\n', [['a']]).detail).toBe('2 rows, expected 1');
  });
});

describe('evaluate', () => {
  it('a single check: reports getter, comparison, expected and actual', async () => {
    const v = await evaluate(Evaluator.parse({ file: 'out.txt', exact: '42' }), getters({ file: '41\n' }));
    expect(v).toEqual({
      passed: false,
      conj: 'and',
      checks: [
        { getter: 'file out.txt', comparison: 'exact', expected: '42', actual: '41\n', passed: false },
      ],
    });
  });

  it('and needs every check, or needs one; every check runs so the report shows all', async () => {
    const checks = [
      { window_title: true, contains: 'Mousepad' },
      { clipboard: true, exact: 'copied' },
    ];
    const and = await evaluate(
      Evaluator.parse({ conj: 'and', checks }),
      getters({ title: 'notes - Mousepad', clipboard: 'other' }),
    );
    expect(and.passed).toBe(false);
    expect(and.checks.map((c) => c.passed)).toEqual([true, false]);
    const or = await evaluate(
      Evaluator.parse({ conj: 'or', checks }),
      getters({ title: 'notes - Mousepad', clipboard: 'other' }),
    );
    expect(or.passed).toBe(true);
  });

  it('a getter that fails makes its check fail with the reason, not the whole run', async () => {
    const v = await evaluate(
      Evaluator.parse({ command: 'cat nope', exact: 'x' }),
      getters({ command: new Error('`cat nope` failed (exit 1): No such file') }),
    );
    expect(v.passed).toBe(false);
    expect(v.checks[0]).toMatchObject({
      getter: 'output of `cat nope`',
      actual: null,
      detail: '`cat nope` failed (exit 1): No such file',
    });
  });

  it('not: inverts the comparison', async () => {
    const v = await evaluate(
      Evaluator.parse({ screen_text: true, contains: 'Error', not: true }),
      getters({ screen: 'All good' }),
    );
    expect(v.passed).toBe(true);
    expect(v.checks[0]?.comparison).toBe('not contains');
  });
});

describe('screen text for wait_for', () => {
  it('finds text through OCR noise: case, spacing, a misread letter; not a different phrase', async () => {
    const { screenShows } = await import('../../../src/runner/tasks/screen-match.js');
    const screen = 'table\nEnter the\nerows\nready>';
    expect(screenShows(screen, 'Enter the rows')).toBe(true);
    expect(screenShows('Contactform\nName', 'Contact form')).toBe(true);
    expect(screenShows(screen, 'ready>')).toBe(true);
    expect(screenShows(screen, 'Enter the name')).toBe(false);
    expect(screenShows(screen, 'Saved')).toBe(false);
  });
});

describe('checks that settle', () => {
  const titleIs3 = Evaluator.parse({ window_title: true, regex: '^Count: 3\\b' });

  it('passes once the app catches up (a window title set a moment after the last click)', async () => {
    const titles = ['Count: 2 - Chromium', 'Count: 2 - Chromium', 'Count: 3 - Chromium'];
    let reads = 0;
    const v = await evaluateSettled(titleIs3, () => getters({ title: titles[Math.min(reads++, 2)] }), 2000, undefined, [5]);
    expect(v.passed).toBe(true);
    expect(reads).toBe(3);
  });

  it('fails with the last actual value when it never comes true, and does not retry with no settle time', async () => {
    let reads = 0;
    const v = await evaluateSettled(titleIs3, () => (reads++, getters({ title: 'Count: 2 - Chromium' })), 60, undefined, [5]);
    expect(v.passed).toBe(false);
    expect(v.checks[0]?.actual).toBe('Count: 2 - Chromium');
    expect(reads).toBeGreaterThan(1);
    reads = 0;
    await evaluateSettled(titleIs3, () => (reads++, getters({ title: 'x' })), 0);
    expect(reads).toBe(1);
  });

  it('tries again soon at first, then every 150 ms until the settle time ends', async () => {
    vi.useFakeTimers();
    try {
      const at: number[] = [];
      const settled = evaluateSettled(titleIs3, () => (at.push(Date.now()), getters({ title: 'Count: 2' })), 800);
      await vi.runAllTimersAsync();
      expect((await settled).passed).toBe(false);
      const pauses = at.slice(1).map((t, i) => t - at[i]!);
      expect(pauses.slice(0, RETRY_PAUSES_MS.length)).toEqual(RETRY_PAUSES_MS);
      expect(pauses.slice(RETRY_PAUSES_MS.length).every((p) => p === RETRY_PAUSES_MS.at(-1))).toBe(true);
      expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual(800); // the last try is at or after the settle time
    } finally {
      vi.useRealTimers();
    }
  });
});
