import type { Modifier, MouseButton } from '../../src/shared/steps.js';
import type { ClickSeen, DragSeen, Observed, ScrollSeen } from './input-contract.js';

/** One DOM event recorded by test/fixtures/pages/input.html (x, y are screen = desktop pixels). */
export interface PageEvent {
  type: string;
  x?: number;
  y?: number;
  cx?: number;
  cy?: number;
  button?: number;
  buttons?: number;
  detail?: number;
  dx?: number;
  dy?: number;
  code?: string;
  ctrl?: boolean;
  shift?: boolean;
  alt?: boolean;
  meta?: boolean;
}

const WHEEL_NOTCH = 120;
const BUTTON: Record<number, MouseButton> = { 0: 'left', 1: 'middle', 2: 'right' };
const MODIFIER_CODES = /^(Control|Shift|Alt|Meta|OS)(Left|Right)$/;

function modifiers(e: PageEvent): Modifier[] {
  const m: Modifier[] = [];
  if (e.ctrl) m.push('ctrl');
  if (e.shift) m.push('shift');
  if (e.alt) m.push('alt');
  if (e.meta) m.push('meta');
  return m;
}

/** KeyboardEvent.code to our key names ("KeyA" → "a", "ArrowDown" → "down", "F2" → "f2"). */
function keyName(code: string): string {
  const m = /^(?:Key|Digit)(.)$/.exec(code);
  if (m) return m[1]!.toLowerCase();
  if (code.startsWith('Arrow')) return code.slice(5).toLowerCase();
  return code.toLowerCase();
}

/** Turns what the page saw into the contract's shape: clicks by mousedown detail, drags, wheel notches, chords. */
export function observedFromPage(text: string, events: PageEvent[]): Observed {
  const clicks: ClickSeen[] = [];
  const drags: DragSeen[] = [];
  const scrolls: ScrollSeen[] = [];
  const chords: string[] = [];
  let down: PageEvent | undefined;
  for (const e of events) {
    if (e.type === 'mousedown') down = e;
    else if (e.type === 'mouseup' && down) {
      const moved = Math.hypot(e.x! - down.x!, e.y! - down.y!) > 2;
      if (moved) drags.push({ from: { x: down.x!, y: down.y! }, to: { x: e.x!, y: e.y! } });
      else {
        const prev = clicks[clicks.length - 1];
        if ((down.detail ?? 1) > 1 && prev && prev.button === BUTTON[down.button!]) prev.count = down.detail!;
        else clicks.push({ at: { x: down.x!, y: down.y! }, button: BUTTON[down.button!] ?? 'left', count: 1, modifiers: modifiers(down) });
      }
      down = undefined;
    } else if (e.type === 'wheel') {
      const direction = e.dy! > 0 ? 'down' : e.dy! < 0 ? 'up' : e.dx! > 0 ? 'right' : 'left';
      // Chromium may merge quick notches into one wheel event; each notch is 120 units here.
      const notches = Math.max(1, Math.round(Math.abs(e.dy! || e.dx!) / WHEEL_NOTCH));
      const prev = scrolls[scrolls.length - 1];
      if (prev && prev.direction === direction && prev.at.x === e.x && prev.at.y === e.y) prev.notches += notches;
      else scrolls.push({ direction, notches, at: { x: e.x!, y: e.y! } });
    } else if (e.type === 'keydown' && e.code && !MODIFIER_CODES.test(e.code)) {
      chords.push([...modifiers(e).map((m) => (m === 'meta' ? 'super' : m)), keyName(e.code)].join('+'));
    }
  }
  return { text, clicks, drags, scrolls, chords };
}
