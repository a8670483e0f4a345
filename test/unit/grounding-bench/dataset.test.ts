import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readDataset } from '../../../src/runner/grounding-bench/index.js';
import { UserInputError } from '../../../src/shared/errors.js';

const row = (instruction: string, type: 'text' | 'icon' = 'text') => ({
  img_filename: 'a.png',
  instruction,
  bbox: [10, 20, 30, 40],
  data_type: type,
  platform: 'web',
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bench-dataset-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readDataset', () => {
  it('reads JSON lines from a folder, skipping blank lines, with line numbers', async () => {
    await writeFile(path.join(dir, 'annotations.jsonl'), `${JSON.stringify(row('Save'))}\n\n${JSON.stringify(row('close the dialog', 'icon'))}\n`);
    const ds = await readDataset(dir);
    expect(ds.imageDir).toBe(dir);
    expect(ds.rows.map((r) => [r.instruction, r.data_type, r.line])).toEqual([
      ['Save', 'text', 1],
      ['close the dialog', 'icon', 3],
    ]);
    expect(ds.rows[0]!.bbox).toEqual([10, 20, 30, 40]);
  });

  it('reads a JSON array file given directly', async () => {
    const file = path.join(dir, 'screenspot_web.json');
    await writeFile(file, JSON.stringify([row('OK'), row('search', 'icon')], null, 2));
    const ds = await readDataset(file);
    expect(ds.rows.map((r) => r.instruction)).toEqual(['OK', 'search']);
    expect(ds.rows[1]!.line).toBeGreaterThan(ds.rows[0]!.line);
  });

  it('names file and line of a row with a bad bbox in JSON lines', async () => {
    const bad = { ...row('Cancel'), bbox: [1, 2, 3] };
    await writeFile(path.join(dir, 'annotations.jsonl'), [row('Save'), row('OK'), bad].map((r) => JSON.stringify(r)).join('\n'));
    const err = await readDataset(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserInputError);
    expect((err as Error).message).toMatch(/annotations\.jsonl:3: bad sample: bbox/);
  });

  it('names the line of a broken JSON line and of a bad element in an array', async () => {
    await writeFile(path.join(dir, 'annotations.jsonl'), `${JSON.stringify(row('Save'))}\n{"img_filename": "a.png",\n`);
    await expect(readDataset(dir)).rejects.toThrow(/annotations\.jsonl:2: not valid JSON/);

    const file = path.join(dir, 'set.json');
    const text = `[\n  ${JSON.stringify(row('A'))},\n  ${JSON.stringify({ ...row('B'), data_type: 'widget' })}\n]\n`;
    await writeFile(file, text);
    await expect(readDataset(file)).rejects.toThrow(/set\.json:3: bad sample: data_type/);
  });

  it('says what is missing when the folder has no annotations', async () => {
    await expect(readDataset(dir)).rejects.toThrow(/no annotations\.jsonl/);
    await expect(readDataset(path.join(dir, 'nope'))).rejects.toThrow(/no such file or folder/);
  });
});
