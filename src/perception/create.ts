import type { Logger } from '../shared/logger.js';
import type { ScreenSource } from '../shared/ports.js';
import { CaptureError, errorMessage } from '../shared/errors.js';
import { nullLogger } from '../shared/logger.js';
import { FramebufferScreenSource, type DrawnSince } from './fb-source.js';
import { NutScreenSource } from './nut-source.js';
import { DesktopScreenshotSource } from './screenshot-source.js';

export interface ScreenSourceOptions {
  /** X display such as ":0"; the inherited DISPLAY when absent. */
  display?: string;
  /** Which adapter to try first; the other is the fallback. Default 'nut'. */
  prefer?: 'nut' | 'screenshot-desktop';
  /** An Xvfb framebuffer file (`Xvfb -fbdir`, see fb-source.ts): read first, the others are the fallback. */
  framebuffer?: string;
  /** With `framebuffer`: the X server's report of drawing, so a still screen is not read again. */
  damage?: DrawnSince;
  logger?: Logger;
}

type Maker = () => Promise<ScreenSource>;

/**
 * The capture adapter for this machine: the display's framebuffer file when one is given, else
 * nut-js when it can open the display, else screenshot-desktop. When all fail the error names
 * each reason, for `deskpilot doctor`.
 */
export async function createScreenSource(options: ScreenSourceOptions = {}, signal?: AbortSignal): Promise<ScreenSource> {
  const logger = options.logger ?? nullLogger;
  const nut: [string, Maker] = ['nut-js', () => NutScreenSource.create(options, signal)];
  const sd: [string, Maker] = ['screenshot-desktop', () => DesktopScreenshotSource.create(options)];
  const file = options.framebuffer;
  const fb: [string, Maker][] = file
    ? [['framebuffer', () => Promise.resolve(FramebufferScreenSource.open(file, { ...(options.display ? { display: options.display } : {}), ...(options.damage ? { damage: options.damage } : {}), logger }))]]
    : [];
  const order = [...fb, ...(options.prefer === 'screenshot-desktop' ? [sd, nut] : [nut, sd])];
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
