import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src/app/context.js';
import { ensureRenderer, openHost, type OpenHost } from '../../src/host/index.js';
import { desktopSupport } from '../desktop/bed/index.js';

/**
 * The Test runs screen as a person uses it: a real (headless) Chromium on the host, task files
 * listed from a folder, a run on real workers (each its own Xvfb, the same runner as `deskpilot
 * test`), live progress, then the HTML report opened through the host with its screenshots.
 * This process opens no display itself: the workers start theirs.
 */
const support = desktopSupport();
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const XTERM = (title: string, prompt: string, file: string) =>
  `xterm -T ${title} -fa Monospace -fs 14 -geometry 70x12+20+20 -e sh -c 'echo "${prompt}"; cat > ${file}'`;

const NOTES = `tasks:
  - id: note-passes
    title: Type a line into a terminal; the file holds it
    tags: [xterm, smoke]
    setup:
      - launch: ${XTERM('notes', 'Type your notes below', 'notes.txt')}
      - wait_for: { window: notes }
      - wait_for: { text: Type your notes below }
    steps:
      - click "Type your notes below"
      - type "hello from the app"
      - press enter
      - press ctrl+d
    evaluator:
      file: notes.txt
      exact: hello from the app
  - id: answer-fails
    title: The evaluator expects 42, the command says 41
    tags: [shell]
    steps: ['wait 200ms']
    evaluator:
      command: echo 41
      exact: '42'
`;
const SLOW = `tasks:
  - id: waits-forever
    tags: [slow]
    timeout: 120
    steps: ['wait for "Never shown anywhere" 100s']
`;
// Line 3 has a tab where YAML wants spaces: a syntax error with its place.
const BROKEN = 'tasks:\n  - id: broken\n\tsteps: [oops\n';

