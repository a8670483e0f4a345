import { focusedWindow, onDisplay, windowAtPointer } from '../../actions/x11-windows.js';
import { CaptureError, errorMessage } from '../../shared/errors.js';
import { nullLogger, type Logger } from '../../shared/logger.js';
import type { Frame, ScreenSource } from '../../shared/ports.js';
import type { MouseButton } from '../../shared/steps.js';
import type { InputEvent } from './events.js';
import { charOf, modifierOf } from './keymap.js';

export interface CaptureOptions {
  screen: ScreenSource;
  /** The X display, for the window-title look-ups (xdotool). */
  display?: string;
  /** How often the rolling "latest screen" is refreshed. Default 80 ms (a grab costs ~7 ms). */
  intervalMs?: number;
  /** Called when the person presses the stop hotkey (Ctrl+Alt+End). */
  onStopHotkey?: () => void;
  logger?: Logger;
}

export interface CapturedSession {
  events: InputEvent[];
  /** The screen just before event `i` (the last frame kept at or before it). */
  frameBefore(i: number): Frame | undefined;
  /** The screen when recording stopped. */
  final: Frame | undefined;
}

/** uiohook's button numbers (libuiohook: 1 left, 2 right, 3 middle). */
const BUTTONS: Record<number, MouseButton> = { 1: 'left', 2: 'right', 3: 'middle' };
const END_KEY = 3663;
/** A run of typing keeps one frame: the screen before its first key. */
const TYPING_FRAME_GAP_MS = 250;

/**
 * Global input capture while recording: every mouse press/release/move, wheel notch and key
 * (uiohook-napi, which also sees XTest input, so xdotool can drive it in tests), a rolling
 * screenshot so that each meaningful event has the screen from just BEFORE it, and the title of
 * the window it went to: the window under the pointer for the mouse, the focused one for keys.
 * The hook's X connection outlives stop(): the process that records must exit before its X
 * server goes away.
 */
export class InputCapture {
  private readonly events: InputEvent[] = [];
  private readonly frames = new Map<number, Frame>();
  private readonly pending: Array<Promise<void>> = [];
  private latest: Frame | undefined;
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();
  private lastTitleAt = -Infinity;
  private lastTitle: string | undefined;
  private lastKeyFrameAt = -Infinity;
  private hook: { stop(): void } | undefined;
  private readonly log: Logger;

  private constructor(private readonly o: CaptureOptions) {
    this.log = o.logger ?? nullLogger;
  }

  static async start(o: CaptureOptions, signal?: AbortSignal): Promise<InputCapture> {
    const c = new InputCapture(o);
    // The first frame before the hook, so that the very first event has a "before".
    c.latest = await o.screen.capture({}, signal);
    c.loop = c.refresh();
    try {
      const { uIOhook } = await import('uiohook-napi');
      const listener = (e: unknown) => c.onInput(e as HookEvent);
      uIOhook.on('input', listener);
      uIOhook.start();
      c.hook = {
        stop() {
          uIOhook.off('input', listener);
          uIOhook.stop();
        },
      };
    } catch (err) {
      c.stopped = true;
      await c.loop;
      throw new CaptureError(`cannot hook the global mouse and keyboard on ${o.display ?? 'this display'}: ${errorMessage(err)}`, { cause: err });
    }
    return c;
  }

  /** Unhooks, waits for the last frame and title look-ups, and hands over what was captured. */
  async stop(): Promise<CapturedSession> {
    if (!this.stopped) {
      this.stopped = true;
      this.hook?.stop();
    }
    await this.loop;
    await Promise.all(this.pending);
    const final = await this.o.screen.capture().catch(() => this.latest);
    const frames = this.frames;
    return {
      events: this.events,
      frameBefore(i) {
        for (let j = i; j >= 0; j--) {
          const f = frames.get(j);
          if (f) return f;
        }
        return undefined;
      },
      final,
    };
  }

  private async refresh(): Promise<void> {
    while (!this.stopped) {
      try {
        this.latest = await this.o.screen.capture();
      } catch (err) {
        this.log.warn({ err: errorMessage(err) }, 'recording: a screen capture failed');
      }
      await new Promise((r) => setTimeout(r, this.o.intervalMs ?? 80));
    }
  }

