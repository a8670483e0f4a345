import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { setupGrounding } from '../src/app/grounding-setup.js';
import { createReplayGrounding, type Anchors } from '../src/macros/index.js';
import { Config } from '../src/shared/config.js';
import { GroundingError } from '../src/shared/errors.js';
import type { Box, Point } from '../src/shared/geometry.js';
import { nullLogger } from '../src/shared/logger.js';
import { FixtureScreenSource } from '../test/fakes/fixture-screen.js';
import { summarize, type Benchmark } from './harness.js';

const W = 1280;
const H = 800;
const GOAL_RATE = 0.98;
const GOAL_MS = 250;
const FORM = new URL('../test/fixtures/pages/form.html', import.meta.url).href;

/** The steps of the recorded macro: what is clicked, and whether it is irreversible. */
const TARGETS = [
  { text: 'Name', label: 'label[for=name]', control: '#name' },
  { text: 'Email', label: 'label[for=email]', control: '#email' },
  { text: 'Message', label: 'label[for=message]', control: '#message' },
  { text: 'Subscribe', label: 'label[for=subscribe]', control: '#subscribe' },
  { text: 'Submit', label: '#submit', control: '#submit', irreversible: true },
] as const;
const LANDMARKS = ['Contact form', 'Name', 'Email', 'Message', 'Options', 'Color'];

interface Perturbation {
  name: string;
  /** Changes the page before the screenshot. */
  apply?: (page: Page) => Promise<void>;
  /** The page is shown in a smaller window at this place on the screen. */
  window?: Box;
}

const PERTURBATIONS: Perturbation[] = [
  { name: 'window moved', window: { x: 180, y: 90, width: W - 180, height: H - 90 } },
  { name: 'window resized', window: { x: 60, y: 40, width: 900, height: 700 } },
  { name: 'content scrolled', apply: (p) => p.evaluate(() => { document.body.insertAdjacentHTML('afterbegin', '<div style="height:420px;padding-top:20px">Announcements</div>'); window.scrollTo(0, 300); }) },
  { name: 'row inserted above', apply: (p) => p.evaluate(() => { document.getElementById('email')!.parentElement!.insertAdjacentHTML('beforebegin', '<div class="row"><label>Phone</label><input type="text"></div>'); }) },
  { name: 'larger font', apply: (p) => p.addStyleTag({ content: 'body { font-size: 27px } input[type=text], input[type=email], textarea, select { font-size: 27px } button { font-size: 29px } .row > label:first-child { width: 200px }' }).then(() => undefined) },
  // The text rung cannot find "Email" any more; its landmarks still can.
  { name: 'label renamed', apply: (p) => p.evaluate(() => void (document.querySelector('label[for=email]')!.textContent = 'Address')) },
  { name: 'dark theme', apply: (p) => p.addStyleTag({ content: 'body { background: #1e1e1e; color: #eee } input, textarea, select { background: #2d2d2d; color: #eee; border-color: #ccc !important } button { background: #3a3a3a; color: #eee; border-color: #ccc !important } #result { border-color: #ccc }' }).then(() => undefined) },
];

interface Shot {
  png: Buffer;
  /** Where each target may be clicked (its label and its control), in screen pixels. */
  boxes: Box[][];
  /** The centre of each visible text, in screen pixels. */
  centres: Record<string, Point>;
}

/**
 * Replays a recorded macro's click targets on screens perturbed as real UIs change (window
 * moved or resized, content scrolled, a row inserted above, a larger font, dark theme) and
 * checks where each step would click against the page's own element boxes. Baseline, in the
 * same run: coordinate replay (the recorded point, always clicked). The ladder may fail closed
 * (no click); a click outside the target is a wrong action. Screens are rendered by headless
 * Chromium and served as the screen, so no display is needed.
 */
