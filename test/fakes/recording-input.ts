import type { Box, Point } from '../../src/shared/geometry.js';
import type { ClickOptions, InputDriver } from '../../src/shared/ports.js';
import type { Modifier } from '../../src/shared/steps.js';
import { throwIfAborted } from '../../src/shared/errors.js';
import { parseChord, normalizeTypedText, type InputCall, type PointerProbe, type EventClock } from '../../src/actions/index.js';

/**
 * The recording fake of the InputDriver port. Unlike the dry-run driver it behaves like hands in
 * time: every event (a keystroke, a notch, a click) takes `eventDelayMs`, the signal is checked
 * between events, a pointer position is simulated (so the failsafe can watch it) and a test can
 * move that pointer as a person would (`userMoves`). An aborted `type` records only the prefix
 * that "arrived".
 */
export class RecordingInputDriver implements InputDriver, PointerProbe, EventClock {
  readonly calls: InputCall[] = [];
  /** performance.now() of every simulated event. */
  readonly eventTimes: number[] = [];
  private position: Point = { x: 0, y: 0 };
  disposed = false;

  constructor(private readonly options: { eventDelayMs?: number; desktop?: Box } = {}) {}

  /** A person moves the mouse. */
  userMoves(p: Point): void {
    this.position = { ...p };
  }

  pointer(): Promise<Point> {
    return Promise.resolve({ ...this.position });
  }

  desktop(): Promise<Box> {
    return Promise.resolve(this.options.desktop ?? { x: 0, y: 0, width: 1280, height: 800 });
  }

  lastEventAt(): number | undefined {
    return this.eventTimes[this.eventTimes.length - 1];
  }

  async move(to: Point, signal?: AbortSignal): Promise<void> {
    await this.event(signal, () => (this.position = to));
    this.calls.push({ op: 'move', to });
  }

  async click(at: Point, options: ClickOptions = {}, signal?: AbortSignal): Promise<void> {
    const count = options.count ?? 1;
    await this.event(signal, () => (this.position = at));
    for (let i = 0; i < count; i++) await this.event(signal);
    this.calls.push({ op: 'click', at, button: options.button ?? 'left', count, modifiers: options.modifiers ?? [] });
  }

  async drag(from: Point, to: Point, options: { modifiers?: Modifier[] } = {}, signal?: AbortSignal): Promise<void> {
    await this.event(signal, () => (this.position = from));
    for (let i = 1; i <= 4; i++) {
      const t = i / 4;
      await this.event(signal, () => (this.position = { x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t }));
    }
    this.calls.push({ op: 'drag', from, to, modifiers: options.modifiers ?? [] });
  }

  async scroll(direction: 'up' | 'down' | 'left' | 'right', amount: number, at?: Point, signal?: AbortSignal): Promise<void> {
    if (at) await this.event(signal, () => (this.position = at));
    for (let i = 0; i < amount; i++) await this.event(signal);
    this.calls.push(at ? { op: 'scroll', direction, amount, at } : { op: 'scroll', direction, amount });
  }

  async type(text: string, signal?: AbortSignal): Promise<void> {
    let arrived = '';
    try {
      for (const c of normalizeTypedText(text)) {
        await this.event(signal);
        arrived += c;
      }
    } finally {
      if (arrived) this.calls.push({ op: 'type', text: arrived });
    }
  }

  async key(chord: string, repeat = 1, signal?: AbortSignal): Promise<void> {
    const keys = parseChord(chord);
    for (let i = 0; i < repeat; i++) await this.event(signal);
    this.calls.push({ op: 'key', keys, repeat });
  }

  dispose(): Promise<void> {
    this.disposed = true;
    return Promise.resolve();
  }

  private async event(signal: AbortSignal | undefined, effect?: () => void): Promise<void> {
    throwIfAborted(signal);
    const delay = this.options.eventDelayMs ?? 0;
    if (delay > 0) {
      await new Promise((r) => setTimeout(r, delay));
      throwIfAborted(signal);
    }
    effect?.();
    this.eventTimes.push(performance.now());
  }
}
