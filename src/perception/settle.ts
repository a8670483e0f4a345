import type { Box } from '../shared/geometry.js';
import type { Frame, ScreenSource } from '../shared/ports.js';
import type { ChangedRegion } from './diff.js';
import { throwIfAborted } from '../shared/errors.js';
import { diffFrames } from './diff.js';

export interface SettleOptions {
  /** Desktop region to watch; the whole (primary or named) display when absent. */
  region?: Box;
  displayId?: string;
  /** Give up after this long and return settled: false. Default 5000. */
  timeoutMs?: number;
  /**
   * Consecutive unchanged comparisons needed. Default 1: two identical grabs in a row, the
   * rule Playwright uses for screenshot stability; raise it for apps that repaint slowly.
   */
  stableFrames?: number;
  /** Also require this long without any change. Default 0 (the frame count alone decides). */
  quietMs?: number;
  /** Pause between captures; 0 polls back to back (each grab is a few ms). Default 0. */
  intervalMs?: number;
  /**
   * After an action: how long to give the app to start reacting. A still screen that still
   * equals `before` counts as settled only once it has changed or this long has passed, so a
   * click whose repaint is a frame or two late is not taken for a click that did nothing.
   * Default 0.
   */
  reactMs?: number;
  /** The screen before the action (with `reactMs`): a first grab that differs from it has reacted. */
  before?: Frame;
  threshold?: number;
  minArea?: number;
  signal?: AbortSignal;
}

export interface SettleResult {
  settled: boolean;
  elapsedMs: number;
  /** The last capture: the settled screen when settled. */
  frame: Frame;
  captures: number;
  /** What changed in the last changing comparison, if any did. */
  lastChange: ChangedRegion[];
}

/**
 * Returns as soon as the screen (or a region) stops changing: captures back to back and
 * compares each with the one before, so an already still screen costs two grabs (stableFrames + 1)
 * and a busy one is watched until it rests or the timeout passes. No fixed sleeps.
 */
export async function waitForSettle(source: ScreenSource, options: SettleOptions = {}): Promise<SettleResult> {
  const { signal } = options;
  const timeoutMs = options.timeoutMs ?? 5000;
  const stableFrames = Math.max(1, options.stableFrames ?? 1);
  const quietMs = options.quietMs ?? 0;
  const intervalMs = options.intervalMs ?? 0;
  const reactMs = options.reactMs ?? 0;
  const captureOptions = { region: options.region, displayId: options.displayId };
  const diffOptions = { threshold: options.threshold ?? 8, minArea: options.minArea ?? 0 };

  const start = performance.now();
  throwIfAborted(signal);
  let prev = await source.capture(captureOptions, signal);
  let captures = 1;
  let stable = 0;
  let lastChangeAt = start;
  let lastChange: ChangedRegion[] = [];
  // Most apps have repainted by the time the action returns (typed text, a menu): no wait then.
  let reacted = reactMs <= 0 || !options.before || diffFrames(options.before, prev, diffOptions).changed;
  for (;;) {
    const now = performance.now();
    if (now - start >= timeoutMs) {
      return { settled: false, elapsedMs: now - start, frame: prev, captures, lastChange };
    }
    // Still, and only waiting for the app to react: no need to grab back to back.
    const waiting = !reacted && stable >= stableFrames;
    const pause = intervalMs > 0 ? intervalMs : waiting ? REACT_POLL_MS : 0;
    if (pause > 0) await sleep(pause, signal);
    throwIfAborted(signal);
    const cur = await source.capture(captureOptions, signal);
    captures++;
    const d = diffFrames(prev, cur, diffOptions);
    const t = performance.now();
    if (d.changed) {
      reacted = true;
      stable = 0;
      lastChangeAt = t;
      lastChange = d.regions;
    } else stable++;
    prev = cur;
    if (stable >= stableFrames && t - lastChangeAt >= quietMs && (reacted || t - start >= reactMs)) {
      return { settled: true, elapsedMs: t - start, frame: cur, captures, lastChange };
    }
  }
}

/** Grab interval while a still screen waits out `reactMs`. */
const REACT_POLL_MS = 10;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
