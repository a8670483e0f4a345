import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'deskpilot-test-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function deskpilot(...args: string[]) {
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'bin/deskpilot.js'), '--data-dir', path.join(dir, 'data'), 'test', ...args],
    // In the temp dir: a run's default --output (test-results/, with .last-run.json) lands there.
    { cwd: dir, encoding: 'utf8', env: { ...process.env, DISPLAY: '' }, timeout: 60_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A run in this process (--no-isolate) with no display: every task errors at once, a failure each,
 * quickly. With its list output and its JSON and JUnit reports.
 */
function runWithoutDisplay(suite: string, out: string, ...flags: string[]) {
  const r = deskpilot(suite, '--no-isolate', '--reporter', 'list,json,junit', '--output', out, ...flags);
  const json = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as {
    tasks: { id: string; status: string; notRun?: string; repeat?: number; attempts: unknown[] }[];
  };
  return { ...r, json, junit: readFileSync(path.join(out, 'junit.xml'), 'utf8') };
}

/** A task file in the temp dir whose tasks (these ids) each press Enter; its path. */
function pressEnterSuite(name: string, ...ids: string[]): string {
  const suite = path.join(dir, name);
  writeFileSync(suite, ['tasks:', ...ids.map((id) => `  - { id: ${id}, steps: [press enter] }`), ''].join('\n'));
  return suite;
}

/** `deskpilot test` argument handling; no task runs here, so no display is needed. */
describe('deskpilot test: the command line', () => {
  it('exits 2 with the reason for a bad --shard, --reporter, --grep or --workers', () => {
    expect(deskpilot('x.yaml', '--shard', '3/2')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--shard must be i\/n/) as string,
    });
    expect(deskpilot('x.yaml', '--reporter', 'list,tap')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown reporter "tap"/) as string,
    });
    expect(deskpilot('x.yaml', '--grep', '(')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--grep: not a valid regular expression/) as string,
    });
    expect(deskpilot('x.yaml', '--workers', '0').code).toBe(2);
    expect(deskpilot('x.yaml', '--grep-invert', '[')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--grep-invert: not a valid regular expression/) as string,
    });
  });

  it('exits 1 when nothing matches, or when every file is malformed, with file:line:col', () => {
    const none = deskpilot(path.join(dir, 'nothing-*.yaml'));
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('no task files match');
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'id: bad\nsteps: [press enter]\ntimeout: soon\n');
    const r = deskpilot(bad, '--reporter', 'list,junit', '--output', path.join(dir, 'out'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `✗ ${bad}:3:10: task "bad": timeout: Invalid input: expected number, received string`,
    );
  });

  it('an empty shard of a good suite passes: other shards have the tasks', () => {
    const one = path.join(dir, 'one.yaml');
    writeFileSync(one, 'id: only\nsteps: [press enter]\n');
    const r = deskpilot(
      one,
      '--shard',
      '2/2',
      '--reporter',
      'json',
      '--output',
      path.join(dir, 'out2'),
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, tasks: [], shard: { index: 2, total: 2 } });
  });

  it('--list prints what a run would do after --grep and --shard, and starts nothing', () => {
    const suite = path.join(dir, 'list.yaml');
    writeFileSync(
      suite,
      [
        'tasks:',
        '  - { id: c-task, tags: [x], steps: [press enter] }',
        '  - { id: a-task, tags: [x, slow], steps: [press enter] }',
        '  - { id: b-task, steps: [press enter], expected_failure: true }',
        '  - { id: d-task, tags: [x], steps: [press enter] }',
      ].join('\n') + '\n',
    );
    // A run would write its reports (results.json even for no task): a list writes none.
    const reports = ['--reporter', 'json', '--output', path.join(dir, 'list-out')];
    const all = deskpilot(suite, '--list', ...reports);
    expect(all.code).toBe(0);
    expect(all.stdout.trim().split('\n')).toEqual([
      `${suite} › a-task  @x @slow`,
      `${suite} › b-task  (expected to fail)`,
      `${suite} › c-task  @x`,
      `${suite} › d-task  @x`,
      '4 tasks in 1 file',
    ]);
    // The shard of the tasks --grep kept: the second of every two.
    const picked = deskpilot(suite, '--list', '--grep', '@x', '--shard', '2/2', '--json', ...reports);
    expect(picked.code).toBe(0);
    expect(JSON.parse(picked.stdout)).toEqual({
      tasks: [{ file: suite, id: 'c-task', tags: ['x'] }],
      loadErrors: [],
      shard: { index: 2, total: 2 },
    });
    // --grep-invert leaves out what matches, after --grep.
    const rest = deskpilot(suite, '--list', '--grep', '@x', '--grep-invert', 'slow|d-task');
    expect(rest.stdout.trim().split('\n')).toEqual([`${suite} › c-task  @x`, '1 task in 1 file']);
    expect(existsSync(path.join(dir, 'list-out'))).toBe(false);
    // A malformed file is listed with where it is wrong, and the exit code says so.
    const bad = path.join(dir, 'list-bad.yaml');
    writeFileSync(bad, 'id: bad\nsteps: [press enter]\ntimeout: soon\n');
    const both = deskpilot(suite, bad, '--list', '--grep', 'b-task');
    expect(both.code).toBe(1);
    expect(both.stdout).toContain(`${suite} › b-task`);
    expect(both.stdout).toContain(`✗ ${bad}:3:10: task "bad": timeout:`);
    expect(both.stdout).toContain('1 task in 1 file');
  });

  it('-x and --max-failures n: no task starts after that many failures, the rest are skipped', () => {
    const suite = pressEnterSuite('three.yaml', 'a-one', 'b-two', 'c-three');
    const statuses = (...flags: string[]) => {
      const r = runWithoutDisplay(suite, path.join(dir, `mf-${flags.join('')}`), ...flags);
      expect(r.code).toBe(1);
      return r;
    };
    expect(statuses().json.tasks.map((t) => t.status)).toEqual(['error', 'error', 'error']);
    const x = statuses('-x');
    expect(x.json.tasks.map((t) => [t.id, t.status])).toEqual([
      ['a-one', 'error'],
      ['b-two', 'skipped'],
      ['c-three', 'skipped'],
    ]);
    expect(x.json.tasks[1]!.notRun).toBe('not run: stopped after 1 failed task (max failures 1)');
    expect(x.stdout).toContain(
      `- skipped  ${suite} › b-two: not run: stopped after 1 failed task (max failures 1)`,
    );
    expect(x.stdout).toMatch(/^FAILED: 0 passed, 1 errors, 2 skipped in /m);
    expect(x.junit).toMatch(/<testsuites [^>]*errors="1" skipped="2"/);
    expect(x.junit).toContain('<skipped message="not run: stopped after 1 failed task (max failures 1)"/>');
    expect(statuses('--max-failures', '2').json.tasks.map((t) => t.status)).toEqual([
      'error',
      'error',
      'skipped',
    ]);
    expect(deskpilot(suite, '--max-failures', '0').code).toBe(2);
  });

  it('--repeat-each n: each task runs n times, each run reported under its own name', () => {
    const suite = pressEnterSuite('repeat.yaml', 'again', 'once-more');
    // Each run errors at once (no display): what is checked is that each runs.
    const r = runWithoutDisplay(suite, path.join(dir, 'repeat-out'), '--repeat-each', '3');
    expect(r.code).toBe(1);
    expect(r.json.tasks.map((t) => [t.id, t.repeat, t.attempts.length])).toEqual([
      ['again', 1, 1],
      ['again', 2, 1],
      ['again', 3, 1],
      ['once-more', 1, 1],
      ['once-more', 2, 1],
      ['once-more', 3, 1],
    ]);
    expect(r.stdout).toContain(`✗ ERROR  ${suite} › again (repeat 2)`);
    expect(r.junit.match(/name="again \(repeat \d\)"/g)).toEqual([
      'name="again (repeat 1)"',
      'name="again (repeat 2)"',
      'name="again (repeat 3)"',
    ]);
    const list = deskpilot(suite, '--list', '--repeat-each', '2', '--grep', 'once');
    expect(list.stdout.trim().split('\n')).toEqual([
      `${suite} › once-more (repeat 1)`,
      `${suite} › once-more (repeat 2)`,
      '2 tasks in 1 file',
    ]);
    expect(deskpilot(suite, '--repeat-each', '0').code).toBe(2);
  });

  it('--last-failed runs only what did not pass in the last run with the same --output', () => {
    const suite = pressEnterSuite('last.yaml', 'first', 'second');
    const out = path.join(dir, 'last-out');
    // No last run yet: every task (and it says so).
    const none = deskpilot(suite, '--last-failed', '--list', '--output', out);
    expect(none.stdout).toContain(`no last run in ${out}: every task runs`);
    expect(none.stdout).toContain('2 tasks in 1 file');
    // A run of "second" alone (it errors: no display here) is what the next --last-failed reruns.
    expect(deskpilot(suite, '--no-isolate', '--grep', 'second', '--output', out).code).toBe(1);
    expect(JSON.parse(readFileSync(path.join(out, '.last-run.json'), 'utf8'))).toEqual({
      status: 'failed',
      failedTasks: [`${suite}#second`],
    });
    const again = deskpilot(suite, '--last-failed', '--list', '--output', out);
    expect(again.stdout.trim().split('\n')).toEqual([`${suite} › second`, '1 task in 1 file']);
    // A last run where everything passed: nothing to run, and that is a pass.
    writeFileSync(path.join(out, '.last-run.json'), JSON.stringify({ status: 'passed', failedTasks: [] }));
    const clean = deskpilot(suite, '--last-failed', '--no-isolate', '--output', out);
    expect(clean).toMatchObject({
      code: 0,
      stdout: `the last run in ${out} had no failed tasks: nothing to run\n`,
    });
    // A damaged record says which file and what to do.
    writeFileSync(path.join(out, '.last-run.json'), '{ not json');
    const bad = deskpilot(suite, '--last-failed', '--output', out);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      new RegExp(`--last-failed: ${out}/\\.last-run\\.json is not JSON .*remove it to run every task`),
    );
  });
});
