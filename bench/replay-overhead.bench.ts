import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { headlessConfirmer } from '../src/app/confirmers.js';
import { createAppContext } from '../src/app/context.js';
import { setupEngine } from '../src/app/engine-setup.js';
import { parseMacro, replayMacro } from '../src/macros/index.js';
import { buildSteps, type RecordedAction } from '../src/macros/record/index.js';
import { decodeImage, makeFrame } from '../src/perception/index.js';
import { createOcr } from '../src/perception/ocr/index.js';
import type { Frame } from '../src/shared/ports.js';
import { serveFixtures, startDesktop, type BrowserApp } from '../test/desktop/bed/index.js';
import { runBenchChild } from './child.js';
import { summarize, type Benchmark, type Figure } from './harness.js';

const GOAL_MS = 250;
const CHILD_FLAG = 'DESKPILOT_REPLAY_BENCH_CHILD';
const PAGES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'pages');

/** The macro's steps on form.html: what is done, the text it targets, and the texts near it. */
const STEPS = [
  { line: 'type "Ada" into "Name"', text: 'Name' },
  { line: 'type "ada@example.com" into "Email"', text: 'Email' },
  { line: 'type "hello" into "Message"', text: 'Message' },
  { line: 'click "Name"', text: 'Name' },
  { line: 'click "Contact form"', text: 'Contact form' },
  { line: 'click "Options"', text: 'Options' },
  { line: 'click "Color"', text: 'Color' },
  { line: 'click "Email"', text: 'Email' },
  { line: 'click "Submit"', text: 'Submit', irreversible: true, expect: 'Submitted' },
] as const;
const TEXTS = ['Contact form', 'Name', 'Email', 'Message', 'Options', 'Subscribe', 'Color', 'Submit', 'Not submitted'];

/** How each replay reads the screen: the local-first ladder, or the whole screen for every step. */
const MODES = ['full read', 'local first'] as const;
type Mode = (typeof MODES)[number];

interface ChildStep {
  /** The screen capture the step's observation started with. */
  capture: number;
  /** From this step's start to the next one's (or the run's end), the app's settle time taken out. */
  overhead: number;
  /** What the engine recorded: ground, gate, act, settle. */
  timings: Record<string, number>;
  source: string | undefined;
  point: { x: number; y: number } | undefined;
}
interface ChildResult {
  status: string;
  error?: string;
  steps: ChildStep[];
  lookedNear: { found: number; wholeScreen: number };
}

/**
 * Replay overhead per step on a real 1280x800 Xvfb desktop: a 9-step macro (typing into fields,
 * clicking labels, an irreversible Submit with a postcondition) replayed by `replayMacro` into
 * headed Chromium showing form.html, each replay in a fresh process as `deskpilot replay` runs.
 * Per step: from its start to the next step's start (observe, postcondition check, ground,
 * safety gate, act, screenshots kept), minus the settle wait the engine records (the app's own
 * reaction). Baseline, alternating in the same run: the same replay reading the whole screen
 * for each new screen (incremental OCR) instead of the area around the recorded place first.
 * The end state is checked in the page after every replay.
 */
