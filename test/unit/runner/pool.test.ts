import { describe, expect, it, vi } from 'vitest';
import type { WorkerHandle } from '../../../src/runner/suite/child.js';
import { WorkerCrashed } from '../../../src/runner/suite/child.js';
import { runPool, type SuiteEvent } from '../../../src/runner/suite/pool.js';
import type { AttemptResult } from '../../../src/runner/suite/results.js';
import { TaskSpec, type Task } from '../../../src/runner/tasks/schema.js';

const task = (id: string, extra: Record<string, unknown> = {}): Task => ({
  spec: TaskSpec.parse({ id, steps: ['press a'], ...extra }),
  file: 'f.yaml',
  line: 1,
  stepLines: [],
});

/** A worker that answers from a script: outcome per task id and attempt. */
function fakeWorker(
  script: (id: string, attempt: number, worker: number) => AttemptResult['status'] | 'crash',
  index: number,
  log: string[],
): WorkerHandle {
  return {
    ready: Promise.resolve(`:${200 + index}`),
    run(t, attempt) {
      log.push(`${index}:${t.spec.id}#${attempt}`);
      const outcome = script(t.spec.id, attempt, index);
      if (outcome === 'crash') return Promise.reject(new WorkerCrashed(`worker ${index} ended (SIGSEGV)`));
      return new Promise((r) =>
        setTimeout(() => r({ attempt, status: outcome, steps: [], log: [], durationMs: 1 }), 5),
      );
    },
    close: () => Promise.resolve(),
  };
}

/**
 * The tasks named by `est` (their estimates) on 2 workers, each taking `actual` ms of a fake
 * clock: who ran what ("worker:task", sorted), and when the last one ended.
 */
async function runTimed(est: Record<string, number>, actual: Record<string, number>): Promise<{ ran: string[]; end: number }> {
  vi.useFakeTimers();
  try {
    const ran: string[] = [];
    const start = Date.now();
    let end = 0;
    const done = runPool(
      Object.keys(est).map((id) => task(id)),
      {
        workers: 2,
        retries: 0,
        estimate: (t) => est[t.spec.id]!,
        start: (index) => ({
          ready: Promise.resolve(undefined),
          run: (t, attempt) => {
            ran.push(`${index}:${t.spec.id}`);
            return new Promise((r) =>
              setTimeout(() => {
                end = Math.max(end, Date.now() - start);
                r({ attempt, status: 'passed', steps: [], log: [], durationMs: 1 });
              }, actual[t.spec.id]),
            );
          },
          close: () => Promise.resolve(),
        }),
      },
    );
    await vi.runAllTimersAsync();
    await done;
    return { ran: ran.sort(), end };
  } finally {
    vi.useRealTimers();
  }
}

