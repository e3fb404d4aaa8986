/**
 * System benchmark: `burnrate system simulate models/system.yaml -n 100000` as the CLI runs it
 * (threads: auto), and what one path costs — the company projections it needs and the CPU
 * time of each company's projection — the basis of docs/scaling.md.
 */
import { performance } from "node:perf_hooks";
import { join } from "node:path";
import "../index.js";
import { loadSystemFile } from "../system/node.js";
import { simulateSystem } from "../system/simulateSystem.js";
import { compileSystem } from "../system/compile.js";
import { evaluate, createWorkspace } from "../engine/project.js";
import { computeMetrics, metricVector } from "../engine/metrics.js";

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Rows for the bench table: figure, measured, goal, met (null: no goal). */
export async function benchSystem(root: string): Promise<[string, string, string, boolean | null][]> {
  const file = join(root, "models", "system.yaml");
  const loaded = loadSystemFile(file);
  const compiled = compileSystem(loaded);
  const rows: [string, string, string, boolean | null][] = [];
  for (const c of compiled.companies) {
    const ws = createWorkspace(c.compiled);
    for (let i = 0; i < 300; i++) evaluate(c.compiled, c.compiled.baseParams, ws);
    const n = 1000;
    const t0 = cpuMs();
    for (let i = 0; i < n; i++) evaluate(c.compiled, null, ws, []);
    const rerun = ((cpuMs() - t0) * 1000) / n;
    const t1 = cpuMs();
    for (let i = 0; i < n; i++) evaluate(c.compiled, c.compiled.baseParams, ws);
    const full = ((cpuMs() - t1) * 1000) / n;
    const m = metricVector();
    const proj = evaluate(c.compiled, c.compiled.baseParams, ws);
    const t2 = cpuMs();
    for (let i = 0; i < n; i++) computeMetrics(proj, m, c.compiled.params[c.cashFloorSlot]);
    const metrics = ((cpuMs() - t2) * 1000) / n;
    rows.push([`system: ${c.name} projection / rerun without drivers / its metrics (CPU)`, `${full.toFixed(0)} / ${rerun.toFixed(0)} / ${metrics.toFixed(0)} µs`, "", null]);
  }
  const t0 = performance.now();
  const cpu0 = cpuMs();
  const r = await simulateSystem(loaded, { paths: 100_000, seed: 1, threads: "auto" });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = (cpuMs() - cpu0) / 1000;
  rows.push([`burnrate system simulate models/system.yaml -n 100000 (${r.threads} threads)`, `${seconds.toFixed(1)} s`, "< 10 s", seconds < 10]);
  rows.push(["  CPU in all threads, per path; company projections per path", `${((cpu / 100_000) * 1e6).toFixed(0)} µs; ${r.resolution.projectionsPerPath.toFixed(2)}`, "", null]);
  return rows;
}
