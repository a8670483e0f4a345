import type { Store } from '../../shared/ports.js';
import type { AuditRecord } from '../../shared/records.js';
import { nowIso } from '../ids.js';
import { guard, toJson, type Db } from '../sql.js';

interface AuditRow {
  seq: number;
  at: string;
  run_id: string | null;
  step_index: number | null;
  action: string;
  decision: AuditRecord['decision'];
  actor: string;
  detail: string;
}

function toRecord(r: AuditRow): AuditRecord {
  return {
    seq: r.seq,
    at: r.at,
    runId: r.run_id,
    stepIndex: r.step_index,
    action: r.action,
    decision: r.decision,
    actor: r.actor,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  };
}

/**
 * Append-only: this repository has no update or delete, and triggers in the schema
 * (001_init) refuse UPDATE and DELETE from any other connection too.
 */
export function createAudit(db: Db): Store['audit'] {
  const insert = db.prepare<[string, string | null, number | null, string, string, string, string], AuditRow>(
    `INSERT INTO audit (at, run_id, step_index, action, decision, actor, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  );
  const all = db.prepare<[], AuditRow>('SELECT * FROM audit ORDER BY seq');
  const forRun = db.prepare<[string], AuditRow>('SELECT * FROM audit WHERE run_id = ? ORDER BY seq');

  return {
    append(entry) {
      return guard(`could not append "${entry.action}" to the audit log`, () => {
        const row = insert.get(
          nowIso(),
          entry.runId,
          entry.stepIndex,
          entry.action,
          entry.decision,
          entry.actor,
          toJson(entry.detail),
        );
        if (!row) throw new Error('the database returned no row');
        return toRecord(row);
      });
    },
    list(options = {}) {
      return guard('could not read the audit log', () =>
        (options.runId !== undefined ? forRun.all(options.runId) : all.all()).map(toRecord),
      );
    },
  };
}
