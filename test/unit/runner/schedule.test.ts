import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ocrThreadsPerWorker } from '../../../src/runner/suite/protocol.js';
import type { TaskResult } from '../../../src/runner/suite/results.js';
import { runSuite } from '../../../src/runner/suite/run-suite.js';
import {
  EVAL_SETTLE_MS,
  expectedMs,
  planLanes,
  readDurations,
  rememberDurations,
  taskKey,
} from '../../../src/runner/suite/schedule.js';
import { anyRunning, procTable, signal } from '../../../src/runner/tasks/procs.js';
import { TaskSpec, type Task } from '../../../src/runner/tasks/schema.js';

const task = (id: string, setup: unknown[] = [], file = 'suite.yaml'): Task => ({
  spec: TaskSpec.parse({ id, steps: ['press a'], setup }),
  file,
  line: 1,
  stepLines: [],
});

/** One worker's lane: the tasks longest expected first. */
const longestFirst = (tasks: Task[], durations: Record<string, number>) => planLanes(tasks, 1, (t) => expectedMs(t, durations))[0]!;

const result = (t: Task, durationMs: number): TaskResult => ({
  id: t.spec.id,
  file: t.file,
  tags: [],
  status: 'passed',
  ok: true,
  attempts: [],
  durationMs,
});

describe('the order workers take tasks in', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('guesses from the setup when nothing is remembered: a browser, then an app, then the rest', () => {
    const plain = task('plain');
    const app = task('app', [{ launch: 'xterm' }]);
    const page = task('page', [{ open: 'pages/form.html' }]);
    const url = task('url', [{ open: 'http://localhost:8080/' }]);
    expect(longestFirst([plain, app, page, url], {}).map((t) => t.spec.id)).toEqual([
      'page',
      'url',
      'app',
      'plain',
    ]);
    expect(expectedMs(page, {})).toBeGreaterThan(expectedMs(app, {}));
  });

  it('adds what a task is sure to wait to the guess: its wait steps, an expected failure\'s evaluator retries', () => {
    const spec = (id: string, extra: Record<string, unknown>) => ({
      spec: TaskSpec.parse({ id, setup: [{ launch: 'xterm' }], ...extra }),
      file: 'suite.yaml',
      line: 1,
      stepLines: [],
    });
    const plain = spec('plain', { steps: ['type "a"', 'wait for "Done" 5s'] });
    const waits = spec('waits', { steps: ['type "a"', 'wait 500ms', 'wait 1s'] });
    const block = spec('block', { steps: 'type "a"; wait 0.2s\npress enter' });
    const known = spec('known-bug', { steps: ['type "41"'], expected_failure: true });
    expect(expectedMs(plain, {})).toBe(expectedMs(task('app', [{ launch: 'xterm' }]), {}));
    expect(expectedMs(waits, {}) - expectedMs(plain, {})).toBe(1500);
    expect(expectedMs(block, {}) - expectedMs(plain, {})).toBe(200);
    expect(expectedMs(known, {}) - expectedMs(plain, {})).toBe(EVAL_SETTLE_MS);
    expect(longestFirst([plain, block, waits, known], {}).map((t) => t.spec.id)).toEqual(['known-bug', 'waits', 'block', 'plain']);
  });

  it('uses what a task took beside as many workers, else alone, else the guess', () => {
    const t = task('t', [{ launch: 'xterm' }]);
    expect(expectedMs(t, {}, 2)).toBe(4000); // a guess: it starts an app
    expect(expectedMs(t, { [taskKey('suite.yaml', 't')]: 2500 }, 2)).toBe(2500);
    expect(expectedMs(t, { [taskKey('suite.yaml', 't')]: 2500, [taskKey('suite.yaml', 't', 2)]: 2900 }, 2)).toBe(2900);
    expect(expectedMs(t, { [taskKey('suite.yaml', 't')]: 2500, [taskKey('suite.yaml', 't', 2)]: 2900 })).toBe(2500);
  });

  it('uses what a task took last time over the guess, and keeps the plan order for ties', () => {
    const a = task('a', [{ launch: 'xterm' }]);
    const b = task('b', [{ open: 'x.html' }]);
    const c = task('c', [{ launch: 'xterm' }]);
    const d = task('d', [{ launch: 'xterm' }]);
    const durations = { [taskKey('suite.yaml', 'a')]: 60_000, [taskKey('suite.yaml', 'b')]: 10 };
    expect(longestFirst([a, b, c, d], durations).map((t) => t.spec.id)).toEqual(['a', 'c', 'd', 'b']);
  });

  it('remembers durations in a file, averaging runs, and reads a broken file as none', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deskpilot-schedule-'));
    dirs.push(dir);
    const file = path.join(dir, 'data', 'task-durations.json');
    expect(await readDurations(file)).toEqual({});
    const [a, b] = [task('a'), task('b')];
    await rememberDurations(file, [result(a, 1200), result(b, 300)]);
    await rememberDurations(file, [result(b, 900)]);
    // A task not run keeps its time; one run again moves halfway to its new time.
    expect(await readDurations(file)).toEqual({
      [taskKey('suite.yaml', 'a')]: 1200,
      [taskKey('suite.yaml', 'b')]: 600,
    });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty([taskKey('suite.yaml', 'a')], 1200);
    writeFileSync(file, '{not json');
    expect(await readDurations(file)).toEqual({});
  });
});

