import type { Logger } from '../shared/logger.js';
import { nowIso } from './ids.js';
import { whyOrphaned } from './liveness.js';
import type { Db } from './sql.js';

interface OpenRunRow {
  id: string;
  pid: number;
  owner: string | null;
  started_at: string;
}

/**
 * Marks runs whose process died (crash, kill, power loss) as 'interrupted', so they do not show
 * as running forever. Their steps are left exactly as written. Returns the ids it marked.
 */
export function recoverInterruptedRuns(db: Db, logger: Logger): string[] {
  const open = db
    .prepare<[], OpenRunRow>(
      "SELECT id, pid, owner, started_at FROM runs WHERE status IN ('running', 'paused')",
    )
    .all();
  const orphans: { id: string; why: string }[] = [];
  for (const row of open) {
    const why = whyOrphaned({ pid: row.pid, owner: row.owner, startedAt: row.started_at });
    if (why) orphans.push({ id: row.id, why });
  }
  if (orphans.length === 0) return [];
  // The status guard keeps a run that its owner finished meanwhile from being overwritten.
  const mark = db.prepare(
    "UPDATE runs SET status = 'interrupted', ended_at = ? WHERE id = ? AND status IN ('running', 'paused')",
  );
  const endedAt = nowIso();
  db.transaction(() => {
    for (const o of orphans) mark.run(endedAt, o.id);
  })();
  for (const o of orphans)
    logger.warn({ runId: o.id, reason: o.why }, 'marked an unfinished run as interrupted');
  return orphans.map((o) => o.id);
}
