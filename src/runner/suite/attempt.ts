import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { RunControl } from '../../engine/control.js';
import type { Engine, RunResult } from '../../engine/engine.js';
import type { EngineEvent, EngineListener } from '../../engine/events.js';
import { ListStepSource } from '../../engine/sources.js';
import { parseCommands } from '../../planner/commands/parse.js';
import { AppError, serializeError, UserInputError, type SerializedError } from '../../shared/errors.js';
import type { StepSource, Store } from '../../shared/ports.js';
import type { StepRecord } from '../../shared/records.js';
import { describeStep, type Step } from '../../shared/steps.js';
import { evaluateSettled, type Verdict } from '../tasks/evaluate.js';
import type { Task } from '../tasks/schema.js';
import { TaskSession } from '../tasks/session.js';
import { groupsCpuMs, processCpuMs } from '../tasks/procs.js';
import { PhaseClock } from './phases.js';
import type { AttemptResult, StepReport } from './results.js';
import { EVAL_SETTLE_MS } from './schedule.js';

/**
 * One attempt at one task: a fresh session (private work dir, the task's own apps), setup, the
 * steps through the engine, the evaluator, then every app of the task is ended. Failures of
 * the task become a result; only a broken runtime throws.
 */

/** What a worker gives each attempt: one engine on one display, shared by its tasks in turn. */
export interface TaskRuntime {
  env: NodeJS.ProcessEnv;
  display: string | undefined;
  screen: { width: number; height: number };
  engine: Engine;
  /** The engine's own control (kill switch); a stop there stops the task too. */
  control: RunControl;
  store: Store;
  /** The planner for an instruction; undefined when no planner model is configured. */
  planner(instruction: string): StepSource | undefined;
  screenText(signal?: AbortSignal): Promise<string>;
  /** Resolves once the screen differs from the one screenText last read, or after at most 1 s. */
  screenChange?(signal?: AbortSignal): Promise<void>;
  /** Receives the engine's events while this attempt runs. */
  setListener(listener: EngineListener | undefined): void;
  /** End every app with a window after each task: true on a private display only. */
  sweepWindows: boolean;
  /** Forget what perception remembers of earlier screens, so a task starts from a clean read. */
  forgetScreens?: () => void;
  /** Secret values typed so far: masked out of every result (an evaluator may read one back). */
  secretValues?: () => Iterable<string>;
  /** Replays a macro (by name or path relative to `taskFile`) through the engine's kill switch and gate. */
  replayMacro?: (ref: string, params: Record<string, string>, taskFile: string, control: RunControl) => Promise<RunResult>;
}

export type AttemptProgress = {
  type: 'step';
  index: number;
  text: string;
  outcome: string;
  durationMs: number;
  error?: string;
};

export interface AttemptOptions {
  attempt: number;
  /** Where the private work dirs go. */
  workRoot: string;
  onProgress?: (p: AttemptProgress) => void;
  /** The display's own processes (Xvfb, window manager): their CPU is reported with the attempt. */
  displayPids?: number[];
}

export async function runAttempt(task: Task, rt: TaskRuntime, options: AttemptOptions): ReturnType<typeof runAttemptUnmasked> {
  const result = await runAttemptUnmasked(task, rt, options);
  const secrets = [...(rt.secretValues?.() ?? [])].filter((v) => v.length >= 3);
  return secrets.length ? maskDeep(result, secrets) : result;
}

/** Every string inside `value` with the secret values replaced; the shape is kept. */
function maskDeep<T>(value: T, secrets: string[]): T {
  if (typeof value === 'string') return secrets.reduce((s, v) => s.split(v).join('[secret]'), value as string) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => maskDeep(v, secrets)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, secrets)])) as T;
  }
  return value;
}

