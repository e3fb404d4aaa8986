import { availableParallelism } from "node:os";
import { formatIssue } from "../model/issues.js";
import { validateSimulateOptions } from "../uncertainty/simulate.js";
import { blockScratch } from "../uncertainty/paths.js";
import { claimChunks } from "../uncertainty/chunks.js";
import { runChunkThreads, leaseWorkers, type WorkerLease } from "../uncertainty/chunkThreads.js";
import { MIN_CHUNK_SIZE } from "../uncertainty/aggregate.js";
import type { LoadedSystem } from "./load.js";
import { planSystemSimulation, runSystemChunk, systemSetup, type SystemSimulateOptions, type SystemSetup, type SystemSimulationPlan } from "./simulate.js";
import { SystemAggregate, SystemRunShape, type SystemChunkResult } from "./aggregate.js";
import { summarizeSystem, type SystemSimulationResult } from "./summary.js";

/**
 * Monte Carlo over a system: every company's uncertain inputs and the shared ones sampled
 * jointly, the links acting on each path. The paths split into chunks (a function of the
 * number of paths only); this thread and the workers claim chunks from a shared counter and
 * each chunk's result merges by path index (exact percentiles) or in chunk order (rank
 * sketches, counts), so the same system and seed give bit-identical results whatever the
 * number of threads. (Node only: worker threads; the pure per-chunk function is in simulate.ts.)
 */
export async function simulateSystem(loaded: LoadedSystem, options: SystemSimulateOptions): Promise<SystemSimulationResult> {
  validateSimulateOptions({ paths: options.paths, seed: options.seed, threads: options.threads, keepPaths: options.keepPaths });
  const seed = options.seed ?? 1;
  const wanted = options.threads === "auto" ? availableParallelism() : (options.threads ?? 1);
  const n = options.paths;
  // Pooled workers (as `simulate`'s): they boot while this thread plans, and a process that
  // runs again (the server, the benchmark) finds them loaded and their JIT warm.
  const lease = wanted > 1 ? leaseWorkers(workerUrl(), Math.min(wanted, Math.ceil(n / MIN_CHUNK_SIZE)) - 1) : null;
  try {
    const plan = planSystemSimulation(loaded, { seed, lhs: options.lhs, blockSize: options.blockSize, attribution: options.attribution, rateShockBp: options.rateShockBp });
    const keep = options.keepPaths ?? 0;
    const detail = options.detail ?? "year";
    const shape = new SystemRunShape(plan.system, detail, n, keep);
    const aggregate = new SystemAggregate(shape);
    const threads = Math.max(1, Math.min(wanted, shape.chunks));
    const setup = systemSetup(loaded, { seed, lhs: plan.lhs, blockSize: plan.blockSize, attribution: plan.attribution, rateShockBp: plan.rateShockBp, n, keep, detail });
    await runThreads(plan, shape, aggregate, setup, threads, options, lease);
    return summarizeSystem(aggregate, plan, { threads, requested: n, partial: !aggregate.complete, warnings: plan.warnings.map(formatIssue) });
  } finally {
    // Unused (fewer chunks than threads, or a run that never started): back to the pool.
    lease?.release();
  }
}

/**
 * Starts, into the worker pool, the workers a simulation of `paths` paths on `threads` threads
 * will lease: they load their modules on the other cores while this thread reads and checks
 * the system (the CLI calls it first), instead of after. Unused, they end as idle pooled
 * workers do and never keep the process alive.
 */
export function prestartSystemWorkers(paths: number, threads: number | "auto" | undefined): void {
  const wanted = threads === "auto" ? availableParallelism() : (threads ?? 1);
  if (!Number.isInteger(wanted) || wanted <= 1 || !Number.isInteger(paths) || paths < 1) return;
  leaseWorkers(workerUrl(), Math.min(wanted, Math.ceil(paths / MIN_CHUNK_SIZE)) - 1).release();
}

function workerUrl(): URL {
  const here = import.meta.url;
  // Under the test runner this module is TypeScript source; workers run the built JavaScript.
  if (here.endsWith(".ts")) return new URL(here.replace("/src/system/simulateSystem.ts", "/dist/system/worker.js"));
  return new URL("./worker.js", here);
}

/** What a system worker is given: the setup and the run's shared chunk counter. */
export interface SystemWorkerData {
  setup: SystemSetup;
  threads: number;
  /** Int32 [next chunk to claim, stop flag], shared by every thread of the run. */
  shared: SharedArrayBuffer;
}

/** Claims and computes chunks until none is left or the run is stopped. */
export async function claimSystemChunks(plan: SystemSimulationPlan, shape: SystemRunShape, shared: Int32Array, threads: number, done: (r: SystemChunkResult) => void | Promise<void>): Promise<void> {
  const chunksPerBlock = Math.max(1, Math.floor(plan.blockSize / shape.chunkSize));
  const scratch = blockScratch(plan.sampling);
  for (;;) {
    const claim = claimChunks(shared, shape.chunks, chunksPerBlock, threads);
    if (!claim) return;
    for (let chunk = claim[0]; chunk < claim[1]; chunk++) {
      if (chunk > claim[0] && Atomics.load(shared, 1) !== 0) return;
      await done(runSystemChunk(plan, shape, chunk, scratch));
    }
  }
}

/** This thread and `threads - 1` workers claim chunks until none is left (chunkThreads.ts). */
async function runThreads(plan: SystemSimulationPlan, shape: SystemRunShape, aggregate: SystemAggregate, setup: SystemSetup, threads: number, options: SystemSimulateOptions, lease: WorkerLease | null): Promise<void> {
  const buffer = new SharedArrayBuffer(8);
  const shared = new Int32Array(buffer);
  const data: SystemWorkerData = { setup, threads, shared: buffer };
  await runChunkThreads<SystemChunkResult>({
    threads,
    shared,
    worker: workerUrl(),
    workerData: data,
    lease: lease ?? undefined,
    merge: (r) => {
      const done = aggregate.add(r);
      options.onProgress?.(done, shape.paths);
    },
    computeHere: (done) => claimSystemChunks(plan, shape, shared, threads, done),
    signal: options.signal,
    yieldBetweenChunks: threads > 1 || options.signal !== undefined || options.onProgress !== undefined,
  });
}
