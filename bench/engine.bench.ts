import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Policy } from '../src/actions/policy/policy.js';
import { setupGrounding } from '../src/app/grounding-setup.js';
import { Engine } from '../src/engine/engine.js';
import { ListStepSource } from '../src/engine/sources.js';
import { parseCommands } from '../src/planner/commands/parse.js';
import { Config } from '../src/shared/config.js';
import { nullLogger } from '../src/shared/logger.js';
import { openStore } from '../src/storage/index.js';
import { FixtureScreenSource } from '../test/fakes/fixture-screen.js';
import { RecordingInputDriver } from '../test/fakes/recording-input.js';
import { summarize, type Benchmark } from './harness.js';

const GOAL_MS = 300;
const TARGETS = ['"Save As..."', '"Invoice editor"', '"Save"', '"Ready"'];

/**
 * Engine overhead per step with no model: observe (capture, screenshot kept), ground through the
 * embedded cascade (incremental OCR), policy, act, settle, record — on a 1280x800 screenshot
 * served as the screen, so the app's own reaction time is not counted. Baseline, in the same run:
 * the bare work of a step (capture, locate, click) without the engine around it.
 */
export const engineBench: Benchmark = {
  name: 'engine',
  description: 'engine overhead per step (no model), 1280x800 screen',
  goal: `median step <= ${GOAL_MS} ms`,
  async run({ quick }) {
    const dataDir = mkdtempSync(join(tmpdir(), 'deskpilot-bench-engine-'));
    const store = openStore({ dataDir });
    const config = Config.parse({});
    const grounding = setupGrounding(config, nullLogger);
    try {
      const screen = await FixtureScreenSource.fromPng(new URL('../test/fixtures/ocr/screen-1280x800.png', import.meta.url).pathname);
      const input = new RecordingInputDriver();
      const steps = quick ? 4 : 24;
      const commands = Array.from({ length: steps }, (_, i) => `hover ${TARGETS[i % TARGETS.length]!}`).join('\n');
      const times: number[] = [];
      const started = new Map<number, number>();
      const withTimes = new Engine({
        screen, input, grounder: grounding.grounder, store, policy: Policy.load(), logger: nullLogger, config,
        confirmer: { confirm: () => Promise.resolve('allow_once') },
        listener: (e) => {
          if (e.type === 'step_started') started.set(e.index, performance.now());
          if (e.type === 'step_finished') times.push(performance.now() - started.get(e.index)!);
        },
      });
      // The first step loads the OCR models and reads the whole screen; later ones re-read nothing.
      const r = await withTimes.run({ source: new ListStepSource(parseCommands(commands).map((c) => c.step)), title: 'bench', kind: 'command' });
      if (r.status !== 'succeeded') throw new Error(`the bench run failed: ${r.error?.message}`);
      const perStep = times.slice(1);

      const bare: number[] = [];
      for (let i = 0; i < perStep.length; i++) {
        const t0 = performance.now();
        const frame = await screen.capture();
        const target = parseCommands(`hover ${TARGETS[i % TARGETS.length]!}`)[0]!.step;
        if (target.kind !== 'hover') throw new Error('unexpected step');
        const loc = await grounding.grounder.locate({ frame, displays: [] }, target.target);
        await input.move(loc.point);
        bare.push(performance.now() - t0);
      }
      const step = summarize(perStep, 'ms');
      const baseline = summarize(bare, 'ms');
      return {
        figures: { 'engine step': step, 'bare capture+locate+act': baseline },
        ratio: baseline.median / step.median,
        ratioLabel: 'bare / engine step time (engine bookkeeping share)',
        goalMet: step.median <= GOAL_MS,
      };
    } finally {
      await grounding.ocr.dispose();
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
