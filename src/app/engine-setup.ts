import { createInputDriver, Failsafe, GuardedInputDriver, type PointerProbe } from '../actions/index.js';
import { watchKeyboard, type KeyboardWatch } from '../actions/keyboard-watch.js';
import { readFileSync } from 'node:fs';
import { Policy } from '../actions/policy/policy.js';
import { ConfigError } from '../shared/errors.js';
import { RunControl } from '../engine/control.js';
import type { EngineDeps } from '../engine/deps.js';
import { Engine } from '../engine/engine.js';
import type { EngineListener } from '../engine/events.js';
import type { ObservationPerception } from '../grounding/perception.js';
import { diffFrames } from '../perception/diff.js';
import { encodeJpeg, resizeToBudget } from '../perception/image.js';
import { readMonitorsWith } from '../perception/displays.js';
import { createScreenSource } from '../perception/index.js';
import { randrMonitors } from '../actions/x11-monitors.js';
import { PlannerStepSource } from '../planner/agent/planner.js';
import { OpenAiModelClient } from '../planner/model/client.js';
import type { Confirmer, Frame, Grounder, InputDriver, ModelClient, ScreenSource, SecretStore, UiElement } from '../shared/ports.js';
import { blackOut, secretBoxes } from '../grounding/secret-mask.js';
import { openSecretStore } from '../storage/secrets/index.js';
import type { AppContext } from './context.js';
import type { Ocr, OcrResult } from '../perception/ocr/types.js';
import { boxToDesktop } from '../shared/coords.js';
import type { Point } from '../shared/geometry.js';
import { setupGrounding } from './grounding-setup.js';
import { modelCacheDir, modelCacheIn, setModelCacheDir } from '../perception/ocr/cache-dir.js';
import { sopFor } from './sop.js';
import { activeWindowReader } from './window.js';

export interface EngineSetupOptions {
  confirmer: Confirmer;
  listener?: EngineListener;
  /** Record the input calls instead of sending them. */
  dryRun?: boolean;
  /**
   * Watch the global keyboard for a person taking over (default true). The hook's X connection
   * outlives `stop()`, and Xlib ends the process when that X server goes away: tests that stop
   * their private X server inside the process turn it off (test/desktop/takeover.test.ts covers
   * the hook in a child process).
   */
  keyboardHook?: boolean;
  /**
   * The mouse/keyboard takeover watch and the corner failsafe (default on). Off only on a private
   * virtual display nobody can see or touch (test workers): there it would poll the pointer for
   * nothing, 50 times a second.
   */
  failsafe?: boolean;
  /** Where `{{secret:NAME}}` values come from; the data dir's store (keychain or encrypted file) when absent. */
  secrets?: SecretStore;
  /** Makes the screen source (the desktop app's: desktopCapturer or nut-js, its widget masked); createScreenSource when absent. */
  screen?: () => Promise<ScreenSource>;
  /** The OCR to read screens with (a test worker's: the run's shared OCR server); createOcr() when absent. */
  ocr?: Ocr;
}

export interface EngineSetup {
  engine: Engine;
  control: RunControl;
  deps: EngineDeps;
  perception: ObservationPerception;
  /** What macro replay takes from the config: the template threshold and the VLM rung when a grounder model is set. */
  replayOptions: { templateThreshold: number; vlm?: Grounder };
  /** The planner for a free-form task; undefined when no planner model is configured. */
  planner(task: string): PlannerStepSource | undefined;
  /** The planner on a given model client (tests, benchmarks, a model chosen per task). */
  plannerWith(task: string, model: ModelClient): PlannerStepSource;
  dispose(): Promise<void>;
}

