import type { EngineEventView } from '../shared/ipc.js';
import type { RunRecord, StepOutcome, StepRecord } from '../shared/records.js';

/** One step as the chat and the history show it. */
export interface StepView {
  index: number;
  description: string;
  thought?: string;
  /** The annotated screenshot (target marked) when the step had a target, else the screen before it. */
  screenshotId?: string;
  /** True when the screenshot already has the click point drawn on it. */
  annotated?: boolean;
  point?: { x: number; y: number };
  foundBy?: string;
  confidence?: number;
  outcome: StepOutcome | 'running' | 'waiting';
  error?: string;
  durationMs?: number;
}

export interface RunView {
  /** Local key: the run id once the engine created it. */
  key: string;
  runId?: string;
  text: string;
  status: 'starting' | 'running' | 'paused' | RunRecord['status'];
  steps: StepView[];
  error?: string;
  pausedReason?: string;
}

/** A run's status in words, as the chat and the macros screen show it. */
export const STATUS_WORDS: Record<RunView['status'], string> = {
  starting: 'starting…',
  running: 'running',
  paused: 'paused',
  succeeded: 'succeeded',
  failed: 'failed',
  aborted: 'stopped',
  interrupted: 'interrupted',
};

export const FINISHED = new Set<RunView['status']>(['succeeded', 'failed', 'aborted', 'interrupted']);

function patchStep(run: RunView, index: number, patch: Partial<StepView>): RunView {
  const steps = run.steps.map((s) => (s.index === index ? { ...s, ...patch } : s));
  return { ...run, steps };
}

/** Folds one engine event into the run it belongs to. */
export function applyEvent(run: RunView, e: EngineEventView): RunView {
  // A finished run stays finished whatever arrives late.
  if (FINISHED.has(run.status) && e.type !== 'run_finished') return run;
  switch (e.type) {
    case 'run_started':
      return { ...run, runId: e.runId, status: 'running' };
    case 'step_started':
      return { ...run, steps: [...run.steps, { index: e.index, description: e.description, ...(e.thought ? { thought: e.thought } : {}), outcome: 'running' }] };
    case 'target_resolved':
      return patchStep(run, e.index, {
        ...(e.screenshotId ? { screenshotId: e.screenshotId, annotated: true } : {}),
        point: e.resolution.point,
        foundBy: e.resolution.source,
        confidence: e.resolution.confidence,
      });
    case 'confirmation_needed':
      return patchStep(run, e.index, { outcome: 'waiting' });
    case 'step_finished':
      return patchStep(run, e.index, { outcome: e.outcome, durationMs: e.durationMs, ...(e.error ? { error: e.error.message } : {}) });
    case 'run_paused':
      return { ...run, status: 'paused', pausedReason: e.reason };
    case 'run_resumed':
      return { ...run, status: 'running' };
    case 'run_finished':
      return { ...run, status: e.status, ...(e.error ? { error: e.error.message } : {}) };
  }
}

/** Steps that had no target get the stored screenshot of the screen before them. */
export function fillFromRecords(run: RunView, records: StepRecord[]): RunView {
  const steps = run.steps.map((s) => {
    const r = records.find((x) => x.index === s.index);
    if (s.screenshotId || !r?.beforeScreenshotId) return s;
    return { ...s, screenshotId: r.beforeScreenshotId };
  });
  return { ...run, steps };
}

/** A stored step, for the history panel. */
export function stepFromRecord(r: StepRecord, description: string): StepView {
  return {
    index: r.index,
    description,
    ...(r.thought ? { thought: r.thought } : {}),
    ...(r.beforeScreenshotId ? { screenshotId: r.beforeScreenshotId } : {}),
    ...(r.resolution ? { point: r.resolution.point, foundBy: r.resolution.source, confidence: r.resolution.confidence } : {}),
    outcome: r.outcome,
    ...(r.error ? { error: r.error.message } : {}),
  };
}

