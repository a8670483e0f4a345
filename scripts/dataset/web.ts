import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { serveFixtures, startDesktop } from '../../test/desktop/bed/index.js';
import { harvestPage, showMarker } from './harvest.js';
import { datasetPng, findMarker, type Sample } from './images.js';

const run = promisify(execFile);

export interface WebScene {
  page: string;
  theme: 'light' | 'dark';
  zoom: number;
}

/** The looks each page is rendered in: every page light; some dark; some zoomed as on HiDPI. */
export const WEB_SCENES: WebScene[] = [
  ...['login', 'settings', 'files', 'mail', 'cart', 'editor', 'dialog', 'table'].map((page) => ({ page, theme: 'light' as const, zoom: 1 })),
  ...['settings', 'mail', 'editor', 'table', 'dialog'].map((page) => ({ page, theme: 'dark' as const, zoom: 1 })),
  ...['login', 'files', 'cart', 'dialog'].map((page) => ({ page, theme: 'light' as const, zoom: 1.25 })),
  ...['editor', 'settings'].map((page) => ({ page, theme: 'dark' as const, zoom: 1.5 })),
];

export function sceneName(s: WebScene): string {
  return `web_${s.page}_${s.theme}${s.zoom === 1 ? '' : `_z${Math.round(s.zoom * 100)}`}.png`;
}

/**
 * Renders each scene in headed Chromium filling a 1280x800 screen, captures the whole screen and
 * turns the page's element boxes into screen boxes. The page's origin on screen is measured, not
 * assumed: Chromium's tab strip, address bar and the --no-sandbox infobar sit above it.
 */
export async function generateWeb(write: (name: string, png: Buffer) => Promise<void>): Promise<Sample[]> {
  const pagesDir = path.join(import.meta.dirname, 'pages');
  const server = await serveFixtures(pagesDir);
  const desktop = await startDesktop({ width: 1280, height: 800 });
  const samples: Sample[] = [];
  try {
    const app = await desktop.chromium(new URL("login.html", server.url).href, { x: 0, y: 0, width: 1280, height: 800 });
    // The pointer rests in the bottom-right corner so that no element shows its hover look.
    await run('xdotool', ['mousemove', '1279', '799'], { env: desktop.env });
    for (const scene of WEB_SCENES) {
      const name = sceneName(scene);
      const query = `?theme=${scene.theme}&zoom=${scene.zoom}`;
      await app.page.goto(new URL(`${scene.page}.html${query}`, server.url).href, { waitUntil: 'load' });
      await app.page.evaluate(() => document.fonts.ready.then(() => undefined));
      // tsx compiles named inner functions with an `__name` helper that the page does not have.
      await app.page.evaluate('globalThis.__name = globalThis.__name || ((f) => f)');
      await app.page.evaluate(showMarker, true);
      await settle(app.page);
      const origin = await findMarker(await desktop.screenshotPng());
      if (!origin) throw new Error(`${name}: the origin marker is not on screen`);
      await app.page.evaluate(showMarker, false);
      await settle(app.page);
      const elements = await app.page.evaluate(harvestPage);
      const png = await datasetPng(await desktop.screenshotPng());
      await write(name, png);
      for (const e of elements) {
        const [x, y, w, h] = e.box;
        const bbox: Sample['bbox'] = [Math.round(origin.x + x), Math.round(origin.y + y), Math.round(w), Math.round(h)];
        if (bbox[0] < 0 || bbox[1] < 0 || bbox[0] + bbox[2] > desktop.width || bbox[1] + bbox[3] > desktop.height) continue;
        samples.push({ img_filename: name, instruction: e.instruction, bbox, data_type: e.kind, platform: 'web', source: 'dom' });
      }
      process.stderr.write(`${name}: ${elements.length} elements, page origin at ${origin.x},${origin.y}\n`);
    }
  } finally {
    await desktop.stop();
    await server.close();
  }
  return samples;
}

async function settle(page: Page): Promise<void> {
  await page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
  );
  await sleep(150);
}
