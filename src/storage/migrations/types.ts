import type { Db } from '../sql.js';

/** One schema change. `version` is the `PRAGMA user_version` the database has after it. */
export interface Migration {
  version: number;
  name: string;
  up(db: Db): void;
}
