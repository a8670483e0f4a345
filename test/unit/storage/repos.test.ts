import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../../src/shared/errors.js';
import type { Store } from '../../../src/shared/ports.js';
import { Step } from '../../../src/shared/steps.js';
import { openStore } from '../../../src/storage/index.js';
import { clickStep, tempDirs } from './helpers.js';

const dirs = tempDirs();
let dataDir: string;
let store: Store;

beforeEach(() => {
  dataDir = dirs.make();
  store = openStore({ dataDir });
});
afterEach(() => {
  store.close();
  dirs.cleanup();
});

function caught(fn: () => unknown): StorageError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StorageError) return err;
    throw err;
  }
  throw new Error('expected a StorageError');
}

describe('runs', () => {
  it('creates, lists newest first, filters by status and finishes', () => {
    const a = store.runs.create({ source: 'chat', title: 'open the report', meta: { model: 'x' } });
    const b = store.runs.create({ source: 'macro', title: 'export invoices' });
    expect(a).toMatchObject({ status: 'running', pid: process.pid, endedAt: null, error: null });
    expect(store.runs.get(a.id)).toEqual(a);
    expect(store.runs.list().map((r) => r.id)).toEqual([b.id, a.id]);
    expect(store.runs.list({ limit: 1 }).map((r) => r.id)).toEqual([b.id]);

    store.runs.finish(a.id, 'failed', { name: 'ActionError', code: 'ACTION', message: 'button vanished' });
    const failed = store.runs.get(a.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.endedAt).not.toBeNull();
    expect(failed?.error?.message).toBe('button vanished');
    expect(failed?.meta).toEqual({ model: 'x' });
    expect(store.runs.list({ status: 'running' }).map((r) => r.id)).toEqual([b.id]);

    store.runs.finish(b.id, 'paused');
    expect(store.runs.get(b.id)).toMatchObject({ status: 'paused', endedAt: null });
  });

  it('says so when a run does not exist', () => {
    expect(store.runs.get('missing')).toBeUndefined();
    expect(caught(() => store.runs.finish('missing', 'succeeded')).code).toBe('STORAGE_NOT_FOUND');
  });
});

describe('steps', () => {
  it('adds one and many, keeps order, and reads the step back as a valid Step', () => {
    const run = store.runs.create({ source: 'task', title: 't' });
    store.steps.add(clickStep(run.id, 0));
    const many = store.steps.addMany([1, 2, 3].map((i) => clickStep(run.id, i)));
    expect(many).toHaveLength(3);
    const listed = store.steps.listForRun(run.id);
    expect(listed.map((s) => s.index)).toEqual([0, 1, 2, 3]);
    for (const s of listed) expect(Step.safeParse(s.step).success).toBe(true);
    expect(listed[2]).toMatchObject({
      outcome: 'pending',
      thought: 'press Button 2',
      resolution: null,
      timings: {},
    });
  });

  it('updates resolution, outcome, error, screenshots and merges timings', () => {
    const run = store.runs.create({ source: 'command', title: 'click Save' });
    const shot = store.screenshots.save(new Uint8Array([1, 2, 3]), {
      runId: run.id,
      width: 1,
      height: 1,
      ext: 'png',
    });
    const step = store.steps.add({ ...clickStep(run.id, 0, 'Save'), beforeScreenshotId: shot.id });
    store.steps.update(step.id, {
      resolution: { point: { x: 10, y: 20 }, confidence: 0.9, source: 'text' },
      timings: { observe: 12, ground: 30 },
    });
    store.steps.update(step.id, {
      outcome: 'failed',
      error: { name: 'ActionError', code: 'ACTION', message: 'no change' },
      timings: { act: 5 },
      afterScreenshotId: shot.id,
    });
    const [saved] = store.steps.listForRun(run.id);
    expect(saved).toMatchObject({
      outcome: 'failed',
      resolution: { point: { x: 10, y: 20 }, confidence: 0.9, source: 'text' },
      timings: { observe: 12, ground: 30, act: 5 },
      error: { code: 'ACTION', message: 'no change' },
      beforeScreenshotId: shot.id,
      afterScreenshotId: shot.id,
    });
    expect(saved?.endedAt).not.toBeNull();
  });

  it('refuses a step for a missing run, a duplicate index, and rolls back a failing batch whole', () => {
    const run = store.runs.create({ source: 'task', title: 't' });
    expect(caught(() => store.steps.add(clickStep('no-such-run', 0))).code).toBe('STORAGE_NOT_FOUND');
    store.steps.add(clickStep(run.id, 0));
    expect(caught(() => store.steps.add(clickStep(run.id, 0))).message).toMatch(/already exists/);
    // The third step repeats index 1: nothing of the batch may stay.
    caught(() => store.steps.addMany([clickStep(run.id, 1), clickStep(run.id, 2), clickStep(run.id, 1)]));
    expect(store.steps.listForRun(run.id).map((s) => s.index)).toEqual([0]);
    expect(caught(() => store.steps.update('missing', { outcome: 'succeeded' })).code).toBe(
      'STORAGE_NOT_FOUND',
    );
  });
});

