import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { reporterByName } from '../../runner/reporters/by-name.js';
import { REPORTERS, type ReporterName } from '../../runner/reporters/reporter.js';
import { spawnWorker, type WorkerHandle } from '../../runner/suite/child.js';
import { startOcrServer, type OcrServerHandle } from '../../runner/suite/ocr-server.js';
import { nodeStartEnv, ocrThreadsPerWorker, type OcrServerAddress } from '../../runner/suite/protocol.js';
import { inProcessWorker } from '../../runner/suite/in-process.js';
import { parseShard } from '../../runner/suite/plan.js';
import { listTasks } from './test-list.js';
import { readLastFailed, writeLastRun } from '../../runner/suite/last-run.js';
import { runSuite } from '../../runner/suite/run-suite.js';
import { DURATIONS_FILE } from '../../runner/suite/schedule.js';
import { modelCacheIn, setModelCacheDir } from '../../perception/ocr/cache-dir.js';
import type { AppContext } from '../../app/context.js';
import { globalsOf, withApp } from '../compose.js';
import { UsageError, type CliIo, type Output } from '../output.js';
import { BUNDLES, freshBundle, ROOT } from '../bundle.mjs';

interface TestFlags {
  workers: number;
  shard?: string;
  grep?: string;
  grepInvert?: string;
  retries: number;
  reporter: string;
  output: string;
  isolate: boolean;
  confirm: 'deny' | 'allow';
  list?: boolean;
  maxFailures?: number;
  x?: boolean;
  repeatEach: number;
  lastFailed?: boolean;
}

function count(min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min)
      throw new InvalidArgumentError(`expected a whole number of ${min} or more.`);
    return Number(value);
  };
}

export function registerTest(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('test')
    .description(
      'run scripted tasks (task files) on private virtual displays and report: exit 0 when all pass',
    )
    .argument('<files...>', 'task files or globs (YAML or JSON), e.g. "examples/**/*.yaml"')
    .option('--workers <n>', 'tasks in parallel, each worker on its own Xvfb display', count(1), 1)
    .option('--shard <i/n>', 'run only shard i of n of the sorted task list (CI matrices)')
    .option('--grep <regex>', 'run only tasks whose file, id, title or @tag matches')
    .option('--grep-invert <regex>', 'leave out tasks whose file, id, title or @tag matches')
    .option(
      '--retries <n>',
      'retries for failing tasks that do not set their own (a pass on retry is "flaky")',
      count(0),
      0,
    )
    .option(
      '--max-failures <n>',
      'stop handing out tasks after n failures; the rest are reported skipped',
      count(1),
    )
    .option('-x', 'stop after the first failure (--max-failures 1)')
    .option(
      '--repeat-each <n>',
      'run each task n times (to find flaky ones); each run is reported',
      count(1),
      1,
    )
    .option('--reporter <names>', `comma-separated: ${REPORTERS.join(', ')}`, 'list')
    .option('--output <dir>', 'where json, junit and html reports go (and the screenshots they name, in screenshots/)', 'test-results')
    .option('--no-isolate', 'run on the current display ($DISPLAY), one task at a time, in this process')
    .option('--list', 'list the tasks that would run (after --grep and --shard) and run none')
    .option('--last-failed', 'run only the tasks that did not pass in the last run with this --output')
    .addOption(
      new Option('--confirm <how>', 'answer for steps that need confirmation')
        .choices(['deny', 'allow'])
        .default('deny'),
    )
    .action(async (files: string[], flags: TestFlags, cmd: Command) => {
      setExit(await withApp(cmd, io, (app, out) => runTests(app, out, cmd, files, flags)));
    });
}

