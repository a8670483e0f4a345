import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { annotate } from '../../perception/annotate.js';
import type { BenchResult, SampleResult } from './bench.js';
import type { Dataset } from './dataset.js';

export interface WrittenReport {
  json: string;
  misses: string[];
}

/**
 * Writes DIR/report.json (the summary and every sample's outcome) and, for each miss, a PNG of
 * its screen with the true box in green and the predicted point in red, named after the sample.
 */
export async function writeBenchReport(dir: string, dataset: Dataset, result: BenchResult): Promise<WrittenReport> {
  const missDir = path.join(dir, 'misses');
  await mkdir(missDir, { recursive: true });
  const json = path.join(dir, 'report.json');
  await writeFile(json, JSON.stringify({ summary: result.summary, samples: result.results }, null, 2) + '\n');
  const misses: string[] = [];
  const images = new Map<string, Buffer>();
  for (const r of result.results.filter((x) => !x.hit)) {
    let png = images.get(r.img_filename);
    if (!png) {
      png = await readFile(path.resolve(dataset.imageDir, r.img_filename));
      images.set(r.img_filename, png);
    }
    const file = path.join(missDir, missName(r));
    await writeFile(file, await drawMiss(png, r));
    misses.push(file);
  }
  return { json, misses };
}

async function drawMiss(png: Buffer, r: SampleResult): Promise<Buffer> {
  const [x, y, width, height] = r.bbox;
  const truth = await annotate(png, { boxes: [{ x, y, width, height, label: r.instruction }], color: '#00a000' });
  if (!r.point) {
    return annotate(truth, { labels: [{ x, y: y + height + 18, text: `not found: ${(r.error ?? '').slice(0, 80)}` }], color: '#d00000' });
  }
  return annotate(truth, { points: [{ x: r.point.x, y: r.point.y, label: r.source ?? 'predicted' }], color: '#d00000' });
}

function missName(r: SampleResult): string {
  const slug = r.instruction.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);
  return `${String(r.index).padStart(4, '0')}-${path.parse(r.img_filename).name}-${slug || 'sample'}.png`;
}
