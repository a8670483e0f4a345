import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desktopSupport, startDesktop, type Desktop } from './bed/index.js';

const exec = promisify(execFile);
const support = desktopSupport();

/** `deskpilot run` as a person runs it: the real binary, on a virtual display, with an xterm. */
describe.skipIf(!support.ok)(`deskpilot run${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  let desktop: Desktop;
  const work = mkdtempSync(path.join(tmpdir(), 'deskpilot-cli-run-'));
  const out = path.join(work, 'typed.txt');

  beforeAll(async () => {
    desktop = await startDesktop({ width: 1024, height: 700, windowManager: true });
    await desktop.xterm(`echo "Write your answer here"; cat > ${out}`, { title: 'answer', geometry: '80x16+40+40' });
  });
  afterAll(async () => {
    await desktop?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  async function deskpilot(...args: string[]) {
    try {
      const r = await exec(process.execPath, ['bin/deskpilot.js', '--display', desktop.display, '--data-dir', path.join(work, 'data'), ...args], {
        env: { ...desktop.env, DESKPILOT_LOG_LEVEL: 'error' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('runs direct commands, prints a line per step, and exits 0', async () => {
    const r = await deskpilot('run', 'click "Write your answer"; type "42 is the answer!"; press enter');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[1\] click "Write your answer"\n {4}found by text \(\d+%\) at \d+, \d+\n {4}succeeded/);
    expect(r.stdout).toMatch(/run \S+: succeeded \(3 steps\)/);
    await expect.poll(() => readFileSync(out, 'utf8'), { timeout: 5000 }).toBe('42 is the answer!\n');
  });

  it('--dry-run finds the targets but sends nothing', async () => {
    const before = readFileSync(out, 'utf8');
    const r = await deskpilot('run', '--dry-run', 'click "Write your answer"; type "should not arrive"; press enter');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/found by text/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(readFileSync(out, 'utf8')).toBe(before);
  });

  it('exits 1 with the reason when a target is not there, and keeps the run in history', async () => {
    const r = await deskpilot('--json', 'run', 'click "No such button"');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { ok: boolean; run: { id: string; status: string }; steps: Array<{ outcome: string; error: { code: string } }> };
    expect(doc.ok).toBe(false);
    expect(doc.run.status).toBe('failed');
    expect(doc.steps[0]).toMatchObject({ outcome: 'failed', error: { code: 'GROUNDING_NOT_FOUND' } });
    const shown = await deskpilot('runs', 'show', doc.run.id);
    expect(shown.stdout).toMatch(/click "No such button"\s+failed/);
  });

  it('points at the column of a mistyped command and suggests the right one', async () => {
    const r = await deskpilot('run', 'click "OK"; clik "Cancel"');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/command:1:13: unknown command "clik"; did you mean "click"\?/);
  });
});
