import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { integral, nccMap, prepareTemplate, TemplateGrounder, toGray } from '../src/grounding/template/index.js';
import type { Observation } from '../src/shared/ports.js';
import { measurePair, summarize, type Benchmark } from './harness.js';

const GOAL_MS = 250;
const GOAL_RATIO = 5;

/** A 1280x800 screen with a title bar, icons, a text field and two buttons; the gear is the template. */
const SCREEN = `<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="800">
<rect width="100%" height="100%" fill="#f2f2f2"/><rect width="100%" height="40" fill="#2d3e50"/>
<text x="20" y="27" font-family="DejaVu Sans" font-size="16" fill="#fff">File   Edit   View   Help</text>
<g transform="translate(640,380)"><circle cx="16" cy="16" r="9" fill="#555"/>${[0, 45, 90, 135]
  .map((a) => `<rect x="14" y="2" width="4" height="28" fill="#555" transform="rotate(${a} 16 16)"/>`)
  .join('')}<circle cx="16" cy="16" r="4" fill="#eee"/></g>
<rect x="80" y="200" width="400" height="30" fill="#fff" stroke="#999"/>
<text x="90" y="221" font-family="DejaVu Sans" font-size="14" fill="#333">Name</text>
<rect x="1000" y="700" width="100" height="36" rx="5" fill="#2a7ae2"/>
<text x="1028" y="724" font-family="DejaVu Sans" font-size="15" fill="#fff">Save</text>
<rect x="860" y="700" width="100" height="36" rx="5" fill="#ddd" stroke="#aaa"/>
<text x="880" y="724" font-family="DejaVu Sans" font-size="15" fill="#222">Cancel</text></svg>`;

async function rawOf(png: Buffer): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(png).ensureAlpha(1).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * Template search on a 1280x800 frame: the template grounder (10 scales' worth of 0.8–1.25,
 * coarse to fine, grayscale conversion included) against the exhaustive baseline, NCC of the
 * template at scale 1.0 only at every full-resolution position (same NCC kernel, same integral
 * images), for a 32x32 icon and a 100x36 button.
 */
export const templateBench: Benchmark = {
  name: 'template',
  description: 'template search on 1280x800: coarse-to-fine multi-scale vs exhaustive single-scale full-resolution NCC',
  goal: `multi-scale search <= ${GOAL_MS} ms and at least ${GOAL_RATIO}x faster than the single-scale exhaustive baseline`,
  async run({ quick }) {
    const dir = mkdtempSync(join(tmpdir(), 'deskpilot-template-bench-'));
    try {
      const screenPng = await sharp(Buffer.from(SCREEN)).png().toBuffer();
      const screen = await rawOf(screenPng);
      const observation: Observation = {
        frame: { displayId: 'bench', ...screen, desktopBounds: { x: 0, y: 0, width: 1280, height: 800 }, scaleFactor: 1, capturedAt: 0 },
        displays: [],
      };
      const grounder = new TemplateGrounder({ baseDir: dir });
      const crops = { 'icon 32x32': { left: 640, top: 380, width: 32, height: 32 }, 'button 100x36': { left: 1000, top: 700, width: 100, height: 36 } };
      const figures: Record<string, ReturnType<typeof summarize>> = {};
      let ratio = Infinity;
      let worst = 0;
      for (const [label, box] of Object.entries(crops)) {
        const png = await sharp(screenPng).extract(box).png().toBuffer();
        const file = `${box.width}x${box.height}.png`;
        writeFileSync(join(dir, file), png);
        const t = await rawOf(png);
        const template = prepareTemplate(toGray(t.data, t.width, t.height));
        const found = await grounder.locate(observation, { image: file });
        if (Math.abs(found.point.x - (box.left + box.width / 2)) > 1) throw new Error(`${label}: the grounder missed (${found.point.x})`);
        const rounds = quick ? { iterations: 1, warmup: 1 } : { iterations: 5, warmup: 1 };
        const { baseline, candidate } = await measurePair(
          () => {
            const gray = toGray(screen.data, screen.width, screen.height);
            nccMap(gray, integral(gray), template);
          },
          () => grounder.locate(observation, { image: file }),
          rounds,
        );
        const c = summarize(candidate);
        const b = summarize(baseline);
        figures[`multi-scale coarse-to-fine, ${label}`] = c;
        figures[`single-scale exhaustive NCC, ${label}`] = b;
        ratio = Math.min(ratio, b.median / c.median);
        worst = Math.max(worst, c.median);
      }
      return {
        figures,
        ratio,
        ratioLabel: 'exhaustive single-scale time / multi-scale coarse-to-fine time, the smaller of the two templates',
        goalMet: ratio >= GOAL_RATIO && worst <= GOAL_MS,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
