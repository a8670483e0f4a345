import sharp from 'sharp';
import { toGray } from '../../perception/elements/index.js';
import { correlate, glyphFeatures, type GlyphFeature } from './glyph.js';
import { FILLED_STYLE, ICON_SVGS, NOT_ICONS, STROKED_STYLE } from './drawings.js';
import { ICON_NAMES, type IconName } from './vocabulary.js';

/** A vocabulary icon, or 'text' for a glyph that is not one (a digit or letter on a button). */
export type ExemplarName = IconName | 'text';

export interface Exemplar {
  name: ExemplarName;
  feature: GlyphFeature;
  /** How it was drawn, for debugging: "close 16px stroke 2 round". */
  variant: string;
}

/** Rendered sizes (px) and stroke widths (in the icons' 24-unit box) that exemplars cover. */
const SIZES = [12, 16, 20, 28];
const STROKES = [1.25, 1.75, 2.25, 3, 4.5];
const CAPS = ['round', 'butt'] as const;
/**
 * The first twelve icons (window buttons, arrows, gear...) are drawn in many styles by toolkits
 * and window managers; the rest come mostly from web icon sets with round caps and 1.5-2.5
 * strokes, so fewer variants keep classification fast.
 */
const CLASSIC = new Set<IconName>(ICON_NAMES.slice(0, 12));
const LIGHT_SIZES = [14, 20, 28];
const LIGHT_STROKES = [1.5, 2, 2.75];
const LIGHT_CAPS = ['round'] as const;
const MARGIN = 6;

interface Cell {
  name: ExemplarName;
  variant: string;
  svg: string;
  size: number;
}

function cells(): Cell[] {
  const out: Cell[] = [];
  for (const name of ICON_NAMES) {
    const { stroked, filled } = ICON_SVGS[name];
    const classic = CLASSIC.has(name);
    for (const size of classic ? SIZES : LIGHT_SIZES) {
      stroked.forEach((body, v) => {
        for (const sw of classic ? STROKES : LIGHT_STROKES) {
          for (const cap of classic ? CAPS : LIGHT_CAPS) {
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
  for (const size of LIGHT_SIZES) {
    NOT_ICONS.forEach((body, v) =>
      out.push({
        name: 'text',
        size,
        variant: `text #${v} ${size}px`,
        svg: `<g ${FILLED_STYLE}>${body}</g>`,
      }),
    );
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
    if (f && !nearDuplicate(out, c.name, f)) out.push({ name: c.name, feature: f, variant: c.variant });
  });
  return out;
}

/**
 * Sizes and stroke widths often normalise to almost the same glyph; keeping one of each such
 * group makes classification (every glyph against every exemplar) several times cheaper and
 * changes no nearest-exemplar score by more than the duplicate margin.
 */
const DUPLICATE = 0.985;

function nearDuplicate(kept: readonly Exemplar[], name: ExemplarName, f: GlyphFeature): boolean {
  for (const e of kept) if (e.name === name && correlate(e.feature, f) >= DUPLICATE) return true;
  return false;
}
