import type { Handlers } from '../../../src/host/dispatch.js';
import type { DeskService, EventSink } from '../../../src/host/service.js';
import { AppError } from '../../../src/shared/errors.js';
import type { macroChannels } from '../../../src/shared/ipc-macros.js';
import type { settingsChannels } from '../../../src/shared/ipc-settings.js';

/** A DeskService with scripted answers, to test the transports without an engine or a display. */
export function fakeService(overrides: Partial<Handlers> = {}): DeskService & { emit: EventSink; started: string[]; stops: string[] } {
  const listeners = new Set<EventSink>();
  const started: string[] = [];
  const stops: string[] = [];
  let active: string | undefined;
  const handlers: Handlers = {
    'run.start': ({ text }) => {
      started.push(text);
      active = 'run-1';
      return Promise.resolve({ runId: 'run-1' });
    },
    'run.pause': () => Promise.resolve({}),
    'run.resume': () => Promise.resolve({}),
    'run.stop': ({ runId }) => (runId === active ? Promise.resolve({}) : Promise.reject(new AppError('RUN_NOT_ACTIVE', `run ${runId} is not running`))),
    'confirm.answer': () => Promise.resolve({ accepted: true }),
    'runs.list': () => Promise.resolve([]),
    'runs.get': ({ id }) => Promise.reject(new AppError('RUN_NOT_FOUND', `no run with id ${id}`)),
    'models.check': () => Promise.resolve([]),
    'settings.get': () => Promise.resolve({ models: { planner: null, grounder: null }, cascade: ['text'], confirmTimeoutMs: 1000, dataDir: '/tmp', display: null, ui: {} }),
    'settings.set': () => Promise.resolve({}),
    'tests.files': () => Promise.resolve({ cwd: '/tmp', pattern: 'examples/**/*.yaml', files: [] }),
    'tests.run': () => Promise.reject(new AppError('TEST_RUN_ACTIVE', 'a test run is still running')),
    'tests.stop': ({ runId }) => Promise.reject(new AppError('TEST_RUN_NOT_ACTIVE', `test run ${runId} is not running`)),
    'tests.runs': () => Promise.resolve([]),
    ...fakeSettingsHandlers(),
    ...fakeMacroHandlers(),
    ...overrides,
  };
  return {
    handlers,
    started,
    stops,
    emit: (event, payload) => listeners.forEach((l) => l(event, payload)),
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    openConfirmations: () => [],
    stopActive(reason) {
      if (!active) return false;
      stops.push(reason);
      active = undefined;
      return true;
    },
    dispose: () => Promise.resolve(),
  };
}

/** The settings screen's channels (src/shared/ipc-settings.ts), answering an empty configuration. */
function fakeSettingsHandlers(): Pick<Handlers, keyof typeof settingsChannels> {
  const view = {
    endpoints: [],
    grounding: { cascade: ['text'], rungs: ['text'], templateThreshold: 0.7, minConfidence: 0.5 },
    safety: { allowApps: [], confirmTimeoutMs: 1000, policyFile: null, rules: [] },
    dataDir: '/tmp',
    dataDirHow: 'the platform default',
    configFile: '/tmp/config.yaml',
    configFileFound: false,
    saved: [],
  };
  const answer = () => Promise.resolve(view);
  return {
    'settings.config': answer,
    'settings.endpoint.save': answer,
    'settings.endpoint.check': () => Promise.resolve([]),
    'settings.grounding.save': answer,
    'settings.safety.save': answer,
    'settings.reset': answer,
    'secrets.list': () => Promise.resolve({ store: 'none', names: [] }),
    'secrets.set': () => Promise.resolve({}),
    'secrets.delete': () => Promise.resolve({ removed: false }),
  };
}

/** The macros screen's channels (src/shared/ipc-macros.ts): an empty library, no recorder. */
function fakeMacroHandlers(): Pick<Handlers, keyof typeof macroChannels> {
  const none = (name: string) => Promise.reject(new AppError('USER_INPUT', `no macro "${name}"`));
  return {
    'macros.list': () => Promise.resolve([]),
    'macros.get': ({ name }) => none(name),
    'macros.saveYaml': ({ name }) => none(name),
    'macros.saveForm': ({ name }) => none(name),
    'macros.record.start': () => Promise.reject(new AppError('RUN_ACTIVE', 'a run is already in progress')),
    'macros.record.state': () => Promise.resolve(null),
    'macros.record.stop': () => Promise.reject(new AppError('NOT_RECORDING', 'nothing is being recorded')),
    'macros.replay': ({ name }) => none(name),
    'macros.heal.get': ({ name }) => none(name),
    'macros.heal.apply': ({ name }) => none(name),
    'macros.heal.discard': ({ name }) => none(name),
  };
}
