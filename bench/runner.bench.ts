import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { SuiteResult } from '../src/runner/suite/results.js';
import { measurePair, summarize, type Benchmark } from './harness.js';

const exec = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GOAL = 0.6;

/**
 * The sample suite (examples/) through `deskpilot test`, the real binary, with 1 worker and with
 * 2 (each worker on its own Xvfb), in alternating rounds so load from elsewhere falls on both.
 * Wall time includes starting the workers and their displays, as a CI job sees it.
 */
export const runnerBench: Benchmark = {
  name: 'runner',
  description: 'sample suite wall time (deskpilot test examples/**/*.yaml): 2 workers vs 1',
  goal: `2 workers take <= ${GOAL}x the wall time of 1`,
  async run({ quick }) {
    const work = mkdtempSync(path.join(tmpdir(), 'deskpilot-runner-bench-'));
    const failures: number[] = [];
    // Which tasks failed, so a slow or flaky run is not mistaken for a parallelism problem.
    const notOk = new Map<string, number>();
    const suite = async (workers: number) => {
      const out = path.join(work, `w${workers}`);
      // Quick mode (harness checks) runs the terminal tasks only.
      const args = [
        'bin/deskpilot.js',
        '--data-dir',
        path.join(work, 'data'),
        'test',
        'examples/**/*.yaml',
        '--workers',
        String(workers),
        '--reporter',
        'json',
        '--output',
        out,
        ...(quick ? ['--grep', '@xterm'] : []),
      ];
      const env: NodeJS.ProcessEnv = { ...process.env, DESKPILOT_LOG_LEVEL: 'error' };
      delete env['DISPLAY'];
      await exec(process.execPath, args, { cwd: ROOT, env, timeout: 600_000 }).catch(
        (err: { code?: number }) => {
          if (err.code !== 1) throw err as Error; // 1 = some task failed: still a timing, counted below
        },
      );
      const result = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as SuiteResult;
      const bad = result.tasks.filter((t) => !t.ok);
      failures.push(bad.length);
      for (const t of bad) notOk.set(t.id, (notOk.get(t.id) ?? 0) + 1);
    };
    try {
      const { baseline, candidate } = await measurePair(
        () => suite(1),
        () => suite(2),
        { iterations: quick ? 1 : 2 },
      );
      const one = summarize(
        baseline.map((ms) => ms / 1000),
        's',
      );
      const two = summarize(
        candidate.map((ms) => ms / 1000),
        's',
      );
      const share = two.median / one.median;
      return {
        figures: {
          'suite wall time, 1 worker': one,
          'suite wall time, 2 workers': two,
          'tasks not ok per run': summarize(failures, 'tasks'),
          ...Object.fromEntries(
            [...notOk].map(([id, n]) => [`runs where ${id} was not ok`, summarize([n], 'runs')]),
          ),
        },
        ratio: one.median / two.median,
        ratioLabel: '1-worker wall time / 2-worker wall time',
        goalMet: share <= GOAL,
      };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};
