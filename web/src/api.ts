/**
 * The `burnrate serve` HTTP API, as the dashboard uses it. Every call is relative to the
 * page (the server serves the dashboard at `/` and the API at `/api`); a token given in
 * the address (`#token=…`, printed by `burnrate serve` when it needs one) is sent as a
 * bearer token.
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

export const api = {
  listModels: () => request<{ models: ModelSummary[] } | ModelSummary[]>("GET", "models").then((r) => (Array.isArray(r) ? r : r.models)),
  getModel: (id: string) => request<ModelDocument>("GET", `models/${enc(id)}`),
  getVersion: (id: string, version: number) => request<ModelDocument>("GET", `models/${enc(id)}/versions/${version}`),
  listVersions: (id: string) => request<{ versions: ModelVersion[] } | ModelVersion[]>("GET", `models/${enc(id)}/versions`).then((r) => (Array.isArray(r) ? r : r.versions)),
  save: (id: string, text: string, message: string) => request<{ version: number }>("POST", `models/${enc(id)}/versions`, { text, message }),
  restore: (id: string, version: number, message?: string) => request<{ version: number }>("POST", `models/${enc(id)}/restore`, { version, message }),
  startJob: (kind: JobKind, id: string, options: Record<string, unknown>) => request<{ id: string }>("POST", `jobs`, { kind, model: id, options }),
  getJob: (jobId: string) => request<JobState>("GET", `jobs/${enc(jobId)}`),
  cancelJob: (jobId: string) => request<JobState>("POST", `jobs/${enc(jobId)}/cancel`),
  /** Server-Sent Events of a job's progress; returns a function that stops listening. */
  watchJob(jobId: string, onEvent: (state: JobState) => void): () => void {
    const source = new EventSource(`api/jobs/${enc(jobId)}/events${token ? `?token=${enc(token)}` : ""}`);
    const handle = (event: MessageEvent) => {
      try {
        onEvent(JSON.parse(event.data) as JobState);
      } catch {
        /* a keep-alive or malformed line */
      }
    };
    source.onmessage = handle;
    for (const name of ["progress", "done", "failed", "cancelled", "status"]) source.addEventListener(name, handle as EventListener);
    source.onerror = () => {
      // The stream ends when the job does; the final state is read once more.
      source.close();
      api.getJob(jobId).then(onEvent, () => undefined);
    };
    return () => source.close();
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
