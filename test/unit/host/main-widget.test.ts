import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { widgetView } from '../../../src/main/run-state.js';
import { dataUrl, widgetHtml, WIDGET_SIZE } from '../../../src/main/widget.js';

/**
 * The status widget's page as Electron loads it (a data: URL under its CSP), in Chromium with
 * the widget preload's bridge stood in: it shows the view it is sent, and its buttons send the
 * actions main expects.
 */
const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))(`the status widget page${existsSync(CHROMIUM) ? '' : ` (skipped: no Chromium at ${CHROMIUM})`}`, () => {
  it('shows the step and the status, and its buttons ask for pause/resume, stop and show', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage({ viewport: WIDGET_SIZE });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // What src/preload/widget.ts exposes: onView(listener) and act(action).
      await page.addInitScript('window.sent = []; window.widget = { onView: (l) => { window.show = l; }, act: (a) => window.sent.push(a) };');
      await page.goto(dataUrl(widgetHtml()));
      const send = (v: unknown) => page.evaluate(`window.show(${JSON.stringify(v)})`);
      await send(widgetView({ phase: 'running', runId: 'r', title: 't', step: 'Step 3: click "Save"' }));
      expect(await page.textContent('#line')).toBe('Step 3: click "Save"');
      expect(await page.textContent('#status')).toBe('Running');
      await page.screenshot({ path: '/tmp/widget-running.png' });
      await page.click('#pause');
      await send(widgetView({ phase: 'paused', runId: 'r', title: 't', step: 'Step 3: click "Save"', reason: 'you moved the mouse' }));
      expect(await page.textContent('#pause')).toBe('Resume');
      expect(await page.textContent('#status')).toBe('Paused: you moved the mouse');
      await page.click('#pause');
      await page.click('#stop');
      await page.click('#show');
      await send(widgetView({ phase: 'confirming', runId: 'r', title: 't' }));
      expect(await page.isDisabled('#pause')).toBe(true);
      expect(await page.evaluate('window.sent')).toEqual(['pause', 'resume', 'stop', 'show']);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
