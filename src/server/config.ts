import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

/** Everything `burnrate serve` can be told, with the defaults a single analyst wants. */
export interface ServerOptions {
  /** SQLite file; created on first start. */
  db: string;
  host?: string;
  port?: number;
  /**
   * Bearer token every API call must carry. Required when the host is not loopback;
   * optional on loopback (then every call must carry it too).
   */
  token?: string | null;
  /** Origins allowed to call the API from a browser page on another origin (CORS); none by default. */
  corsOrigins?: string[];
  /** Seed the shipped models into an empty store (default true). */
  seed?: boolean;
  /** Folder of the shipped models to seed (default: the package's models/). */
  modelsDir?: string;
  /** Folder of the built dashboard (default: the package's dist/web/). */
  webDir?: string;
  /** Largest request body, in bytes (default 8 MiB: a model may be 5 MB). */
  bodyLimit?: number;
  /** Milliseconds a client has to send a whole request (headers and body); default 30 s. */
  requestTimeoutMs?: number;
  /** Jobs running at once (default: cores − 1, at least 1). */
  jobConcurrency?: number;
  /** Jobs waiting in the queue before new ones are refused (429); default 100. */
  maxQueuedJobs?: number;
  /** Most Monte Carlo paths a job may ask for (per trial for solve); default 10,000,000. */
  maxJobPaths?: number;
  /** A job is stopped after this long (keeping its partial result); default 10 minutes. */
  jobTimeLimitMs?: number;
  /** Threads one simulate job may use (default 1: the job pool is the parallelism). */
  jobThreads?: number;
  /** Heap limit of a job's worker thread, in MB (default 2048). */
  jobMemoryMb?: number;
  /** Cached runs kept in the store (default 5,000). */
  maxCachedRuns?: number;
  /** pino logger options or false to log nothing (tests); default: info level to stdout. */
  logger?: boolean | Record<string, unknown>;
}

export type ResolvedServerOptions = Required<Omit<ServerOptions, "token" | "modelsDir" | "webDir" | "logger">> & {
  token: string | null;
  modelsDir: string;
  webDir: string;
  logger: boolean | Record<string, unknown>;
};

const packageDir = (relative: string) => fileURLToPath(new URL(`../../${relative}`, import.meta.url));

export const DEFAULTS = {
  host: "127.0.0.1",
  port: 8080,
  bodyLimit: 8 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  maxQueuedJobs: 100,
  maxJobPaths: 10_000_000,
  jobTimeLimitMs: 10 * 60_000,
  jobThreads: 1,
  jobMemoryMb: 2048,
  maxCachedRuns: 5000,
};

export function resolveOptions(options: ServerOptions): ResolvedServerOptions {
  return {
    db: options.db,
    host: options.host ?? DEFAULTS.host,
    port: options.port ?? DEFAULTS.port,
    token: options.token ?? null,
    corsOrigins: options.corsOrigins ?? [],
    seed: options.seed ?? true,
    modelsDir: options.modelsDir ?? packageDir("models/"),
    webDir: options.webDir ?? packageDir("dist/web/"),
    bodyLimit: options.bodyLimit ?? DEFAULTS.bodyLimit,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    jobConcurrency: options.jobConcurrency ?? Math.max(1, availableParallelism() - 1),
    maxQueuedJobs: options.maxQueuedJobs ?? DEFAULTS.maxQueuedJobs,
    maxJobPaths: options.maxJobPaths ?? DEFAULTS.maxJobPaths,
    jobTimeLimitMs: options.jobTimeLimitMs ?? DEFAULTS.jobTimeLimitMs,
    jobThreads: options.jobThreads ?? DEFAULTS.jobThreads,
    jobMemoryMb: options.jobMemoryMb ?? DEFAULTS.jobMemoryMb,
    maxCachedRuns: options.maxCachedRuns ?? DEFAULTS.maxCachedRuns,
    logger: options.logger ?? true,
  };
}

/** Loopback addresses: the only ones a server may listen on without a token. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) || h === "::ffff:127.0.0.1";
}
