import type { SerializedError } from './errors.js';
import type { Resolution, RunStatus, StepOutcome } from './records.js';
import type { Step } from './steps.js';

/** What the engine tells the UI and the CLI while it runs. Screenshots go by id, never inline. */
export type EngineEvent =
  | { type: 'run_started'; runId: string; title: string }
  | { type: 'step_started'; runId: string; index: number; step: Step; description: string; thought?: string }
  | { type: 'target_resolved'; runId: string; index: number; resolution: Resolution; screenshotId?: string }
  | { type: 'confirmation_needed'; runId: string; index: number; reasons: string[]; screenshotId?: string }
  | { type: 'step_finished'; runId: string; index: number; outcome: StepOutcome; durationMs: number; error?: SerializedError }
  | { type: 'run_paused'; runId: string; reason: string }
  | { type: 'run_resumed'; runId: string }
  | { type: 'run_finished'; runId: string; status: Exclude<RunStatus, 'running' | 'paused'>; error?: SerializedError; steps: number };

export type EngineListener = (event: EngineEvent) => void;
