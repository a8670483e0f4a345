import { closeSync, openSync, readSync } from 'node:fs';
import type { Logger } from '../shared/logger.js';
import type { Box } from '../shared/geometry.js';
import type { Frame } from '../shared/ports.js';
import { CaptureError, errorMessage } from '../shared/errors.js';
import { nullLogger } from '../shared/logger.js';
import { lazyBgraFrame, recaptured } from './frame.js';
import { RootWindowSource, type RootSize } from './root-source.js';

/**
 * Capture straight from an Xvfb framebuffer (`Xvfb -fbdir DIR` keeps the screen in the file
 * DIR/Xvfb_screen0, memory-mapped, in XWD format): a read of the rows wanted instead of an
 * XGetImage round trip that has the X server copy the whole image into the socket. A test worker
 * owns its Xvfb, so it captures this way; any other display goes through nut-js.
 */

/** Where the pixels are in the file, and their layout (checked to be 32-bit BGRX). */
export interface FramebufferLayout {
  width: number;
  height: number;
  /** Bytes per row. */
  stride: number;
  /** Offset of the first pixel: the header, the window name and the colormap come first. */
  offset: number;
}

const XWD_HEADER_BYTES = 100; // 25 CARD32 fields
const XWD_COLOR_BYTES = 12;

/** The layout of an XWD file from its header (big-endian CARD32 fields), or why it is not one we read. */
export function parseXwdHeader(header: Buffer): FramebufferLayout {
  if (header.length < XWD_HEADER_BYTES) throw new Error(`an XWD header is ${XWD_HEADER_BYTES} bytes, this one ${header.length}`);
  const f = (i: number) => header.readUInt32BE(i * 4);
  const [headerSize, version, format, , width, height] = [f(0), f(1), f(2), f(3), f(4), f(5)];
  const [byteOrder, bitsPerPixel, stride, redMask, greenMask, blueMask, ncolors] = [f(7), f(11), f(12), f(14), f(15), f(16), f(19)];
  if (version !== 7) throw new Error(`XWD version ${version}, not 7`);
  if (format !== 2) throw new Error(`pixmap format ${format}, not ZPixmap (2)`);
  if (bitsPerPixel !== 32 || byteOrder !== 0 || redMask !== 0xff0000 || greenMask !== 0xff00 || blueMask !== 0xff)
    throw new Error(`pixels are ${bitsPerPixel}-bit, byte order ${byteOrder}, masks ${redMask.toString(16)}/${greenMask.toString(16)}/${blueMask.toString(16)}: only 32-bit BGRX (depth 24) is read`);
  if (stride < width * 4) throw new Error(`rows of ${stride} bytes cannot hold ${width} pixels`);
  return { width, height, stride, offset: headerSize + ncolors * XWD_COLOR_BYTES };
}

/**
 * Whether anything was drawn on the screen since the last ask (the X server's own account, see
 * actions/x11-damage.ts): a grab of a screen nobody drew on is the last grab again, without
 * reading 4 MB, converting it or comparing it.
 */
export interface DrawnSince {
  drawnSince(): Promise<boolean>;
}

export class FramebufferScreenSource extends RootWindowSource {
  /** The last grab, reused while nothing is drawn (with `damage`). */
  private last: { displayId: string; px: Box; frame: Frame } | undefined;

  private constructor(
    private readonly file: string,
    private readonly fd: number,
    readonly layout: FramebufferLayout,
    display: string | undefined,
    logger: Logger,
    private readonly damage: DrawnSince | undefined,
  ) {
    super(display, logger, 'framebuffer');
  }

  /** `file`: Xvfb's DIR/Xvfb_screen0; `display`: its name, for the monitor layout (xrandr). */
  static open(file: string, options: { display?: string; logger?: Logger; damage?: DrawnSince } = {}): FramebufferScreenSource {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (err) {
      throw new CaptureError(`cannot open the framebuffer ${file}: ${errorMessage(err)}`, { cause: err });
    }
    try {
      const header = Buffer.alloc(XWD_HEADER_BYTES);
      readSync(fd, header, 0, header.length, 0);
      const layout = parseXwdHeader(header);
      const logger = (options.logger ?? nullLogger).child({ component: 'capture.framebuffer' });
      return new FramebufferScreenSource(file, fd, layout, options.display, logger, options.damage);
    } catch (err) {
      closeSync(fd);
      throw new CaptureError(`the framebuffer ${file} is not one DeskPilot reads: ${errorMessage(err)}`, { cause: err });
    }
  }

  protected async grab(displayId: string, px: Box): Promise<Frame> {
    // Asked before the read: whatever is drawn from here on is reported at the next grab.
    const drawn = this.damage ? await this.damage.drawnSince().catch(() => true) : true;
    const last = this.last;
    if (!drawn && last && last.displayId === displayId && sameBox(last.px, px)) return recaptured(last.frame);
    const { stride, offset } = this.layout;
    // The rows wanted, whole; the frame starts at the area's first column of the first row.
    const rows = Buffer.allocUnsafeSlow(px.height * stride);
    try {
      const read = readSync(this.fd, rows, 0, rows.length, offset + px.y * stride);
      if (read !== rows.length) throw new Error(`read ${read} of ${rows.length} bytes`);
    } catch (err) {
      throw new CaptureError(`reading the framebuffer ${this.file} failed: ${errorMessage(err)}`, { cause: err });
    }
    const frame = lazyBgraFrame(displayId, px.width, px.height, { bytes: rows.subarray(px.x * 4), stride }, px);
    if (this.damage) this.last = { displayId, px, frame };
    return frame;
  }

  protected rootSize(): Promise<RootSize> {
    return Promise.resolve(this.layout);
  }

  protected release(): void {
    closeSync(this.fd);
  }
}

function sameBox(a: Box, b: Box): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}
