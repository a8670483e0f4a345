import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readDataset,
  runGroundingBench,
  targetsFor,
  writeBenchReport,
} from '../../../src/runner/grounding-bench/index.js';
import { GroundingError } from '../../../src/shared/errors.js';
import type { Grounder, Location, Observation } from '../../../src/shared/ports.js';
import type { Target } from '../../../src/shared/target.js';

/**
 * A grounder that knows fixed answers by target text/description, and records which frames it
 * was asked about, so the test sees both the scoring and the per-image frame sharing.
 */
class FakeGrounder implements Grounder {
  readonly name = 'fake';
  readonly frames = new Set<unknown>();
  readonly asked: Target[] = [];
  constructor(private readonly answers: Record<string, { x: number; y: number }>) {}
  locate(observation: Observation, target: Target): Promise<Location> {
    this.frames.add(observation.frame);
    this.asked.push(target);
    expect(observation.frame.width).toBe(200);
    expect(observation.frame.data.length).toBe(200 * 100 * 4);
    const key = target.text ?? target.description ?? '';
    const p = this.answers[key];
    if (!p) return Promise.reject(new GroundingError(`no "${key}" here`, 'GROUNDING_NOT_FOUND'));
    return Promise.resolve({ point: p, confidence: 0.9, source: 'fake', alternatives: [] });
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bench-score-'));
  const png = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#ffffff' } }).png().toBuffer();
  await writeFile(path.join(dir, 'screen.png'), png);
  const rows = [
    { img_filename: 'screen.png', instruction: 'the Save button', bbox: [10, 10, 40, 20], data_type: 'text', platform: 'web' },
    { img_filename: 'screen.png', instruction: 'close the dialog', bbox: [170, 5, 20, 20], data_type: 'icon', platform: 'web' },
    { img_filename: 'screen.png', instruction: 'Cancel', bbox: [60, 10, 40, 20], data_type: 'text', platform: 'linux' },
  ];
  await writeFile(path.join(dir, 'annotations.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('targetsFor', () => {
  it('reads a paraphrased label as its text, and icons as descriptions', () => {
    expect(targetsFor({ instruction: 'the Save changes button', data_type: 'text' })[0]).toEqual({ text: 'Save changes', role: 'button' });
    expect(targetsFor({ instruction: 'Forgot password?', data_type: 'text' }).map((t) => t.text)).toContain('Forgot password?');
    expect(targetsFor({ instruction: 'the second "Delete"', data_type: 'text' })[0]).toEqual({ text: 'Delete', ordinal: 2 });
    expect(targetsFor({ instruction: 'open settings', data_type: 'icon' })).toEqual([{ description: 'open settings' }]);
  });
});

describe('runGroundingBench', () => {
  it('scores a point inside the box as a hit, outside or not found as a miss, text and icon apart', async () => {
    const grounder = new FakeGrounder({
      Save: { x: 30, y: 20 }, // inside the Save box
      'close the dialog': { x: 150, y: 15 }, // left of the close box: a miss
      // Cancel: not found
    });
    const ds = await readDataset(dir);
    const { summary, results } = await runGroundingBench(ds, { grounder });

    expect(results.map((r) => r.hit)).toEqual([true, false, false]);
    expect(summary.overall).toEqual({ samples: 3, hits: 1, accuracy: 1 / 3 });
    expect(summary.text).toEqual({ samples: 2, hits: 1, accuracy: 0.5 });
    expect(summary.icon).toEqual({ samples: 1, hits: 0, accuracy: 0 });
    expect(results[2]!.error).toMatch(/no "Cancel" here/);
    expect(results[2]!.point).toBeNull();
    // One frame for the one image; only its first sample counts as cold.
    expect(grounder.frames.size).toBe(1);
    expect(results.map((r) => r.cold)).toEqual([true, false, false]);
    expect(summary.medianMs.cold).not.toBeNull();
    expect(summary.medianMs.cached).not.toBeNull();
  });

  it('honours --limit and writes a report with a drawn image per miss', async () => {
    const grounder = new FakeGrounder({ Save: { x: 30, y: 20 }, 'close the dialog': { x: 150, y: 15 } });
    const ds = await readDataset(dir);
    const limited = await runGroundingBench(ds, { grounder, limit: 2 });
    expect(limited.results).toHaveLength(2);

    const out = path.join(dir, 'report');
    const written = await writeBenchReport(out, ds, limited);
    const report = JSON.parse(await readFile(written.json, 'utf8')) as { summary: { overall: { hits: number } }; samples: unknown[] };
    expect(report.summary.overall.hits).toBe(1);
    expect(report.samples).toHaveLength(2);
    const misses = await readdir(path.join(out, 'misses'));
    expect(misses).toEqual(['0001-screen-close-the-dialog.png']);
    // The drawing is on the screen: same size, and no longer plain white where the true box is.
    const { data, info } = await sharp(path.join(out, 'misses', misses[0]!)).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([200, 100]);
    const at = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
    expect(at(170, 15)).not.toEqual([255, 255, 255]);
  });
});
