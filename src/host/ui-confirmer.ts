import { randomUUID } from 'node:crypto';
import type { ConfirmRequestView, IpcEvents } from '../shared/ipc.js';
import type { ConfirmAnswer, Confirmer, ConfirmRequest } from '../shared/ports.js';
import { describeStep } from '../shared/steps.js';

interface Pending {
  view: ConfirmRequestView;
  settle: (answer: ConfirmAnswer) => void;
}

/**
 * Asks the person through the UI: each request becomes a `confirm.request` event and waits for
 * `confirm.answer`. Stopping the run (the signal) answers deny; the engine's gate already turns
 * a confirmation left unanswered past safety.confirmTimeoutMs into a deny.
 */
export class UiConfirmer implements Confirmer {
  readonly answeredBy = 'user (app)';
  private readonly pending = new Map<string, Pending>();
  /** The annotated screenshot of the target, per run, from the latest target_resolved event. */
  private readonly annotated = new Map<string, string>();

  constructor(private readonly emit: <E extends keyof IpcEvents>(event: E, payload: IpcEvents[E]) => void) {}

  noteAnnotated(runId: string, screenshotId: string | undefined): void {
    if (screenshotId) this.annotated.set(runId, screenshotId);
  }

  confirm(request: ConfirmRequest, signal?: AbortSignal): Promise<ConfirmAnswer> {
    const requestId = randomUUID();
    const screenshotId = this.annotated.get(request.runId) ?? request.screenshotId;
    const view: ConfirmRequestView = {
      requestId,
      runId: request.runId,
      step: request.step,
      description: describeStep(request.step),
      reasons: request.reasons,
      ...(screenshotId ? { screenshotId } : {}),
      ...(request.point ? { point: request.point } : {}),
    };
    return new Promise<ConfirmAnswer>((resolve) => {
      const onAbort = () => this.answer(requestId, 'deny');
      this.pending.set(requestId, {
        view,
        settle: (answer) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(answer);
        },
      });
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.emit('confirm.request', view);
    });
  }

  /** Returns false when the request is no longer open. */
  answer(requestId: string, answer: ConfirmAnswer): boolean {
    const p = this.pending.get(requestId);
    if (!p) return false;
    this.pending.delete(requestId);
    p.settle(answer);
    this.emit('confirm.closed', { requestId, answer });
    return true;
  }

  /** Open requests, so a UI that connects late still sees the card. */
  open(): ConfirmRequestView[] {
    return [...this.pending.values()].map((p) => p.view);
  }

  /** A run that ended leaves no card behind (the gate's timeout ends the wait as a deny). */
  closeRun(runId: string): void {
    for (const [id, p] of this.pending) if (p.view.runId === runId) this.answer(id, 'deny');
    this.annotated.delete(runId);
  }
}
