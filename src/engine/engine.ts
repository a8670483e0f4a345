import { Aborted, AppError, TakenOver, serializeError, type SerializedError } from '../shared/errors.js';
import type { StepRecord, RunRecord, RunSource, RunStatus } from '../shared/records.js';
import type { StepSource } from '../shared/ports.js';
import { describeStep } from '../shared/steps.js';
import { waitForSettle } from '../perception/settle.js';
import { RunControl } from './control.js';
import type { EngineDeps } from './deps.js';
import type { EngineEvent } from './events.js';
import { SafetyGate } from './gate.js';
import { Observer } from './observe.js';
import { runStep, type StepRunState } from './run-step.js';

/** How long the screen must stay still before a step source's second look at it (StepContext.refresh). */
const REFRESH_QUIET_MS = 150;

export interface RunOptions {
  source: StepSource;
  title: string;
  kind: RunSource;
  meta?: Record<string, unknown>;
  control?: RunControl;
  signal?: AbortSignal;
  maxSteps?: number;
}

export interface RunResult {
  run: RunRecord;
  steps: StepRecord[];
  status: Exclude<RunStatus, 'running' | 'paused'>;
  error?: SerializedError;
}

/**
 * The engine loop, one step at a time: observe → next step from the source → resolve the
 * target → safety gate → act → settle → record. Every run and step is written to storage as it
 * happens, so a crash leaves a consistent history.
 */
export class Engine {
  constructor(private readonly deps: EngineDeps) {}

