import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { IconGrounder, iconNamed } from '../../../src/grounding/icon/index.js';
import { proposeElements } from '../../../src/perception/elements/index.js';
import type { OcrLine, OcrResult } from '../../../src/perception/ocr/types.js';
import { GroundingError } from '../../../src/shared/errors.js';
import { boxContains, type Box } from '../../../src/shared/geometry.js';
import type { Frame, Observation } from '../../../src/shared/ports.js';

/**
 * A shop cart with two rows of the same buttons, a browser strip with a tab's × and a new-tab +,
 * and a dialog with its own ×: the screens where "which one?" needs the rest of the instruction.
 * Icons are drawn here in their own style (square caps, 1.5 px strokes), not from the
 * vocabulary's SVGs. The OCR result is the truth of the drawn labels.
 */
const W = 1000;
const H = 600;
const INK = '#333333';

interface Drawn {
  frame: Frame;
  ocr: OcrResult;
  at: Record<string, Box>;
}

function line(text: string, x: number, y: number): OcrLine {
  // DejaVu Sans 14 px: about 8 px a character, 11 px of ink above the baseline.
  const box = { x, y: y - 11, width: text.length * 8, height: 14 };
  return { text, box, confidence: 0.99, words: [{ text, box, confidence: 0.99 }] };
}

async function drawScreen(): Promise<Drawn> {
  const parts: string[] = [`<rect width="${W}" height="${H}" fill="#fafafa"/>`];
  const lines: OcrLine[] = [];
  const at: Record<string, Box> = {};
  const label = (text: string, x: number, y: number): void => {
    parts.push(
      `<text x="${x}" y="${y}" font-family="DejaVu Sans" font-size="14" fill="${INK}">${text}</text>`,
    );
    lines.push(line(text, x, y));
  };
  const stroke = (d: string): string =>
    `<path d="${d}" fill="none" stroke="${INK}" stroke-width="1.5" stroke-linecap="square"/>`;
  const button = (name: string, x: number, y: number, glyph: string): void => {
    parts.push(
      `<rect x="${x + 0.5}" y="${y + 0.5}" width="27" height="27" rx="4" fill="#ffffff" stroke="#cccccc"/>`,
    );
    parts.push(`<g transform="translate(${x + 6} ${y + 6})">${glyph}</g>`);
    at[name] = { x, y, width: 28, height: 28 };
  };
  const minus = stroke('M2 8H14');
  const plus = stroke('M8 2V14M2 8H14');
  const trash = stroke('M1 3H15M5 3V1H11V3M3 3L4 15H12L13 3');
  const close = stroke('M3 3L13 13M13 3L3 13');

  // Browser strip: a tab with its ×, and a + for a new tab.
  parts.push(
    '<rect width="1000" height="36" fill="#e8e8e8"/><rect x="10" y="4" width="260" height="32" fill="#ffffff"/>',
  );
  label('Cart - Shop', 24, 25);
  parts.push(`<g transform="translate(236 10)">${close}</g>`);
  at['tab close'] = { x: 236, y: 10, width: 16, height: 16 };
  parts.push(`<g transform="translate(284 10)">${plus}</g>`);
  at['new tab'] = { x: 284, y: 10, width: 16, height: 16 };

  // Cart rows: label, quantity buttons, remove button.
  for (const [i, name] of ['Wireless headphones', 'USB charger 65W'].entries()) {
    const y = 90 + i * 60;
    label(name, 40, y + 19);
    button(`${i} minus`, 560, y, minus);
    button(`${i} plus`, 640, y, plus);
    button(`${i} trash`, 720, y, trash);
  }

  // A dialog in the middle of the screen, with its own ×.
  parts.push('<rect x="300.5" y="260.5" width="400" height="220" rx="6" fill="#ffffff" stroke="#bbbbbb"/>');
  label('Share cart', 320, 290);
  parts.push(`<g transform="translate(668 274)">${close}</g>`);
  at['dialog close'] = { x: 668, y: 274, width: 16, height: 16 };

  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${parts.join('')}</svg>`;
  const { data } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const frame: Frame = {
    displayId: 'test',
    width: W,
    height: H,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    desktopBounds: { x: 0, y: 0, width: W, height: H },
    scaleFactor: 1,
    capturedAt: 0,
  };
  return { frame, ocr: { lines }, at };
}

function grow(b: Box, p: number): Box {
  return { x: b.x - p, y: b.y - p, width: b.width + 2 * p, height: b.height + 2 * p };
}

describe('icon grounding with the rest of the instruction', () => {
  let screen: Drawn;
  let observation: Observation;
  const grounder = new IconGrounder();

  beforeAll(async () => {
    screen = await drawScreen();
    observation = {
      frame: screen.frame,
      displays: [],
      elements: proposeElements(screen.frame, { ocr: screen.ocr }),
    };
  });

  const cases: Array<[string, string]> = [
    ['remove the headphones from the cart', '0 trash'],
    ['delete the charger', '1 trash'],
    ['decrease the charger quantity', '1 minus'],
    ['decrease the headphones quantity', '0 minus'],
    ['add one more headphones', '0 plus'],
    ['increase the charger quantity', '1 plus'],
    ['close the dialog', 'dialog close'],
  ];
  it.each(cases)('"%s" lands on the %s button', async (description, where) => {
    const loc = await grounder.locate(observation, { description });
    expect(boxContains(grow(screen.at[where]!, 2), loc.point), JSON.stringify(loc.point)).toBe(true);
  });

  it('still says ambiguous when nothing in the instruction tells the rows apart', async () => {
    const err = await grounder.locate(observation, { description: 'the trash button' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GroundingError);
    expect((err as GroundingError).code).toBe('GROUNDING_AMBIGUOUS');
  });
});

describe('the words people use for icons', () => {
  it.each([
    ['mark as favourite', 'star'],
    ['reload the page', 'refresh'],
    ['open the settings', 'settings'],
    ['more options', 'more'],
    ['decrease quantity', 'minus'],
    ['switch to list view', 'list'],
    ['toggle automatic updates', 'toggle'],
    ['toggle the sidebar menu', 'menu'],
    ['the close bracket button', 'close_bracket'],
    ['the change sign button', 'plus_minus'],
    ['go to the last page', 'last'],
    ['show notifications', 'notifications'],
    ['open my account', 'user'],
    ['the percent button', 'percent'],
  ])('"%s" names the %s icon', (words, name) => {
    expect(iconNamed(words)).toBe(name);
  });
});
