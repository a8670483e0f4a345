import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBenchChild } from './child.js';
import type { Benchmark, Figure } from './harness.js';

const GOAL_MB = 400;
const MB = 1024 * 1024;
const CHILD_FLAG = 'DESKPILOT_MEMORY_BENCH_CHILD';
const SCREEN = fileURLToPath(new URL('../test/fixtures/ocr/screen-1280x800.png', import.meta.url));

interface ChildRss {
  /** Engine, store and grounding set up, no OCR model loaded yet. */
  before: number;
  /** After the first step: models loaded, the whole 1280x800 screen read, target found. */
  afterOneRead: number;
  /** After a few more steps on fresh frames of the same screen. */
  afterSteps: number;
}

/**
 * Resident memory of the engine with OCR loaded, measured in a child process of its own so the
 * other benchmarks' allocations (other models, Chromium, big buffers) do not count. The child
 * builds the engine as the CLI does (store, grounding cascade, policy) on a 1280x800 screenshot
 * served as the screen, samples RSS before any model is loaded (the baseline), then after one
 * step that loads the OCR models and reads the whole screen.
 */
export const memoryBench: Benchmark = {
  name: 'memory',
  description: 'resident memory of the engine with OCR loaded, after a full 1280x800 read',
  goal: `at most ${GOAL_MB} MB`,
  async run({ quick }) {
    const rss = await runChild(quick);
    const fig = (bytes: number): Figure => {
      const mb = bytes / MB;
      return { median: mb, min: mb, max: mb, unit: 'MB' };
    };
    return {
      figures: {
        'rss before OCR (engine set up)': fig(rss.before),
        'rss after one full-screen read': fig(rss.afterOneRead),
        'rss after more steps': fig(rss.afterSteps),
      },
      ratio: rss.before / rss.afterOneRead,
      ratioLabel: 'rss before OCR / rss after one full-screen read',
      goalMet: Math.max(rss.afterOneRead, rss.afterSteps) / MB <= GOAL_MB,
    };
  },
};

function runChild(quick: boolean): Promise<ChildRss> {
  return runBenchChild<ChildRss>(import.meta.url, { [CHILD_FLAG]: quick ? 'quick' : 'full' }, 'memory bench child');
}

async function childMain(quick: boolean): Promise<void> {
  // Imported here, not at the top: the parent process must not load any of it.
  const { Policy } = await import('../src/actions/policy/policy.js');
  const { setupGrounding } = await import('../src/app/grounding-setup.js');
  const { Engine } = await import('../src/engine/engine.js');
  const { ListStepSource } = await import('../src/engine/sources.js');
  const { parseCommands } = await import('../src/planner/commands/parse.js');
  const { Config } = await import('../src/shared/config.js');
  const { nullLogger } = await import('../src/shared/logger.js');
  const { openStore } = await import('../src/storage/index.js');
  const { FixtureScreenSource } = await import('../test/fakes/fixture-screen.js');
  const { RecordingInputDriver } = await import('../test/fakes/recording-input.js');

  const dataDir = mkdtempSync(join(tmpdir(), 'deskpilot-bench-memory-'));
  const store = openStore({ dataDir });
  const config = Config.parse({});
  const grounding = setupGrounding(config, nullLogger);
  try {
    const screen = await FixtureScreenSource.fromPng(SCREEN);
    const engine = new Engine({
      screen,
      input: new RecordingInputDriver(),
      grounder: grounding.grounder,
      store,
      policy: Policy.load(),
      logger: nullLogger,
      config,
      confirmer: { confirm: () => Promise.resolve('allow_once') },
    });
    const run = async (commands: string): Promise<void> => {
      const steps = parseCommands(commands).map((c) => c.step);
      const r = await engine.run({
        source: new ListStepSource(steps),
        title: 'memory bench',
        kind: 'command',
      });
      if (r.status !== 'succeeded') throw new Error(`the bench run failed: ${r.error?.message}`);
    };
    const before = process.memoryUsage().rss;
    await run('hover "Save As..."');
    const afterOneRead = process.memoryUsage().rss;
    await run(
      quick ? 'hover "Save"' : 'hover "Save"\nhover "Invoice editor"\nhover "Ready"\nhover "Save As..."',
    );
    const afterSteps = process.memoryUsage().rss;
    const result: ChildRss = { before, afterOneRead, afterSteps };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await grounding.ocr.dispose();
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const childMode = process.env[CHILD_FLAG];
if (childMode) {
  childMain(childMode === 'quick').then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
