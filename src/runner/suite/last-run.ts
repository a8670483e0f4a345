import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserInputError } from '../../shared/errors.js';
import type { SuiteResult } from './results.js';

/**
 * What the last `deskpilot test` run with an output dir left for `--last-failed`: which tasks did
 * not pass (failed, errors, unexpected passes; not those left unrun by --max-failures), as
 * Playwright Test's test-results/.last-run.json. Tasks are named `file#id`.
 */

export const LAST_RUN_FILE = '.last-run.json';

interface LastRun {
  status: 'passed' | 'failed';
  failedTasks: string[];
}

export function lastRunKey(file: string, id: string): string {
  return `${file}#${id}`;
}

export async function writeLastRun(outputDir: string, result: SuiteResult): Promise<void> {
  const failed = [...new Set(result.tasks.filter((t) => !t.ok).map((t) => lastRunKey(t.file, t.id)))];
  const body: LastRun = { status: result.ok ? 'passed' : 'failed', failedTasks: failed };
  await mkdir(outputDir, { recursive: true });
  const file = path.join(outputDir, LAST_RUN_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(body, null, 1) + '\n');
  await rename(temp, file);
}

/** The tasks that did not pass last time; undefined when there was no last run in `outputDir`. */
export async function readLastFailed(outputDir: string): Promise<Set<string> | undefined> {
  const file = path.join(outputDir, LAST_RUN_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UserInputError(
      `--last-failed: ${file} is not JSON (${(err as Error).message}); remove it to run every task`,
    );
  }
  const tasks = (parsed as Partial<LastRun> | null)?.failedTasks;
  if (!Array.isArray(tasks) || !tasks.every((t) => typeof t === 'string'))
    throw new UserInputError(
      `--last-failed: ${file} has no "failedTasks" list of strings; remove it to run every task`,
    );
  return new Set(tasks);
}