async function runTests(
  app: AppContext,
  out: Output,
  cmd: Command,
  files: string[],
  flags: TestFlags,
): Promise<number> {
  const io = out.io;
  const names = flags.reporter
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.find((n) => !(REPORTERS as readonly string[]).includes(n));
  if (unknown)
    throw new UsageError(`--reporter: unknown reporter "${unknown}" (choose from ${REPORTERS.join(', ')})`);
  const shard = flags.shard ? parseShardFlag(flags.shard) : undefined;
  const grep = flags.grep !== undefined ? parseGrep(flags.grep, '--grep') : undefined;
  const grepInvert =
    flags.grepInvert !== undefined ? parseGrep(flags.grepInvert, '--grep-invert') : undefined;
  const maxFailures = flags.x ? 1 : flags.maxFailures;
  const output = path.resolve(flags.output);
  const only = flags.lastFailed ? await readLastFailed(output) : undefined;
  if (flags.lastFailed && !only) out.line(`no last run in ${output}: every task runs`);
  if (only?.size === 0) {
    out.line(`the last run in ${output} had no failed tasks: nothing to run`);
    out.document({ ok: true, tasks: [], lastFailed: [] });
    return 0;
  }
  const selection = {
    ...(grep ? { grep } : {}),
    ...(only ? { only } : {}),
    ...(grepInvert ? { grepInvert } : {}),
    ...(shard ? { shard } : {}),
    repeatEach: flags.repeatEach,
  };
  if (flags.list) return listTasks(out, files, selection);
  const reporters = names.map((n) => reporterByName(n as ReporterName, output, (l) => out.line(l)));
  const root = await mkdtemp(path.join(tmpdir(), 'deskpilot-test-'));
  const globals = globalsOf(cmd);
  const workers = flags.isolate ? flags.workers : 1;
  const stop = new AbortController();
  let early: WorkerHandle[] = [];
  // Every worker started: their processes' exits are waited for last (see WorkerHandle.exited).
  const started: WorkerHandle[] = [];
  const taken = new Set<number>();
  // Workers started ahead that the pool did not take: each closed once, all awaited before exit.
  const closing: Promise<void>[] = [];
  const closeUntaken = () => {
    early.forEach((h, i) => {
      if (taken.has(i)) return;
      taken.add(i);
      closing.push(h.close());
    });
    return Promise.all(closing);
  };
  const onSigint = () => stop.abort();
  process.once('SIGINT', onSigint);
  // The workers' helper programs (xdotool, xrandr, the apps a setup starts) are run by this
  // process, which holds no models: a fork of its ~90 MB costs 2-3 ms, about what a spawn through
  // a broker process cost, and the broker's own start (~60 ms of CPU) no longer competes with the
  // workers and the OCR server starting on the same cores.
  const relaySpawns = flags.isolate;
  let ocrServer: OcrServerHandle | undefined;
  try {
    // One OCR server for all workers, started first: its models load while the workers boot.
    ocrServer = flags.isolate ? startOcrServer(root, await ocrServerEntry(), app.dataDir) : undefined;
    const entry = flags.isolate ? await workerEntry() : '';
    // In this process (--no-isolate), optimised models go to the person's data dir, not the run's.
    if (!flags.isolate) setModelCacheDir(modelCacheIn(app.dataDir));
    const start = (index: number): WorkerHandle => {
      const handle = startOne(index);
      started.push(handle);
      return handle;
    };
    const startOne = (index: number): WorkerHandle => {
      const dataDir = path.join(root, `worker-${index}`);
      if (!flags.isolate) {
        return inProcessWorker(async () => {
          const { openRuntime } = await import('./test-runtime.js');
          return openRuntime({
            dataDir,
            secretsDir: app.dataDir,
            ...common(globals),
            ...(app.display ? { display: app.display } : {}),
            confirm: flags.confirm,
            env: io.env,
            sweepWindows: false,
          });
        }, root);
      }
      return isolatedWorker(index, {
        root,
        secretsDir: app.dataDir,
        ...common(globals),
        confirm: flags.confirm,
        workers,
        entry,
        relaySpawns,
        ...(ocrServer ? { ocrServer } : {}),
        tls: tlsToModels(app.config),
      });
    };
    // Worker processes boot (node, Xvfb, openbox, the engine: ~0.4 s) while the task files are
    // read and planned. Up to one per core is started ahead; the pool takes them in order, and any
    // the plan does not need (fewer tasks than workers) are closed once the pool has its workers.
    early = flags.isolate
      ? Array.from({ length: Math.min(workers, availableParallelism()) }, (_, i) => start(i))
      : [];
    const startOrTake = (index: number): WorkerHandle => {
      const handle = early[index];
      if (!handle || taken.has(index)) return start(index);
      taken.add(index);
      return handle;
    };
    const result = await runSuite({
      patterns: files,
      workers,
      retries: flags.retries,
      ...(maxFailures !== undefined ? { maxFailures } : {}),
      ...selection,
      start: startOrTake,
      onWorkersStarted: () => void closeUntaken(),
      // No reads after the last task: the server's exit (~40 ms) overlaps the workers' close.
      onTasksDone: () => void ocrServer?.close(),
      reporters,
      durationsFile: path.join(app.dataDir, DURATIONS_FILE),
      // Reports (and --json) name the screenshots; the workers' data dirs go when the run ends.
      ...(names.some((n) => n !== 'list') || out.json ? { screenshotsDir: path.join(output, 'screenshots') } : {}),
      signal: stop.signal,
      onReport: (name, file) => out.line(`${name} report: ${path.relative(process.cwd(), file) || file}`),
    });
    // For --last-failed next time (a folder that cannot be written only loses that).
    await writeLastRun(output, result).catch((err: unknown) =>
      out.io.stderr(`could not record the run for --last-failed: ${String(err)}\n`),
    );
    out.document({ ...result });
    return result.ok ? 0 : 1;
  } finally {
    await closeUntaken();
    process.removeListener('SIGINT', onSigint);
    await Promise.all([
      rm(root, { recursive: true, force: true }),
      ...started.map((h) => h.exited ?? Promise.resolve()),
      ocrServer?.close(),
    ]);
  }
}

