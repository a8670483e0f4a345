import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { reporterByName } from '../runner/reporters/by-name.js';
import { failureReason, type Reporter } from '../runner/reporters/reporter.js';
import type { WorkerHandle } from '../runner/suite/child.js';
import { startOcrServer } from '../runner/suite/ocr-server.js';
import { planSuite } from '../runner/suite/plan.js';
import type { SuiteEvent } from '../runner/suite/pool.js';
import { runSuite } from '../runner/suite/run-suite.js';
import type { SuiteResult } from '../runner/suite/results.js';
import type { Task } from '../runner/tasks/schema.js';
import { AppError, errorMessage, UserInputError } from '../shared/errors.js';
import type { TestRunRequest, TestRunView, TestTaskProgress } from '../shared/ipc-tests.js';
import type { Logger } from '../shared/logger.js';
import { errorView } from './test-files.js';
import { TEST_REPORTS_ROUTE } from './test-reports.js';

/**
 * Test runs started from the app: the same suite runner as `deskpilot test` (workers on their
 * own Xvfb displays, so a run never touches the screen the chat drives), one run at a time.
 * Each run has its own output folder `<runsDir>/<id>/` with run.json (what was asked, then the
 * summary) and the reports; the list of past runs is read back from those folders.
 */

export interface TestRunnerOptions {
  /** `<dataDir>/test-runs`. */
  runsDir: string;
  /** Where relative task paths start (the app's working directory). */
  cwd: string;
  /** The person's data dir, for `{{secret:NAME}}` in tasks. */
  secretsDir: string;
  configPath?: string;
  /** Task durations remembered between runs (the longest go first when there are several workers). */
  durationsFile?: string;
  logger: Logger;
  onProgress(runId: string, tasks: TestTaskProgress[], workersReady: number): void;
  onFinished(view: TestRunView): void;
  /** Tests swap in their own workers; the app starts real ones. */
  startWorker?: (index: number, root: string) => WorkerHandle;
}

interface RunFile {
  id: string;
  startedAt: string;
  request: TestRunRequest;
  status: TestRunView['status'];
  summary?: TestRunView['summary'];
  error?: string;
  reports: Record<string, string>;
}

interface Active {
  file: RunFile;
  stop: AbortController;
  workers: Set<WorkerHandle>;
  done: Promise<void>;
}

export class TestRunner {
  private active: Active | undefined;
  private starting = false;

  constructor(private readonly o: TestRunnerOptions) {}

  async start(request: TestRunRequest): Promise<TestRunView> {
    if (this.active || this.starting)
      throw new AppError(
        'TEST_RUN_ACTIVE',
        `test run ${this.active?.file.id ?? ''} is still running: stop it or wait for it to finish`.replace(
          '  ',
          ' ',
        ),
      );
    this.starting = true;
    try {
      return await this.begin(request);
    } finally {
      this.starting = false;
    }
  }

  private async begin(request: TestRunRequest): Promise<TestRunView> {
    const grep = filterOf(request.grep, request.tags);
    const plan = await planSuite(request.files, { cwd: this.o.cwd, ...(grep ? { grep } : {}), repeatEach: request.repeatEach });
    if (plan.tasks.length === 0) {
      const why = plan.loadErrors.length
        ? plan.loadErrors.map((e) => errorView(e).where).join('; ')
        : 'the files have no tasks';
      throw new UserInputError(`nothing to run: ${grep ? 'no task matches the filter' : why}`);
    }
    const id = newRunId();
    const outDir = path.join(this.o.runsDir, id);
    await mkdir(outDir, { recursive: true });
    const file: RunFile = {
      id,
      startedAt: new Date().toISOString(),
      request,
      status: 'running',
      reports: {},
    };
    await writeRunFile(outDir, file);
    const active: Active = { file, stop: new AbortController(), workers: new Set(), done: Promise.resolve() };
    this.active = active;
    active.done = this.execute(active, outDir, grep, plan.tasks).finally(() => (this.active = undefined));
    return viewOf(file);
  }

  /** Stops the run: queued tasks do not start and running workers end now (their displays too). */
  stop(runId: string): void {
    const a = this.active;
    if (!a || a.file.id !== runId)
      throw new AppError('TEST_RUN_NOT_ACTIVE', `test run ${runId} is not running`);
    a.stop.abort();
    for (const w of a.workers) (w.interrupt ?? (() => void w.close()))();
  }

  async list(limit = 50): Promise<TestRunView[]> {
    const names = await readdir(this.o.runsDir).catch(() => [] as string[]);
    const runs: TestRunView[] = [];
    for (const name of names.sort().reverse()) {
      if (runs.length >= limit) break;
      const f = await readRunFile(path.join(this.o.runsDir, name));
      if (!f) continue;
      // A run left "running" by an app that closed mid-run did not finish.
      if (f.status === 'running' && this.active?.file.id !== f.id) f.status = 'interrupted';
      runs.push(viewOf(f));
    }
    return runs;
  }

