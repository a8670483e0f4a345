import type { AppContext } from '../app/context.js';
import type { EngineSetup } from '../app/engine-setup.js';
import type { Channel } from '../shared/ipc.js';
import type { Handlers } from './dispatch.js';
import type { EventSink } from './service.js';

/**
 * What a screen's handlers get from the service (src/host/service.ts): the app, the event fan-out
 * and the one-mouse lock. Each area (macros, test runs, settings) lives in its own file.
 */
export interface AreaDeps {
  app: AppContext;
  emit: EventSink;
  /** Keyboard hook on/off, as for the chat's engine (tests that stop X in-process turn it off). */
  keyboardHook: boolean;
  /** The service's engine and its one-run-at-a-time lock, shared with the chat. */
  mouse: MouseLock;
}

/** There is one mouse: a run (chat, replay) or a recording has it, one at a time. */
export interface MouseLock {
  /**
   * Runs `body` on the service's engine under the lock (RUN_ACTIVE when taken); resolves with the
   * run's id once the engine created it. run.pause/resume/stop and the stop hotkey control it.
   */
  startRun(dryRun: boolean, body: (setup: EngineSetup) => Promise<{ run: { id: string } }>): Promise<{ runId: string }>;
  /** Takes the lock for something that is not a run (`what`, in words); call the result to release it. */
  hold(what: string): Promise<() => void>;
}

/** The handlers of one area: exactly the channels it declares in its ipc-*.ts file. */
export type AreaHandlers<K extends Channel> = Pick<Handlers, K>;

/** An area's resources to release when the app closes. */
export interface Area<K extends Channel> {
  handlers: AreaHandlers<K>;
  dispose(): Promise<void>;
}