export const macroRobustnessBench: Benchmark = {
  name: 'macro-robustness',
  description: 'macro replay under UI perturbations vs coordinate replay, 1280x800',
  goal: `>= ${GOAL_RATE * 100}% of steps right, 0 wrong actions, median capture+ground <= ${GOAL_MS} ms`,
  async run({ quick }) {
    const work = mkdtempSync(join(tmpdir(), 'deskpilot-bench-macro-'));
    const grounding = setupGrounding(Config.parse({}), nullLogger);
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    try {
      const recorded = await render(browser, { name: 'as recorded' }, W, H);
      const anchors = await recordAnchors(recorded, work);
      const { ladder } = createReplayGrounding({ perception: grounding.perception, baseDir: work });
      const counts = { ladder: { right: 0, closed: 0, wrong: 0 }, coords: { right: 0, wrong: 0 } };
      const times: number[] = [];
      const firstLook: number[] = [];
      const rungs: Record<string, number> = {};
      const wrongs: string[] = [];
      for (const p of quick ? PERTURBATIONS.slice(0, 3) : PERTURBATIONS) {
        const shot = await render(browser, p, W, H);
        const screen = await FixtureScreenSource.fromPng(writePng(work, shot.png));
        for (const [i, t] of TARGETS.entries()) {
          const inside = (q: Point) => shot.boxes[i]!.some((b) => q.x >= b.x && q.y >= b.y && q.x < b.x + b.width && q.y < b.y + b.height);
          const original = recorded.centres[t.text]!;
          if (inside(original)) counts.coords.right++;
          else counts.coords.wrong++;
          const t0 = performance.now();
          // The first look at a new screen reads all of it; later steps re-read only what changed.
          const into = i === 0 ? firstLook : times;
          const frame = await screen.capture();
          ladder.intent = { key: t.text, runId: 'bench', step: { kind: 'click', target: { text: t.text }, button: 'left', count: 1 }, irreversible: 'irreversible' in t, anchors: anchors[i]! };
          try {
            const loc = await ladder.locate({ frame, displays: [] }, { text: t.text });
            into.push(performance.now() - t0);
            rungs[loc.source] = (rungs[loc.source] ?? 0) + 1;
            if (inside(loc.point)) counts.ladder.right++;
            else {
              counts.ladder.wrong++;
              wrongs.push(`${p.name}: ${t.text} at ${Math.round(loc.point.x)},${Math.round(loc.point.y)} by ${loc.source}`);
            }
          } catch (err) {
            if (!(err instanceof GroundingError)) throw err;
            into.push(performance.now() - t0);
            counts.ladder.closed++;
          }
        }
      }
      const steps = counts.coords.right + counts.coords.wrong;
      const rate = counts.ladder.right / steps;
      const coordRate = counts.coords.right / steps;
      const step = summarize(times, 'ms');
      const pct = (n: number) => ({ median: n * 100, min: n * 100, max: n * 100, unit: '%' });
      const n = (v: number, unit: string) => ({ median: v, min: v, max: v, unit });
      if (wrongs.length) process.stderr.write(`macro-robustness wrong actions:\n  ${wrongs.join('\n  ')}\n`);
      return {
        figures: {
          'ladder steps right': pct(rate),
          'ladder failed closed': n(counts.ladder.closed, 'steps'),
          'ladder wrong actions': n(counts.ladder.wrong, 'steps'),
          'coordinate replay right': pct(coordRate),
          'coordinate replay wrong actions': n(counts.coords.wrong, 'steps'),
          'capture+ground per step': step,
          'first step on a new screen': summarize(firstLook, 'ms'),
          'found near the recorded place (no whole-screen read)': n(ladder.stats.near, 'steps'),
          ...Object.fromEntries(Object.entries(rungs).map(([k, v]) => [`found by ${k.replace('ladder:', '')}`, n(v, 'steps')])),
        },
        ratio: coordRate === 0 ? rate * steps : rate / coordRate,
        ratioLabel: 'ladder / coordinate replay share of steps right',
        goalMet: rate >= GOAL_RATE && counts.ladder.wrong === 0 && step.median <= GOAL_MS,
      };
    } finally {
      await browser.close();
      await grounding.ocr.dispose();
      rmSync(work, { recursive: true, force: true });
    }
  },
};

