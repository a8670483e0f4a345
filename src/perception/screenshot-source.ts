import { createRequire } from 'node:module';
import sharp from 'sharp';
import type { Box } from '../shared/geometry.js';
import type { Logger } from '../shared/logger.js';
import type { CaptureOptions, Display, Frame, ScreenSource } from '../shared/ports.js';
import { CaptureError, errorMessage, throwIfAborted } from '../shared/errors.js';
import { nullLogger } from '../shared/logger.js';
import { queryXrandrDisplays } from './displays.js';
import { makeFrame } from './frame.js';
import { pickArea } from './regions.js';
import { bindProcessDisplay, findBinary, localDisplayExists, resolveDisplay } from './x11.js';

interface SdScreen {
  id: string;
  offsetX: number;
  offsetY: number;
  width: number;
  height: number;
}
interface ScreenshotDesktop {
  (options: { screen?: string; format?: 'png' }): Promise<Buffer>;
  listDisplays(): Promise<SdScreen[]>;
}

export interface DesktopScreenshotSourceOptions {
  display?: string;
  logger?: Logger;
}

/**
 * The fallback: screenshot-desktop, which shells out to `xrandr --current` and ImageMagick
 * `import -window root` (~100 ms a capture). Inside, a failing xrandr rejects a promise nobody
 * catches, which kills the process; so we check both programs exist and that xrandr lists the
 * screen before each capture, and turn every failure into a CaptureError that says what to
 * install. It reads DISPLAY from the process environment, hence bindProcessDisplay.
 */
export class DesktopScreenshotSource implements ScreenSource {
  private displays: Display[] | null = null;
  private disposed = false;

  private constructor(
    readonly display: string,
    private readonly shot: ScreenshotDesktop,
    private readonly release: () => void,
    private readonly logger: Logger,
  ) {}

  static async create(options: DesktopScreenshotSourceOptions = {}): Promise<DesktopScreenshotSource> {
    const logger = (options.logger ?? nullLogger).child({ component: 'capture.screenshot-desktop' });
    if (process.platform !== 'linux') throw new CaptureError('the screenshot-desktop fallback is wired for X11 only');
    const display = resolveDisplay(options.display);
    const missing: string[] = [];
    if (!(await findBinary('xrandr'))) missing.push('xrandr (apt: x11-xserver-utils)');
    if (!(await findBinary('import'))) missing.push('ImageMagick `import` (apt: imagemagick)');
    if (missing.length > 0) throw new CaptureError(`screenshot-desktop capture needs ${missing.join(' and ')}; install them`);
    if (!(await localDisplayExists(display))) throw new CaptureError(`X display ${display} is not running (no socket in /tmp/.X11-unix)`);
    let shot: ScreenshotDesktop;
    try {
      shot = createRequire(import.meta.url)('screenshot-desktop') as ScreenshotDesktop;
    } catch (err) {
      throw new CaptureError('the screenshot-desktop package is not installed', { cause: err });
    }
    return new DesktopScreenshotSource(display, shot, bindProcessDisplay(display), logger);
  }

  async listDisplays(signal?: AbortSignal): Promise<Display[]> {
    this.assertLive();
    const found = await queryXrandrDisplays(this.display, this.logger, signal);
    if (!found) throw new CaptureError(`xrandr lists no screen on display ${this.display}`);
    this.displays = found;
    return found.map((d) => ({ ...d, bounds: { ...d.bounds } }));
  }

  async capture(options: CaptureOptions = {}, signal?: AbortSignal): Promise<Frame> {
    this.assertLive();
    throwIfAborted(signal);
    const displays = this.displays ?? (await this.listDisplays(signal));
    const { display, area } = pickArea(displays, options);
    const screen = await this.screenHolding(area);
    let png: Buffer;
    try {
      png = await this.shot({ screen: screen.id, format: 'png' });
    } catch (err) {
      throw new CaptureError(`screenshot-desktop capture on display ${this.display} failed: ${errorMessage(err)}`, { cause: err });
    }
    throwIfAborted(signal);
    const px = wholePixelsIn(area, screen);
    const { data, info } = await sharp(png)
      .extract({ left: px.x - screen.offsetX, top: px.y - screen.offsetY, width: px.width, height: px.height })
      .ensureAlpha(1)
      .raw()
      .toBuffer({ resolveWithObject: true });
    const rgba = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return makeFrame(display.id, info.width, info.height, rgba, px);
  }

  dispose(): Promise<void> {
    if (!this.disposed) {
      this.disposed = true;
      this.release();
    }
    return Promise.resolve();
  }

  /** The xrandr output screenshot-desktop will crop to; checked first so it cannot crash us. */
  private async screenHolding(area: Box): Promise<SdScreen> {
    let screens: SdScreen[];
    try {
      screens = await this.shot.listDisplays();
    } catch (err) {
      throw new CaptureError(`xrandr failed on display ${this.display}: ${errorMessage(err)}`, { cause: err });
    }
    const s = screens.find(
      (c) => area.x >= c.offsetX && area.y >= c.offsetY && area.x < c.offsetX + c.width && area.y < c.offsetY + c.height,
    );
    if (!s) throw new CaptureError(`no xrandr output covers desktop point ${area.x},${area.y} on display ${this.display}`);
    return s;
  }

  private assertLive(): void {
    if (this.disposed) throw new CaptureError('this screenshot-desktop screen source was disposed');
  }
}

function wholePixelsIn(area: Box, s: SdScreen): Box {
  const x = Math.max(s.offsetX, Math.floor(area.x));
  const y = Math.max(s.offsetY, Math.floor(area.y));
  const r = Math.min(s.offsetX + s.width, Math.ceil(area.x + area.width));
  const b = Math.min(s.offsetY + s.height, Math.ceil(area.y + area.height));
  return { x, y, width: r - x, height: b - y };
}
