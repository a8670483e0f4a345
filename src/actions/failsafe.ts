import type { Box, Point } from '../shared/geometry.js';
import { Aborted } from '../shared/errors.js';
import { type Logger, nullLogger } from '../shared/logger.js';
import type { PointerProbe } from './pointer.js';

/**
 * The kill switch a person can reach without a keyboard shortcut (PyAutoGUI's failsafe): while a
 * run is active the pointer is polled every ~20 ms and the run is aborted when
 * - the pointer sits in an outer corner of a screen (within `cornerPx`), or
 * - the pointer is away from where the agent last left it (beyond `takeoverPx`): the person took
 *   the mouse, and the agent must not fight them.
 * Positions are not checked while the agent's own pointer action is in flight (`busy`), since
 * the pointer is then legitimately on its way somewhere.
 */

export type FailsafeReason = 'corner' | 'takeover';

export interface FailsafeOptions {
  probe: PointerProbe;
  /** Monitor boxes in desktop coordinates; the whole desktop when absent. */
  screens?: Box[];
  intervalMs?: number;
  cornerPx?: number;
  takeoverPx?: number;
  logger?: Logger;
  /**
   * Called when the person takes over (pointer moved away, or a key typed while the agent was
   * not typing). With it, a takeover PAUSES the run (the caller holds input and pauses); without
   * it, a takeover aborts the run. The corner always aborts.
   */
  onTakeover?: (message: string) => void;
  /** A key the person pressed within this long after the agent's own key events is the agent's echo. */
  keyEchoMs?: number;
}

/** How often the loop lag is sampled, and a gap that counts as the loop having been blocked. */
const TICK_MS = 10;
const BLOCKED_MS = 50;

export const FAILSAFE_MESSAGES: Record<FailsafeReason, string> = {
  corner: 'failsafe: pointer in a screen corner',
  takeover: 'user took over: the pointer moved away from where the agent left it',
};

export class Failsafe {
  private timer: ReturnType<typeof setInterval> | undefined;
  private controller: AbortController | undefined;
  private expected: Point | undefined;
  private busyCount = 0;
  private polling = false;
  private corners: Point[] = [];
  private fired: { reason: FailsafeReason; at: number } | undefined;
  private lastOwnInputAt = -Infinity;
  private keyBusyCount = 0;
  /** Event-loop lag tracking: when the loop last ran, and the last stretch it was blocked. */
  private lagTimer: ReturnType<typeof setInterval> | undefined;
  private lastTick = 0;
  private lastBlock: { from: number; to: number } | undefined;
  private readonly logger: Logger;

  constructor(private readonly options: FailsafeOptions) {
    this.logger = options.logger ?? nullLogger;
  }

  /** What fired, and when (performance.now()); undefined while nothing has. */
  get triggered(): { reason: FailsafeReason; at: number } | undefined {
    return this.fired;
  }

