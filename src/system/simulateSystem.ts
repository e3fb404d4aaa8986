import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { formatIssue } from "../model/issues.js";
import { validateSimulateOptions } from "../uncertainty/simulate.js";
import { blockScratch } from "../uncertainty/paths.js";
import type { LoadedSystem } from "./load.js";
import { planSystemSimulation, runSystemBlock, systemSetup, type SystemSimulateOptions, type SystemSetup } from "./simulate.js";
import { SystemAggregate, type SerializedSystemAggregate } from "./aggregate.js";
import { summarizeSystem, type SystemSimulationResult } from "./summary.js";

/**
 * Monte Carlo over a system: every company's uncertain inputs and the shared ones sampled
 * jointly, the links acting on each path. Blocks fold into aggregates merged in block order,
 * so the same system and seed give bit-identical results whatever the number of threads.
 * (Node only: worker threads; the pure per-block function is in simulate.ts.)
 */
export async function simulateSystem(loaded: LoadedSystem, options: SystemSimulateOptions): Promise<SystemSimulationResult> {
  validateSimulateOptions({ paths: options.paths, seed: options.seed, threads: options.threads, keepPaths: options.keepPaths });
  const seed = options.seed ?? 1;
  const threads = options.threads === "auto" ? availableParallelism() : (options.threads ?? 1);
  const plan = planSystemSimulation(loaded, { seed, lhs: options.lhs, blockSize: options.blockSize, attribution: options.attribution, rateShockBp: options.rateShockBp });
  const n = options.paths;
  const keep = options.keepPaths ?? 0;
  const blocks = Math.ceil(n / plan.blockSize);
  const total = new SystemAggregate(plan.system, n, keep, 0);
  const useWorkers = Math.min(threads, blocks) > 1;
  let partial = false;
  if (!useWorkers) {
    const scratch = blockScratch(plan.sampling);
    for (let b = 0; b < blocks; b++) {
      if (options.signal?.aborted) {
        partial = true;
        break;
      }
      total.merge(runSystemBlock(plan, n, b, keep, scratch));
      options.onProgress?.(total.n, n);
      if (options.signal || options.onProgress) await new Promise((r) => setImmediate(r));
    }
  } else {
    const setup = systemSetup(loaded, { seed, lhs: plan.lhs, blockSize: plan.blockSize, attribution: plan.attribution, rateShockBp: plan.rateShockBp, n, keep });
    partial = await runOnWorkers(setup, Math.min(threads, blocks), blocks, total, options);
  }
  return summarizeSystem(total, plan, { threads: useWorkers ? Math.min(threads, blocks) : 1, requested: n, partial, warnings: plan.warnings.map(formatIssue) });
}

function workerUrl(): URL {
  const here = import.meta.url;
  // Under the test runner this module is TypeScript source; workers run the built JavaScript.
  if (here.endsWith(".ts")) return new URL(here.replace("/src/system/simulateSystem.ts", "/dist/system/worker.js"));
  return new URL("./worker.js", here);
}

async function runOnWorkers(setup: SystemSetup, threads: number, blocks: number, total: SystemAggregate, options: SystemSimulateOptions): Promise<boolean> {
  const pending = new Map<number, SerializedSystemAggregate>();
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
        w.on("message", (msg: { block: number; aggregate: SerializedSystemAggregate } | { error: string }) => {
          if ("error" in msg) {
            stopped = true;
            reject(new Error(msg.error));
            return;
          }
          active--;
          pending.set(msg.block, msg.aggregate);
          // Merge strictly in block order: floating-point sums then do not depend on timing.
          try {
            while (pending.has(nextToMerge)) {
              total.merge(pending.get(nextToMerge)!);
              pending.delete(nextToMerge);
              nextToMerge++;
            }
          } catch (error) {
            stopped = true;
            reject(error);
            return;
          }
          options.onProgress?.(total.n, setup.n);
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
  return nextToMerge < blocks;
}
