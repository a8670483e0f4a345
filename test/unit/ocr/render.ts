import sharp from 'sharp';
import type { Box } from '../../../src/shared/geometry.js';
import type { OcrImage } from '../../../src/perception/ocr/index.js';

/**
 * Renders text with sharp (librsvg + fontconfig, DejaVu Sans) and returns, for every word, the
 * box its ink really covers: the line is rendered again with only that word opaque (same layout)
 * and the background trimmed away.
 */

export interface LineSpec {
  words: string[];
  x: number;
  /** Baseline. */
  y: number;
  size: number;
  weight?: 'normal' | 'bold';
}

export interface RenderedWord {
  text: string;
  box: Box;
}

export interface Rendered {
  image: OcrImage;
  lines: RenderedWord[][];
}

const FONT = 'DejaVu Sans';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * One text element for the whole line, so the font's own spacing applies; `visible` picks the
 * word to show (the others keep their place but are transparent), or all words when absent.
 */
function lineElement(spec: LineSpec, fg: string, visible?: number): string {
  const spans = spec.words.map((word, i) => {
    const opacity = visible === undefined || visible === i ? 1 : 0;
    return `<tspan fill-opacity="${opacity}">${escape(word)}</tspan>`;
  });
  return `<text x="${spec.x}" y="${spec.y}" font-family="${FONT}" font-size="${spec.size}" font-weight="${spec.weight ?? 'normal'}" fill="${fg}" xml:space="preserve">${spans.join(' ')}</text>`;
}

function svg(width: number, height: number, bg: string, body: string): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${bg}"/>${body}</svg>`,
  );
}

/**
 * Box of the pixels that differ from the background by more than a third of the strongest
 * difference (sharp's trim would median-filter away dots and thin strokes first).
 */
async function inkBox(width: number, height: number, bg: string, body: string): Promise<Box> {
  const { data } = await sharp(svg(width, height, bg, body))
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const background = data[0]!;
  let strongest = 0;
  for (const v of data) strongest = Math.max(strongest, Math.abs(v - background));
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (Math.abs(data[y * width + x]! - background) * 3 <= strongest) continue;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  }
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

export async function renderText(
  specs: LineSpec[],
  options: { width: number; height: number; fg?: string; bg?: string },
): Promise<Rendered> {
  const fg = options.fg ?? '#101010';
  const bg = options.bg ?? '#ffffff';
  const { width, height } = options;
  const elements: string[] = [];
  const lines: RenderedWord[][] = [];
  for (const spec of specs) {
    const words: RenderedWord[] = [];
    for (let i = 0; i < spec.words.length; i++) {
      words.push({ text: spec.words[i]!, box: await inkBox(width, height, bg, lineElement(spec, fg, i)) });
    }
    elements.push(lineElement(spec, fg));
    lines.push(words);
  }
  const { data } = await sharp(svg(width, height, bg, elements.join('')))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { image: { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) }, lines };
}

export async function loadPng(path: string): Promise<OcrImage> {
  const { data, info } = await sharp(path).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

/** Largest distance between corresponding edges of two boxes, in pixels. */
export function edgeError(a: Box, b: Box): number {
  return Math.max(
    Math.abs(a.x - b.x),
    Math.abs(a.y - b.y),
    Math.abs(a.x + a.width - (b.x + b.width)),
    Math.abs(a.y + a.height - (b.y + b.height)),
  );
}
