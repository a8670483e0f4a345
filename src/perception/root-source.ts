import type { Box } from '../shared/geometry.js';
import type { Logger } from '../shared/logger.js';
import type { CaptureOptions, Display, Frame, ScreenSource } from '../shared/ports.js';
import { CaptureError, throwIfAborted } from '../shared/errors.js';
import { xDisplays } from './displays.js';
import { pickArea } from './regions.js';

export interface RootSize {
  width: number;
  height: number;
}

/**
 * What the X11 capture adapters share (nut-js grabs, the Xvfb framebuffer): the monitor layout
 * from xrandr (or the root window), the capture area picked from it, rounded out to whole pixels
 * of the root window; a subclass only grabs those pixels.
 */
export abstract class RootWindowSource implements ScreenSource {
  private displays: Display[] | null = null;
  private disposed = false;

  protected constructor(
    /** X display such as ":57" (none off X11). */
    readonly display: string | undefined,
    protected readonly logger: Logger,
    /** For messages: "nut-js", "framebuffer". */
    private readonly kind: string,
  ) {}

  /** The root window's size in pixels. */
  protected abstract rootSize(): Promise<RootSize>;
  /** The frame of the whole pixels `px` of the root window (of size `root`), for display `displayId`. */
  protected abstract grab(displayId: string, px: Box, root: RootSize): Promise<Frame>;
  /** Frees what the source holds; called once, by dispose(). */
  protected abstract release(): void;

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
    return this.grab(display.id, toWholePixels(area, root), root);
  }

  dispose(): Promise<void> {
    if (!this.disposed) {
      this.disposed = true;
      this.release();
    }
    return Promise.resolve();
  }

  private assertLive(): void {
    if (this.disposed) throw new CaptureError(`this ${this.kind} screen source was disposed`);
  }
}

/** X grabs whole pixels inside the root window: round outward, then clip. */
function toWholePixels(area: Box, root: RootSize): Box {
  const x = Math.max(0, Math.floor(area.x));
  const y = Math.max(0, Math.floor(area.y));
  const r = Math.min(root.width, Math.ceil(area.x + area.width));
  const b = Math.min(root.height, Math.ceil(area.y + area.height));
  if (r <= x || b <= y) throw new CaptureError(`capture region ${describeArea(area)} lies outside the screen ${root.width}x${root.height}`);
  return { x, y, width: r - x, height: b - y };
}

/** "WxH+X+Y", as X tools write a geometry. */
export function describeArea(b: Box): string {
  return `${b.width}x${b.height}+${b.x}+${b.y}`;
}
