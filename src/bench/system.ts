/**
 * System benchmark: `burnrate system simulate models/system.yaml -n 100000` as the CLI runs it
 * (threads: auto), and what one path costs — the company projections it needs and the CPU
 * time of each company's projection — the basis of docs/scaling.md.
 */
import { performance } from "node:perf_hooks";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import "../index.js";
import { loadSystemFile } from "../system/node.js";
import { simulateSystem } from "../system/simulateSystem.js";
import { compileSystem } from "../system/compile.js";
import { evaluate, createWorkspace } from "../engine/project.js";

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export async function benchSystem(root: string): Promise<void> {
  const file = join(root, "models", "system.yaml");
  const loaded = loadSystemFile(file);
  const compiled = compileSystem(loaded);
  console.log(`system: ${file} — ${compiled.companies.map((c) => c.name).join(", ")}; load average ${loadavg().map((x) => x.toFixed(1)).join(" ")} on ${availableParallelism()} cores`);
  for (const c of compiled.companies) {
    const ws = createWorkspace(c.compiled);
    for (let i = 0; i < 300; i++) evaluate(c.compiled, c.compiled.baseParams, ws);
    const n = 1000;
    const t0 = cpuMs();
    for (let i = 0; i < n; i++) evaluate(c.compiled, null, ws, []);
    const statements = ((cpuMs() - t0) * 1000) / n;
    const t1 = cpuMs();
    for (let i = 0; i < n; i++) evaluate(c.compiled, c.compiled.baseParams, ws);
    console.log(`  ${c.name.padEnd(10)} projection: ${(((cpuMs() - t1) * 1000) / n).toFixed(0)} µs CPU with every driver step, ${statements.toFixed(0)} µs without them (a rerun in the same path)`);
  }
  const t0 = performance.now();
  const cpu0 = cpuMs();
  const r = await simulateSystem(loaded, { paths: 100_000, seed: 1, threads: "auto" });
  const seconds = (performance.now() - t0) / 1000;
  console.log(`  100k paths, ${r.threads} threads: ${seconds.toFixed(1)} s (${Math.round(100_000 / seconds).toLocaleString("en-US")} paths/s; ${r.resolution.projectionsPerPath.toFixed(2)} company projections per path; main thread ${((cpuMs() - cpu0) / 1000).toFixed(1)} CPU-s)   (goal < 10 s)`);
}
