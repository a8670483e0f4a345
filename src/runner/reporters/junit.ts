import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadErrorAt, taskName, type LoadError, type SuiteResult, type TaskResult } from '../suite/results.js';
import { failureReason, seconds, type Reporter } from './reporter.js';
import { element } from './xml.js';

/**
 * JUnit XML as CI systems read it (Jenkins, GitLab, GitHub test reporters): one testsuite per
 * task file, one testcase per task (classname = file, name = id). A failed evaluator's message
 * carries actual vs expected; system-out carries the setup and step log.
 */
export class JunitReporter implements Reporter {
  readonly name = 'junit';
  constructor(private readonly outputDir: string) {}

  async finish(result: SuiteResult): Promise<string> {
    await mkdir(this.outputDir, { recursive: true });
    const file = path.join(this.outputDir, 'junit.xml');
    await writeFile(file, junitXml(result, this.outputDir));
    return file;
  }
}

/**
 * `dir`: where junit.xml goes. A task that did not pass then names its screenshots in its
 * system-out as `[[ATTACHMENT|path]]` lines, paths relative to `dir` (Playwright's JUnit reporter
 * does the same; Jenkins' JUnit Attachments plugin, GitLab and Azure DevOps show them with the
 * failure; GitLab the first only), see attachments(). Only screenshots kept under `dir`
 * (keep-screenshots.ts).
 */
export function junitXml(result: SuiteResult, dir?: string): string {
  const files = [
    ...new Set([...result.tasks.map((t) => t.file), ...result.loadErrors.map((e) => e.file)]),
  ].sort();
  const suites = files.map((file) =>
    suiteXml(
      file,
      result.tasks.filter((t) => t.file === file),
      result.loadErrors.filter((e) => e.file === file),
      result.startedAt,
      dir,
    ),
  );
  const failures = result.tasks.filter((t) => !t.ok && t.status !== 'error').length;
  const errors = result.tasks.filter((t) => t.status === 'error').length + result.loadErrors.length;
  const body = element(
    'testsuites',
    {
      name: 'deskpilot test',
      tests: result.tasks.length + result.loadErrors.length,
      failures,
      errors,
      skipped: result.tasks.filter((t) => t.status === 'skipped').length,
      time: seconds(result.durationMs),
      timestamp: result.startedAt,
    },
    suites,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`;
}

function suiteXml(file: string, tasks: TaskResult[], loadErrors: LoadError[], timestamp: string, dir?: string): string {
  const failures = tasks.filter((t) => !t.ok && t.status !== 'error').length;
  const errors = tasks.filter((t) => t.status === 'error').length + loadErrors.length;
  const time = tasks.reduce((s, t) => s + t.durationMs, 0);
  const cases = [...loadErrors.map((e) => loadErrorCase(file, e)), ...tasks.map((t) => caseXml(t, dir))];
  return element(
    'testsuite',
    {
      name: file,
      tests: cases.length,
      failures,
      errors,
      skipped: tasks.filter((t) => t.status === 'skipped').length,
      time: seconds(time),
      timestamp: timestamp.replace(/\.\d+Z$/, ''),
    },
    cases,
    '  ',
  );
}

function loadErrorCase(file: string, e: LoadError): string {
  const where = loadErrorAt({ ...e, file });
  return element(
    'testcase',
    { classname: file, name: `load ${where}`, time: '0' },
    [
      element(
        'error',
        { message: `${where}: ${e.message}`, type: 'TaskFileError' },
        `${where}: ${e.message}`,
        '      ',
      ),
    ],
    '    ',
  );
}

function caseXml(t: TaskResult, dir?: string): string {
  const children: string[] = [];
  const last = t.attempts.at(-1);
  if (t.status === 'skipped') children.push(element('skipped', { message: failureReason(t) ?? 'not run' }, undefined, '      '));
  if (!t.ok) {
    const tag = t.status === 'error' ? 'error' : 'failure';
    children.push(
      element(
        tag,
        { message: failureReason(t) ?? t.status, type: last?.error?.code ?? t.status },
        failureDetail(t),
        '      ',
      ),
    );
  }
  children.push(element('system-out', {}, systemOut(t, dir), '      '));
  return element(
    'testcase',
    { classname: t.file, name: taskName(t.id, t.repeat), time: seconds(t.durationMs) },
    children,
    '    ',
  );
}

function failureDetail(t: TaskResult): string {
  const last = t.attempts.at(-1);
  const lines = [failureReason(t) ?? t.status];
  for (const c of last?.verdict?.checks ?? []) {
    lines.push(
      `${c.passed ? 'ok  ' : 'FAIL'} ${c.getter} ${c.comparison}`,
      `  expected: ${JSON.stringify(c.expected)}`,
      `  actual:   ${c.actual === null ? '(no value)' : JSON.stringify(c.actual)}`,
    );
    if (c.detail) lines.push(`  ${c.detail}`);
  }
  const failedStep = last?.steps.find((s) => s.outcome !== 'succeeded');
  if (failedStep)
    lines.push(
      `failed at step ${failedStep.index + 1}: ${failedStep.text}${failedStep.error ? ` — ${failedStep.error.message}` : ''}`,
    );
  return lines.join('\n');
}

function systemOut(t: TaskResult, dir?: string): string {
  const out: string[] = [
    `status: ${t.status}${t.attempts.length > 1 ? ` after ${t.attempts.length} attempts` : ''}`,
  ];
  for (const a of t.attempts) {
    out.push(
      `--- attempt ${a.attempt}: ${a.status}${a.display ? ` on ${a.display}` : ''} (${seconds(a.durationMs)} s)`,
    );
    out.push(...a.log);
    if (a.error) out.push(`error: ${a.error.message}`);
  }
  // Each marker a line of its own (the Jenkins plugin reads whole lines only), the last one too.
  const shots = dir && !t.ok && t.status !== 'skipped' ? attachments(t, dir) : [];
  if (shots.length) out.push(...shots.map((p) => `[[ATTACHMENT|${p}]]`), '');
  return out.join('\n');
}

/**
 * The screenshots of a task that did not pass, relative to `dir`. A step that failed: the screen
 * it met (its target drawn, where one was found), then the screen after it. Steps that all
 * succeeded (an evaluator failed): the screen the checks saw, then the one before the last step
 * (an app that exits at the end, as `cat > file` after ctrl+d, leaves the first one empty).
 */
function attachments(t: TaskResult, dir: string): string[] {
  const steps = t.attempts.at(-1)?.steps ?? [];
  const failed = steps.find((s) => s.outcome !== 'succeeded');
  const last = steps.at(-1);
  const files = failed ? [failed.annotated ?? failed.before, failed.after] : [last?.after, last?.before];
  const kept = files.flatMap((f) => {
    const rel = f ? path.relative(dir, f) : '';
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? [rel.split(path.sep).join('/')] : [];
  });
  return [...new Set(kept)];
}
