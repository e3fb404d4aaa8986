/**
 * The `burnrate serve` HTTP API, as the dashboard uses it. Every call is relative to the
 * page (the server serves the dashboard at `/` and the API at `/api`); a token given in
 * the address (`#token=…`, printed by `burnrate serve` when it needs one) is sent as a
 * bearer token, and exchanged once for a session cookie for the progress streams.
 */
export interface ModelSummary {
  id: string;
  name: string;
  company?: string;
  version?: number;
  updatedAt?: string;
  [key: string]: unknown;
}
export interface ModelVersion {
  version: number;
  createdAt: string;
  message: string;
  hash?: string;
}
export interface ModelDocument {
  id: string;
  name: string;
  version: number;
  text: string;
  updatedAt?: string;
}
export interface ApiIssue {
  code: string;
  message: string;
  path?: (string | number)[];
  line?: number;
  column?: number;
  severity?: string;
  params?: Record<string, unknown>;
}
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: ApiIssue[];
  readonly params?: Record<string, unknown>;
  constructor(status: number, body: { code?: string; message?: string; issues?: ApiIssue[]; params?: Record<string, unknown> }) {
    super(body.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body.code ?? "http_error";
    this.issues = body.issues ?? [];
    this.params = body.params;
  }
}

let token: string | null = null;
const fromHash = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
if (fromHash) token = decodeURIComponent(fromHash[1]);
try {
  token = token ?? sessionStorage.getItem("burnrate.token");
  if (token) sessionStorage.setItem("burnrate.token", token);
} catch {
  /* storage may be disabled */
}

