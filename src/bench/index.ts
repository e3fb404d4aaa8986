/**
 * `npm run bench`: prints timings of the engine. Figures, not assertions: machines
 * differ; compare medians on the same machine.
 */
import { performance } from "node:perf_hooks";
import { loadModelText } from "../model/load.js";
import { compileModel } from "../engine/compile.js";
import { evaluate } from "../engine/project.js";
import { computeMetrics, metricVector } from "../engine/metrics.js";
import { benchModelText } from "./benchModel.js";
import { benchSimulation } from "./simulation.js";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function benchEngine(): { loadCompileMs: number; projectMs: number; lines: number; months: number } {
  const text = benchModelText(50);
  const loadTimes: number[] = [];
  let compiled = compileModel(loadModelText(text, "bench.yaml").model);
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    compiled = compileModel(loadModelText(text, "bench.yaml").model);
    loadTimes.push(performance.now() - t0);
  }
  const metrics = metricVector();
  const floor = compiled.params[compiled.slots.cashFloor];
  for (let i = 0; i < 2000; i++) computeMetrics(evaluate(compiled), metrics, floor); // warm up the JIT
  const batches: number[] = [];
  for (let b = 0; b < 25; b++) {
    const n = 400;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) computeMetrics(evaluate(compiled), metrics, floor);
    batches.push((performance.now() - t0) / n);
  }
  return { loadCompileMs: median(loadTimes), projectMs: median(batches), lines: Object.keys(compiled.model.lines).length, months: compiled.months };
}

async function main(): Promise<void> {
  const e = benchEngine();
  console.log(`engine: ${e.months}-month model, ${e.lines} lines + 5 drivers, 4 fleet cohorts, 2 debt tranches`);
  console.log(`  load + compile (YAML text to compiled model), median: ${e.loadCompileMs.toFixed(2)} ms   (goal < 20 ms)`);
  console.log(`  project + metrics after compile, median:               ${(e.projectMs * 1000).toFixed(1)} µs   (goal < 200 µs)`);
  if (!process.argv.includes("--engine-only")) await benchSimulation();
  if (process.argv.includes("--system") || !process.argv.includes("--engine-only")) await (await import("./system.js")).benchSystem(new URL("../..", import.meta.url).pathname);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
