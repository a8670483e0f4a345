import type { SerializedError } from '../../shared/errors.js';
import { StorageError } from '../../shared/errors.js';
import type { NewStep, Store, StepUpdate } from '../../shared/ports.js';
import type { Resolution, StepOutcome, StepRecord } from '../../shared/records.js';
import type { Step } from '../../shared/steps.js';
import { newId, nowIso } from '../ids.js';
import { fromJson, guard, toJson, type Db } from '../sql.js';

interface StepRow {
  id: string;
  run_id: string;
  idx: number;
  step: string;
  resolution: string | null;
  outcome: StepOutcome;
  error: string | null;
  started_at: string;
  ended_at: string | null;
  timings: string;
  before_screenshot_id: string | null;
  after_screenshot_id: string | null;
  thought: string | null;
}

function toRecord(r: StepRow): StepRecord {
  return {
    id: r.id,
    runId: r.run_id,
    index: r.idx,
    step: JSON.parse(r.step) as Step,
    resolution: fromJson<Resolution>(r.resolution),
    outcome: r.outcome,
    error: fromJson<SerializedError>(r.error),
    startedAt: r.started_at,
    endedAt: r.ended_at,
    timings: fromJson<Record<string, number>>(r.timings) ?? {},
    beforeScreenshotId: r.before_screenshot_id,
    afterScreenshotId: r.after_screenshot_id,
    thought: r.thought,
  };
}

function newRecord(s: NewStep): StepRecord {
  return {
    id: newId(),
    runId: s.runId,
    index: s.index,
    step: s.step,
    resolution: null,
    outcome: 'pending',
    error: null,
    startedAt: nowIso(),
    endedAt: null,
    timings: {},
    beforeScreenshotId: s.beforeScreenshotId ?? null,
    afterScreenshotId: null,
    thought: s.thought ?? null,
  };
}

export function createSteps(db: Db): Store['steps'] {
  const insert = db.prepare(
    `INSERT INTO steps (id, run_id, idx, step, outcome, started_at, timings, before_screenshot_id, thought)
     VALUES (@id, @runId, @index, @step, 'pending', @startedAt, '{}', @beforeScreenshotId, @thought)`,
  );
  const byId = db.prepare<[string], StepRow>('SELECT * FROM steps WHERE id = ?');
  const forRun = db.prepare<[string], StepRow>('SELECT * FROM steps WHERE run_id = ? ORDER BY idx');
  const write = (r: StepRecord): void => {
    insert.run({ ...r, step: toJson(r.step) });
  };
  // One transaction for the whole batch: one commit instead of one per row (bench/storage.bench.ts).
  const writeAll = db.transaction((records: StepRecord[]) => {
    for (const r of records) write(r);
  });

  return {
    add(step) {
      const record = newRecord(step);
      guard(`could not add step ${step.index} to run ${step.runId}`, () => write(record));
      return record;
    },
    addMany(steps) {
      const records = steps.map(newRecord);
      guard(`could not add ${steps.length} steps`, () => writeAll(records));
      return records;
    },
    update(id, update) {
      // Read and write in one transaction so that merged timings never lose a concurrent write.
      guard(`could not update step ${id}`, () =>
        db
          .transaction(() => {
            const row = byId.get(id);
            if (!row) throw new StorageError(`cannot update step ${id}: no such step`, 'STORAGE_NOT_FOUND');
            const change = updateSql(id, update, row);
            if (change) db.prepare(change.sql).run(change.params);
          })
          .immediate(),
      );
    },
    listForRun(runId) {
      return guard(`could not list the steps of run ${runId}`, () => forRun.all(runId).map(toRecord));
    },
  };
}

/** Only the fields given change; timings are merged, because the engine adds them phase by phase. */
function updateSql(
  id: string,
  u: StepUpdate,
  row: StepRow,
): { sql: string; params: Record<string, unknown> } | null {
  const sets: string[] = [];
  const params: Record<string, unknown> = { id };
  const set = (column: string, value: unknown): void => {
    sets.push(`${column} = @${column}`);
    params[column] = value;
  };
  if (u.resolution !== undefined) set('resolution', u.resolution ? toJson(u.resolution) : null);
  if (u.error !== undefined) set('error', u.error ? toJson(u.error) : null);
  if (u.afterScreenshotId !== undefined) set('after_screenshot_id', u.afterScreenshotId);
  if (u.timings !== undefined)
    set('timings', toJson({ ...fromJson<Record<string, number>>(row.timings), ...u.timings }));
  if (u.outcome !== undefined) {
    set('outcome', u.outcome);
    set('ended_at', u.outcome === 'pending' ? null : (row.ended_at ?? nowIso()));
  }
  if (sets.length === 0) return null;
  return { sql: `UPDATE steps SET ${sets.join(', ')} WHERE id = @id`, params };
}
