import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { HtmlReporter } from '../../src/runner/reporters/html.js';
import type { SuiteResult, TaskResult } from '../../src/runner/suite/results.js';

const CHROMIUM = '/usr/bin/chromium';
const dir = mkdtempSync(path.join(tmpdir(), 'deskpilot-report-filters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const task = (id: string, status: TaskResult['status'], ok: boolean): TaskResult => ({
  id,
  file: 'suite.yaml',
  tags: [],
  status,
  ok,
  attempts:
    status === 'skipped'
      ? []
      : [
          {
            attempt: 1,
            status: ok ? 'passed' : 'failed',
            steps: [],
            log: [],
            durationMs: 5,
            ...(ok
              ? {}
              : { error: { name: 'EvaluationFailed', code: 'EVALUATION_FAILED', message: `${id} failed` } }),
          },
        ],
  durationMs: 5,
  ...(status === 'skipped' ? { notRun: 'not run: stopped after 1 failed task (max failures 1)' } : {}),
});

const result: SuiteResult = {
  startedAt: '2026-11-26T10:00:00.000Z',
  durationMs: 1000,
  workers: 1,
  ok: false,
  tasks: [
    task('p1', 'passed', true),
    task('p2', 'passed', true),
    task('f1', 'failed', false),
    task('e1', 'expected_failure', true),
    task('s1', 'skipped', true),
  ],
  loadErrors: [{ file: 'bad.yaml', line: 2, column: 3, message: 'unknown key' }],
  counts: {
    passed: 2,
    flaky: 0,
    failed: 1,
    error: 0,
    expected_failure: 1,
    unexpected_pass: 0,
    skipped: 1,
    load_error: 1,
  },
};

/** The ids of the task sections a person sees (the load-error section as "load"). */
async function shown(page: Page): Promise<string[]> {
  return page
    .locator('section.task:visible')
    .evaluateAll((els) => els.map((el) => el.id.replace(/^task-/, '') || 'load'));
}

describe.skipIf(!existsSync(CHROMIUM))(
  `the HTML report's filters${existsSync(CHROMIUM) ? '' : ' (skipped: no Chromium at /usr/bin/chromium)'}`,
  () => {
    it('show all, the tasks not ok, or one status; the choice is kept in the address', async () => {
      const file = await new HtmlReporter(dir).finish(result);
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu'],
      });
      try {
        const page = await browser.newPage();
        await page.goto(pathToFileURL(file).href);
        // Only the statuses this run has, with their counts.
        expect(await page.locator('.filters button').allTextContents()).toEqual([
          'all (6)',
          'not ok (2)',
          'passed (2)',
          'failed (1)',
          'expected failure (1)',
          'skipped (1)',
          'load error (1)',
        ]);
        expect(await shown(page)).toEqual(['load', 'p1', 'p2', 'f1', 'e1', 's1']);
        await page.getByRole('button', { name: 'not ok (2)' }).click();
        expect(await shown(page)).toEqual(['load', 'f1']);
        expect(await page.getByRole('button', { name: 'not ok (2)' }).getAttribute('aria-pressed')).toBe(
          'true',
        );
        await page.getByRole('button', { name: 'passed (2)' }).click();
        expect(await shown(page)).toEqual(['p1', 'p2']);
        expect(new URL(page.url()).hash).toBe('#filter=passed');
        await page.getByRole('button', { name: 'all (6)' }).click();
        expect(await shown(page)).toHaveLength(6);
        // A link to the failures opens on them.
        await page.goto(`${pathToFileURL(file).href}#filter=failed`);
        await page.reload();
        expect(await shown(page)).toEqual(['f1']);
      } finally {
        await browser.close();
      }
    });
  },
);