describe('screenshots', () => {
  it('writes the image under the data dir by run and finds it by id', () => {
    const run = store.runs.create({ source: 'chat', title: 't' });
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const shot = store.screenshots.save(bytes, { runId: run.id, width: 640, height: 400, ext: 'png' });
    expect(shot.path).toBe(`screenshots/${run.id}/${shot.id}.png`);
    const file = store.screenshots.absolutePath(shot);
    expect(file).toBe(join(dataDir, 'screenshots', run.id, `${shot.id}.png`));
    expect(readFileSync(file).equals(Buffer.from(bytes))).toBe(true);
    expect(store.screenshots.get(shot.id)).toEqual(shot);

    const loose = store.screenshots.save(new Uint8Array([9]), { width: 1, height: 1, ext: 'jpg' });
    expect(loose.path).toBe(`screenshots/misc/${loose.id}.jpg`);
    expect(existsSync(store.screenshots.absolutePath(loose))).toBe(true);
  });

  it('refuses a screenshot for a missing run without writing a file', () => {
    const err = caught(() =>
      store.screenshots.save(new Uint8Array([1]), { runId: '../escape', width: 1, height: 1, ext: 'png' }),
    );
    expect(err.code).toBe('STORAGE_NOT_FOUND');
    expect(existsSync(join(dataDir, 'escape'))).toBe(false);
    expect(existsSync(join(dataDir, 'screenshots', '..', 'escape'))).toBe(false);
  });
});

describe('macros', () => {
  it('keeps a new version on every put and returns the latest', () => {
    const v1 = store.macros.put('export', 'steps: [a]');
    const v2 = store.macros.put('export', 'steps: [a, b]');
    expect(v1.version).toBe(1);
    expect(v2).toMatchObject({ id: v1.id, version: 2, source: 'steps: [a, b]' });
    expect(store.macros.get('export')).toEqual(v2);
    store.macros.put('backup', 'steps: []');
    expect(store.macros.list().map((m) => `${m.name}@${m.version}`)).toEqual(['backup@1', 'export@2']);
    expect(store.macros.remove('export')).toBe(true);
    expect(store.macros.remove('export')).toBe(false);
    expect(store.macros.get('export')).toBeUndefined();
    expect(store.macros.put('export', 'again').version).toBe(1);
  });
});

describe('tasks and settings', () => {
  it('replaces a task by name and keeps its id', () => {
    const first = store.tasks.put('login', 'instruction: log in');
    const second = store.tasks.put('login', 'instruction: log in twice');
    expect(second.id).toBe(first.id);
    expect(store.tasks.get('login')?.source).toBe('instruction: log in twice');
    expect(store.tasks.list()).toHaveLength(1);
    expect(store.tasks.get('nope')).toBeUndefined();
  });

  it('stores JSON values and removes a key set to undefined', () => {
    expect(store.settings.get('ui.theme')).toBeUndefined();
    store.settings.set('ui.theme', { dark: true, scale: 1.25 });
    store.settings.set('count', 0);
    expect(store.settings.get<{ dark: boolean }>('ui.theme')).toEqual({ dark: true, scale: 1.25 });
    expect(store.settings.get('count')).toBe(0);
    store.settings.set('ui.theme', undefined);
    expect(store.settings.get('ui.theme')).toBeUndefined();
  });
});
