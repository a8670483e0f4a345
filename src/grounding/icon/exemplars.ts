import sharp from 'sharp';
import { toGray } from '../../perception/elements/index.js';
import { glyphFeatures, type GlyphFeature } from './glyph.js';
import { FILLED_STYLE, ICON_NAMES, ICON_SVGS, STROKED_STYLE, type IconName } from './vocabulary.js';

export interface Exemplar {
  name: IconName;
  feature: GlyphFeature;
  /** How it was drawn, for debugging: "close 16px stroke 2 round". */
  variant: string;
}

/** Rendered sizes (px) and stroke widths (in the icons' 24-unit box) that exemplars cover. */
const SIZES = [12, 16, 20, 28];
const STROKES = [1.25, 1.75, 2.25, 3, 4.5];
const CAPS = ['round', 'butt'] as const;
const MARGIN = 6;

interface Cell {
  name: IconName;
  variant: string;
  svg: string;
  size: number;
}

function cells(): Cell[] {
  const out: Cell[] = [];
  for (const name of ICON_NAMES) {
    const { stroked, filled } = ICON_SVGS[name];
    for (const size of SIZES) {
      stroked.forEach((body, v) => {
        for (const sw of STROKES) {
          for (const cap of CAPS) {
            out.push({
              name,
              size,
              variant: `${name} #${v} ${size}px stroke ${sw} ${cap}`,
              svg: `<g ${STROKED_STYLE} stroke-width="${sw}" stroke-linecap="${cap}">${body}</g>`,
            });
          }
        }
      });
      filled.forEach((body, v) =>
        out.push({
          name,
          size,
          variant: `${name} filled #${v} ${size}px`,
          svg: `<g ${FILLED_STYLE}>${body}</g>`,
        }),
      );
    }
  }
  return out;
}

let cache: Promise<Exemplar[]> | undefined;

/**
 * Every vocabulary icon rendered at several sizes, stroke widths and cap styles, on one sheet in
 * a single sharp call (a few hundred glyphs, tens of ms), then turned into glyph features. Done
 * once per process.
 */
export function loadExemplars(): Promise<Exemplar[]> {
  cache ??= render().catch((error: unknown) => {
    cache = undefined;
    throw error;
  });
  return cache;
}

async function render(): Promise<Exemplar[]> {
  const list = cells();
  const pitch = Math.max(...SIZES) + 2 * MARGIN;
  const cols = 32;
  const rows = Math.ceil(list.length / cols);
  const parts = list.map((c, i) => {
    const x = (i % cols) * pitch + MARGIN;
    const y = Math.floor(i / cols) * pitch + MARGIN;
    return `<svg x="${x}" y="${y}" width="${c.size}" height="${c.size}" viewBox="0 0 24 24" overflow="visible">${c.svg}</svg>`;
  });
  const width = cols * pitch;
  const height = rows * pitch;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>`;
  const { data, info } = await sharp(Buffer.from(svg))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const gray = toGray({
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  });
  const out: Exemplar[] = [];
  list.forEach((c, i) => {
    const box = {
      x: (i % cols) * pitch + 1,
      y: Math.floor(i / cols) * pitch + 1,
      width: pitch - 2,
      height: pitch - 2,
    };
    const f = glyphFeatures(gray, box)[0];
    if (f) out.push({ name: c.name, feature: f, variant: c.variant });
  });
  return out;
}
