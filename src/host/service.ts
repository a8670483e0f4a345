import type { AppContext } from '../app/context.js';
import { setupEngine, type EngineSetup } from '../app/engine-setup.js';
import { checkModels } from '../app/models-check.js';
import type { EngineEvent } from '../engine/events.js';
import { ListStepSource } from '../engine/sources.js';
import { looksLikeCommands } from '../planner/commands/looks-like.js';
import { parseCommands } from '../planner/commands/parse.js';
import { AppError, UserInputError } from '../shared/errors.js';
import type { EndpointView, IpcEvents, SettingsView } from '../shared/ipc.js';
import type { ModelEndpoint } from '../shared/config.js';
import type { ScreenSource, StepSource } from '../shared/ports.js';
import type { MouseLock } from './area.js';
import type { Handlers } from './dispatch.js';
import { macroArea } from './macro-area.js';
import { settingsArea } from './settings-area.js';
import { appSecretStore, appWithSettings, configForCheck } from './settings-config.js';
import { testArea } from './test-area.js';
import { UiConfirmer } from './ui-confirmer.js';

export type EventSink = <E extends keyof IpcEvents>(event: E, payload: IpcEvents[E]) => void;

export interface DeskServiceOptions {
  /** Off in tests that stop their X server in-process (see EngineSetupOptions.keyboardHook). */
  keyboardHook?: boolean;
  /** The engine's screen source maker (the Electron app's masked capture); nut-js/screenshot when absent. */
  screen?: () => Promise<ScreenSource>;
}

export interface DeskService {
  handlers: Handlers;
  /** Everything the UI is told; the transports fan it out. */
  subscribe(listener: EventSink): () => void;
  /** Confirmation cards still waiting, for a UI that connects late. */
  openConfirmations(): IpcEvents['confirm.request'][];
  /** Stops the run in progress (hotkey, window closing); false when none is running. */
  stopActive(reason: string): boolean;
  dispose(): Promise<void>;
}

/**
 * What the UI can ask of the app: runs on the real engine (one at a time — there is one mouse),
 * their history, the model check and the settings. The engine is set up on the first run and
 * set up again after a stop, because a run's stop aborts its input driver for good.
 */