  async run(options: RunOptions): Promise<RunResult> {
    const { deps } = this;
    const control = options.control ?? new RunControl(options.signal);
    const maxSteps = options.maxSteps ?? deps.config.engine.maxSteps;
    const run = deps.store.runs.create({ source: options.kind, title: options.title, ...(options.meta ? { meta: options.meta } : {}) });
    const emit = (e: EngineEvent) => deps.listener?.(e);
    const log = deps.logger.child({ runId: run.id });
    const runSignal = AbortSignal.any([control.signal, AbortSignal.timeout(deps.config.engine.runTimeoutMs)]);
    const observer = new Observer(deps.screen, deps.store, deps.activeWindow, deps.displayId, deps.maskFrame);
    const gate = new SafetyGate(deps.policy, deps.confirmer, deps.store, deps.config.safety.confirmTimeoutMs);
    const state: StepRunState = { runId: run.id, index: 0, terminalLine: '' };
    const history: StepRecord[] = [];
    let status: RunResult['status'] = 'succeeded';
    let error: SerializedError | undefined;
    let lastError: SerializedError | undefined;
    // A step the person interrupted by taking over runs again once they resume.
    let retry: { step: StepRecord['step']; thought?: string } | undefined;
    const unlisten = control.onChange((paused, reason) => emit(paused ? { type: 'run_paused', runId: run.id, reason } : { type: 'run_resumed', runId: run.id }));
    emit({ type: 'run_started', runId: run.id, title: options.title });
    log.info({ title: options.title, kind: options.kind }, 'run started');

    try {
      // The screen may still be repainting from whatever came before the run.
      await waitForSettle(deps.screen, { timeoutMs: 3000, signal: runSignal, ...(deps.displayId ? { displayId: deps.displayId } : {}) });
      for (let index = 0; ; index++) {
        await control.gate();
        throwIfStopped(runSignal);
        if (index >= maxSteps) throw new AppError('MAX_STEPS', `stopped after ${maxSteps} steps (raise it with --max-steps)`);
        let obs = await observer.observe(run.id, runSignal);
        const refresh = async (signal: AbortSignal = runSignal) => (obs = await observer.lookAgain(run.id, obs, REFRESH_QUIET_MS, signal));
        const proposed = retry ?? (await options.source.next({ runId: run.id, observation: obs, history, refresh, ...(lastError ? { lastError } : {}) }, runSignal));
        retry = undefined;
        if (!proposed) {
          if (lastError) [status, error] = ['failed', lastError];
          break;
        }
        const { step, thought } = proposed;
        const record = deps.store.steps.add({ runId: run.id, index, step, thought: thought ?? null, beforeScreenshotId: obs.screenshotId ?? null });
        emit({ type: 'step_started', runId: run.id, index, step, description: describeStep(step), ...(thought ? { thought } : {}) });
        const started = performance.now();
        if (step.kind === 'done') {
          deps.store.steps.update(record.id, { outcome: step.success ? 'succeeded' : 'failed' });
          emit({ type: 'step_finished', runId: run.id, index, outcome: step.success ? 'succeeded' : 'failed', durationMs: 0 });
          if (step.askUser) [status, error] = ['failed', { name: 'AppError', code: 'NEEDS_USER', message: step.askUser }];
          else if (!step.success) [status, error] = ['failed', { name: 'AppError', code: 'GAVE_UP', message: step.summary ?? 'the agent gave up' }];
          history.push({ ...record, outcome: step.success ? 'succeeded' : 'failed' });
          break;
        }
        state.index = index;
        const stepSignal = AbortSignal.any([runSignal, AbortSignal.timeout(step.timeoutMs ?? deps.config.engine.stepTimeoutMs)]);
        try {
          const r = await runStep(deps, observer, gate, obs, step, state, stepSignal);
          const outcome = r.takeOver ? 'skipped' : 'succeeded';
          deps.store.steps.update(record.id, { outcome, resolution: r.resolution, timings: r.timings, afterScreenshotId: r.afterScreenshotId });
          history.push({ ...record, outcome, resolution: r.resolution, timings: r.timings, afterScreenshotId: r.afterScreenshotId });
          emit({ type: 'step_finished', runId: run.id, index, outcome, durationMs: performance.now() - started });
          lastError = undefined;
          if (r.takeOver) {
            lastError = { name: 'Aborted', code: 'TAKE_OVER', message: 'the person took over instead of confirming' };
            control.pause('the person took over');
          }
        } catch (err) {
          if (runSignal.aborted) throw err;
          if (err instanceof TakenOver) {
            const e = serializeError(err);
            deps.store.steps.update(record.id, { outcome: 'skipped', error: e });
            history.push({ ...record, outcome: 'skipped', error: e });
            emit({ type: 'step_finished', runId: run.id, index, outcome: 'skipped', durationMs: performance.now() - started, error: e });
            control.pause(err.message);
            retry = proposed;
            continue;
          }
          const e = stepSignal.aborted && !(err instanceof AppError) ? timeoutError(step.timeoutMs ?? deps.config.engine.stepTimeoutMs) : err;
          lastError = serializeError(e);
          const outcome = lastError.code === 'POLICY_DENIED' ? 'denied' : 'failed';
          deps.store.steps.update(record.id, { outcome, error: lastError });
          history.push({ ...record, outcome, error: lastError });
          emit({ type: 'step_finished', runId: run.id, index, outcome, durationMs: performance.now() - started, error: lastError });
          log.warn({ index, error: lastError }, 'step failed');
        }
      }
    } catch (err) {
      const reason: unknown = runSignal.aborted ? (runSignal.reason ?? err) : err;
      status = runSignal.aborted && !control.signal.aborted ? 'failed' : runSignal.aborted ? 'aborted' : 'failed';
      error = runSignal.aborted && !control.signal.aborted
        ? { name: 'AppError', code: 'RUN_TIMEOUT', message: `the run took longer than ${deps.config.engine.runTimeoutMs / 1000}s` }
        : serializeError(reason);
    }
    unlisten();
    deps.store.runs.finish(run.id, status, error ?? null);
    emit({ type: 'run_finished', runId: run.id, status, ...(error ? { error } : {}), steps: history.length });
    log.info({ status, steps: history.length }, 'run finished');
    return { run: deps.store.runs.get(run.id)!, steps: deps.store.steps.listForRun(run.id), status, ...(error ? { error } : {}) };
  }
}

function throwIfStopped(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Aborted();
}

function timeoutError(ms: number): AppError {
  return new AppError('STEP_TIMEOUT', `the step took longer than ${ms / 1000}s`);
}
