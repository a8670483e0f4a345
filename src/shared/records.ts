import type { Box, Point } from './geometry.js';
import type { SerializedError } from './errors.js';
import type { Step } from './steps.js';

/** What storage keeps: runs, their steps, screenshots, macros, tasks, settings, audit. */

export type RunStatus = 'running' | 'paused' | 'succeeded' | 'failed' | 'aborted' | 'interrupted';
export type RunSource = 'chat' | 'command' | 'macro' | 'task';

export interface RunRecord {
  id: string;
  source: RunSource;
  /** The goal, the command text, the macro or task name. */
  title: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  error: SerializedError | null;
  /** The pid of the process that ran it; used to tell a crash from a live run. */
  pid: number;
  meta: Record<string, unknown>;
}

export type StepOutcome = 'pending' | 'succeeded' | 'failed' | 'skipped' | 'denied';

/** How a step's target was turned into a point. */
export interface Resolution {
  point: Point;
  box?: Box;
  confidence: number;
  /** The grounder that answered: text, icon, template, vlm, point, ... */
  source: string;
  /** The text read on screen at the target, when known (the safety policy reads it). */
  text?: string;
}

export interface StepRecord {
  id: string;
  runId: string;
  index: number;
  step: Step;
  resolution: Resolution | null;
  outcome: StepOutcome;
  error: SerializedError | null;
  startedAt: string;
  endedAt: string | null;
  /** Named durations in ms: observe, ground, act, verify, model, ... */
  timings: Record<string, number>;
  beforeScreenshotId: string | null;
  afterScreenshotId: string | null;
  /** The model's reasoning, when a model chose this step. */
  thought: string | null;
}

export interface ScreenshotRecord {
  id: string;
  runId: string | null;
  /** Path relative to the data dir. */
  path: string;
  width: number;
  height: number;
  createdAt: string;
}

export interface MacroRecord {
  id: string;
  name: string;
  /** The YAML text a person edits. */
  source: string;
  version: number;
  updatedAt: string;
}

export interface TaskRecord {
  id: string;
  name: string;
  source: string;
  updatedAt: string;
}

export interface AuditRecord {
  seq: number;
  at: string;
  runId: string | null;
  stepIndex: number | null;
  action: string;
  decision: 'allowed' | 'confirmed' | 'denied' | 'executed' | 'refused' | 'info';
  /** Who decided: policy, user, headless-policy, ... */
  actor: string;
  detail: Record<string, unknown>;
}
