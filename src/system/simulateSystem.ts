import { availableParallelism } from "node:os";
import { formatIssue } from "../model/issues.js";
import { validateSimulateOptions } from "../uncertainty/simulate.js";
import { blockScratch, DEFAULT_BLOCK_SIZE } from "../uncertainty/paths.js";
import { claimChunks } from "../uncertainty/chunks.js";
import { runChunkThreads, leaseWorkers, type WorkerLease } from "../uncertainty/chunkThreads.js";
import { MIN_CHUNK_SIZE } from "../uncertainty/aggregate.js";
import type { LoadedSystem } from "./load.js";
import { compileSystem } from "./compile.js";
import type { LoadedModel } from "../model/load.js";
import { parseSourceText, type SourceText } from "../model/source.js";
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
    const compiled = compileSystem(loaded);
    const keep = options.keepPaths ?? 0;
    const detail = options.detail ?? "year";
    const shape = new SystemRunShape(compiled, detail, n, keep);
    const threads = Math.max(1, Math.min(wanted, shape.chunks));
    // With every column exact, each thread writes its chunks' values in place.
    const exact = threads > 1 ? shape.exactBuffers() : null;
    const aggregate = new SystemAggregate(shape, exact);
    // The plan's defaults, resolved here so that the workers get their job before this
    // thread plans (planning takes ~0.15 s cold; they plan at the same time).
    const settings = { seed, lhs: options.lhs ?? false, blockSize: options.blockSize ?? DEFAULT_BLOCK_SIZE, attribution: options.attribution ?? true, rateShockBp: options.rateShockBp ?? 0 };
    const setup = systemSetup(loaded, { ...settings, n, keep, detail });
    let plan: SystemSimulationPlan | null = null;
    const planHere = () => (plan = planSystemSimulation(loaded, settings, compiled));
    await runThreads(planHere, shape, aggregate, { setup, portable: threads > 1 ? portableSystem(loaded) : null, threads, shared: new SharedArrayBuffer(8), exact }, options, lease);
    const planned: SystemSimulationPlan = plan ?? planHere();
    return summarizeSystem(aggregate, planned, { threads, requested: n, partial: !aggregate.complete, warnings: planned.warnings.map(formatIssue) });
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
  /**
   * The system this thread loaded and checked, for the workers to plan from instead of
   * reading and checking the texts again (half a second of CPU in each worker); null when
   * it cannot travel (then they load setup's texts).
   */
  portable: PortableSystem | null;
  threads: number;
  /** Int32 [next chunk to claim, stop flag], shared by every thread of the run. */
  shared: SharedArrayBuffer;
  /** The run's exact columns (SystemRunShape.exactBuffers), when every column is exact: a worker writes its chunks there. */
  exact: SharedArrayBuffer[] | null;
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

/**
 * This thread and `data.threads - 1` workers claim chunks until none is left
 * (chunkThreads.ts); this thread plans (`plan`) once the workers have their job.
 */
async function runThreads(plan: () => SystemSimulationPlan, shape: SystemRunShape, aggregate: SystemAggregate, data: SystemWorkerData, options: SystemSimulateOptions, lease: WorkerLease | null): Promise<void> {
  const shared = new Int32Array(data.shared);
  await runChunkThreads<SystemChunkResult>({
    threads: data.threads,
    shared,
    worker: workerUrl(),
    workerData: data,
    lease: lease ?? undefined,
    merge: (r) => {
      const done = aggregate.add(r);
      options.onProgress?.(done, shape.paths);
    },
    computeHere: (done) => claimSystemChunks(plan(), shape, shared, data.threads, done),
    signal: options.signal,
    yieldBetweenChunks: data.threads > 1 || options.signal !== undefined || options.onProgress !== undefined,
  });
}

/** A source's data without its position lookups (functions cannot be posted to a worker); `text` names the text they come from. */
interface PortableSource {
  file: string;
  data: unknown;
  /** null: the system file's text; otherwise the key of the company text in SystemSetup.texts. */
  text: string | null;
}
type PortableModel = Omit<LoadedModel, "source"> & { source: PortableSource };
/** A loaded system as a worker receives it (structured clone): plain data, the sources without their lookups. */
export interface PortableSystem extends Omit<LoadedSystem, "source" | "shared" | "companies"> {
  source: PortableSource;
  shared: PortableModel;
  companies: (Omit<LoadedSystem["companies"][number], "loaded"> & { loaded: PortableModel })[];
}

/**
 * The loaded system for the workers, or null when a company's source is not one of the
 * texts the setup carries (its positions could not be found again). Everything else in a
 * loaded system is plain data (the zod-checked models, numbers, names), which a structured
 * clone copies exactly — -0, NaN, key order, shared references — so a worker plans from the
 * same data as this thread (src/system/portable.test.ts compares the chunks bit for bit).
 */
export function portableSystem(loaded: LoadedSystem): PortableSystem | null {
  const textKey = (source: SourceText): string | null | undefined => {
    if (source.file === loaded.file) return null;
    return Object.keys(loaded.texts).find((key) => loaded.texts[key].file === source.file);
  };
  const portableModel = (model: LoadedModel, text: string | null | undefined): PortableModel | null => (text === undefined ? null : { ...model, source: { file: model.source.file, data: model.source.data, text } });
  const shared = portableModel(loaded.shared, null);
  const companies = loaded.companies.map((c) => {
    const model = portableModel(c.loaded, textKey(c.loaded.source));
    return model && { ...c, loaded: model };
  });
  if (!shared || companies.some((c) => c === null)) return null;
  return { ...loaded, source: { file: loaded.source.file, data: loaded.source.data, text: null }, shared, companies: companies as PortableSystem["companies"] };
}

/** The loaded system a worker plans from: the sources' positions are read from the setup's texts when a message needs one. */
export function restoreSystem(portable: PortableSystem, setup: SystemSetup): LoadedSystem {
  const texts = new Map<string | null, SourceText>();
  const source = (s: PortableSource): SourceText => {
    const full = () => {
      let parsed = texts.get(s.text);
      if (!parsed) texts.set(s.text, (parsed = s.text === null ? parseSourceText(setup.text, setup.file) : parseSourceText(setup.texts[s.text].text, setup.texts[s.text].file)));
      return parsed;
    };
    return { file: s.file, data: s.data, keyPosition: (path) => full().keyPosition(path), valuePosition: (path) => full().valuePosition(path) };
  };
  const model = (m: PortableModel): LoadedModel => ({ ...m, source: source(m.source) });
  return { ...portable, source: source(portable.source), shared: model(portable.shared), companies: portable.companies.map((c) => ({ ...c, loaded: model(c.loaded) })) };
}
