import { accessSync, closeSync, constants, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AppError, StorageError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { tooNew } from './migrate.js';
import { storageFailure, type Db } from './sql.js';

const SQLITE_HEADER = 'SQLite format 3\0';

/** Creates the directory (and parents) and proves it can be written; names it when not. */
export function ensureWritableDir(dir: string, purpose: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    // As root, access(W_OK) still fails on a read-only file system, which is the case that matters.
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new StorageError(
      `The ${purpose} ${dir} cannot be created or written (${code}). ` +
        'Choose another data directory (the dataDir setting or DESKPILOT_DATA_DIR), or fix its permissions.',
      'STORAGE_UNWRITABLE',
      { cause: err },
    );
  }
}

function corrupt(file: string, detail: string, cause?: unknown): StorageError {
  return new StorageError(
    `The database file ${file} is damaged or is not a DeskPilot database (${detail}). ` +
      'DeskPilot left it untouched. Move it aside (or restore a backup) and DeskPilot will create a fresh one.',
    'STORAGE_CORRUPT',
    { cause },
  );
}

const CORRUPT_CODES = new Set([
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_CORRUPT_VTAB',
  'SQLITE_CORRUPT_SEQUENCE',
  'SQLITE_CORRUPT_INDEX',
]);

function sqliteCode(err: unknown): string {
  return err instanceof Database.SqliteError ? err.code : '';
}

/** Reads the 16-byte magic; a file without it is refused before SQLite ever opens it. */
function checkHeader(file: string, size: number): void {
  if (size < 100) throw corrupt(file, `only ${size} bytes, shorter than an SQLite header`);
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(16);
    readSync(fd, head, 0, 16, 0);
    if (head.toString('latin1') !== SQLITE_HEADER) throw corrupt(file, 'no SQLite header');
  } finally {
    closeSync(fd);
  }
}

/** quick_check plus the schema version; throws StorageError, leaves the connection open. */
function verify(db: Db, file: string, knownVersion: number): void {
  try {
    const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
    const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
    if (problems.length > 0) throw corrupt(file, `integrity check: ${problems.join('; ')}`);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > knownVersion) throw tooNew(file, version, knownVersion);
  } catch (err) {
    // Damage reads as a corrupt code; anything else (busy, no -shm access) is not a verdict.
    if (CORRUPT_CODES.has(sqliteCode(err))) throw corrupt(file, (err as Error).message, err);
    throw err;
  }
}

/**
 * Checks an existing database on a read-only connection first: a read-only connection never
 * checkpoints or rolls back, so a damaged file is refused without a single byte written to it.
 * Returns false when the read-only check could not run (e.g. no access to its -shm file) and the
 * caller must verify on the writable connection before changing anything.
 */
function verifyExisting(file: string, knownVersion: number, logger: Logger): boolean {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) {
      throw new StorageError(
        `The database path ${file} exists but is not a file; move it aside.`,
        'STORAGE_UNWRITABLE',
      );
    }
    size = st.size;
  } catch (err) {
    if (err instanceof StorageError) throw err;
    return true; // no file yet: SQLite creates it
  }
  if (size === 0) return true; // SQLite treats an empty file as an empty database
  checkHeader(file, size);
  let ro: Db | undefined;
  try {
    ro = new Database(file, { readonly: true, fileMustExist: true });
    verify(ro, file, knownVersion);
    return true;
  } catch (err) {
    if (err instanceof AppError) throw err;
    const code = sqliteCode(err);
    if (CORRUPT_CODES.has(code)) throw corrupt(file, (err as Error).message, err);
    logger.warn(
      { file, code, err: (err as Error).message },
      'read-only check of the database failed; checking on the writable connection',
    );
    return false;
  } finally {
    ro?.close();
  }
}

/** Opens `<file>` refusing damaged or too-new databases, then sets the connection's pragmas. */
export function openDatabase(file: string, knownVersion: number, logger: Logger): Db {
  const checked = verifyExisting(file, knownVersion, logger);
  let db: Db;
  try {
    db = new Database(file);
  } catch (err) {
    const code = sqliteCode(err);
    if (CORRUPT_CODES.has(code)) throw corrupt(file, (err as Error).message, err);
    throw new StorageError(
      `The database file ${file} cannot be opened for writing (${(err as Error).message})`,
      'STORAGE_UNWRITABLE',
      { cause: err },
    );
  }
  try {
    if (!checked) verify(db, file, knownVersion);
    // First, so that another process holding a lock makes us wait instead of fail.
    db.pragma('busy_timeout = 5000');
    // WAL: readers never block the writer; NORMAL: a process crash loses no committed transaction.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    db.close();
    if (err instanceof AppError) throw err;
    if (CORRUPT_CODES.has(sqliteCode(err))) throw corrupt(file, (err as Error).message, err);
    throw storageFailure(`opening the database ${file}`, err);
  }
}
