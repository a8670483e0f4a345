import type { Box } from '../shared/geometry.js';
import type { Frame } from '../shared/ports.js';

/**
 * nut-js/libnut hands back X11 ZPixmap data: BGRA with the alpha byte 0 (X has no alpha on the
 * root window), so a naive PNG of it is fully transparent. One pass swaps B and R and forces
 * alpha to 255, a 32-bit word at a time where the buffers are aligned (~1 ms for 1280x800;
 * the byte loop it replaced took ~14 ms). `stride` is libnut's byteWidth, which may exceed width*4.
 */
export function bgraToRgba(src: Uint8Array, width: number, height: number, stride = width * 4): Uint8Array {
  // Every byte is written below, so skip the zero-fill (~1 ms for 1920x1080).
  const out = new Uint8Array(Buffer.allocUnsafeSlow(width * height * 4).buffer, 0, width * height * 4);
  if (src.byteOffset % 4 === 0 && stride % 4 === 0 && littleEndian) {
    const s32 = new Uint32Array(src.buffer, src.byteOffset, Math.floor(src.byteLength / 4));
    const d32 = new Uint32Array(out.buffer);
    const rowWords = stride / 4;
    for (let y = 0; y < height; y++) {
      let s = y * rowWords;
      let d = y * width;
      const end = d + width;
      while (d < end) {
        const w = s32[s++]!;
        // bytes B,G,R,A read as A<<24|R<<16|G<<8|B; written back as 255<<24|B<<16|G<<8|R.
        d32[d++] = 0xff000000 | ((w & 0xff) << 16) | (w & 0xff00) | ((w >>> 16) & 0xff);
      }
    }
    return out;
  }
  const rowBytes = width * 4;
  for (let y = 0; y < height; y++) {
    let s = y * stride;
    let d = y * rowBytes;
    const end = d + rowBytes;
    while (d < end) {
      out[d] = src[s + 2]!;
      out[d + 1] = src[s + 1]!;
      out[d + 2] = src[s]!;
      out[d + 3] = 255;
      d += 4;
      s += 4;
    }
  }
  return out;
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function makeFrame(
  displayId: string,
  width: number,
  height: number,
  data: Uint8Array,
  desktopBounds: Box,
): Frame {
  return {
    displayId,
    width,
    height,
    data,
    desktopBounds,
    scaleFactor: desktopBounds.width > 0 ? width / desktopBounds.width : 1,
    capturedAt: Date.now(),
  };
}

const RAW = Symbol('deskpilot.frame.rawBgra');

/** The grab as X delivered it; kept on frames from nut-js so a diff need not convert. */
export interface RawBgra {
  bytes: Uint8Array;
  /** Bytes per row. */
  stride: number;
}

/**
 * A frame whose RGBA `data` is converted from the raw BGRA grab on first read. waitForSettle
 * only diffs its frames (diffFrames reads the raw bytes: the channel order does not matter for
 * "did it change"), so a still screen costs the grabs alone; whoever looks at the pixels pays
 * the conversion once.
 */
export function lazyBgraFrame(displayId: string, width: number, height: number, raw: RawBgra, desktopBounds: Box): Frame {
  let rgba: Uint8Array | null = null;
  const frame = makeFrame(displayId, width, height, new Uint8Array(0), desktopBounds);
  Object.defineProperty(frame, 'data', {
    enumerable: true,
    configurable: true,
    get: () => (rgba ??= bgraToRgba(raw.bytes, width, height, raw.stride)),
    set: (v: Uint8Array) => {
      rgba = v;
    },
  });
  Object.defineProperty(frame, RAW, { value: raw, enumerable: false });
  return frame;
}

/**
 * The same pixels captured again (the screen was not drawn on since): a frame of its own, with
 * its own capture time, that shares the pixels and their conversion with `frame`.
 */
export function recaptured(frame: Frame): Frame {
  const again = Object.defineProperties({}, Object.getOwnPropertyDescriptors(frame)) as Frame;
  again.capturedAt = Date.now();
  return again;
}

/** The raw BGRA of a nut-js frame, when it has one and its rows are unpadded. */
export function packedBgraOf(frame: Frame): Uint8Array | undefined {
  const raw = (frame as Frame & { [RAW]?: RawBgra })[RAW];
  return raw && raw.stride === frame.width * 4 ? raw.bytes : undefined;
}

/** RGBA of one pixel of a frame, for tests and probes. */
export function pixelAt(frame: Frame, x: number, y: number): [number, number, number, number] {
  const i = (Math.floor(y) * frame.width + Math.floor(x)) * 4;
  const d = frame.data;
  return [d[i] ?? 0, d[i + 1] ?? 0, d[i + 2] ?? 0, d[i + 3] ?? 0];
}

/** Clips a desktop box to a bounds box; null when they do not overlap. */
export function intersect(a: Box, b: Box): Box | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const r = Math.min(a.x + a.width, b.x + b.width);
  const bt = Math.min(a.y + a.height, b.y + b.height);
  return r > x && bt > y ? { x, y, width: r - x, height: bt - y } : null;
}

/** The RGBA pixels of an integer rectangle inside the image, rows packed (no bounds check). */
export function copyRect(image: { width: number; data: Uint8Array }, r: Box): Uint8Array {
  const out = new Uint8Array(r.width * r.height * 4);
  const rowBytes = r.width * 4;
  for (let y = 0; y < r.height; y++) {
    const start = ((r.y + y) * image.width + r.x) * 4;
    out.set(image.data.subarray(start, start + rowBytes), y * rowBytes);
  }
  return out;
}
