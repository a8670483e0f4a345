import type { Point } from '../shared/geometry.js';
import type { ClickOptions, InputDriver } from '../shared/ports.js';
import type { Modifier } from '../shared/steps.js';
import { TakenOver, throwIfAborted } from '../shared/errors.js';
import type { Failsafe } from './failsafe.js';

/**
 * Wraps any InputDriver so that every executor honours the kill switch: each call runs under the
 * run's signal combined with the caller's, and the failsafe learns where the agent leaves the
 * pointer (so that only a person's moves count as a takeover). The inner driver checks the
 * combined signal between events, so nothing is sent once the run is aborted, except releasing
 * buttons and keys it holds.
 */
export interface GuardOptions {
  /** The run's controller: `abort()` it (hotkey, UI button, failsafe) to stop all input. */
  controller: AbortController;
  failsafe?: Failsafe;
}

export class GuardedInputDriver implements InputDriver {
  /** Fired when the person takes over; replaced by a fresh one on `resume`. */
  private hold = new AbortController();

  constructor(
    private readonly inner: InputDriver,
    private readonly options: GuardOptions,
  ) {}

  /** The person took over: stop what is in flight now and refuse input until `resume`. */
  holdForPerson(message = 'the person took over'): void {
    if (!this.hold.signal.aborted) this.hold.abort(new TakenOver(message));
  }

  /** The person handed back: input is allowed again. */
  resume(): void {
    if (this.hold.signal.aborted) this.hold = new AbortController();
  }

  get signal(): AbortSignal {
    return this.options.controller.signal;
  }

  move(to: Point, signal?: AbortSignal): Promise<void> {
    return this.pointerAction(to, signal, (s) => this.inner.move(to, s));
  }

  click(at: Point, options?: ClickOptions, signal?: AbortSignal): Promise<void> {
    return this.pointerAction(at, signal, (s) => this.inner.click(at, options, s));
  }

  drag(from: Point, to: Point, options?: { modifiers?: Modifier[] }, signal?: AbortSignal): Promise<void> {
    return this.pointerAction(to, signal, (s) => this.inner.drag(from, to, options, s));
  }

  scroll(direction: 'up' | 'down' | 'left' | 'right', amount: number, at?: Point, signal?: AbortSignal): Promise<void> {
    return this.pointerAction(at, signal, (s) => this.inner.scroll(direction, amount, at, s));
  }

  type(text: string, signal?: AbortSignal): Promise<void> {
    return this.guarded(signal, (s) => this.inner.type(text, s));
  }

  key(chord: string, repeat?: number, signal?: AbortSignal): Promise<void> {
    return this.guarded(signal, (s) => this.inner.key(chord, repeat, s));
  }

  dispose(): Promise<void> {
    this.options.failsafe?.stop();
    return this.inner.dispose();
  }

  private async pointerAction(end: Point | undefined, signal: AbortSignal | undefined, act: (s: AbortSignal) => Promise<void>): Promise<void> {
    const failsafe = this.options.failsafe;
    const combined = this.combine(signal);
    throwIfAborted(combined);
    failsafe?.busy();
    let done = false;
    try {
      await act(combined);
      done = true;
    } finally {
      // After an abort the pointer may be anywhere along the way; the run is over anyway.
      failsafe?.settle(done ? end : undefined);
    }
  }

  private async guarded(signal: AbortSignal | undefined, act: (s: AbortSignal) => Promise<void>): Promise<void> {
    const failsafe = this.options.failsafe;
    const combined = this.combine(signal);
    throwIfAborted(combined);
    // Typing is the agent's own input too: the keyboard watch must not take it for the person's.
    failsafe?.keysBusy();
    try {
      await act(combined);
    } finally {
      failsafe?.keysDone();
    }
  }

  private combine(signal: AbortSignal | undefined): AbortSignal {
    const signals = [this.options.controller.signal, this.hold.signal];
    if (signal) signals.push(signal);
    return AbortSignal.any(signals);
  }
}
