import { Aborted } from '../shared/errors.js';

/**
 * Pause, resume and stop for one run. Stop aborts the run's signal, which every long call
 * takes; pause holds the loop between steps (a step in flight finishes first, or is stopped).
 */
export class RunControl {
  readonly controller = new AbortController();
  private pausedBy: string | undefined;
  private resumeWaiters: Array<() => void> = [];
  private listeners: Array<(paused: boolean, reason: string) => void> = [];

  constructor(parent?: AbortSignal) {
    if (parent) {
      if (parent.aborted) this.controller.abort(parent.reason);
      else parent.addEventListener('abort', () => this.controller.abort(parent.reason), { once: true });
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get paused(): boolean {
    return this.pausedBy !== undefined;
  }

  /** Returns the function that removes the listener again. */
  onChange(listener: (paused: boolean, reason: string) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  pause(reason = 'paused by the user'): void {
    if (this.pausedBy !== undefined) return;
    this.pausedBy = reason;
    for (const l of this.listeners) l(true, reason);
  }

  resume(): void {
    if (this.pausedBy === undefined) return;
    this.pausedBy = undefined;
    for (const l of this.listeners) l(false, '');
    for (const w of this.resumeWaiters.splice(0)) w();
  }

  stop(reason = 'stopped by the user'): void {
    this.controller.abort(new Aborted(reason));
    for (const w of this.resumeWaiters.splice(0)) w();
  }

  /** Resolves at once when running; while paused, when resumed or stopped. */
  async gate(): Promise<void> {
    while (this.pausedBy !== undefined && !this.signal.aborted) {
      await new Promise<void>((resolve) => this.resumeWaiters.push(resolve));
    }
  }
}
