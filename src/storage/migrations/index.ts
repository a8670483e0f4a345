import { init } from './001_init.js';
import type { Migration } from './types.js';

export type { Migration } from './types.js';

/** Every schema change, oldest first. Append only: a released migration is never edited. */
export const migrations: readonly Migration[] = [init];

export const LATEST_VERSION = migrations.length;