/**
 * The worker's entry: its start-up bundle where one can be built (the worker is ready ~1.3 s
 * sooner: no per-module tsx hooks), else its TypeScript source, run through tsx.
 */
export async function workerEntry(): Promise<string> {
  return (await freshBundle('test-worker')) ?? path.join(ROOT, BUNDLES['test-worker']);
}

/** The run's OCR server's entry (ocr-server-main.ts): its bundle, else its source. */
export async function ocrServerEntry(): Promise<string> {
  return (await freshBundle('ocr-server')) ?? path.join(ROOT, BUNDLES['ocr-server']);
}

/**
 * One worker child process on its own Xvfb (from :200 + index), its data dir under `root`.
 * Shared with the app's Test runs screen (src/host/test-runs.ts).
 */
export function isolatedWorker(
  index: number,
  o: {
    root: string;
    secretsDir: string;
    configPath?: string;
    logLevel?: string;
    confirm: 'deny' | 'allow';
    workers?: number;
    /** From workerEntry(). */
    entry: string;
    /** The worker's helper programs are sent to this process, which runs them (see relaySpawns). */
    relaySpawns?: boolean;
    /** The run's OCR server (startOcrServer): the worker reads screens through it. */
    ocrServer?: OcrServerAddress;
    /**
     * Whether the worker may open TLS connections itself (a model endpoint over https). When
     * false it starts without NODE_EXTRA_CA_CERTS and hands it on to what it runs (nodeStartEnv).
     * Absent: true.
     */
    tls?: boolean;
  },
): WorkerHandle {
  const { DISPLAY: _display, DESKPILOT_DISPLAY: _own, ...own } = process.env;
  const env = nodeStartEnv(own, { tls: o.tls ?? true, forChildren: true });
  return spawnWorker(
    o.entry,
    {
      index,
      dataDir: path.join(o.root, `worker-${index}`),
      workRoot: o.root,
      secretsDir: o.secretsDir,
      ...(o.configPath ? { configPath: o.configPath } : {}),
      ...(o.logLevel ? { logLevel: o.logLevel } : {}),
      confirm: o.confirm,
      displayFrom: 200 + index,
      width: 1280,
      height: 800,
      ocrThreads: ocrThreadsPerWorker(o.workers ?? 1),
      modelCacheDir: modelCacheIn(o.secretsDir),
      ...(o.relaySpawns ? { relaySpawns: true } : {}),
      ...(o.ocrServer
        ? {
            ocrServer: {
              socket: o.ocrServer.socket,
              ...(o.ocrServer.pid !== undefined ? { pid: o.ocrServer.pid } : {}),
            },
          }
        : {}),
    },
    env,
  );
}

/** Whether the config names a model endpoint over https, which a worker may call (instruction tasks, a VLM grounder). */
function tlsToModels(config: AppContext['config']): boolean {
  return [config.models.planner, config.models.grounder].some((m) => m?.baseURL.startsWith('https:'));
}

function common(globals: ReturnType<typeof globalsOf>): { configPath?: string; logLevel?: string } {
  return {
    ...(globals.config ? { configPath: path.resolve(globals.config) } : {}),
    ...(globals.logLevel ? { logLevel: globals.logLevel } : {}),
  };
}

function parseShardFlag(text: string): { index: number; total: number } {
  try {
    return parseShard(text);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function parseGrep(text: string, flag: string): RegExp {
  try {
    return new RegExp(text);
  } catch (err) {
    throw new UsageError(`${flag}: not a valid regular expression: ${(err as Error).message}`);
  }
}
