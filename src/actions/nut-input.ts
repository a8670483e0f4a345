import { Button, Point as NutPoint, keyboard, mouse, providerRegistry, screen } from '@nut-tree-fork/nut-js';
import type { Box, Point } from '../shared/geometry.js';
import type { ClickOptions, InputDriver } from '../shared/ports.js';
import type { Modifier, MouseButton } from '../shared/steps.js';
import { throwIfAborted } from '../shared/errors.js';
import { type Logger, nullLogger } from '../shared/logger.js';
import { type KeyName, parseChord } from './keys.js';
import { nutKey } from './nut-keys.js';
import type { Typist } from './typist.js';
import type { EventClock, PointerProbe } from './pointer.js';
import { onDisplay, pointerInFocus } from './x11-windows.js';

/**
 * The real hands: mouse, wheel and keys through nut-js (XTest on Linux), text through a Typist
 * (see typist.ts for which path each platform uses). Pointer moves are instant (setPosition),
 * never animated, and every multi-event action checks its AbortSignal between events.
 */

export interface NutInputOptions {
  /** Chooses the text path; created by createInputDriver. */
  typist: (tapChord: (keys: KeyName[]) => Promise<void>) => Typist;
  logger?: Logger;
  /** Intermediate pointer moves of a drag: browsers start a drag only after seeing some. */
  dragSteps?: number;
  dragStepDelayMs?: number;
  /** The environment whose DISPLAY the focus wait of a click asks. */
  env: NodeJS.ProcessEnv;
}

const SWAP_HORIZONTAL = process.platform === 'linux';

const BUTTONS: Record<MouseButton, Button> = { left: Button.LEFT, right: Button.RIGHT, middle: Button.MIDDLE };

export class NutInputDriver implements InputDriver, PointerProbe, EventClock {
  private lastAt: number | undefined;
  private readonly typist: Typist;
  private readonly logger: Logger;
  private readonly dragSteps: number;
  private readonly dragStepDelayMs: number;
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: NutInputOptions) {
    this.logger = options.logger ?? nullLogger;
    this.dragSteps = options.dragSteps ?? 12;
    this.dragStepDelayMs = options.dragStepDelayMs ?? 8;
    this.env = options.env;
    // nut-js defaults sleep 100 ms after each mouse action and 300 ms (natively, blocking the
    // event loop) after each key; an agent wants neither.
    mouse.config.autoDelayMs = 0;
    keyboard.config.autoDelayMs = 0;
    providerRegistry.getKeyboard().setKeyboardDelay(0);
    providerRegistry.getMouse().setMouseDelay(0);
    this.typist = options.typist((keys) => this.tap(keys));
    this.logger.debug({ typing: this.typist.name }, 'native input ready');
  }

  get typingPath(): string {
    return this.typist.name;
  }

  lastEventAt(): number | undefined {
    return this.lastAt;
  }

  async pointer(): Promise<Point> {
    const p = await mouse.getPosition();
    return { x: p.x, y: p.y };
  }

  async desktop(): Promise<Box> {
    return { x: 0, y: 0, width: await screen.width(), height: await screen.height() };
  }

  async move(to: Point, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    await this.place(to);
  }

  async click(at: Point, options: ClickOptions = {}, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    await this.place(at);
    const button = BUTTONS[options.button ?? 'left'];
    await this.holding(options.modifiers, signal, async () => {
      for (let i = 0; i < (options.count ?? 1); i++) {
        throwIfAborted(signal);
        await mouse.pressButton(button);
        await mouse.releaseButton(button);
        this.sent();
      }
    });
    if (options.focus && process.platform === 'linux') await focusUnderPointer(this.env, signal);
  }

  async drag(from: Point, to: Point, options: { modifiers?: Modifier[] } = {}, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    await this.place(from);
    await this.holding(options.modifiers, signal, async () => {
      await mouse.pressButton(Button.LEFT);
      this.sent();
      try {
        for (let i = 1; i <= this.dragSteps; i++) {
          await sleep(this.dragStepDelayMs);
          throwIfAborted(signal);
          const t = i / this.dragSteps;
          await this.place({ x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t });
        }
        await sleep(this.dragStepDelayMs);
      } finally {
        await mouse.releaseButton(Button.LEFT);
        this.sent();
      }
    });
  }

  async scroll(direction: 'up' | 'down' | 'left' | 'right', amount: number, at?: Point, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    if (at) await this.place(at);
    for (let i = 0; i < amount; i++) {
      throwIfAborted(signal);
      if (direction === 'up') await mouse.scrollUp(1);
      else if (direction === 'down') await mouse.scrollDown(1);
      // libnut maps horizontal scrolling the wrong way round on X11 (scrollRight sends button 6,
      // which X and every toolkit read as "left"; checked in Chromium: deltaX < 0).
      else if ((direction === 'left') !== SWAP_HORIZONTAL) await mouse.scrollLeft(1);
      else await mouse.scrollRight(1);
      this.sent();
    }
  }

  async type(text: string, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    await this.typist.type(text, signal, () => this.sent());
  }

  async key(chord: string, repeat = 1, signal?: AbortSignal): Promise<void> {
    const keys = parseChord(chord);
    for (let i = 0; i < repeat; i++) {
      throwIfAborted(signal);
      await this.tap(keys);
    }
  }

  async dispose(): Promise<void> {
    await this.typist.dispose?.();
  }

  /** Presses the keys in order and releases them in reverse, even when pressing fails. */
  private async tap(keys: KeyName[]): Promise<void> {
    const codes = keys.map(nutKey);
    const pressed: typeof codes = [];
    try {
      for (const c of codes) {
        await keyboard.pressKey(c);
        pressed.push(c);
      }
      this.sent();
    } finally {
      for (const c of pressed.reverse()) await keyboard.releaseKey(c);
      if (pressed.length) this.sent();
    }
  }

  private async holding(modifiers: Modifier[] | undefined, signal: AbortSignal | undefined, act: () => Promise<void>): Promise<void> {
    const codes = (modifiers ?? []).map((m) => nutKey(m === 'meta' ? 'super' : m));
    const pressed: typeof codes = [];
    try {
      for (const c of codes) {
        throwIfAborted(signal);
        await keyboard.pressKey(c);
        pressed.push(c);
        this.sent();
      }
      await act();
    } finally {
      // Released even when aborted: a modifier left down would corrupt everything the person types next.
      for (const c of pressed.reverse()) await keyboard.releaseKey(c);
      if (pressed.length) this.sent();
    }
  }

  private async place(p: Point): Promise<void> {
    await mouse.setPosition(new NutPoint(Math.round(p.x), Math.round(p.y)));
    this.sent();
  }

  private sent(): void {
    this.lastAt = performance.now();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Longest wait for the window manager to give the keyboard focus to a clicked window. */
const FOCUS_WAIT_MS = 1000;

/**
 * Waits until the X keyboard focus is in the window under the pointer (the pointer lies in the
 * focused window's box), or FOCUS_WAIT_MS passed, or the display cannot be asked: then typing
 * goes ahead as before. Read in-process: each look is a few X requests, no helper program.
 */
async function focusUnderPointer(env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<void> {
  const display = env['DISPLAY'];
  if (!display) return;
  const until = performance.now() + FOCUS_WAIT_MS;
  for (;;) {
    throwIfAborted(signal);
    const inFocus = await onDisplay(display, pointerInFocus).catch(() => undefined);
    if (inFocus !== false || performance.now() >= until) return;
    await sleep(10);
  }
}
