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
    const cpu: Record<number, number[]> = { 1: [], 2: [] };
    const starts: Record<number, number[]> = { 1: [], 2: [] };
    const busiest: number[] = [];
    // Which tasks failed, so a slow or flaky run is not mistaken for a parallelism problem.
    const notOk = new Map<string, number>();
    // One warm-up round (1 worker, then 2) is run first and not counted: the fresh data dir has
    // no optimised models and no remembered task times yet (a CI job that keeps its data dir
    // between runs has both).
    const warmup = quick ? 0 : 1;
    let runs = 0;
    const suite = async (workers: number) => {
      const counted = runs++ >= 2 * warmup;
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
      const cpuBefore = childrenCpuSeconds();
      await exec(process.execPath, args, { cwd: ROOT, env, timeout: 600_000 }).catch(
        (err: { code?: number }) => {
          if (err.code !== 1) throw err as Error; // 1 = some task failed: still a timing, counted below
        },
      );
      const result = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as SuiteResult;
      const used = childrenCpuSeconds() - cpuBefore;
      const lines = describeRun(result, used);
      // On stderr: --json keeps stdout to one line per benchmark.
      console.error(counted ? lines.text : `(warm-up, not counted) ${lines.text}`);
      if (!counted) return;
      if (used > 0) cpu[workers]!.push(used);
      starts[workers]!.push(...(result.workerStarts ?? []).map((s) => s.ms / 1000));
      if (workers === 2) busiest.push(lines.busiest);
      const bad = result.tasks.filter((t) => !t.ok);
      failures.push(bad.length);
      for (const t of bad) notOk.set(t.id, (notOk.get(t.id) ?? 0) + 1);
    };
    try {
      const { baseline, candidate } = await measurePair(
        () => suite(1),
        () => suite(2),
        // Seven rounds: the median of five moved by ±0.02 between runs on these noisy machines.
        { iterations: quick ? 1 : 7, warmup },
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
      // Each round's own ratio (its 2-worker run over the 1-worker run just before it): the spread
      // shows how far one round's load moves the figure. The verdict stays the ratio of medians.
      const perRound = candidate.map((ms, i) => ms / baseline[i]!);
      return {
        figures: {
          'suite wall time, 1 worker': one,
          'suite wall time, 2 workers': two,
          '2-worker / 1-worker wall time, per round': summarize(perRound, 'x'),
          ...(cpu[1]!.length && cpu[2]!.length
            ? {
                'CPU time per run, 1 worker': summarize(cpu[1]!, 's'),
                'CPU time per run, 2 workers': summarize(cpu[2]!, 's'),
              }
            : {}),
          ...(starts[1]!.length && starts[2]!.length && busiest.length
            ? {
                'worker start-up (spawn to ready), 1 worker': summarize(starts[1]!, 's'),
                'worker start-up (spawn to ready), 2 workers': summarize(starts[2]!, 's'),
                'busiest worker, 2 workers (start-up + its tasks)': summarize(busiest, 's'),
              }
            : {}),
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

/** CPU seconds of this process's finished children and theirs (Linux: /proc/self/stat cutime + cstime). */
function childrenCpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / 100; // fields 16 and 17, in USER_HZ (100)
  } catch {
    return 0;
  }
}

/** One suite run in lines: per worker its start-up and its tasks in the order it ran them. */
function describeRun(result: SuiteResult, cpuSeconds: number): { text: string; busiest: number } {
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const lines = [
    `runner: ${result.workers} worker${result.workers > 1 ? 's' : ''}, ${s(result.durationMs)} s wall${cpuSeconds > 0 ? `, ${cpuSeconds.toFixed(1)} s CPU` : ''}`,
  ];
  let busiest = 0;
  const workers = [...new Set(result.tasks.map((t) => t.worker ?? -1))].sort((a, b) => a - b);
  for (const w of workers) {
    const tasks = result.tasks
      .filter((t) => (t.worker ?? -1) === w)
      .sort((a, b) => (a.startedMs ?? 0) - (b.startedMs ?? 0));
    const start = result.workerStarts?.find((x) => x.worker === w)?.ms ?? 0;
    const busy = start + tasks.reduce((sum, t) => sum + t.durationMs, 0);
    busiest = Math.max(busiest, busy);
    lines.push(
      `  worker ${w + 1}: start-up ${s(start)} s, then ${tasks.map((t) => `${t.id} ${s(t.durationMs)}`).join(', ')} = ${s(busy)} s`,
    );
  }
  // Where the tasks' time went, summed over the tasks: wall / worker CPU per phase, apps' CPU.
  const phases = new Map<string, { wall: number; cpu: number }>();
  let apps = 0;
  for (const a of result.tasks.flatMap((t) => t.attempts)) {
    for (const [name, p] of Object.entries(a.phases ?? {})) {
      const sum = phases.get(name) ?? { wall: 0, cpu: 0 };
      phases.set(name, { wall: sum.wall + p.wallMs, cpu: sum.cpu + p.cpuMs });
    }
    apps += (a.cpu?.appsMs ?? 0) + (a.cpu?.displayMs ?? 0);
  }
  lines.push(
    `  phases, wall/worker CPU s: ${[...phases].map(([n, p]) => `${n} ${s(p.wall)}/${s(p.cpu)}`).join(', ')}; apps and X CPU ${s(apps)} s`,
  );
  return { text: lines.join('\n'), busiest: busiest / 1000 };
}
