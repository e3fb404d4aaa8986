import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations.js";
import {
  ModelExistsError,
  NotFoundError,
  StoreError,
  VersionConflictError,
  MODEL_ID_PATTERN,
  type JobFilter,
  type JobFinish,
  type JobRecord,
  type ModelRecord,
  type NewJob,
  type NewModel,
  type NewVersion,
  type Store,
  type StoredRun,
  type VersionRecord,
  type VersionSummary,
} from "./types.js";

export interface SqliteStoreOptions {
  /** Cached runs kept (oldest dropped first); default 5,000. */
  maxRuns?: number;
  /** Milliseconds cached runs wait before they are written together; default 100. */
  runFlushDelayMs?: number;
}

const now = () => new Date().toISOString();

interface ModelRow {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  latest_version: number;
  versions: number;
  content_hash: string;
}
interface VersionRow {
  model_id: string;
  version: number;
  created_at: string;
  message: string;
  content_hash: string;
  file: string;
  size: number;
  restored_from: number | null;
  text?: string;
}
interface JobRow {
  id: string;
  command: string;
  status: JobRecord["status"];
  model_id: string | null;
  model_version: number | null;
  content_hash: string;
  file: string;
  options: string;
  run_key: string;
  progress: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  stop_reason: string | null;
  error: string | null;
  has_result: number;
}

const MODEL_COLUMNS = `m.id, m.name, m.created_at, m.updated_at, m.deleted_at, m.latest_version,
  (SELECT COUNT(*) FROM model_versions v WHERE v.model_id = m.id) AS versions,
  (SELECT content_hash FROM model_versions v WHERE v.model_id = m.id AND v.version = m.latest_version) AS content_hash`;
const VERSION_COLUMNS = "model_id, version, created_at, message, content_hash, file, size, restored_from";
const JOB_COLUMNS = "id, command, status, model_id, model_version, content_hash, file, options, run_key, progress, created_at, started_at, finished_at, stop_reason, error, result IS NOT NULL AS has_result";

function modelRecord(row: ModelRow): ModelRecord {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    latestVersion: row.latest_version,
    versions: row.versions,
    contentHash: row.content_hash,
  };
}
function versionSummary(row: VersionRow): VersionSummary {
  return {
    modelId: row.model_id,
    version: row.version,
    createdAt: row.created_at,
    message: row.message,
    contentHash: row.content_hash,
    file: row.file,
    size: row.size,
    restoredFrom: row.restored_from,
  };
}
function versionRecord(row: VersionRow & { text: string }): VersionRecord {
  return { ...versionSummary(row), text: row.text };
}
function jobRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    command: row.command,
    status: row.status,
    modelId: row.model_id,
    modelVersion: row.model_version,
    contentHash: row.content_hash,
    file: row.file,
    options: JSON.parse(row.options),
    runKey: row.run_key,
    progress: row.progress ? JSON.parse(row.progress) : null,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    stopReason: row.stop_reason,
    error: row.error ? JSON.parse(row.error) : null,
    hasResult: row.has_result === 1,
  };
}

/**
 * The embedded store: one SQLite file in WAL mode (readers never wait for the writer),
 * synchronous=FULL (a save acknowledged to a client survives a crash of the process or
 * of the machine), foreign keys on, versioned migrations.
 */
