import type { AppContext } from '../app/context.js';
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
}

/** The handlers of one area: exactly the channels it declares in its ipc-*.ts file. */
export type AreaHandlers<K extends Channel> = Pick<Handlers, K>;

/** An area's resources to release when the app closes. */
export interface Area<K extends Channel> {
  handlers: AreaHandlers<K>;
  dispose(): Promise<void>;
}
