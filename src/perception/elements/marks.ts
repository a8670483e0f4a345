import sharp from 'sharp';
import { desktopToScreen } from '../../shared/coords.js';
import type { Frame, UiElement } from '../../shared/ports.js';

const COLORS: Record<UiElement['kind'], string> = {
  text: '#1565c0',
  icon: '#d81b60',
  field: '#2e7d32',
  button: '#ef6c00',
  checkbox: '#6a1b9a',
  other: '#757575',
};

/**
 * A set-of-marks image for models: each element's box drawn on the frame with its id number in
 * a tag at the top-left corner (e12 → "12"), coloured by kind. Returns PNG bytes.
 */
export async function setOfMarks(frame: Frame, elements: readonly UiElement[]): Promise<Buffer> {
  const parts: string[] = [];
  for (const e of elements) {
    const tl = desktopToScreen({ space: 'desktop', x: e.box.x, y: e.box.y }, frame);
    const br = desktopToScreen(
      { space: 'desktop', x: e.box.x + e.box.width, y: e.box.y + e.box.height },
      frame,
    );
    const color = COLORS[e.kind];
    const x = Math.round(tl.x);
    const y = Math.round(tl.y);
    parts.push(
      `<rect x="${x}" y="${y}" width="${Math.round(br.x - tl.x)}" height="${Math.round(br.y - tl.y)}" fill="none" stroke="${color}" stroke-width="2"/>`,
    );
    const label = e.id.replace(/^e/, '');
    const w = label.length * 7 + 4;
    const ty = y >= 12 ? y - 12 : y;
    parts.push(`<rect x="${x}" y="${ty}" width="${w}" height="12" fill="${color}"/>`);
    parts.push(
      `<text x="${x + 2}" y="${ty + 10}" font-family="DejaVu Sans Mono, monospace" font-size="11" fill="#fff">${label}</text>`,
    );
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${frame.width}" height="${frame.height}">${parts.join('')}</svg>`;
  return sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 4 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png({ compressionLevel: 1 })
    .toBuffer();
}
