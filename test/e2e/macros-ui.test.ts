import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app/context.js';
import { ensureRenderer } from '../../src/host/index.js';
import { setPendingRepairs } from '../../src/macros/index.js';
import { desktopSupport, serveFixtures, startDesktop, type BrowserApp, type Desktop } from '../desktop/bed/index.js';

/**
 * The Macros screen as a person uses it: `deskpilot ui` in a child process (the recorder's global
 * hook keeps its X connection until its process exits, so the host must end before the display),
 * its UI in a headless Chromium off the desktop, and a form page in a headed Chromium ON the
 * virtual desktop, driven with real X input (xdotool) while the UI records.
 */
const support = desktopSupport();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

describe.skipIf(!support.ok)(`the Macros screen${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  let desktop: Desktop;
  let server: { url: string; close(): Promise<void> };
  let target: BrowserApp;
  let host: ChildProcess | undefined;
  let hostLog = '';
  let browser: Browser;
  let page: Page;
  let hostUrl = '';
  const work = mkdtempSync(path.join(tmpdir(), 'deskpilot-e2e-macros-'));
  const dataDir = path.join(work, 'data');
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // Built here, so that the child finds the UI up to date and serves it at once.
    await ensureRenderer();
    desktop = await startDesktop({ width: 1280, height: 800, windowManager: true });
    server = await serveFixtures(path.resolve('test/fixtures'));
    // The left part of the screen: the app opens beside it, and windows that overlap would cover each other.
    target = await desktop.chromium(`${server.url}pages/form.html`, { x: 0, y: 0, width: 700, height: 800 });
    await target.page.waitForLoadState('load');

    const child = spawn(process.execPath, ['bin/deskpilot.js', '--display', desktop.display, '--data-dir', dataDir, 'ui', '--no-open'], {
      env: { ...desktop.env, DESKPILOT_LOG_LEVEL: 'error', DESKPILOT_SECRETS_PASSPHRASE: 'test passphrase' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    host = child;
    child.stdout.on('data', (d) => (hostLog += String(d)));
    child.stderr.on('data', (d) => (hostLog += String(d)));
    let url: string | undefined;
    for (let i = 0; i < 600 && !url && child.exitCode === null; i++) {
      url = /DeskPilot is at (\S+)/.exec(hostLog)?.[1];
      if (!url) await sleep(100);
    }
    if (!url) throw new Error(`deskpilot ui did not start: ${hostLog}`);
    hostUrl = url;

    const env = { ...process.env };
    delete env['DISPLAY'];
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, env });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(url);
    await page.getByRole('tab', { name: 'Macros' }).click();
    await page.getByRole('button', { name: 'Record' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (host && host.exitCode === null) {
      const exited = new Promise((resolve) => host!.once('exit', resolve));
      host.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000).then(() => host!.kill('SIGKILL'))]);
    }
    await server?.close();
    await desktop?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const xdo = (...args: string[]) => {
    const r = spawnSync('xdotool', args, { env: desktop.env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`xdotool ${args.join(' ')}: ${r.stderr}`);
  };
  /** The centre of an element of a page on the desktop, in desktop pixels. */
  async function at(sel: string, app: BrowserApp = target): Promise<[number, number]> {
    const origin = await app.page.evaluate(() => ({ x: window.screenX + (window.outerWidth - window.innerWidth), y: window.screenY + (window.outerHeight - window.innerHeight) }));
    const b = await app.page.locator(sel).boundingBox();
    if (!b) throw new Error(`${sel} is not on the page`);
    return [Math.round(origin.x + b.x + b.width / 2), Math.round(origin.y + b.y + b.height / 2)];
  }
  async function click(sel: string, app: BrowserApp = target) {
    const [x, y] = await at(sel, app);
    xdo('mousemove', String(x), String(y));
    await sleep(250);
    xdo('click', '1');
    await sleep(600);
  }
  const submitted = () => target.page.evaluate(() => (window as unknown as { __submitted: unknown }).__submitted);
  /** The Macros tab's panel: the other tabs stay mounted, hidden. */
  const ui = () => page.getByRole('tabpanel', { name: 'Macros' });
  const replayRun = () => ui().getByLabel('Replay of Contact');
  const macroButton = () => ui().getByRole('list', { name: 'Macros' }).getByRole('button').filter({ hasText: 'Contact' });

  /** Waits for the replay to end; it must have succeeded (the run's text says why not). */
  async function replayed() {
    await expect.poll(() => replayRun().getAttribute('data-status'), { timeout: 120_000 }).toMatch(/succeeded|failed|aborted|interrupted/);
    expect(await replayRun().getAttribute('data-status'), (await replayRun().textContent()) ?? '').toBe('succeeded');
  }

  it('a short macro recorded from the UI replays', async () => {
    await ui().getByRole('textbox', { name: 'Name', exact: true }).fill('Contact');
    await ui().getByRole('button', { name: 'Record' }).click();
    const state = ui().getByRole('status').filter({ hasText: /Recording|Reading|Recorded/ });
    const problem = ui().getByRole('form', { name: 'Record a macro' }).getByRole('alert');
    await expect.poll(async () => (await problem.count()) || ui().locator('.macro-record-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('recording');
    await page.screenshot({ path: '/tmp/ui-macros-recording.png' });
    // The app opened again ON the recorded desktop, beside the form, while it records: it shows
    // Stop, pressed below with real X input, which the recorder must not keep.
    const own = await desktop.chromium(hostUrl, { x: 700, y: 0, width: 580, height: 800 });
    await own.page.getByRole('tab', { name: 'Macros' }).click();
    await sleep(400);

    // Real input on the desktop, into the form page.
    await click('#name');
    xdo('type', '--delay', '60', 'Ada Lovelace');
    await sleep(600);
    await click('#submit');
    await sleep(1500);
    expect(await submitted()).toMatchObject({ name: 'Ada Lovelace' });

    // One mouse: the chat cannot start a run while a recording has it.
    await page.getByRole('tab', { name: 'Chat' }).click();
    await page.getByRole('textbox', { name: 'Command or goal' }).fill('press enter');
    await page.getByRole('textbox', { name: 'Command or goal' }).press('Enter');
    const chatRun = page.getByRole('tabpanel', { name: 'Chat' }).getByRole('article').last();
    await expect.poll(() => chatRun.textContent(), { timeout: 15_000 }).toMatch(/failed — recording "Contact" is in progress: stop it first/);
    await page.getByRole('tab', { name: 'Macros' }).click();

    await own.page.getByRole('button', { name: 'Stop recording' }).waitFor();
    writeFileSync('/tmp/ui-macros-desktop.png', await desktop.screenshotPng());
    await click('[aria-label="Stop recording"]', own);
    await expect.poll(() => ui().locator('.macro-record-state').getAttribute('data-state'), { timeout: 90_000 }).toBe('stopped');
    // Two steps: the click on Stop, in DeskPilot's own window, is not one of them.
    // (src/host/macro-record.ts: the own-window title check, and the press just before the stop.)
    await expect.poll(() => state.textContent(), { timeout: 15_000 }).toMatch(/Recorded "Contact": 2 step\(s\), version 1/);
    await own.close();

    // Listed, and opened: its steps in the form, as the recorder wrote them.
    await expect.poll(() => macroButton().textContent(), { timeout: 15_000 }).toMatch(/Contact\s*v1.*2 step\(s\)/);
    const steps = ui().getByRole('list', { name: 'Macro steps' }).getByRole('textbox');
    await expect.poll(() => steps.count(), { timeout: 15_000 }).toBe(2);
    expect(await steps.nth(0).inputValue()).toMatch(/^type "Ada Lovelace" into "Name"/);
    expect(await steps.nth(1).inputValue()).toBe('click "Submit"');
    await page.screenshot({ path: '/tmp/ui-macros-recorded.png', fullPage: true });

    // A fresh form, then Replay: the page's own state is the check.
    await target.page.reload();
    await target.page.waitForLoadState('load');
    expect(await submitted()).toBeNull();
    await ui().getByRole('button', { name: 'Replay Contact' }).click();
    await replayed();
    await expect.poll(submitted, { timeout: 5000 }).toMatchObject({ name: 'Ada Lovelace' });
    const done = replayRun().getByRole('listitem');
    await expect.poll(() => done.count(), { timeout: 15_000 }).toBe(2);
    await expect.poll(() => done.nth(1).textContent(), { timeout: 15_000 }).toMatch(/click "Submit".*found by .*done/);
    await page.screenshot({ path: '/tmp/ui-macros-replayed.png', fullPage: true });
  }, 240_000);

  it('a YAML edit with an error shows line:col and keeps the last good version', async () => {
    const file = path.join(dataDir, 'macros', 'Contact.yaml');
    const good = readFileSync(file, 'utf8');
    await ui().getByRole('radio', { name: 'YAML' }).check();
    const yaml = ui().getByRole('textbox', { name: 'Macro YAML' });
    expect(await yaml.inputValue()).toBe(good);
    const lines = good.split('\n');
    const row = lines.findIndex((l) => l.includes('click "Submit"'));
    expect(row).toBeGreaterThan(0);
    const col = lines[row]!.indexOf('click') + 1;
    await yaml.fill(good.replace('click "Submit"', 'clik "Submit"'));
    await ui().getByRole('button', { name: 'Save the YAML' }).click();
    const problem = ui().locator('#macro-yaml-problem');
    await expect.poll(() => problem.textContent(), { timeout: 15_000 }).toMatch(new RegExp(`line ${row + 1}, column ${col}.*Contact\\.yaml:${row + 1}:${col}: unknown command "clik"; did you mean "click"\\?.*version 1 stays the last good one`));
    await page.screenshot({ path: '/tmp/ui-macros-yaml-error.png', fullPage: true });
    // "Go to line" selects the bad line from the error's column on.
    await ui().getByRole('button', { name: `Go to line ${row + 1}` }).click();
    const selected = await yaml.evaluate((e) => {
      const t = e as HTMLTextAreaElement;
      return t.value.slice(t.selectionStart, t.selectionEnd);
    });
    expect(selected).toBe(lines[row]!.slice(col - 1).replace('click', 'clik'));
    expect(readFileSync(file, 'utf8')).toBe(good);

    // Opened again, it is still version 1 with the good text.
    await macroButton().click();
    await ui().getByRole('radio', { name: 'YAML' }).check();
    await expect.poll(() => ui().getByRole('article').first().textContent(), { timeout: 15_000 }).toMatch(/version 1/);
    await expect.poll(() => ui().getByRole('textbox', { name: 'Macro YAML' }).inputValue(), { timeout: 15_000 }).toBe(good);
    expect(pageErrors).toEqual([]);
  });

  it('a parameter added in the form is typed per its declaration and used by the replay', async () => {
    await ui().getByRole('radio', { name: 'Steps form' }).check();
    // Alt+Down / Alt+Up move a step from the keyboard, and the focus goes with it.
    const first = ui().getByRole('textbox', { name: 'Step 1 command' });
    await first.focus();
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => ui().getByRole('textbox', { name: 'Step 2 command' }).inputValue(), { timeout: 15_000 }).toMatch(/^type "Ada Lovelace"/);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Step 2 command');
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(() => first.inputValue(), { timeout: 15_000 }).toMatch(/^type "Ada Lovelace"/);

    await ui().getByRole('button', { name: 'Add parameter' }).click();
    await ui().getByRole('textbox', { name: 'Parameter 1 name' }).fill('who');
    await ui().getByRole('textbox', { name: 'Parameter 1 default' }).fill('Ada Lovelace');
    await ui().getByRole('textbox', { name: 'Step 1 command' }).fill('type "{{who}}" into "Name"');
    // A bad new step is named in the error, and nothing is saved.
    await ui().getByRole('button', { name: 'Add step' }).click();
    await ui().getByRole('textbox', { name: 'Step 3 command' }).fill('clik "Send"');
    await ui().getByRole('button', { name: 'Save the steps' }).click();
    await expect.poll(() => ui().getByRole('form', { name: 'Steps form' }).getByRole('alert').textContent(), { timeout: 15_000 }).toMatch(/Not saved: step 3: unknown command "clik"; did you mean "click"\?/);
    expect(await ui().getByRole('list', { name: 'Macro steps' }).getByRole('listitem').nth(2).getAttribute('class')).toMatch(/macro-step-bad/);
    await page.screenshot({ path: '/tmp/ui-macros-form-error.png', fullPage: true });
    await ui().getByRole('button', { name: 'Remove step 3' }).click();
    await ui().getByRole('button', { name: 'Save the steps' }).click();
    await expect.poll(() => ui().getByRole('article').first().textContent(), { timeout: 15_000 }).toMatch(/version 2/);
    expect(readFileSync(path.join(dataDir, 'macros', 'Contact.yaml'), 'utf8')).toMatch(/params:\n\s+who:.*\n[\s\S]*type "\{\{who\}\}" into "Name"/);

    // The recorder's postcondition names the value typed then: a YAML edit makes it any change.
    await ui().getByRole('radio', { name: 'YAML' }).check();
    const yaml = ui().getByRole('textbox', { name: 'Macro YAML' });
    const text = await yaml.inputValue();
    expect(text).toMatch(/expect: \{ text: "Submitted: name=Ada Lovelace.*" \}/);
    await yaml.fill(text.replace(/expect: \{ text: .*\}/, 'expect: { changed: true }'));
    await ui().getByRole('button', { name: 'Save the YAML' }).click();
    await expect.poll(() => ui().getByRole('article').first().textContent(), { timeout: 15_000 }).toMatch(/version 3/);

    await target.page.reload();
    await target.page.waitForLoadState('load');
    await ui().getByLabel(/^who/).fill('Grace Hopper');
    await ui().getByRole('button', { name: 'Replay Contact' }).click();
    await replayed();
    await expect.poll(submitted, { timeout: 5000 }).toMatchObject({ name: 'Grace Hopper' });
    await page.screenshot({ path: '/tmp/ui-macros-param.png', fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('shows a waiting repair as a coloured diff, and Approve writes it as a new version', async () => {
    // A repair as a replay leaves it (src/macros/replay/repair.ts), put in the host's store.
    const app = createAppContext({ env: {}, flags: { '--data-dir': dataDir }, defaults: { logLevel: 'error' } });
    const file = path.join(dataDir, 'macros', 'Contact.yaml');
    try {
      setPendingRepairs(await app.store(), file, [{ key: 'steps/1', path: ['steps', 1], reason: 'found by template, not by text as recorded', anchors: { text: 'Send' }, text: { from: 'Submit', to: 'Send' } }]);
    } finally {
      await app.dispose();
    }
    await ui().getByRole('button', { name: 'Refresh the macro list' }).click();
    await expect.poll(() => macroButton().textContent(), { timeout: 15_000 }).toMatch(/1 repair\(s\) to review/);
    await macroButton().click();
    const diff = ui().getByLabel('Proposed changes (unified diff)');
    await expect.poll(() => diff.textContent(), { timeout: 15_000 }).toMatch(/--- a\/Contact\.yaml\n\+\+\+ b\/Contact\.yaml\n@@ [\s\S]*\n- {2}- do: click "Submit"\n\+ {2}- do: click "Send"/);
    expect(await diff.locator('.macro-diff-add').first().evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(230, 246, 234)');
    await page.screenshot({ path: '/tmp/ui-macros-heal.png', fullPage: true });
    await ui().getByRole('button', { name: 'Approve the repairs' }).click();
    await expect.poll(() => ui().getByRole('article').first().textContent(), { timeout: 15_000 }).toMatch(/version 4.*repairs applied/);
    expect(readFileSync(file, 'utf8')).toMatch(/- do: click "Send"/);
    expect(await diff.count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
