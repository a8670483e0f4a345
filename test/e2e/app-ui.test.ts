import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src/app/context.js';
import { ensureRenderer, openHost, type OpenHost } from '../../src/host/index.js';
import { desktopSupport, startDesktop, type Desktop } from '../desktop/bed/index.js';

/**
 * The app as a person uses it: the UI in a real (headless) Chromium, talking to the host over
 * HTTP + WebSocket, driving the real engine on a virtual desktop where an xterm is the target
 * app. The UI browser stays off the target display so it never covers the target.
 * One desktop per file (nut-js holds one X display per process).
 */
const support = desktopSupport();
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe.skipIf(!support.ok)(`the app UI in a browser${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  let desktop: Desktop;
  let app: AppContext;
  let host: OpenHost;
  let browser: Browser;
  let page: Page;
  const work = mkdtempSync(path.join(tmpdir(), 'deskpilot-e2e-ui-'));
  const out = path.join(work, 'typed.txt');
  const typed = () => readFileSync(out, 'utf8');
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // CI needs no separate build step: the UI is built here when dist/renderer is missing.
    const [rendererDir, dead] = await Promise.all([ensureRenderer(), deadPort()]);
    desktop = await startDesktop({ width: 1024, height: 700, windowManager: true });
    await desktop.xterm(`echo "Write your answer here"; echo "Delete draft"; cat > ${out}`, { title: 'target', geometry: '80x16+40+40' });
    app = createAppContext({
      env: { DISPLAY: desktop.display },
      flags: { '--data-dir': path.join(work, 'data'), '--display': desktop.display },
      defaults: { logLevel: 'error', models: { planner: { baseURL: `http://127.0.0.1:${dead}/v1`, model: 'nobody-home', maxRetries: 0, timeoutMs: 3000 } } },
    });
    host = await openHost(app, { rendererDir, keyboardHook: false });
    const env = { ...process.env };
    delete env['DISPLAY'];
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, env });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(host.url);
    await page.getByRole('textbox', { name: 'Command or goal' }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await app?.dispose();
    await desktop?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const say = async (text: string) => {
    const box = page.getByRole('textbox', { name: 'Command or goal' });
    await box.fill(text);
    await box.press('Enter');
  };
  const lastRun = () => page.getByRole('article').last();

  it('runs a direct command typed in the chat in the target app, showing each step with a thumbnail', async () => {
    await say('click "Write your answer"; type "hello from the app"; press enter');
    await expect.poll(() => lastRun().getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
    await expect.poll(typed, { timeout: 5000 }).toBe('hello from the app\n');
    const steps = lastRun().getByRole('listitem');
    await expect.poll(() => steps.count()).toBe(3);
    await expect.poll(() => steps.nth(0).textContent()).toMatch(/click "Write your answer".*found by text \(\d+%\) at \d+, \d+.*done/);
    // Every step got a screenshot that really loads (the token is in its URL).
    const imgs = lastRun().locator('img');
    await expect.poll(() => imgs.count()).toBe(3);
    await expect
      .poll(() => imgs.evaluateAll((els) => els.map((e) => (e as HTMLImageElement).naturalWidth)))
      .toEqual([1024, 1024, 1024]);
    await page.screenshot({ path: '/tmp/ui-chat.png' });
  });

  it('a mistyped command says where and what it should be, and runs nothing', async () => {
    const before = typed();
    await say('click "Write your answer"; clik "OK"');
    await expect.poll(() => lastRun().getAttribute('data-status')).toBe('failed');
    await expect.poll(() => lastRun().textContent()).toMatch(/chat:1:28: unknown command "clik"; did you mean "click"\?/);
    expect(typed()).toBe(before);
  });

  it('asks before a sensitive step: Deny stops the run, Allow lets it do the step', async () => {
    const before = typed();
    await say('click "Delete draft"; type "deleted"; press enter');
    const card = page.getByRole('alertdialog');
    await expect.poll(() => card.count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => card.textContent()).toMatch(/DeskPilot wants to: click "Delete draft".*deletes/);
    await expect.poll(() => card.locator('img').evaluate((e) => (e as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await page.screenshot({ path: '/tmp/ui-confirm.png' });
    await card.getByRole('button', { name: 'Deny' }).click();
    await expect.poll(() => lastRun().getAttribute('data-status'), { timeout: 15_000 }).toBe('failed');
    await expect.poll(() => lastRun().textContent()).toMatch(/denied by the user/);
    expect(await card.count()).toBe(0);
    expect(typed()).toBe(before);

    await say('click "Delete draft"; type "deleted"; press enter');
    await expect.poll(() => card.count(), { timeout: 30_000 }).toBe(1);
    await card.getByRole('button', { name: 'Allow once' }).click();
    await expect.poll(() => lastRun().getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
    await expect.poll(typed, { timeout: 5000 }).toBe(`${before}deleted\n`);
    await page.screenshot({ path: '/tmp/ui-allowed.png' });
  });

  it('Pause, Resume and Stop control a running run, and the next run still works', async () => {
    await say('wait for "Never shown anywhere" 20s');
    await expect.poll(() => lastRun().getAttribute('data-status'), { timeout: 10_000 }).toBe('running');
    await page.getByRole('button', { name: 'Pause the run' }).click();
    await expect.poll(() => lastRun().textContent()).toMatch(/paused: paused from the app/);
    await page.getByRole('button', { name: 'Resume the run' }).click();
    await expect.poll(() => lastRun().getAttribute('data-status')).toBe('running');
    await page.getByRole('button', { name: 'Stop the run' }).click();
    await expect.poll(() => lastRun().getAttribute('data-status'), { timeout: 10_000 }).toBe('aborted');
    await expect.poll(() => lastRun().textContent()).toMatch(/stopped — stopped from the app/);
    const before = typed();
    await say('click "Write your answer"; type "after stop"; press enter');
    await expect.poll(() => lastRun().getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
    await expect.poll(typed, { timeout: 5000 }).toBe(`${before}after stop\n`);
  });

  it('shows past runs in History with their steps', async () => {
    await page.getByRole('tab', { name: 'History' }).click();
    const runs = page.getByRole('list', { name: 'Past runs' }).getByRole('button');
    await expect.poll(() => runs.allTextContents()).toEqual([
      expect.stringMatching(/^succeeded click "Write your answer"; type "after stop"/),
      expect.stringMatching(/^aborted wait for "Never shown anywhere"/),
      expect.stringMatching(/^succeeded click "Delete draft"/),
      expect.stringMatching(/^failed click "Delete draft"/),
      expect.stringMatching(/^succeeded click "Write your answer"/),
    ]);
    await runs.filter({ hasText: 'hello from the app' }).click();
    const detail = page.getByRole('list', { name: 'Steps' }).last();
    await expect.poll(() => detail.getByRole('listitem').count()).toBe(3);
    await page.screenshot({ path: '/tmp/ui-history.png' });
  });

  it('"Check" on a dead model endpoint explains the failure in plain words', async () => {
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Check the model endpoints' }).click();
    const results = page.getByRole('list', { name: 'Check results' });
    await expect.poll(() => results.textContent(), { timeout: 15_000 }).toMatch(/model endpoint \(planner\).*ECONNREFUSED.*What to do: connection refused: is the model server running/);
    await page.screenshot({ path: '/tmp/ui-settings.png' });
    expect(pageErrors).toEqual([]);
  });
});
