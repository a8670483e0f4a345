import type { Point } from '../../shared/geometry.js';
import type { Observation } from '../../shared/ports.js';
import { stepTargets } from '../../shared/steps.js';
import type { Anchors, MacroAction, StepPath } from '../format/index.js';
import { RUNGS, type LadderResult } from './ladder.js';

/** A landmark whose offset to the target changed by more than this has moved (desktop px). */
export const MOVED_PX = 8;

/** A fix to one step of a macro file, offered as a diff and written only when a person applies it. */
export interface Repair {
  key: string;
  /** The YAML path of the step item. */
  path: StepPath;
  /** Why, in words ("found by template, not text as recorded; landmark "Amount" moved"). */
  reason: string;
  anchors: Anchors;
  /** The target's text as it reads now, when it no longer reads as the macro says. */
  text?: { from: string; to: string };
}

/**
 * What to write back after a step succeeded on weaker evidence than recorded, or with its
 * landmarks elsewhere: the landmarks' offsets as measured now, and the text the target shows
 * now when a lower rung found it under a different text.
 */
export async function repairFor(
  node: MacroAction,
  result: LadderResult,
  before: Observation,
  textAt: ((o: Observation, p: Point, s?: AbortSignal) => Promise<string | undefined>) | undefined,
  signal: AbortSignal,
): Promise<Repair | undefined> {
  const lower = RUNGS.indexOf(result.rung) > RUNGS.indexOf(result.expected);
  const moved = result.landmarks.filter(
    (s) => s.now && (Math.abs(s.now.dx - s.recorded.dx) > MOVED_PX || Math.abs(s.now.dy - s.recorded.dy) > MOVED_PX),
  );
  if (!lower && moved.length === 0) return undefined;
  const reasons: string[] = [];
  const anchors: Anchors = { ...(node.anchors ?? {}) };
  if (moved.length) {
    anchors.landmarks = (node.anchors?.landmarks ?? []).map((lm) => {
      const s = moved.find((m) => m.text === lm.text);
      return s?.now ? { text: lm.text, dx: s.now.dx, dy: s.now.dy } : lm;
    });
    reasons.push(`landmark ${moved.map((m) => JSON.stringify(m.text)).join(', ')} moved`);
  }
  let text: Repair['text'];
  if (lower) {
    reasons.unshift(`found by ${result.rung}, not by ${result.expected} as recorded`);
    const wanted = stepTargets(node.step)[0]?.text ?? node.anchors?.text;
    const nowText = textAt ? await textAt(before, result.location.point, signal) : undefined;
    // A target written with a {{param}} keeps its placeholder; its evidence is the param's value.
    if (nowText && wanted && nowText !== wanted && !wanted.includes('{{')) {
      text = { from: wanted, to: nowText };
      anchors.text = nowText;
      reasons.push(`its text reads ${JSON.stringify(nowText)} now`);
    } else if (nowText && !anchors.text) anchors.text = nowText;
  }
  // Where the target is now, so that the next replay looks there first.
  const p = result.location.point;
  if (anchors.at && Math.hypot(anchors.at[0] - p.x, anchors.at[1] - p.y) > MOVED_PX) anchors.at = [Math.round(p.x), Math.round(p.y)];
  if (!text && sameAnchors(anchors, node.anchors)) return undefined;
  return { key: node.path.join('/'), path: node.path, reason: reasons.join('; '), anchors, ...(text ? { text } : {}) };
}

function sameAnchors(a: Anchors, b: Anchors | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b ?? {});
}
