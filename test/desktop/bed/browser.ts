import { chromium, type Browser, type Page } from 'playwright-core';
import { TestBedError } from './errors.js';
import { describeLeft, type ProcessTracker } from './processes.js';

export interface BrowserApp {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
  /** Chromium's main process; it leads the process group of all its helpers. */
  pid: number;
}

export interface BrowserOptions {
  x?: number;
  y?: number;
  width?: number;
  height?: number;
}

/**
 * Waits two animation frames: the page's last change has been painted into its window. On a
 * loaded machine the frame can still reach the X screen a little later; a test that must not see
 * the old pixels waits for the screen itself too.
 */
export async function repainted(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Headed Debian Chromium on the desktop's display, driven by playwright-core.
 *
 * launchServer + connect instead of launch, because only the server hands out the Chromium
 * process, and the desktop must know its pid to prove at stop() that nothing is left. Playwright
 * spawns it detached, so its pid is also its process group. A new context with `viewport: null`
 * makes the page fill the real window, so --window-position/--window-size decide where it shows;
 * Playwright gives each launch a fresh temporary profile and deletes it on close.
 */
export async function launchChromium(
  tracker: ProcessTracker,
  env: NodeJS.ProcessEnv,
  url: string,
  opts: BrowserOptions = {},
): Promise<BrowserApp> {
  const { x = 0, y = 0, width = 1024, height = 768 } = opts;
  const server = await chromium
    .launchServer({
      executablePath: CHROMIUM_PATH,
      headless: false,
      env: { ...env, [tracker.markerKey]: tracker.markerValue },
      timeout: 30_000,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-dev-shm-usage',
        `--window-position=${x},${y}`,
        `--window-size=${width},${height}`,
      ],
    })
    .catch((cause: unknown) => {
      throw new TestBedError(`could not start Chromium (${CHROMIUM_PATH}) on ${env.DISPLAY ?? '?'}`, {
        cause,
      });
    });
  const pid = server.process().pid;
  if (pid === undefined) {
    await server.kill();
    throw new TestBedError('Chromium started without a pid');
  }
  tracker.groups.add(pid);

  let browser: Browser | undefined;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await browser?.close().catch(() => undefined);
    await server.close().catch(() => undefined);
    const left = await tracker.end(new Set([pid]));
    if (left.length > 0) throw new TestBedError(`Chromium would not stop: ${describeLeft(left)}`);
  };

  try {
    browser = await chromium.connect(server.wsEndpoint());
    const context = await browser.newContext({ viewport: null });
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    await repainted(page);
    return { browser, page, close, pid };
  } catch (cause) {
    await close().catch(() => undefined);
    throw new TestBedError(`Chromium could not open ${url}`, { cause });
  }
}
