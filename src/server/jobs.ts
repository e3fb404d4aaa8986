import { randomUUID } from "node:crypto";
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import type { FastifyBaseLogger } from "fastify";
import type { JobError, JobRecord, Store } from "../store/index.js";
import type { CommandName, Progress } from "../commands/index.js";
import type { JobWorkerData, JobWorkerMessage } from "./jobWorker.js";
import { ApiError } from "./errors.js";

/** What a job streams to its listeners (Server-Sent Events). */
export type JobEvent = { type: "progress"; progress: Progress } | { type: "status"; job: JobRecord } | { type: "end"; job: JobRecord };

export interface JobManagerOptions {
  concurrency: number;
  maxQueued: number;
  timeLimitMs: number;
  /** How long a stopped job may take to hand back its partial result before its thread is ended. */
  stopGraceMs?: number;
  memoryMb: number;
  /** Milliseconds between progress events (default 250). */
  progressIntervalMs?: number;
  log: FastifyBaseLogger;
}

export interface JobRequest {
  command: CommandName;
  model: { text: string; file: string; hash: string; modelId: string | null; version: number | null };
  options: Record<string, unknown>;
  runKey: string;
}

interface Running {
  worker: Worker;
  stop: Int32Array;
  stopReason: string | null;
  timer: NodeJS.Timeout;
  grace: NodeJS.Timeout | null;
  lastSaved: number;
}

function workerFile(): string {
  const here = import.meta.url;
  // Under the test runner this module is TypeScript source; workers run the built JavaScript.
  if (here.endsWith(".ts")) return fileURLToPath(here.replace("/src/server/jobs.ts", "/dist/server/jobWorker.js"));
  return fileURLToPath(new URL("./jobWorker.js", here));
}

/**
 * Runs long commands as jobs, each in its own worker thread so that the server's thread
 * stays free: at most `concurrency` at once, the rest queued in order; each stopped at the
 * time limit (keeping its partial result); progress to listeners; results to the store.
 */
export class JobManager {
  private readonly queue: string[] = [];
  private readonly running = new Map<string, Running>();
  private readonly listeners = new Map<string, Set<(event: JobEvent) => void>>();
  private readonly waiters = new Map<string, ((job: JobRecord) => void)[]>();
  private readonly progress = new Map<string, Progress>();
  private closing = false;

  constructor(
    private readonly store: Store,
    private readonly options: JobManagerOptions,
  ) {}

  /** After a restart: fails jobs a crash interrupted, queues those that never started. */
  async recover(): Promise<{ failed: string[]; queued: string[] }> {
    const recovered = await this.store.recoverJobs();
    if (recovered.failed.length) this.options.log.warn({ jobs: recovered.failed }, "jobs interrupted by a stop of the server were marked failed");
    for (const id of recovered.queued) this.queue.push(id);
    this.pump();
    return recovered;
  }

  get stats(): { running: number; queued: number; concurrency: number } {
    return { running: this.running.size, queued: this.queue.length, concurrency: this.options.concurrency };
  }

  /** Creates a job; a finished run with the same key answers at once (status done, from the cache). */
  async submit(request: JobRequest): Promise<{ job: JobRecord; cached: boolean }> {
    if (this.closing) throw new ApiError(503, "shutting_down", "the server is stopping; try again when it is back");
    const id = randomUUID();
    const base = {
      id,
      command: request.command,
      modelId: request.model.modelId,
      modelVersion: request.model.version,
      contentHash: request.model.hash,
      file: request.model.file,
      text: request.model.modelId ? null : request.model.text,
      options: request.options,
      runKey: request.runKey,
    };
    const cached = await this.store.getRun(request.runKey);
    if (cached) {
      await this.store.createJob(base);
      const job = (await this.store.finishJob(id, { status: "done", result: cached.result, stopReason: "cached" }))!;
      return { job, cached: true };
    }
    if (this.queue.length >= this.options.maxQueued) throw new ApiError(429, "too_many_jobs", `${this.queue.length} jobs are waiting already; try again when some have finished`);
    const job = await this.store.createJob(base);
    this.queue.push(id);
    this.pump();
    return { job, cached: false };
  }