describe.skipIf(!support.ok)(
  `the Test runs screen${support.ok ? '' : ` (skipped: ${support.reason})`}`,
  () => {
    let app: AppContext;
    let host: OpenHost;
    let browser: Browser;
    let page: Page;
    const work = mkdtempSync(path.join(tmpdir(), 'deskpilot-e2e-tests-'));
    const tasks = path.join(work, 'tasks');
    const pageErrors: string[] = [];

    beforeAll(async () => {
      mkdirSync(path.join(tasks, 'more'), { recursive: true });
      writeFileSync(path.join(tasks, 'notes.yaml'), NOTES);
      writeFileSync(path.join(tasks, 'more', 'broken.yaml'), BROKEN);
      writeFileSync(path.join(work, 'slow.yaml'), SLOW);
      const rendererDir = await ensureRenderer();
      app = createAppContext({
        env: {},
        flags: { '--data-dir': path.join(work, 'data') },
        defaults: { logLevel: 'error' },
      });
      host = await openHost(app, { rendererDir, keyboardHook: false });
      const env = { ...process.env };
      delete env['DISPLAY'];
      browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: CHROMIUM_ARGS,
        env,
      });
      page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
      page.setDefaultTimeout(15_000);
      page.on('pageerror', (err) => pageErrors.push(err.message));
      await page.goto(host.url);
      await page.getByRole('tab', { name: 'Test runs' }).click();
    });
    afterAll(async () => {
      await browser?.close();
      await host?.close();
      await app?.dispose();
      rmSync(work, { recursive: true, force: true });
    });

    const list = async (pattern: string) => {
      await page.getByLabel('Folder, file or glob').fill(pattern);
      await page.getByRole('button', { name: 'List files' }).click();
    };
    const progressRow = (id: string) =>
      page.getByRole('table', { name: 'Task progress' }).locator(`tr[data-task="${id}"]`);

    it('a task file runs and its report opens', async () => {
      await list(tasks);
      const files = page.getByRole('list', { name: 'Task files found' });
      await expect.poll(() => files.locator(':scope > li').count()).toBe(2);
      // The good file with its tasks and tags; the broken one with its place, not hiding the good one.
      // In the runner's order (by id), as the run will take them.
      await expect
        .poll(() =>
          page.getByRole('list', { name: `Tasks in ${path.join(tasks, 'notes.yaml')}` }).textContent(),
        )
        .toMatch(/^answer-fails@shell The evaluator.*note-passes@xterm@smoke Type a line/);
      await expect
        .poll(() =>
          page
            .getByRole('list', { name: `Errors in ${path.join(tasks, 'more', 'broken.yaml')}` })
            .textContent(),
        )
        .toMatch(new RegExp(`${path.join(tasks, 'more', 'broken.yaml')}:3:\\d+: `));
      expect(await page.getByRole('checkbox', { name: /notes\.yaml/ }).isChecked()).toBe(true);
      expect(await page.getByRole('checkbox', { name: /broken\.yaml/ }).isDisabled()).toBe(true);
      await expect.poll(() => page.getByRole('note').textContent()).toMatch(/private virtual displays/);
      await page.screenshot({ path: '/tmp/ui-tests-files.png', fullPage: true });

      await page.getByRole('checkbox', { name: 'json' }).check();
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      await expect
        .poll(() => progressRow('note-passes').getAttribute('data-state'))
        .toMatch(/queued|running/);
      await expect
        .poll(() => progressRow('note-passes').getAttribute('data-state'), {
          timeout: 120_000,
          interval: 500,
        })
        .toBe('passed');
      await expect
        .poll(() => progressRow('answer-fails').getAttribute('data-state'), {
          timeout: 60_000,
          interval: 500,
        })
        .toBe('failed');
      await expect.poll(() => progressRow('answer-fails').textContent()).toMatch(/answer-fails.*\d+\.\d s/);
      const summary = page.getByRole('region', { name: 'Progress' });
      await expect.poll(() => summary.getAttribute('data-status'), { timeout: 30_000 }).toBe('failed');
      await expect.poll(() => summary.textContent()).toMatch(/Some tasks did not pass — 1 passed, 1 failed/);
      await page.screenshot({ path: '/tmp/ui-tests-done.png', fullPage: true });

      const [report] = await Promise.all([
        page.waitForEvent('popup'),
        summary.getByRole('link', { name: /Open report/ }).click(),
      ]);
      await report.waitForLoadState();
      expect(await report.title()).toBe('DeskPilot test report');
      expect(await report.locator('.summary').textContent()).toMatch(/FAILED — 1 of 2 ok/);
      expect(await report.locator('#task-answer-fails').textContent()).toMatch(/expected|42/);
      const imgs = report.locator('#task-note-passes img');
      await expect.poll(() => imgs.count()).toBeGreaterThan(0);
      await expect
        .poll(() =>
          imgs.evaluateAll((els) => els.map((e) => (e as HTMLImageElement).naturalWidth).every((w) => w > 0)),
        )
        .toBe(true);
      await report.screenshot({ path: '/tmp/ui-tests-report.png', fullPage: false });
      await report.close();

      // The run is listed with its reports; the JSON one opens too.
      const runs = page.getByRole('list', { name: 'Test runs' }).getByRole('listitem');
      await expect.poll(() => runs.first().getAttribute('data-status')).toBe('failed');
      const href = await runs.first().getByRole('link', { name: 'json' }).getAttribute('href');
      const json = await page.request.get(new URL(href!, page.url()).toString());
      expect(((await json.json()) as { counts: Record<string, number> }).counts).toMatchObject({
        passed: 1,
        failed: 1,
      });
      expect(pageErrors).toEqual([]);
    }, 240_000);

    it('Repeat each and Stop at the first failure: each run is a row, what did not start is skipped', async () => {
      await page.getByLabel('Repeat each').fill('2');
      await page.getByRole('checkbox', { name: 'Stop at the first failure' }).check();
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      // By id, answer-fails runs first: its first run fails, so nothing else starts. (The progress
      // region still shows the last run's end until this one's first progress comes: the rows are
      // what is waited for.)
      const rows = page.getByRole('table', { name: 'Task progress' }).locator('tbody tr');
      await expect
        .poll(
          () =>
            rows.evaluateAll((trs) =>
              trs.map(
                (tr) =>
                  `${tr.getAttribute('data-task')}#${tr.getAttribute('data-repeat')} ${tr.getAttribute('data-state')}`,
              ),
            ),
          { timeout: 90_000, interval: 500 },
        )
        .toEqual([
          'answer-fails#1 failed',
          'answer-fails#2 skipped',
          'note-passes#1 skipped',
          'note-passes#2 skipped',
        ]);
      await expect
        .poll(() => rows.nth(2).textContent())
        .toMatch(/note-passes \(repeat 1\).*not run: stopped after 1 failed task/);
      const summary = page.getByRole('region', { name: 'Progress' });
      await expect.poll(() => summary.textContent(), { timeout: 30_000 }).toMatch(/1 failed, 3 skipped/);
      await expect.poll(() => summary.getAttribute('data-status')).toBe('failed');
      await page.screenshot({ path: '/tmp/ui-tests-repeat.png', fullPage: true });
      await page.getByLabel('Repeat each').fill('1');
      await page.getByRole('checkbox', { name: 'Stop at the first failure' }).uncheck();
    }, 120_000);

    it('Stop ends a running test run: its task is marked stopped and the run is listed as stopped', async () => {
      await list(path.join(work, 'slow.yaml'));
      await expect.poll(() => page.getByRole('checkbox', { name: /slow\.yaml/ }).isChecked()).toBe(true);
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      await expect
        .poll(() => progressRow('waits-forever').getAttribute('data-state'), {
          timeout: 60_000,
          interval: 500,
        })
        .toBe('running');
      await page.getByRole('button', { name: 'Stop' }).click();
      await expect
        .poll(() => progressRow('waits-forever').getAttribute('data-state'), { timeout: 20_000 })
        .toBe('stopped');
      expect(await progressRow('waits-forever').textContent()).toMatch(/stopped from the app/);
      await expect
        .poll(() => page.getByRole('region', { name: 'Progress' }).getAttribute('data-status'))
        .toBe('stopped');
      await expect
        .poll(() =>
          page
            .getByRole('list', { name: 'Test runs' })
            .getByRole('listitem')
            .first()
            .getAttribute('data-status'),
        )
        .toBe('stopped');
      expect(await page.getByRole('button', { name: 'Run', exact: true }).isEnabled()).toBe(true);
      await page.screenshot({ path: '/tmp/ui-tests-stopped.png', fullPage: true });
    }, 120_000);
  },
);