async function runAttemptUnmasked(
  task: Task,
  rt: TaskRuntime,
  options: AttemptOptions,
): Promise<AttemptResult> {
  const started = Date.now();
  const clock = new PhaseClock();
  const displayPids = options.displayPids ?? [];
  const displayCpu = processCpuMs(displayPids);
  rt.forgetScreens?.();
  const log: string[] = [];
  const note = (line: string) => log.push(line);
  const workDir = await mkdtemp(path.join(options.workRoot, `${task.spec.id.replace(/[^\w.-]/g, '_')}-`));
  const session = new TaskSession({
    env: rt.env,
    workDir,
    taskDir: path.dirname(path.resolve(task.file)),
    screen: rt.screen,
    screenText: (s) => rt.screenText(s),
    ...(rt.screenChange ? { screenChange: rt.screenChange.bind(rt) } : {}),
    log: note,
    sweepWindows: rt.sweepWindows,
  });
  const timeout = AbortSignal.timeout(task.spec.timeout * 1000);
  const control = new RunControl(AbortSignal.any([timeout, rt.control.signal]));
  const annotated = new Map<number, string>();
  let texts: string[] = [];
  const base = { attempt: options.attempt, log, ...(rt.display ? { display: rt.display } : {}) };
  rt.setListener((e: EngineEvent) => {
    if (e.type === 'target_resolved' && e.screenshotId) annotated.set(e.index, e.screenshotId);
    if (e.type === 'step_started') note(`step ${e.index + 1}: ${texts[e.index] ?? e.description}`);
    if (e.type === 'confirmation_needed')
      note(`  needs confirmation (${e.reasons.join('; ')}): answered by the headless policy`);
    if (e.type === 'step_finished') {
      note(`  ${e.outcome} in ${Math.round(e.durationMs)} ms${e.error ? `: ${e.error.message}` : ''}`);
      options.onProgress?.({
        type: 'step',
        index: e.index,
        text: texts[e.index] ?? '',
        outcome: e.outcome,
        durationMs: e.durationMs,
        ...(e.error ? { error: e.error.message } : {}),
      });
    }
  });
  let result: Omit<AttemptResult, 'durationMs'>;
  try {
    result = await attemptBody();
  } finally {
    rt.setListener(undefined);
  }
  // The apps' CPU is read before they are ended: /proc forgets a process once it is gone.
  const appsMs = groupsCpuMs(session.appGroups());
  await session.close();
  await rm(workDir, { recursive: true, force: true });
  clock.lap('teardown');
  return {
    ...result,
    durationMs: Date.now() - started,
    phases: clock.phases,
    cpu: { ...(appsMs !== undefined ? { appsMs } : {}), displayMs: processCpuMs(displayPids) - displayCpu },
  };

  async function attemptBody(): Promise<Omit<AttemptResult, 'durationMs'>> {
    try {
      const commands = commandsOf(task);
      texts = commands.map((c) => c.text);
      const macro = task.spec.macro;
      if (macro !== undefined && !rt.replayMacro) throw new UserInputError(`task "${task.spec.id}": this runner cannot replay macros`, { file: task.file, line: task.line });
      const source = macro !== undefined ? undefined : commands.length ? new ListStepSource(commands.map((c) => c.step)) : plannerFor(task, rt);
      try {
        await session.setup(task.spec.setup, control.signal);
      } catch (err) {
        clock.lap('setup');
        return { ...base, status: 'error', error: timedOut(err, timeout, task, 'setup'), steps: [] };
      }
      clock.lap('setup');
      const run =
        macro !== undefined || !source
          ? await rt.replayMacro!(macro ?? '', paramsOf(task), task.file, control)
          : await rt.engine.run({
              source,
              title: task.spec.title ?? task.spec.id,
              kind: 'task',
              control,
              meta: { task: task.spec.id, file: task.file },
            });
      clock.lap('steps');
      const steps = run.steps.map((s) =>
        stepReport(s, texts[s.index] ?? describeStep(s.step), annotated.get(s.index), rt.store),
      );
      let verdict: Verdict | undefined;
      // The evaluator runs after a failed run too: the report then shows what the screen and files held.
      if (task.spec.evaluator && !timeout.aborted && !rt.control.signal.aborted) {
        note('evaluate');
        // Like Playwright's expect: what the app shows settles a moment after the last step (a
        // window title is set asynchronously), so after a successful run the checks are tried
        // again until they pass or EVAL_SETTLE_MS have passed; the last verdict is reported.
        const settleMs = run.status === 'succeeded' ? EVAL_SETTLE_MS : 0;
        verdict = await evaluateSettled(task.spec.evaluator, () => session.getters(), settleMs, control.signal);
        clock.lap('evaluate');
      }
      const runOk = run.status === 'succeeded';
      const passed = runOk && (verdict?.passed ?? true);
      const error = !runOk
        ? timedOut(run.error, timeout, task, 'steps')
        : verdict && !verdict.passed
          ? { name: 'EvaluationFailed', code: 'EVALUATION_FAILED', message: verdictMessage(verdict) }
          : undefined;
      return {
        ...base,
        status: passed ? 'passed' : 'failed',
        ...(error ? { error } : {}),
        steps,
        ...(verdict ? { verdict } : {}),
        runId: run.run.id,
      };
    } catch (err) {
      clock.lap('failed');
      return { ...base, status: 'error', error: timedOut(err, timeout, task, 'task'), steps: [] };
    }
  }
}

