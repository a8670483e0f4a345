import { waitForSettle } from '../perception/settle.js';
import { AppError, GroundingError, throwIfAborted } from '../shared/errors.js';
import type { Location, Observation } from '../shared/ports.js';
import type { Resolution } from '../shared/records.js';
import { stepTargets, type Step } from '../shared/steps.js';
import { assertTarget, waitForTarget } from './checks.js';
import type { EngineDeps } from './deps.js';
import { executeInput } from './execute.js';
import type { SafetyGate } from './gate.js';
import { launchApp } from './launch.js';
import type { Observer } from './observe.js';
import { resolveTarget } from './resolve.js';

/**
 * How long an acted-on app gets to start repainting before a still screen counts as "the step
 * changed nothing". Without it, a click's repaint a frame late (Chromium under load) was missed:
 * the after-screenshot showed the old page and the planner's check saw no effect.
 */
const ACTION_REACT_MS = 100;

export interface StepRunState {
  runId: string;
  index: number;
  /** What was typed in a terminal since the last Enter. */
  terminalLine: string;
}

export interface StepRunResult {
  resolution: Resolution | null;
  timings: Record<string, number>;
  afterScreenshotId: string | null;
  takeOver: boolean;
}

/** One step: resolve its targets, pass the safety gate, act, and wait for the screen to settle. */
export async function runStep(
  deps: EngineDeps,
  observer: Observer,
  gate: SafetyGate,
  obs: Observation & { app?: string },
  step: Step,
  state: StepRunState,
  signal: AbortSignal,
): Promise<StepRunResult> {
  const timings: Record<string, number> = {};
  const lap = (name: string, t0: number) => (timings[name] = Math.round(performance.now() - t0));
  let t = performance.now();
  if (step.kind === 'wait' || step.kind === 'assert') {
    const loc = await check(deps, obs, step, signal);
    lap('check', t);
    return { resolution: loc ?? null, timings, afterScreenshotId: null, takeOver: false };
  }
  const ground = async (on: Observation): Promise<Location[]> => {
    const found: Location[] = [];
    for (const target of stepTargets(step)) found.push(await resolveTarget(on, target, deps.grounder, signal));
    return found;
  };
  let locations: Location[];
  try {
    locations = await ground(obs);
  } catch (err) {
    if (!(err instanceof GroundingError) || err.code !== 'GROUNDING_NOT_FOUND') throw err;
    // The last step's repaint may have come a frame late (its settle saw the screen still): once
    // the screen is quiet, a screen that changed since this step's observation is read again.
    const again = await observer.lookAgain(state.runId, obs, 100, signal);
    if (again === obs) throw err;
    obs = { ...again, ...(obs.app ? { app: obs.app } : {}) };
    locations = await ground(obs);
  }
  lap('ground', t);
  if (locations.length) {
    const screenshotId = await observer.annotated(state.runId, obs.frame, locations);
    deps.listener?.({ type: 'target_resolved', runId: state.runId, index: state.index, resolution: strip(locations[0]!), screenshotId });
  }

  t = performance.now();
  const nearby = locations[0] && deps.nearbyText ? await deps.nearbyText(obs, locations[0].point).catch(() => []) : [];
  const verdict = await gate.check(
    {
      step,
      ...(nearby.length ? { nearbyText: nearby } : {}),
      ...(locations[0]?.text ? { targetText: locations.map((l) => l.text ?? '').join(' ') } : {}),
      ...(obs.windowTitle ? { windowTitle: obs.windowTitle } : {}),
      ...(obs.app ? { app: obs.app } : {}),
      terminalLine: state.terminalLine,
    },
    { runId: state.runId, step, ...(obs.screenshotId ? { screenshotId: obs.screenshotId } : {}), ...(locations[0] ? { point: locations[0].point } : {}) },
    state.index,
    (reasons) => deps.listener?.({ type: 'confirmation_needed', runId: state.runId, index: state.index, reasons, ...(obs.screenshotId ? { screenshotId: obs.screenshotId } : {}) }),
    signal,
  );
  lap('gate', t);
  if (!verdict.go) return { resolution: locations[0] ? strip(locations[0]) : null, timings, afterScreenshotId: null, takeOver: true };

  t = performance.now();
  throwIfAborted(signal);
  /** The screen the step's input went to: what the settle after it must see change. */
  let actedOn = obs.frame;
  if (step.kind === 'launch') {
    await launchApp(step.app, step.args, deps.env ?? process.env);
  } else {
    // A field clicked to type into first shows that it has the focus (caret, focus ring; at most
    // ACTION_REACT_MS when nothing changes): the first keys of `type "…" into "Message"` were seen
    // landing in the field focused before, the page not having handled the click yet (a macro
    // replay in headed Chromium on a loaded CI machine: "he" of "hello" in the email field).
    // The settle after the step then waits for the typing to show on that screen, not the focus.
    const fieldFocused = async () => {
      const focused = await waitForSettle(deps.screen, {
        timeoutMs: 1000,
        reactMs: ACTION_REACT_MS,
        before: actedOn,
        signal,
        ...(deps.displayId ? { displayId: deps.displayId } : {}),
      });
      actedOn = focused.frame;
    };
    await executeInput(step, locations.map((l) => l.point), deps.input, (text) => resolveSecrets(deps, text, observer.secretValues), signal, fieldFocused);
  }
  trackTerminal(state, step);
  lap('act', t);

  t = performance.now();
  const settle = await waitForSettle(deps.screen, {
    timeoutMs: step.kind === 'launch' ? 8000 : 3000,
    reactMs: ACTION_REACT_MS,
    before: actedOn,
    signal,
    ...(deps.displayId ? { displayId: deps.displayId } : {}),
  });
  lap('settle', t);
  const afterScreenshotId = await observer.save(state.runId, settle.frame);
  return { resolution: locations[0] ? strip(locations[0]) : null, timings, afterScreenshotId, takeOver: false };
}

