import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMacro, type MacroAction } from '../../src/macros/format/index.js';
import { desktopSupport, serveFixtures, startDesktop, type BrowserApp, type Desktop } from './bed/index.js';

/**
 * `deskpilot record` as a person uses it: the real command in a child process (the global hook's
 * X connection must end with that process, before the display goes away), a session driven by
 * real X input (xdotool) on headed Chromium, Ctrl+C (SIGINT), then the macro file it wrote.
 */
const support = desktopSupport();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!support.ok)(`deskpilot record${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  let desktop: Desktop;
  let server: { url: string; close(): Promise<void> };
  let browser: BrowserApp | undefined;
  let recorder: ChildProcess | undefined;
  const work = mkdtempSync(path.join(tmpdir(), 'deskpilot-record-'));
  const env = () => ({ ...desktop.env, DESKPILOT_LOG_LEVEL: 'error', DESKPILOT_SECRETS_PASSPHRASE: 'test passphrase' });

  beforeAll(async () => {
    desktop = await startDesktop({ width: 1280, height: 800, windowManager: true });
    server = await serveFixtures(path.resolve('test/fixtures'));
  }, 60_000);
  afterAll(async () => {
    if (recorder && recorder.exitCode === null) recorder.kill('SIGKILL');
    await browser?.close();
    await server?.close();
    await desktop?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const xdo = (...args: string[]) => {
    const r = spawnSync('xdotool', args, { env: desktop.env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`xdotool ${args.join(' ')}: ${r.stderr}`);
  };

  /** Opens the page, starts the recorder, lets `drive` act, stops it (Ctrl+C or the hotkey); returns its output. */
  async function record(
    page: string,
    name: string,
    out: string | undefined,
    drive: (at: (sel: string, dx?: number) => Promise<[number, number]>) => Promise<void>,
    stopWith: 'sigint' | 'hotkey' = 'sigint',
  ) {
    await browser?.close();
    browser = await desktop.chromium(`${server.url}${page}`, { x: 0, y: 0, width: 1280, height: 800 });
    await browser.page.waitForLoadState('load');
    const origin = await browser.page.evaluate(() => ({
      x: window.screenX + (window.outerWidth - window.innerWidth),
      y: window.screenY + (window.outerHeight - window.innerHeight),
    }));
    const at = async (sel: string, dx = 0): Promise<[number, number]> => {
      const b = await browser!.page.locator(sel).boundingBox();
      if (!b) throw new Error(`${sel} is not on the page`);
      return [Math.round(origin.x + b.x + b.width / 2 + dx), Math.round(origin.y + b.y + b.height / 2)];
    };
    const child = spawn(process.execPath, ['bin/deskpilot.js', '--display', desktop.display, '--data-dir', path.join(work, 'data'), 'record', name, ...(out ? ['--out', out] : [])], {
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    recorder = child;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    for (let i = 0; i < 300 && !stdout.includes('recording'); i++) await sleep(100);
    expect(stdout, stderr).toContain('recording… press Ctrl+C (or Ctrl+Alt+End) to stop');
    await sleep(400);
    await drive(at);
    await sleep(1500);
    if (stopWith === 'hotkey') xdo('key', 'ctrl+alt+End');
    else child.kill('SIGINT');
    const code = await Promise.race([exited, sleep(120_000).then(() => 'timeout' as const)]);
    return { code, stdout, stderr };
  }

  /** `deskpilot replay` on a fresh copy of the page; the page's own state is the check. */
  async function replay(macro: string) {
    await browser!.page.reload();
    await browser!.page.waitForLoadState('load');
    const r = spawnSync(process.execPath, ['bin/deskpilot.js', '--display', desktop.display, '--data-dir', path.join(work, 'data'), 'replay', macro, '--confirm', 'allow'], {
      env: env(),
      encoding: 'utf8',
      timeout: 180_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  const click = async (p: Promise<[number, number]>) => {
    const [x, y] = await p;
    xdo('mousemove', String(x), String(y));
    await sleep(250);
    xdo('click', '1');
    await sleep(600);
  };
  const type = async (text: string) => {
    xdo('type', '--delay', '60', text);
    await sleep(600);
  };

  it('records clicks and typing on a form as steps with text targets, anchors and crops', async () => {
    const out = path.join(work, 'contact.yaml');
    const r = await record('pages/form.html', 'Contact form', out, async (at) => {
      await click(at('#name'));
      await type('Ada Lovelace');
      await click(at('label[for=subscribe]'));
      await click(at('#submit'));
    });
    expect(r.code, r.stderr).toBe(0);
    const yaml = readFileSync(out, 'utf8');
    const macro = parseMacro(yaml, out);
    const actions = macro.program.filter((n): n is MacroAction => n.type === 'action');
    const summary = actions.map((a) => [a.step.kind, 'target' in a.step ? a.step.target?.text : undefined]);
    expect(summary, yaml).toEqual([
      ['type', 'Name'],
      ['click', 'Subscribe'],
      ['click', 'Submit'],
    ]);
    expect(actions[0]!.step).toMatchObject({ text: 'Ada Lovelace' });
    for (const a of actions) {
      expect(a.anchors?.template, yaml).toMatch(/^\d{3}\.png$/);
      expect(existsSync(path.join(work, 'contact.crops', a.anchors!.template!))).toBe(true);
      expect(a.anchors?.window).toMatch(/Form fixture/);
      // Where the target was: replay reads around it first.
      expect(a.anchors?.at, yaml).toHaveLength(2);
    }
    expect(actions[2]!.expect?.text, yaml).toMatch(/Submitted/);
    expect(r.stdout).toMatch(/\[3\] click "Submit"/);

    const replayed = await replay(out);
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
    const submitted = await browser!.page.evaluate(() => (window as unknown as { __submitted: unknown }).__submitted);
    expect(submitted, replayed.stdout + replayed.stderr).toMatchObject({ name: 'Ada Lovelace', subscribe: true });
  }, 180_000);

  it('writes a password as a {{secret:…}} placeholder, stores its value under a printed name, and stops on Ctrl+Alt+End', async () => {
    const out = path.join(work, 'data', 'macros', 'Login.yaml');
    const password = 's3cret-Pw!';
    const r = await record('record/login.html', 'Login', undefined, async (at) => {
      await click(at('#user'));
      await type('alice');
      await click(at('#password'));
      await type(password);
      await click(at('#login'));
    }, 'hotkey');
    expect(r.code, r.stderr).toBe(0);
    const yaml = readFileSync(out, 'utf8');
    expect(yaml).not.toContain(password);
    expect(yaml).toContain('{{secret:LOGIN_PASSWORD}}');
    expect(yaml).toMatch(/type "alice" into "User"/);
    expect(yaml).not.toMatch(/press ctrl\+alt\+end/);
    expect(r.stdout).toContain('typed secret stored as LOGIN_PASSWORD');
    expect(r.stdout).not.toContain(password);
    for (const f of ['001.png', '002.png', '003.png']) expect(readFileSync(path.join(work, 'data', 'macros', 'Login.crops', f)).includes(password)).toBe(false);
    const listed = spawnSync(process.execPath, ['bin/deskpilot.js', '--data-dir', path.join(work, 'data'), 'secrets', 'list'], { env: env(), encoding: 'utf8' });
    expect(listed.stdout).toContain('LOGIN_PASSWORD');

    // Replayed by name from the library: the stored secret is typed, the page gets it.
    const replayed = await replay('Login');
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
    expect(replayed.stdout).not.toContain(password);
    const login = await browser!.page.evaluate(() => (window as unknown as { __login: unknown }).__login);
    expect(login).toEqual({ user: 'alice', password });
  }, 180_000);
});