  /** Latest progress of a running job (kept in memory; the store has it to the second). */
  currentProgress(id: string): Progress | null {
    return this.progress.get(id) ?? null;
  }

  subscribe(id: string, listener: (event: JobEvent) => void): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (set!.size === 0) this.listeners.delete(id);
    };
  }

  /** Resolves when the job has ended (at once if it has). */
  async wait(id: string): Promise<JobRecord> {
    const job = await this.store.getJob(id);
    if (!job) throw new ApiError(404, "job_not_found", `no job ${id}`);
    if (!isActive(job.status)) return job;
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? [];
      list.push(resolve);
      this.waiters.set(id, list);
    });
  }

  /**
   * Stops a job: a queued one is cancelled; a running one stops between blocks and keeps
   * what it has done (status partial), as the CLI does on Ctrl-C.
   */
  async cancel(id: string, reason = "cancelled"): Promise<JobRecord | null> {
    const job = await this.store.getJob(id);
    if (!job) return null;
    if (job.status === "queued") {
      const at = this.queue.indexOf(id);
      if (at >= 0) this.queue.splice(at, 1);
      const finished = await this.store.finishJob(id, { status: "cancelled", stopReason: reason });
      if (finished) this.ended(finished);
      return finished ?? (await this.store.getJob(id));
    }
    const run = this.running.get(id);
    if (run) this.requestStop(id, run, reason);
    return job;
  }

  /** Cancels every job of a model (before it is purged). */
  async cancelModelJobs(modelId: string): Promise<void> {
    for (const job of await this.store.listJobs({ modelId, limit: 1000 })) if (isActive(job.status)) await this.cancel(job.id);
  }

  private requestStop(id: string, run: Running, reason: string): void {
    if (run.stopReason) return;
    run.stopReason = reason;
    Atomics.store(run.stop, 0, 1);
    run.grace = setTimeout(() => {
      // It did not hand back a partial result in time: end its thread.
      this.options.log.warn({ job: id, reason }, "job did not stop in time; its thread was ended");
      void this.fail(id, { code: reason === "time_limit" ? "time_limit" : "stopped", message: reason === "time_limit" ? `the job ran past the time limit (${Math.round(this.options.timeLimitMs / 1000)} s) and did not stop in time` : "the job was stopped and did not hand back a partial result in time" }, reason);
    }, this.options.stopGraceMs ?? 10_000);
    run.grace.unref();
  }

  private pump(): void {
    while (!this.closing && this.running.size < this.options.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      void this.start(id).catch((error) => this.options.log.error({ err: error, job: id }, "job could not start"));
    }
  }

  private async start(id: string): Promise<void> {
    // Reserve the slot before anything async, so that pump() never starts too many.
    const placeholder = {} as Running;
    this.running.set(id, placeholder);
    try {
      if (!(await this.store.startJob(id))) {
        this.running.delete(id);
        return this.pump();
      }
      const job = (await this.store.getJob(id))!;
      const text = await this.store.getJobText(id);
      if (text === null) {
        this.running.delete(id);
        await this.fail(id, { code: "model_gone", message: "the model this job runs on was removed" }, null);
        return;
      }
      const stop = new SharedArrayBuffer(4);
      const data: JobWorkerData = { command: job.command as CommandName, model: { text, file: job.file }, options: job.options, stop, progressIntervalMs: this.options.progressIntervalMs ?? 250 };
      const worker = new Worker(workerFile(), { workerData: data, resourceLimits: { maxOldGenerationSizeMb: this.options.memoryMb }, stdout: false, stderr: false });
      const run: Running = {
        worker,
        stop: new Int32Array(stop),
        stopReason: null,
        timer: setTimeout(() => this.requestStop(id, run, "time_limit"), this.options.timeLimitMs),
        grace: null,
        lastSaved: 0,
      };
      run.timer.unref();
      this.running.set(id, run);
      this.emit(id, { type: "status", job });
      let settled = false;
      worker.on("message", (message: JobWorkerMessage) => {
        if (message.type === "progress") {
          this.progress.set(id, message.progress);
          this.emit(id, { type: "progress", progress: message.progress });
          const now = Date.now();
          if (now - run.lastSaved >= 1000) {
            run.lastSaved = now;
            void this.store.updateJobProgress(id, message.progress).catch(() => {});
          }
        } else if (message.type === "done") {
          settled = true;
          const status = message.partial ? "partial" : "done";
          void this.finish(id, { status, result: message.result, stopReason: message.partial ? run.stopReason : null }, status === "done");
        } else if (message.type === "error") {
          settled = true;
          const error: JobError = { code: message.error.code, message: message.error.message };
          if (message.error.issues) error.issues = message.error.issues;
          if (message.error.unexpected) {
            const errorId = randomUUID();
            this.options.log.error({ job: id, errorId, err: { message: message.error.message, stack: message.error.stack } }, "job failed unexpectedly");
            error.message = "the job failed unexpectedly; the server's log has the details under this errorId";
            (error as JobError & { errorId?: string }).errorId = errorId;
          }
          void this.fail(id, error, run.stopReason);
        }
      });
      worker.on("error", (error) => {
        if (settled) return;
        settled = true;
        const oom = /memory/i.test(error.message);
        this.options.log.error({ err: error, job: id }, "job worker failed");
        void this.fail(id, { code: oom ? "out_of_memory" : "worker_failed", message: oom ? `the job ran out of memory (limit ${this.options.memoryMb} MB); ask for fewer paths or kept paths` : `the job's thread failed: ${error.message}` }, run.stopReason);
      });
      worker.on("exit", (code) => {
        if (settled) return;
        settled = true;
        void this.fail(id, { code: "worker_failed", message: `the job's thread ended (code ${code}) without a result` }, run.stopReason);
      });
    } catch (error) {
      this.running.delete(id);
      await this.fail(id, { code: "start_failed", message: (error as Error).message }, null);
      throw error;
    }
  }

  private release(id: string): void {
    const run = this.running.get(id);
    if (run) {
      if (run.timer) clearTimeout(run.timer);
      if (run.grace) clearTimeout(run.grace);
      void run.worker?.terminate();
    }
    this.running.delete(id);
    this.progress.delete(id);
  }

  private async finish(id: string, finish: { status: "done" | "partial"; result: string; stopReason: string | null }, cache: boolean): Promise<void> {
    this.release(id);
    try {
      const job = await this.store.finishJob(id, finish);
      if (job && cache) {
        await this.store.putRun({ key: job.runKey, command: job.command, contentHash: job.contentHash, options: JSON.stringify(job.options), result: finish.result, createdAt: new Date().toISOString(), elapsedMs: job.startedAt ? Date.now() - Date.parse(job.startedAt) : 0 });
      }
      if (job) this.ended(job);
    } catch (error) {
      this.options.log.error({ err: error, job: id }, "could not store a job's result");
    } finally {
      this.pump();
    }
  }

  private async fail(id: string, error: JobError, stopReason: string | null): Promise<void> {
    this.release(id);
    try {
      const job = await this.store.finishJob(id, { status: "failed", error, stopReason });
      if (job) this.ended(job);
    } catch (e) {
      this.options.log.error({ err: e, job: id }, "could not record a job's failure");
    } finally {
      this.pump();
    }
  }

  private emit(id: string, event: JobEvent): void {
    for (const listener of this.listeners.get(id) ?? []) listener(event);
  }

  private ended(job: JobRecord): void {
    this.emit(job.id, { type: "end", job });
    for (const resolve of this.waiters.get(job.id) ?? []) resolve(job);
    this.waiters.delete(job.id);
  }

  /** Stops taking jobs and ends running ones (they are marked failed: the server stopped). */
  async close(): Promise<void> {
    this.closing = true;
    const ids = [...this.running.keys()];
    await Promise.all(ids.map((id) => this.fail(id, { code: "server_stopped", message: "the server was stopped while this job ran; start it again" }, "server_stopped")));
  }
}

export function isActive(status: JobRecord["status"]): boolean {
  return status === "queued" || status === "running";
}
