import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { Box } from '../../src/shared/geometry.js';
import type { CaptureOptions, Display, Frame, ScreenSource } from '../../src/shared/ports.js';

/**
 * The PNG-fixture screen source: serves a fixed picture (or a solid colour) as the screen, at
 * an optional scale factor and desktop origin, so the engine can be tested without a display.
 * `show()` swaps the picture, as an app would repaint.
 */
export class FixtureScreenSource implements ScreenSource {
  private frame: Frame;
  captures = 0;

  constructor(
    first: Frame,
    private readonly display: Display = {
      id: 'fixture', name: 'fixture', primary: true, scaleFactor: first.scaleFactor, bounds: first.desktopBounds,
    },
  ) {
    this.frame = first;
  }

  static solid(width: number, height: number, rgb: [number, number, number] = [255, 255, 255], scaleFactor = 1, origin = { x: 0, y: 0 }): FixtureScreenSource {
    return new FixtureScreenSource(solidFrame(width, height, rgb, scaleFactor, origin));
  }

  static async fromPng(path: string, scaleFactor = 1): Promise<FixtureScreenSource> {
    const { data, info } = await sharp(readFileSync(path)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return new FixtureScreenSource({
      displayId: 'fixture', width: info.width, height: info.height, data: new Uint8Array(data), scaleFactor,
      desktopBounds: { x: 0, y: 0, width: info.width / scaleFactor, height: info.height / scaleFactor }, capturedAt: 0,
    });
  }

  show(frame: Frame): void {
    this.frame = frame;
  }

  listDisplays(): Promise<Display[]> {
    return Promise.resolve([this.display]);
  }

  capture(options: CaptureOptions = {}): Promise<Frame> {
    this.captures++;
    if (options.region) return Promise.resolve(cropFrame(this.frame, options.region));
    return Promise.resolve({ ...this.frame, capturedAt: performance.now() });
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

export function solidFrame(width: number, height: number, rgb: [number, number, number], scaleFactor = 1, origin = { x: 0, y: 0 }): Frame {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = rgb[0];
    data[i + 1] = rgb[1];
    data[i + 2] = rgb[2];
    data[i + 3] = 255;
  }
  return {
    displayId: 'fixture', width, height, data, scaleFactor, capturedAt: 0,
    desktopBounds: { x: origin.x, y: origin.y, width: width / scaleFactor, height: height / scaleFactor },
  };
}

function cropFrame(f: Frame, region: Box): Frame {
  const s = f.scaleFactor;
  const x0 = Math.round((region.x - f.desktopBounds.x) * s);
  const y0 = Math.round((region.y - f.desktopBounds.y) * s);
  const w = Math.round(region.width * s);
  const h = Math.round(region.height * s);
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) data.set(f.data.subarray(((y0 + y) * f.width + x0) * 4, ((y0 + y) * f.width + x0 + w) * 4), y * w * 4);
  return { ...f, width: w, height: h, data, desktopBounds: { ...region } };
}