function headers(json: boolean): Record<string, string> {
  const h: Record<string, string> = { accept: "application/json" };
  if (json) h["content-type"] = "application/json";
  if (token) h.authorization = `Bearer ${token}`;
  return h;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`api/${path}`, { method, headers: headers(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { message: text };
  }
  if (!response.ok) throw new ApiError(response.status, (data ?? {}) as never);
  return data as T;
}

const enc = encodeURIComponent;

/** The server's job record (GET /api/jobs/:id), as far as the dashboard reads it. */
interface ServerJob {
  id: string;
  command: JobKind;
  status: "queued" | "running" | "done" | "partial" | "failed" | "cancelled";
  progress: { done: number; total: number | null; unit: string } | null;
  error: { code: string; message: string; params?: Record<string, unknown> } | null;
}
interface ServerModel {
  id: string;
  name: string;
  latestVersion: number;
  updatedAt: string;
  [key: string]: unknown;
}
interface ServerVersion {
  modelId: string;
  version: number;
  createdAt: string;
  message: string;
  contentHash: string;
  text?: string;
}

/** A partial result (stopped early) reads as a cancelled job that still has a result. */
function jobState(job: ServerJob, result?: unknown): JobState {
  const status: JobState["status"] = job.status === "partial" ? "cancelled" : job.status;
  const state: JobState = { id: job.id, kind: job.command, status };
  if (job.progress) state.progress = { done: job.progress.done, total: job.progress.total ?? 0 };
  if (job.status === "partial") state.partial = true;
  if (result !== undefined) state.result = result;
  if (job.error) state.error = job.error;
  return state;
}

async function jobWithResult(job: ServerJob): Promise<JobState> {
  const result = job.status === "done" || job.status === "partial" ? await request<unknown>("GET", `jobs/${enc(job.id)}/result`) : undefined;
  return jobState(job, result);
}

/** EventSource cannot send headers: with a token, a session cookie is set first (HttpOnly, this site only). */
let session: Promise<unknown> | null = null;
function ensureSession(): Promise<unknown> {
  if (!token) return Promise.resolve();
  return (session ??= request("POST", "session", { token }).catch((error) => {
    session = null;
    throw error;
  }));
}

export const api = {
  listModels: () =>
    request<{ models: ServerModel[] }>("GET", "models").then((r) => r.models.map((m): ModelSummary => ({ ...m, id: m.id, name: m.name, version: m.latestVersion, updatedAt: m.updatedAt }))),
  getModel: (id: string) =>
    request<{ model: ServerModel; version: ServerVersion }>("GET", `models/${enc(id)}`).then((r): ModelDocument => ({ id: r.model.id, name: r.model.name, version: r.version.version, text: r.version.text ?? "", updatedAt: r.model.updatedAt })),
  getVersion: (id: string, version: number) =>
    request<{ version: ServerVersion }>("GET", `models/${enc(id)}/versions/${version}`).then((r): ModelDocument => ({ id, name: id, version: r.version.version, text: r.version.text ?? "", updatedAt: r.version.createdAt })),
  listVersions: (id: string) =>
    request<{ versions: ServerVersion[] }>("GET", `models/${enc(id)}/versions`).then((r) => r.versions.map((v): ModelVersion => ({ version: v.version, createdAt: v.createdAt, message: v.message, hash: v.contentHash }))),
  /** Saves a new version (unchanged text saves none and answers with the latest). */
  save: (id: string, text: string, message: string) => request<{ version: ServerVersion }>("PUT", `models/${enc(id)}`, { text, message }).then((r) => ({ version: r.version.version })),
  restore: (id: string, version: number, message?: string) =>
    request<{ version: ServerVersion }>("POST", `models/${enc(id)}/versions/${version}/restore`, message ? { message } : {}).then((r) => ({ version: r.version.version })),
  /** Runs on the stored version, or on `options.text` (unsaved edits) when given. */
  startJob: (kind: JobKind, id: string, options: Record<string, unknown>) => {
    const { text, version, ...rest } = options;
    const clean = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined && v !== null));
    const model = typeof text === "string" ? { text, file: `${id}.yaml` } : { id, ...(typeof version === "number" ? { version } : {}) };
    return request<{ job: ServerJob }>("POST", "jobs", { command: kind, model, options: clean }).then((r) => ({ id: r.job.id }));
  },
  getJob: (jobId: string) => request<{ job: ServerJob }>("GET", `jobs/${enc(jobId)}`).then((r) => jobWithResult(r.job)),
  cancelJob: (jobId: string) => request<{ job: ServerJob }>("POST", `jobs/${enc(jobId)}/cancel`).then((r) => jobState(r.job)),
  /**
   * Server-Sent Events of a job: `status` (the job), `progress` ({done, total}), then `done`
   * ({job, result}) or `failed` ({job, error}). Returns a function that stops listening.
   */
  watchJob(jobId: string, onEvent: (state: JobState) => void): () => void {
    let source: EventSource | null = null;
    let stopped = false;
    let ended = false;
    const parse = (event: MessageEvent) => {
      try {
        return JSON.parse(event.data);
      } catch {
        return null;
      }
    };
    void ensureSession().then(
      () => {
        if (stopped) return;
        source = new EventSource(`api/jobs/${enc(jobId)}/events`);
        source.addEventListener("status", (event) => {
          const job = parse(event as MessageEvent) as ServerJob | null;
          if (job) onEvent(jobState(job));
        });
        source.addEventListener("progress", (event) => {
          const p = parse(event as MessageEvent) as { done: number; total: number | null } | null;
          if (p) onEvent({ id: jobId, status: "running", progress: { done: p.done, total: p.total ?? 0 } });
        });
        source.addEventListener("done", (event) => {
          const data = parse(event as MessageEvent) as { job: ServerJob; result: unknown } | null;
          ended = true;
          source?.close();
          if (data) onEvent(jobState(data.job, data.result));
        });
        source.addEventListener("failed", (event) => {
          const data = parse(event as MessageEvent) as { job: ServerJob; error: ServerJob["error"] } | null;
          ended = true;
          source?.close();
          if (data) onEvent({ ...jobState(data.job), error: data.error ?? undefined });
        });
        source.onerror = () => {
          // The connection dropped before the end: read the final state once more.
          source?.close();
          if (!ended && !stopped) api.getJob(jobId).then(onEvent, () => undefined);
        };
      },
      (error: ApiError) => onEvent({ id: jobId, status: "failed", error: { code: error.code, message: error.message } }),
    );
    return () => {
      stopped = true;
      source?.close();
    };
  },
};

export type JobKind = "simulate" | "sensitivity" | "solve";
export interface JobState {
  id: string;
  kind?: JobKind;
  status: "queued" | "running" | "done" | "failed" | "cancelled";
  progress?: { done: number; total: number };
  partial?: boolean;
  result?: unknown;
  error?: { code: string; message: string; params?: Record<string, unknown> };
}
