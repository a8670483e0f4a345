import type { Logger } from '../shared/logger.js';
import { StorageError } from '../shared/errors.js';
import type { Migration } from './migrations/index.js';
import { storageFailure, type Db } from './sql.js';

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the schema up to the newest migration. Each migration and its `user_version` bump run
 * in one transaction, so a crash leaves the database at a whole version, never between two.
 */
export function migrate(db: Db, file: string, list: readonly Migration[], logger: Logger): number {
  list.forEach((m, i) => {
    // A gap or a reordering would silently skip a change on some databases.
    if (m.version !== i + 1)
      throw new StorageError(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const latest = list.length;
  const current = schemaVersion(db);
  if (current > latest) throw tooNew(file, current, latest);
  for (const m of list.slice(current)) {
    try {
      db.transaction(() => {
        m.up(db);
        db.pragma(`user_version = ${m.version}`);
      })();
    } catch (err) {
      throw storageFailure(
        `migration ${String(m.version).padStart(3, '0')}_${m.name} of ${file} failed`,
        err,
      );
    }
    logger.info({ file, version: m.version, migration: m.name }, 'applied database migration');
  }
  return latest;
}

export function tooNew(file: string, found: number, known: number): StorageError {
  return new StorageError(
    `The database ${file} has schema version ${found}, but this DeskPilot knows versions up to ${known}: ` +
      'it was written by a newer DeskPilot. It was left untouched; update DeskPilot or use another data directory.',
  );
}
