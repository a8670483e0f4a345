import type { Store } from '../../shared/ports.js';
import type { TaskRecord } from '../../shared/records.js';
import { newId, nowIso } from '../ids.js';
import { guard, type Db } from '../sql.js';

interface TaskRow {
  id: string;
  name: string;
  source: string;
  updated_at: string;
}

function toRecord(r: TaskRow): TaskRecord {
  return { id: r.id, name: r.name, source: r.source, updatedAt: r.updated_at };
}

export function createTasks(db: Db): Store['tasks'] {
  // The id survives an update, so runs that name a task keep pointing at it.
  const upsert = db.prepare<[string, string, string, string], TaskRow>(
    `INSERT INTO tasks (id, name, source, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at
     RETURNING id, name, source, updated_at`,
  );
  const byName = db.prepare<[string], TaskRow>('SELECT * FROM tasks WHERE name = ?');
  const all = db.prepare<[], TaskRow>('SELECT * FROM tasks ORDER BY name');

  return {
    put(name, source) {
      return guard(`could not save task "${name}"`, () => {
        const row = upsert.get(newId(), name, source, nowIso());
        if (!row) throw new Error('the database returned no row');
        return toRecord(row);
      });
    },
    get(name) {
      const row = guard(`could not read task "${name}"`, () => byName.get(name));
      return row ? toRecord(row) : undefined;
    },
    list() {
      return guard('could not list tasks', () => all.all().map(toRecord));
    },
  };
}
