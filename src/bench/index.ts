/**
 * `npm run bench`: measures the engine, Monte Carlo and the command line, and prints each
 * figure next to its goal. Figures, not assertions: machines differ and are noisy (the
 * load average is printed first); compare medians on the same machine.
 */
import { performance } from "node:perf_hooks";
import { statSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { loadModelText } from "../model/load.js";
import { compileModel } from "../engine/compile.js";
import { evaluate } from "../engine/project.js";
import { computeMetrics, metricVector } from "../engine/metrics.js";
import { benchModelText } from "./benchModel.js";
import { loadModelFile } from "../node/loadFile.js";
import { commandMs, median } from "./command.js";
import { simulationBenchText, sampledInputs, timeHandLoop, timeThreads, millionPaths, warmUpSimulation } from "./simulation.js";

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

/**
 * A real model whose cash earns interest (models/coreweave.yaml, 14 tranches): one
 * evaluation, and one evaluation with its metrics — the funding gap re-runs the month
 * loop there. Medians of batches of 100.
 */
export function benchCoreWeave(): { evaluateUs: number; withMetricsUs: number; months: number; tranches: number } {
  const loaded = loadModelFile(fileURLToPath(new URL("../../models/coreweave.yaml", import.meta.url)));
  const compiled = compileModel(loaded.model, loaded.extensions);
  const metrics = metricVector();
  const floor = compiled.params[compiled.slots.cashFloor];
  for (let i = 0; i < 1000; i++) computeMetrics(evaluate(compiled), metrics, floor); // warm up the JIT
  const time = (withMetrics: boolean) => {
    const batches: number[] = [];
    for (let b = 0; b < 15; b++) {
      const n = 100;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const proj = evaluate(compiled);
        if (withMetrics) computeMetrics(proj, metrics, floor);
      }
      batches.push(((performance.now() - t0) / n) * 1000);
    }
    return median(batches);
  };
  return { evaluateUs: time(false), withMetricsUs: time(true), months: compiled.months, tranches: compiled.tranches.length };
}

/** Which build bin/burnrate.cjs starts (it takes the bundle while it is newer than tsc's output). */
function cliEntry(): string {
  const mtime = (path: string) => statSync(fileURLToPath(new URL(path, import.meta.url)), { throwIfNoEntry: false })?.mtimeMs;
  const bundle = mtime("../cli-bundle/main.cjs");
  const tsc = mtime("../cli/main.js");
  return bundle !== undefined && tsc !== undefined && bundle >= tsc ? "the bundle (dist/cli-bundle)" : "tsc's files (dist/cli; the bundle is missing or older: npm run build)";
}

type Row = [figure: string, measured: string, goal: string, met: boolean | null];