  async dispose(): Promise<void> {
    const a = this.active;
    if (!a) return;
    this.stop(a.file.id);
    await a.done.catch(() => undefined);
  }

  private async execute(a: Active, outDir: string, grep: RegExp | undefined, tasks: Task[]): Promise<void> {
    const { id } = a.file;
    let root: string | undefined;
    let result: SuiteResult | undefined;
    try {
      result = await this.runSuite(a, outDir, grep, tasks, (dir) => (root = dir));
    } catch (err) {
      // The runner reports task failures as results: what lands here is a broken setup.
      a.file.error = errorMessage(err);
      this.o.logger.error({ err: a.file.error, runId: id }, 'test run failed');
    } finally {
      if (root) await rm(root, { recursive: true, force: true }).catch(() => undefined);
    }
    a.file.status = a.stop.signal.aborted ? 'stopped' : result?.ok ? 'passed' : 'failed';
    if (result)
      a.file.summary = {
        ok: result.ok,
        durationMs: result.durationMs,
        counts: result.counts,
        loadErrors: result.loadErrors.map(errorView),
      };
    await writeRunFile(outDir, a.file).catch((err: unknown) =>
      this.o.logger.error({ err: errorMessage(err) }, 'cannot write run.json'),
    );
    this.o.onFinished(viewOf(a.file));
  }

  private async runSuite(
    a: Active,
    outDir: string,
    grep: RegExp | undefined,
    tasks: Task[],
    workRoot: (dir: string) => void,
  ): Promise<SuiteResult> {
    const { id, request } = a.file;
    const root = await mkdtemp(path.join(tmpdir(), 'deskpilot-app-test-'));
    workRoot(root);
    // The CLI's own worker start, loaded when first needed (it brings the command-line modules).
    const { isolatedWorker, ocrServerEntry, workerEntry } = await import('../cli/commands/test.js');
    // One OCR server for the run's workers, as `deskpilot test` has (see ocr-server.ts).
    const ocrServer = this.o.startWorker ? undefined : startOcrServer(root, await ocrServerEntry(), this.o.secretsDir);
    const entry = this.o.startWorker ? '' : await workerEntry();
    const progress = new ProgressReporter(
      (list, ready) => this.o.onProgress(id, list, ready),
      () => a.stop.signal.aborted,
    );
    progress.queue(tasks);
    const start = (index: number): WorkerHandle => {
      if (a.stop.signal.aborted) return stoppedWorker();
      const w = this.o.startWorker
        ? this.o.startWorker(index, root)
        : isolatedWorker(index, {
            root,
            secretsDir: this.o.secretsDir,
            ...(this.o.configPath ? { configPath: this.o.configPath } : {}),
            confirm: 'deny',
            workers: request.workers,
            entry,
            ...(ocrServer ? { ocrServer } : {}),
          });
      a.workers.add(w);
      const close = w.close.bind(w);
      return {
        ...w,
        ready: w.ready,
        run: w.run.bind(w),
        close: () => close().finally(() => a.workers.delete(w)),
      };
    };
    const reporters: Reporter[] = [progress, ...request.reporters.map((r) => reporterByName(r, outDir))];
    try {
      return await runSuite({
        patterns: request.files,
        cwd: this.o.cwd,
        workers: request.workers,
        retries: request.retries,
        ...(request.maxFailures !== undefined ? { maxFailures: request.maxFailures } : {}),
        repeatEach: request.repeatEach,
        ...(grep ? { grep } : {}),
        start,
        reporters,
        ...(this.o.durationsFile ? { durationsFile: this.o.durationsFile } : {}),
        signal: a.stop.signal,
        onTasksDone: () => void ocrServer?.close(),
        onReport: (name, f) => (a.file.reports[name] = path.relative(outDir, f).split(path.sep).join('/')),
        // The reports name the screenshots; the workers' data dirs (under root) go after the run.
        ...(request.reporters.length ? { screenshotsDir: path.join(outDir, 'screenshots') } : {}),
      });
    } finally {
      await ocrServer?.close();
    }
  }
}

/** Turns the suite's events into per-task states for the screen. */
class ProgressReporter implements Reporter {
  readonly name = 'progress';
  private readonly tasks = new Map<string, TestTaskProgress>();
  private ready = 0;
  constructor(
    private readonly send: (tasks: TestTaskProgress[], workersReady: number) => void,
    private readonly stopped: () => boolean,
  ) {}

