import { z } from 'zod';
import { Step } from '../../shared/steps.js';

/** What the decision agent answers: one step, why, and what it noted (memory folded in). */
export const DecisionOutput = z.object({
  thought: z.string().default(''),
  action: Step,
  /** One line: what this operation does, for the history ("Click the Save button"). */
  summary: z.string().min(1),
  /** Text that should be on screen after the step if it worked; lets us skip a reflection call. */
  expect: z.string().optional(),
  /** Task-relevant content seen on this screen (Mobile-Agent-v2 memory unit). */
  memory: z.string().optional(),
  /** The task's completed contents after this step succeeds (planning agent, folded in). */
  progress: z.string().optional(),
});
export type DecisionOutput = z.infer<typeof DecisionOutput>;

/** A as expected; B wrong page (undo/back); C no change (retry differently); D looks done but the goal is not met. */
export const ReflectionOutput = z.object({
  verdict: z.enum(['A', 'B', 'C', 'D']),
  reason: z.string().default(''),
});
export type ReflectionOutput = z.infer<typeof ReflectionOutput>;

export const ManagerOutput = z.object({
  subtasks: z.array(z.string().min(1)).min(1).max(12),
});
export type ManagerOutput = z.infer<typeof ManagerOutput>;

/** Mobile-Agent-v2's separate memory unit and planning agent (the comparison configuration). */
export const MemoryOutput = z.object({ memory: z.string().default('') });
export const ProgressOutput = z.object({ progress: z.string().min(1) });