  private onInput(e: HookEvent): void {
    if (this.stopped) return;
    const t = Date.now();
    const i = this.events.length;
    let ev: InputEvent | undefined;
    switch (e.type) {
      case 7:
      case 8: {
        const button = BUTTONS[e.button as number];
        if (!button) return;
        ev = { type: e.type === 7 ? 'down' : 'up', t, x: e.x, y: e.y, button };
        this.keepFrame(i, t, e.type === 7, 'pointer');
        break;
      }
      case 9:
        ev = { type: 'move', t, x: e.x, y: e.y };
        break;
      case 11: {
        const vertical = e.direction !== 4;
        const dir = vertical ? (e.rotation < 0 ? 'up' : 'down') : e.rotation < 0 ? 'left' : 'right';
        ev = { type: 'wheel', t, x: e.x, y: e.y, direction: dir, amount: Math.max(1, Math.abs(e.rotation)) };
        this.keepFrame(i, t, true, 'pointer');
        break;
      }
      case 4:
      case 5:
        ev = { type: e.type === 4 ? 'keydown' : 'keyup', t, keycode: e.keycode, shift: e.shiftKey };
        if (e.type === 4 && !modifierOf(e.keycode)) {
          const typing = charOf(e.keycode, false) !== undefined && !e.ctrlKey && !e.altKey && !e.metaKey;
          this.keepFrame(i, t, !typing || t - this.lastKeyFrameAt > TYPING_FRAME_GAP_MS, 'focus');
          this.lastKeyFrameAt = t;
          if (e.keycode === END_KEY && e.ctrlKey && e.altKey) this.o.onStopHotkey?.();
        }
        break;
      default:
        return;
    }
    this.events.push(ev);
  }

  /**
   * Remembers the screen before event i, and the window it went to. A press goes to the window
   * under the pointer whatever had the focus (the focus moves there only after the window manager
   * has seen the press, which a look-up of the focus can beat); keys go to the focused window,
   * read at most every 500 ms while typing, and afresh after any press.
   */
  private keepFrame(i: number, t: number, frame: boolean, to: 'pointer' | 'focus'): void {
    if (frame && this.latest) this.frames.set(i, this.latest);
    const ev = (): InputEvent | undefined => this.events[i];
    if (to === 'pointer') {
      this.lastTitleAt = -Infinity;
      this.pending.push(
        pointerWindowTitle(this.o.display).then((title) => {
          const e = ev();
          if (e && title !== undefined) e.window = title;
        }),
      );
      return;
    }
    if (t - this.lastTitleAt < 500 && this.lastTitle !== undefined) {
      const title = this.lastTitle;
      queueMicrotask(() => {
        const e = ev();
        if (e) e.window = title;
      });
      return;
    }
    this.lastTitleAt = t;
    this.pending.push(
      activeWindowTitle(this.o.display).then((title) => {
        this.lastTitle = title;
        const e = ev();
        if (e && title !== undefined) e.window = title;
      }),
    );
  }
}

type HookEvent = {
  type: number;
  x: number;
  y: number;
  button?: unknown;
  keycode: number;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  rotation: number;
  direction: number;
};

/**
 * The title of the window under the pointer; undefined over the desktop or an untitled window.
 * Where this process cannot connect to the display itself, the active window's title.
 */
async function pointerWindowTitle(display: string | undefined): Promise<string | undefined> {
  const d = display ?? process.env['DISPLAY'];
  if (d) {
    const win = await onDisplay(d, windowAtPointer).then(
      (w) => ({ read: true, title: w?.title || undefined }),
      () => ({ read: false, title: undefined }),
    );
    if (win.read) return win.title;
  }
  return activeWindowTitle(display);
}

/** The active window's title; undefined when there is none or it cannot be read. */
export async function activeWindowTitle(display: string | undefined): Promise<string | undefined> {
  const win = await focusedWindow(display ? { ...process.env, DISPLAY: display } : process.env);
  return win?.title || undefined;
}
