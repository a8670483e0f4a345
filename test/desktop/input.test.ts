import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Box, Point } from '../../src/shared/geometry.js';
import type { InputDriver } from '../../src/shared/ports.js';
import { Aborted } from '../../src/shared/errors.js';
import { createInputDriver, Failsafe, GuardedInputDriver, type NutInputDriver } from '../../src/actions/index.js';
import { desktopSupport, serveFixtures, startDesktop, type BrowserApp, type Desktop } from './bed/index.js';
import { runTool } from './bed/util.js';
import { inputContract, TYPING_SAMPLES, type ContractSubject } from './input-contract.js';
import { observedFromPage, type PageEvent } from './input-observer.js';

/**
 * The real driver on a real X display: one Xvfb with two RandR monitors side by side (the bed's
 * `screens`), headed Chromium on each monitor for the contract, an xterm running `cat > file` for
 * typing. nut-js holds one X connection per process, so the whole file shares one desktop.
 */

const support = desktopSupport();
const pagesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'pages');

describe.skipIf(!support.ok)(`native input on a virtual desktop${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  let desktop: Desktop;
  let pages: { url: string; close(): Promise<void> };
  let driver: NutInputDriver;
  const work = mkdtempSync(path.join(tmpdir(), 'deskpilot-input-'));

  beforeAll(async () => {
    desktop = await startDesktop({ screens: [{ width: 1280, height: 900 }, { width: 1280, height: 900 }] });
    pages = await serveFixtures(pagesDir);
    driver = (await createInputDriver({ display: desktop.display, env: desktop.env })) as NutInputDriver;
  });
  afterAll(async () => {
    await driver?.dispose();
    await pages?.close();
    await desktop?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const xdotool = (...args: string[]) => runTool('xdotool', args, desktop.env, 10_000);

  /** A Chromium window showing input.html at `x`, with the page's client origin found in desktop pixels. */
  async function browserSubject(x: number): Promise<ContractSubject> {
    const app: BrowserApp = await desktop.chromium(`${pages.url}input.html`, { x, y: 0, width: 1000, height: 700 });
    await app.page.waitForFunction(() => Array.isArray((window as unknown as { __events?: unknown }).__events));
    const events = () => app.page.evaluate(() => (window as unknown as { __events: PageEvent[] }).__events);
    // Calibrate: put the pointer on the pad by hand and read where the page says it is.
    const padBox = await app.page.evaluate(() => document.getElementById('pad')!.getBoundingClientRect().toJSON() as Box);
    const probe = { x: x + 300, y: 450 };
    await xdotool('mousemove', String(probe.x), String(probe.y));
    await app.page.waitForFunction(() => (window as unknown as { __events: PageEvent[] }).__events.some((e) => e.type === 'mousemove'));
    const last = (await events()).filter((e) => e.type === 'mousemove').pop()!;
    const dx = last.x! - last.cx!;
    const dy = last.y! - last.cy!;
    const area: Box = { x: dx + padBox.x + 20, y: dy + padBox.y + 20, width: padBox.width - 40, height: padBox.height - 40 };
    const pointAt = async (selector: string) => {
      const r = await app.page.evaluate((s) => document.querySelector(s)!.getBoundingClientRect().toJSON() as Box, selector);
      await xdotool('mousemove', String(Math.round(dx + r.x + r.width / 2)), String(Math.round(dy + r.y + r.height / 2)));
    };
    return {
      driver,
      area,
      clock: driver,
      takesTime: true,
      clickGapMs: 600,
      focusText: async () => {
        await app.page.focus('#text');
        await pointAt('#text'); // no window manager: keyboard focus follows the pointer
      },
      focusKeys: async () => {
        await app.page.focus('#pad');
        await pointAt('#pad');
      },
      reset: async () => {
        await app.page.evaluate(() => {
          (window as unknown as { __events: PageEvent[] }).__events.length = 0;
          (document.getElementById('text') as HTMLTextAreaElement).value = '';
        });
      },
      observed: async () => {
        await new Promise((r) => setTimeout(r, 150)); // let Chromium dispatch what X delivered
        const text = await app.page.evaluate(() => (document.getElementById('text') as HTMLTextAreaElement).value);
        return observedFromPage(text, await events());
      },
      close: () => app.close(),
    };
  }

  inputContract('nut-js + xdotool, Chromium on the first monitor', () => browserSubject(0));
  inputContract('nut-js + xdotool, Chromium on the second monitor', () => browserSubject(1280));

  describe('xterm running cat > file', () => {
    let file: string;
    let xterm: Awaited<ReturnType<Desktop['xterm']>>;
    let inside: Point;
    beforeAll(async () => {
      file = path.join(work, 'typed.txt');
      // Bottom-left of the first monitor, so that the desktop's bottom-left corner is inside it.
      xterm = await desktop.xterm(`stty -echo; exec cat > '${file}'`, { geometry: '70x8+0-0' });
      inside = { x: xterm.window.x + Math.round(xterm.window.width / 2), y: xterm.window.y + Math.round(xterm.window.height / 2) };
      // The window shows before its shell has run `cat > file` (seen on a loaded machine): typing
      // starts once cat has the file open.
      const deadline = Date.now() + 10_000;
      while (!existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      if (!existsSync(file)) throw new Error(`xterm's cat did not open ${file} within 10 s`);
    });
    afterAll(async () => {
      await xterm?.stop();
    });

    const fileText = () => readFileSync(file, 'utf8');
    async function typedLine(act: () => Promise<unknown>): Promise<string> {
      const before = fileText().length;
      await act().catch(() => undefined);
      await xdotool('key', 'Return'); // the terminal hands a line to cat only at Return
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && !fileText().slice(before).includes('\n')) await new Promise((r) => setTimeout(r, 20));
      return fileText().slice(before).replace(/\n$/, '');
    }

    it.each(TYPING_SAMPLES)('types %s exactly', async (_label, text) => {
      await driver.move(inside);
      const got = await typedLine(() => driver.type(text));
      expect(got).toBe(text);
    });

    async function guardedTypeInterrupted(person: Point): Promise<{ error: unknown; typed: string; lateMs: number; failsafe: Failsafe }> {
      await driver.move(inside);
      const controller = new AbortController();
      const failsafe = new Failsafe({ probe: driver, screens: desktop.screens });
      const guarded: InputDriver = new GuardedInputDriver(driver, { controller, failsafe });
      await failsafe.start(controller);
      await guarded.move(inside);
      let triggerAt = 0;
      let error: unknown;
      const text = 'abcdefghij'.repeat(200);
      const typed = await typedLine(async () => {
        const typing = guarded.type(text).catch((e: unknown) => (error = e));
        await new Promise((r) => setTimeout(r, 150));
        await xdotool('mousemove', String(person.x), String(person.y)); // the person grabs the mouse
        triggerAt = performance.now();
        await typing;
        failsafe.stop();
        await xdotool('mousemove', String(inside.x), String(inside.y)); // focus back for the Return
      });
      expect(text.startsWith(typed), 'what arrived is a prefix of the text').toBe(true);
      expect(typed.length).toBeGreaterThan(0);
      expect(typed.length).toBeLessThan(text.length);
      return { error, typed, lateMs: (driver.lastEventAt() ?? 0) - triggerAt, failsafe };
    }

    it('the corner failsafe stops a long type within 100 ms', async () => {
      const corner = { x: 0, y: desktop.height - 1 };
      const r = await guardedTypeInterrupted(corner);
      expect(r.error).toBeInstanceOf(Aborted);
      expect((r.error as Error).message).toBe('failsafe: pointer in a screen corner');
      expect(r.failsafe.triggered?.reason).toBe('corner');
      expect(r.lateMs).toBeLessThanOrEqual(100);
    });

    it('a person moving the mouse stops a long type within 100 ms (user took over)', async () => {
      const r = await guardedTypeInterrupted({ x: inside.x + 40, y: inside.y - 10 });
      expect(r.error).toBeInstanceOf(Aborted);
      expect((r.error as Error).message).toMatch(/^user took over/);
      expect(r.lateMs).toBeLessThanOrEqual(100);
    });
  });
});
