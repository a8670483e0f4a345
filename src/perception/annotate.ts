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
  const svg = overlaySvg(width, height, a);
  return base.composite([{ input: Buffer.from(svg), top: 0, left: 0 }]).png({ compressionLevel: 1 }).toBuffer();
}

export function overlaySvg(width: number, height: number, a: Annotations): string {
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
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

function label(x: number, y: number, text: string, color: string): string {
  const w = Math.ceil(text.length * 8.5) + 8;
  return (
    `<rect x="${x}" y="${y - 14}" width="${w}" height="18" fill="${color}"/>` +
    `<text x="${x + 4}" y="${y}" font-family="DejaVu Sans, sans-serif" font-size="14" fill="#ffffff">${escapeXml(text)}</text>`
  );
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
