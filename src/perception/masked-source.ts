import type { Box } from '../shared/geometry.js';
import type { CaptureOptions, Display, Frame, ScreenSource } from '../shared/ports.js';
import { intersect } from './frame.js';

/** The flat colour painted over excluded areas: mid grey, no text or edges for OCR or detectors to find. */
export const MASK_RGB: readonly [number, number, number] = [128, 128, 128];

/** Desktop boxes to keep out of every capture (the status widget's bounds, updated as it moves). */
export class ExcludedAreas {
  private boxes: Box[] = [];

  set(boxes: readonly Box[]): void {
    this.boxes = boxes.filter((b) => b.width > 0 && b.height > 0).map((b) => ({ ...b }));
  }

  get(): Box[] {
    return this.boxes.map((b) => ({ ...b }));
  }
}

/**
 * A ScreenSource that paints some desktop rectangles a flat colour before anyone looks: the
 * app's own always-on-top status widget must not be read, grounded or clicked by the engine.
 * The rectangles are desktop (logical) boxes, set whenever the widget moves; frames that do not
 * touch them pass through untouched (and keep their fast raw path for diffs).
 */
export class MaskedScreenSource implements ScreenSource {
  /** `areas` may be shared: the app keeps one list that every engine's source reads. */
  constructor(
    private readonly inner: ScreenSource,
    readonly areas: ExcludedAreas = new ExcludedAreas(),
  ) {}

  /** Replaces the excluded areas (desktop coordinates); [] masks nothing. */
  setExcluded(boxes: Box[]): void {
    this.areas.set(boxes);
  }

  excludedAreas(): Box[] {
    return this.areas.get();
  }

  listDisplays(signal?: AbortSignal): Promise<Display[]> {
    return this.inner.listDisplays(signal);
  }

  async capture(options?: CaptureOptions, signal?: AbortSignal): Promise<Frame> {
    return maskFrame(await this.inner.capture(options, signal), this.areas.get());
  }

  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}

/**
 * The frame with every excluded desktop box painted MASK_RGB. A new frame (the source's
 * pixels are not written), without the raw grab, so that a diff sees the painted pixels too.
 */
export function maskFrame(frame: Frame, boxes: readonly Box[]): Frame {
  const sx = frame.width / frame.desktopBounds.width;
  const sy = frame.height / frame.desktopBounds.height;
  const areas = boxes.flatMap((b) => {
    const hit = intersect(b, frame.desktopBounds);
    if (!hit) return [];
    // Outward to whole pixels: a widget's edge pixel must not leak its border.
    const x0 = Math.max(0, Math.floor((hit.x - frame.desktopBounds.x) * sx));
    const y0 = Math.max(0, Math.floor((hit.y - frame.desktopBounds.y) * sy));
    const x1 = Math.min(frame.width, Math.ceil((hit.x + hit.width - frame.desktopBounds.x) * sx));
    const y1 = Math.min(frame.height, Math.ceil((hit.y + hit.height - frame.desktopBounds.y) * sy));
    return x1 > x0 && y1 > y0 ? [{ x0, y0, x1, y1 }] : [];
  });
  if (areas.length === 0) return frame;
  const data = new Uint8Array(frame.data);
  const [r, g, b] = MASK_RGB;
  const word = new Uint32Array(new Uint8Array([r, g, b, 255]).buffer)[0]!;
  const d32 = new Uint32Array(data.buffer, data.byteOffset, data.byteLength / 4);
  for (const a of areas) {
    for (let y = a.y0; y < a.y1; y++) d32.fill(word, y * frame.width + a.x0, y * frame.width + a.x1);
  }
  return {
    displayId: frame.displayId,
    width: frame.width,
    height: frame.height,
    data,
    desktopBounds: frame.desktopBounds,
    scaleFactor: frame.scaleFactor,
    capturedAt: frame.capturedAt,
  };
}
