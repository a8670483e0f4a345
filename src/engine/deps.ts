import type { Policy } from '../actions/policy/policy.js';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import type { Point } from '../shared/geometry.js';
import type { Confirmer, Frame, Grounder, InputDriver, Observation, ScreenSource, SecretStore, Store } from '../shared/ports.js';
import type { EngineListener } from './events.js';
import type { ActiveWindow } from './observe.js';

/** Everything the engine works with, built once by a composition root (CLI, app, runner). */
export interface EngineDeps {
  screen: ScreenSource;
  input: InputDriver;
  grounder: Grounder;
  store: Store;
  policy: Policy;
  confirmer: Confirmer;
  logger: Logger;
  config: Pick<Config, 'engine' | 'safety'>;
  secrets?: SecretStore;
  /** Told every secret value the driver is about to type, so logs and reports can mask it. */
  onSecretUsed?: (value: string) => void;
  /** Blacks out where secret values show on a screenshot before it is stored. */
  maskFrame?: (frame: Frame, secretValues: string[]) => Promise<Frame>;
  /** Screen text around a target (the dialog title, neighbouring words), for the safety policy. */
  nearbyText?: (observation: Observation, point: Point) => Promise<string[]>;
  /** The focused window, for the safety policy and the run log. */
  activeWindow?: () => Promise<ActiveWindow | undefined>;
  /** Environment for launched apps (DISPLAY). */
  env?: NodeJS.ProcessEnv;
  displayId?: string;
  listener?: EngineListener;
}