export const replayOverheadBench: Benchmark = {
  name: 'replay-overhead',
  description: 'macro replay overhead per step (capture+ground+act, settle excluded), 1280x800 Xvfb + Chromium',
  goal: `median capture+ground+act per step <= ${GOAL_MS} ms with the local-first ladder`,
  async run({ quick }) {
    const work = mkdtempSync(path.join(tmpdir(), 'deskpilot-bench-replay-'));
    const desktop = await startDesktop({ width: 1280, height: 800, windowManager: true });
    const pages = await serveFixtures(PAGES);
    let browser: BrowserApp | undefined;
    try {
      const url = new URL('form.html', pages.url).href;
      browser = await desktop.chromium(url, { x: 0, y: 0, width: 1280, height: 800 });
      const macroFile = path.join(work, 'bench-form.yaml');
      writeFileSync(macroFile, await writeMacro(browser));
      const samples: Record<Mode, ChildStep[]> = { 'full read': [], 'local first': [] };
      const near = { found: 0, wholeScreen: 0 };
      const rounds = quick ? 1 : 3;
      for (let round = 0; round < rounds; round++) {
        const clicked: Partial<Record<Mode, ChildStep[]>> = {};
        for (const mode of MODES) {
          // A fresh browser each time: one that saw the form sent offers the values again in an
          // autofill popup, which covers the fields below the one being typed into.
          await browser.close();
          browser = await desktop.chromium(url, { x: 0, y: 0, width: 1280, height: 800 });
          await browser.page.waitForLoadState('load');
          const spec = JSON.stringify({ display: desktop.display, macroFile, dataDir: path.join(work, `data-${mode.replace(' ', '-')}`), mode });
          const r = await runBenchChild<ChildResult>(import.meta.url, { ...desktop.env, [CHILD_FLAG]: spec }, `replay-overhead child (${mode})`);
          if (r.status !== 'succeeded') throw new Error(`the ${mode} replay failed: ${r.error}`);
          const sent = await browser.page.evaluate(() => (window as unknown as { __submitted: unknown }).__submitted);
          const want = { name: 'Ada', email: 'ada@example.com', message: 'hello', subscribe: false };
          if (JSON.stringify(sent) !== JSON.stringify({ ...want, color: '' })) throw new Error(`the ${mode} replay left the form as ${JSON.stringify(sent)}`);
          samples[mode].push(...r.steps);
          clicked[mode] = r.steps;
          if (mode === 'local first') [near.found, near.wholeScreen] = [near.found + r.lookedNear.found, near.wholeScreen + r.lookedNear.wholeScreen];
        }
        // Found near the recorded place or on the whole screen, each step acts on the same point.
        clicked['local first']!.forEach((s, i) => {
          const f = clicked['full read']![i]?.point;
          if (s.point && f && Math.hypot(s.point.x - f.x, s.point.y - f.y) > 4) throw new Error(`step ${i + 1} acted at ${JSON.stringify(s.point)} reading near the place, at ${JSON.stringify(f)} reading the whole screen`);
        });
      }
      const figures: Record<string, Figure> = {};
      for (const mode of MODES) {
        const steps = samples[mode];
        figures[`${mode}: capture+ground+act per step`] = summarize(steps.map(perStep));
        figures[`${mode}: ground (engine timing)`] = summarize(steps.map((s) => s.timings.ground ?? 0));
        figures[`${mode}: all but settle per step`] = summarize(steps.map((s) => s.overhead));
        figures[`${mode}: first step, all but settle`] = summarize(steps.filter((_, i) => i % STEPS.length === 0).map((s) => s.overhead));
      }
      figures['local first: targets found near the recorded place'] = { median: near.found, min: near.found, max: near.found, unit: 'steps' };
      figures['local first: looked near, needed the whole screen'] = { median: near.wholeScreen, min: near.wholeScreen, max: near.wholeScreen, unit: 'steps' };
      // Last: its form submission must not leave the browser asking anything during the replays.
      Object.assign(figures, await recordingFigures(() => desktop.screenshotPng(), browser, quick));
      const local = figures['local first: capture+ground+act per step']!;
      const full = figures['full read: capture+ground+act per step']!;
      return {
        figures,
        ratio: full.median / local.median,
        ratioLabel: 'full-read / local-first median capture+ground+act per step',
        goalMet: local.median <= GOAL_MS,
      };
    } finally {
      await browser?.close();
      await pages.close();
      await desktop.stop();
      rmSync(work, { recursive: true, force: true });
    }
  },
};

/**
 * Recording -> macro: a short session on the form (click a field, type, click a checkbox label,
 * submit; the screens taken from the desktop before each action) turned into steps with their
 * evidence, reading each screen whole (the baseline) or as a change from the screen before.
 */
async function recordingFigures(screenshot: () => Promise<Buffer>, b: BrowserApp, quick: boolean): Promise<Record<string, Figure>> {
  await b.page.reload();
  await b.page.waitForLoadState('load');
  const origin = await b.page.evaluate(() => ({ x: window.screenX + (window.outerWidth - window.innerWidth), y: window.screenY + (window.outerHeight - window.innerHeight) }));
  const frames: Frame[] = [];
  const actions: RecordedAction[] = [];
  const shoot = async () => {
    await new Promise((r) => setTimeout(r, 300));
    const img = await decodeImage(await screenshot());
    frames.push(makeFrame('d0', img.width, img.height, img.data, { x: 0, y: 0, width: img.width, height: img.height }));
    return frames.length - 1;
  };
  const click = async (sel: string) => {
    const box = (await b.page.locator(sel).boundingBox())!;
    const i = await shoot();
    const at = { x: Math.round(origin.x + box.x + box.width / 2), y: Math.round(origin.y + box.y + box.height / 2) };
    actions.push({ kind: 'click', at, button: 'left', count: 1, modifiers: [], first: i, last: i, start: i * 500, end: i * 500 + 80 });
    await b.page.click(sel);
  };
  const type = async (text: string) => {
    const i = await shoot();
    actions.push({ kind: 'type', text, first: i, last: i, start: i * 500, end: i * 500 + 80 });
    await b.page.keyboard.type(text);
  };
  await click('#name');
  await type('Ada Lovelace');
  await click('label[for=subscribe]');
  await click('#submit');
  const final = frames[await shoot()]!;
  const ocr = createOcr({});
  try {
    await ocr.recognize(final, { region: { x: 0, y: 0, width: 200, height: 60 } }); // models loaded before timing
    const times = { whole: [] as number[], changes: [] as number[] };
    const built: Record<string, string> = {};
    for (let round = 0; round < (quick ? 1 : 2); round++) {
      for (const [name, incremental] of [['whole', false], ['changes', true]] as const) {
        const t0 = performance.now();
        const r = await buildSteps({ name: 'Bench', actions, frameBefore: (i) => frames[i], final, ocr, cropDir: 'bench.crops', incremental });
        times[name].push(performance.now() - t0);
        // Postconditions may differ: a line read in a changed area can split otherwise than read whole.
        built[name] = JSON.stringify(r.steps.map((s) => [s.step, s.anchors?.text]));
      }
    }
    if (built.whole !== built.changes) throw new Error(`recording read whole and by changes built different steps:\n${built.whole}\n${built.changes}`);
    return { 'recording -> macro, every screen read whole': summarize(times.whole), 'recording -> macro, changes only': summarize(times.changes) };
  } finally {
    await ocr.dispose();
  }
}