  /** Starts watching for one run; `controller` is aborted when the failsafe fires. */
  async start(controller: AbortController): Promise<void> {
    this.stop();
    this.fired = undefined;
    this.controller = controller;
    const screens = this.options.screens ?? [await this.options.probe.desktop()];
    this.corners = outerCorners(screens);
    this.expected = await this.options.probe.pointer();
    this.timer = setInterval(() => void this.poll(), this.options.intervalMs ?? 20);
    this.lastTick = performance.now();
    this.lastBlock = undefined;
    this.lagTimer = setInterval(() => {
      const now = performance.now();
      if (now - this.lastTick > BLOCKED_MS) this.lastBlock = { from: this.lastTick, to: now };
      this.lastTick = now;
    }, TICK_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.timer = undefined;
    this.lagTimer = undefined;
    this.controller = undefined;
  }

  /** The agent starts moving the pointer itself. */
  busy(): void {
    this.busyCount++;
  }

  /** The agent starts sending keys (the pointer stays put, so pointer checks go on). */
  keysBusy(): void {
    this.keyBusyCount++;
  }

  /** The agent's keys were sent. */
  keysDone(): void {
    this.keyBusyCount = Math.max(0, this.keyBusyCount - 1);
    this.lastOwnInputAt = performance.now();
  }

  /**
   * A key event seen by the global keyboard hook (keyboard-watch.ts). The hook also sees the
   * agent's own XTest events, so a key counts as the person's only while the agent is not
   * sending input and has not for `keyEchoMs`. The hook's events reach us through the event
   * loop: when a long synchronous stretch (an OCR read) held the loop, an echo of the agent's
   * last keys arrives late, so the key is dated from when the loop was blocked, not from now.
   */
  noteKey(): void {
    if (!this.controller || this.controller.signal.aborted) return;
    if (this.busyCount > 0 || this.keyBusyCount > 0 || this.earliestKeyTime() - this.lastOwnInputAt < (this.options.keyEchoMs ?? 150)) return;
    this.fire('takeover', this.expected ?? { x: 0, y: 0 }, 'the person typed while the agent was working');
  }

  /** The earliest moment a key arriving now can have been pressed, given how long the loop was held. */
  private earliestKeyTime(): number {
    const now = performance.now();
    // The lag timer has not run since the loop was freed: blocked since its last tick.
    if (now - this.lastTick > BLOCKED_MS) return this.lastTick;
    // It ran first and saw the block: a key delivered right after it may date from the block.
    if (this.lastBlock && now - this.lastBlock.to < BLOCKED_MS) return this.lastBlock.from;
    return now;
  }

  /** The agent's pointer action ended; `at` is where it left the pointer (unchanged when absent). */
  settle(at?: Point): void {
    this.busyCount = Math.max(0, this.busyCount - 1);
    this.lastOwnInputAt = performance.now();
    if (at) this.expected = { x: Math.round(at.x), y: Math.round(at.y) };
  }

  /** One check, exposed so that tests need not wait for the timer. */
  async poll(): Promise<void> {
    if (this.polling || !this.controller || this.controller.signal.aborted) return;
    this.polling = true;
    try {
      const p = await this.options.probe.pointer();
      if (this.busyCount > 0 || !this.controller) return;
      const cornerPx = this.options.cornerPx ?? 2;
      const takeoverPx = this.options.takeoverPx ?? 4;
      const away = this.expected !== undefined && distance(p, this.expected) > takeoverPx;
      if (away && this.corners.some((c) => Math.abs(c.x - p.x) <= cornerPx && Math.abs(c.y - p.y) <= cornerPx)) {
        this.fire('corner', p);
      } else if (away) {
        this.fire('takeover', p);
      }
    } catch (err) {
      this.logger.warn({ err }, 'failsafe could not read the pointer position');
    } finally {
      this.polling = false;
    }
  }

  private fire(reason: FailsafeReason, p: Point, detail?: string): void {
    this.fired = { reason, at: performance.now() };
    const message = detail ? `user took over: ${detail}` : FAILSAFE_MESSAGES[reason];
    this.logger.warn({ reason, pointer: p }, message);
    if (reason === 'takeover' && this.options.onTakeover) this.options.onTakeover(message);
    else this.controller?.abort(new Aborted(message));
    this.stop();
  }
}

function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** Corners the pointer cannot pass: those with no other screen just beyond them. */
export function outerCorners(screens: Box[]): Point[] {
  const inside = (p: Point) => screens.some((s) => p.x >= s.x && p.y >= s.y && p.x < s.x + s.width && p.y < s.y + s.height);
  const out: Point[] = [];
  for (const s of screens) {
    const right = s.x + s.width - 1;
    const bottom = s.y + s.height - 1;
    const candidates: Array<[Point, number, number]> = [
      [{ x: s.x, y: s.y }, -1, -1],
      [{ x: right, y: s.y }, 1, -1],
      [{ x: s.x, y: bottom }, -1, 1],
      [{ x: right, y: bottom }, 1, 1],
    ];
    for (const [c, dx, dy] of candidates) {
      const beyond = [{ x: c.x + dx, y: c.y }, { x: c.x, y: c.y + dy }, { x: c.x + dx, y: c.y + dy }];
      if (!beyond.some(inside)) out.push(c);
    }
  }
  return out;
}
