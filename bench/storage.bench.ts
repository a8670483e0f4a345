import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewStep } from '../src/shared/ports.js';
import { openStore } from '../src/storage/index.js';
import { measurePair, summarize, type Benchmark } from './harness.js';

const STEPS = 1000;
const GOAL_RATIO = 5;

function stepsFor(runId: string): NewStep[] {
  return Array.from({ length: STEPS }, (_, i) => ({
    runId,
    index: i,
    step: { kind: 'click', target: { text: `Button ${i}` }, button: 'left', count: 1 },
    thought: `step ${i}: the button is in the toolbar`,
  }));
}

/**
 * Writing a run's steps: one transaction (steps.addMany) against one implicit transaction per
 * row (steps.add in a loop), on a real WAL database in a temp dir.
 */
export const storageBench: Benchmark = {
  name: 'storage',
  description: `writing ${STEPS.toLocaleString('en')} steps: one transaction vs row by row`,
  goal: `one transaction at least ${GOAL_RATIO}x faster than row by row`,
  async run({ quick }) {
    const dataDir = mkdtempSync(join(tmpdir(), 'deskpilot-bench-'));
    const store = openStore({ dataDir });
    try {
      const rounds = quick ? { iterations: 2, warmup: 0 } : { iterations: 15, warmup: 3 };
      // Every round writes a fresh run, so both sides insert into the same-sized tables.
      const setup = (): NewStep[] => stepsFor(store.runs.create({ source: 'task', title: 'bench' }).id);
      const { baseline: rowByRow, candidate: batched } = await measurePair(
        (steps: NewStep[]) => {
          for (const s of steps) store.steps.add(s);
        },
        (steps: NewStep[]) => store.steps.addMany(steps),
        { ...rounds, setup },
      );
      const figures = {
        'batched (addMany, 1 transaction)': summarize(batched),
        'row by row (add, 1,000 transactions)': summarize(rowByRow),
      };
      const ratio = summarize(rowByRow).median / summarize(batched).median;
      return { figures, ratio, ratioLabel: 'row-by-row time / batched time', goalMet: ratio >= GOAL_RATIO };
    } finally {
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
