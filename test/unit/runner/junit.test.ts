import { describe, expect, it } from 'vitest';
import { junitXml } from '../../../src/runner/reporters/junit.js';
import type { SuiteResult, TaskResult } from '../../../src/runner/suite/results.js';
import { find, parseXml } from './xml-check.js';

const nasty = 'say "hi" & <b>bye</b> \u0007 ]]> \'quote\'';

function task(id: string, file: string, over: Partial<TaskResult>): TaskResult {
  return {
    id,
    file,
    tags: [],
    status: 'passed',
    ok: true,
    durationMs: 1500,
    attempts: [
      {
        attempt: 1,
        status: 'passed',
        steps: [],
        log: ['setup: launch xterm', 'step 1: click "OK"'],
        durationMs: 1500,
      },
    ],
    ...over,
  };
}

const result: SuiteResult = {
  startedAt: '2026-01-02T03:04:05.678Z',
  durationMs: 4200,
  workers: 2,
  ok: false,
  counts: {
    passed: 1,
    flaky: 1,
    failed: 1,
    error: 0,
    expected_failure: 0,
    unexpected_pass: 0,
    skipped: 1,
    load_error: 1,
  },
  loadErrors: [{ file: 'broken.yaml', line: 3, column: 5, message: 'unknown key "stepz"' }],
  tasks: [
    task('ok-task', 'a.yaml', {}),
    task('flaky-task', 'a.yaml', {
      status: 'flaky',
      attempts: [
        { attempt: 1, status: 'failed', steps: [], log: [], durationMs: 1 },
        { attempt: 2, status: 'passed', steps: [], log: [], durationMs: 1 },
      ],
    }),
    task('bad-task', 'b.yaml', {
      status: 'failed',
      ok: false,
      attempts: [
        {
          attempt: 1,
          status: 'failed',
          error: {
            name: 'EvaluationFailed',
            code: 'EVALUATION_FAILED',
            message: `evaluator failed: ${nasty}`,
          },
          steps: [
            {
              index: 0,
              text: `type ${JSON.stringify(nasty)}`,
              outcome: 'succeeded',
              timings: {},
              durationMs: 10,
            },
          ],
          verdict: {
            passed: false,
            conj: 'and',
            checks: [
              {
                getter: 'file out.txt',
                comparison: 'exact',
                expected: '42',
                actual: `41 ${nasty}`,
                passed: false,
              },
            ],
          },
          log: [`step 1: type ${nasty}`],
          durationMs: 2000,
        },
      ],
    }),
    task('later-task', 'b.yaml', {
      status: 'skipped',
      attempts: [],
      durationMs: 0,
      notRun: 'not run: stopped after 1 failed task (max failures 1)',
    }),
  ],
};

