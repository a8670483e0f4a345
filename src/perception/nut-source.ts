import type * as nutjs from './nut.js';
import type { Box } from '../shared/geometry.js';
import type { Logger } from '../shared/logger.js';
import type { Frame } from '../shared/ports.js';
import { CaptureError, errorMessage } from '../shared/errors.js';
import { nullLogger } from '../shared/logger.js';
import { lazyBgraFrame } from './frame.js';
import { assertLibnutDisplayFree, probeNutInChild, setLibnutDisplay } from './nut-probe.js';
import { describeArea, RootWindowSource, type RootSize } from './root-source.js';
import { bindProcessDisplay, localDisplayExists, resolveDisplay } from './x11.js';

type NutModule = typeof nutjs;

export interface NutScreenSourceOptions {
  /** X display such as ":57"; the inherited DISPLAY when absent. */
  display?: string;
  logger?: Logger;
}

/**
 * The fast capture path: nut-js `screen.grab()` / `grabRegion()` (~8 ms for 1280x800).
 *
 * What we found about nut-js 4.2.6 on X11 (libnut):
 * - a grab calls XOpenDisplay(NULL), i.e. reads DISPLAY from the environment on EVERY grab,
 *   while sizes and bounds checks use a cached connection chosen by setXDisplayName. Both must
 *   name the same display, so this adapter sets both (process-wide; see bindProcessDisplay).
 * - any libnut call on an unreachable display segfaults the process, hence the child probe.
 * - getXDisplayName() before setXDisplayName() aborts the process: never call it.
 * - pixels arrive as BGRA with alpha 0; bgraToRgba fixes both.
 */
export class NutScreenSource extends RootWindowSource {
  private constructor(
    display: string,
    private readonly nut: NutModule,
    private readonly unbind: () => void,
    logger: Logger,
  ) {
    super(display, logger, 'nut-js');
  }

  static async create(options: NutScreenSourceOptions = {}, signal?: AbortSignal): Promise<NutScreenSource> {
    const logger = (options.logger ?? nullLogger).child({ component: 'capture.nut' });
    const isX11 = process.platform === 'linux';
    const display = isX11 ? resolveDisplay(options.display) : '';
    if (isX11) {
      if (!(await localDisplayExists(display))) {
        throw new CaptureError(`X display ${display} is not running (no socket in /tmp/.X11-unix)`);
      }
      assertLibnutDisplayFree(display);
      await probeNutInChild(display, signal);
    }
    const release = isX11 ? bindProcessDisplay(display) : () => undefined;
    try {
      if (isX11) setLibnutDisplay(display);
      const nut = await import('./nut.js');
      logger.debug({ display }, 'nut-js screen source ready');
      return new NutScreenSource(display, nut, release, logger);
    } catch (err) {
      release();
      throw new CaptureError(`nut-js failed to load for display ${display}: ${errorMessage(err)}`, { cause: err });
    }
  }

  protected async grab(displayId: string, px: Box, root: RootSize): Promise<Frame> {
    try {
      const whole = px.x === 0 && px.y === 0 && px.width === root.width && px.height === root.height;
      const img = whole
        ? await this.nut.screen.grab()
        : await this.nut.screen.grabRegion(new this.nut.Region(px.x, px.y, px.width, px.height));
      return lazyBgraFrame(displayId, img.width, img.height, { bytes: img.data, stride: img.byteWidth }, px);
    } catch (err) {
      throw new CaptureError(`nut-js capture of ${describeArea(px)} on display ${this.display} failed: ${errorMessage(err)}`, { cause: err });
    }
  }

  protected release(): void {
    this.unbind();
  }

  protected async rootSize(): Promise<RootSize> {
    return { width: await this.nut.screen.width(), height: await this.nut.screen.height() };
  }
}
