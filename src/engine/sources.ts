import type { ProposedStep, StepContext, StepSource } from '../shared/ports.js';
import type { Step } from '../shared/steps.js';

/**
 * Steps from a list: direct commands, a macro's steps, a task's steps. Stops at the first
 * failure (a scripted list cannot choose another way; the planner can).
 */
export class ListStepSource implements StepSource {
  private i = 0;
  constructor(private readonly steps: Step[]) {}

  next(context: StepContext): Promise<ProposedStep | null> {
    if (context.lastError) return Promise.resolve(null);
    const step = this.steps[this.i++];
    return Promise.resolve(step ? { step } : null);
  }
}
