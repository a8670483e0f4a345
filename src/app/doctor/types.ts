import type { Config } from '../../shared/config.js';
import type { Logger } from '../../shared/logger.js';

/** One line of `deskpilot doctor`: what was checked, how it went, and how to fix it. */
export interface CheckResult {
  name: string;
  status: 'ok' | 'fail' | 'skip';
  /** What was found, in one line: a size, a path, a status code. */
  detail: string;
  /** For a failure: the one thing to try next. */
  hint?: string;
}

export interface DoctorContext {
  config: Config;
  /** The resolved data dir (config, env, flag or platform default). */
  dataDir: string;
  /** The X display to check (config.display or $DISPLAY); undefined when neither is set. */
  display: string | undefined;
  platform: NodeJS.Platform;
  logger: Logger;
}

export interface Check {
  name: string;
  /** Names of checks whose failure makes this one pointless (it is skipped instead). */
  needs?: string[];
  /** Seconds the check may take before it counts as failed. */
  timeoutMs: number;
  run(ctx: DoctorContext, signal: AbortSignal): Promise<Omit<CheckResult, 'name'>>;
}
