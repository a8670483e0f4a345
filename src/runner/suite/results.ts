import type { SerializedError } from '../../shared/errors.js';
import type { Resolution, StepOutcome } from '../../shared/records.js';
import type { Verdict } from '../tasks/evaluate.js';
import type { PhaseTiming } from './phases.js';

/** What a worker reports for each task attempt, and what the reporters read. Plain JSON. */

export interface StepReport {
  index: number;
  /** The command as written in the task file, or the step in words. */
  text: string;
  outcome: StepOutcome;
  error?: SerializedError;
  resolution?: Resolution;
  /** The model's reasoning, when a planner chose the step. */
  thought?: string;
  /** Named durations in ms (observe, ground, act, ...). */
  timings: Record<string, number>;
  durationMs: number;
  /**
   * Absolute paths of the screenshots: in the worker's data dir while the run goes on, then where
   * the run keeps them for its reports (`<output>/screenshots`, keep-screenshots.ts).
   */
  before?: string;
  after?: string;
  /** The before-screenshot with the target box and click point drawn. */
  annotated?: string;
}

export type AttemptStatus = 'passed' | 'failed' | 'error';

export interface AttemptResult {
  attempt: number;
  status: AttemptStatus;
  /** Why it failed or errored, in one line. */
  error?: SerializedError;
  steps: StepReport[];
  verdict?: Verdict;
  /** Setup and step log, in order. */
  log: string[];
  /** Setup, steps, teardown included. */
  durationMs: number;
  /** Wall and worker CPU time per phase: setup, steps, evaluate, teardown (failed: up to an error). */
  phases?: Record<string, PhaseTiming>;
  /**
   * CPU time of the task's apps (their process groups; absent when all had ended by the end of
   * the task, which took their CPU time with them, or no /proc) and of the display's X server and window manager.
   */
  cpu?: { appsMs?: number; displayMs: number };
  display?: string;
  runId?: string;
}

/**
 * The final word on a task: flaky = passed after failing; expected failures that fail pass;
 * skipped = not run (--max-failures was reached first).
 */
export type TaskStatus = 'passed' | 'failed' | 'error' | 'flaky' | 'expected_failure' | 'unexpected_pass' | 'skipped';

export interface TaskResult {
  id: string;
  file: string;
  title?: string;
  tags: string[];
  status: TaskStatus;
  /** Whether this task counts as a success for the exit code. */
  ok: boolean;
  attempts: AttemptResult[];
  durationMs: number;
  /** The worker (0-based) that ran its last attempt. */
  worker?: number;
  /** When it started, ms after the first worker was started. */
  startedMs?: number;
  /** Why a skipped task did not run. */
  notRun?: string;
  /** Which run of the task this is (1-based), with --repeat-each. */
  repeat?: number;
}

/** A task's name in reports: its id, and which run of it with --repeat-each ("id (repeat 2)"). */
export function taskName(id: string, repeat?: number): string {
  return repeat ? `${id} (repeat ${repeat})` : id;
}

/** A task file that could not be loaded, or a task in it that is malformed. */
export interface LoadError {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

/** Where a load error is: file, file:line or file:line:col. */
export function loadErrorAt(e: LoadError): string {
  return `${e.file}${e.line ? `:${e.line}` : ''}${e.column ? `:${e.column}` : ''}`;
}

export interface SuiteResult {
  startedAt: string;
  durationMs: number;
  workers: number;
  shard?: { index: number; total: number };
  tasks: TaskResult[];
  /** Per worker started: ms from its spawn until it could take tasks (display, window manager, engine). */
  workerStarts?: { worker: number; ms: number }[];
  loadErrors: LoadError[];
  ok: boolean;
  counts: Record<TaskStatus | 'load_error', number>;
}

/** Combines the attempts of one task into its status. */
export function finalStatus(
  attempts: AttemptResult[],
  expectedFailure: boolean,
): { status: TaskStatus; ok: boolean } {
  const last = attempts.at(-1);
  const passed = last?.status === 'passed';
  // Only a real failure is the expected one: a setup error or crash says nothing about the bug.
  if (expectedFailure && last?.status !== 'error')
    return passed ? { status: 'unexpected_pass', ok: false } : { status: 'expected_failure', ok: true };
  if (passed) return attempts.length > 1 ? { status: 'flaky', ok: true } : { status: 'passed', ok: true };
  return { status: last?.status === 'error' ? 'error' : 'failed', ok: false };
}
