import { errorMessage, throwIfAborted } from '../../shared/errors.js';
import type { Point } from '../../shared/geometry.js';
import { nullLogger, type Logger } from '../../shared/logger.js';
import type { Frame, SecretStore } from '../../shared/ports.js';
import { Step, type StepInput } from '../../shared/steps.js';
import type { Target } from '../../shared/target.js';
import { recogniseIcons, MIN_ICON_SCORE } from '../../grounding/icon/index.js';
import { IncrementalOcr } from '../../grounding/incremental-ocr.js';
import type { Ocr } from '../../perception/ocr/index.js';
import type { Anchors, Expect } from '../format/index.js';
import type { RecordedAction } from './events.js';
import { evidenceAt, readFrame, screenChange, templateCrop, type FrameReading, type PointEvidence } from './evidence.js';
import { isSecretField, secretName } from './secrets.js';

/** One step of the recorded macro with the evidence replay needs. */
export interface RecordedStep {
  step: Step;
  anchors?: Anchors;
  expect?: Expect;
  /** The template crop (PNG) named by `anchors.template`. */
  crop?: { file: string; png: Buffer };
}

export interface BuildOptions {
  name: string;
  actions: readonly RecordedAction[];
  /** The screen just before the event with this index (the rolling frame at that moment). */
  frameBefore(eventIndex: number): Frame | undefined;
  /** The screen when recording stopped: the "after" of the last step. */
  final?: Frame;
  ocr: Ocr;
  /** Labels of fields whose typed text is secret, besides password/PIN/token fields. */
  secretFields?: string[];
  /** Where secret values go; without one, secret steps still get a placeholder and no value is kept. */
  secrets?: SecretStore;
  /** The folder name of the crops, relative to the macro file (`<name>.crops`). */
  cropDir: string;
  /** A pause at least this long after a step that changed the screen becomes a `wait for`. Default 1000. */
  pauseMs?: number;
  /**
   * Read each screen as a change from the one before (default true): a session's screens
   * differ by a typed word or a message, and only that is read again. False reads every screen
   * whole (slower, the same evidence).
   */
  incremental?: boolean;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface BuildResult {
  steps: RecordedStep[];
  /** Secret names the macro uses (never the values). */
  secrets: string[];
  /** Those whose value could not be stored: `deskpilot secrets set NAME` before replaying. */
  unstored: string[];
}

/**
 * Turns cleaned-up actions into macro steps: a target from the text under the point (else the
 * field's label, an icon name, or the template crop), anchors, a postcondition from what changed
 * on screen, `wait for` steps where the person waited for something, and secrets as placeholders.
 */
export async function buildSteps(o: BuildOptions): Promise<BuildResult> {
  const log = o.logger ?? nullLogger;
  const before = (i: number) => o.frameBefore(o.actions[i]!.first);
  const after = (i: number) => (i + 1 < o.actions.length ? before(i + 1) : undefined) ?? o.final;
  const readings = new Map<Frame, Promise<FrameReading>>();
  const ocr = o.incremental === false ? o.ocr : changesOnly(o.ocr);
  const read = (f: Frame | undefined) => {
    if (!f) return Promise.resolve(undefined);
    let r = readings.get(f);
    if (!r) readings.set(f, (r = readFrame(f, ocr, o.signal)));
    return r;
  };
  // In the order the person saw them, so that each screen is read as a change from the last.
  for (let i = 0; i < o.actions.length; i++) await read(before(i));
  await read(o.final);

  // Pass 1: which typed texts are secrets, so that no later evidence can contain their values.
  const secretAt = new Map<number, string>();
  const taken = new Set<string>();
  const unstored: string[] = [];
  for (let i = 0; i < o.actions.length; i++) {
    const a = o.actions[i]!;
    if (a.kind !== 'type') continue;
    const prev = o.actions[i - 1];
    const field = prev?.kind === 'click' ? fieldAt(await read(before(i - 1)), prev.at) : undefined;
    const masked = await read(after(i));
    const secret = isSecretField({
      typed: a.text,
      ...(field?.text ? { label: field.text } : {}),
      ...(field?.box ? { box: field.box } : {}),
      ...(masked ? { after: masked } : {}),
      ...(o.secretFields ? { marked: o.secretFields } : {}),
    });
    if (!secret) continue;
    const name = secretName(o.name, field?.text, taken);
    taken.add(name);
    secretAt.set(i, name);
    if (o.secrets) {
      // The recording is worth more than the stored value: on failure the person sets it by hand.
      await o.secrets.set(name, a.text).catch((err: unknown) => {
        unstored.push(name);
        log.warn({ name, err: errorMessage(err) }, 'recording: could not store a typed secret');
      });
    } else unstored.push(name);
  }
  const forbidden = [...secretAt.keys()].map((i) => (o.actions[i] as Extract<RecordedAction, { kind: 'type' }>).text);

  // Pass 2: the steps.
  const steps: RecordedStep[] = [];
  let crops = 0;
  for (let i = 0; i < o.actions.length; i++) {
    throwIfAborted(o.signal);
    const a = o.actions[i]!;
    const b = await read(before(i));
    const window = a.window !== undefined ? { window: a.window } : {};
    let rec: RecordedStep;
    if (a.kind === 'click' || a.kind === 'drag') {
      const p = a.kind === 'click' ? a.at : a.from;
      const ev = b ? evidenceAt(b, p, forbidden) : undefined;
      const file = `${String(++crops).padStart(3, '0')}.png`;
      const png = b && ev ? await templateCrop(b.frame, ev.crop) : undefined;
      const target = b && ev ? await targetFor(b, ev, `${o.cropDir}/${file}`) : { point: { x: p.x, y: p.y, space: 'desktop' as const } };
      const mods = a.modifiers.length ? { modifiers: a.modifiers } : {};
      const input: StepInput =
        a.kind === 'click'
          ? { kind: 'click', target, button: a.button, count: a.count, ...mods }
          : { kind: 'drag', from: target, to: dropTarget(b, a.to, forbidden), ...mods };
      rec = {
        step: Step.parse(input),
        anchors: {
          ...(ev?.text !== undefined ? { text: ev.text } : {}),
          ...(png ? { template: file } : {}),
          ...(ev ? { offset: ev.offset } : {}),
          ...(ev?.landmarks.length ? { landmarks: ev.landmarks } : {}),
          ...(ev?.centre ? { at: [ev.centre.x, ev.centre.y] as [number, number] } : {}),
          ...window,
        },
        ...(png ? { crop: { file, png } } : {}),
      };
    } else if (a.kind === 'type') {
      const secret = secretAt.get(i);
      const text = secret ? `{{secret:${secret}}}` : a.text;
      const prev = steps[steps.length - 1];
      // "click the empty field, then type" reads better as one step: type "x" into "Name".
      if (prev?.step.kind === 'click' && prev.step.target.role === 'field' && prev.step.count === 1 && !prev.step.modifiers?.length) {
        steps.pop();
        const { expect: _focusChange, ...kept } = prev;
        rec = { ...kept, step: Step.parse({ kind: 'type', text, target: prev.step.target }) };
      } else rec = { step: Step.parse({ kind: 'type', text }), ...(a.window !== undefined ? { anchors: window } : {}) };
      steps.push(rec);
      continue;
    } else if (a.kind === 'key') {
      rec = { step: Step.parse({ kind: 'key', keys: a.keys, repeat: a.repeat }) };
    } else {
      const ev = b ? evidenceAt(b, a.at, forbidden) : undefined;
      const target = ev?.text !== undefined && !ev.role ? { target: { text: ev.text } } : {};
      rec = { step: Step.parse({ kind: 'scroll', direction: a.direction, amount: a.amount, ...target }) };
    }
    steps.push(rec);
    const next = o.actions[i + 1];
    const aft = await read(after(i));
    if (!b || !aft) continue;
    const change = screenChange(b, aft, forbidden);
    const gap = next ? next.start - a.end : 0;
    if (change.appeared && next && gap >= (o.pauseMs ?? 1000)) {
      // The person waited for this: replay waits for it too, event-driven, instead of sleeping.
      const timeoutMs = Math.max(10_000, Math.ceil((gap * 3) / 1000) * 1000);
      steps.push({ step: Step.parse({ kind: 'wait', for: { text: change.appeared }, timeoutMs }) });
    } else if (change.appeared) rec.expect = { text: change.appeared };
    else if (change.changed) rec.expect = { changed: true };
  }
  log.debug({ steps: steps.length, secrets: taken.size }, 'recorded steps built');
  return { steps, secrets: [...taken], unstored };
}

/** An OCR that reads each frame as a change from the frame it read before. */
function changesOnly(ocr: Ocr): Ocr {
  const reader = new IncrementalOcr(ocr);
  return {
    recognize: (image, options) => (options?.region ? ocr.recognize(image, options) : reader.recognize(image as Frame, options?.signal)),
    dispose: () => Promise.resolve(),
  };
}

function fieldAt(r: FrameReading | undefined, p: Point): PointEvidence | undefined {
  return r ? evidenceAt(r, p) : undefined;
}

/** Text first; a recognised icon next; the template crop last. */
async function targetFor(r: FrameReading, ev: PointEvidence, image: string): Promise<Target> {
  if (ev.text !== undefined) return { text: ev.text, ...(ev.role ? { role: ev.role } : {}) };
  const el = r.elements.find((e) => ev.box && e.box.x === ev.box.x && e.box.y === ev.box.y && e.box.width === ev.box.width);
  if (el) {
    const [icon] = await recogniseIcons(r.frame, [el]);
    if (icon && icon.score >= MIN_ICON_SCORE) return { description: `${icon.name} icon`, image, role: 'icon' };
  }
  return { image };
}

function dropTarget(r: FrameReading | undefined, p: Point, forbidden: readonly string[]): Target {
  const ev = r ? evidenceAt(r, p, forbidden) : undefined;
  return ev?.text !== undefined ? { text: ev.text } : { point: { x: p.x, y: p.y, space: 'desktop' } };
}