describe('JUnit XML', () => {
  const xml = junitXml(result);
  const doc = parseXml(xml);

  it('is well-formed even with quotes, ampersands, tags and control characters in the values', () => {
    expect(doc.name).toBe('testsuites');
    expect(xml).not.toContain('\u0007');
  });

  it('has a testsuite per file and a testcase per task (classname = file, name = id, time in s)', () => {
    const suites = find(doc, 'testsuite');
    expect(suites.map((s) => s.attrs['name'])).toEqual(['a.yaml', 'b.yaml', 'broken.yaml']);
    expect(doc.attrs).toMatchObject({ tests: '5', failures: '1', errors: '1', skipped: '1' });
    expect(suites.map((s) => s.attrs['skipped'])).toEqual(['0', '1', '0']);
    const cases = find(doc, 'testcase');
    expect(cases.map((c) => [c.attrs['classname'], c.attrs['name'], c.attrs['time']])).toEqual([
      ['a.yaml', 'ok-task', '1.50'],
      ['a.yaml', 'flaky-task', '1.50'],
      ['b.yaml', 'bad-task', '1.50'],
      ['b.yaml', 'later-task', '0.00'],
      ['broken.yaml', 'load broken.yaml:3:5', '0'],
    ]);
  });

  it('a task not run (--max-failures) is a skipped case with the reason, not a failure', () => {
    const later = find(doc, 'testcase').find((c) => c.attrs['name'] === 'later-task')!;
    expect(find(later, 'skipped')[0]!.attrs['message']).toBe('not run: stopped after 1 failed task (max failures 1)');
    expect(find(later, 'failure')).toEqual([]);
    expect(find(later, 'system-out')[0]!.text).toMatch(/^status: skipped/);
  });

  it('a failure carries the reason and actual vs expected; system-out the step log', () => {
    const bad = find(doc, 'testcase').find((c) => c.attrs['name'] === 'bad-task')!;
    const failure = find(bad, 'failure')[0]!;
    expect(failure.attrs['message']).toBe(`evaluator failed: ${nasty.replace('\u0007', '\uFFFD')}`);
    expect(failure.attrs['type']).toBe('EVALUATION_FAILED');
    expect(failure.text).toContain('expected: "42"');
    expect(failure.text).toContain('actual:   "41 say \\"hi\\" & <b>bye</b>');
    expect(find(bad, 'system-out')[0]!.text).toContain('step 1: type say "hi" & <b>bye</b>');
  });

  it('a flaky task passes (no failure element) and says so; a bad file is an error case', () => {
    const flaky = find(doc, 'testcase').find((c) => c.attrs['name'] === 'flaky-task')!;
    expect(find(flaky, 'failure')).toEqual([]);
    expect(find(flaky, 'system-out')[0]!.text).toMatch(/^status: flaky after 2 attempts/);
    const load = find(doc, 'testcase').find((c) => c.attrs['classname'] === 'broken.yaml')!;
    expect(find(load, 'error')[0]!.attrs['message']).toBe('broken.yaml:3:5: unknown key "stepz"');
  });

  it('a task that did not pass names its kept screenshots for CI, relative to the report', () => {
    const dir = '/ci/project/test-results';
    const shot = (name: string) => `${dir}/screenshots/${name}.png`;
    const steps = [
      { index: 0, text: 'click "OK"', outcome: 'succeeded' as const, timings: {}, durationMs: 5, before: shot('s1-before'), after: shot('s1-after') },
      { index: 1, text: 'click "Send"', outcome: 'failed' as const, timings: {}, durationMs: 5, before: shot('s1-after'), annotated: shot('s2-target'), after: shot('s2-after') },
    ];
    const attempt = { attempt: 1, status: 'failed' as const, steps, log: [], durationMs: 10 };
    const withShots: SuiteResult = {
      ...result,
      loadErrors: [],
      tasks: [
        task('failed-task', 'c.yaml', { status: 'failed', ok: false, attempts: [attempt] }),
        task('passed-task', 'c.yaml', { attempts: [{ ...attempt, status: 'passed' }] }),
        task('evaluator-failed', 'c.yaml', { status: 'failed', ok: false, attempts: [{ ...attempt, steps: [steps[0]!] }] }),
        // Screenshots that were not kept under the report's dir are not named.
        task('elsewhere', 'c.yaml', { status: 'failed', ok: false, attempts: [{ ...attempt, steps: [{ ...steps[0]!, before: '/tmp/w/a.png', after: '/tmp/w/b.png' }] }] }),
      ],
    };
    const out = (name: string) =>
      find(find(parseXml(junitXml(withShots, dir)), 'testcase').find((c) => c.attrs['name'] === name)!, 'system-out')[0]!.text;
    // The failed step's screen with its target drawn, then the screen after it.
    expect(out('failed-task').split('\n').filter((l) => l.startsWith('[['))).toEqual([
      '[[ATTACHMENT|screenshots/s2-target.png]]',
      '[[ATTACHMENT|screenshots/s2-after.png]]',
    ]);
    // Every step succeeded (the evaluator failed): the screen the checks saw, then the one before the last step.
    expect(out('evaluator-failed').split('\n').filter((l) => l.startsWith('[['))).toEqual([
      '[[ATTACHMENT|screenshots/s1-after.png]]',
      '[[ATTACHMENT|screenshots/s1-before.png]]',
    ]);
    expect(out('passed-task')).not.toContain('[[ATTACHMENT');
    expect(out('elsewhere')).not.toContain('[[ATTACHMENT');
    // Without the report's dir (no screenshots kept), none are named.
    expect(junitXml(withShots)).not.toContain('[[ATTACHMENT');
  });

  it('the checker itself rejects broken XML (so these tests can fail)', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow();
    expect(() => parseXml('<a x="1 & 2"/>')).toThrow();
    expect(() => parseXml('<a>1 < 2</a>')).toThrow();
  });
});
