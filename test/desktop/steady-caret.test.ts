import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SetupAction } from '../../src/runner/tasks/schema.js';
import { TaskSession } from '../../src/runner/tasks/session.js';
import { startVirtualDisplay, type VirtualDisplay } from '../../src/runner/xvfb.js';
import { CHROMIUM_PATH } from './bed/browser.js';
import { desktopSupport } from './bed/index.js';

const exec = promisify(execFile);
const support = desktopSupport();
const reason = !support.ok
  ? support.reason
  : existsSync(CHROMIUM_PATH)
    ? ''
    : `no Chromium at ${CHROMIUM_PATH}`;
const PAGES = path.resolve(import.meta.dirname, '../fixtures/pages');

// A focused field's caret blinks twice a second by default: the screen of a task is then never
// still, and every blink is a change for the incremental OCR to read. A task's apps get GTK
// settings (in the task's private config dir) that keep it drawn.
describe.skipIf(reason !== '')(
  `a task's apps on a private display${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let screen: VirtualDisplay;
    let workDir: string;

    beforeAll(async () => {
      screen = await startVirtualDisplay({ from: 262, width: 800, height: 600, framebuffer: true });
      workDir = mkdtempSync(path.join(tmpdir(), 'deskpilot-caret-'));
    });

    afterAll(async () => {
      await screen?.stop();
      if (workDir) rmSync(workDir, { recursive: true, force: true });
    });

    /** A session of a task on the display, in a work dir of its own. */
    function session(): TaskSession {
      return new TaskSession({
        env: { ...process.env, DISPLAY: screen.display },
        workDir: mkdtempSync(path.join(workDir, 'task-')),
        taskDir: PAGES,
        screen: { width: 800, height: 600 },
        screenText: () => Promise.resolve(''),
        log: () => undefined,
        sweepWindows: true,
      });
    }

    /** Once the screen has been still for 300 ms: how often it changes in the next 1.5 s (three blinks' time). */
    async function changesWhenSettled(): Promise<number> {
      const fb = screen.framebuffer!;
      let last = readFileSync(fb);
      for (let still = 0; still < 300; still += 50) {
        await new Promise((r) => setTimeout(r, 50));
        const now = readFileSync(fb);
        if (!now.equals(last)) still = -50;
        last = now;
      }
      let changes = 0;
      for (let i = 0; i < 15; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const now = readFileSync(fb);
        if (!now.equals(last)) changes++;
        last = now;
      }
      return changes;
    }

    const apps: { name: string; setup: SetupAction[]; focus: string[] }[] = [
      // The page's first field gets the focus; its caret is then drawn (and, by default, blinks).
      {
        name: 'a focused Chromium field',
        setup: [{ open: 'form.html' }, { wait_for: { window: 'Form fixture', timeout: 40 } }],
        focus: ['key', 'Tab'],
      },
      {
        name: 'a GTK editor (mousepad)',
        setup: [{ launch: 'mousepad' }, { wait_for: { window: 'Mousepad', timeout: 20 } }],
        focus: ['type', 'hello'],
      },
    ];

    it.each(apps)(
      'show a steady text cursor: $name does not blink',
      async ({ setup, focus }) => {
        const s = session();
        try {
          await s.setup(setup);
          await exec('xdotool', focus, { env: s.env });
          expect(await changesWhenSettled()).toBe(0);
        } finally {
          await s.close();
        }
      },
      60_000,
    );
  },
);
