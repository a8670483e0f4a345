import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TemplateGrounder } from '../../../src/grounding/template/index.js';
import type { Box } from '../../../src/shared/geometry.js';
import type { Observation } from '../../../src/shared/ports.js';

// Synthetic screens drawn from SVG by sharp: a title bar with a gear, a trash icon, a text field,
// a blue "Save" and a grey "Cancel" button. Templates are crops of those renders, written to PNG
// files the way a macro recorder stores them.
const ICONS = {
  gear:
    '<g><circle cx="16" cy="16" r="9" fill="#555"/>' +
    [0, 45, 90, 135].map((a) => `<rect x="14" y="2" width="4" height="28" fill="#555" transform="rotate(${a} 16 16)"/>`).join('') +
    '<circle cx="16" cy="16" r="4" fill="#eee"/></g>',
  star: '<polygon points="16,2 20,12 31,12 22,19 26,30 16,23 6,30 10,19 1,12 12,12" fill="#e0a000" stroke="#805000" stroke-width="1.5"/>',
  trash:
    '<g><rect x="8" y="9" width="16" height="20" rx="2" fill="#c33"/><rect x="5" y="5" width="22" height="3" fill="#922"/>' +
    '<rect x="12" y="2" width="8" height="3" fill="#922"/><line x1="12" y1="12" x2="12" y2="26" stroke="#fff" stroke-width="2"/>' +
    '<line x1="20" y1="12" x2="20" y2="26" stroke="#fff" stroke-width="2"/></g>',
};

