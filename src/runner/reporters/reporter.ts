import type { SuiteEvent } from '../suite/pool.js';
import type { SuiteResult, TaskResult } from '../suite/results.js';

/** A reporter hears the suite's events as they happen and writes its output at the end. */
export interface Reporter {
  readonly name: string;
  onEvent?(event: SuiteEvent): void;
  /** Writes the report; returns where it went (a path) when it is a file. */
  finish(result: SuiteResult): Promise<string | undefined>;
}

export const REPORTERS = ['list', 'json', 'junit', 'html'] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** The one-line reason a task did not pass, from its last attempt. */
export function failureReason(t: TaskResult): string | undefined {
  const last = t.attempts.at(-1);
  if (t.status === 'unexpected_pass') return 'marked expected_failure, but it passed';
  if (t.status === 'skipped') return t.notRun ?? 'not run';
  return last?.error?.message;
}

export function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}
