import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keepScreenshots } from '../../../src/runner/suite/keep-screenshots.js';
import type { StepReport, SuiteResult, TaskResult } from '../../../src/runner/suite/results.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function temp(base = tmpdir()): string {
  const d = mkdtempSync(path.join(base, 'keep-shots-'));
  dirs.push(d);
  return d;
}

function step(index: number, shots: Pick<StepReport, 'before' | 'after' | 'annotated'>): StepReport {
  return { index, text: `step ${index + 1}`, outcome: 'succeeded', timings: {}, durationMs: 10, ...shots };
}

function task(id: string, steps: StepReport[], repeat?: number): TaskResult {
  return {
    id,
    file: 'examples/x.yaml',
    tags: [],
    status: 'passed',
    ok: true,
    durationMs: 100,
    attempts: [{ attempt: 1, status: 'passed', steps, log: [], durationMs: 100 }],
    ...(repeat ? { repeat } : {}),
  };
}

function suite(tasks: TaskResult[]): SuiteResult {
  return {
    startedAt: '2026-11-27T00:00:00.000Z',
    durationMs: 100,
    workers: 1,
    tasks,
    loadErrors: [],
    ok: true,
    counts: {} as SuiteResult['counts'],
  };
}

/** A worker's data dir with a few PNG-named files, as the engine leaves them. */
function workerShots(): { a: string; b: string; c: string; d: string } {
  const dir = path.join(temp(), 'worker-0', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => {
    const f = path.join(dir, `${name}.png`);
    writeFileSync(f, `png ${name}`);
    return f;
  };
  return { a: file('a'), b: file('b'), c: file('c'), d: file('d') };
}

describe('keepScreenshots', () => {
  it('keeps every screenshot a result names in the output dir, one file for a screen two steps share, and renames the result to them', async () => {
    const f = workerShots();
    const out = path.join(temp(), 'screenshots');
    mkdirSync(out);
    writeFileSync(path.join(out, '007-old-task-a2-s3-after.png'), 'an earlier run');
    writeFileSync(path.join(out, 'mine.png'), 'a file of the person running the tests');
    const result = suite([
      // The screen after step 1 is the one before step 2: the same file.
      task('fill form', [
        step(0, { before: f.a, annotated: f.b, after: f.c }),
        step(1, { before: f.c, after: f.d }),
      ]),
      task('fill form', [step(0, { before: f.d })], 2),
    ]);

    const kept = await keepScreenshots(result, out);

    const steps = kept.tasks[0]!.attempts[0]!.steps;
    expect(steps[0]).toMatchObject({
      before: path.join(out, '001-fill_form-a1-s1-before.png'),
      annotated: path.join(out, '001-fill_form-a1-s1-target.png'),
      after: path.join(out, '001-fill_form-a1-s1-after.png'),
    });
    expect(steps[1]!.before).toBe(steps[0]!.after);
    expect(steps[1]!.after).toBe(path.join(out, '001-fill_form-a1-s2-after.png'));
    expect(kept.tasks[1]!.attempts[0]!.steps[0]!.before).toBe(steps[1]!.after);
    for (const s of steps)
      for (const p of [s.before, s.after, s.annotated]) if (p) expect(existsSync(p)).toBe(true);
    expect(readFileSync(steps[0]!.annotated!, 'utf8')).toBe('png b');
    // An earlier run's screenshots are not taken for this one's; other files stay.
    expect(existsSync(path.join(out, '007-old-task-a2-s3-after.png'))).toBe(false);
    expect(readFileSync(path.join(out, 'mine.png'), 'utf8')).toBe('a file of the person running the tests');
    // The worker's files go with its data dir; the kept ones stay.
    rmSync(path.dirname(f.a), { recursive: true });
    expect(readFileSync(steps[1]!.after!, 'utf8')).toBe('png d');
    // The result given is not changed.
    expect(result.tasks[0]!.attempts[0]!.steps[0]!.before).toBe(f.a);
  });

  it('copies where a hard link cannot be made, and names no file for a screenshot that is gone', async () => {
    const f = workerShots();
    // /dev/shm is another file system than the temp dir on Linux: link() fails with EXDEV.
    const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
    const out = path.join(temp(base), 'screenshots');
    const kept = await keepScreenshots(
      suite([task('t', [step(0, { before: f.a, after: path.join(path.dirname(f.a), 'missing.png') })])]),
      out,
    );

    const s = kept.tasks[0]!.attempts[0]!.steps[0]!;
    expect(readFileSync(s.before!, 'utf8')).toBe('png a');
    expect(s.after).toBeUndefined();
    if (statSync(f.a).dev !== statSync(out).dev) expect(statSync(s.before!).nlink).toBe(1);
  });
});
