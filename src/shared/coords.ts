import type { Box, CoordSpace, Point } from './geometry.js';

/**
 * The one place that converts between coordinate spaces (see CoordSpace in geometry.ts).
 * Every value carries its space in the type, so a model's 0–1000 answer cannot be handed to
 * the mouse without passing through here. Pure functions, no I/O.
 *
 * The chain is: model space (norm1 / norm1000 / image) → screen (pixels of one captured frame)
 * → desktop (logical virtual-desktop coordinates, what input uses), and back.
 */

export interface PointIn<S extends CoordSpace> extends Point {
  readonly space: S;
}
export interface BoxIn<S extends CoordSpace> extends Box {
  readonly space: S;
}

export type DesktopPoint = PointIn<'desktop'>;
export type ScreenPoint = PointIn<'screen'>;
export type ImagePoint = PointIn<'image'>;
export type Norm1000Point = PointIn<'norm1000'>;
export type Norm1Point = PointIn<'norm1'>;
export type AnyPoint = DesktopPoint | ScreenPoint | ImagePoint | Norm1000Point | Norm1Point;

/**
 * What a captured image shows: its pixel size and the desktop (logical) area it covers.
 * A Frame (ports.ts) satisfies it; so does a whole display via `displayGeometry`.
 * `screen` points are pixels of such a frame, origin at its top-left.
 */
export interface FrameGeometry {
  width: number;
  height: number;
  desktopBounds: Box;
}

/** The pixel size of the (resized) image a model saw; `image`/`norm*` points refer to it. */
export interface ImageSize {
  width: number;
  height: number;
}

export interface DisplayLike {
  id: string;
  bounds: Box;
  scaleFactor: number;
}

export interface ConversionContext {
  frame: FrameGeometry;
  /** The image sent to the model; the frame's own size when absent (no resize). */
  image?: ImageSize;
}

export function at<S extends CoordSpace>(space: S, x: number, y: number): PointIn<S> {
  return { space, x, y };
}

/** The geometry of a full-display capture: physical size = logical bounds × scale. */
export function displayGeometry(display: DisplayLike): FrameGeometry {
  return {
    width: Math.round(display.bounds.width * display.scaleFactor),
    height: Math.round(display.bounds.height * display.scaleFactor),
    desktopBounds: { ...display.bounds },
  };
}

/** Frame pixel → desktop. Scale comes from the frame itself, so region frames work too. */
export function screenToDesktop(p: ScreenPoint, frame: FrameGeometry): DesktopPoint {
  const b = frame.desktopBounds;
  return at('desktop', b.x + (p.x * b.width) / frame.width, b.y + (p.y * b.height) / frame.height);
}

export function desktopToScreen(p: DesktopPoint, frame: FrameGeometry): ScreenPoint {
  const b = frame.desktopBounds;
  return at('screen', ((p.x - b.x) * frame.width) / b.width, ((p.y - b.y) * frame.height) / b.height);
}

/** The display whose desktop bounds hold the point (right/bottom edges exclusive). */
export function displayAt<D extends DisplayLike>(displays: readonly D[], p: DesktopPoint): D | undefined {
  return displays.find(
    (d) => p.x >= d.bounds.x && p.y >= d.bounds.y && p.x < d.bounds.x + d.bounds.width && p.y < d.bounds.y + d.bounds.height,
  );
}

/** Any model-space or screen point → pixels of the frame. */
export function toScreen(p: AnyPoint, ctx: ConversionContext): ScreenPoint {
  const img = ctx.image ?? ctx.frame;
  const sx = ctx.frame.width / img.width;
  const sy = ctx.frame.height / img.height;
  switch (p.space) {
    case 'screen':
      return p;
    case 'desktop':
      return desktopToScreen(p, ctx.frame);
    case 'image':
      return at('screen', p.x * sx, p.y * sy);
    case 'norm1000':
      return at('screen', (p.x / 1000) * ctx.frame.width, (p.y / 1000) * ctx.frame.height);
    case 'norm1':
      return at('screen', p.x * ctx.frame.width, p.y * ctx.frame.height);
  }
}

/** Any point → desktop (where the mouse goes). */
export function toDesktop(p: AnyPoint, ctx: ConversionContext): DesktopPoint {
  return p.space === 'desktop' ? p : screenToDesktop(toScreen(p, ctx), ctx.frame);
}

/** Desktop → the space a model or a report needs. */
export function fromDesktop<S extends CoordSpace>(p: DesktopPoint, space: S, ctx: ConversionContext): PointIn<S> {
  const s = desktopToScreen(p, ctx.frame);
  const img = ctx.image ?? ctx.frame;
  const fw = ctx.frame.width;
  const fh = ctx.frame.height;
  const out: Record<CoordSpace, () => Point> = {
    desktop: () => p,
    screen: () => s,
    image: () => ({ x: (s.x * img.width) / fw, y: (s.y * img.height) / fh }),
    norm1000: () => ({ x: (s.x / fw) * 1000, y: (s.y / fh) * 1000 }),
    norm1: () => ({ x: s.x / fw, y: s.y / fh }),
  };
  const q = out[space]();
  return at(space, q.x, q.y);
}

/** Converts both corners, so a box stays a box across spaces. */
export function boxToDesktop<S extends CoordSpace>(b: BoxIn<S>, ctx: ConversionContext): BoxIn<'desktop'> {
  const tl = toDesktop({ space: b.space, x: b.x, y: b.y }, ctx);
  const br = toDesktop({ space: b.space, x: b.x + b.width, y: b.y + b.height }, ctx);
  return { space: 'desktop', x: tl.x, y: tl.y, width: br.x - tl.x, height: br.y - tl.y };
}

/** Input drivers move in whole pixels; round only at the very end of a conversion chain. */
export function roundPoint<S extends CoordSpace>(p: PointIn<S>): PointIn<S> {
  return { space: p.space, x: Math.round(p.x), y: Math.round(p.y) };
}

export interface SmartResizeOptions {
  /** Side multiple; Qwen2-VL: patch 14 × merge 2 = 28. */
  factor?: number;
  minPixels?: number;
  /** ShowUI uses 1344·28²; Qwen2-VL default is 12845056. */
  maxPixels?: number;
}

export const DEFAULT_MAX_PIXELS = 1344 * 28 * 28;

/**
 * Qwen2-VL `smart_resize`: both sides multiples of `factor`, area within [minPixels, maxPixels],
 * aspect ratio kept as closely as those allow. Same arithmetic as the reference Python code so
 * that absolute-pixel answers of UI-TARS / Qwen2.5-VL map back exactly.
 */
export function smartResize(width: number, height: number, options: SmartResizeOptions = {}): ImageSize {
  const factor = options.factor ?? 28;
  const minPixels = options.minPixels ?? 56 * 56;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (width <= 0 || height <= 0) throw new RangeError(`smartResize: bad size ${width}x${height}`);
  let h = Math.max(factor, Math.round(height / factor) * factor);
  let w = Math.max(factor, Math.round(width / factor) * factor);
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    h = Math.max(factor, Math.floor(height / beta / factor) * factor);
    w = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    h = Math.ceil((height * beta) / factor) * factor;
    w = Math.ceil((width * beta) / factor) * factor;
  }
  return { width: w, height: h };
}