function strip(l: Location): Resolution {
  const { alternatives: _alternatives, ...r } = l;
  return r;
}

async function check(deps: EngineDeps, obs: Observation, step: Step & { kind: 'wait' | 'assert' }, signal: AbortSignal) {
  if (step.kind === 'assert') return assertTarget(deps.grounder, obs, step.target, step.condition, signal);
  if (step.for) return waitForTarget(deps.screen, deps.grounder, obs, step.for, step.timeoutMs ?? 10_000, signal);
  if (step.ms !== undefined) {
    // An explicit pause the person asked for ("wait 2s"), not a guess about the app.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, step.ms);
      signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason as Error)), { once: true });
    });
    return undefined;
  }
  await waitForSettle(deps.screen, { timeoutMs: step.timeoutMs ?? 10_000, signal });
  return undefined;
}

async function resolveSecrets(deps: EngineDeps, text: string, used: string[]): Promise<string> {
  const names = [...text.matchAll(/\{\{secret:([\w.-]+)\}\}/g)].map((m) => m[1]!);
  let out = text;
  for (const name of new Set(names)) {
    const value = await deps.secrets?.get(name);
    if (value === undefined) throw new AppError('SECRET_MISSING', `the secret "${name}" is not set (deskpilot secrets set ${name})`);
    deps.onSecretUsed?.(value);
    if (!used.includes(value)) used.push(value);
    out = out.split(`{{secret:${name}}}`).join(value);
  }
  return out;
}

function trackTerminal(state: StepRunState, step: Step): void {
  if (step.kind === 'type') {
    const parts = (state.terminalLine + step.text).split(/\r?\n|\r/);
    state.terminalLine = parts[parts.length - 1] ?? '';
  } else if (step.kind === 'key' && /^(enter|return|kp_enter)$/i.test(step.keys)) {
    state.terminalLine = '';
  } else if (step.kind === 'key' && /^ctrl\+c$/i.test(step.keys)) {
    state.terminalLine = '';
  }
}
