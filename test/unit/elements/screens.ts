import sharp from 'sharp';
import type { Box } from '../../../src/shared/geometry.js';
import type { Frame } from '../../../src/shared/ports.js';
import type { OcrLine, OcrResult } from '../../../src/perception/ocr/types.js';

/**
 * Synthetic screens drawn with sharp from SVG, with the truth of what was drawn where. Icons are
 * drawn in their own style here (other proportions, filled shapes, other stroke widths) than the
 * vocabulary's SVGs, so that recognising them is a real test and not a pixel copy.
 */

export interface Truth {
  kind: 'field' | 'button' | 'checkbox' | 'icon';
  box: Box;
  text?: string;
  icon?: string;
}

export interface Screen {
  frame: Frame;
  truth: Truth[];
  ocr: OcrResult;
}

interface TextSpec {
  text: string;
  x: number;
  /** Baseline. */
  y: number;
  size: number;
  fill: string;
}

const FONT = 'DejaVu Sans';

function gearSvg(cx: number, cy: number, r: number, fill: string): string {
  const teeth = Array.from({ length: 8 }, (_, i) => {
    const a = i * 45;
    return `<rect x="${cx - r * 0.22}" y="${cy - r}" width="${r * 0.44}" height="${r * 0.5}" transform="rotate(${a} ${cx} ${cy})" fill="${fill}"/>`;
  }).join('');
  return `${teeth}<circle cx="${cx}" cy="${cy}" r="${r * 0.72}" fill="${fill}"/><circle cx="${cx}" cy="${cy}" r="${r * 0.3}" fill="#2b5797"/>`;
}

