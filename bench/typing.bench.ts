import { runBenchChild } from './child.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInputDriver } from '../src/actions/index.js';
import { measure, summarize, type Benchmark } from './harness.js';

const CHILD_FLAG = 'DESKPILOT_TYPING_BENCH_CHILD';

/** 200 mixed characters: letters, digits, shifted symbols, tabs, accented letters and CJK. */
export const MIXED_200 = (() => {
  const pool = 'The quick brown fox, 42 + 7 = 49! {a:"b"} <x|y> ~/$HOME ä ö ü ß é 日本語\t';
  let s = '';
  while ([...s].length < 200) s += pool;
  return [...s].slice(0, 200).join('');
})();

interface ChildResult {
  exact: { samples: number[]; correct: number; rounds: number };
  raw: { samples: number[]; correct: number; rounds: number; sample: string };
}

/**
 * Typing 200 mixed characters into xterm running `cat > file`: the exact path (xdotool with
 * bound keysyms) against raw nut-js `keyboard.type` with every delay at 0. Correctness first:
 * the figures say how many rounds arrived exactly. Runs in a child process on its own Xvfb,
 * since libnut keeps one X connection per process.
 */
export const typingBench: Benchmark = {
  name: 'typing',
  description: 'type 200 mixed characters into xterm: exact path (xdotool + keysyms) vs raw nut-js keyboard.type',
  goal: 'exact path types every round exactly (raw nut-js cannot); ratio reported, correctness first',
  async run({ quick }) {
    const r = await onFreshDesktop((display, file) => runChild(display, file, quick));
    const exact = summarize(r.exact.samples);
    const raw = summarize(r.raw.samples);
    return {
      figures: {
        'exact path, 200 chars': exact,
        'raw nut-js keyboard.type, 200 chars': raw,
        'exact path rounds correct': { median: r.exact.correct, min: r.exact.correct, max: r.exact.rounds, unit: `of ${r.exact.rounds}` },
        'raw nut-js rounds correct': { median: r.raw.correct, min: r.raw.correct, max: r.raw.rounds, unit: `of ${r.raw.rounds}` },
      },
      ratio: raw.median / exact.median,
      ratioLabel: 'raw nut-js time / exact path time (above 1: exact is faster; raw is wrong anyway)',
      goalMet: r.exact.correct === r.exact.rounds,
    };
  },
};

async function onFreshDesktop<T>(fn: (display: string, file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'deskpilot-typing-bench-'));
  const file = path.join(dir, 'typed.txt');
  const xvfb = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const number = await new Promise<string>((resolve, reject) => {
    let buf = '';
    xvfb.stdout.on('data', (d: Buffer) => ((buf += d.toString('utf8')), buf.includes('\n') && resolve(buf.trim())));
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${code} before it was ready`)));
  });
  const display = `:${number}`;
  const xterm = spawn('xterm', ['-geometry', '200x50+0+0', '-e', 'sh', '-c', `stty -echo; exec cat > '${file}'`], {
    env: { ...process.env, DISPLAY: display, LANG: 'C.UTF-8' },
    stdio: 'ignore',
  });
  try {
    await new Promise((r) => setTimeout(r, 1500)); // xterm maps and takes focus (pointer over it)
    return await fn(display, file);
  } finally {
    // The child (and its X connection) is gone by now; then the apps, then the server.
    await stop(xterm);
    await stop(xvfb);
    rmSync(dir, { recursive: true, force: true });
  }
}

function stop(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function runChild(display: string, file: string, quick: boolean): Promise<ChildResult> {
  return runBenchChild<ChildResult>(import.meta.url, { DISPLAY: display, [CHILD_FLAG]: JSON.stringify({ display, file, quick }) }, 'typing bench child');
}

async function childMain(spec: { display: string; file: string; quick: boolean }): Promise<void> {
  const driver = await createInputDriver({ display: spec.display });
  const { keyboard } = await import('@nut-tree-fork/nut-js');
  await driver.move({ x: 400, y: 300 });
  const rounds = spec.quick ? 2 : 8;
  let offset = 0;
  /** Waits for the line the round typed (the terminal hands it over at Return). */
  const lineTyped = async (): Promise<string> => {
    await driver.key('enter');
    const deadline = Date.now() + 5000;
    for (;;) {
      const text = readFileSync(spec.file, 'utf8');
      const end = text.indexOf('\n', offset);
      if (end >= 0 || Date.now() > deadline) {
        const line = text.slice(offset, end >= 0 ? end : undefined);
        offset = end >= 0 ? end + 1 : text.length;
        return line;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const result: ChildResult = { exact: { samples: [], correct: 0, rounds }, raw: { samples: [], correct: 0, rounds, sample: '' } };
  for (let i = 0; i < rounds; i++) {
    result.exact.samples.push(...(await measure(() => driver.type(MIXED_200), { iterations: 1 })));
    if ((await lineTyped()) === MIXED_200) result.exact.correct++;
    result.raw.samples.push(...(await measure(() => keyboard.type(MIXED_200), { iterations: 1 })));
    const raw = await lineTyped();
    result.raw.sample = raw.slice(0, 60);
    if (raw === MIXED_200) result.raw.correct++;
  }
  await driver.dispose();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const childSpec = process.env[CHILD_FLAG];
if (childSpec) {
  childMain(JSON.parse(childSpec) as { display: string; file: string; quick: boolean }).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
