/**
 * Monte Carlo benchmark: a 120-month model with about 50 lines and 10 uncertain
 * inputs. Prints paths per second with 1 and 2 threads, the time for 100k paths, and the
 * peak memory of a 1M-path run (measured in a child process).
 */
import { performance } from "node:perf_hooks";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadModelText } from "../model/load.js";
import { simulate } from "../uncertainty/simulate.js";
import { benchModelText } from "./benchModel.js";

export function simulationBenchText(): string {
  const uncertain = ["uncertain:"];
  for (let i = 0; i < 10; i++) uncertain.push(`  factor${i}: { path: drivers.factor${i}, distribution: ${i % 2 ? "normal" : "triangular"}, ${i % 2 ? "mean: 1, sd: 0.1" : "min: 0.8, mode: 1, max: 1.3"} }`);
  return benchModelText(50, 10) + uncertain.join("\n") + "\n";
}

async function timed(paths: number, threads: number): Promise<number> {
  const text = simulationBenchText();
  const loaded = loadModelText(text, "bench.yaml");
  const t0 = performance.now();
  await simulate(loaded, { paths, seed: 1, threads, source: { text, file: "bench.yaml" } });
  return (performance.now() - t0) / 1000;
}

export async function benchSimulation(): Promise<void> {
  console.log("simulation: same model with 10 uncertain inputs (triangular and normal)");
  await timed(4096, 1); // warm up
  const one = await timed(100_000, 1);
  const two = await timed(100_000, 2);
  console.log(`  100k paths, 1 thread:   ${one.toFixed(2)} s  (${Math.round(100_000 / one).toLocaleString("en-US")} paths/s)`);
  console.log(`  100k paths, 2 threads:  ${two.toFixed(2)} s  (${Math.round(100_000 / two).toLocaleString("en-US")} paths/s; ${(one / two).toFixed(2)}× one thread)   (goal ≤ 1 s, ≥ 1.8×)`);
  const child = spawnSync(process.execPath, [fileURLToPath(new URL("./simulationChild.js", import.meta.url))], { encoding: "utf8" });
  if (child.status === 0) {
    const { seconds, maxRssMb } = JSON.parse(child.stdout.trim().split("\n").pop()!);
    console.log(`  1M paths, 2 threads:    ${seconds.toFixed(1)} s, peak RSS ${maxRssMb.toFixed(0)} MB   (goal ≤ 300 MB)`);
  } else console.log(`  1M paths: the child run failed: ${child.stderr}`);
}