/** A preferences dialog: title bar with window buttons and a gear, a toolbar, a form. */
export async function dialogScreen(scale = 1): Promise<Screen> {
  const W = 800;
  const H = 600;
  const truth: Truth[] = [];
  const texts: Array<TextSpec & { zone: Box }> = [];
  const parts: string[] = [];
  const text = (t: TextSpec, zone: Box): void => {
    texts.push({ ...t, zone });
    parts.push(
      `<text x="${t.x}" y="${t.y}" font-family="${FONT}" font-size="${t.size}" fill="${t.fill}">${t.text}</text>`,
    );
  };
  const icon = (name: string, box: Box, svg: string): void => {
    truth.push({ kind: 'icon', icon: name, box });
    parts.push(svg);
  };
  parts.push(`<rect width="${W}" height="${H}" fill="#f0f0f0"/>`);
  parts.push('<rect x="40.5" y="30.5" width="720" height="520" fill="#ffffff" stroke="#888888"/>');
  // Title bar, white glyphs on blue.
  parts.push('<rect x="41" y="31" width="719" height="32" fill="#2b5797"/>');
  text(
    { text: 'Preferences', x: 84, y: 52, size: 14, fill: '#ffffff' },
    { x: 80, y: 34, width: 120, height: 26 },
  );
  icon('settings', { x: 52, y: 37, width: 20, height: 20 }, gearSvg(62, 47, 10, '#ffffff'));
  icon(
    'minimize',
    { x: 664, y: 46, width: 12, height: 2 },
    '<rect x="664" y="46" width="12" height="2" fill="#ffffff"/>',
  );
  icon(
    'maximize',
    { x: 694, y: 41, width: 12, height: 12 },
    '<rect x="695" y="42" width="10" height="10" fill="none" stroke="#ffffff" stroke-width="1.5"/>',
  );
  icon(
    'close',
    { x: 724, y: 41, width: 12, height: 12 },
    '<path d="M725 42L735 52M735 42L725 52" stroke="#ffffff" stroke-width="1.6"/>',
  );
  // Toolbar: dark glyphs on grey, no button borders, except a bordered "add" button.
  parts.push('<rect x="41" y="63" width="719" height="40" fill="#e6e6e6"/>');
  const tb = (x: number): Box => ({ x, y: 75, width: 16, height: 16 });
  icon('back', tb(60), '<path d="M76 83H62M68 77L62 83L68 89" fill="none" stroke="#333" stroke-width="2"/>');
  icon(
    'forward',
    tb(92),
    '<path d="M92 83H106M100 77L106 83L100 89" fill="none" stroke="#333" stroke-width="2"/>',
  );
  icon(
    'search',
    tb(124),
    '<circle cx="131" cy="82" r="5.5" fill="none" stroke="#333" stroke-width="2"/><path d="M135 86L140 91" stroke="#333" stroke-width="2.5"/>',
  );
  icon(
    'menu',
    tb(156),
    '<rect x="156" y="76" width="16" height="2.5" fill="#333"/><rect x="156" y="82" width="16" height="2.5" fill="#333"/><rect x="156" y="88" width="16" height="2.5" fill="#333"/>',
  );
  icon(
    'delete',
    tb(188),
    '<path d="M188 78H204M193 78V75.5H199V78M190 78L191 91H201L202 78" fill="none" stroke="#333" stroke-width="1.6"/>',
  );
  parts.push('<rect x="220.5" y="69.5" width="27" height="27" rx="3" fill="#ffffff" stroke="#999999"/>');
  truth.push({ kind: 'icon', icon: 'add', box: { x: 220, y: 69, width: 28, height: 28 } });
  parts.push('<path d="M234 76V90M227 83H241" stroke="#333" stroke-width="2"/>');
  // Form.
  const field = (y: number, label: string, width: number, inner?: TextSpec): Box => {
    text(
      { text: label, x: 60, y: y + 20, size: 14, fill: '#000000' },
      { x: 56, y: y + 2, width: 90, height: 26 },
    );
    parts.push(
      `<rect x="160.5" y="${y + 0.5}" width="${width - 1}" height="29" fill="#ffffff" stroke="#767676"/>`,
    );
    const box = { x: 160, y, width, height: 30 };
    if (inner) text(inner, { x: 163, y: y + 3, width: Math.min(150, width - 40), height: 24 });
    truth.push({ kind: 'field', box, ...(inner ? { text: inner.text } : {}) });
    return box;
  };
  field(130, 'Name', 300);
  field(180, 'Email', 300, { text: 'you@example.com', x: 168, y: 200, size: 13, fill: '#777777' });
  const country = field(230, 'Country', 200, { text: 'Choose', x: 168, y: 250, size: 13, fill: '#000000' });
  icon(
    'dropdown',
    { x: country.x + 176, y: 242, width: 10, height: 6 },
    `<path d="M${country.x + 176} 242H${country.x + 186}L${country.x + 181} 248Z" fill="#333"/>`,
  );
  // Checkboxes.
  parts.push('<rect x="60.5" y="290.5" width="15" height="15" rx="2" fill="#ffffff" stroke="#555555"/>');
  truth.push({ kind: 'checkbox', box: { x: 60, y: 290, width: 16, height: 16 } });
  text(
    { text: 'Subscribe', x: 86, y: 303, size: 14, fill: '#000000' },
    { x: 84, y: 286, width: 90, height: 24 },
  );
  parts.push(
    '<rect x="60" y="320" width="16" height="16" rx="2" fill="#1a73e8"/><path d="M63.5 328L66.5 331L72.5 324" fill="none" stroke="#ffffff" stroke-width="2"/>',
  );
  truth.push({ kind: 'checkbox', box: { x: 60, y: 320, width: 16, height: 16 } });
  text(
    { text: 'Remember me', x: 86, y: 333, size: 14, fill: '#000000' },
    { x: 84, y: 316, width: 120, height: 24 },
  );
  // Buttons.
  parts.push('<rect x="520" y="490" width="90" height="32" rx="3" fill="#1a73e8"/>');
  text({ text: 'OK', x: 555, y: 511, size: 14, fill: '#ffffff' }, { x: 540, y: 494, width: 50, height: 24 });
  truth.push({ kind: 'button', box: { x: 520, y: 490, width: 90, height: 32 }, text: 'OK' });
  parts.push('<rect x="630.5" y="490.5" width="99" height="31" rx="3" fill="#ffffff" stroke="#888888"/>');
  text(
    { text: 'Cancel', x: 656, y: 511, size: 14, fill: '#000000' },
    { x: 645, y: 494, width: 75, height: 24 },
  );
  truth.push({ kind: 'button', box: { x: 630, y: 490, width: 100, height: 32 }, text: 'Cancel' });

  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W * scale}" height="${H * scale}" viewBox="0 0 ${W} ${H}">${parts.join('')}</svg>`;
  const { data, info } = await sharp(Buffer.from(svg))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const frame: Frame = {
    displayId: 'synthetic',
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    desktopBounds: { x: 0, y: 0, width: W, height: H },
    scaleFactor: scale,
    capturedAt: 0,
  };
  const lines: OcrLine[] = texts.map((t) => {
    const box = inkBox(frame, scaleBox(t.zone, scale));
    return { text: t.text, box, confidence: 0.95, words: [{ text: t.text, box, confidence: 0.95 }] };
  });
  return { frame, truth, ocr: { lines } };
}

function scaleBox(b: Box, s: number): Box {
  return {
    x: Math.round(b.x * s),
    y: Math.round(b.y * s),
    width: Math.round(b.width * s),
    height: Math.round(b.height * s),
  };
}

/** Bounding box of pixels that differ from the zone's top-left pixel: where the text's ink is. */
export function inkBox(frame: Frame, zone: Box): Box {
  const d = frame.data;
  const i0 = (zone.y * frame.width + zone.x) * 4;
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -1,
    y1 = -1;
  for (let y = zone.y; y < zone.y + zone.height; y++) {
    for (let x = zone.x; x < zone.x + zone.width; x++) {
      const i = (y * frame.width + x) * 4;
      if (
        Math.abs(d[i]! - d[i0]!) + Math.abs(d[i + 1]! - d[i0 + 1]!) + Math.abs(d[i + 2]! - d[i0 + 2]!) >
        60
      ) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) throw new Error(`no ink in zone ${JSON.stringify(zone)}`);
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}
