import { errorMessage, throwIfAborted } from '../../shared/errors.js';
import { compare } from './compare.js';
import { COMPARISONS, GETTERS, type Check, type Evaluator, type GetterName } from './schema.js';

/** Where an evaluator's actual values come from; the worker gives real ones, tests give fakes. */
export interface Getters {
  command(command: string, signal?: AbortSignal): Promise<string>;
  file(path: string): Promise<string>;
  screenText(signal?: AbortSignal): Promise<string>;
  windowTitle(signal?: AbortSignal): Promise<string>;
  clipboard(signal?: AbortSignal): Promise<string>;
}

export interface CheckResult {
  /** "file out.txt", "command cat x", "window title", ... */
  getter: string;
  comparison: string;
  expected: unknown;
  /** null when the getter itself failed. */
  actual: string | null;
  passed: boolean;
  /** Why it failed beyond the values (getter error, bad JSON, row mismatch). */
  detail?: string;
}

export interface Verdict {
  passed: boolean;
  conj: 'and' | 'or';
  checks: CheckResult[];
}

/** Runs every check (all of them, so the report shows every mismatch) and combines them. */
export async function evaluate(
  evaluator: Evaluator,
  getters: Getters,
  signal?: AbortSignal,
): Promise<Verdict> {
  const { conj, checks } = 'checks' in evaluator ? evaluator : { conj: 'and' as const, checks: [evaluator] };
  const results: CheckResult[] = [];
  for (const check of checks) {
    throwIfAborted(signal);
    results.push(await runCheck(check, getters, signal));
  }
  const passed = conj === 'and' ? results.every((r) => r.passed) : results.some((r) => r.passed);
  return { passed, conj, checks: results };
}

/**
 * Pauses between tries of the checks: short at first (a title the app sets a moment late is
 * seen within tens of ms, not after a fixed 150 ms), then every 150 ms until the settle time ends.
 */
export const RETRY_PAUSES_MS = [25, 25, 50, 100, 150];

/**
 * Like Playwright's expect: what an app shows settles a moment after the last step (a window
 * title is set asynchronously), so the checks are tried again, with fresh getters, until they
 * pass or `settleMs` have passed. The last verdict is the answer (with the last actual values).
 */
export async function evaluateSettled(
  evaluator: Evaluator,
  getters: () => Getters,
  settleMs: number,
  signal?: AbortSignal,
  pauses: readonly number[] = RETRY_PAUSES_MS,
): Promise<Verdict> {
  const until = Date.now() + settleMs;
  for (let tries = 0; ; tries++) {
    const verdict = await evaluate(evaluator, getters(), signal);
    if (verdict.passed || Date.now() >= until) return verdict;
    await new Promise((r) => setTimeout(r, pauses[Math.min(tries, pauses.length - 1)]));
  }
}

async function runCheck(check: Check, getters: Getters, signal?: AbortSignal): Promise<CheckResult> {
  const getter = GETTERS.find((g) => check[g] !== undefined) as GetterName;
  const kind = COMPARISONS.find((k) => check[k] !== undefined) ?? 'exact';
  const expected: unknown = check[kind];
  const label = getterLabel(check, getter);
  const comparison = (check.not ? 'not ' : '') + kind;
  let actual: string;
  try {
    actual = await read(check, getter, getters, signal);
  } catch (err) {
    throwIfAborted(signal);
    return { getter: label, comparison, expected, actual: null, passed: false, detail: errorMessage(err) };
  }
  const result = compare(kind, actual, expected);
  const passed = check.not ? !result.passed : result.passed;
  return {
    getter: label,
    comparison,
    expected,
    actual,
    passed,
    ...(result.detail && !passed ? { detail: result.detail } : {}),
  };
}

function read(check: Check, getter: GetterName, getters: Getters, signal?: AbortSignal): Promise<string> {
  switch (getter) {
    case 'command':
      return getters.command(check.command!, signal);
    case 'file':
      return getters.file(check.file!);
    case 'screen_text':
      return getters.screenText(signal);
    case 'window_title':
      return getters.windowTitle(signal);
    case 'clipboard':
      return getters.clipboard(signal);
  }
}

function getterLabel(check: Check, getter: GetterName): string {
  if (getter === 'command') return `output of \`${check.command}\``;
  if (getter === 'file') return `file ${check.file}`;
  return getter.replace('_', ' ');
}