export function createDeskService(app: AppContext, options: DeskServiceOptions = {}): DeskService {
  const listeners = new Set<EventSink>();
  const emit: EventSink = (event, payload) => {
    for (const l of listeners) l(event, payload);
  };
  const confirmer = new UiConfirmer(emit);
  // Keyed by dry-run and the config: a setting saved in the app applies from the next run.
  let setup: { key: string; value: Promise<EngineSetup> } | undefined;
  let active: { runId: string; setup: EngineSetup; done: Promise<unknown> } | undefined;
  let starting = false;

  const onEngine = (e: EngineEvent) => {
    // The engine subscribes each run to the shared RunControl and never unsubscribes, so a pause
    // also reports every finished run as paused: only the active run's pause/resume is news.
    if ((e.type === 'run_paused' || e.type === 'run_resumed') && e.runId !== active?.runId) return;
    if (e.type === 'target_resolved') confirmer.noteAnnotated(e.runId, e.screenshotId);
    emit('engine', e);
  };

  async function engineFor(dryRun: boolean): Promise<EngineSetup> {
    const current = await appWithSettings(app);
    const key = JSON.stringify([dryRun, current.config]);
    if (setup && setup.key === key) {
      const s = await setup.value;
      if (!s.control.signal.aborted) return s;
    }
    if (setup) await (await setup.value.catch(() => undefined))?.dispose();
    setup = { key, value: setupEngine(current, { confirmer, dryRun, listener: onEngine, keyboardHook: options.keyboardHook ?? true, secrets: await appSecretStore(app), ...(options.screen ? { screen: options.screen } : {}) }) };
    setup.value.catch(() => (setup = undefined));
    return setup.value;
  }

  function sourceFor(text: string, s: EngineSetup): { source: StepSource; kind: 'command' | 'chat' } {
    try {
      return { source: new ListStepSource(parseCommands(text, 'chat').map((c) => c.step)), kind: 'command' };
    } catch (err) {
      // A mistyped command gets its parse error, not a trip through the planner.
      if (looksLikeCommands(text) && err instanceof UserInputError) throw err;
      const planner = s.planner(text);
      if (planner) return { source: planner, kind: 'chat' };
      const why = err instanceof UserInputError ? err.message : 'not a command';
      throw new UserInputError(`${why}. With no planner model configured, only direct commands work: click "Save"; type "hi" into "Name"; press ctrl+s.`);
    }
  }

  const runOf = (runId: string) => {
    if (!active || active.runId !== runId) throw new AppError('RUN_NOT_ACTIVE', `run ${runId} is not running`);
    return active;
  };

  /**
   * One run at a time on the service's engine (there is one mouse): the chat's runs and the
   * areas' (a macro replay) alike. Resolves with the run's id once the engine has created it.
   */
  async function startRun(dryRun: boolean, body: (s: EngineSetup) => Promise<{ run: { id: string } }>): Promise<{ runId: string }> {
    if (active || starting || held) throw busy();
    starting = true;
    try {
      const s = await engineFor(dryRun);
      return await new Promise<{ runId: string }>((resolve, reject) => {
        const run: { finished?: Promise<unknown> } = {};
        // The run's id exists once the engine has created it: its first event carries it
        // (emitted synchronously inside engine.run, before `finished` is assigned).
        const off = subscribeOnce((e) => {
          if (e.type !== 'run_started') return false;
          active = { runId: e.runId, setup: s, done: Promise.resolve().then(() => run.finished) };
          resolve({ runId: e.runId });
          return true;
        });
        let started: Promise<{ run: { id: string } }>;
        try {
          started = body(s);
        } catch (err) {
          off();
          reject(err instanceof Error ? err : new AppError('INTERNAL', String(err)));
          return;
        }
        run.finished = started
          .then((r) => confirmer.closeRun(r.run.id), reject)
          .finally(() => {
            off();
            active = undefined;
          });
      });
    } finally {
      starting = false;
    }
  }

  /** What holds the mouse besides a run (a recording), in words; undefined when free. */
  let held: string | undefined;
  const busy = () => new AppError('RUN_ACTIVE', held ? `${held} is in progress: stop it first` : 'a run is already in progress: stop it or wait for it to finish');
  const mouse: MouseLock = {
    startRun,
    async hold(what) {
      if (active || starting || held) throw busy();
      held = what;
      // The recorder hooks the global input itself: the engine's hooks go, the next run sets it up again.
      const old = setup;
      setup = undefined;
      await (await old?.value.catch(() => undefined))?.dispose();
      return () => {
        if (held === what) held = undefined;
      };
    },
  };

  const areaDeps = { app, emit, keyboardHook: options.keyboardHook ?? true, mouse };
  const areas = [macroArea(areaDeps), testArea(areaDeps), settingsArea(areaDeps)] as const;

  const handlers: Handlers = {
    ...areas[0].handlers,
    ...areas[1].handlers,
    ...areas[2].handlers,
    'run.start': ({ text, dryRun }) =>
      startRun(dryRun ?? false, (s) => {
        const { source, kind } = sourceFor(text, s);
        return s.engine.run({ source, title: text, kind, control: s.control });
      }),
    'run.pause': ({ runId }) => (runOf(runId).setup.control.pause('paused from the app'), Promise.resolve({})),
    'run.resume': ({ runId }) => (runOf(runId).setup.control.resume(), Promise.resolve({})),
    'run.stop': ({ runId }) => (runOf(runId).setup.control.stop('stopped from the app'), Promise.resolve({})),
    'confirm.answer': ({ requestId, answer }) => Promise.resolve({ accepted: confirmer.answer(requestId, answer) }),
    async 'runs.list'({ limit }) {
      return (await app.store()).runs.list({ limit: limit ?? 50 });
    },
    async 'runs.get'({ id }) {
      const store = await app.store();
      const run = store.runs.get(id);
      if (!run) throw new AppError('RUN_NOT_FOUND', `no run with id ${id}`);
      return { run, steps: store.steps.listForRun(id) };
    },
    'models.check': async () => checkModels(await configForCheck(app, await appSecretStore(app))),
    async 'settings.get'() {
      const store = await app.store();
      const { config } = await appWithSettings(app).catch(() => app);
      const ui = Object.fromEntries(['ui.dryRun', 'ui.historyLimit'].flatMap((k) => (store.settings.get(k) === undefined ? [] : [[k, store.settings.get(k)]])));
      const view: SettingsView = {
        models: { planner: endpointView(config.models.planner), grounder: endpointView(config.models.grounder) },
        cascade: config.grounding.cascade,
        confirmTimeoutMs: config.safety.confirmTimeoutMs,
        dataDir: app.dataDir,
        display: app.display ?? null,
        ui,
      };
      return view;
    },
    async 'settings.set'({ key, value }) {
      (await app.store()).settings.set(key, value);
      return {};
    },
  };

  const engineWatchers = new Set<(e: EngineEvent) => boolean>();
  function subscribeOnce(watch: (e: EngineEvent) => boolean): () => void {
    const w = (e: EngineEvent) => watch(e) && engineWatchers.delete(w);
    engineWatchers.add(w);
    return () => engineWatchers.delete(w);
  }
  listeners.add((event, payload) => {
    if (event === 'engine') for (const w of [...engineWatchers]) w(payload as EngineEvent);
  });

  return {
    handlers,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    openConfirmations: () => confirmer.open(),
    stopActive(reason) {
      if (!active) return false;
      active.setup.control.stop(reason);
      return true;
    },
    async dispose() {
      if (active) {
        active.setup.control.stop('the app is closing');
        await active.done.catch(() => undefined);
      }
      if (setup) await (await setup.value.catch(() => undefined))?.dispose();
      await Promise.all(areas.map((a) => a.dispose()));
      listeners.clear();
    },
  };
}

function endpointView(e: ModelEndpoint | undefined): EndpointView | null {
  return e ? { baseURL: e.baseURL, model: e.model, hasKey: Boolean(e.apiKey) } : null;
}
