import { diffFrames } from '../perception/diff.js';
import { AppError, GroundingError, throwIfAborted } from '../shared/errors.js';
import type { Frame, Grounder, Location, Observation, ScreenSource } from '../shared/ports.js';
import { describeTarget, type Target } from '../shared/target.js';
import { resolveTarget } from './resolve.js';

/**
 * Waits until a target is on screen: looks, and when it is not there, waits for the screen to
 * change before looking again (perception is costly; a still screen will not answer differently).
 */
export async function waitForTarget(
  screen: ScreenSource,
  grounder: Grounder,
  first: Observation,
  target: Target,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Location> {
  const deadline = performance.now() + timeoutMs;
  let obs = first;
  for (;;) {
    try {
      return await resolveTarget(obs, target, grounder, signal);
    } catch (err) {
      if (!(err instanceof GroundingError) || err.code !== 'GROUNDING_NOT_FOUND') {
        if (err instanceof GroundingError && err.code === 'GROUNDING_AMBIGUOUS') return ambiguousAsFound();
        throw err;
      }
    }
    const frame = await nextChange(screen, obs.frame, deadline, signal);
    if (!frame) throw new AppError('WAIT_TIMEOUT', `${describeTarget(target)} did not appear within ${Math.round(timeoutMs / 1000)}s`);
    obs = { ...obs, frame, elements: undefined };
  }
}

function ambiguousAsFound(): Location {
  // Several matches still mean "it is visible"; wait/assert do not act on a point.
  return { point: { x: 0, y: 0 }, confidence: 1, source: 'text', alternatives: [] };
}

/** Polls fast captures until the screen differs from `before`, or the deadline passes. */
export async function nextChange(screen: ScreenSource, before: Frame, deadline: number, signal?: AbortSignal): Promise<Frame | undefined> {
  while (performance.now() < deadline) {
    throwIfAborted(signal);
    await new Promise((r) => setTimeout(r, 50));
    const frame = await screen.capture({ displayId: before.displayId }, signal);
    if (diffFrames(before, frame, { minArea: 16 }).changed) return frame;
  }
  return undefined;
}

export async function assertTarget(
  grounder: Grounder,
  obs: Observation,
  target: Target,
  condition: 'visible' | 'not_visible',
  signal: AbortSignal,
): Promise<Location | undefined> {
  try {
    const loc = await resolveTarget(obs, target, grounder, signal);
    if (condition === 'not_visible') throw new AppError('ASSERT_FAILED', `${describeTarget(target)} is visible, expected it not to be`);
    return loc;
  } catch (err) {
    if (err instanceof GroundingError && err.code === 'GROUNDING_AMBIGUOUS') {
      if (condition === 'visible') return undefined;
      throw new AppError('ASSERT_FAILED', `${describeTarget(target)} is visible, expected it not to be`);
    }
    if (err instanceof GroundingError && err.code === 'GROUNDING_NOT_FOUND') {
      if (condition === 'not_visible') return undefined;
      throw new AppError('ASSERT_FAILED', `${describeTarget(target)} is not visible: ${err.message}`);
    }
    throw err;
  }
}
