import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import type { LoadedModel } from "../model/load.js";
import { loadModelText } from "../model/load.js";
import { compileModel } from "../engine/compile.js";
import { UsageError, formatIssue } from "../model/issues.js";
import { compileUncertainty } from "./spec.js";
import { planSimulation, runBlocks, blockCount, blockScratch, DEFAULT_BLOCK_SIZE, type SimulationPlan } from "./paths.js";
import { Aggregate, type SerializedAggregate } from "./aggregate.js";
import { summarize, type SimulationResult } from "./summary.js";

export const MAX_PATHS = 100_000_000;

export interface SimulateOptions {
  paths: number;
  seed?: number;
  /** Worker threads; 1 runs in this thread. */
  threads?: number | "auto";
  lhs?: boolean;
  keepPaths?: number;
  blockSize?: number;
  /** Model text and file name, so that workers can load the same model. */
  source?: { text: string; file: string };
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export function validateSimulateOptions(o: SimulateOptions): void {
  if (!Number.isInteger(o.paths) || o.paths < 1) throw new UsageError("bad_paths", `-n must be a whole number of paths ≥ 1 (got ${o.paths})`);
  if (o.paths > MAX_PATHS) throw new UsageError("too_many_paths", `-n ${o.paths} is more than ${MAX_PATHS.toLocaleString("en-US")} paths; percentiles are already within 1% long before that — use fewer paths`);
  if (o.seed !== undefined && (!Number.isSafeInteger(o.seed) || o.seed < 0)) throw new UsageError("bad_seed", `--seed must be a whole number ≥ 0 (got ${o.seed})`);
  if (o.threads !== undefined && o.threads !== "auto" && (!Number.isInteger(o.threads) || o.threads < 1 || o.threads > 256)) throw new UsageError("bad_threads", `--threads must be a whole number from 1 to 256, or auto (got ${o.threads})`);
  if (o.keepPaths !== undefined && (!Number.isInteger(o.keepPaths) || o.keepPaths < 0 || o.keepPaths > 10_000)) throw new UsageError("bad_keep_paths", `--keep-paths must be a whole number from 0 to 10,000 (got ${o.keepPaths})`);
}

/**
 * Monte Carlo over the model's uncertain inputs. Paths are evaluated in blocks; each
 * block's paths fold into an aggregate, and aggregates merge in block order, so the same
 * model and seed give bit-identical results whatever the number of threads.
 */
export async function simulate(loaded: LoadedModel, options: SimulateOptions): Promise<SimulationResult> {
  validateSimulateOptions(options);
  const seed = options.seed ?? 1;
  const lhs = options.lhs ?? false;
  const keep = options.keepPaths ?? 0;
  const threads = options.threads === "auto" || options.threads === undefined ? (options.threads === "auto" ? availableParallelism() : 1) : options.threads;
  const compiled = compileModel(loaded.model, loaded.extensions);
  const spec = compileUncertainty(loaded, compiled);
  if (spec.inputs.length === 0 && spec.processes.length === 0) {
    throw new UsageError("nothing_uncertain", `${loaded.file} has no uncertain inputs; add an \`uncertain:\` section (see the README, "Uncertainty") to simulate`);
  }
  const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
  const plan = planSimulation(compiled, spec, { seed, lhs, blockSize });
  const n = options.paths;
  const blocks = blockCount(plan, n);
  const total = new Aggregate(compiled, n, keep, 0);
  const useWorkers = Math.min(threads, blocks) > 1;
  let partial = false;
  if (!useWorkers) {
    const scratch = blockScratch(plan);
    for (let b = 0; b < blocks; b++) {
      if (options.signal?.aborted) {
        partial = true;
        break;
      }
      total.merge(runBlock(plan, n, b, keep, scratch));
      options.onProgress?.(total.n + total.invalid, n);
      // Let signals (Ctrl-C) and progress output through between blocks.
      if (options.signal || options.onProgress) await new Promise((r) => setImmediate(r));
    }
  } else {
    if (!options.source) throw new UsageError("no_source", "running on several threads needs the model's text (source) so each worker can load it");
    partial = await runOnWorkers(options.source, loaded.scenario, { seed, lhs, blockSize, n, keep }, Math.min(threads, blocks), blocks, total, options);
  }
  return summarize(total, compiled, spec, {
    scenario: loaded.scenario,
    seed,
    lhs,
    threads: useWorkers ? Math.min(threads, blocks) : 1,
    requested: n,
    partial,
    warnings: [...loaded.warnings, ...spec.warnings].map(formatIssue),
  });
}

/** Folds one block's paths into a fresh aggregate. */
export function runBlock(plan: SimulationPlan, n: number, block: number, keep: number, scratch = blockScratch(plan)): Aggregate {
  const agg = new Aggregate(plan.compiled, n, keep, plan.blockSize);
  runBlocks(plan, n, block, block + 1, (path, proj, metrics) => agg.add(path, proj, metrics), scratch, (path, reason) => agg.addInvalid(path, reason));
  return agg;
}

export interface WorkerSetup {
  text: string;
  file: string;
  scenario: string | null;
  seed: number;
  lhs: boolean;
  blockSize: number;
  n: number;
  keep: number;
}

function workerUrl(): URL {
  const here = import.meta.url;
  // Under the test runner this module is TypeScript source; workers run the built JavaScript.
  if (here.endsWith(".ts")) return new URL(here.replace("/src/uncertainty/simulate.ts", "/dist/uncertainty/worker.js"));
  return new URL("./worker.js", here);
}

async function runOnWorkers(
  source: { text: string; file: string },
  scenario: string | null,
  settings: { seed: number; lhs: boolean; blockSize: number; n: number; keep: number },
  threads: number,
  blocks: number,
  total: Aggregate,
  options: SimulateOptions,
): Promise<boolean> {
  const setup: WorkerSetup = { text: source.text, file: source.file, scenario, ...settings };
  const pending = new Map<number, SerializedAggregate>();
  let nextToMerge = 0;
  let nextToSend = 0;
  let stopped = false;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let active = 0;
      const finishIfDone = () => {
        if (active === 0 && (nextToSend >= blocks || stopped)) resolve();
      };
      const send = (w: Worker) => {
        if (options.signal?.aborted) stopped = true;
        if (stopped || nextToSend >= blocks) return finishIfDone();
        active++;
        w.postMessage({ block: nextToSend++ });
      };
      for (let i = 0; i < threads; i++) {
        const w = new Worker(fileURLToPath(workerUrl()), { workerData: setup });
        workers.push(w);
        w.on("message", (msg: { block: number; aggregate: SerializedAggregate } | { error: string }) => {
          if ("error" in msg) {
            stopped = true;
            reject(new Error(msg.error));
            return;
          }
          active--;
          pending.set(msg.block, msg.aggregate);
          // Merge strictly in block order: floating-point sums then do not depend on timing.
          while (pending.has(nextToMerge)) {
            total.merge(pending.get(nextToMerge)!);
            pending.delete(nextToMerge);
            nextToMerge++;
          }
          options.onProgress?.(total.n + total.invalid, settings.n);
          send(w);
        });
        w.on("error", (error) => {
          stopped = true;
          reject(error);
        });
        send(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  // Blocks finished out of order after a stop are left out so the result stays a prefix of paths.
  return nextToMerge < blocks;
}

/** Loads the model in a worker the same way the main thread did. */
export function planFromSetup(setup: WorkerSetup): SimulationPlan {
  const loaded = loadModelText(setup.text, setup.file, setup.scenario ? { scenario: setup.scenario } : {});
  const compiled = compileModel(loaded.model, loaded.extensions);
  const spec = compileUncertainty(loaded, compiled);
  return planSimulation(compiled, spec, { seed: setup.seed, lhs: setup.lhs, blockSize: setup.blockSize });
}
