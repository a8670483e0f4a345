import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'deskpilot-test-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function deskpilot(...args: string[]) {
  const r = spawnSync(
    process.execPath,
    ['bin/deskpilot.js', '--data-dir', path.join(dir, 'data'), 'test', ...args],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DISPLAY: '' }, timeout: 60_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
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
});
