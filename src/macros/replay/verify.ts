import { nextChange, waitForTarget } from '../../engine/checks.js';
import { TextGrounder } from '../../grounding/text.js';
import { diffFrames } from '../../perception/diff.js';
import type { OcrLine } from '../../perception/ocr/types.js';
import { AppError, GroundingError } from '../../shared/errors.js';
import type { Frame, Observation, ScreenSource } from '../../shared/ports.js';
import type { Expect } from '../format/index.js';
import type { LadderGrounder } from './ladder.js';

/**
 * A step's postcondition, checked with event-driven waits: look, and when it does not hold,
 * wait for the screen to change before looking again (no fixed sleeps). Returns why it failed,
 * or undefined when it holds.
 */
export async function verifyExpect(
  expect: Expect,
  screen: ScreenSource,
  ladder: LadderGrounder,
  before: Frame,
  now: Observation,
  signal: AbortSignal,
): Promise<string | undefined> {
  const ms = (expect.within ?? 10) * 1000;
  const deadline = performance.now() + ms;
  if (expect.text !== undefined && !(await appearedWhereChanged(ladder, before, now, expect.text, signal))) {
    try {
      await waitForTarget(screen, ladder.text, now, { text: expect.text }, ms, signal);
    } catch (err) {
      if (err instanceof AppError && err.code === 'WAIT_TIMEOUT') return `expected "${expect.text}" to appear within ${ms / 1000}s`;
      throw err;
    }
  }
  if (expect.gone !== undefined && !(await waitGone(screen, ladder, now, expect.gone, deadline, signal))) {
    return `expected "${expect.gone}" to go away within ${ms / 1000}s`;
  }
  if (expect.changed) {
    const changed = diffFrames(before, now.frame, { minArea: 16 }).changed || (await nextChange(screen, before, deadline, signal)) !== undefined;
    if (!changed) return `expected the screen to change, and it stayed the same for ${ms / 1000}s`;
  }
  return undefined;
}

/** Most changed areas read for a quick look; a screen that changed in more places is read whole. */
const MAX_AREAS = 6;

/**
 * Whether `text` is in what changed since `before`, reading only the changed areas: a quick yes
 * for the usual postcondition (a message appeared). No means "look at the whole screen", never
 * that the text is absent.
 */
async function appearedWhereChanged(ladder: LadderGrounder, before: Frame, now: Observation, text: string, signal: AbortSignal): Promise<boolean> {
  const read = ladder.area;
  if (!read) return false;
  const diff = diffFrames(before, now.frame, { minArea: 16 });
  if (!diff.changed || diff.regions.length > MAX_AREAS) return false;
  const lines: OcrLine[] = [];
  for (const r of diff.regions) {
    const d = r.desktop;
    lines.push(...(await read(now, { x: d.x - 12, y: d.y - 12, width: d.width + 24, height: d.height + 24 }, signal)).lines);
  }
  try {
    await new TextGrounder(() => Promise.resolve({ lines })).locate(now, { text }, signal);
    return true;
  } catch (err) {
    if (err instanceof GroundingError && err.code === 'GROUNDING_AMBIGUOUS') return true;
    if (err instanceof GroundingError) return false;
    throw err;
  }
}

async function waitGone(screen: ScreenSource, ladder: LadderGrounder, first: Observation, text: string, deadline: number, signal: AbortSignal): Promise<boolean> {
  let obs = first;
  for (;;) {
    if (!(await ladder.isVisible(obs, { text }, signal))) return true;
    const frame = await nextChange(screen, obs.frame, deadline, signal);
    if (!frame) return false;
    obs = { ...obs, frame, elements: undefined };
  }
}

