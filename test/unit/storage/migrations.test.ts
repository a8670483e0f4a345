import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../../src/shared/errors.js';
import { nullLogger } from '../../../src/shared/logger.js';
import { DATABASE_FILE, LATEST_VERSION, openStore } from '../../../src/storage/index.js';
import { migrate, schemaVersion } from '../../../src/storage/migrate.js';
import { migrations } from '../../../src/storage/migrations/index.js';
import { tempDirs } from './helpers.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

function tables(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => r.name);
  } finally {
    db.close();
  }
}

describe('migrations', () => {
  it('creates every table from an empty data dir and records the schema version', () => {
    const dir = join(dirs.make(), 'nested', 'data');
    openStore({ dataDir: dir }).close();
    const file = join(dir, DATABASE_FILE);
    expect(tables(file)).toEqual(
      expect.arrayContaining([
        'audit',
        'macro_versions',
        'macros',
        'runs',
        'screenshots',
        'settings',
        'steps',
        'tasks',
      ]),
    );
    const db = new Database(file, { readonly: true });
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('keeps the data when the store is opened again', () => {
    const dir = dirs.make();
    const first = openStore({ dataDir: dir });
    const run = first.runs.create({ source: 'command', title: 'click Save' });
    first.runs.finish(run.id, 'succeeded');
    first.close();
    const second = openStore({ dataDir: dir });
    expect(second.runs.get(run.id)?.status).toBe('succeeded');
    second.close();
  });

  it('rolls back a failing migration as a whole and stays at the previous version', () => {
    const dir = dirs.make();
    const file = join(dir, 'partial.db');
    const db = new Database(file);
    const broken = [
      ...migrations,
      {
        version: migrations.length + 1,
        name: 'broken',
        up(d: Database.Database) {
          d.exec('CREATE TABLE half_done (x INTEGER)');
          d.exec('THIS IS NOT SQL');
        },
      },
    ];
    expect(() => migrate(db, file, broken, nullLogger)).toThrow(/migration 002_broken .* failed/);
    expect(schemaVersion(db)).toBe(migrations.length);
    db.close();
    expect(tables(file)).not.toContain('half_done');
  });

  it('refuses a database written by a newer DeskPilot and leaves it untouched', () => {
    const dir = dirs.make();
    openStore({ dataDir: dir }).close();
    const file = join(dir, DATABASE_FILE);
    const raw = new Database(file);
    raw.pragma(`user_version = ${LATEST_VERSION + 5}`);
    raw.close();
    const before = readFileSync(file);
    let error: unknown;
    try {
      openStore({ dataDir: dir }).close();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toContain(file);
    expect((error as StorageError).message).toMatch(/newer DeskPilot/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});