function screenSvg(extra = ''): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="800">
<rect width="100%" height="100%" fill="#f2f2f2"/>
<rect width="100%" height="40" fill="#2d3e50"/>
<text x="20" y="27" font-family="DejaVu Sans" font-size="16" fill="#fff">File   Edit   View   Help</text>
<g transform="translate(300,4)">${ICONS.gear}</g>
<g transform="translate(600,120)">${ICONS.trash}</g>
<rect x="80" y="200" width="400" height="30" fill="#fff" stroke="#999"/>
<text x="90" y="221" font-family="DejaVu Sans" font-size="14" fill="#333">Name</text>
<rect x="1000" y="700" width="100" height="36" rx="5" fill="#2a7ae2"/>
<text x="1028" y="724" font-family="DejaVu Sans" font-size="15" fill="#fff">Save</text>
<rect x="860" y="700" width="100" height="36" rx="5" fill="#ddd" stroke="#aaa"/>
<text x="880" y="724" font-family="DejaVu Sans" font-size="15" fill="#222">Cancel</text>
${extra}</svg>`;
}

const SAVE: Box = { x: 1000, y: 700, width: 100, height: 36 };
const GEAR: Box = { x: 300, y: 4, width: 32, height: 32 };

let dir: string;
let screenPng: Buffer;

async function observation(png: Buffer, desktopBounds?: Box): Promise<Observation> {
  const { data, info } = await sharp(png).ensureAlpha(1).raw().toBuffer({ resolveWithObject: true });
  const bounds = desktopBounds ?? { x: 0, y: 0, width: info.width, height: info.height };
  return {
    frame: {
      displayId: 'd', width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      desktopBounds: bounds, scaleFactor: info.width / bounds.width, capturedAt: 0,
    },
    displays: [],
  };
}

async function saveCrop(png: Buffer, box: Box, name: string): Promise<string> {
  await writeFile(join(dir, name), await sharp(png).extract({ left: box.x, top: box.y, width: box.width, height: box.height }).png().toBuffer());
  return name;
}

const render = (svg: string) => sharp(Buffer.from(svg)).png().toBuffer();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deskpilot-template-'));
  screenPng = await render(screenSvg());
  await saveCrop(screenPng, SAVE, 'save.png');
  await saveCrop(screenPng, GEAR, 'gear.png');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('template grounder', () => {
  const grounder = () => new TemplateGrounder({ baseDir: dir });

  it('finds a recorded crop at scale 1.0, relative path resolved against the base dir', async () => {
    const r = await grounder().locate(await observation(screenPng), { image: 'save.png' });
    expect(r.point).toEqual({ x: 1050, y: 718 });
    expect(r.box).toEqual(SAVE);
    expect(r.confidence).toBeGreaterThan(0.99);
    expect(r.source).toBe('template');
    const gear = await grounder().locate(await observation(screenPng), { image: join(dir, 'gear.png') });
    expect(gear.point).toEqual({ x: 316, y: 20 });
  });

  it.each([1.2, 0.85])('finds it on a screen scaled by %s (UI zoom / other DPI)', async (s) => {
    const scaled = await sharp(screenPng).resize(Math.round(1280 * s), Math.round(800 * s)).png().toBuffer();
    const r = await grounder().locate(await observation(scaled), { image: 'save.png' });
    expect(Math.abs(r.point.x - 1050 * s)).toBeLessThanOrEqual(2);
    expect(Math.abs(r.point.y - 718 * s)).toBeLessThanOrEqual(2);
    expect(Math.abs(r.box!.width - 100 * s)).toBeLessThanOrEqual(4);
    expect(r.confidence).toBeGreaterThan(0.8);
  });

  it('says not found, with the best score, when the crop is not on screen', async () => {
    const other = await render(screenSvg(`<g transform="translate(700,400)">${ICONS.star}</g>`));
    await saveCrop(other, { x: 700, y: 400, width: 32, height: 32 }, 'star.png');
    const err = grounder().locate(await observation(screenPng), { image: 'star.png' });
    await expect(err).rejects.toMatchObject({ name: 'GroundingError', code: 'GROUNDING_NOT_FOUND' });
    await expect(err).rejects.toThrow(/star\.png is not on screen: best similarity 0\.\d\d is below the threshold 0\.7/);
  });

  it('says ambiguous when the crop appears twice; an ordinal or a region picks one', async () => {
    const twice = await render(screenSvg(`<g transform="translate(700,400)">${ICONS.star}</g><g transform="translate(200,600)">${ICONS.star}</g>`));
    await saveCrop(twice, { x: 700, y: 400, width: 32, height: 32 }, 'star2.png');
    const obs = await observation(twice);
    await expect(grounder().locate(obs, { image: 'star2.png' })).rejects.toMatchObject({ code: 'GROUNDING_AMBIGUOUS' });
    await expect(grounder().locate(obs, { image: 'star2.png' })).rejects.toThrow(/\(716, 416\)/);
    expect((await grounder().locate(obs, { image: 'star2.png', ordinal: 2 })).point).toEqual({ x: 216, y: 616 });
    const inRegion = await grounder().locate(obs, { image: 'star2.png', region: { x: 0, y: 500, width: 640, height: 300 } });
    expect(inRegion.point).toEqual({ x: 216, y: 616 });
  });

  it('returns a weaker look-alike as an alternative, not as the answer', async () => {
    // Same trash can with a third stripe: close, but not the recorded icon.
    const lookAlike = ICONS.trash.replace('</g>', '<line x1="16" y1="12" x2="16" y2="26" stroke="#fff" stroke-width="2"/></g>');
    const both = await render(screenSvg(`<g transform="translate(900,300)">${lookAlike}</g>`));
    await saveCrop(both, { x: 600, y: 120, width: 32, height: 32 }, 'trash.png');
    const r = await grounder().locate(await observation(both), { image: 'trash.png' });
    expect(r.point).toEqual({ x: 616, y: 136 });
    expect(r.alternatives).toHaveLength(1);
    expect(r.alternatives[0]!.point).toEqual({ x: 916, y: 316 });
    expect(r.alternatives[0]!.confidence).toBeLessThan(r.confidence - 0.01);
    expect(r.alternatives[0]!.confidence).toBeGreaterThanOrEqual(0.7);
  });

  it('maps a 2x frame with a non-zero desktop origin to logical desktop coordinates', async () => {
    // A 640x400 logical display at (1920, 200) on a 2x panel: the frame is 1280x800 physical.
    // The crop was recorded on the same panel, so it matches at scale 1 in physical pixels.
    const obs = await observation(screenPng, { x: 1920, y: 200, width: 640, height: 400 });
    const r = await grounder().locate(obs, { image: 'save.png' });
    expect(r.point).toEqual({ x: 1920 + 1050 / 2, y: 200 + 718 / 2 });
    expect(r.box).toEqual({ x: 1920 + 500, y: 200 + 350, width: 50, height: 18 });
  });

  it('explains a missing or unusable template file', async () => {
    const obs = await observation(screenPng);
    await expect(grounder().locate(obs, { image: 'nope.png' })).rejects.toThrow(new RegExp(`cannot read the template image ${dir}/nope\\.png: ENOENT`));
    await writeFile(join(dir, 'flat.png'), await sharp({ create: { width: 20, height: 20, channels: 3, background: '#808080' } }).png().toBuffer());
    await expect(grounder().locate(obs, { image: 'flat.png' })).rejects.toThrow(/single flat colour/);
    await expect(grounder().locate(obs, { text: 'Save' })).rejects.toThrow(/needs a template image/);
  });
});