  queue(tasks: Task[]): void {
    for (const t of tasks)
      this.tasks.set(keyOf(t.file, t.spec.id, t.repeat), {
        key: keyOf(t.file, t.spec.id, t.repeat),
        file: t.file,
        id: t.spec.id,
        ...(t.repeat ? { repeat: t.repeat } : {}),
        state: 'queued',
      });
    this.send([...this.tasks.values()], this.ready);
  }

  onEvent(e: SuiteEvent): void {
    switch (e.type) {
      case 'worker_ready':
        return this.send([], ++this.ready);
      case 'task_started':
        return this.set(e.task.file, e.task.spec.id, e.task.repeat, {
          state: 'running',
          attempt: e.attempt,
          worker: e.worker,
          startedAt: Date.now(),
          detail: 'starting',
        });
      case 'step':
        return this.set(e.task.file, e.task.spec.id, e.task.repeat, {
          detail: `${e.progress.text} — ${e.progress.outcome}`,
        });
      case 'attempt_failed':
        if (e.willRetry && !this.stopped())
          this.set(e.task.file, e.task.spec.id, e.task.repeat, {
            state: 'retrying',
            detail: e.result.error?.message ?? 'failed',
          });
        return;
      case 'task_finished': {
        const r = e.result;
        // After Stop, what did not pass was cut short (its worker ended): say so, not the crash.
        const stopped = this.stopped() && !r.ok;
        const detail = stopped ? 'stopped from the app' : (failureReason(r) ?? '');
        return this.set(r.file, r.id, r.repeat, {
          state: stopped ? 'stopped' : r.status,
          durationMs: r.durationMs,
          detail,
        });
      }
      default:
        return;
    }
  }

  finish(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  private set(file: string, id: string, repeat: number | undefined, change: Partial<TestTaskProgress>): void {
    const key = keyOf(file, id, repeat);
    const next = {
      ...(this.tasks.get(key) ?? { key, file, id, ...(repeat ? { repeat } : {}), state: 'queued' as const }),
      ...change,
    };
    this.tasks.set(key, next);
    this.send([next], this.ready);
  }
}

function keyOf(file: string, id: string, repeat?: number): string {
  return `${file}#${id}${repeat ? `#${repeat}` : ''}`;
}

/**
 * The filter of a run: the typed regular expression and/or any of the picked tags, both as
 * the runner matches them (over "file id title @tag ...").
 */
export function filterOf(grep: string | undefined, tags: string[]): RegExp | undefined {
  const parts: string[] = [];
  if (grep?.trim()) {
    try {
      new RegExp(grep);
    } catch (err) {
      throw new UserInputError(`grep: not a valid regular expression (${errorMessage(err)})`);
    }
    parts.push(`(?=[\\s\\S]*(?:${grep}))`);
  }
  if (tags.length) parts.push(`(?=[\\s\\S]*@(?:${tags.map(escapeRe).join('|')})(?:\\s|$))`);
  return parts.length ? new RegExp(`^${parts.join('')}`) : undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A worker asked for after Stop: it never starts, so the runner marks what is left as not run. */
function stoppedWorker(): WorkerHandle {
  const stopped = new AppError('TEST_RUN_STOPPED', 'the test run was stopped');
  const ready = Promise.reject(stopped);
  ready.catch(() => undefined);
  return { ready, run: () => Promise.reject(stopped), close: () => Promise.resolve() };
}

/** Sortable by time (the list is newest first by name) and unguessable. */
function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(6).toString('hex')}`;
}

function viewOf(f: RunFile): TestRunView {
  const base = `${TEST_REPORTS_ROUTE.slice(1)}${f.id}/`;
  const reports = Object.fromEntries(Object.entries(f.reports).map(([k, v]) => [k, base + v]));
  return {
    id: f.id,
    startedAt: f.startedAt,
    files: f.request.files,
    workers: f.request.workers,
    status: f.status,
    ...(f.summary ? { summary: f.summary } : {}),
    ...(f.error ? { error: f.error } : {}),
    ...(reports['html'] ? { reportPath: reports['html'] } : {}),
    reports,
  };
}

async function writeRunFile(dir: string, f: RunFile): Promise<void> {
  // Written whole then renamed: the list never reads half a file.
  const tmp = path.join(dir, 'run.json.tmp');
  await writeFile(tmp, JSON.stringify(f, null, 2) + '\n');
  await rename(tmp, path.join(dir, 'run.json'));
}

async function readRunFile(dir: string): Promise<RunFile | undefined> {
  try {
    const f = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')) as RunFile;
    return typeof f.id === 'string' && f.request && Array.isArray(f.request.files)
      ? { ...f, reports: f.reports ?? {} }
      : undefined;
  } catch {
    return undefined;
  }
}
