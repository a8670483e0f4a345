import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { UserInputError } from '../../shared/errors.js';

/** One ScreenSpot row: the instruction, the true box [x, y, w, h] in image pixels, its kind. */
export const BenchSample = z.object({
  img_filename: z.string().min(1),
  instruction: z.string().min(1),
  bbox: z.tuple([z.number(), z.number(), z.number().positive(), z.number().positive()]),
  data_type: z.enum(['text', 'icon']),
  platform: z.string().optional(),
  source: z.string().optional(),
});
export type BenchSample = z.infer<typeof BenchSample>;

export interface DatasetRow extends BenchSample {
  /** 1-based line in the annotations file where the row starts, for messages. */
  line: number;
}

export interface Dataset {
  /** The annotations file that was read. */
  file: string;
  /** Where img_filename paths are relative to. */
  imageDir: string;
  rows: DatasetRow[];
}

const PREFERRED = ['annotations.jsonl', 'annotations.json'];

/**
 * Reads a ScreenSpot-format dataset: a folder holding annotations.jsonl / annotations.json (or one
 * .jsonl/.json file), or the file itself. Rows are JSON lines or one JSON array; a bad row is a
 * UserInputError naming file:line.
 */
export async function readDataset(where: string): Promise<Dataset> {
  const file = await annotationsFile(path.resolve(where));
  const text = await readFile(file, 'utf8');
  const rows = text.trimStart().startsWith('[') ? parseArray(text, file) : parseLines(text, file);
  if (rows.length === 0) throw new UserInputError('no samples in the dataset', { file });
  return { file, imageDir: path.dirname(file), rows };
}

async function annotationsFile(where: string): Promise<string> {
  const info = await stat(where).catch(() => undefined);
  if (!info) throw new UserInputError(`dataset ${where}: no such file or folder`);
  if (info.isFile()) return where;
  const names = (await readdir(where)).sort();
  const pick = PREFERRED.find((n) => names.includes(n)) ?? names.find((n) => /\.jsonl?$/.test(n));
  if (!pick) throw new UserInputError(`dataset ${where}: no annotations.jsonl or other .json/.jsonl file in the folder`);
  return path.join(where, pick);
}

function parseLines(text: string, file: string): DatasetRow[] {
  const rows: DatasetRow[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new UserInputError(`not valid JSON (${(err as Error).message})`, { file, line });
    }
    rows.push(checkRow(value, file, line));
  });
  return rows;
}

function parseArray(text: string, file: string): DatasetRow[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? lineAt(text, Number(pos[1])) : undefined;
    throw new UserInputError(`not valid JSON (${msg})`, { file, ...(line ? { line } : {}) });
  }
  if (!Array.isArray(value)) throw new UserInputError('expected a JSON array of samples', { file, line: 1 });
  const starts = elementStarts(text);
  return value.map((v: unknown, i) => checkRow(v, file, lineAt(text, starts[i] ?? 0)));
}

function checkRow(value: unknown, file: string, line: number): DatasetRow {
  const parsed = BenchSample.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new UserInputError(`bad sample: ${field}${issue?.message ?? 'invalid'}`, { file, line });
  }
  return { ...parsed.data, line };
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Offsets where each top-level element of a JSON array starts (strings skipped). */
function elementStarts(text: string): number[] {
  const starts: number[] = [];
  let depth = 0;
  let inString = false;
  let expecting = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (expecting && !/\s/.test(c) && c !== ']') {
      starts.push(i);
      expecting = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expecting = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expecting = true;
  }
  return starts;
}
