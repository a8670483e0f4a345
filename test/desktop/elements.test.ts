import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IconGrounder, labelIcons } from '../../src/grounding/icon/index.js';
import { perceptionList, proposeElements, setOfMarks } from '../../src/perception/elements/index.js';
import { createScreenSource, encodePng } from '../../src/perception/index.js';
import { createOcr, type Ocr, type OcrResult } from '../../src/perception/ocr/index.js';
import { boxCenter, boxContains, type Box } from '../../src/shared/geometry.js';
import type { Frame, ScreenSource, UiElement } from '../../src/shared/ports.js';
import { desktopSupport, repainted, serveFixtures, startDesktop, type BrowserApp, type Desktop } from './bed/index.js';

const support = desktopSupport();
const skipReason = support.ok ? '' : ` (skipped: ${support.reason})`;
const pagesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'pages');

interface DomTruth {
  kind: 'field' | 'checkbox' | 'button' | 'icon';
  box: Box;
  label: string;
}

/** The page's controls with their boxes on the desktop (viewport offset added). */
async function domTruth(page: Page): Promise<DomTruth[]> {
  return page.evaluate(() => {
    const ox = window.screenX + (window.outerWidth - window.innerWidth);
    const oy = window.screenY + (window.outerHeight - window.innerHeight);
    const box = (el: Element): Box => {
      const r = el.getBoundingClientRect();
      return { x: r.x + ox, y: r.y + oy, width: r.width, height: r.height };
    };
    const out: DomTruth[] = [];
    document
      .querySelectorAll('input[type=text],input[type=email],input[type=password],textarea,select')
      .forEach((el) => out.push({ kind: 'field', box: box(el), label: el.id }));
    document
      .querySelectorAll('input[type=checkbox]')
      .forEach((el) => out.push({ kind: 'checkbox', box: box(el), label: el.id }));
    document
      .querySelectorAll('.buttons button, button[type=submit]')
      .forEach((el) => out.push({ kind: 'button', box: box(el), label: el.textContent ?? '' }));
    document
      .querySelectorAll('.toolbar button')
      .forEach((el) =>
        out.push({ kind: 'icon', box: box(el), label: (el as HTMLElement).dataset.icon ?? '' }),
      );
    return out;
  });
}

/** The part of the screen the page shows (Chromium's own toolbar is not under test). */
async function viewport(page: Page): Promise<Box> {
  return page.evaluate(() => ({
    x: window.screenX + (window.outerWidth - window.innerWidth),
    y: window.screenY + (window.outerHeight - window.innerHeight),
    width: window.innerWidth,
    height: window.innerHeight,
  }));
}

/** A proposal hits a control when its centre is inside the control and its kind is the control's. */
function hits(e: UiElement, t: DomTruth): boolean {
  return e.kind === t.kind && boxContains(t.box, boxCenter(e.box));
}

interface Score {
  recall: number;
  precision: number;
  missed: string[];
  wrong: string[];
}

/** Recall over the page's controls; precision over the non-text proposals inside the page. */
function score(elements: UiElement[], truth: DomTruth[], page: Box): Score {
  const found = truth.filter((t) => elements.some((e) => hits(e, t)));
  const onPage = elements.filter(
    (e) => e.kind !== 'text' && e.kind !== 'other' && boxContains(page, boxCenter(e.box)),
  );
  const right = onPage.filter((e) => truth.some((t) => hits(e, t)));
  return {
    recall: found.length / truth.length,
    precision: right.length / onPage.length,
    missed: truth.filter((t) => !found.includes(t)).map((t) => `${t.kind} ${t.label}`),
    wrong: onPage.filter((e) => !right.includes(e)).map((e) => `${e.id} ${e.kind} ${e.text ?? ''}`),
  };
}