function printTable(rows: Row[]): void {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const w2 = Math.max(...rows.map((r) => r[2].length));
  console.log(`${"figure".padEnd(w0)}  ${"measured".padStart(w1)}  ${"goal".padEnd(w2)}  met`);
  console.log(`${"-".repeat(w0)}  ${"-".repeat(w1)}  ${"-".repeat(w2)}  ---`);
  for (const [a, b, c, d] of rows) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c.padEnd(w2)}  ${d === null ? "" : d ? "yes" : "NO"}`);
}

const s = (x: number) => `${x.toFixed(2)} s`;

async function main(): Promise<void> {
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
  const want = (part: string) => !only || only.includes(part);
  console.log(`burnrate bench — Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(2)).join(" ")} (busy machines give slower, noisier figures)`);
  const rows: Row[] = [];
  if (want("engine")) {
    const e = benchEngine();
    rows.push([`load + compile, ${e.months}-month model with ${e.lines} lines (median of 30)`, `${e.loadCompileMs.toFixed(1)} ms`, "≤ 20 ms", e.loadCompileMs <= 20]);
    rows.push(["one projection + metrics after compile (median)", `${(e.projectMs * 1000).toFixed(0)} µs`, "≤ 150 µs", e.projectMs * 1000 <= 150]);
    const cw = benchCoreWeave();
    rows.push([`CoreWeave (${cw.months} months, ${cw.tranches} tranches): one projection (median)`, `${cw.evaluateUs.toFixed(0)} µs`, "", null]);
    rows.push(["  + metrics with the funding gap (cash earns interest)", `${cw.withMetricsUs.toFixed(0)} µs`, `(+${((cw.withMetricsUs / cw.evaluateUs - 1) * 100).toFixed(0)} %)`, null]);
  }
  if (want("simulation")) {
    const n = 100_000;
    const text = simulationBenchText();
    const samples = sampledInputs(text, n, 1);
    timeHandLoop(samples.subarray(0, 10 * 4096), 4096); // warm up
    await warmUpSimulation();
    const hand = timeHandLoop(samples, n);
    const { one, two } = await timeThreads(n, 3);
    rows.push(["hand-written Float64Array loop, 100k paths, 1 thread", `${s(hand)}`, `(${((hand / n) * 1e6).toFixed(1)} µs/path)`, null]);
    rows.push(["burnrate simulate, 100k paths, 1 thread (median of 3)", `${s(one.seconds)}`, `(${((one.seconds / n) * 1e6).toFixed(1)} µs/path)`, null]);
    rows.push(["  ÷ hand-written loop", `${(one.seconds / hand).toFixed(2)}×`, "≤ 3×", one.seconds / hand <= 3]);
    rows.push(["burnrate simulate, 100k paths, 2 threads (median of 3, alternating with 1)", `${s(two.seconds)}`, "≤ 0.5 s", two.seconds <= 0.5]);
    rows.push(["  ÷ hand-written loop (1 thread)", `${(two.seconds / hand).toFixed(2)}×`, "≤ 0.5×", two.seconds / hand <= 0.5]);
    rows.push(["  speed-up, 2 threads over 1", `${(one.seconds / two.seconds).toFixed(2)}×`, "≥ 1.85×", one.seconds / two.seconds >= 1.85]);
    const q = one.result.quantiles;
    rows.push(["percentiles at 100k paths", q.method, `rank within ±${q.rankErrorBound} percentile points (goal ≤ 0.1)`, q.rankErrorBound <= 0.1]);
    const statistics = (r: typeof one.result) => JSON.stringify([r.quantiles, r.years, r.months, r.metrics, r.probabilities, r.cashOutMonth, r.fundingGap]);
    const same = statistics(one.result) === statistics(two.result);
    rows.push(["  1 and 2 threads give the same statistics", same ? "same" : "DIFFERENT", "bit-identical", same]);
  }
  if (want("million")) {
    const m = millionPaths();
    if ("error" in m) rows.push(["1M paths, 2 threads", "failed", m.error.split("\n")[0], false]);
    else {
      rows.push(["1M paths, 2 threads (own process)", s(m.seconds), "≤ 5 s", m.seconds <= 5]);
      rows.push(["  peak RSS", `${m.maxRssMb.toFixed(0)} MB`, "≤ 250 MB", m.maxRssMb <= 250]);
      rows.push(["percentiles at 1M paths", m.method, `rank within ±${m.rankErrorBound} percentile points (goal ≤ 0.1)`, m.rankErrorBound <= 0.1]);
    }
  }
  if (want("cli")) {
    const node = commandMs(["-e", "0"], 10, false);
    const help = commandMs(["--help"]);
    const run = commandMs(["run", "models/xai.yaml"]);
    const coreweave = commandMs(["run", "models/coreweave.yaml"]);
    rows.push([`command line from ${cliEntry()}`, "", "", null]);
    rows.push(["node -e 0, whole process (median of 10: what any command pays)", `${node.toFixed(0)} ms`, "", null]);
    rows.push(["burnrate --help, whole process (median of 10)", `${help.toFixed(0)} ms`, "≤ 150 ms", help <= 150]);
    rows.push(["burnrate run models/xai.yaml, whole process (median of 10)", `${run.toFixed(0)} ms`, "≤ 400 ms", run <= 400]);
    rows.push(["burnrate run models/coreweave.yaml, whole process (median of 10)", `${coreweave.toFixed(0)} ms`, "", null]);
  }
  if (want("system")) rows.push(...(await (await import("./system.js")).benchSystem(fileURLToPath(new URL("../..", import.meta.url)))));
  printTable(rows);
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
