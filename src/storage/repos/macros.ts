import type { Store } from '../../shared/ports.js';
import type { MacroRecord } from '../../shared/records.js';
import { newId, nowIso } from '../ids.js';
import { guard, type Db } from '../sql.js';

interface MacroRow {
  id: string;
  name: string;
  source: string;
  version: number;
  updated_at: string;
}

function toRecord(r: MacroRow): MacroRecord {
  return { id: r.id, name: r.name, source: r.source, version: r.version, updatedAt: r.updated_at };
}

const LATEST = `SELECT m.id, m.name, v.source, m.version, m.updated_at
  FROM macros m JOIN macro_versions v ON v.macro_id = m.id AND v.version = m.version`;

/** Every put keeps the previous text as an older version, so a healed macro can be rolled back. */
export function createMacros(db: Db): Store['macros'] {
  const findId = db.prepare<[string], { id: string; version: number }>(
    'SELECT id, version FROM macros WHERE name = ?',
  );
  const insertMacro = db.prepare('INSERT INTO macros (id, name, version, updated_at) VALUES (?, ?, 1, ?)');
  const bump = db.prepare('UPDATE macros SET version = ?, updated_at = ? WHERE id = ?');
  const insertVersion = db.prepare(
    'INSERT INTO macro_versions (macro_id, version, source, created_at) VALUES (?, ?, ?, ?)',
  );
  const byName = db.prepare<[string], MacroRow>(`${LATEST} WHERE m.name = ?`);
  const all = db.prepare<[], MacroRow>(`${LATEST} ORDER BY m.name`);
  const remove = db.prepare('DELETE FROM macros WHERE name = ?');

  const put = db.transaction((name: string, source: string): MacroRecord => {
    const at = nowIso();
    const existing = findId.get(name);
    let id: string;
    let version: number;
    if (existing) {
      id = existing.id;
      version = existing.version + 1;
      bump.run(version, at, id);
    } else {
      id = newId();
      version = 1;
      insertMacro.run(id, name, at);
    }
    insertVersion.run(id, version, source, at);
    return { id, name, source, version, updatedAt: at };
  });

  return {
    put(name, source) {
      return guard(`could not save macro "${name}"`, () => put.immediate(name, source));
    },
    get(name) {
      const row = guard(`could not read macro "${name}"`, () => byName.get(name));
      return row ? toRecord(row) : undefined;
    },
    list() {
      return guard('could not list macros', () => all.all().map(toRecord));
    },
    remove(name) {
      // macro_versions go with it (ON DELETE CASCADE).
      return guard(`could not remove macro "${name}"`, () => remove.run(name).changes > 0);
    },
  };
}
