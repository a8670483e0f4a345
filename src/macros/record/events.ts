import type { Point } from '../../shared/geometry.js';
import type { Modifier, MouseButton } from '../../shared/steps.js';

/**
 * What the recorder hears from the global hook, in its own words (not uiohook's), so that the
 * cleanup into Steps is a pure function that tests feed with synthetic streams. `t` is in
 * milliseconds; points are desktop (logical) coordinates; `window` is the title of the active
 * window at that moment when the capture knew it.
 */
export type InputEvent =
  | { type: 'down' | 'up'; t: number; x: number; y: number; button: MouseButton; window?: string }
  | { type: 'move'; t: number; x: number; y: number; window?: string }
  | { type: 'wheel'; t: number; x: number; y: number; direction: 'up' | 'down' | 'left' | 'right'; amount: number; window?: string }
  | { type: 'keydown' | 'keyup'; t: number; keycode: number; shift: boolean; window?: string };

interface ActionBase {
  /** Index of the event that started the action: its before-frame is the screen the person saw. */
  first: number;
  /** Index of the event that ended it. */
  last: number;
  start: number;
  end: number;
  window?: string;
}

/** A person's action after cleanup, before evidence (anchors, crops) is attached. */
export type RecordedAction =
  | (ActionBase & { kind: 'click'; at: Point; button: MouseButton; count: 1 | 2 | 3; modifiers: Modifier[] })
  | (ActionBase & { kind: 'drag'; from: Point; to: Point; modifiers: Modifier[] })
  | (ActionBase & { kind: 'type'; text: string })
  | (ActionBase & { kind: 'key'; keys: string; repeat: number })
  | (ActionBase & { kind: 'scroll'; at: Point; direction: 'up' | 'down' | 'left' | 'right'; amount: number });