describe.skipIf(!support.ok)(`element proposals on a real Chromium page${skipReason}`, () => {
  let desktop: Desktop;
  let fixtures: Awaited<ReturnType<typeof serveFixtures>>;
  let app: BrowserApp;
  let source: ScreenSource;
  let ocr: Ocr;
  let frame: Frame;
  let ocrResult: OcrResult;
  let truth: DomTruth[];
  let page: Box;
  let elements: UiElement[];

  beforeAll(async () => {
    desktop = await startDesktop({ width: 1280, height: 800 });
    fixtures = await serveFixtures(pagesDir);
    app = await desktop.chromium(new URL('elements.html', fixtures.url).href, {
      x: 0,
      y: 0,
      width: 1280,
      height: 800,
    });
    await app.page.waitForLoadState('load');
    await repainted(app.page);
    await new Promise((r) => setTimeout(r, 500)); // the window manager-less Chromium paints its frame late
    truth = await domTruth(app.page);
    page = await viewport(app.page);
    source = await createScreenSource({ display: desktop.display });
    frame = await source.capture();
    ocr = createOcr();
    ocrResult = await ocr.recognize(frame);
    elements = await labelIcons(frame, proposeElements(frame, { ocr: ocrResult }));
    writeFileSync('/tmp/elements-look.png', await setOfMarks(frame, elements));
    writeFileSync('/tmp/elements-frame.png', await encodePng(frame));
    writeFileSync('/tmp/elements-ocr.json', JSON.stringify(ocrResult));
    writeFileSync('/tmp/elements-list.txt', perceptionList(elements));
  });

  afterAll(async () => {
    await ocr?.dispose();
    await source?.dispose();
    await app?.close();
    await fixtures?.close();
    await desktop?.stop();
  });

  it('finds the fields, checkboxes, buttons and icon buttons of the page (recall and precision)', () => {
    expect(truth).toHaveLength(3 + 3 + 3 + 8);
    const s = score(elements, truth, page);
    writeFileSync('/tmp/elements-metrics.json', JSON.stringify(s, null, 2));
    expect(s.missed).toEqual([]);
    expect(s.precision).toBeGreaterThanOrEqual(0.85);
  });

  it('draws field and button boxes within a few pixels of the DOM boxes', () => {
    for (const t of truth.filter((x) => x.kind === 'field' || x.kind === 'button')) {
      const e = elements.find((x) => hits(x, t));
      expect(e, `${t.kind} ${t.label}`).toBeDefined();
      for (const k of ['x', 'y', 'width', 'height'] as const)
        expect(Math.abs(e!.box[k] - t.box[k]), `${t.label} ${k}`).toBeLessThanOrEqual(3);
    }
  });

  it('reads the button labels into the element list', () => {
    const labels = elements.filter((e) => e.kind === 'button').map((e) => e.text);
    expect(labels).toEqual(expect.arrayContaining(['Save', 'Cancel', 'Delete account']));
    expect(perceptionList(elements)).toMatch(/^e\d+ \[\d+, \d+\]; button: Save$/m);
  });

  // A page the proposals were not tuned on (the input tests' form: thick borders, a textarea).
  it('finds the controls of another form page it was not tuned on', async () => {
    await app.page.goto(new URL('form.html', fixtures.url).href);
    await repainted(app.page);
    await new Promise((r) => setTimeout(r, 300));
    const formTruth = await domTruth(app.page);
    const f = await source.capture();
    const found = await labelIcons(f, proposeElements(f, { ocr: await ocr.recognize(f) }));
    writeFileSync('/tmp/elements-form-look.png', await setOfMarks(f, found));
    writeFileSync('/tmp/elements-form-frame.png', await encodePng(f));
    const s = score(found, formTruth, await viewport(app.page));
    writeFileSync('/tmp/elements-form-metrics.json', JSON.stringify(s, null, 2));
    expect(formTruth).toHaveLength(4 + 1 + 1);
    expect(s.recall).toBeGreaterThanOrEqual(0.8);
    expect(s.precision).toBeGreaterThanOrEqual(0.6);
  });

  it('lets the icon grounder click each toolbar icon by its name', async () => {
    const grounder = new IconGrounder();
    const observation = { frame, displays: [], elements };
    const results: string[] = [];
    for (const t of truth.filter((x) => x.kind === 'icon')) {
      const where = await grounder
        .locate(observation, { description: `the ${t.label} icon`, region: page })
        .then(
          (l) =>
            boxContains(t.box, l.point)
              ? 'ok'
              : `wrong place (${Math.round(l.point.x)}, ${Math.round(l.point.y)})`,
          (e: unknown) => String(e),
        );
      results.push(`${t.label}: ${where}`);
    }
    writeFileSync('/tmp/elements-icons.txt', results.join('\n'));
    expect(results).toEqual(truth.filter((x) => x.kind === 'icon').map((t) => `${t.label}: ok`));
  });
});

describe.skipIf(!support.ok)(`the icon grounder on a window manager's title bar${skipReason}`, () => {
  let desktop: Desktop;
  let source: ScreenSource;

  beforeAll(async () => {
    desktop = await startDesktop({ width: 1280, height: 800, windowManager: true });
    source = await createScreenSource({ display: desktop.display });
  });

  afterAll(async () => {
    await source?.dispose();
    await desktop?.stop();
  });

  it('finds the close button of a window and clicking it closes the window', async () => {
    const app = await desktop.xterm('sleep 600', { title: 'close-me', geometry: '60x12+300+200' });
    await new Promise((r) => setTimeout(r, 500)); // openbox draws the frame after mapping
    const w = app.window;
    const frame = await source.capture();
    // The title bar lies just above the window's content; look only there.
    const titleBar = { x: w.x - 10, y: w.y - 30, width: w.width + 20, height: 30 };
    const loc = await new IconGrounder().locate(
      { frame, displays: [] },
      { description: 'the close button', region: titleBar },
    );
    expect(loc.point.x).toBeGreaterThan(w.x + w.width - 40);
    expect(loc.point.y).toBeLessThan(w.y);
    execFileSync(
      'xdotool',
      ['mousemove', String(Math.round(loc.point.x)), String(Math.round(loc.point.y)), 'click', '1'],
      { env: desktop.env },
    );
    await expect.poll(() => windowExists(desktop, 'close-me'), { timeout: 5000 }).toBe(false);
    await app.stop();
  });
});

function windowExists(desktop: Desktop, title: string): boolean {
  try {
    return execFileSync('xwininfo', ['-root', '-tree'], { env: desktop.env })
      .toString('utf8')
      .includes(`"${title}"`);
  } catch {
    return false;
  }
}
