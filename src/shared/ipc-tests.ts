import { z } from 'zod';

/**
 * The test-runs screen's part of the IPC contract (spread into `channels` in ipc.ts): pick task
 * files, run them on private virtual displays, follow progress, open the report. zod schemas and
 * types only (the renderer imports it).
 */

/** Reporters a run from the app can write into its output folder; html is what "Open report" shows. */
export const TEST_REPORTERS = ['html', 'json', 'junit'] as const;
export const MAX_TEST_WORKERS = 8;

/** A run's id: also a folder name and a URL segment, so nothing but these characters. */
export const TestRunId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a test run id');

const noNul = (s: string) => !s.includes('\0');
const TaskFilePath = z
  .string()
  .trim()
  .min(1, 'a file path is empty')
  .max(1000)
  .refine(noNul, 'a path cannot contain NUL');

export const TestRunInput = z
  .object({
    /** Task files (relative to the app's working directory, or absolute). */
    files: z.array(TaskFilePath).min(1, 'pick at least one task file').max(500),
    workers: z
      .number()
      .int()
      .min(1, 'at least 1 worker')
      .max(MAX_TEST_WORKERS, `at most ${MAX_TEST_WORKERS} workers`)
      .default(1),
    /** A regular expression over file, id, title and @tags (as `deskpilot test --grep`). */
    grep: z.string().max(500).optional(),
    /** Only tasks with one of these tags (empty: all). */
    tags: z.array(z.string().min(1).max(100)).max(100).default([]),
    retries: z.number().int().min(0).max(5, 'at most 5 retries').default(0),
    /** No task starts once this many have failed; the rest are reported skipped (`--max-failures`). */
    maxFailures: z.number().int().min(1, 'stop after at least 1 failure').max(10_000).optional(),
    /** Each task this many times, each run reported (`--repeat-each`): to find the flaky ones. */
    repeatEach: z.number().int().min(1, 'repeat each task at least once').max(20, 'at most 20 repeats').default(1),
    reporters: z.array(z.enum(TEST_REPORTERS)).max(TEST_REPORTERS.length).default(['html']),
  })
  .strict();
export type TestRunRequest = z.infer<typeof TestRunInput>;

export interface TaskView {
  id: string;
  title?: string;
  tags: string[];
}

/** A problem in a task file, with where it is: `file:line:col: message`. */
export interface TaskFileErrorView {
  line?: number;
  column?: number;
  message: string;
  where: string;
}

export interface TaskFileView {
  /** As the run will be given it (relative to `cwd` when inside it). */
  file: string;
  tasks: TaskView[];
  errors: TaskFileErrorView[];
}

export interface TaskFilesView {
  /** The app's working directory: relative paths and globs start here. */
  cwd: string;
  /** The glob that was expanded (a folder becomes `folder/**\/*.yaml`). */
  pattern: string;
  files: TaskFileView[];
}

/** What a task is doing, as the progress list shows it. */
export type TestTaskState =
  | 'queued'
  | 'running'
  | 'retrying'
  | 'passed'
  | 'failed'
  | 'flaky'
  | 'error'
  | 'expected_failure'
  | 'unexpected_pass'
  | 'skipped'
  | 'stopped';

export interface TestTaskProgress {
  /** `file#id`: unique in a run. */
  key: string;
  file: string;
  id: string;
  /** Which run of the task (1-based), when each task runs several times. */
  repeat?: number;
  state: TestTaskState;
  attempt?: number;
  worker?: number;
  durationMs?: number;
  /** When its current attempt started (epoch ms): the screen counts the time while it runs. */
  startedAt?: number;
  /** The last step done, or why it failed. */
  detail?: string;
}

export interface TestRunSummary {
  ok: boolean;
  durationMs: number;
  counts: Record<string, number>;
  loadErrors: TaskFileErrorView[];
}

/** A run as the list of runs shows it (from its output folder). */
export interface TestRunView {
  id: string;
  startedAt: string;
  files: string[];
  workers: number;
  status: 'running' | 'passed' | 'failed' | 'stopped' | 'interrupted';
  summary?: TestRunSummary;
  /** Why the run could not run at all (a worker that cannot start is a task error, not this). */
  error?: string;
  /** Path (under the host) of the HTML report, without the token; absent when none was written. */
  reportPath?: string;
  /** Reports written, by reporter name, as paths under the host. */
  reports: Record<string, string>;
}

export const testChannels = {
  /** The task files a folder, file or glob names, each with its tasks or its errors. */
  'tests.files': {
    input: z
      .object({ pattern: z.string().trim().max(1000).refine(noNul, 'a path cannot contain NUL').optional() })
      .strict(),
    output: z.custom<TaskFilesView>(),
  },
  /** Starts a test run (one at a time); progress comes as `tests.progress` events. */
  'tests.run': { input: TestRunInput, output: z.custom<TestRunView>() },
  /** Stops the run: no new task starts and the workers are ended now. */
  'tests.stop': { input: z.object({ runId: TestRunId }).strict(), output: z.object({}) },
  /** Runs so far, newest first, read from their output folders. */
  'tests.runs': {
    input: z.object({ limit: z.number().int().min(1).max(200).optional() }).strict(),
    output: z.custom<TestRunView[]>(),
  },
} as const;

/** Events the test-runs screen receives (merged into IpcEvents in ipc.ts). */
export interface TestEvents {
  /** A task changed state (queued ones arrive together when the run starts). */
  'tests.progress': { runId: string; tasks: TestTaskProgress[]; workersReady?: number };
  /** The run ended (passed, failed or stopped); its reports are written. */
  'tests.finished': TestRunView;
}
