import path from 'node:path';
import { errorMessage } from '../../shared/errors.js';
import type { Check } from './types.js';

/**
 * Opens the store the way every command does (creating, migrating, recovering), then runs
 * SQLite's quick_check on a read-only connection of its own and reports what it found.
 */
export const databaseCheck: Check = {
  name: 'database OK',
  timeoutMs: 15_000,
  async run(ctx) {
    const { openStore, DATABASE_FILE } = await import('../../storage/index.js');
    const file = path.join(ctx.dataDir, DATABASE_FILE);
    try {
      openStore({ dataDir: ctx.dataDir, logger: ctx.logger }).close();
    } catch (err) {
      const code = (err as { code?: string }).code;
      const hint =
        code === 'STORAGE_CORRUPT'
          ? 'move the damaged file aside (DeskPilot never deletes it); a fresh database is created on the next start'
          : code === 'STORAGE_UNWRITABLE'
            ? 'choose a writable data directory with --data-dir or DESKPILOT_DATA_DIR'
            : 'see the message; rerun with --log-level debug for details';
      return { status: 'fail', detail: errorMessage(err), hint };
    }
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
      const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
      if (problems.length) {
        return {
          status: 'fail',
          detail: `${file}: quick_check: ${problems.join('; ')}`,
          hint: 'move the damaged file aside and restore a backup',
        };
      }
      const version = db.pragma('user_version', { simple: true }) as number;
      const runs = (db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;
      return {
        status: 'ok',
        detail: `${file} (schema v${version}, ${runs} run${runs === 1 ? '' : 's'}, quick_check ok)`,
      };
    } finally {
      db.close();
    }
  },
};
