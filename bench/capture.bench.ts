import { runBenchChild } from './child.js';
import { spawn } from 'node:child_process';
import { DesktopScreenshotSource, NutScreenSource, waitForSettle } from '../src/perception/index.js';
import { measure, summarize, type Benchmark, type Figure } from './harness.js';

const SIZES = [
  [1280, 800],
  [1920, 1080],
] as const;
const GOAL_RATIO = 10;
const GOAL_SETTLE_MS = 30;
const CHILD_FLAG = 'DESKPILOT_CAPTURE_BENCH_CHILD';

interface ChildSamples {
  nut: number[];
  screenshotDesktop: number[];
  settle: number[];
}

/**
 * Screen capture: the nut-js adapter against the screenshot-desktop adapter, full display, on a
 * private Xvfb of each size with an xterm full of text on it; and waitForSettle on that still
 * screen. Each size runs in its own child process because nut-js (libnut) keeps one X
 * connection per process and cannot move to a second X server.
 */
export const captureBench: Benchmark = {
  name: 'capture',
  description:
    'full-display capture at 1280x800 and 1920x1080: nut-js vs screenshot-desktop; waitForSettle on a still screen',
  goal: `nut-js at least ${GOAL_RATIO}x faster than screenshot-desktop at both sizes; waitForSettle <= ${GOAL_SETTLE_MS} ms`,
  async run({ quick }) {
    const figures: Record<string, Figure> = {};
    let ratio = Infinity;
    let settleOk = true;
    for (const [w, h] of SIZES) {
      const s = await onFreshDesktop(`${w}x${h}`, (display) => runChild(display, quick));
      const nut = summarize(s.nut);
      const sd = summarize(s.screenshotDesktop);
      const settle = summarize(s.settle);
      figures[`nut-js capture ${w}x${h}`] = nut;
      figures[`screenshot-desktop capture ${w}x${h}`] = sd;
      figures[`waitForSettle, still screen ${w}x${h}`] = settle;
      ratio = Math.min(ratio, sd.median / nut.median);
      settleOk &&= settle.median <= GOAL_SETTLE_MS;
    }
    return {
      figures,
      ratio,
      ratioLabel: 'screenshot-desktop time / nut-js time, the smaller of the two sizes',
      goalMet: ratio >= GOAL_RATIO && settleOk,
    };
  },
};

/**
 * A private Xvfb of the given size with a screen-wide xterm full of text (the baseline's PNG
 * encoding depends on content). Stopped only after the measuring child has exited: libnut keeps
 * its X connection open, and Xlib would exit that process with an IO error if the server went
 * first.
 */
async function onFreshDesktop<T>(size: string, fn: (display: string) => Promise<T>): Promise<T> {
  const x = await startXvfb(size);
  const xterm = spawn(
    'xterm',
    ['-geometry', '400x100+0+0', '-e', 'sh', '-c', 'ls -la /usr/lib /usr/bin | head -300; exec sleep 600'],
    {
      env: { ...process.env, DISPLAY: x.display },
      stdio: 'ignore',
    },
  );
  try {
    await new Promise((r) => setTimeout(r, 1500)); // let xterm map and draw before timing starts
    return await fn(x.display);
  } finally {
    xterm.kill('SIGTERM');
    await x.stop();
  }
}

function runChild(display: string, quick: boolean): Promise<ChildSamples> {
  return runBenchChild<ChildSamples>(import.meta.url, { [CHILD_FLAG]: `${display}${quick ? '@quick' : ''}` }, `capture bench child on ${display}`);
}

/** Starts Xvfb on a display number it picks itself (-displayfd). */
async function startXvfb(size: string): Promise<{ display: string; stop: () => Promise<void> }> {
  const xvfb = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', `${size}x24`, '-nolisten', 'tcp'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const number = await new Promise<string>((resolve, reject) => {
    let buf = '';
    xvfb.stdout.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      if (buf.includes('\n')) resolve(buf.trim());
    });
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${code} before it was ready`)));
    xvfb.once('error', reject);
  });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (xvfb.exitCode !== null) return resolve();
      xvfb.once('exit', () => resolve());
      xvfb.kill('SIGTERM');
    });
  return { display: `:${number}`, stop };
}

async function childMain(spec: string): Promise<void> {
  const [display = '', mode] = spec.split('@');
  const quick = mode === 'quick';
  const nutSource = await NutScreenSource.create({ display });
  const sdSource = await DesktopScreenshotSource.create({ display });
  const n = quick ? { iterations: 3, warmup: 1 } : { iterations: 30, warmup: 5 };
  const slow = quick ? { iterations: 2, warmup: 1 } : { iterations: 10, warmup: 2 };
  const samples: ChildSamples = {
    // Both sides end with RGBA pixels in hand: reading `data` pays nut-js's lazy BGRA conversion.
    nut: await measure(async () => (await nutSource.capture()).data, n),
    screenshotDesktop: await measure(async () => (await sdSource.capture()).data, slow),
    settle: await measure(async () => {
      const r = await waitForSettle(nutSource, { timeoutMs: 2000 });
      if (!r.settled) throw new Error('the still bench screen did not settle');
    }, n),
  };
  await nutSource.dispose();
  await sdSource.dispose();
  process.stdout.write(`${JSON.stringify(samples)}\n`);
}

const childSpec = process.env[CHILD_FLAG];
if (childSpec) {
  childMain(childSpec).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
