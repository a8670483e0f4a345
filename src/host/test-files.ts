import { stat } from 'node:fs/promises';
import path from 'node:path';
import { planSuite } from '../runner/suite/plan.js';
import { loadErrorAt, type LoadError } from '../runner/suite/results.js';
import type { TaskFileErrorView, TaskFilesView, TaskFileView } from '../shared/ipc-tests.js';

/** What the Test runs screen lists when nothing is typed: the sample suite of the working dir. */
export const DEFAULT_TASK_FOLDER = 'examples';

const MAGIC = /[*?[{]/;

/**
 * The glob a typed path stands for: a folder means every `.yaml` task file under it; a file or
 * a glob is kept as typed. Empty means the default folder.
 */
export async function taskGlob(typed: string | undefined, cwd: string): Promise<string> {
  const text = (typed ?? '').trim() || DEFAULT_TASK_FOLDER;
  if (MAGIC.test(text)) return text;
  const info = await stat(path.resolve(cwd, text)).catch(() => undefined);
  return info?.isDirectory() ? `${text.replace(/\/+$/, '')}/**/*.yaml` : text;
}

/**
 * The task files a folder, file or glob names, each with its tasks (id, title, tags) and its
 * problems at file:line:col. A broken file is listed with its errors; the good files (and the
 * good tasks of a broken file) are listed as usual. The runner's own planner reads them.
 */
export async function listTaskFiles(typed: string | undefined, cwd: string): Promise<TaskFilesView> {
  const pattern = await taskGlob(typed, cwd);
  const plan = await planSuite([pattern], { cwd });
  const byFile = new Map<string, TaskFileView>(
    plan.files.map((f) => [f, { file: f, tasks: [], errors: [] }]),
  );
  const entry = (file: string) =>
    byFile.get(file) ?? byFile.set(file, { file, tasks: [], errors: [] }).get(file)!;
  for (const t of plan.tasks) {
    entry(t.file).tasks.push({
      id: t.spec.id,
      ...(t.spec.title ? { title: t.spec.title } : {}),
      tags: t.spec.tags,
    });
  }
  for (const e of plan.loadErrors) entry(e.file).errors.push(errorView(e));
  return { cwd, pattern, files: [...byFile.values()] };
}

export function errorView(e: LoadError): TaskFileErrorView {
  return {
    ...(e.line !== undefined ? { line: e.line } : {}),
    ...(e.column !== undefined ? { column: e.column } : {}),
    message: e.message,
    where: `${loadErrorAt(e)}: ${e.message}`,
  };
}