function paramsOf(task: Task): Record<string, string> {
  return Object.fromEntries(Object.entries(task.spec.params ?? {}).map(([k, v]) => [k, String(v)]));
}

function commandsOf(task: Task): { step: Step; text: string }[] {
  const { steps } = task.spec;
  if (steps === undefined) return [];
  const list = Array.isArray(steps) ? steps : [steps];
  return list.flatMap((source) =>
    parseCommands(source, task.file).map((c) => ({ step: c.step, text: c.text })),
  );
}

function plannerFor(task: Task, rt: TaskRuntime): StepSource {
  const instruction = task.spec.instruction ?? '';
  const planner = rt.planner(instruction);
  if (!planner) {
    throw new UserInputError(
      `task "${task.spec.id}" has only an instruction, and no planner model is configured (set models.planner in the config, or DESKPILOT_MODEL_BASE_URL and DESKPILOT_MODEL); or give it steps`,
      { file: task.file, line: task.line },
    );
  }
  return planner;
}

function stepReport(s: StepRecord, text: string, annotatedId: string | undefined, store: Store): StepReport {
  const file = (id: string | null | undefined) => {
    const rec = id ? store.screenshots.get(id) : undefined;
    return rec ? store.screenshots.absolutePath(rec) : undefined;
  };
  const before = file(s.beforeScreenshotId);
  const after = file(s.afterScreenshotId);
  const drawn = file(annotatedId);
  const durationMs = s.endedAt ? Date.parse(s.endedAt) - Date.parse(s.startedAt) : 0;
  return {
    index: s.index,
    text,
    outcome: s.outcome,
    ...(s.error ? { error: s.error } : {}),
    ...(s.resolution ? { resolution: s.resolution } : {}),
    ...(s.thought ? { thought: s.thought } : {}),
    timings: s.timings,
    durationMs,
    ...(before ? { before } : {}),
    ...(after ? { after } : {}),
    ...(drawn ? { annotated: drawn } : {}),
  };
}

function timedOut(err: unknown, timeout: AbortSignal, task: Task, phase: string) {
  if (timeout.aborted)
    return {
      name: 'TaskTimeout',
      code: 'TASK_TIMEOUT',
      message: `the task ran past its timeout of ${task.spec.timeout}s (during ${phase})`,
    };
  if (err === undefined) return { name: 'AppError', code: 'FAILED', message: `${phase} failed` };
  if (isSerialized(err)) return err;
  const e = serializeError(err);
  return err instanceof AppError || phase !== 'task' ? e : { ...e, message: `${phase}: ${e.message}` };
}

function isSerialized(e: unknown): e is SerializedError {
  return (
    typeof e === 'object' &&
    e !== null &&
    !(e instanceof Error) &&
    typeof (e as SerializedError).message === 'string' &&
    typeof (e as SerializedError).code === 'string'
  );
}

function verdictMessage(v: Verdict): string {
  const failed = v.checks.filter((c) => !c.passed);
  const shown = failed.map(
    (c) =>
      `${c.getter}: expected ${c.comparison} ${JSON.stringify(c.expected)}, got ${c.actual === null ? '(no value)' : JSON.stringify(truncate(c.actual))}${c.detail ? ` (${c.detail})` : ''}`,
  );
  return `evaluator failed (${v.conj}): ${shown.join('; ')}`;
}

function truncate(s: string): string {
  return s.length > 200 ? s.slice(0, 200) + '…' : s;
}
