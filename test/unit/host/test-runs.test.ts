import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../src/host/dispatch.js';
import { listTaskFiles, taskGlob } from '../../../src/host/test-files.js';
import { filterOf, TestRunner } from '../../../src/host/test-runs.js';
import type { WorkerHandle } from '../../../src/runner/suite/child.js';
import type { AttemptResult } from '../../../src/runner/suite/results.js';
import type { TestRunView, TestTaskProgress } from '../../../src/shared/ipc-tests.js';
import { nullLogger } from '../../../src/shared/logger.js';
import { fakeService } from './fake-service.js';

/**
 * The Test runs screen's Node side: listing task files (the runner's own loader), the filter,
 * and runs through the real suite runner and reporters with scripted workers (no display here;
 * test/e2e/tests-ui.test.ts runs real workers).
 */
const dir = mkdtempSync(path.join(tmpdir(), 'deskpilot-test-area-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

mkdirSync(path.join(dir, 'suite', 'nested'), { recursive: true });
writeFileSync(
  path.join(dir, 'suite', 'good.yaml'),
  "tasks:\n  - id: one\n    title: The first\n    tags: [smoke, fast]\n    steps: ['press enter']\n  - id: two\n    steps: ['press tab']\n",
);
writeFileSync(
  path.join(dir, 'suite', 'nested', 'broken.yaml'),
  "tasks:\n  - id: ok-here\n    steps: ['press enter']\n  - id: bad one\n    steps: ['press enter']\n",
);
writeFileSync(path.join(dir, 'suite', 'nested', 'syntax.yaml'), 'tasks:\n  - id: x\n    steps: [unclosed\n');

describe('task file listing', () => {
  it('a folder stands for its .yaml files; a glob or a file is kept as typed; empty is examples', async () => {
    expect(await taskGlob('suite', dir)).toBe('suite/**/*.yaml');
    expect(await taskGlob('suite/', dir)).toBe('suite/**/*.yaml');
    expect(await taskGlob('suite/*.yaml', dir)).toBe('suite/*.yaml');
    expect(await taskGlob('suite/good.yaml', dir)).toBe('suite/good.yaml');
    expect(await taskGlob('  ', dir)).toBe('examples');
  });

  it('lists every file with its tasks, and a broken file with its errors at file:line:col', async () => {
    const view = await listTaskFiles('suite', dir);
    expect(view.files.map((f) => f.file)).toEqual([
      'suite/good.yaml',
      'suite/nested/broken.yaml',
      'suite/nested/syntax.yaml',
    ]);
    const [good, broken, syntax] = view.files;
    expect(good!.tasks).toEqual([
      { id: 'one', title: 'The first', tags: ['smoke', 'fast'] },
      { id: 'two', tags: [] },
    ]);
    expect(good!.errors).toEqual([]);
    expect(broken!.tasks.map((t) => t.id)).toEqual(['ok-here']);
    expect(broken!.errors).toHaveLength(1);
    expect(broken!.errors[0]!.where).toMatch(/^suite\/nested\/broken\.yaml:4:\d+: .*ids use letters/);
    expect(syntax!.tasks).toEqual([]);
    expect(syntax!.errors[0]!.where).toMatch(/^suite\/nested\/syntax\.yaml:\d+:\d+: /);
  });

  it('a missing file is listed with "not found"; a glob matching nothing lists nothing', async () => {
    const missing = await listTaskFiles('suite/nope.yaml', dir);
    expect(missing.files[0]!.errors[0]!.where).toMatch(/^suite\/nope\.yaml: .*task file not found/);
    expect((await listTaskFiles('suite/*.json', dir)).files).toEqual([]);
  });
});

describe('the run filter', () => {
  const text = (id: string, tags: string[]) =>
    `suite/good.yaml ${id} title ${tags.map((t) => `@${t}`).join(' ')}`;
  it('combines the regular expression and any of the tags', () => {
    expect(filterOf(undefined, [])).toBeUndefined();
    expect(filterOf('  ', [])).toBeUndefined();
    const tagged = filterOf(undefined, ['smoke', 'a.b'])!;
    expect(tagged.test(text('one', ['smoke']))).toBe(true);
    expect(tagged.test(text('one', ['smokey']))).toBe(false);
    expect(tagged.test(text('one', ['aXb']))).toBe(false);
    const both = filterOf('^suite/good', ['fast'])!;
    expect(both.test(text('one', ['fast']))).toBe(true);
    expect(both.test(text('one', ['slow']))).toBe(false);
    expect(() => filterOf('(', [])).toThrow(/grep: not a valid regular expression/);
  });
});

describe('IPC input of the test channels', () => {
  const handlers = fakeService().handlers;
  it('refuses bad options with the field named, before any handler runs', async () => {
    const bad = async (input: unknown) => {
      const r = await dispatch(handlers, 'tests.run', input);
      expect(r.ok).toBe(false);
      return r.ok ? '' : r.error.message;
    };
    expect(await bad({ files: [] })).toMatch(/files: pick at least one task file/);
    expect(await bad({ files: ['a.yaml'], workers: 0 })).toMatch(/workers: at least 1 worker/);
    expect(await bad({ files: ['a.yaml'], workers: 99 })).toMatch(/workers: at most 8 workers/);
    expect(await bad({ files: ['a.yaml'], retries: 1.5 })).toMatch(/retries/);
    expect(await bad({ files: ['a.yaml'], reporters: ['list'] })).toMatch(/reporters\.0/);
    expect(await bad({ files: ['a.yaml'], repeatEach: 0 })).toMatch(/repeatEach: repeat each task at least once/);
    expect(await bad({ files: ['a.yaml'], repeatEach: 50 })).toMatch(/repeatEach: at most 20 repeats/);
    expect(await bad({ files: ['a.yaml'], maxFailures: 0 })).toMatch(/maxFailures: stop after at least 1 failure/);
    expect(await bad({ files: ['a\0.yaml'] })).toMatch(/NUL/);
    expect(await bad({ files: ['a.yaml'], shell: 'rm -rf' })).toMatch(/Unrecognized key/);
    const stop = await dispatch(handlers, 'tests.stop', { runId: '../../etc' });
    expect(stop.ok ? '' : stop.error.message).toMatch(/runId: not a test run id/);
  });
});

/** A worker that "runs" a task by its id: ids starting with "fail" fail, "slow" waits to be stopped. */
function scriptedWorker(started: number[], index: number): WorkerHandle {
  started.push(index);
  let interrupt: (() => void) | undefined;
  return {
    ready: Promise.resolve(`:${90 + index}`),
    run(task, attempt, onProgress) {
      onProgress({ type: 'step', index: 0, text: 'press enter', outcome: 'succeeded', durationMs: 1 });
      const result = (status: AttemptResult['status'], message?: string): AttemptResult => ({
        attempt,
        status,
        ...(message ? { error: { name: 'AppError', code: 'X', message } } : {}),
        steps: [],
        log: [],
        durationMs: 1,
      });
      if (task.spec.id.startsWith('slow'))
        return new Promise((_, reject) => (interrupt = () => reject(new Error('worker ended (SIGTERM)'))));
      return Promise.resolve(
        task.spec.id.startsWith('fail') ? result('failed', 'evaluator said no') : result('passed'),
      );
    },
    close: () => Promise.resolve(),
    interrupt: () => interrupt?.(),
  };
}

describe('test runs through the suite runner', () => {
  writeFileSync(
    path.join(dir, 'run.yaml'),
    "tasks:\n  - id: pass-me\n    steps: ['press enter']\n  - id: fail-me\n    steps: ['press enter']\n",
  );
  writeFileSync(
    path.join(dir, 'slow.yaml'),
    "tasks:\n  - id: slow-a\n    steps: ['press enter']\n  - id: slow-b\n    steps: ['press enter']\n",
  );

  function runner() {
    const progress: TestTaskProgress[][] = [];
    const finished: TestRunView[] = [];
    const started: number[] = [];
    const ready: number[] = [];
    const r = new TestRunner({
      runsDir: path.join(dir, 'runs'),
      cwd: dir,
      secretsDir: dir,
      logger: nullLogger,
      onProgress: (_, tasks, workersReady) => (progress.push(tasks), ready.push(workersReady)),
      onFinished: (v) => finished.push(v),
      startWorker: (i) => scriptedWorker(started, i),
    });
    return { r, progress, finished, started, ready };
  }
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 200 && !cond(); i++) await new Promise((res) => setTimeout(res, 10));
    expect(cond()).toBe(true);
  };

  it('reports queued, running and final states, writes the reports and lists the run', async () => {
    const { r, progress, finished, ready } = runner();
    // Two starts at once (a double click): one run, one refusal.
    const request = {
      files: ['run.yaml'],
      workers: 2,
      tags: [],
      retries: 0,
      repeatEach: 1,
      reporters: ['html', 'json'] as const,
    };
    const both = await Promise.allSettled([
      r.start({ ...request, reporters: [...request.reporters] }),
      r.start({ ...request, reporters: [...request.reporters] }),
    ]);
    expect(both.map((b) => b.status)).toEqual(['fulfilled', 'rejected']);
    const view = (both[0] as PromiseFulfilledResult<TestRunView>).value;
    expect(view.status).toBe('running');
    await expect(
      r.start({ files: ['run.yaml'], workers: 1, tags: [], retries: 0, repeatEach: 1, reporters: [] }),
    ).rejects.toThrow(/still running/);
    await until(() => finished.length === 1);
    expect([ready[0], ready.at(-1)]).toEqual([0, 2]);
    expect(progress[0]!.map((t) => [t.id, t.state])).toEqual([
      ['fail-me', 'queued'],
      ['pass-me', 'queued'],
    ]);
    const states = (id: string) =>
      progress
        .flat()
        .filter((t) => t.id === id)
        .map((t) => t.state);
    expect(states('pass-me')).toEqual(['queued', 'running', 'running', 'passed']);
    expect(states('fail-me').at(-1)).toBe('failed');
    expect(progress.flat().find((t) => t.id === 'fail-me' && t.state === 'failed')!.detail).toBe(
      'evaluator said no',
    );
    const done = finished[0]!;
    expect(done).toMatchObject({
      id: view.id,
      status: 'failed',
      summary: { ok: false, counts: { passed: 1, failed: 1 } },
    });
    expect(done.reportPath).toBe(`test-reports/${view.id}/html/index.html`);
    expect(done.reports['json']).toBe(`test-reports/${view.id}/results.json`);
    const out = path.join(dir, 'runs', view.id);
    expect(readFileSync(path.join(out, 'html', 'index.html'), 'utf8')).toContain('fail-me');
    expect(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'))).toMatchObject({ status: 'failed' });
    expect((await r.list()).map((v) => [v.id, v.status])).toContainEqual([view.id, 'failed']);
  });

  it('Stop ends the running workers, starts no new ones and marks what was left as stopped', async () => {
    const { r, progress, finished, started } = runner();
    const view = await r.start({
      files: ['slow.yaml'],
      workers: 1,
      tags: [],
      retries: 2,
      repeatEach: 1,
      reporters: ['html'],
    });
    await until(() => progress.flat().some((t) => t.id === 'slow-a' && t.state === 'running'));
    expect((await r.list()).find((v) => v.id === view.id)?.status).toBe('running');
    r.stop(view.id);
    await until(() => finished.length === 1);
    expect(finished[0]!.status).toBe('stopped');
    expect(started).toEqual([0]);
    const last = (id: string) =>
      progress
        .flat()
        .filter((t) => t.id === id)
        .at(-1)!.state;
    expect([last('slow-a'), last('slow-b')]).toEqual(['stopped', 'stopped']);
    expect(
      progress
        .flat()
        .filter((t) => t.id === 'slow-a')
        .at(-1)!.detail,
    ).toBe('stopped from the app');
    expect(() => r.stop(view.id)).toThrow(/is not running/);
    expect(existsSync(path.join(dir, 'runs', view.id, 'html', 'index.html'))).toBe(true);
  });

  it('repeats each task and stops after the first failure when asked: each run is its own row', async () => {
    const { r, progress, finished, started } = runner();
    await r.start({
      files: ['run.yaml'],
      workers: 1,
      tags: [],
      retries: 0,
      repeatEach: 2,
      maxFailures: 1,
      reporters: ['json'],
    });
    await until(() => finished.length === 1);
    const last = new Map(progress.flat().map((t) => [t.key, t]));
    expect([...last.values()].map((t) => [t.id, t.repeat, t.state])).toEqual([
      ['fail-me', 1, 'failed'],
      ['fail-me', 2, 'skipped'],
      ['pass-me', 1, 'skipped'],
      ['pass-me', 2, 'skipped'],
    ]);
    expect(last.get('run.yaml#pass-me#2')!.detail).toBe('not run: stopped after 1 failed task (max failures 1)');
    expect(started).toEqual([0]);
    expect(finished[0]).toMatchObject({ status: 'failed', summary: { counts: { failed: 1, skipped: 3 } } });
  });

  it('refuses a run with nothing to run, saying why', async () => {
    const { r } = runner();
    await expect(
      r.start({ files: ['run.yaml'], workers: 1, tags: ['nope'], retries: 0, repeatEach: 1, reporters: [] }),
    ).rejects.toThrow(/no task matches the filter/);
    await expect(
      r.start({
        files: ['suite/nested/syntax.yaml'],
        workers: 1,
        tags: [],
        retries: 0,
        repeatEach: 1,
        reporters: [],
      }),
    ).rejects.toThrow(/nothing to run: suite\/nested\/syntax\.yaml:\d+:\d+/);
  });

  it('a run whose workers cannot even be made ends as failed with the reason, not stuck running', async () => {
    const finished: TestRunView[] = [];
    const r = new TestRunner({
      runsDir: path.join(dir, 'runs'),
      cwd: dir,
      secretsDir: dir,
      logger: nullLogger,
      onProgress: () => undefined,
      onFinished: (v) => finished.push(v),
      startWorker: () => {
        throw new Error('tsx is missing');
      },
    });
    const view = await r.start({
      files: ['run.yaml'],
      workers: 1,
      tags: [],
      retries: 0,
      repeatEach: 1,
      reporters: ['html'],
    });
    await until(() => finished.length === 1);
    expect(finished[0]).toMatchObject({ id: view.id, status: 'failed', error: 'tsx is missing' });
    expect((await r.list()).find((v) => v.id === view.id)).toMatchObject({
      status: 'failed',
      error: 'tsx is missing',
    });
  });

  it('a run left "running" by an app that closed is listed as interrupted', async () => {
    const out = path.join(dir, 'runs', '20200101-000000-abc');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      path.join(out, 'run.json'),
      JSON.stringify({
        id: '20200101-000000-abc',
        startedAt: '2020-01-01T00:00:00Z',
        request: { files: ['x.yaml'], workers: 1 },
        status: 'running',
        reports: {},
      }),
    );
    writeFileSync(path.join(dir, 'runs', 'junk.txt'), 'not a run');
    const { r } = runner();
    expect((await r.list()).find((v) => v.id === '20200101-000000-abc')?.status).toBe('interrupted');
  });
});
