/**
 * System benchmark: `burnrate system simulate models/system.yaml -n 100000` as the CLI runs it
 * (threads: auto), and what one path costs — the company projections it needs and the CPU
 * time of each company's projection — the basis of docs/scaling.md.
 */
import { commandTimes, median } from "./command.js";
import { join } from "node:path";
import "../index.js";
import { loadSystemFile } from "../system/node.js";
import { simulateSystem } from "../system/simulateSystem.js";
import { compileSystem } from "../system/compile.js";
import { planSystemSimulation, runSystemChunk } from "../system/simulate.js";
import { SystemRunShape } from "../system/aggregate.js";
import { blockScratch } from "../uncertainty/paths.js";
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
    const time = (f: () => void): number => {
      for (let i = 0; i < 100; i++) f();
      const t0 = cpuMs();
      for (let i = 0; i < n; i++) f();
      return ((cpuMs() - t0) * 1000) / n;
    };
    const full = time(() => evaluate(c.compiled, c.compiled.baseParams, ws));
    // An attribution rerun (system/resolve.ts): drivers and fleet kept, no report series; all
    // of the month loop, or only the lines when the cash-out month is already known.
    const again = { sameFleet: true, skipReportSeries: true } as const;
    const rerun = time(() => evaluate(c.compiled, null, ws, [], { ...again, stopAfter: "statements" }));
    const lines = time(() => evaluate(c.compiled, null, ws, [], { ...again, stopAfter: "lines" }));
    const m = metricVector();
    const proj = evaluate(c.compiled, c.compiled.baseParams, ws);
    const metrics = time(() => computeMetrics(proj, m, c.compiled.params[c.cashFloorSlot]));
    rows.push([`system: ${c.name} projection / rerun / rerun of lines only / its metrics (CPU)`, `${full.toFixed(0)} / ${rerun.toFixed(0)} / ${lines.toFixed(0)} / ${metrics.toFixed(0)} µs`, "", null]);
  }
  // CPU per path in one thread, away from start-up and threads: chunks of a 4,000-path run.
  {
    const plan = planSystemSimulation(loaded, { seed: 1 }, compiled);
    const shape = new SystemRunShape(plan.system, "year", 4000, 0);
    const scratch = blockScratch(plan.sampling);
    runSystemChunk(plan, shape, 0, scratch);
    const t0 = cpuMs();
    let evaluations = 0;
    let paths = 0;
    for (let chunk = 1; chunk < shape.chunks; chunk++) {
      const r = runSystemChunk(plan, shape, chunk, scratch);
      evaluations += r.counts.evaluations;
      paths += r.count;
    }
    rows.push(["system: CPU per path in one thread (a 4,000-path run after its first chunk); projections per path", `${(((cpuMs() - t0) * 1000) / paths).toFixed(0)} µs; ${(evaluations / paths).toFixed(2)}`, "≤ 190 µs", null]);
  }
  // The command itself, as a user runs it (start-up, reading the files, the worker, the
  // summary), in its own process: median of three, the host's spread beside it.
  const runs = commandTimes(["system", "simulate", "models/system.yaml", "-n", "100000"], 3, true, 0).map((ms) => ms / 1000);
  const seconds = median(runs);
  rows.push([`burnrate system simulate models/system.yaml -n 100000, whole process (median of 3: ${runs.map((x) => x.toFixed(1)).join(", ")} s)`, `${seconds.toFixed(1)} s`, "< 10 s", seconds < 10]);
  // CPU in all threads, in this process (which has run other models: a little slower than the command's).
  const cpu0 = cpuMs();
  const r = await simulateSystem(loaded, { paths: 100_000, seed: 1, threads: "auto" });
  const cpu = (cpuMs() - cpu0) / 1000;
  rows.push([`  CPU in all ${r.threads} threads per path, in process; company projections per path`, `${((cpu / 100_000) * 1e6).toFixed(0)} µs; ${r.resolution.projectionsPerPath.toFixed(2)}`, "", null]);
  return rows;
}
