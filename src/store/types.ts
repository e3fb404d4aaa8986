/**
 * The server's store, behind one interface: routes and services call these methods and
 * never see SQL, so that a server store for teams (Postgres) can be added beside the
 * embedded SQLite one without touching them. Methods are async for that reason, though
 * SQLite answers synchronously. Every multi-statement write is one transaction: it
 * happens whole or not at all.
 */

/** A model as listed: its latest version's facts. */
export interface ModelRecord {
  /** URL-safe name: lowercase letters, digits and hyphens (e.g. "xai"). */
  id: string;
  /** meta.company of the latest version. */
  name: string;
  createdAt: string;
  updatedAt: string;
  /** Soft-deleted models keep every version and can be restored. */
  deletedAt: string | null;
  latestVersion: number;
  versions: number;
  /** Content hash (sha256, hex) of the latest version's text. */
  contentHash: string;
}

export interface VersionSummary {
  modelId: string;
  version: number;
  createdAt: string;
  message: string;
  /** sha256 of the text, hex. */
  contentHash: string;
  /** The name positions are reported under, e.g. "xai.yaml". */
  file: string;
  size: number;
  /** Set when this version restored an earlier one. */
  restoredFrom: number | null;
}

export interface VersionRecord extends VersionSummary {
  text: string;
}

export interface NewModel {
  id: string;
  name: string;
  text: string;
  file: string;
  message: string;
  contentHash: string;
}

export interface NewVersion {
  name: string;
  text: string;
  message: string;
  contentHash: string;
  /** Refuse the save (VersionConflictError) unless this is still the latest version. */
  expectedVersion?: number;
  restoredFrom?: number | null;
}

/** A cached result: the JSON text of a command's output, by its key. */
export interface StoredRun {
  key: string;
  command: string;
  contentHash: string;
  options: string;
  result: string;
  createdAt: string;
  elapsedMs: number;
}

export const JOB_STATUSES = ["queued", "running", "done", "partial", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobError {
  code: string;
  message: string;
  params?: Record<string, unknown>;
  issues?: unknown[];
}

export interface JobRecord {
  id: string;
  command: string;
  status: JobStatus;
  modelId: string | null;
  modelVersion: number | null;
  contentHash: string;
  file: string;
  /** Options as given after defaults (canonical JSON). */
  options: Record<string, unknown>;
  /** Key of the run cache entry its result goes to. */
  runKey: string;
  progress: { done: number; total: number | null; unit: string } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Why a job ended early: cancelled by a user, stopped at the time limit, or the server stopped. */
  stopReason: string | null;
  error: JobError | null;
  hasResult: boolean;
}

export interface NewJob {
  id: string;
  command: string;
  modelId: string | null;
  modelVersion: number | null;
  contentHash: string;
  file: string;
  /** Kept only for jobs on text sent with the request (stored models are read from their version). */
  text: string | null;
  options: Record<string, unknown>;
  runKey: string;
}

export interface JobFinish {
  status: Extract<JobStatus, "done" | "partial" | "failed" | "cancelled">;
  result?: string | null;
  error?: JobError | null;
  stopReason?: string | null;
}

export interface JobFilter {
  status?: JobStatus;
  modelId?: string;
  limit?: number;
}

export interface Store {
  readonly kind: string;
  /** Where the data lives (a file path for SQLite). */
  readonly location: string;

  listModels(options?: { deleted?: "exclude" | "include" | "only" }): Promise<ModelRecord[]>;
  getModel(id: string, options?: { includeDeleted?: boolean }): Promise<ModelRecord | null>;
  /** Throws ModelExistsError when the id is taken (deleted models too). */
  createModel(input: NewModel): Promise<{ model: ModelRecord; version: VersionRecord }>;
  /** Appends a version; throws NotFoundError, VersionConflictError (stale expectedVersion). */
  saveVersion(id: string, input: NewVersion): Promise<{ model: ModelRecord; version: VersionRecord }>;
  listVersions(id: string): Promise<VersionSummary[]>;
  getVersion(id: string, version: number): Promise<VersionRecord | null>;
  /** A live model's version (default: its latest) without the text, in one read; null when either is missing. */
  findVersion(id: string, version?: number): Promise<VersionSummary | null>;
  softDeleteModel(id: string): Promise<ModelRecord | null>;
  undeleteModel(id: string): Promise<ModelRecord | null>;
  /** Removes a model, its versions and its jobs for good. */
  purgeModel(id: string): Promise<boolean>;

  getRun(key: string): Promise<StoredRun | null>;
  putRun(run: StoredRun): Promise<void>;

  createJob(job: NewJob): Promise<JobRecord>;
  getJob(id: string): Promise<JobRecord | null>;
  /** The model text a job runs on (its version's, or the text sent with it). */
  getJobText(id: string): Promise<string | null>;
  getJobResult(id: string): Promise<string | null>;
  listJobs(filter?: JobFilter): Promise<JobRecord[]>;
  /** queued → running; false when the job is no longer queued (cancelled meanwhile). */
  startJob(id: string): Promise<boolean>;
  updateJobProgress(id: string, progress: { done: number; total: number | null; unit: string }): Promise<void>;
  finishJob(id: string, finish: JobFinish): Promise<JobRecord | null>;
  /**
   * After a restart: jobs left running by a crash are marked failed (their work is
   * lost); queued jobs are returned so that they run now.
   */
  recoverJobs(): Promise<{ failed: string[]; queued: string[] }>;

  /**
   * Imports the shipped models on the store's first start, in one transaction with the
   * mark that it happened: a store is seeded once, whole, and a model deleted later does
   * not come back. `models` is called only when seeding is due. Returns how many were
   * added (0 after the first time).
   */
  seedOnce(models: () => NewModel[]): Promise<number>;
  /** A consistent copy of the whole store at a path, taken online. */
  backup(path: string): Promise<void>;
  /** Runs the store's own consistency check; "ok" when sound. */
  integrityCheck(): Promise<string>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "StoreError";
    this.code = code;
  }
}
export class NotFoundError extends StoreError {}
export class ModelExistsError extends StoreError {}
export class VersionConflictError extends StoreError {
  readonly latestVersion: number;
  constructor(message: string, latestVersion: number) {
    super("version_conflict", message);
    this.latestVersion = latestVersion;
  }
}

/** Model ids: what may appear in a URL path segment and a file name, nothing else. */
export const MODEL_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