export class SqliteStore implements Store {
  readonly kind = "sqlite";
  readonly location: string;
  private readonly db: Database.Database;
  private readonly maxRuns: number;
  private readonly flushDelay: number;
  private pendingRuns = new Map<string, StoredRun>();
  private flushTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly statements;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.location = path;
    this.maxRuns = options.maxRuns ?? 5000;
    this.flushDelay = options.runFlushDelayMs ?? 100;
    this.db = new Database(path);
    try {
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = FULL");
      this.db.pragma("foreign_keys = ON");
      this.db.pragma("busy_timeout = 5000");
      migrate(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }
    const db = this.db;
    this.statements = {
      listModels: db.prepare(`SELECT ${MODEL_COLUMNS} FROM models m WHERE (@deleted = 'include') OR (@deleted = 'only' AND m.deleted_at IS NOT NULL) OR (@deleted = 'exclude' AND m.deleted_at IS NULL) ORDER BY m.id`),
      getModel: db.prepare(`SELECT ${MODEL_COLUMNS} FROM models m WHERE m.id = ?`),
      insertModel: db.prepare("INSERT INTO models (id, name, created_at, updated_at, deleted_at, latest_version) VALUES (@id, @name, @at, @at, NULL, 1)"),
      insertVersion: db.prepare(`INSERT INTO model_versions (model_id, version, created_at, message, content_hash, file, size, text, restored_from) VALUES (@modelId, @version, @at, @message, @contentHash, @file, @size, @text, @restoredFrom)`),
      bumpModel: db.prepare("UPDATE models SET latest_version = @version, name = @name, updated_at = @at WHERE id = @id"),
      listVersions: db.prepare(`SELECT ${VERSION_COLUMNS} FROM model_versions WHERE model_id = ? ORDER BY version DESC`),
      getVersion: db.prepare(`SELECT ${VERSION_COLUMNS}, text FROM model_versions WHERE model_id = ? AND version = ?`),
      findVersion: db.prepare(`SELECT v.model_id, v.version, v.created_at, v.message, v.content_hash, v.file, v.size, v.restored_from FROM models m JOIN model_versions v ON v.model_id = m.id AND v.version = COALESCE(@version, m.latest_version) WHERE m.id = @id AND m.deleted_at IS NULL`),
      softDelete: db.prepare("UPDATE models SET deleted_at = @at WHERE id = @id AND deleted_at IS NULL"),
      undelete: db.prepare("UPDATE models SET deleted_at = NULL WHERE id = ?"),
      purge: db.prepare("DELETE FROM models WHERE id = ?"),
      getRun: db.prepare("SELECT key, command, content_hash, options, result, created_at, elapsed_ms FROM runs WHERE key = ?"),
      putRun: db.prepare("INSERT OR REPLACE INTO runs (key, command, content_hash, options, result, created_at, elapsed_ms) VALUES (@key, @command, @contentHash, @options, @result, @createdAt, @elapsedMs)"),
      countRuns: db.prepare("SELECT COUNT(*) AS n FROM runs"),
      trimRuns: db.prepare("DELETE FROM runs WHERE key IN (SELECT key FROM runs ORDER BY created_at LIMIT ?)"),
      insertJob: db.prepare(`INSERT INTO jobs (id, command, status, model_id, model_version, content_hash, file, text, options, run_key, created_at) VALUES (@id, @command, 'queued', @modelId, @modelVersion, @contentHash, @file, @text, @options, @runKey, @at)`),
      getJob: db.prepare(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`),
      getJobText: db.prepare("SELECT COALESCE(j.text, v.text) AS text FROM jobs j LEFT JOIN model_versions v ON v.model_id = j.model_id AND v.version = j.model_version WHERE j.id = ?"),
      getJobResult: db.prepare("SELECT result FROM jobs WHERE id = ?"),
      listJobs: db.prepare(`SELECT ${JOB_COLUMNS} FROM jobs WHERE (@status IS NULL OR status = @status) AND (@modelId IS NULL OR model_id = @modelId) ORDER BY created_at DESC, id LIMIT @limit`),
      startJob: db.prepare("UPDATE jobs SET status = 'running', started_at = @at WHERE id = @id AND status = 'queued'"),
      progressJob: db.prepare("UPDATE jobs SET progress = @progress WHERE id = @id AND status = 'running'"),
      finishJob: db.prepare("UPDATE jobs SET status = @status, finished_at = @at, result = @result, error = @error, stop_reason = @stopReason WHERE id = @id AND status IN ('queued', 'running')"),
      runningJobs: db.prepare("SELECT id FROM jobs WHERE status = 'running'"),
      queuedJobs: db.prepare("SELECT id FROM jobs WHERE status = 'queued' ORDER BY created_at, id"),
      failRunning: db.prepare("UPDATE jobs SET status = 'failed', finished_at = @at, stop_reason = 'server_stopped', error = @error WHERE status = 'running'"),
      getSetting: db.prepare("SELECT value FROM settings WHERE key = ?"),
      putSetting: db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)"),
    };
  }

  /** The schema version (number of migrations applied). */
  get schemaVersion(): number {
    return this.db.pragma("user_version", { simple: true }) as number;
  }

  async listModels(options: { deleted?: "exclude" | "include" | "only" } = {}): Promise<ModelRecord[]> {
    return (this.statements.listModels.all({ deleted: options.deleted ?? "exclude" }) as ModelRow[]).map(modelRecord);
  }

  async getModel(id: string, options: { includeDeleted?: boolean } = {}): Promise<ModelRecord | null> {
    const row = this.statements.getModel.get(id) as ModelRow | undefined;
    if (!row || (row.deleted_at !== null && !options.includeDeleted)) return null;
    return modelRecord(row);
  }

  async createModel(input: NewModel): Promise<{ model: ModelRecord; version: VersionRecord }> {
    if (!MODEL_ID_PATTERN.test(input.id)) throw new StoreError("bad_model_id", `"${input.id}" is not a model id: use 1–64 lowercase letters, digits and hyphens`);
    const at = now();
    const create = this.db.transaction(() => {
      if (this.statements.getModel.get(input.id)) throw new ModelExistsError("model_exists", `a model named "${input.id}" exists already${this.isDeleted(input.id) ? " (deleted: restore it or purge it first)" : ""}`);
      this.statements.insertModel.run({ id: input.id, name: input.name, at });
      this.statements.insertVersion.run({ modelId: input.id, version: 1, at, message: input.message, contentHash: input.contentHash, file: input.file, size: Buffer.byteLength(input.text), text: input.text, restoredFrom: null });
    });
    create.immediate();
    return { model: (await this.getModel(input.id))!, version: (await this.getVersion(input.id, 1))! };
  }

  private isDeleted(id: string): boolean {
    const row = this.statements.getModel.get(id) as ModelRow | undefined;
    return row?.deleted_at !== null && row?.deleted_at !== undefined;
  }

  async saveVersion(id: string, input: NewVersion): Promise<{ model: ModelRecord; version: VersionRecord }> {
    const at = now();
    const save = this.db.transaction((): number => {
      const row = this.statements.getModel.get(id) as ModelRow | undefined;
      if (!row || row.deleted_at !== null) throw new NotFoundError("model_not_found", `no model named "${id}"`);
      if (input.expectedVersion !== undefined && input.expectedVersion !== row.latest_version) {
        throw new VersionConflictError(`"${id}" was saved meanwhile: the latest version is ${row.latest_version}, not ${input.expectedVersion}; reload it and apply your change again`, row.latest_version);
      }
      const version = row.latest_version + 1;
      const previous = this.statements.getVersion.get(id, row.latest_version) as VersionRow;
      this.statements.insertVersion.run({ modelId: id, version, at, message: input.message, contentHash: input.contentHash, file: previous.file, size: Buffer.byteLength(input.text), text: input.text, restoredFrom: input.restoredFrom ?? null });
      this.statements.bumpModel.run({ id, version, name: input.name, at });
      return version;
    });
    const version = save.immediate();
    return { model: (await this.getModel(id))!, version: (await this.getVersion(id, version))! };
  }

  async listVersions(id: string): Promise<VersionSummary[]> {
    return (this.statements.listVersions.all(id) as VersionRow[]).map(versionSummary);
  }

  async getVersion(id: string, version: number): Promise<VersionRecord | null> {
    const row = this.statements.getVersion.get(id, version) as (VersionRow & { text: string }) | undefined;
    return row ? versionRecord(row) : null;
  }

  async findVersion(id: string, version?: number): Promise<VersionSummary | null> {
    const row = this.statements.findVersion.get({ id, version: version ?? null }) as VersionRow | undefined;
    return row ? versionSummary(row) : null;
  }

  async softDeleteModel(id: string): Promise<ModelRecord | null> {
    const changed = this.statements.softDelete.run({ id, at: now() }).changes;
    return changed ? this.getModel(id, { includeDeleted: true }) : null;
  }

  async undeleteModel(id: string): Promise<ModelRecord | null> {
    const changed = this.statements.undelete.run(id).changes;
    return changed ? this.getModel(id) : null;
  }

  async purgeModel(id: string): Promise<boolean> {
    // Versions and the model's jobs go with it (ON DELETE CASCADE), in one statement.
    return this.statements.purge.run(id).changes > 0;
  }

  async getRun(key: string): Promise<StoredRun | null> {
    const pending = this.pendingRuns.get(key);
    if (pending) return pending;
    const row = this.statements.getRun.get(key) as { key: string; command: string; content_hash: string; options: string; result: string; created_at: string; elapsed_ms: number } | undefined;
    return row ? { key: row.key, command: row.command, contentHash: row.content_hash, options: row.options, result: row.result, createdAt: row.created_at, elapsedMs: row.elapsed_ms } : null;
  }

  /**
   * Cached runs are written in batches (one transaction, one sync) a moment later: a
   * run lost to a crash is computed again, so they need not cost a sync each.
   */
  async putRun(run: StoredRun): Promise<void> {
    if (this.closed) return;
    this.pendingRuns.set(run.key, run);
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flushRuns(), this.flushDelay);
      this.flushTimer.unref();
    }
  }

  /** Writes the cached runs waiting for their batch. */
  flushRuns(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pendingRuns.size === 0 || this.closed) return;
    const runs = [...this.pendingRuns.values()];
    this.pendingRuns = new Map();
    this.db.transaction(() => {
      for (const run of runs) this.statements.putRun.run(run);
      const { n } = this.statements.countRuns.get() as { n: number };
      if (n > this.maxRuns) this.statements.trimRuns.run(n - this.maxRuns);
    }).immediate();
  }

  async createJob(job: NewJob): Promise<JobRecord> {
    this.statements.insertJob.run({ ...job, options: JSON.stringify(job.options), at: now() });
    return (await this.getJob(job.id))!;
  }

  async getJob(id: string): Promise<JobRecord | null> {
    const row = this.statements.getJob.get(id) as JobRow | undefined;
    return row ? jobRecord(row) : null;
  }

  async getJobText(id: string): Promise<string | null> {
    const row = this.statements.getJobText.get(id) as { text: string | null } | undefined;
    return row?.text ?? null;
  }

  async getJobResult(id: string): Promise<string | null> {
    const row = this.statements.getJobResult.get(id) as { result: string | null } | undefined;
    return row?.result ?? null;
  }

  async listJobs(filter: JobFilter = {}): Promise<JobRecord[]> {
    const rows = this.statements.listJobs.all({ status: filter.status ?? null, modelId: filter.modelId ?? null, limit: Math.min(Math.max(filter.limit ?? 100, 1), 1000) }) as JobRow[];
    return rows.map(jobRecord);
  }

  async startJob(id: string): Promise<boolean> {
    return this.statements.startJob.run({ id, at: now() }).changes > 0;
  }

  async updateJobProgress(id: string, progress: { done: number; total: number | null; unit: string }): Promise<void> {
    this.statements.progressJob.run({ id, progress: JSON.stringify(progress) });
  }

  async finishJob(id: string, finish: JobFinish): Promise<JobRecord | null> {
    const changed = this.statements.finishJob.run({
      id,
      at: now(),
      status: finish.status,
      result: finish.result ?? null,
      error: finish.error ? JSON.stringify(finish.error) : null,
      stopReason: finish.stopReason ?? null,
    }).changes;
    return changed ? this.getJob(id) : null;
  }

  async recoverJobs(): Promise<{ failed: string[]; queued: string[] }> {
    return this.db.transaction(() => {
      const failed = (this.statements.runningJobs.all() as { id: string }[]).map((r) => r.id);
      this.statements.failRunning.run({ at: now(), error: JSON.stringify({ code: "interrupted", message: "the server stopped while this job ran; start it again" }) });
      const queued = (this.statements.queuedJobs.all() as { id: string }[]).map((r) => r.id);
      return { failed, queued };
    }).immediate();
  }

  async seedOnce(provide: () => NewModel[]): Promise<number> {
    if (this.statements.getSetting.get("seeded_at") !== undefined) return 0;
    const models = provide();
    return this.db.transaction(() => {
      if (this.statements.getSetting.get("seeded_at") !== undefined) return 0;
      const at = now();
      let n = 0;
      for (const m of models) {
        if (this.statements.getModel.get(m.id)) continue;
        this.statements.insertModel.run({ id: m.id, name: m.name, at });
        this.statements.insertVersion.run({ modelId: m.id, version: 1, at, message: m.message, contentHash: m.contentHash, file: m.file, size: Buffer.byteLength(m.text), text: m.text, restoredFrom: null });
        n++;
      }
      this.statements.putSetting.run("seeded_at", at);
      return n;
    }).immediate();
  }

  async backup(path: string): Promise<void> {
    this.flushRuns();
    await this.db.backup(path);
  }

  async integrityCheck(): Promise<string> {
    const rows = this.db.pragma("integrity_check") as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join("\n");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flushRuns();
    this.closed = true;
    this.db.close();
  }
}

/** Applies the migrations the database has not seen, each in its own transaction. */
export function migrate(db: Database.Database): number {
  const current = db.pragma("user_version", { simple: true }) as number;
  const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
  if (current > latest) {
    throw new StoreError("store_too_new", `the database was written by a newer burnrate (schema ${current}; this one knows up to ${latest}); upgrade burnrate or use another --db`);
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return latest - current;
}
