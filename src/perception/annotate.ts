import sharp from 'sharp';
import type { Box, Point } from '../shared/geometry.js';
import type { RgbaImage } from './image.js';

export interface Annotations {
  /** Image pixels. */
  points?: Array<Point & { label?: string }>;
  boxes?: Array<Box & { label?: string }>;
  /** Free labels at a position. */
  labels?: Array<Point & { text: string }>;
  color?: string;
}

/**
 * Draws points, boxes and labels onto a screenshot for reports and the UI: an SVG overlay
 * composited by sharp. Coordinates are pixels of the given image. Returns PNG bytes.
 */
export async function annotate(image: RgbaImage | Uint8Array, a: Annotations): Promise<Buffer> {
  const base =
    image instanceof Uint8Array
      ? sharp(image)
      : sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } });
  const meta = image instanceof Uint8Array ? await sharp(image).metadata() : image;
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  // The overlay covers only what it draws: rasterising a screen-sized SVG cost ~20 ms a shot.
  const area = overlayArea(width, height, a);
  if (!area) return base.png({ compressionLevel: 1 }).toBuffer();
  const svg = overlaySvg(width, height, a, area);
  return base.composite([{ input: Buffer.from(svg), top: area.y, left: area.x }]).png({ compressionLevel: 1 }).toBuffer();
}

/** The part of the image the annotations draw on (whole pixels, clipped), or null when none shows. */
export function overlayArea(width: number, height: number, a: Annotations): Box | null {
  const spans: [number, number, number, number][] = []; // x0, y0, x1, y1
  const labelSpan = (x: number, y: number, text: string) => spans.push([x, y - 14, x + labelWidth(text), y + 4]);
  for (const b of a.boxes ?? []) {
    spans.push([b.x - 2, b.y - 2, b.x + b.width + 2, b.y + b.height + 2]);
    if (b.label) labelSpan(b.x, Math.max(14, b.y - 4), b.label);
  }
  for (const p of a.points ?? []) {
    spans.push([p.x - 15, p.y - 15, p.x + 15, p.y + 15]);
    if (p.label) labelSpan(p.x + 14, p.y - 12, p.label);
  }
  for (const l of a.labels ?? []) labelSpan(l.x, l.y, l.text);
  if (spans.length === 0) return null;
  const x0 = Math.max(0, Math.floor(Math.min(...spans.map((s) => s[0])) - 2));
  const y0 = Math.max(0, Math.floor(Math.min(...spans.map((s) => s[1])) - 2));
  const x1 = Math.min(width, Math.ceil(Math.max(...spans.map((s) => s[2])) + 2));
  const y1 = Math.min(height, Math.ceil(Math.max(...spans.map((s) => s[3])) + 2));
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}

/** The overlay as SVG in image coordinates; with `area`, only that part of it (an SVG of that size). */
export function overlaySvg(width: number, height: number, a: Annotations, area?: Box): string {
  const color = a.color ?? '#ff0000';
  const parts: string[] = [];
  for (const b of a.boxes ?? []) {
    parts.push(`<rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" fill="none" stroke="${color}" stroke-width="3"/>`);
    if (b.label) parts.push(label(b.x, Math.max(14, b.y - 4), b.label, color));
  }
  for (const p of a.points ?? []) {
    // A ring with a cross: visible on any background, centre exact to the pixel.
    parts.push(`<circle cx="${p.x}" cy="${p.y}" r="9" fill="none" stroke="${color}" stroke-width="3"/>`);
    parts.push(`<path d="M${p.x - 14} ${p.y}H${p.x + 14}M${p.x} ${p.y - 14}V${p.y + 14}" stroke="${color}" stroke-width="2"/>`);
    if (p.label) parts.push(label(p.x + 14, p.y - 12, p.label, color));
  }
  for (const l of a.labels ?? []) parts.push(label(l.x, l.y, l.text, color));
  const view = area ? ` viewBox="${area.x} ${area.y} ${area.width} ${area.height}"` : '';
  const [w, h] = area ? [area.width, area.height] : [width, height];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"${view}>${parts.join('')}</svg>`;
}

function labelWidth(text: string): number {
  return Math.ceil(text.length * 8.5) + 8;
}

function label(x: number, y: number, text: string, color: string): string {
  const w = labelWidth(text);
  return (
    `<rect x="${x}" y="${y - 14}" width="${w}" height="18" fill="${color}"/>` +
    `<text x="${x + 4}" y="${y}" font-family="DejaVu Sans, sans-serif" font-size="14" fill="#ffffff">${escapeXml(text)}</text>`
  );
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
