import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../../shared/ports.js';
import type { ScreenshotRecord } from '../../shared/records.js';
import { newId, nowIso } from '../ids.js';
import { ensureWritableDir } from '../open.js';
import { guard, type Db } from '../sql.js';

interface ShotRow {
  id: string;
  run_id: string | null;
  path: string;
  width: number;
  height: number;
  created_at: string;
}

function toRecord(r: ShotRow): ScreenshotRecord {
  return {
    id: r.id,
    runId: r.run_id,
    path: r.path,
    width: r.width,
    height: r.height,
    createdAt: r.created_at,
  };
}

/**
 * Images live as files under `<dataDir>/screenshots/<runId or misc>/`, the database keeps the
 * relative path. The row is written first inside a transaction, so a failed file write leaves
 * no row behind, and a row always names a run that exists (its id is then safe in a path).
 */
export function createScreenshots(db: Db, dataDir: string): Store['screenshots'] {
  const insert = db.prepare(
    `INSERT INTO screenshots (id, run_id, path, width, height, created_at)
     VALUES (@id, @runId, @path, @width, @height, @createdAt)`,
  );
  const byId = db.prepare<[string], ShotRow>('SELECT * FROM screenshots WHERE id = ?');
  const absolute = (relative: string): string => join(dataDir, ...relative.split('/'));

  return {
    save(image, meta) {
      const id = newId();
      const folder = meta.runId ?? 'misc';
      const record: ScreenshotRecord = {
        id,
        runId: meta.runId ?? null,
        path: `screenshots/${folder}/${id}.${meta.ext}`,
        width: meta.width,
        height: meta.height,
        createdAt: nowIso(),
      };
      const file = absolute(record.path);
      guard(`could not save screenshot ${record.path}`, () =>
        db.transaction(() => {
          insert.run(record);
          ensureWritableDir(join(dataDir, 'screenshots', folder), 'screenshot directory');
          try {
            writeFileSync(file, image);
          } catch (err) {
            try {
              unlinkSync(file); // a partly written image would be worse than none
            } catch {
              /* nothing was written */
            }
            throw err;
          }
        })(),
      );
      return record;
    },
    get(id) {
      const row = guard(`could not read screenshot ${id}`, () => byId.get(id));
      return row ? toRecord(row) : undefined;
    },
    absolutePath(record) {
      return absolute(record.path);
    },
  };
}