/**
 * Runs in the page: each target's label and control boxes, and the centre of each text (its
 * text range, not its box: a label is wider than its text). A string, because the bundler would
 * wrap named functions in a helper that does not exist in the page.
 */
const GEOMETRY_SCRIPT = `(() => {
  const args = ARGS;
  const rect = (e) => { if (!e) return []; const r = e.getBoundingClientRect(); return [{ x: r.x, y: r.y, width: r.width, height: r.height }]; };
  const all = Array.from(document.querySelectorAll('label, button, h1'));
  const centres = {};
  for (const text of [...args.landmarks, ...args.targets.map((t) => t.text)]) {
    const e = all.find((x) => (x.textContent || '').trim() === text);
    if (!e) continue;
    const range = document.createRange();
    range.selectNodeContents(e);
    const r = range.getBoundingClientRect();
    centres[text] = { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  }
  return { boxes: args.targets.map((t) => [...rect(document.querySelector(t.label)), ...rect(document.querySelector(t.control))]), centres };
})()`;

type Browser = Awaited<ReturnType<typeof chromium.launch>>;

/** The form under a perturbation, as a 1280x800 screen. */
async function render(browser: Browser, p: Perturbation, width: number, height: number): Promise<Shot> {
  const win = p.window ?? { x: 0, y: 0, width, height };
  const page = await browser.newPage({ viewport: { width: win.width, height: win.height }, deviceScaleFactor: 1 });
  try {
    await page.goto(FORM);
    await p.apply?.(page);
    const shot = await page.screenshot({ type: 'png' });
    const geometry = await page.evaluate<{ boxes: Box[][]; centres: Record<string, Point> }>(
      GEOMETRY_SCRIPT.replace('ARGS', JSON.stringify({ targets: TARGETS, landmarks: LANDMARKS })),
    );
    const shift = (q: { x: number; y: number }) => ({ x: q.x + win.x, y: q.y + win.y });
    const png = p.window
      ? await sharp({ create: { width, height, channels: 4, background: { r: 90, g: 96, b: 110, alpha: 1 } } }).composite([{ input: shot, left: win.x, top: win.y }]).png().toBuffer()
      : shot;
    return {
      png,
      boxes: geometry.boxes.map((bs) => bs.map((b) => ({ ...b, ...shift(b) }))),
      centres: Object.fromEntries(Object.entries(geometry.centres).map(([k, v]) => [k, shift(v)])),
    };
  } finally {
    await page.close();
  }
}

/** What a recorder keeps for each target: its text, a crop around it, and its two nearest landmarks. */
async function recordAnchors(shot: Shot, dir: string): Promise<Anchors[]> {
  mkdirSync(dir, { recursive: true });
  return Promise.all(
    TARGETS.map(async (t, i) => {
      const c = shot.centres[t.text]!;
      const crop = { left: Math.max(0, Math.round(c.x - 60)), top: Math.max(0, Math.round(c.y - 20)), width: 120, height: 40 };
      const file = `${String(i + 1).padStart(3, '0')}.png`;
      writeFileSync(join(dir, file), await sharp(shot.png).extract(crop).png().toBuffer());
      const near = LANDMARKS.filter((l) => l !== t.text && shot.centres[l])
        .map((l) => ({ text: l, at: shot.centres[l]! }))
        .sort((a, b) => Math.hypot(a.at.x - c.x, a.at.y - c.y) - Math.hypot(b.at.x - c.x, b.at.y - c.y))
        .slice(0, 2);
      return {
        text: t.text,
        template: file,
        offset: [Math.round(c.x - crop.left), Math.round(c.y - crop.top)] as [number, number],
        at: [Math.round(c.x), Math.round(c.y)] as [number, number],
        landmarks: near.map((l) => ({ text: l.text, dx: Math.round(c.x - l.at.x), dy: Math.round(c.y - l.at.y) })),
      };
    }),
  );
}

let shots = 0;
function writePng(dir: string, png: Buffer): string {
  const file = join(dir, `screen-${shots++}.png`);
  writeFileSync(file, png);
  return file;
}
