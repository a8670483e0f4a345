import type { Handlers } from '../../../src/host/dispatch.js';
import type { DeskService, EventSink } from '../../../src/host/service.js';
import { AppError } from '../../../src/shared/errors.js';

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
