import { mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../../src/shared/errors.js';
import { DATABASE_FILE, openStore } from '../../../src/storage/index.js';
import { clickStep, tempDirs } from './helpers.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

function openError(dataDir: string): StorageError {
  try {
    openStore({ dataDir }).close();
  } catch (err) {
    if (err instanceof StorageError) return err;
    throw err;
  }
  throw new Error('expected openStore to throw');
}

/** A real database with enough rows to span many pages, closed cleanly (WAL folded in). */
function realDatabase(dataDir: string): string {
  const store = openStore({ dataDir });
  const run = store.runs.create({ source: 'task', title: 'big' });
  store.steps.addMany(
    Array.from({ length: 400 }, (_, i) => ({
      ...clickStep(run.id, i),
      thought: `thinking ${i} `.repeat(40),
    })),
  );
  store.close();
  return join(dataDir, DATABASE_FILE);
}

describe('a corrupt database file', () => {
  it('is refused when it is not SQLite at all, and its bytes stay as they were', () => {
    const dataDir = dirs.make();
    const file = join(dataDir, DATABASE_FILE);
    const garbage = Buffer.from('this is a shopping list, not a database\n'.repeat(200));
    writeFileSync(file, garbage);
    const err = openError(dataDir);
    expect(err.code).toBe('STORAGE_CORRUPT');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/left it untouched/);
    expect(readFileSync(file).equals(garbage)).toBe(true);
    expect(readdirSync(dataDir)).toEqual([DATABASE_FILE]);
  });

  it('is refused when a real database was truncated, and is not repaired or replaced', () => {
    const dataDir = dirs.make();
    const file = realDatabase(dataDir);
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(100_000);
    truncateSync(file, Math.floor(size / 2));
    const before = readFileSync(file);
    const err = openError(dataDir);
    expect(err.code).toBe('STORAGE_CORRUPT');
    expect(err.message).toContain(file);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('is refused when a page in the middle was overwritten with noise', () => {
    const dataDir = dirs.make();
    const file = realDatabase(dataDir);
    const bytes = readFileSync(file);
    // Page 21 of ~60 lies inside the steps table's b-tree.
    bytes.fill(0xa5, 4096 * 20, 4096 * 21);
    writeFileSync(file, bytes);
    const err = openError(dataDir);
    expect(err.code).toBe('STORAGE_CORRUPT');
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });
});

describe('an unwritable data directory', () => {
  it('is named in the error when it cannot be created', () => {
    const parent = dirs.make();
    const regularFile = join(parent, 'not-a-dir');
    writeFileSync(regularFile, 'x');
    const dataDir = join(regularFile, 'sub');
    const err = openError(dataDir);
    expect(err.code).toBe('STORAGE_UNWRITABLE');
    expect(err.message).toContain(dataDir);
  });

  it('names the database path when a directory stands where the file should be', () => {
    const dataDir = dirs.make();
    mkdirSync(join(dataDir, DATABASE_FILE));
    const err = openError(dataDir);
    expect(err.code).toBe('STORAGE_UNWRITABLE');
    expect(err.message).toContain(join(dataDir, DATABASE_FILE));
  });

  it('is named in the error when the path is a file', () => {
    const parent = dirs.make();
    const dataDir = join(parent, 'file-in-the-way');
    writeFileSync(dataDir, 'x');
    const err = openError(dataDir);
    expect(err.code).toBe('STORAGE_UNWRITABLE');
    expect(err.message).toContain(dataDir);
    expect(readFileSync(dataDir, 'utf8')).toBe('x');
  });
});
