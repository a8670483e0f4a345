import sharp from 'sharp';

/** One row of annotations.jsonl (ScreenSpot format plus where the box came from). */
export interface Sample {
  img_filename: string;
  instruction: string;
  bbox: [number, number, number, number];
  data_type: 'text' | 'icon';
  platform: 'linux' | 'web';
  source: 'dom' | 'atspi';
}

/**
 * The dataset's PNG: the full screen, lossless but small. A 256-colour palette without dithering
 * keeps text edges crisp (dithering speckles anti-aliased glyphs, which OCR then misreads) and
 * makes a 1280x800 screen about a tenth of its truecolour size.
 */
export async function datasetPng(screen: Buffer): Promise<Buffer> {
  return sharp(screen).removeAlpha().png({ compressionLevel: 9, palette: true, colours: 256, dither: 0 }).toBuffer();
}

/** Top-left of the 8x8 magenta origin marker in a screen capture, or undefined. */
export async function findMarker(screen: Buffer): Promise<{ x: number; y: number } | undefined> {
  const { data, info } = await sharp(screen).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const ch = info.channels;
  const magenta = (x: number, y: number): boolean => {
    if (x >= info.width || y >= info.height) return false;
    const i = (y * info.width + x) * ch;
    return data[i] === 255 && data[i + 1] === 0 && data[i + 2] === 255;
  };
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      if (magenta(x, y) && magenta(x + 7, y) && magenta(x, y + 7) && magenta(x + 7, y + 7) && !magenta(x - 1, y) && !magenta(x, y - 1)) {
        return { x, y };
      }
    }
  }
  return undefined;
}

/** The screen with every sample's box drawn and numbered: for a person to check the boxes. */
export async function drawSamples(png: Buffer, samples: Sample[]): Promise<Buffer> {
  const meta = await sharp(png).metadata();
  const parts = samples.map((s, i) => {
    const [x, y, w, h] = s.bbox;
    const color = s.data_type === 'icon' ? '#00b050' : '#ff0000';
    return (
      `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="${color}" stroke-width="1"/>` +
      `<text x="${x}" y="${Math.max(9, y - 1)}" font-size="9" font-family="DejaVu Sans" fill="${color}">${i}</text>`
    );
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${meta.width}" height="${meta.height}">${parts.join('')}</svg>`;
  return sharp(png).composite([{ input: Buffer.from(svg), top: 0, left: 0 }]).png().toBuffer();
}

export function intersects(a: [number, number, number, number], b: [number, number, number, number]): boolean {
  return a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
}
