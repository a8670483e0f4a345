import { copyFile, link, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { StepReport, SuiteResult } from './results.js';

/**
 * A run's screenshots live in its workers' data dirs, which are removed when the run ends; a
 * report that named them there (results.json) pointed at files that were gone. They are kept
 * in `dir` instead (as Playwright keeps attachments in test-results/), and the result names them
 * there: `<task>-<id>-a<attempt>-s<step>-before.png`, ...-after.png, ...-target.png (the
 * before-screenshot with the target box and click point drawn). The screen after step N is most
 * often the one before step N+1: one file is kept for both. Each is a hard link where the output
 * dir is on the same file system as the run's temp dir (no bytes copied), else a copy. An earlier
 * run's screenshots in `dir` are removed first, so that they are not taken for this one's; any
 * other file there is left alone (`--output .` must not cost a person their own screenshots/).
 */
export async function keepScreenshots(result: SuiteResult, dir: string): Promise<SuiteResult> {
  await mkdir(dir, { recursive: true });
  const earlier = (await readdir(dir)).filter((f) => KEPT_NAME.test(f));
  await Promise.all(earlier.map((f) => rm(path.join(dir, f), { force: true })));
  const kept = new Map<string, Promise<string | undefined>>();
  const keep = (source: string | undefined, name: string): Promise<string | undefined> => {
    if (!source) return Promise.resolve(undefined);
    let target = kept.get(source);
    if (!target) {
      target = linkOrCopy(source, path.join(dir, `${name}${path.extname(source) || '.png'}`));
      kept.set(source, target);
    }
    return target;
  };
  const tasks = await Promise.all(
    result.tasks.map(async (t, i) => {
      const task = `${String(i + 1).padStart(3, '0')}-${safe(t.id)}${t.repeat ? `-r${t.repeat}` : ''}`;
      const attempts = await Promise.all(
        t.attempts.map(async (a) => ({
          ...a,
          steps: await Promise.all(
            a.steps.map((s) => keptStep(s, `${task}-a${a.attempt}-s${s.index + 1}`, keep)),
          ),
        })),
      );
      return { ...t, attempts };
    }),
  );
  return { ...result, tasks };
}

/** The step with its screenshots kept under `name`-before, -after and -target. */
async function keptStep(
  s: StepReport,
  name: string,
  keep: (source: string | undefined, name: string) => Promise<string | undefined>,
): Promise<StepReport> {
  const [before, after, annotated] = await Promise.all([
    keep(s.before, `${name}-before`),
    keep(s.after, `${name}-after`),
    keep(s.annotated, `${name}-target`),
  ]);
  const { before: _b, after: _a, annotated: _t, ...rest } = s;
  return {
    ...rest,
    ...(before ? { before } : {}),
    ...(after ? { after } : {}),
    ...(annotated ? { annotated } : {}),
  };
}

/** `target`, or undefined when `source` cannot be read (a report then names no file). */
export async function linkOrCopy(source: string, target: string): Promise<string | undefined> {
  try {
    await link(source, target);
    return target;
  } catch {
    // Another file system (EXDEV), or one without hard links: a copy.
    try {
      await copyFile(source, target);
      return target;
    } catch {
      return undefined;
    }
  }
}

/** The names keepScreenshots gives (`task` below: a 3-digit number, then the task's id). */
const KEPT_NAME = /^\d{3,}-[\w.-]+-a\d+-s\d+-(before|after|target)\.png$/;

function safe(id: string): string {
  return id.replace(/[^\w.-]+/g, '_').slice(0, 80);
}
