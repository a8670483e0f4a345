import type { Migration } from './types.js';

/**
 * The first schema. JSON columns hold the shared records' nested values (Step, Resolution,
 * timings, errors) as text so that the Step union can grow without a migration.
 */
export const init: Migration = {
  version: 1,
  name: 'init',
  up(db) {
    db.exec(`
      CREATE TABLE runs (
        id          TEXT PRIMARY KEY,
        source      TEXT NOT NULL CHECK (source IN ('chat', 'command', 'macro', 'task')),
        title       TEXT NOT NULL,
        status      TEXT NOT NULL
                    CHECK (status IN ('running', 'paused', 'succeeded', 'failed', 'aborted', 'interrupted')),
        started_at  TEXT NOT NULL,
        ended_at    TEXT,
        error       TEXT,
        pid         INTEGER NOT NULL,
        -- boot id + start time of the owning process: tells the live owner from a reused pid
        owner       TEXT,
        meta        TEXT NOT NULL DEFAULT '{}'
      ) STRICT;
      CREATE INDEX runs_by_start ON runs (started_at DESC, id DESC);
      CREATE INDEX runs_by_status ON runs (status);

      CREATE TABLE screenshots (
        id          TEXT PRIMARY KEY,
        run_id      TEXT REFERENCES runs (id),
        path        TEXT NOT NULL UNIQUE,
        width       INTEGER NOT NULL,
        height      INTEGER NOT NULL,
        created_at  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX screenshots_by_run ON screenshots (run_id);

      CREATE TABLE steps (
        id                    TEXT PRIMARY KEY,
        run_id                TEXT NOT NULL REFERENCES runs (id),
        idx                   INTEGER NOT NULL,
        step                  TEXT NOT NULL,
        resolution            TEXT,
        outcome               TEXT NOT NULL DEFAULT 'pending'
                              CHECK (outcome IN ('pending', 'succeeded', 'failed', 'skipped', 'denied')),
        error                 TEXT,
        started_at            TEXT NOT NULL,
        ended_at              TEXT,
        timings               TEXT NOT NULL DEFAULT '{}',
        before_screenshot_id  TEXT REFERENCES screenshots (id),
        after_screenshot_id   TEXT REFERENCES screenshots (id),
        thought               TEXT,
        UNIQUE (run_id, idx)
      ) STRICT;

      CREATE TABLE macros (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        version     INTEGER NOT NULL,
        updated_at  TEXT NOT NULL
      ) STRICT;
      CREATE TABLE macro_versions (
        macro_id    TEXT NOT NULL REFERENCES macros (id) ON DELETE CASCADE,
        version     INTEGER NOT NULL,
        source      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (macro_id, version)
      ) STRICT;

      CREATE TABLE tasks (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        source      TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      ) STRICT;

      CREATE TABLE settings (
        key         TEXT PRIMARY KEY,
        value       TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      ) STRICT;

      -- AUTOINCREMENT: a sequence number is never reused, so gaps cannot be filled in later.
      CREATE TABLE audit (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        at          TEXT NOT NULL,
        run_id      TEXT,
        step_index  INTEGER,
        action      TEXT NOT NULL,
        decision    TEXT NOT NULL
                    CHECK (decision IN ('allowed', 'confirmed', 'denied', 'executed', 'refused', 'info')),
        actor       TEXT NOT NULL,
        detail      TEXT NOT NULL DEFAULT '{}'
      ) STRICT;
      CREATE INDEX audit_by_run ON audit (run_id, seq);
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE refused'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE refused'); END;
    `);
  },
};