/** Builds the engine with the real ports: capture, input with the kill switch, OCR grounding, policy. */
export async function setupEngine(app: AppContext, options: EngineSetupOptions): Promise<EngineSetup> {
  const { logger, config } = app;
  const env = { ...process.env, ...(app.display ? { DISPLAY: app.display } : {}) };
  // The display layout over this process's X connection, not an xrandr run per look (X11 only).
  if (process.platform === 'linux') readMonitorsWith(randrMonitors);
  const screen = options.screen ? await options.screen() : await createScreenSource({ ...(app.display ? { display: app.display } : {}), logger });
  const control = new RunControl();
  const raw = await createInputDriver({ ...(app.display ? { display: app.display } : {}), logger, dryRun: options.dryRun ?? false, env });
  let failsafe: Failsafe | undefined;
  let keyboard: KeyboardWatch | undefined;
  // The guarded driver wraps the failsafe, and the failsafe's takeover holds the guarded driver.
  const ref: { guarded?: GuardedInputDriver } = {};
  if (!options.dryRun && options.failsafe !== false && isProbe(raw)) {
    const displays = await screen.listDisplays();
    // Taking the mouse or keyboard pauses the run (the step in flight stops); resuming re-runs
    // that step. A pointer pushed into a screen corner stops the run.
    failsafe = new Failsafe({
      probe: raw,
      screens: displays.map((d) => d.bounds),
      logger,
      onTakeover: (message) => {
        ref.guarded?.holdForPerson(message);
        control.pause(message);
      },
    });
    await failsafe.start(control.controller);
    if (options.keyboardHook !== false) keyboard = await watchKeyboard(() => failsafe?.noteKey(), logger);
    control.onChange((paused) => {
      if (paused) return;
      ref.guarded?.resume();
      void failsafe?.start(control.controller);
    });
  }
  ref.guarded = new GuardedInputDriver(raw, { controller: control.controller, ...(failsafe ? { failsafe } : {}) });
  const input: InputDriver = ref.guarded;
  if (!modelCacheDir()) setModelCacheDir(modelCacheIn(app.dataDir));
  const { grounder, perception, ocr, byName } = setupGrounding(config, logger, process.cwd(), options.ocr);
  const store = await app.store();
  const maskFrame = async (frame: Frame, values: Iterable<string>): Promise<Frame> =>
    blackOut(frame, secretBoxes(await perception.ocr({ frame, displays: [] }), values));
  const deps: EngineDeps = {
    screen,
    input,
    grounder,
    store,
    policy: loadPolicy(config),
    confirmer: options.confirmer,
    logger,
    config,
    secrets: options.secrets ?? (await openSecretStore({ dataDir: app.dataDir })),
    onSecretUsed: (v) => app.secrets.add(v),
    maskFrame,
    activeWindow: activeWindowReader(env),
    nearbyText: async (obs, point) => textAround(await perception.ocr(obs), obs.frame, point),
    env,
    ...(options.listener ? { listener: options.listener } : {}),
  };
  const model = config.models.planner ? new OpenAiModelClient({ endpoints: config.models, logger }) : undefined;
  const plannerWith = (task: string, client: ModelClient) => {
    const sop = sopFor(task, store, app.dataDir);
    return new PlannerStepSource(task, {
      ...(sop ? { sop } : {}),
      model: client,
      // The model sees secret NAMES only: values that show on screen are masked in the
      // perception list and blacked out of the screenshot it is sent.
      perceive: async (obs, signal) => hideSecrets(await perception.elements(obs, signal), app.secrets),
      encodeForModel: async (frame) => encodeForModel(app.secrets.size ? await maskFrame(frame, app.secrets) : frame),
      changes: (a, b) => diffFrames(a, b, { minArea: 64 }).regions.map((r) => r.desktop),
      logger,
      onInjection: (t, runId) => store.audit.append({ runId, stepIndex: null, action: 'screen text', decision: 'info', actor: 'planner', detail: { injectionSuspected: t } }),
    });
  };
  return {
    engine: new Engine(deps),
    control,
    deps,
    perception,
    replayOptions: { templateThreshold: config.grounding.templateThreshold, ...(byName['vlm'] ? { vlm: byName['vlm'] } : {}) },
    planner: (task) => (model ? plannerWith(task, model) : undefined),
    plannerWith,
    async dispose() {
      failsafe?.stop();
      keyboard?.stop();
      await Promise.allSettled([raw.dispose(), screen.dispose(), ocr.dispose()]);
    },
  };
}

/** The default policy, extended by the user's policy file when the config names one. */
export function loadPolicy(config: AppContext['config']): Policy {
  const file = config.safety.policyFile;
  if (!file) return Policy.load({ allowApps: config.safety.allowApps });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`safety.policyFile: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return Policy.load({ allowApps: config.safety.allowApps, userYaml: text, userFile: file });
}

/**
 * OCR lines around a desktop point, nearest first: what a person sees around the button they
 * are about to press (a dialog's title and question sit above its buttons).
 */
function textAround(ocr: OcrResult, frame: Frame, point: Point): string[] {
  return ocr.lines
    .map((l) => {
      const b = boxToDesktop({ ...l.box, space: 'screen' }, { frame });
      const dx = b.x + b.width / 2 - point.x;
      const dy = b.y + b.height / 2 - point.y;
      return { text: l.text, dx, dy, d: Math.hypot(dx, dy) };
    })
    .filter((l) => Math.abs(l.dx) < 400 && l.dy > -320 && l.dy < 120)
    .sort((a, b) => a.d - b.d)
    .slice(0, 8)
    .map((l) => l.text);
}

function hideSecrets(elements: UiElement[], values: Set<string>): UiElement[] {
  if (values.size === 0) return elements;
  const secret = [...values].filter((v) => v.length >= 3);
  return elements.map((e) => (e.text && secret.some((v) => e.text!.includes(v)) ? { ...e, text: '[secret]' } : e));
}

function isProbe(d: InputDriver): d is InputDriver & PointerProbe {
  return typeof (d as Partial<PointerProbe>).pointer === 'function' && typeof (d as Partial<PointerProbe>).desktop === 'function';
}

async function encodeForModel(frame: Frame) {
  const img = await resizeToBudget(frame);
  const jpeg = await encodeJpeg(img, { quality: 80 });
  return { base64: jpeg.toString('base64'), mime: 'image/jpeg' as const, width: img.width, height: img.height };
}
