import Database from 'better-sqlite3';
import { AppError, StorageError } from '../shared/errors.js';

export type Db = Database.Database;

/** JSON column helpers: the column holds text, the record holds the parsed value. */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/**
 * Runs one storage operation and turns driver errors into a StorageError that says what was
 * being done, so that callers never see a bare SqliteError.
 */
export function guard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw storageFailure(what, err);
  }
}

export function storageFailure(what: string, err: unknown): StorageError {
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof Database.SqliteError ? err.code : '';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new StorageError(
      `${what}: the run or screenshot it refers to does not exist`,
      'STORAGE_NOT_FOUND',
      { cause: err },
    );
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new StorageError(`${what}: the database is damaged (${message})`, 'STORAGE_CORRUPT', {
      cause: err,
    });
  }
  const hint =
    code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
      ? ' (it already exists)'
      : '';
  return new StorageError(`${what}: ${message}${hint}`, 'STORAGE', { cause: err });
}
