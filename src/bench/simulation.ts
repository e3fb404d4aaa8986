/**
 * Monte Carlo benchmark: the bench model with 10 uncertain inputs, against the same model
 * written by hand as a plain loop (handLoop.ts) on the same sampled inputs, in the same
 * process; then 1 and 2 threads, and a 1M-path run in a child process for peak memory.
 */
import { performance } from "node:perf_hooks";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadModelText } from "../model/load.js";
import { compileModel } from "../engine/compile.js";
import { simulate } from "../uncertainty/simulate.js";
import { compileUncertainty } from "../uncertainty/spec.js";
import { planSimulation, sampleBlock, blockScratch, blockCount } from "../uncertainty/paths.js";
import type { SimulationResult } from "../uncertainty/summary.js";
import { benchModelText } from "./benchModel.js";
import { runHandLoop, handLoopOutputs, handLoopStatistics } from "./handLoop.js";

/** Factors on the lines, sampled. */
export const BENCH_FACTORS = 8;

/**
 * The bench model with 10 uncertain inputs: 8 factors on the lines (triangular and
 * normal), the opening cash (triangular) and the launch month (any month from June 2026 to
 * June 2027, discrete uniform).
 */
export function simulationBenchText(): string {
  const uncertain = ["uncertain:"];
  for (let i = 0; i < BENCH_FACTORS; i++) uncertain.push(`  factor${i}: { path: drivers.factor${i}, distribution: ${i % 2 ? "normal" : "triangular"}, ${i % 2 ? "mean: 1, sd: 0.1" : "min: 0.8, mode: 1, max: 1.3"} }`);
  uncertain.push("  openingCash: { path: openingBalance.cash, distribution: triangular, min: 1500, mode: 3500, max: 5000 }");
  uncertain.push("  launch: { path: drivers.launch.month, distribution: discreteUniform, min: 2026-06, max: 2027-06 }");
  return benchModelText(50, BENCH_FACTORS) + uncertain.join("\n") + "\n";
}

/** The inputs burnrate samples for paths 0..n-1 with this seed, column by column (input k of path i at k·n + i). */
export function sampledInputs(text: string, n: number, seed: number): Float64Array {
  const loaded = loadModelText(text, "bench.yaml");
  const compiled = compileModel(loaded.model, loaded.extensions);
  const spec = compileUncertainty(loaded, compiled);
  const plan = planSimulation(compiled, spec, { seed, lhs: false });
  const d = spec.inputs.length;
  const out = new Float64Array(n * d);
  const scratch = blockScratch(plan);
  for (let b = 0; b < blockCount(plan, n); b++) {
    const start = b * plan.blockSize;
    const size = Math.min(plan.blockSize, n - start);
    const values = sampleBlock(plan, b, size, scratch);
    for (let k = 0; k < d; k++) out.set(values.subarray(k * size, (k + 1) * size), k * n + start);
  }
  return out;
}

export function timeHandLoop(samples: Float64Array, n: number): number {
  const t0 = performance.now();
  const out = handLoopOutputs(n);
  runHandLoop(samples, n, out);
  for (const row of out.yearly) for (const column of row) handLoopStatistics(column);
  for (const column of out.metrics) handLoopStatistics(column);
  return (performance.now() - t0) / 1000;
}

export async function timeSimulation(paths: number, threads: number): Promise<{ seconds: number; result: SimulationResult }> {
  const text = simulationBenchText();
  const loaded = loadModelText(text, "bench.yaml");
  const t0 = performance.now();
  const result = await simulate(loaded, { paths, seed: 1, threads, detail: "year" });
  return { seconds: (performance.now() - t0) / 1000, result };
}

/**
 * Warms up this thread and the pooled worker thread (chunkThreads.ts) before the timed
 * runs, so that 1 and 2 threads are both measured warm, as a server or a later run in one
 * process runs them. V8 keeps optimising the month loop over a thread's first ~50k paths
 * (measured in 30k-path runs on a worker: ~36 µs a path over its first 60k paths, ~26 µs after),
 * so the worker computes about that many here; a single 8,192-path run left it mid-way,
 * and the 2-thread figure then measured the worker's warm-up rather than 2 threads. A
 * first run in a new process (the command line) pays that warm-up: the 1M-path run below
 * is a process of its own, its worker starting cold.
 */
export async function warmUpSimulation(): Promise<void> {
  await timeSimulation(4096, 1);
  for (let i = 0; i < 2; i++) await timeSimulation(50_000, 2);
}

/**
 * 1 and 2 threads timed `rounds` times each, alternately (so that both see the same
 * machine), with the median of each: other processes on the machine slow single runs.
 */
export async function timeThreads(paths: number, rounds: number): Promise<{ one: { seconds: number; result: SimulationResult }; two: { seconds: number; result: SimulationResult } }> {
  const ones: { seconds: number; result: SimulationResult }[] = [];
  const twos: { seconds: number; result: SimulationResult }[] = [];
  for (let i = 0; i < rounds; i++) {
    ones.push(await timeSimulation(paths, 1));
    twos.push(await timeSimulation(paths, 2));
  }
  const median = (runs: typeof ones) => [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)];
  return { one: median(ones), two: median(twos) };
}

/** The 1M-path run, alone in a child process so that its peak memory is its own. */
export function millionPaths(): { seconds: number; maxRssMb: number; method: string; rankErrorBound: number } | { error: string } {
  const child = spawnSync(process.execPath, [fileURLToPath(new URL("./simulationChild.js", import.meta.url))], { encoding: "utf8" });
  if (child.status !== 0) return { error: child.stderr };
  return JSON.parse(child.stdout.trim().split("\n").pop()!);
}
