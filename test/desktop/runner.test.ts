import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { SuiteResult } from '../../src/runner/suite/results.js';
import { desktopSupport } from './bed/index.js';

const exec = promisify(execFile);
const support = desktopSupport();
const ROOT = path.resolve(import.meta.dirname, '../..');

/** A mark in the environment of every process a `deskpilot test` run of this file starts. */
const MARK = `DESKPILOT_RUNNER_TEST=${process.pid}`;

/**
 * What the runs of this file left behind: processes that carry its mark (X servers, window
 * managers, apps, bus daemons), and lock files of X servers that are gone. Other test files may
 * run `deskpilot test` at the same time (their displays are theirs, not leftovers of ours), and
 * a process that is just ending is given a moment.
 */
async function leftovers(): Promise<string[]> {
  let found: string[] = [];
  for (let i = 0; i < 30; i++) {
    found = [...markedProcesses(), ...staleLocks()];
    if (found.length === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return found;
}

function markedProcesses(): string[] {
  return marked().map((p) => `${p.pid} ${p.comm}`);
}

/** The processes carrying this file's MARK: their name, command line and start environment. */
function marked(): { pid: number; comm: string; cmdline: string; environ: string[] }[] {
  const out: { pid: number; comm: string; cmdline: string; environ: string[] }[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (!environ.includes(MARK)) continue;
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      out.push({ pid: Number(pid), comm, cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8'), environ });
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

function staleLocks(): string[] {
  return readdirSync('/tmp').filter((f) => {
    if (!/^\.X2\d\d-lock$/.test(f)) return false;
    try {
      process.kill(Number(readFileSync(path.join('/tmp', f), 'utf8').trim()), 0);
      return false;
    } catch {
      return true;
    }
  });
}

/**
 * `deskpilot test` as CI runs it: the real binary, two workers each on its own Xvfb, the sample
 * suite in examples/, then a suite with a failing task and a malformed file.
 */
describe.skipIf(!support.ok)(`deskpilot test${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  const work = mkdtempSync(path.join(tmpdir(), 'deskpilot-runner-'));
  const staleBefore = staleLocks();
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  async function deskpilot(...args: string[]) {
    return deskpilotWith({}, ...args);
  }

  async function deskpilotWith(extra: NodeJS.ProcessEnv, ...args: string[]) {
    const env: NodeJS.ProcessEnv = { ...process.env, DESKPILOT_LOG_LEVEL: 'error', ...extra };
    const [markName, markValue] = MARK.split('=') as [string, string];
    env[markName] = markValue;
    delete env['DISPLAY'];
    try {
      const r = await exec(
        process.execPath,
        ['bin/deskpilot.js', '--data-dir', path.join(work, 'data'), ...args],
        { cwd: ROOT, env, encoding: 'utf8', timeout: 150_000 },
      );
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it(
    'runs the sample suite on two private displays: all pass, JUnit and HTML written, nothing left running',
    { timeout: 160_000 },
    async () => {
      const out = path.join(work, 'examples');
      const r = await deskpilot(
        'test',
        'examples/**/*.yaml',
        '--workers',
        '2',
        // As in any desktop CI: a task that passes on its retry is reported flaky, not failed.
        '--retries',
        '1',
        '--reporter',
        'list,junit,html,json',
        '--output',
        out,
      );
      const summary = /^PASSED: (\d+) passed(?:, (\d+) flaky)?, 1 expected failures in [\d.]+ s with 2 workers$/m.exec(r.stdout);
      expect(summary, r.stdout).not.toBeNull();
      expect(Number(summary![1]) + Number(summary![2] ?? 0)).toBe(9);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/worker 1 ready on display :2\d\d/);
      expect(r.stdout).toMatch(/worker 2 ready on display :2\d\d/);
      const result = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as SuiteResult;
      const displays = new Set(result.tasks.flatMap((t) => t.attempts.map((a) => a.display)));
      expect(displays.size).toBe(2);
      // The screenshots results.json names outlive the run's workers (their data dirs are gone).
      const shots = result.tasks.flatMap((t) =>
        t.attempts.flatMap((a) => a.steps.flatMap((s) => [s.before, s.after, s.annotated].filter((p) => p !== undefined))),
      );
      expect(shots.length).toBeGreaterThan(20);
      for (const shot of shots) {
        expect(path.dirname(shot)).toBe(path.join(out, 'screenshots'));
        expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
      }
      const junit = readFileSync(path.join(out, 'junit.xml'), 'utf8');
      expect(junit).toMatch(/<testsuites name="deskpilot test" tests="10" failures="0" errors="0"/);
      expect(junit).toContain('<testcase classname="examples/xterm.yaml" name="xterm-type-to-file"');
      expect(existsSync(path.join(out, 'html', 'index.html'))).toBe(true);
      expect((await leftovers()).filter((l) => !staleBefore.includes(l))).toEqual([]);
      await expectHtmlShowsFailure(
        path.join(out, 'html', 'index.html'),
        'xterm-wrong-answer',
        /expected exact "42", got "41\\n"/,
      );
    },
  );

  it(
    'fails (exit 1) with the reason in every report; a malformed file is a file:line:col error and the rest still runs',
    { timeout: 90_000 },
    async () => {
      const dir = path.join(work, 'suite');
      const out = path.join(work, 'failing');
      mkdirSync(dir);
      writeFileSync(
        path.join(dir, 'failing.yaml'),
        [
          'id: wrong-total',
          'setup:',
          `  - launch: xterm -T total -fa Monospace -fs 14 -geometry 60x10+20+20 -e sh -c 'echo "Type the total"; cat > total.txt'`,
          '  - wait_for: { window: total }',
          '  - wait_for: { text: Type the total }',
          'steps:',
          '  - click "Type the total"',
          '  - type "17"',
          '  - press enter; press ctrl+d',
          'evaluator: { file: total.txt, exact: "18" }',
        ].join('\n'),
      );
      writeFileSync(
        path.join(dir, 'malformed.yaml'),
        'id: broken\nsteps:\n  - click "OK"\n  - clik "Cancel"\n',
      );
      // Two workers for one task: the second, started ahead of the plan, is ended while it starts.
      const r = await deskpilot(
        'test',
        path.join(dir, '*.yaml'),
        '--workers',
        '2',
        '--reporter',
        'list,junit,html',
        '--output',
        out,
      );
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(
        `✗ ${path.join(dir, 'malformed.yaml')}:4:5: task "broken": unknown command "clik"; did you mean "click"?`,
      );
      expect(r.stdout).toMatch(/✗ FAIL {2}.*failing\.yaml › wrong-total/);
      expect(r.stdout).toMatch(/FAILED: 0 passed, 1 failed, 1 load errors in [\d.]+ s with 1 worker$/m);
      const junit = readFileSync(path.join(out, 'junit.xml'), 'utf8');
      expect(junit).toContain(
        '<failure message="evaluator failed (and): file total.txt: expected exact &quot;18&quot;, got &quot;17\\n&quot;"',
      );
      // For CI to show with the failure: the screen it ended on, kept beside the report.
      const attached = [...junit.matchAll(/^\[\[ATTACHMENT\|(.+)\]\]$/gm)].map((m) => m[1]!);
      expect(attached.length).toBeGreaterThan(0);
      for (const a of attached) expect(readFileSync(path.join(out, a)).subarray(1, 4).toString()).toBe('PNG');
      await expectHtmlShowsFailure(
        path.join(out, 'html', 'index.html'),
        'wrong-total',
        /expected exact "18", got "17\\n"/,
      );
      expect((await leftovers()).filter((l) => !staleBefore.includes(l))).toEqual([]);
    },
  );

  it(
    'starts its workers and OCR server without NODE_EXTRA_CA_CERTS; the commands a task runs still get it',
    { timeout: 60_000 },
    async () => {
      const dir = path.join(work, 'ca');
      mkdirSync(dir);
      // A real bundle where there is one: Node parses it at every start (the cost being avoided).
      const ca = existsSync('/etc/ssl/certs/ca-certificates.crt')
        ? '/etc/ssl/certs/ca-certificates.crt'
        : path.join(dir, 'none.pem');
      writeFileSync(
        path.join(dir, 'ca.yaml'),
        [
          'id: ca-env',
          'setup:',
          `  - execute: 'printf %s "$NODE_EXTRA_CA_CERTS" > ca.txt'`,
          '  - sleep: 1.5',
          'steps:',
          '  - wait 100ms',
          'evaluator: { file: ca.txt, exact: ' + JSON.stringify(ca) + ' }',
        ].join('\n'),
      );
      // The run's Node processes (worker, OCR server), seen while the task sleeps.
      const seen = new Map<number, { cmdline: string; environ: string[] }>();
      let running = true;
      const watch = (async () => {
        while (running) {
          for (const p of marked()) if (p.comm === 'node') seen.set(p.pid, p);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const r = await deskpilotWith(
        { NODE_EXTRA_CA_CERTS: ca },
        'test',
        path.join(dir, 'ca.yaml'),
        '--workers',
        '1',
        '--output',
        path.join(work, 'ca-out'),
      ).finally(() => (running = false));
      await watch;
      expect(r.code, r.stdout + r.stderr).toBe(0);
      // The CLI is started by the person (with the variable); its worker and OCR server are not.
      const children = [...seen.values()].filter((p) => !p.cmdline.includes('bin/deskpilot.js'));
      expect(children.map((p) => /(test-worker|ocr-server)[\w-]*\.(?:cjs|ts)/.exec(p.cmdline)?.[1]).sort()).toEqual([
        'ocr-server',
        'test-worker',
      ]);
      for (const p of children) expect(p.environ).not.toContain(`NODE_EXTRA_CA_CERTS=${ca}`);
    },
  );
});

/** Opens the report in headless Chromium: the task shows its reason and its screenshots load. */
async function expectHtmlShowsFailure(file: string, id: string, reason: RegExp): Promise<void> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(file).href);
    const section = page.locator(`section#task-${id}`);
    await expect.poll(() => section.locator('.reason').first().textContent()).toMatch(reason);
    const imgs = section.locator('img');
    expect(await imgs.count()).toBeGreaterThanOrEqual(2);
    await imgs.last().scrollIntoViewIfNeeded();
    const sizes = await imgs.evaluateAll((els) =>
      Promise.all(
        els.map(async (el) => {
          const img = el as HTMLImageElement;
          img.loading = 'eager';
          await img.decode().catch(() => undefined);
          return img.naturalWidth;
        }),
      ),
    );
    expect(sizes.every((w) => w > 0)).toBe(true);
    expect(await section.locator('.verdict tr.bad').count()).toBe(1);
    // Where the attempt's time went, phase by phase, and whose CPU it was (its xterm ended at ctrl+d).
    expect(await section.locator('.phases').first().textContent()).toMatch(
      /^setup \d+\.\d\d s · steps \d+\.\d\d s · evaluate \d+\.\d\d s · teardown \d+\.\d\d s — CPU: worker \d+\.\d\d s, apps not measured \(ended before the task\), X server and window manager \d+\.\d\d s$/,
    );
    expect(await section.locator('.step .head code').first().textContent()).toMatch(/^click "Type the/);
    await section.scrollIntoViewIfNeeded();
    await page.evaluate((sel) => document.querySelector(sel)?.scrollIntoView(), `section#task-${id}`);
    await page.screenshot({ path: '/tmp/report-look.png', fullPage: false });
  } finally {
    await browser.close();
  }
}
