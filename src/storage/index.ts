import { join } from 'node:path';
import { AppError } from '../shared/errors.js';
import { nullLogger, type Logger } from '../shared/logger.js';
import type { Store } from '../shared/ports.js';
import { processToken } from './liveness.js';
import { migrate } from './migrate.js';
import { LATEST_VERSION, migrations } from './migrations/index.js';
import { ensureWritableDir, openDatabase } from './open.js';
import { recoverInterruptedRuns } from './recovery.js';
import { storageFailure } from './sql.js';
import { createAudit } from './repos/audit.js';
import { createMacros } from './repos/macros.js';
import { createRuns } from './repos/runs.js';
import { createScreenshots } from './repos/screenshots.js';
import { createSettings } from './repos/settings.js';
import { createSteps } from './repos/steps.js';
import { createTasks } from './repos/tasks.js';

export { LATEST_VERSION } from './migrations/index.js';

export const DATABASE_FILE = 'deskpilot.db';

export interface StoreOptions {
  dataDir: string;
  logger?: Logger;
  /** The pid written on new runs; this process by default. */
  pid?: number;
}

/**
 * Opens (creating when needed) the database `<dataDir>/deskpilot.db`, applies pending
 * migrations and marks runs left unfinished by a dead process as 'interrupted'.
 * Throws StorageError: STORAGE_UNWRITABLE names the directory or file that cannot be written;
 * STORAGE_CORRUPT refuses a damaged file and leaves it untouched; STORAGE refuses a database
 * written by a newer DeskPilot.
 */
export function openStore(options: StoreOptions): Store {
  const logger = (options.logger ?? nullLogger).child({ component: 'storage' });
  const dataDir = options.dataDir;
  ensureWritableDir(dataDir, 'data directory');
  const file = join(dataDir, DATABASE_FILE);
  const db = openDatabase(file, LATEST_VERSION, logger);
  try {
    migrate(db, file, migrations, logger);
    recoverInterruptedRuns(db, logger);
  } catch (err) {
    db.close();
    throw err instanceof AppError ? err : storageFailure(`opening the database ${file}`, err);
  }
  const pid = options.pid ?? process.pid;
  const me = { pid, owner: processToken(pid) };
  logger.debug({ file, version: LATEST_VERSION }, 'store open');

  return {
    runs: createRuns(db, me),
    steps: createSteps(db),
    screenshots: createScreenshots(db, dataDir),
    macros: createMacros(db),
    tasks: createTasks(db),
    settings: createSettings(db),
    audit: createAudit(db),
    close() {
      if (db.open) db.close();
    },
  };
}
