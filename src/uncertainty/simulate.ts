import { availableParallelism } from "node:os";
import type { LoadedModel } from "../model/load.js";
import { compileModel } from "../engine/compile.js";
import { UsageError, formatIssue } from "../model/issues.js";
import { compileUncertainty, describeUncertainty } from "./spec.js";
import { planSimulation, DEFAULT_BLOCK_SIZE } from "./paths.js";
import { Aggregate, RunShape, MIN_CHUNK_SIZE, exactRunChunkSize, type ChunkResult, type OutputDetail } from "./aggregate.js";
import { runClaims, type WorkerSetup } from "./chunks.js";
import { runChunkThreads, leaseWorkers, type WorkerLease } from "./chunkThreads.js";
import { summarize, type SimulationResult } from "./summary.js";

export const MAX_PATHS = 100_000_000;

export interface SimulateOptions {
  paths: number;
  seed?: number;
  /** Threads; 1 runs in this thread, 2 uses this thread and one worker, and so on. */
  threads?: number | "auto";
  lhs?: boolean;
  keepPaths?: number;
  blockSize?: number;
  /** Periods to report: "month" (default) adds the months to the fiscal years. */
  detail?: OutputDetail;
  /** Kept for compatibility; workers receive the loaded model itself. */
  source?: { text: string; file: string };
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export function validateSimulateOptions(o: SimulateOptions): void {
  if (!Number.isInteger(o.paths) || o.paths < 1) throw new UsageError("bad_paths", `-n must be a whole number of paths ≥ 1 (got ${o.paths})`);
  if (o.paths > MAX_PATHS) throw new UsageError("too_many_paths", `-n ${o.paths} is more than ${MAX_PATHS.toLocaleString("en-US")} paths; percentiles are within 0.1 percentile points long before that — use fewer paths`);
  if (o.seed !== undefined && (!Number.isSafeInteger(o.seed) || o.seed < 0)) throw new UsageError("bad_seed", `--seed must be a whole number ≥ 0 (got ${o.seed})`);
  if (o.threads !== undefined && o.threads !== "auto" && (!Number.isInteger(o.threads) || o.threads < 1 || o.threads > 256)) throw new UsageError("bad_threads", `--threads must be a whole number from 1 to 256, or auto (got ${o.threads})`);
  if (o.keepPaths !== undefined && (!Number.isInteger(o.keepPaths) || o.keepPaths < 0 || o.keepPaths > 10_000)) throw new UsageError("bad_keep_paths", `--keep-paths must be a whole number from 0 to 10,000 (got ${o.keepPaths})`);
}

/**
 * Monte Carlo over the model's uncertain inputs. The paths are split into chunks (a
 * function of the number of paths only); this thread and the workers claim chunks from a
 * shared counter, and each chunk's result merges by path index (exact percentiles) or in
 * chunk order (rank sketches), so the same model and seed give bit-identical results
 * whatever the number of threads.
 */
export async function simulate(loaded: LoadedModel, options: SimulateOptions): Promise<SimulationResult> {
  validateSimulateOptions(options);
  const seed = options.seed ?? 1;
  const lhs = options.lhs ?? false;
  const keep = options.keepPaths ?? 0;
  const detail = options.detail ?? "month";
  const wanted = options.threads === "auto" ? availableParallelism() : (options.threads ?? 1);
  const n = options.paths;
  // Workers boot (modules, then their own compile) while this thread compiles and plans:
  // as many as the run can use at most (a chunk has at least MIN_CHUNK_SIZE paths).
  const lease = wanted > 1 ? leaseWorkers(workerUrl(), Math.min(wanted, Math.ceil(n / MIN_CHUNK_SIZE)) - 1) : null;
  try {
    const compiled = compileModel(loaded.model, loaded.extensions);
    const spec = compileUncertainty(loaded, compiled);
    if (spec.inputs.length === 0 && spec.processes.length === 0) {
      throw new UsageError("nothing_uncertain", `${loaded.file} has no uncertain inputs; add an \`uncertain:\` section (see the README, "Uncertainty") to simulate`);
    }
    const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
    const natural = new RunShape(compiled, detail, n, keep);
    const allExact = natural.summary.exact && (natural.detail === null || natural.detail.exact);
    const chunkSize = allExact ? exactRunChunkSize(n, natural.chunkSize) : natural.chunkSize;
    const shape = chunkSize === natural.chunkSize ? natural : new RunShape(compiled, detail, n, keep, chunkSize);
    const threads = Math.max(1, Math.min(wanted, shape.chunks));
    // With every column exact, each thread writes its chunks' values in place (exactBuffers).
    const exactValues = allExact ? takeExactBuffer(shape.exactBytes) : undefined;
    const aggregate = new Aggregate(compiled, shape, exactValues);
    const setup: WorkerSetup = {
      model: loaded.model,
      extensions: loaded.extensions,
      extensionsUsed: compiled.extensionsUsed,
      description: describeUncertainty(spec),
      seed,
      lhs,
      blockSize,
      paths: n,
      detail,
      keep,
      chunkSize,
      threads,
      shared: new SharedArrayBuffer(8),
      exactValues,
    };
    // This thread plans once the workers have their job, so that they plan at the same time.
    await runThreads(() => planSimulation(compiled, spec, { seed, lhs, blockSize }), shape, aggregate, setup, options, lease);
    const result = summarize(aggregate, compiled, spec, {
      scenario: loaded.scenario,
      seed,
      lhs,
      threads,
      requested: n,
      partial: !aggregate.complete,
      warnings: [...loaded.warnings, ...spec.warnings].map(formatIssue),
    });
    // The figures are numbers now; nothing reads the values any more (workers are done).
    if (exactValues) giveBackExactBuffer(exactValues);
    return result;
  } finally {
    // Unused (a run with fewer chunks than threads, or one that never started): back to the pool.
    lease?.release();
  }
}

/**
 * The last run's exact columns, kept for the next run of the same size or a little smaller.
 * A run's values fill tens of megabytes (up to EXACT_BUDGET_BYTES); fresh memory costs a page
 * fault per 4 kB at first write, measured at ~100–200 ms CPU per 100k-path run of the bench
 * model, while a kept buffer is rewritten in place (every value a run reads, it has written:
 * statistics read the paths merged, and each merged chunk wrote all of its own). Like an
 * idle worker, it is let go after IDLE_BUFFER_MS unused.
 */
let idleExactBuffer: SharedArrayBuffer | null = null;
let idleExactTimer: ReturnType<typeof setTimeout> | null = null;
const IDLE_BUFFER_MS = 60_000;

function takeExactBuffer(bytes: number): SharedArrayBuffer {
  const kept = idleExactBuffer;
  if (kept && kept.byteLength >= bytes && kept.byteLength <= 2 * bytes) {
    idleExactBuffer = null;
    return kept;
  }
  return new SharedArrayBuffer(bytes);
}

function giveBackExactBuffer(buffer: SharedArrayBuffer): void {
  idleExactBuffer = buffer;
  if (idleExactTimer) clearTimeout(idleExactTimer);
  idleExactTimer = setTimeout(() => {
    idleExactBuffer = null;
    idleExactTimer = null;
  }, IDLE_BUFFER_MS);
  idleExactTimer.unref();
}

function workerUrl(): URL {
  const here = import.meta.url;
  // Under the test runner this module is TypeScript source; workers run the built JavaScript.
  if (here.endsWith(".ts")) return new URL(here.replace("/src/uncertainty/simulate.ts", "/dist/uncertainty/worker.js"));
  return new URL("./worker.js", here);
}

/** This thread and `setup.threads - 1` workers claim chunks until none is left (chunkThreads.ts). */
async function runThreads(plan: () => ReturnType<typeof planSimulation>, shape: RunShape, aggregate: Aggregate, setup: WorkerSetup, options: SimulateOptions, lease: WorkerLease | null): Promise<void> {
  const shared = new Int32Array(setup.shared);
  await runChunkThreads<ChunkResult>({
    threads: setup.threads,
    shared,
    worker: workerUrl(),
    workerData: setup,
    lease: lease ?? undefined,
    merge: (r) => {
      const done = aggregate.add(r);
      options.onProgress?.(done, shape.paths);
    },
    // The aggregate keeps no reference to a result's values once it has merged or kept a copy of them.
    computeHere: (done) => runClaims(plan(), shape, shared, setup.threads, done, true),
    signal: options.signal,
    yieldBetweenChunks: setup.threads > 1 || options.signal !== undefined || options.onProgress !== undefined,
  });
}
