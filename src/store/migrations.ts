/**
 * Versioned migrations of the SQLite store. `PRAGMA user_version` holds the number of
 * migrations applied; each runs in its own transaction with the version bump, so a
 * crash in the middle leaves the database at the previous version, never between.
 * Append new migrations; never edit one that has shipped.
 */
export const MIGRATIONS: { version: number; description: string; sql: string }[] = [
  {
    version: 1,
    description: "models with versions, cached runs, jobs, settings",
    sql: `
      CREATE TABLE models (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        deleted_at TEXT,
        latest_version INTEGER NOT NULL CHECK (latest_version >= 1)
      ) STRICT;
      CREATE TABLE model_versions (
        model_id TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        version INTEGER NOT NULL CHECK (version >= 1),
        created_at TEXT NOT NULL,
        message TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        file TEXT NOT NULL,
        size INTEGER NOT NULL,
        text TEXT NOT NULL,
        restored_from INTEGER,
        PRIMARY KEY (model_id, version)
      ) STRICT;
      CREATE TABLE runs (
        key TEXT PRIMARY KEY,
        command TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        options TEXT NOT NULL,
        result TEXT NOT NULL,
        created_at TEXT NOT NULL,
        elapsed_ms REAL NOT NULL
      ) STRICT;
      CREATE INDEX runs_by_age ON runs(created_at);
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        command TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'partial', 'failed', 'cancelled')),
        model_id TEXT REFERENCES models(id) ON DELETE CASCADE,
        model_version INTEGER,
        content_hash TEXT NOT NULL,
        file TEXT NOT NULL,
        text TEXT,
        options TEXT NOT NULL,
        run_key TEXT NOT NULL,
        progress TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        stop_reason TEXT,
        error TEXT,
        result TEXT,
        FOREIGN KEY (model_id, model_version) REFERENCES model_versions(model_id, version) ON DELETE CASCADE
      ) STRICT;
      CREATE INDEX jobs_by_status ON jobs(status);
      CREATE INDEX jobs_by_model ON jobs(model_id, created_at);
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
];
