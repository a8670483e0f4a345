import type { Logger } from '../shared/logger.js';
import type { ScreenSource } from '../shared/ports.js';
import { CaptureError, errorMessage } from '../shared/errors.js';
import { nullLogger } from '../shared/logger.js';
import { NutScreenSource } from './nut-source.js';
import { DesktopScreenshotSource } from './screenshot-source.js';

export interface ScreenSourceOptions {
  /** X display such as ":0"; the inherited DISPLAY when absent. */
  display?: string;
  /** Which adapter to try first; the other is the fallback. Default 'nut'. */
  prefer?: 'nut' | 'screenshot-desktop';
  logger?: Logger;
}

type Maker = () => Promise<ScreenSource>;

/**
 * The capture adapter for this machine: nut-js when it can open the display, else
 * screenshot-desktop. When both fail the error names both reasons, for `deskpilot doctor`.
 */
export async function createScreenSource(options: ScreenSourceOptions = {}, signal?: AbortSignal): Promise<ScreenSource> {
  const logger = options.logger ?? nullLogger;
  const nut: [string, Maker] = ['nut-js', () => NutScreenSource.create(options, signal)];
  const sd: [string, Maker] = ['screenshot-desktop', () => DesktopScreenshotSource.create(options)];
  const order = options.prefer === 'screenshot-desktop' ? [sd, nut] : [nut, sd];
  const failures: string[] = [];
  for (const [name, make] of order) {
    try {
      const source = await make();
      logger.info({ adapter: name, display: options.display }, 'screen capture ready');
      return source;
    } catch (err) {
      if (signal?.aborted) throw err;
      logger.warn({ adapter: name, err: errorMessage(err) }, 'screen capture adapter unavailable');
      failures.push(`${name}: ${errorMessage(err)}`);
    }
  }
  throw new CaptureError(`no screen capture works here. ${failures.join('; ')}`);
}
