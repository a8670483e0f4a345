import { bgraToRgba, makeFrame } from '../perception/frame.js';
import { crop } from '../perception/image.js';
import { CaptureError } from '../shared/errors.js';
import type { Box } from '../shared/geometry.js';
import type { CaptureOptions, Display, Frame, ScreenSource } from '../shared/ports.js';

/**
 * A ScreenSource on Electron's desktopCapturer: the capture path where nut-js cannot grab the
 * screen (Wayland sessions, macOS screen-recording permission prompts owned by the app). Chosen
 * with desktopApp.captureSource: 'desktop-capturer'; nut-js stays the default. Electron's APIs
 * come in as `deps` so the conversion and the display matching are tested with synthetic
 * bitmaps (test/unit/host/main-desktop-capturer.test.ts).
 */

/** The parts of Electron's screen.Display used here. */
export interface ElectronDisplay {
  id: number;
  label?: string;
  bounds: Box;
  scaleFactor: number;
}

/** The parts of a desktopCapturer source used here; `thumbnail` is a NativeImage. */
export interface CapturerSource {
  id: string;
  name: string;
  /** The screen.Display id as a string; '' where the platform does not say (some Linux setups). */
  display_id: string;
  thumbnail: { toBitmap(): Buffer; getSize(): { width: number; height: number }; isEmpty(): boolean };
}

export interface CapturerDeps {
  getSources(options: { types: Array<'screen'>; thumbnailSize: { width: number; height: number } }): Promise<CapturerSource[]>;
  getAllDisplays(): ElectronDisplay[];
  getPrimaryDisplay(): ElectronDisplay;
}

export function displaysOf(all: ElectronDisplay[], primaryId: number): Display[] {
  return all.map((d, i) => ({
    id: String(d.id),
    name: d.label || `screen ${i + 1}`,
    bounds: { ...d.bounds },
    scaleFactor: d.scaleFactor,
    primary: d.id === primaryId,
  }));
}

/**
 * The capturer source showing `display`: by display_id where the platform fills it in, else by
 * position ("screen:N:0" sources come in the order of screen.getAllDisplays()).
 */
export function matchSource(sources: CapturerSource[], display: Display, displays: Display[]): CapturerSource | undefined {
  const byId = sources.find((s) => s.display_id !== '' && s.display_id === display.id);
  if (byId) return byId;
  if (sources.some((s) => s.display_id !== '')) return undefined;
  const i = displays.findIndex((d) => d.id === display.id);
  return i >= 0 && sources.length === displays.length ? sources[i] : sources.length === 1 && displays.length === 1 ? sources[0] : undefined;
}

/**
 * A NativeImage bitmap (BGRA, 4 bytes a pixel, rows packed) as our Frame (RGBA) of `display`.
 * The thumbnail may come back smaller than asked (it keeps the aspect ratio within the size):
 * the frame's scale factor is what it really holds per logical pixel.
 */
export function bitmapToFrame(bitmap: Uint8Array, size: { width: number; height: number }, display: Display, capturedAt = Date.now()): Frame {
  const { width, height } = size;
  if (width <= 0 || height <= 0) throw new CaptureError(`desktopCapturer gave an empty image for display ${display.id}`);
  const stride = Math.floor(bitmap.byteLength / height);
  if (stride < width * 4) throw new CaptureError(`desktopCapturer bitmap of ${bitmap.byteLength} bytes is too small for ${width}x${height}`);
  const frame = makeFrame(display.id, width, height, bgraToRgba(bitmap, width, height, stride), display.bounds);
  return { ...frame, capturedAt };
}

/** The display a capture is for: the one named, else the one holding the region's centre, else the primary. */
export function pickDisplay(displays: Display[], options: CaptureOptions = {}): Display {
  if (options.displayId !== undefined) {
    const d = displays.find((x) => x.id === options.displayId);
    if (!d) throw new CaptureError(`no display with id ${options.displayId} (have: ${displays.map((x) => x.id).join(', ')})`);
    return d;
  }
  if (options.region) {
    const cx = options.region.x + options.region.width / 2;
    const cy = options.region.y + options.region.height / 2;
    const d = displays.find((x) => cx >= x.bounds.x && cx < x.bounds.x + x.bounds.width && cy >= x.bounds.y && cy < x.bounds.y + x.bounds.height);
    if (d) return d;
  }
  const primary = displays.find((d) => d.primary) ?? displays[0];
  if (!primary) throw new CaptureError('Electron reports no displays');
  return primary;
}

export class DesktopCapturerSource implements ScreenSource {
  constructor(private readonly deps: CapturerDeps) {}

  listDisplays(): Promise<Display[]> {
    return Promise.resolve(displaysOf(this.deps.getAllDisplays(), this.deps.getPrimaryDisplay().id));
  }

  async capture(options: CaptureOptions = {}, signal?: AbortSignal): Promise<Frame> {
    const displays = await this.listDisplays();
    const display = pickDisplay(displays, options);
    const thumbnailSize = { width: Math.round(display.bounds.width * display.scaleFactor), height: Math.round(display.bounds.height * display.scaleFactor) };
    const sources = await this.deps.getSources({ types: ['screen'], thumbnailSize });
    signal?.throwIfAborted();
    const source = matchSource(sources, display, displays);
    if (!source) throw new CaptureError(`desktopCapturer has no screen source for display ${display.id} (sources: ${sources.map((s) => `${s.id}=${s.display_id || '?'}`).join(', ') || 'none'})`);
    if (source.thumbnail.isEmpty()) throw new CaptureError(`desktopCapturer gave an empty image for display ${display.id}: is screen recording allowed for DeskPilot?`);
    const frame = bitmapToFrame(source.thumbnail.toBitmap(), source.thumbnail.getSize(), display);
    return options.region ? cropToRegion(frame, options.region) : frame;
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

/** The part of a display's frame showing a desktop region. */
export function cropToRegion(frame: Frame, region: Box): Frame {
  const sx = frame.width / frame.desktopBounds.width;
  const sy = frame.height / frame.desktopBounds.height;
  return crop(frame, {
    x: (region.x - frame.desktopBounds.x) * sx,
    y: (region.y - frame.desktopBounds.y) * sy,
    width: region.width * sx,
    height: region.height * sy,
  });
}
