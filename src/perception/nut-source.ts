import type * as nutjs from '@nut-tree-fork/nut-js';
import type { Box } from '../shared/geometry.js';
import type { Logger } from '../shared/logger.js';
import type { CaptureOptions, Display, Frame, ScreenSource } from '../shared/ports.js';
import { CaptureError, errorMessage, throwIfAborted } from '../shared/errors.js';
import { nullLogger } from '../shared/logger.js';
import { xDisplays } from './displays.js';
import { lazyBgraFrame } from './frame.js';
import { assertLibnutDisplayFree, probeNutInChild, setLibnutDisplay } from './nut-probe.js';
import { pickArea } from './regions.js';
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
export class NutScreenSource implements ScreenSource {
  private displays: Display[] | null = null;
  private disposed = false;

  private constructor(
    readonly display: string,
    private readonly nut: NutModule,
    private readonly release: () => void,
    private readonly logger: Logger,
  ) {}

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
      const nut = await import('@nut-tree-fork/nut-js');
      logger.debug({ display }, 'nut-js screen source ready');
      return new NutScreenSource(display, nut, release, logger);
    } catch (err) {
      release();
      throw new CaptureError(`nut-js failed to load for display ${display}: ${errorMessage(err)}`, { cause: err });
    }
  }

  async listDisplays(signal?: AbortSignal): Promise<Display[]> {
    this.assertLive();
    this.displays = await xDisplays(this.display, await this.rootSize(), this.logger, signal);
    return this.displays.map((d) => ({ ...d, bounds: { ...d.bounds } }));
  }

  async capture(options: CaptureOptions = {}, signal?: AbortSignal): Promise<Frame> {
    this.assertLive();
    throwIfAborted(signal);
    const displays = this.displays ?? (await this.listDisplays(signal));
    const { display, area } = pickArea(displays, options);
    const root = await this.rootSize();
    const px = toWholePixels(area, root);
    try {
      const whole = px.x === 0 && px.y === 0 && px.width === root.width && px.height === root.height;
      const img = whole
        ? await this.nut.screen.grab()
        : await this.nut.screen.grabRegion(new this.nut.Region(px.x, px.y, px.width, px.height));
      return lazyBgraFrame(display.id, img.width, img.height, { bytes: img.data, stride: img.byteWidth }, px);
    } catch (err) {
      throw new CaptureError(`nut-js capture of ${describe(px)} on display ${this.display} failed: ${errorMessage(err)}`, { cause: err });
    }
  }

  dispose(): Promise<void> {
    if (!this.disposed) {
      this.disposed = true;
      this.release();
    }
    return Promise.resolve();
  }

  private async rootSize(): Promise<{ width: number; height: number }> {
    return { width: await this.nut.screen.width(), height: await this.nut.screen.height() };
  }

  private assertLive(): void {
    if (this.disposed) throw new CaptureError('this nut-js screen source was disposed');
  }
}

/** X grabs whole pixels inside the root window: round outward, then clip. */
export function toWholePixels(area: Box, root: { width: number; height: number }): Box {
  const x = Math.max(0, Math.floor(area.x));
  const y = Math.max(0, Math.floor(area.y));
  const r = Math.min(root.width, Math.ceil(area.x + area.width));
  const b = Math.min(root.height, Math.ceil(area.y + area.height));
  if (r <= x || b <= y) throw new CaptureError(`capture region ${describe(area)} lies outside the screen ${root.width}x${root.height}`);
  return { x, y, width: r - x, height: b - y };
}

function describe(b: Box): string {
  return `${b.width}x${b.height}+${b.x}+${b.y}`;
}