/** Capture + ground + safety gate + act, as the engine timed them. */
function perStep(s: ChildStep): number {
  return s.capture + (s.timings.ground ?? 0) + (s.timings.gate ?? 0) + (s.timings.act ?? 0);
}

/**
 * The macro as a recorder would write it: each target's text, where its centre was, and its two
 * nearest neighbour texts with the target's offset from each (measured on the page).
 */
async function writeMacro(b: BrowserApp): Promise<string> {
  const origin = await b.page.evaluate(() => ({ x: window.screenX + (window.outerWidth - window.innerWidth), y: window.screenY + (window.outerHeight - window.innerHeight) }));
  const centres = await b.page.evaluate<Record<string, { x: number; y: number }>>(`(() => {
    const texts = ${JSON.stringify(TEXTS)};
    const all = Array.from(document.querySelectorAll('h1, label, button, #result'));
    const out = {};
    for (const t of texts) {
      const e = all.find((x) => (x.textContent || '').trim() === t);
      if (!e) continue;
      const range = document.createRange();
      range.selectNodeContents(e);
      const r = range.getBoundingClientRect();
      out[t] = { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    }
    return out;
  })()`);
  const at = (t: string) => ({ x: Math.round(centres[t]!.x + origin.x), y: Math.round(centres[t]!.y + origin.y) });
  const lines = ['name: Bench form', 'steps:'];
  for (const s of STEPS) {
    const c = at(s.text);
    const near = TEXTS.filter((t) => t !== s.text && centres[t])
      .map((t) => ({ t, p: at(t) }))
      .sort((a, b) => Math.hypot(a.p.x - c.x, a.p.y - c.y) - Math.hypot(b.p.x - c.x, b.p.y - c.y))
      .slice(0, 2)
      .map(({ t, p }) => `{ text: ${JSON.stringify(t)}, dx: ${c.x - p.x}, dy: ${c.y - p.y} }`);
    lines.push(`  - do: ${s.line}`);
    lines.push(`    anchors: { text: ${JSON.stringify(s.text)}, at: [ ${c.x}, ${c.y} ], landmarks: [ ${near.join(', ')} ] }`);
    if ('irreversible' in s) lines.push('    irreversible: true');
    if ('expect' in s) lines.push(`    expect: { text: ${s.expect} }`);
  }
  return `${lines.join('\n')}\n`;
}

async function childMain(spec: { display: string; macroFile: string; dataDir: string; mode: Mode }): Promise<ChildResult> {
  const app = createAppContext({ env: { DISPLAY: spec.display }, flags: { '--data-dir': spec.dataDir, '--display': spec.display }, defaults: { logLevel: 'warn' } });
  const starts: number[] = [];
  const captures: number[] = [];
  let lastCapture = 0;
  const setup = await setupEngine(app, {
    confirmer: headlessConfirmer('allow', () => undefined),
    keyboardHook: false,
    listener: (e) => {
      if (e.type !== 'step_started') return;
      starts[e.index] = performance.now();
      captures[e.index] = lastCapture;
    },
  });
  try {
    // The observation a step starts with is the last capture before it (settle waits capture too, earlier).
    const screen = setup.deps.screen;
    const capture = screen.capture.bind(screen);
    screen.capture = async (...a: Parameters<typeof capture>) => {
      const t0 = performance.now();
      const frame = await capture(...a);
      lastCapture = performance.now() - t0;
      return frame;
    };
    const macro = parseMacro(readFileSync(spec.macroFile, 'utf8'), spec.macroFile);
    const r = await replayMacro(setup.deps, setup.perception, macro, { control: setup.control, localFirst: spec.mode === 'local first' });
    const end = performance.now();
    const steps = r.steps.map((s, i) => {
      const timings = s.timings ?? {};
      const overhead = (starts[i + 1] ?? end) - starts[i]! - (timings.settle ?? 0);
      return { capture: captures[i] ?? 0, overhead, timings, source: s.resolution?.source, point: s.resolution?.point };
    });
    return { status: r.status, ...(r.error ? { error: r.error.message } : {}), steps, lookedNear: r.lookedNear };
  } finally {
    await setup.dispose();
    await app.dispose();
  }
}

const childSpec = process.env[CHILD_FLAG];
if (childSpec) {
  childMain(JSON.parse(childSpec) as Parameters<typeof childMain>[0]).then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