describe('lanes for several workers', () => {
  // Durations (s) of the sample suite's tasks in a 2-worker run.
  const sample = [2.9, 1.9, 1.3, 1.1, 0.9, 0.8, 0.7, 0.7, 0.6, 0.6];
  const tasks = sample.map((_, i) => task(`t${i}`));
  const length = new Map(tasks.map((t, i) => [t, sample[i]!]));
  const seconds = (t: Task) => length.get(t)!;
  const totals = (lanes: Task[][]) => lanes.map((l) => Math.round(l.reduce((sum, t) => sum + seconds(t), 0) * 10) / 10);

  it('deals the tasks to even lanes, each longest first, where one at a time ends 0.5 s apart', () => {
    // Handed out one at a time, longest first, to the least loaded: 5.5 s and 6.0 s.
    const greedy = [0, 0];
    for (const s of sample) greedy[greedy.indexOf(Math.min(...greedy))]! += s;
    expect(Math.max(...greedy)).toBeCloseTo(6.0);
    const lanes = planLanes(tasks, 2, seconds);
    expect(lanes.flat().sort((a, b) => a.spec.id.localeCompare(b.spec.id))).toEqual(tasks);
    expect(Math.max(...totals(lanes))).toBeLessThanOrEqual(5.8);
    for (const lane of lanes) expect(lane.map(seconds)).toEqual([...lane.map(seconds)].sort((a, b) => b - a));
    // Three workers, and more workers than tasks.
    expect(Math.max(...totals(planLanes(tasks, 3, seconds)))).toBeLessThanOrEqual(3.9);
    expect(planLanes(tasks.slice(0, 2), 4, seconds)).toHaveLength(2);
  });

  it('plans from where the workers stand: one lane per worker, the busy one gets less', () => {
    // The first worker is busy for 2 s more: it gets 1.1, the free one 1.9 and 1.3 (ends 3.1 and 3.2).
    const lanes = planLanes(tasks.slice(1, 4), 2, seconds, [2, 0]);
    expect(lanes.map((l) => l.map(seconds))).toEqual([[1.1], [1.9, 1.3]]);
    // As many lanes as workers, some of them empty.
    expect(planLanes(tasks.slice(0, 1), 3, seconds, [1, 0, 0])).toEqual([[], [tasks[0]], []]);
  });
});

describe('a suite run with several workers', () => {
  it('hands the longest task out first, reports in plan order and remembers the durations', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deskpilot-schedule-'));
    try {
      writeFileSync(
        path.join(dir, 'suite.yaml'),
        [
          'tasks:',
          '  - { id: a-plain, steps: [press a] }',
          '  - { id: b-app, setup: [{ launch: xterm }], steps: [press a] }',
          '  - { id: c-page, setup: [{ open: page.html }], steps: [press a] }',
        ].join('\n'),
      );
      const taken: string[] = [];
      const durationsFile = path.join(dir, 'data', 'task-durations.json');
      const run = () =>
        runSuite({
          patterns: ['suite.yaml'],
          cwd: dir,
          workers: 2,
          retries: 0,
          reporters: [],
          durationsFile,
          start: () => ({
            ready: Promise.resolve(undefined),
            run: (t, attempt) => {
              taken.push(t.spec.id);
              return Promise.resolve({ attempt, status: 'passed', steps: [], log: [], durationMs: 1 });
            },
            close: () => Promise.resolve(),
          }),
        });
      const first = await run();
      expect(taken.slice(0, 2)).toEqual(['c-page', 'b-app']);
      expect(first.tasks.map((t) => t.id)).toEqual(['a-plain', 'b-app', 'c-page']);
      // Remembered as times beside 2 workers.
      expect(Object.keys(await readDurations(durationsFile)).sort()).toEqual(
        ['a-plain', 'b-app', 'c-page'].map((id) => taskKey('suite.yaml', id, 2)),
      );
      // Next time what they took counts, alone when nothing is known beside 2 workers: say the
      // plain task was the slow one.
      writeFileSync(durationsFile, JSON.stringify({ [taskKey('suite.yaml', 'a-plain')]: 99_000 }));
      taken.length = 0;
      await run();
      expect(taken[0]).toBe('a-plain');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('OCR threads per worker', () => {
  it('keeps the default 2 while every worker has a core, 1 once workers outnumber the cores', () => {
    expect(ocrThreadsPerWorker(1, 2)).toBe(2);
    expect(ocrThreadsPerWorker(2, 2)).toBe(2);
    expect(ocrThreadsPerWorker(3, 2)).toBe(1);
    expect(ocrThreadsPerWorker(2, 16)).toBe(2);
    expect(ocrThreadsPerWorker(1, 1)).toBe(1);
  });
});

const linux = process.platform === 'linux';
describe.runIf(linux)(`the process table${linux ? '' : ' (skipped: it is read from /proc, Linux only)'}`, () => {
  it('counts a zombie (ended, not reaped) as not running, though signal 0 still reaches it', async () => {
    // sh starts `true` in the background, then becomes `sleep`, which never reaps it.
    const child = spawn('sh', ['-c', 'true & exec sleep 5'], { detached: true, stdio: 'ignore' });
    const pgid = child.pid!;
    try {
      let zombie: number | undefined;
      for (let i = 0; i < 100 && zombie === undefined; i++) {
        zombie = procTable()!.find((p) => p.pgrp === pgid && p.state === 'Z')?.pid;
        if (zombie === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      expect(zombie).toBeDefined();
      expect(signal(zombie!, 0)).toBe(true);
      expect(anyRunning([], [zombie!])).toBe(false);
      expect(anyRunning([pgid], [])).toBe(true); // sleep still runs
      signal(-pgid, 'SIGKILL');
      await new Promise((r) => child.once('exit', r));
      for (let i = 0; i < 100 && anyRunning([pgid], []); i++) await new Promise((r) => setTimeout(r, 20));
      expect(anyRunning([pgid], [])).toBe(false);
    } finally {
      signal(-pgid, 'SIGKILL');
    }
  });
});
