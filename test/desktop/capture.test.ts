import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createScreenSource,
  crop,
  DesktopScreenshotSource,
  diffFrames,
  encodePng,
  pixelAt,
  waitForSettle,
} from '../../src/perception/index.js';
import { at, toScreen } from '../../src/shared/coords.js';
import type { Box } from '../../src/shared/geometry.js';
import type { Frame, ScreenSource } from '../../src/shared/ports.js';
import { desktopSupport, repainted, serveFixtures, startDesktop, type BrowserApp, type Desktop } from './bed/index.js';

const support = desktopSupport();
const skipReason = support.ok ? '' : ` (skipped: ${support.reason})`;
const pagesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'pages');

const RED = [255, 0, 0, 255];
const GREEN = [0, 255, 0, 255];
const BLUE = [0, 0, 255, 255];
const WHITE = [255, 255, 255, 255];

/** Where the page's viewport starts on the screen (below Chromium's toolbar and infobar). */
async function viewportOrigin(page: Page): Promise<{ x: number; y: number }> {
  return page.evaluate(() => ({
    x: window.screenX + (window.outerWidth - window.innerWidth),
    y: window.screenY + (window.outerHeight - window.innerHeight),
  }));
}

describe.skipIf(!support.ok)(`capturing the virtual desktop${skipReason}`, () => {
  let desktop: Desktop;
  let fixtures: Awaited<ReturnType<typeof serveFixtures>>;
  let app: BrowserApp;
  let source: ScreenSource;
  let o: { x: number; y: number };
  const page = (): Page => app.page;
  /** A page box (CSS px at zoom 1) on the desktop. */
  const onScreen = (b: Box): Box => ({ ...b, x: b.x + o.x, y: b.y + o.y });

  beforeAll(async () => {
    // Two monitors; nut-js keeps one X connection per process, so the whole file shares one desktop.
    desktop = await startDesktop({ screens: [{ width: 1280, height: 800 }, { width: 1024, height: 768 }] });
    fixtures = await serveFixtures(pagesDir);
    app = await desktop.chromium(new URL('colors.html', fixtures.url).href, { x: 0, y: 0, width: 1280, height: 800 });
    // A green xterm well inside the second monitor.
    await desktop.launch('xterm', ['-bg', '#00ff00', '-fg', '#00ff00', '-geometry', '40x10+1400+100', '-T', 'green']);
    await desktop.waitForWindow('green');
    o = await viewportOrigin(app.page);
    source = await createScreenSource({ display: desktop.display });
  });

  afterAll(async () => {
    await source?.dispose();
    await app?.close();
    await fixtures?.close();
    await desktop?.stop();
  });

  it('captures the whole display at its size, opaque and not channel-swapped', async () => {
    expect(source.constructor.name).toBe('NutScreenSource');
    const frame = await source.capture();
    writeFileSync('/tmp/capture-look.png', await encodePng(frame));
    expect([frame.width, frame.height]).toEqual([1280, 800]);
    expect(frame.desktopBounds).toEqual({ x: 0, y: 0, width: 1280, height: 800 });
    expect(pixelAt(frame, o.x + 140, o.y + 140)).toEqual(RED);
    expect(pixelAt(frame, o.x + 380, o.y + 140)).toEqual(GREEN);
    expect(pixelAt(frame, o.x + 620, o.y + 140)).toEqual(BLUE);
    expect(pixelAt(frame, o.x + 900, o.y + 140)).toEqual(WHITE);
  });


  it('captures a desktop region as exactly that sub-image', async () => {
    const region = onScreen({ x: 260, y: 20, width: 240, height: 240 });
    const full = await source.capture();
    const part = await source.capture({ region });
    expect([part.width, part.height]).toEqual([240, 240]);
    expect(part.desktopBounds).toEqual(region);
    expect(pixelAt(part, 120, 120)).toEqual(GREEN);
    expect(pixelAt(part, 5, 5)).toEqual(WHITE);
    const p = toScreen(at('desktop', o.x + 380, o.y + 140), { frame: part });
    expect(pixelAt(part, p.x, p.y)).toEqual(GREEN);
    expect(Buffer.from(part.data).equals(Buffer.from(crop(full, region).data))).toBe(true);
  });

  it('gets the same pixels through the screenshot-desktop fallback', async () => {
    const fallback = await DesktopScreenshotSource.create({ display: desktop.display });
    try {
      const region = onScreen({ x: 20, y: 20, width: 700, height: 240 });
      const [a, b] = [await source.capture({ region }), await fallback.capture({ region })];
      expect([b.width, b.height]).toEqual([700, 240]);
      expect(pixelAt(b, 120, 120)).toEqual(RED);
      expect(pixelAt(b, 600, 120)).toEqual(BLUE);
      expect(diffFrames(a, b, { threshold: 0 }).changed).toBe(false);
      expect((await fallback.capture()).width).toBe(1280);
    } finally {
      await fallback.dispose();
    }
  });

  it('says a still screen is settled at once', async () => {
    const r = await waitForSettle(source, { timeoutMs: 2000 });
    expect(r.settled).toBe(true);
    expect(r.captures).toBe(2);
  });

  it('keeps waiting while an animation runs, and settles when it stops', async () => {
    const spinner = onScreen({ x: 500, y: 280, width: 120, height: 120 });
    await page().evaluate(() => document.body.classList.add('animate'));
    try {
      // Three quiet comparisons in a row: a loaded machine can show one animation frame twice.
      const busy = await waitForSettle(source, { region: spinner, timeoutMs: 700, intervalMs: 20, stableFrames: 3 });
      expect(busy.settled).toBe(false);
      expect(busy.lastChange.length).toBeGreaterThan(0);
    } finally {
      await page().evaluate(() => document.body.classList.remove('animate'));
    }
    const calm = await waitForSettle(source, { region: spinner, timeoutMs: 3000, intervalMs: 20 });
    expect(calm.settled).toBe(true);
  });

  it('finds the box where a page element changed', async () => {
    const before = await source.capture();
    await page().evaluate(() => {
      document.getElementById('target')!.style.background = '#ffff00';
    });
    await repainted(page());
    const settled = await waitForSettle(source, { timeoutMs: 3000 });
    const d = diffFrames(before, settled.frame);
    const target = onScreen({ x: 40, y: 300, width: 160, height: 80 });
    // Chromium may repaint something else meanwhile (a scrollbar fading); the element's own
    // change must be exactly one region.
    const hits = d.regions.filter((r) => r.desktop.x < target.x + target.width && target.x < r.desktop.x + r.desktop.width && r.desktop.y < target.y + target.height && target.y < r.desktop.y + r.desktop.height);
    expect(hits).toHaveLength(1);
    const box = hits[0]!.desktop;
    // The region covers the element, and is at most one 16 px tile larger on each side.
    expect(box.x).toBeLessThanOrEqual(target.x);
    expect(box.y).toBeLessThanOrEqual(target.y);
    expect(box.x + box.width).toBeGreaterThanOrEqual(target.x + target.width);
    expect(box.y + box.height).toBeGreaterThanOrEqual(target.y + target.height);
    expect(target.x - box.x).toBeLessThan(16);
    expect(box.x + box.width - (target.x + target.width)).toBeLessThan(16);
    expect(box.y + box.height - (target.y + target.height)).toBeLessThan(16);
  });

  it('enumerates both monitors with their place in the virtual desktop', async () => {
    const displays = await source.listDisplays();
    expect(displays.map((d) => d.bounds)).toEqual([
      { x: 0, y: 0, width: 1280, height: 800 },
      { x: 1280, y: 0, width: 1024, height: 768 },
    ]);
    expect(displays.filter((d) => d.primary)).toHaveLength(1);
  });

  it('captures the second monitor alone, with pixels where the desktop says', async () => {
    const second = (await source.listDisplays())[1]!;
    const frame: Frame = await source.capture({ displayId: second.id });
    expect([frame.width, frame.height]).toEqual([1024, 768]);
    expect(frame.desktopBounds.x).toBe(1280);
    const p = toScreen(at('desktop', 1450, 130), { frame });
    expect(p).toEqual({ space: 'screen', x: 170, y: 130 });
    expect(pixelAt(frame, p.x, p.y)).toEqual(GREEN);
    // A region on the second monitor is taken from that monitor.
    const part = await source.capture({ region: { x: 1440, y: 120, width: 20, height: 20 } });
    expect(part.displayId).toBe(second.id);
    expect(pixelAt(part, 10, 10)).toEqual(GREEN);
  });
});
