import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Task } from '../tasks/schema.js';
import type { TaskResult } from './results.js';

/**
 * The order the workers take tasks in: longest first, so that no worker starts a long task
 * while the others are about to run out of work (the suite's wall time is the last worker's).
 * How long a task takes is what it took last time (remembered in the data dir), else a guess
 * from what its setup starts. Reports keep the plan's order; only the hand-out order changes.
 */

/** Per task (file › id), ms it took in the run that last ran it. */
export type Durations = Record<string, number>;

export const DURATIONS_FILE = 'task-durations.json';

/** How long an evaluator's checks may take to come true after a successful run (attempt.ts). */
export const EVAL_SETTLE_MS = 2000;

/** Guesses in ms, from runs of the sample suite: Chromium starts slowest, a GTK app next. */
const GUESS = { browser: 7000, app: 4000, none: 2500 };

export function taskKey(file: string, id: string): string {
  return `${file.split(path.sep).join('/')} › ${id}`;
}

/**
 * What a task is expected to take: its last duration, else a guess from its setup, plus the time
 * it is sure to wait: its `wait` steps, and for an expected failure the evaluator's retries
 * (a check that fails is tried again for EVAL_SETTLE_MS). Without those, a first run (a fresh
 * CI clone) handed the sample suite's known-bug task out last: 9.1-9.3 s with 2 workers, now
 * 7.3-8.7 s (~7.4 s once durations are remembered).
 */
export function expectedMs(task: Task, durations: Durations): number {
  const known = durations[taskKey(task.file, task.spec.id)];
  if (known !== undefined && Number.isFinite(known) && known >= 0) return known;
  const setup = task.spec.setup;
  const waits = waitedMs(task) + (task.spec.expected_failure ? EVAL_SETTLE_MS : 0);
  // The same rule as the session's `open:`: a URL or an .html file opens in Chromium.
  if (setup.some((a) => 'open' in a && (/^[a-z][a-z0-9+.-]*:/i.test(a.open) || /\.html?$/i.test(a.open))))
    return GUESS.browser + waits;
  if (setup.some((a) => 'launch' in a || 'open' in a)) return GUESS.app + waits;
  return GUESS.none + waits;
}

/** The fixed waits among a task's steps (`wait 500ms`, `wait 2s`; not `wait for ...`). */
function waitedMs(task: Task): number {
  const steps = task.spec.steps;
  const text = Array.isArray(steps) ? steps.join('\n') : (steps ?? '');
  let ms = 0;
  for (const m of text.matchAll(/(?:^|[\n;])\s*wait\s+(\d+(?:\.\d+)?)\s*(ms|s)\b/gi))
    ms += Number(m[1]) * (m[2]!.toLowerCase() === 's' ? 1000 : 1);
  return ms;
}

/** Longest expected first; equal ones keep their plan order (the sort is stable). */
export function longestFirst(tasks: Task[], durations: Durations): Task[] {
  const ms = new Map(tasks.map((t) => [t, expectedMs(t, durations)]));
  return [...tasks].sort((a, b) => ms.get(b)! - ms.get(a)!);
}

/** The remembered durations; none when the file is missing or unreadable (a guess is used). */
export async function readDurations(file: string): Promise<Durations> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((e): e is [string, number] => typeof e[1] === 'number'),
    );
  } catch {
    return {};
  }
}

/** Adds this run's durations to the file (tasks not run this time keep theirs). */
export async function rememberDurations(file: string, tasks: TaskResult[]): Promise<void> {
  const durations = await readDurations(file);
  for (const t of tasks) durations[taskKey(t.file, t.id)] = t.durationMs;
  await mkdir(path.dirname(file), { recursive: true });
  // Written whole, then renamed: two runs finishing together cannot leave half a file.
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(durations, null, 1));
  await rename(temp, file);
}
