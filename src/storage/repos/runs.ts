import type { SerializedError } from '../../shared/errors.js';
import { StorageError } from '../../shared/errors.js';
import type { Store } from '../../shared/ports.js';
import type { RunRecord, RunSource, RunStatus } from '../../shared/records.js';
import { newId, nowIso } from '../ids.js';
import { fromJson, guard, toJson, type Db } from '../sql.js';

interface RunRow {
  id: string;
  source: RunSource;
  title: string;
  status: RunStatus;
  started_at: string;
  ended_at: string | null;
  error: string | null;
  pid: number;
  meta: string;
}

const COLUMNS = 'id, source, title, status, started_at, ended_at, error, pid, meta';

function toRecord(r: RunRow): RunRecord {
  return {
    id: r.id,
    source: r.source,
    title: r.title,
    status: r.status,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    error: fromJson<SerializedError>(r.error),
    pid: r.pid,
    meta: fromJson<Record<string, unknown>>(r.meta) ?? {},
  };
}

/** The identity written on every run this store creates; see liveness.ts. */
export interface RunOwnerIdentity {
  pid: number;
  owner: string | null;
}

export function createRuns(db: Db, me: RunOwnerIdentity): Store['runs'] {
  const insert = db.prepare(
    `INSERT INTO runs (id, source, title, status, started_at, pid, owner, meta)
     VALUES (@id, @source, @title, 'running', @startedAt, @pid, @owner, @meta)`,
  );
  const byId = db.prepare<[string], RunRow>(`SELECT ${COLUMNS} FROM runs WHERE id = ?`);
  const finish = db.prepare(
    'UPDATE runs SET status = @status, ended_at = @endedAt, error = @error WHERE id = @id',
  );

  return {
    create(run) {
      const record: RunRecord = {
        id: newId(),
        source: run.source,
        title: run.title,
        status: 'running',
        startedAt: nowIso(),
        endedAt: null,
        error: null,
        pid: me.pid,
        meta: run.meta ?? {},
      };
      guard(`could not create the run "${run.title}"`, () =>
        insert.run({ ...record, owner: me.owner, meta: toJson(record.meta) }),
      );
      return record;
    },
    get(id) {
      const row = guard(`could not read run ${id}`, () => byId.get(id));
      return row ? toRecord(row) : undefined;
    },
    list(options = {}) {
      const where = options.status ? 'WHERE status = @status' : '';
      const limit = options.limit !== undefined ? 'LIMIT @limit' : '';
      const sql = `SELECT ${COLUMNS} FROM runs ${where} ORDER BY started_at DESC, id DESC ${limit}`;
      const rows = guard('could not list runs', () =>
        db
          .prepare<[Record<string, unknown>], RunRow>(sql)
          .all({ status: options.status, limit: options.limit }),
      );
      return rows.map(toRecord);
    },
    finish(id, status, error = null) {
      // A paused run has not ended; every other status here is final.
      const endedAt = status === 'paused' ? null : nowIso();
      const changes = guard(
        `could not finish run ${id}`,
        () => finish.run({ id, status, endedAt, error: error ? toJson(error) : null }).changes,
      );
      if (changes === 0) throw new StorageError(`cannot finish run ${id}: no such run`, 'STORAGE_NOT_FOUND');
    },
  };
}
