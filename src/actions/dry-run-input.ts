import type { Point } from '../shared/geometry.js';
import type { ClickOptions, InputDriver } from '../shared/ports.js';
import type { Modifier, MouseButton } from '../shared/steps.js';
import { throwIfAborted } from '../shared/errors.js';
import { type Logger, nullLogger } from '../shared/logger.js';
import { type KeyName, parseChord } from './keys.js';
import { normalizeTypedText } from './text-chunks.js';

/** One input call as a driver received it, normalised (chords parsed, text as it would be typed). */
export type InputCall =
  | { op: 'move'; to: Point }
  | { op: 'click'; at: Point; button: MouseButton; count: 1 | 2 | 3; modifiers: Modifier[] }
  | { op: 'drag'; from: Point; to: Point; modifiers: Modifier[] }
  | { op: 'scroll'; direction: 'up' | 'down' | 'left' | 'right'; amount: number; at?: Point }
  | { op: 'type'; text: string }
  | { op: 'key'; keys: KeyName[]; repeat: number };

/**
 * `--dry-run`: validates and records every call exactly as the real driver would receive it and
 * sends nothing. Bad input (an unknown key, a control character in text) fails here as it would
 * for real, so a dry run finds the same mistakes.
 */
export class DryRunInputDriver implements InputDriver {
  readonly calls: InputCall[] = [];
  private readonly logger: Logger;

  constructor(options: { logger?: Logger } = {}) {
    this.logger = options.logger ?? nullLogger;
  }

  move(to: Point, signal?: AbortSignal): Promise<void> {
    return this.record(signal, () => ({ op: 'move', to }));
  }

  click(at: Point, options: ClickOptions = {}, signal?: AbortSignal): Promise<void> {
    return this.record(signal, () => ({
      op: 'click',
      at,
      button: options.button ?? 'left',
      count: options.count ?? 1,
      modifiers: options.modifiers ?? [],
    }));
  }

  drag(from: Point, to: Point, options: { modifiers?: Modifier[] } = {}, signal?: AbortSignal): Promise<void> {
    return this.record(signal, () => ({ op: 'drag', from, to, modifiers: options.modifiers ?? [] }));
  }

  scroll(direction: 'up' | 'down' | 'left' | 'right', amount: number, at?: Point, signal?: AbortSignal): Promise<void> {
    return this.record(signal, () => (at ? { op: 'scroll', direction, amount, at } : { op: 'scroll', direction, amount }));
  }

  type(text: string, signal?: AbortSignal): Promise<void> {
    return this.record(signal, () => ({ op: 'type', text: normalizeTypedText(text) }));
  }

  key(chord: string, repeat = 1, signal?: AbortSignal): Promise<void> {
    return this.record(signal, () => ({ op: 'key', keys: parseChord(chord), repeat }));
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }

  private record(signal: AbortSignal | undefined, make: () => InputCall): Promise<void> {
    try {
      throwIfAborted(signal);
      const call = make();
      this.calls.push(call);
      // Only the kind of call: typed text is never logged.
      this.logger.info({ op: call.op, dryRun: true }, 'dry run: input not sent');
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
