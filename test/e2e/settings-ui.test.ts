import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src/app/context.js';
import { appWithSettings } from '../../src/host/settings-config.js';
import { ensureRenderer, openHost, type OpenHost } from '../../src/host/index.js';

/**
 * The Settings screen as a person uses it, in a real (headless) Chromium talking to the host:
 * a secret added by name, an endpoint using it checked against a real HTTP model server and
 * saved, a dead endpoint explained, a bad URL refused, the cascade and safety edited and kept.
 * No desktop: nothing here drives the mouse.
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

describe.skipIf(!existsSync(CHROMIUM))(`the Settings screen${existsSync(CHROMIUM) ? '' : ' (skipped: no Chromium at /usr/bin/chromium)'}`, () => {
  let app: AppContext;
  let host: OpenHost;
  let browser: Browser;
  let page: Page;
  /** The Settings tab's panel: other tabs have fields with the same names. */
  const ui = () => page.locator('#panel-settings');
  let models: Server;
  let modelsUrl = '';
  let deadUrl = '';
  const work = mkdtempSync(path.join(tmpdir(), 'deskpilot-e2e-settings-'));
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // An OpenAI-compatible server that wants "Bearer right-key" and serves "served-model".
    models = createServer((req, res) => {
      if (req.url !== '/v1/models') return void res.writeHead(404).end();
      if (req.headers.authorization !== 'Bearer right-key') return void res.writeHead(401).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ id: 'served-model' }] }));
    });
    await new Promise<void>((resolve) => models.listen(0, '127.0.0.1', resolve));
    modelsUrl = `http://127.0.0.1:${(models.address() as { port: number }).port}/v1`;
    const dead = createNetServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    deadUrl = `http://127.0.0.1:${(dead.address() as { port: number }).port}/v1`;
    await new Promise<void>((resolve) => dead.close(() => resolve()));

    // Built into this test's own folder: other tests may be rebuilding dist/renderer meanwhile.
    const rendererDir = await ensureRenderer(path.join(work, 'renderer'));
    // A config file of its own (empty): the person's real one must not leak into the test.
    writeFileSync(path.join(work, 'config.yaml'), '# empty\n');
    app = createAppContext({ configPath: path.join(work, 'config.yaml'), env: {}, flags: { '--data-dir': path.join(work, 'data') }, defaults: { logLevel: 'error' } });
    host = await openHost(app, { rendererDir, keyboardHook: false });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(host.url);
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('textbox', { name: 'planner base URL' }).waitFor();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await app?.dispose();
    await new Promise<void>((resolve) => (models ? models.close(() => resolve()) : resolve()));
    rmSync(work, { recursive: true, force: true });
  });

  it('adds a secret by name; its value is never shown back', async () => {
    await ui().getByLabel('Name', { exact: true }).fill('PLANNER_KEY');
    await ui().getByLabel('Value', { exact: true }).fill('right-key');
    await ui().getByRole('button', { name: 'Save secret' }).click();
    const stored = ui().getByRole('list', { name: 'Stored secrets' });
    await expect.poll(() => stored.textContent()).toMatch(/PLANNER_KEY/);
    expect(await ui().getByLabel('Value', { exact: true }).inputValue()).toBe('');
    expect(await page.locator('body').textContent()).not.toContain('right-key');
    await stored.scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/settings-secrets.png' });
  });

  it('checks a drafted endpoint with its key by secret name, saves it, and the next run uses it', async () => {
    await ui().getByRole('textbox', { name: 'planner base URL' }).fill(modelsUrl);
    await ui().getByRole('textbox', { name: 'planner model' }).fill('served-model');
    await ui().getByRole('combobox', { name: 'planner API key secret' }).selectOption('PLANNER_KEY');
    await ui().getByRole('button', { name: 'Check the planner endpoint' }).click();
    const results = ui().getByRole('list', { name: 'Check results (planner)' });
    await expect.poll(() => results.textContent()).toMatch(/✓ model endpoint \(planner\).*200.*✓ model name \(planner\): "served-model" is served/);
    await ui().getByRole('button', { name: 'Save the planner endpoint' }).click();
    await expect.poll(() => ui().getByRole('status').first().textContent()).toMatch(/Saved: used from the next run/);
    const next = await appWithSettings(app);
    expect(next.config.models.planner).toMatchObject({ baseURL: modelsUrl, model: 'served-model', apiKey: '{{secret:PLANNER_KEY}}' });
    await page.screenshot({ path: '/tmp/settings-endpoint.png', fullPage: true });
  });

  it('explains a dead endpoint in plain words, and refuses a bad URL naming the field', async () => {
    await ui().getByRole('textbox', { name: 'grounder base URL' }).fill(deadUrl);
    await ui().getByRole('textbox', { name: 'grounder model' }).fill('ui-tars');
    await ui().getByRole('button', { name: 'Check the grounder endpoint' }).click();
    const results = ui().getByRole('list', { name: 'Check results (grounder)' });
    await expect.poll(() => results.textContent()).toMatch(/✗ model endpoint \(grounder\).*ECONNREFUSED.*What to do: connection refused: is the model server running, and on this port\?/);
    await page.screenshot({ path: '/tmp/settings-dead.png', fullPage: true });

    await ui().getByRole('textbox', { name: 'grounder base URL' }).fill('localhost:8000');
    await ui().getByRole('button', { name: 'Save the grounder endpoint' }).click();
    const alert = ui().getByRole('group', { name: 'grounder' }).getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/models\.grounder\.baseURL: "localhost:8000" must start with http:\/\/ or https:\/\//);
    expect((await appWithSettings(app)).config.models.grounder).toBeUndefined();
  });

  it('reorders the grounding cascade and edits the safety settings; both survive a reload', async () => {
    await ui().getByRole('button', { name: 'Move vlm up' }).click();
    await ui().getByRole('button', { name: 'Remove icon' }).click();
    await ui().getByLabel('Minimum confidence (0–1)').fill('0.6');
    await ui().getByRole('button', { name: 'Save the grounding settings' }).click();
    await ui().getByLabel('Allowed apps').fill('xterm, gedit');
    await ui().getByLabel(/Confirmation timeout/).fill('30');
    await ui().getByRole('button', { name: 'Save the safety settings' }).click();
    await expect.poll(async () => (await appWithSettings(app)).config.safety.allowApps).toEqual(['xterm', 'gedit']);
    const next = (await appWithSettings(app)).config;
    expect(next.grounding).toMatchObject({ cascade: ['text', 'vlm', 'template'], minConfidence: 0.6 });
    expect(next.safety).toMatchObject({ allowApps: ['xterm', 'gedit'], confirmTimeoutMs: 30_000 });

    await page.reload();
    await page.getByRole('tab', { name: 'Settings' }).click();
    const order = ui().getByRole('list', { name: 'Cascade order' }).getByRole('listitem');
    await expect.poll(() => order.allTextContents()).toEqual([expect.stringMatching(/^text/), expect.stringMatching(/^vlm/), expect.stringMatching(/^template/)]);
    expect(await ui().getByLabel('Allowed apps').inputValue()).toBe('xterm, gedit');
    await expect.poll(() => ui().getByRole('table', { name: 'Policy rules in force' }).getByRole('row').count()).toBeGreaterThan(5);
    // "Check all saved" checks the saved endpoint, with the key from the secret store.
    await ui().getByRole('button', { name: 'Check the model endpoints' }).click();
    await expect.poll(() => ui().getByRole('list', { name: 'Check results', exact: true }).textContent()).toMatch(/✓ model endpoint \(planner\).*✓ model name \(planner\)/);
    await page.screenshot({ path: '/tmp/settings-all.png', fullPage: true });

    // Forgetting the saved endpoints brings back the config file's (none here).
    await ui().getByRole('button', { name: 'Reset the model endpoints to the config file' }).click();
    await expect.poll(() => ui().getByRole('textbox', { name: 'planner base URL' }).inputValue()).toBe('');
    expect((await appWithSettings(app)).config.models.planner).toBeUndefined();
    expect(pageErrors).toEqual([]);
  });
});
