import type { Store } from '../../shared/ports.js';
import { nowIso } from '../ids.js';
import { guard, type Db } from '../sql.js';

/** Values are stored as JSON; setting `undefined` removes the key. */
export function createSettings(db: Db): Store['settings'] {
  const read = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const write = db.prepare(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  const remove = db.prepare('DELETE FROM settings WHERE key = ?');

  return {
    get<T = unknown>(key: string): T | undefined {
      const row = guard(`could not read setting "${key}"`, () => read.get(key));
      return row ? (JSON.parse(row.value) as T) : undefined;
    },
    set(key, value) {
      const json = JSON.stringify(value) as string | undefined;
      guard(`could not write setting "${key}"`, () => {
        if (json === undefined) remove.run(key);
        else write.run(key, json, nowIso());
      });
    },
  };
}
