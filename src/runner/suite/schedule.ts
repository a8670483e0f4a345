import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCommands } from '../../planner/commands/parse.js';
import type { Task } from '../tasks/schema.js';
import type { TaskResult } from './results.js';

/**
 * Which worker takes which task, and in what order: the suite's wall time is the last worker's,
 * so the tasks are dealt to even lanes, longest first in each (planLanes). How long a task takes
 * is what it took in the runs before (remembered in the data dir), else a guess from what its
 * setup starts. Reports keep the plan's order; only the hand-out order changes.
 */

/** Per task (file › id), ms it took: the runs that ran it, averaged (see rememberDurations). */
export type Durations = Record<string, number>;

export const DURATIONS_FILE = 'task-durations.json';

/** How long an evaluator's checks may take to come true after a successful run (attempt.ts). */
export const EVAL_SETTLE_MS = 2000;

/** Guesses in ms, from runs of the sample suite: Chromium starts slowest, a GTK app next. */
const GUESS = { browser: 7000, app: 4000, none: 2500 };

/**
 * Where a task's time is remembered: per task, and per number of workers it ran beside. With two
 * workers on two cores a task runs 10-25% longer than alone, and most of all the first task of
 * each worker, which runs while the other worker and its app start too (the sample suite's
 * known-bug task: 2.5-2.6 s alone, 2.8-2.9 s first of two); lanes planned from the times of
 * single-worker runs left that worker's lane 0.1-0.6 s behind the other's.
 */
export function taskKey(file: string, id: string, workers = 1): string {
  return `${file.split(path.sep).join('/')} › ${id}${workers > 1 ? ` › ${workers} workers` : ''}`;
}

/**
 * What a task is expected to take: its last duration, else a guess from its setup, plus the time
 * it is sure to wait: its `wait` steps, and for an expected failure the evaluator's retries
 * (a check that fails is tried again for EVAL_SETTLE_MS). Without those, a first run (a fresh
 * CI clone) handed the sample suite's known-bug task out last: 9.1-9.3 s with 2 workers, now
 * 7.3-8.7 s (~7.4 s once durations are remembered).
 */
export function expectedMs(task: Task, durations: Durations, workers = 1): number {
  // What it took beside as many workers, else alone.
  for (const key of [taskKey(task.file, task.spec.id, workers), taskKey(task.file, task.spec.id)]) {
    const known = durations[key];
    if (known !== undefined && Number.isFinite(known) && known >= 0) return known;
  }
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
  const sources = steps === undefined ? [] : Array.isArray(steps) ? steps : [steps];
  let ms = 0;
  // The task file's steps were parsed when it was loaded: a step that fails here cannot come.
  for (const source of sources)
    for (const { step } of parseCommands(source, task.file)) if (step.kind === 'wait' && !step.for) ms += step.ms ?? 0;
  return ms;
}

/**
 * The tasks dealt to `workers` lanes so that the lanes' expected totals are as even as can be
 * found: longest first onto the least loaded lane, then single moves and swaps that shorten the
 * longest lane. Each lane runs longest first. Handing tasks out one at a time, longest first,
 * ended with one worker idle while the other ran its last task: on the sample suite with 2
 * workers, 0.2-0.5 s apart; a simulation over measured runs put the suite at 5.80 s instead of
 * 5.88 s (the pool plans what is left again as the run goes, see pool.ts). Equal estimates keep
 * their plan order (the sort is stable). `busyMs`: per lane, how long its worker is still busy
 * (then there is one lane per entry, even for fewer tasks).
 */
export function planLanes(tasks: Task[], workers: number, ms: (task: Task) => number, busyMs?: number[]): Task[][] {
  const est = new Map(tasks.map((t) => [t, ms(t)]));
  const count = busyMs ? busyMs.length : Math.max(1, Math.min(workers, tasks.length));
  const lanes = Array.from({ length: count }, (_, i) => ({ tasks: [] as Task[], total: busyMs?.[i] ?? 0 }));
  const byLength = [...tasks].sort((a, b) => est.get(b)! - est.get(a)!);
  for (const t of byLength) {
    const lane = lanes.reduce((min, l) => (l.total < min.total ? l : min));
    lane.tasks.push(t);
    lane.total += est.get(t)!;
  }
  // Each change lowers the longest lane and leaves the other below where it was: it ends.
  for (let changes = 0; changes < tasks.length * tasks.length; changes++) {
    const long = lanes.reduce((max, l) => (l.total > max.total ? l : max));
    let best: { gain: number; other: (typeof lanes)[number]; from: Task; to?: Task } | undefined;
    for (const other of lanes) {
      if (other === long) continue;
      for (const from of long.tasks) {
        for (const to of [undefined, ...other.tasks]) {
          const shift = est.get(from)! - (to ? est.get(to)! : 0);
          if (shift <= 0) continue;
          const gain = long.total - Math.max(long.total - shift, other.total + shift);
          if (gain > (best?.gain ?? 0)) best = { gain, other, from, ...(to ? { to } : {}) };
        }
      }
    }
    if (!best) break;
    const shift = est.get(best.from)! - (best.to ? est.get(best.to)! : 0);
    long.tasks.splice(long.tasks.indexOf(best.from), 1);
    best.other.tasks.push(best.from);
    if (best.to) {
      best.other.tasks.splice(best.other.tasks.indexOf(best.to), 1);
      long.tasks.push(best.to);
    }
    long.total -= shift;
    best.other.total += shift;
  }
  return lanes.map((l) => byLength.filter((t) => l.tasks.includes(t)));
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

/**
 * Adds this run's durations to the file (tasks not run this time keep theirs): the mean of this
 * run's and the remembered one, so that one slow or fast run moves the estimate only halfway
 * (a task's time varies by 10-15% from run to run on a busy machine).
 */
export async function rememberDurations(file: string, tasks: TaskResult[], workers = 1): Promise<void> {
  const durations = await readDurations(file);
  for (const t of tasks) {
    if (t.status === 'skipped') continue; // not run: no duration to learn from
    const key = taskKey(t.file, t.id, workers);
    const before = durations[key];
    durations[key] = before === undefined ? t.durationMs : Math.round((before + t.durationMs) / 2);
  }
  await mkdir(path.dirname(file), { recursive: true });
  // Written whole, then renamed: two runs finishing together cannot leave half a file.
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(durations, null, 1));
  await rename(temp, file);
}