describe('the worker pool', () => {
  it('runs every task once on N workers and keeps the task order in the results', async () => {
    const log: string[] = [];
    const tasks = ['a', 'b', 'c', 'd', 'e'].map((id) => task(id));
    const results = await runPool(tasks, {
      workers: 2,
      retries: 0,
      start: (i) => ({ ...fakeWorker(() => 'passed', i, log), close: () => Promise.resolve(void log.push(`close ${i}`)) }),
      // What served the workers alone can go once every task has its result, before they close.
      onTasksDone: () => log.push('tasks done'),
    });
    expect(results.map((r) => [r.id, r.status])).toEqual(tasks.map((t) => [t.spec.id, 'passed']));
    const ran = log.filter((l) => !/^(close|tasks done)/.test(l));
    expect(new Set(ran.map((l) => l.split(':')[0])).size).toBe(2);
    expect(ran).toHaveLength(5);
    expect(log.filter((l) => l === 'tasks done')).toHaveLength(1);
    // Each worker closes after its own last task: the one that finished first may close before.
    expect(log.indexOf('tasks done')).toBeGreaterThan(log.lastIndexOf(ran.at(-1)!));
    expect(log.slice(-1)[0]).toMatch(/^close /);
  });

  it('retries a failure; a pass on retry is flaky, failing every attempt is failed', async () => {
    const log: string[] = [];
    const results = await runPool([task('sometimes'), task('never', { retries: 2 })], {
      workers: 1,
      retries: 1,
      start: (i) =>
        fakeWorker((id, attempt) => (id === 'sometimes' && attempt === 2 ? 'passed' : 'failed'), i, log),
    });
    expect(results.map((r) => [r.id, r.status, r.ok, r.attempts.length])).toEqual([
      ['sometimes', 'flaky', true, 2],
      ['never', 'failed', false, 3],
    ]);
  });

  it('expected failures are not retried, count as ok when they fail, and not when they pass', async () => {
    const results = await runPool(
      [task('known', { expected_failure: true }), task('fixed', { expected_failure: true })],
      {
        workers: 1,
        retries: 3,
        start: (i) => fakeWorker((id) => (id === 'known' ? 'failed' : 'passed'), i, []),
      },
    );
    expect(results.map((r) => [r.id, r.status, r.ok, r.attempts.length])).toEqual([
      ['known', 'expected_failure', true, 1],
      ['fixed', 'unexpected_pass', false, 1],
    ]);
  });

  it('a crashed worker fails its task with the reason and is replaced for the rest', async () => {
    const events: SuiteEvent[] = [];
    const results = await runPool([task('a'), task('b')], {
      workers: 1,
      retries: 0,
      start: (i) => fakeWorker((id) => (id === 'a' && i === 0 ? 'crash' : 'passed'), i, []),
      onEvent: (e) => events.push(e),
    });
    expect(results[0]).toMatchObject({ status: 'error', ok: false });
    expect(results[0]?.attempts[0]?.error?.message).toBe('worker 0 ended (SIGSEGV)');
    expect(results[1]).toMatchObject({ status: 'passed' });
    expect(events.filter((e) => e.type === 'worker_ready')).toHaveLength(2);
  });

  it('a worker that cannot start errors its tasks with why', async () => {
    const results = await runPool([task('a')], {
      workers: 1,
      retries: 0,
      start: () => ({
        ready: Promise.reject(new Error('no free X display number')),
        run: () => Promise.reject(new Error('x')),
        close: () => Promise.resolve(),
      }),
    });
    expect(results[0]?.status).toBe('error');
    expect(results[0]?.attempts[0]?.error?.message).toBe('no worker could start: no free X display number');
  });

  it('with estimates, runs even lanes and moves a late lane\'s last task to a worker that is free', async () => {
    const est = { a: 400, b: 300, c: 200, d: 100 }; // lanes: [a, d] and [b, c]
    // As expected: each worker its lane.
    expect(await runTimed(est, { a: 400, b: 300, c: 200, d: 100 })).toEqual({ ran: ['0:a', '0:d', '1:b', '1:c'], end: 500 });
    // The first lane done at 50 ms while the second still has b (till 300) and c to run: the
    // free worker takes c (done at 250, not 500).
    expect(await runTimed(est, { a: 50, b: 300, c: 200, d: 50 })).toEqual({ ran: ['0:a', '0:c', '0:d', '1:b'], end: 300 });
  });

  it('plans the tasks left again as the run goes: the lane that got ahead takes a long task of the lane that fell behind', async () => {
    // Planned: [a, f] and [d, b, c, e], 800 ms each. Then a runs 600 ms and d only 300: when d
    // ends, f (400) goes to that worker and a's worker runs b, c and e after a. Lanes kept as
    // planned, f would start at 600 and end at 1200 while the other worker sat idle from 550.
    const est = { a: 400, b: 200, c: 100, d: 400, e: 100, f: 400 };
    const actual = { a: 600, b: 100, c: 100, d: 300, e: 50, f: 600 };
    expect(await runTimed(est, actual)).toEqual({ ran: ['0:a', '0:b', '0:c', '0:e', '1:d', '1:f'], end: 900 });
  });

  it('--max-failures: the tasks running when it is reached finish, the rest are skipped with why', async () => {
    // 'bad' fails at once; every other task takes 30 ms. Shared queue and lanes both stop.
    for (const estimate of [undefined, () => 30]) {
      const log: string[] = [];
      const events: SuiteEvent[] = [];
      const tasks = ['a', 'bad', 'c', 'd', 'e', 'f'].map((id) => task(id));
      const results = await runPool(tasks, {
        workers: 2,
        retries: 1,
        maxFailures: 1,
        ...(estimate ? { estimate } : {}),
        onEvent: (e) => events.push(e),
        onTasksDone: () => log.push('tasks done'),
        start: (i) => ({
          ready: Promise.resolve(`:${200 + i}`),
          run: (t, attempt) => {
            log.push(`${t.spec.id}#${attempt}`);
            const bad = t.spec.id === 'bad';
            return new Promise((r) =>
              setTimeout(() => r({ attempt, status: bad ? 'failed' : 'passed', steps: [], log: [], durationMs: 1 }), bad ? 1 : 30),
            );
          },
          close: () => Promise.resolve(void log.push(`close ${i}`)),
        }),
      });
      const byId = Object.fromEntries(results.map((r) => [r.id, r]));
      // Its retry still runs (a task's attempts are one task); the task beside it finishes.
      expect(byId['bad']).toMatchObject({ status: 'failed', ok: false });
      expect(byId['bad']!.attempts).toHaveLength(2);
      const ran = results.filter((r) => r.status !== 'skipped').map((r) => r.id);
      expect(ran).toContain('bad');
      expect(ran.length).toBeLessThan(tasks.length);
      for (const r of results.filter((x) => x.status === 'skipped')) {
        expect(r).toMatchObject({ ok: true, attempts: [], durationMs: 0, notRun: 'not run: stopped after 1 failed task (max failures 1)' });
        expect(log).not.toContain(`${r.id}#1`);
      }
      // Every task is reported, the skipped ones too, in the task order.
      expect(results.map((r) => r.id)).toEqual(tasks.map((t) => t.spec.id));
      const finished = events.flatMap((e) => (e.type === 'task_finished' ? [e.result.id] : []));
      expect([...finished].sort()).toEqual(tasks.map((t) => t.spec.id).sort());
      // Called once the last running task ended (a worker left idle may close before that).
      expect(log.filter((l) => l === 'tasks done')).toHaveLength(1);
      expect(log.indexOf('tasks done')).toBeGreaterThan(log.findLastIndex((l) => l.includes('#')));
      expect(log.at(-1)).toMatch(/^close /);
    }
  });

  it('without --max-failures every task runs, whatever fails', async () => {
    const results = await runPool(['x', 'y', 'z'].map((id) => task(id)), {
      workers: 1,
      retries: 0,
      start: (i) => fakeWorker(() => 'failed', i, []),
    });
    expect(results.map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
  });
});
