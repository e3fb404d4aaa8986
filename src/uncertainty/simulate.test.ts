import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync, existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { loadModelText } from "../model/load.js";
import { compileModel } from "../engine/compile.js";
import { ModelError, UsageError } from "../model/issues.js";
import { simulate } from "./simulate.js";
import { compileUncertainty } from "./spec.js";
import { planSimulation, sampleBlock, blockScratch, runBlocks } from "./paths.js";
import { spearman } from "./math/index.js";
import { RunShape, Aggregate, exactRunChunkSize, exactColumns, writeExactColumns, packForPosting } from "./aggregate.js";
import { runChunk, withoutExactValues } from "./chunks.js";
import { summarize } from "./summary.js";

const root = join(import.meta.dirname, "..", "..");
const file = join("test", "fixtures", "uncertainty", "sim.yaml");
const text = readFileSync(join(root, file), "utf8");
const loaded = () => loadModelText(text, file);

function withUncertain(extra: string): string {
  return text.replace(/uncertain:[\s\S]*$/, extra);
}

describe("burnrate simulate", () => {
  beforeAll(() => {
    // Worker threads run the built JavaScript.
    if (!existsSync(join(root, "dist", "uncertainty", "worker.js"))) execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "ignore" });
  });

  it("gives bit-identical results with 1 and 2 threads for the same seed", async () => {
    const opts = { paths: 5000, seed: 42, blockSize: 512, source: { text, file } };
    const one = await simulate(loaded(), { ...opts, threads: 1 });
    const two = await simulate(loaded(), { ...opts, threads: 2 });
    expect(two.threads).toBe(2);
    expect(JSON.stringify({ ...two, threads: 1 })).toBe(JSON.stringify(one));
  });

  it("gives bit-identical results with 1 and 2 threads when percentiles come from rank sketches", async () => {
    // 600 months reported by month: too many values to keep, so the months are sketched.
    const long = text.replace("months: 24", "months: 600");
    const opts = { paths: 3000, seed: 7, detail: "month" as const };
    const one = await simulate(loadModelText(long, file), { ...opts, threads: 1 });
    const two = await simulate(loadModelText(long, file), { ...opts, threads: 2 });
    // Years and metrics still fit (exact); the bound is stated for the sketched months.
    expect(one.quantiles.method).toBe("exact");
    expect(one.quantiles.monthly?.method).toBe("rank-sketch");
    expect(one.quantiles.monthly!.rankErrorBound).toBeLessThanOrEqual(0.1);
    expect(two.threads).toBe(2);
    expect(JSON.stringify({ ...two, threads: 1 })).toBe(JSON.stringify(one));
  });

  it("gives the same results on workers kept from earlier runs, also after a run stopped midway", async () => {
    // Workers go back to a pool after a run; the next run (another model too) reuses them warm.
    const opts = { paths: 6000, seed: 3, blockSize: 512 };
    const one = await simulate(loaded(), { ...opts, threads: 1 });
    const stopper = new AbortController();
    const stopped = await simulate(loaded(), { ...opts, threads: 2, signal: stopper.signal, onProgress: (done) => done > 0 && stopper.abort() });
    expect(stopped.partial).toBe(true);
    const long = text.replace("months: 24", "months: 60");
    await simulate(loadModelText(long, file), { paths: 3000, seed: 9, threads: 2 });
    for (let round = 0; round < 2; round++) {
      const two = await simulate(loaded(), { ...opts, threads: 2 });
      expect(JSON.stringify({ ...two, threads: 1 })).toBe(JSON.stringify(one));
    }
  });

  it("gives the same results on a kept worker that reuses the model it compiled for an earlier run", async () => {
    // Without a stochastic process a pooled worker keeps its compiled model for the next
    // run of the same model (worker.ts); runs of another model in between compile anew.
    const plain = () => loadModelText(withUncertain("uncertain:\n  price: { path: drivers.price.constant, distribution: normal, mean: 10, sd: 0.3, assumption: test }\n  bigLoss: { path: drivers.shock.constant, distribution: bernoulli, p: 0.25, assumption: test }\n"), file);
    const other = () => loadModelText(withUncertain("uncertain:\n  price: { path: drivers.price.constant, distribution: normal, mean: 11, sd: 0.5, assumption: test }\n"), file);
    const opts = { paths: 5000, seed: 4, blockSize: 512 };
    const one = JSON.stringify(await simulate(plain(), { ...opts, threads: 1 }));
    const otherOne = JSON.stringify(await simulate(other(), { ...opts, threads: 1 }));
    for (let round = 0; round < 3; round++) {
      expect(JSON.stringify({ ...(await simulate(plain(), { ...opts, threads: 2 })), threads: 1 })).toBe(one);
      expect(JSON.stringify({ ...(await simulate(plain(), { ...opts, threads: 2 })), threads: 1 })).toBe(one);
      if (round === 1) expect(JSON.stringify({ ...(await simulate(other(), { ...opts, threads: 2 })), threads: 1 })).toBe(otherOne);
    }
  });

  it("gives the same figures whatever the chunk size when every output is collected exactly, merged in any order", () => {
    const l = loaded();
    const compiled = compileModel(l.model, l.extensions);
    const spec = compileUncertainty(l, compiled);
    const n = 3001;
    const run = (chunkSize: number, reversed: boolean) => {
      const plan = planSimulation(compiled, spec, { seed: 11, lhs: false, blockSize: 1024 });
      const shape = new RunShape(compiled, "month", n, 3, chunkSize);
      expect(shape.summary.exact && shape.detail!.exact).toBe(true);
      const aggregate = new Aggregate(compiled, shape);
      const chunks = Array.from({ length: shape.chunks }, (_, c) => c);
      for (const c of reversed ? chunks.reverse() : chunks) aggregate.add(runChunk(plan, shape, c));
      return JSON.stringify(summarize(aggregate, compiled, spec, { scenario: null, seed: 11, lhs: false, threads: 1, requested: n, partial: false, warnings: [] }));
    };
    const natural = new RunShape(compiled, "month", n, 3).chunkSize;
    expect(exactRunChunkSize(400_000, 16_384)).toBeLessThan(16_384);
    const reference = run(natural, false);
    for (const size of [256, 512, 1024]) expect(run(size, size === 512)).toBe(reference);
  });

  it("gives the same figures when a run rewrites the exact columns an earlier, bigger run of another model left behind", async () => {
    // simulate keeps the last run's columns for the next run of about the same size.
    const opts = { paths: 5000, seed: 21, blockSize: 512, detail: "quarter" as const };
    const l = loaded();
    const compiled = compileModel(l.model, l.extensions);
    const spec = compileUncertainty(l, compiled);
    const plan = planSimulation(compiled, spec, { seed: 21, lhs: false, blockSize: 512 });
    const shape = new RunShape(compiled, "quarter", opts.paths);
    const fresh = new Aggregate(compiled, shape);
    for (let c = 0; c < shape.chunks; c++) fresh.add(runChunk(plan, shape, c));
    const reference = JSON.stringify(summarize(fresh, compiled, spec, { scenario: null, seed: 21, lhs: false, threads: 1, requested: opts.paths, partial: false, warnings: [] }));
    const other = loadModelText(withUncertain("uncertain:\n  price: { path: drivers.price.constant, distribution: normal, mean: 30, sd: 3, assumption: test }\n"), file);
    for (const threads of [1, 2]) {
      await simulate(other, { ...opts, paths: 9000, seed: 5, threads });
      expect(JSON.stringify({ ...(await simulate(loaded(), { ...opts, threads })), threads: 1 })).toBe(reference);
    }
  });

  it("gives the same figures when the threads write their chunks' exact values into shared columns themselves", () => {
    // As a worker does (worker.ts): it writes a chunk's values in place and posts the rest.
    const l = loaded();
    const compiled = compileModel(l.model, l.extensions);
    const spec = compileUncertainty(l, compiled);
    const n = 2500;
    const run = (inPlace: (chunk: number) => boolean) => {
      const plan = planSimulation(compiled, spec, { seed: 12, lhs: false, blockSize: 1024 });
      const shape = new RunShape(compiled, "quarter", n, 2, 256);
      expect(shape.allExact).toBe(true);
      const buffer = new SharedArrayBuffer(shape.exactBytes);
      const aggregate = new Aggregate(compiled, shape, buffer);
      // Another thread's views of the same memory.
      const columns = exactColumns(shape, buffer);
      for (let c = shape.chunks - 1; c >= 0; c--) {
        const r = runChunk(plan, shape, c);
        if (!inPlace(c)) aggregate.add(r);
        else {
          writeExactColumns(r, columns);
          aggregate.add(withoutExactValues(r));
        }
      }
      return JSON.stringify(summarize(aggregate, compiled, spec, { scenario: null, seed: 12, lhs: false, threads: 1, requested: n, partial: false, warnings: [] }));
    };
    const plan = planSimulation(compiled, spec, { seed: 12, lhs: false, blockSize: 1024 });
    const shape = new RunShape(compiled, "quarter", n, 2, 256);
    const plainAggregate = new Aggregate(compiled, shape);
    for (let c = 0; c < shape.chunks; c++) plainAggregate.add(runChunk(plan, shape, c));
    const reference = JSON.stringify(summarize(plainAggregate, compiled, spec, { scenario: null, seed: 12, lhs: false, threads: 1, requested: n, partial: false, warnings: [] }));
    expect(run(() => false)).toBe(reference);
    expect(run((c) => c % 2 === 1)).toBe(reference);
    expect(run(() => true)).toBe(reference);
  });

  it("gives the same figures from packed chunk results (as workers post them) and from one buffer collecting chunk after chunk, in any order", () => {
    // 600 months by month: the years are exact, the months sketched, so both kinds of column are packed.
    const long = loadModelText(text.replace("months: 24", "months: 600"), file);
    const compiled = compileModel(long.model, long.extensions);
    const spec = compileUncertainty(long, compiled);
    const n = 3000;
    const plan = planSimulation(compiled, spec, { seed: 13, lhs: false, blockSize: 512 });
    const shape = new RunShape(compiled, "month", n, 2, 256);
    expect([shape.summary.exact, shape.detail!.exact]).toEqual([true, false]);
    const figures = (aggregate: Aggregate) => JSON.stringify(summarize(aggregate, compiled, spec, { scenario: null, seed: 13, lhs: false, threads: 1, requested: n, partial: false, warnings: [] }));
    const reference = new Aggregate(compiled, shape);
    for (let c = 0; c < shape.chunks; c++) reference.add(runChunk(plan, shape, c));
    const expected = figures(reference);
    // Chunks that arrive early must wait for the sketches: the aggregate keeps their runs, not the buffer.
    const order = [3, 1, 0, 2, 7, 4, 5, 6, 11, 8, 10, 9];
    expect(order.length).toBe(shape.chunks);
    const packed = new Aggregate(compiled, shape);
    for (const c of order) packed.add(packForPosting(runChunk(plan, shape, c), shape));
    expect(figures(packed)).toBe(expected);
    const reused = new Aggregate(compiled, shape);
    let buffer: Float64Array | undefined;
    for (const c of order) {
      const r = runChunk(plan, shape, c, undefined, undefined, buffer);
      if (buffer?.length === r.values.length) expect(r.values).toBe(buffer);
      reused.add(r);
      buffer = r.values;
    }
    expect(figures(reused)).toBe(expected);
  });

  it("is reproducible for a seed and changes with the seed", async () => {
    const a = await simulate(loaded(), { paths: 2000, seed: 1 });
    const b = await simulate(loaded(), { paths: 2000, seed: 1 });
    const c = await simulate(loaded(), { paths: 2000, seed: 2 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  it("counts the odds of running out of cash from the paths (a 25% event that empties the till)", async () => {
    // Without the loss, cash never runs out (80 of cash, at worst about −2.4 a month); with it, it does in June 2025.
    const r = await simulate(loaded(), { paths: 8000, seed: 5 });
    expect(r.quantiles.method).toBe("exact");
    expect(r.probabilities.cashOut).toBeGreaterThan(0.22);
    expect(r.probabilities.cashOut).toBeLessThan(0.28);
    expect(r.cashOutMonth.every((m) => m.period === "2025-06" || m.period > "2025-06")).toBe(true);
    expect(r.probabilities.cashOutByYear.find((y) => y.year === 2024)).toBeUndefined();
    // The funding gap quantiles are ordered, and p50 is 0 on a model that mostly survives.
    expect(r.fundingGap.p95!).toBeGreaterThanOrEqual(r.fundingGap.p90!);
    expect(r.fundingGap.p90!).toBeGreaterThanOrEqual(r.fundingGap.p50!);
  });

  it("reports percentiles in order and the mean for every month", async () => {
    const r = await simulate(loaded(), { paths: 3000, seed: 9 });
    for (const m of r.months) {
      const d = m.revenue;
      expect(d.p5!).toBeLessThanOrEqual(d.p25!);
      expect(d.p25!).toBeLessThanOrEqual(d.p50!);
      expect(d.p50!).toBeLessThanOrEqual(d.p95!);
    }
    // Revenue = price × volume with E[price] = 10, E[volume] = 1, ρ > 0: mean a little above 10.
    expect(r.months[0].revenue.mean!).toBeGreaterThan(10.0);
    expect(r.months[0].revenue.mean!).toBeLessThan(10.05);
  });

  it("says how percentiles were computed: exact while every value fits, a rank sketch with its bound beyond", async () => {
    const small = await simulate(loaded(), { paths: 3000, seed: 3, detail: "month" });
    expect(small.quantiles).toMatchObject({ method: "exact", rankErrorBound: 0 });
    expect(small.months).toHaveLength(24);
    const yearly = await simulate(loaded(), { paths: 300, seed: 3, detail: "year" });
    expect(yearly.months).toEqual([]);
    expect(yearly.years).toHaveLength(2);
  });

  describe("by fiscal quarter (detail quarter)", () => {
    // A monthly random walk on the price, so that a quarter's revenue is not three times a month's.
    const walk = withUncertain("uncertain:\n  walk: { driver: price, process: randomWalk, sigma: 0.5, assumption: test }\n  bigLoss: { path: drivers.shock.constant, distribution: bernoulli, p: 0.25, assumption: test }\n");
    const lowerQuantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))];

    it("takes each quarter's percentiles over the paths' own quarter totals and quarter-end balances", async () => {
      const n = 400;
      const r = await simulate(loadModelText(walk, file), { paths: n, seed: 8, detail: "quarter", keepPaths: n });
      expect(r.detail).toBe("quarter");
      expect(r.months).toEqual([]);
      expect(r.quarters.map((q) => q.period)).toEqual(["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]);
      expect(r.quantiles).toMatchObject({ method: "exact" });
      r.quarters.forEach((quarter, p) => {
        const months = [3 * p, 3 * p + 1, 3 * p + 2];
        const flows = r.keptPaths.map((k) => months.reduce((sum, t) => sum + k.series.revenue[t], 0));
        const balances = r.keptPaths.map((k) => k.series.endingCash[months[2]]);
        for (const [q, key] of [[0.05, "p5"], [0.5, "p50"], [0.95, "p95"]] as const) {
          expect(quarter.revenue[key], `${quarter.period} revenue ${key}`).toBe(lowerQuantile(flows, q));
          expect(quarter.endingCash[key], `${quarter.period} cash ${key}`).toBe(lowerQuantile(balances, q));
        }
        expect(quarter.revenue.mean!).toBeCloseTo(flows.reduce((a, b) => a + b, 0) / n, 9);
      });
      // Not the sum of the months' percentiles: the walk's months partly offset one another within a quarter.
      const monthly = await simulate(loadModelText(walk, file), { paths: n, seed: 8, detail: "month" });
      const summedP5 = monthly.months.slice(3, 6).reduce((sum, m) => sum + m.revenue.p5!, 0);
      expect(r.quarters[1].revenue.p5!).toBeGreaterThan(summedP5);
      // Same paths: the quarter-end balance is the quarter's last month, and the years do not move with the detail.
      expect(r.quarters[1].endingCash).toEqual(monthly.months[5].endingCash);
      const yearly = await simulate(loadModelText(walk, file), { paths: n, seed: 8, detail: "year" });
      expect(JSON.stringify(r.years)).toBe(JSON.stringify(yearly.years));
      expect(JSON.stringify(monthly.years)).toBe(JSON.stringify(yearly.years));
      expect(JSON.stringify(r.metrics)).toBe(JSON.stringify(yearly.metrics));
    });

    it("follows the fiscal calendar: a horizon starting inside a quarter has a short first quarter, labelled as run labels it", async () => {
      const shifted = walk.replace("start: 2025-01, months: 24", "start: 2025-02, months: 24, fiscalYearStart: 7");
      const loaded = loadModelText(shifted, file);
      const r = await simulate(loaded, { paths: 300, seed: 2, detail: "quarter", keepPaths: 300 });
      const { projectModel } = await import("../projectModel.js");
      expect(r.quarters.map((q) => q.period)).toEqual(projectModel(loaded).quarters.map((q) => q.period));
      expect(r.quarters[0].period).toBe("2025-Q3"); // Feb–Mar 2025: the third quarter of fiscal 2025 (July–June)
      // The short first quarter sums its two months only.
      const flows = r.keptPaths.map((k) => k.series.revenue[0] + k.series.revenue[1]);
      expect(r.quarters[0].revenue.p50).toBe(lowerQuantile(flows, 0.5));
    });

    it("gives bit-identical results with 1 and 2 threads, exact and from rank sketches", async () => {
      const exact = { paths: 2000, seed: 5, detail: "quarter" as const };
      const a1 = await simulate(loadModelText(walk, file), { ...exact, threads: 1 });
      const a2 = await simulate(loadModelText(walk, file), { ...exact, threads: 2 });
      expect(a1.quantiles.method).toBe("exact");
      expect(JSON.stringify({ ...a2, threads: 1 })).toBe(JSON.stringify(a1));
      // 200 quarters × 5 series × 9,000 paths do not fit the exact budget: the quarters are sketched, with their bound stated.
      const long = walk.replace("months: 24", "months: 600");
      const sketched = { paths: 9000, seed: 7, detail: "quarter" as const };
      const b1 = await simulate(loadModelText(long, file), { ...sketched, threads: 1 });
      const b2 = await simulate(loadModelText(long, file), { ...sketched, threads: 2 });
      expect(b1.quantiles.method).toBe("exact");
      expect(b1.quantiles.quarterly?.method).toBe("rank-sketch");
      expect(b1.quantiles.quarterly!.rankErrorBound).toBeLessThanOrEqual(0.1);
      expect(b1.quantiles.monthly).toBeUndefined();
      expect(b1.quarters).toHaveLength(200);
      expect(JSON.stringify({ ...b2, threads: 1 })).toBe(JSON.stringify(b1));
    });
  });

  it("keeps the first K paths for fan charts", async () => {
    const r = await simulate(loaded(), { paths: 1000, seed: 3, keepPaths: 3 });
    expect(r.keptPaths.map((p) => p.path)).toEqual([0, 1, 2]);
    expect(r.keptPaths[0].series.endingCash).toHaveLength(24);
  });

  it("imposes the rank correlation and, with --lhs, one sample per stratum", () => {
    const l = loadModelText(text, file);
    const c = compileModel(l.model, l.extensions);
    const spec = compileUncertainty(l, c);
    const plan = planSimulation(c, spec, { seed: 11, lhs: true, blockSize: 1000 });
    const values = sampleBlock(plan, 0, 1000, blockScratch(plan));
    const volume = Array.from(values.subarray(1000, 2000));
    const strata = new Set(volume.map((v) => Math.floor(((v - 0.95) / 0.1) * 1000)));
    expect(strata.size).toBe(1000);
    const rho = spearman(values.subarray(0, 1000), values.subarray(1000, 2000));
    expect(Math.abs(rho - 0.7)).toBeLessThan(0.03);
  });

  it("rejects bad requests with clear errors", async () => {
    await expect(simulate(loaded(), { paths: 0 })).rejects.toThrow(/-n must be a whole number of paths ≥ 1/);
    await expect(simulate(loaded(), { paths: 1e9 })).rejects.toThrow(/more than 100,000,000 paths/);
    await expect(simulate(loaded(), { paths: 10, seed: -1 })).rejects.toBeInstanceOf(UsageError);
    const none = loadModelText(withUncertain(""), file);
    await expect(simulate(none, { paths: 10 })).rejects.toThrow(/no uncertain inputs/);
  });

  it("points at bad uncertain inputs in the file", async () => {
    const cases: [string, RegExp][] = [
      ["uncertain:\n  x: { path: drivers.prise.constant, distribution: normal, mean: 1, sd: 1 }\n", /sim\.yaml:\d+:\d+: no input at drivers\.prise\.constant — did you mean "drivers\.price\.constant"\?/],
      ["uncertain:\n  x: { path: drivers.price.constant, distribution: normal, mean: 1, sd: -1 }\n", /sim\.yaml:\d+:\d+: .*sd/],
      ["uncertain:\n  x: { path: drivers.price.constant, distribution: lognormal, p10: 12, p90: 8 }\n", /sim\.yaml:\d+:\d+: the P10 value \(12\) must be less than the P90 value \(8\) \(at uncertain\.x\.p10\)/],
      ["uncertain:\n  x: { path: drivers.price.constant, distribution: normal, mean: 1, sd: 1 }\n  y: { path: drivers.volume.constant, distribution: normal, mean: 1, sd: 1 }\ncorrelation:\n  inputs: [x, y]\n  matrix: [[1, 0.5], [0.4, 1]]\n", /sim\.yaml:\d+:\d+: entry \(1,2\) differs from \(2,1\)/],
      ["uncertain:\n  x: { path: drivers.price.constant, distribution: normal, mean: 1, sd: 1 }\n  y: { path: drivers.volume.constant, distribution: normal, mean: 1, sd: 1 }\ncorrelation:\n  inputs: [x, y]\n  matrix: [[1, 1.5], [1.5, 1]]\n", /outside −1…1/],
      ["uncertain:\n  x: { path: drivers.price.constant, distribution: normal, mean: 1, sd: 1 }\n  y: { path: drivers.volume.constant, distribution: normal, mean: 1, sd: 1 }\ncorrelation:\n  inputs: [x, z]\n  matrix: [[1, 0.5], [0.5, 1]]\n", /"z" is not an uncertain input/],
      ["uncertain:\n  w: { driver: rates, process: gbm, sigma: 0.1 }\n", /unknown driver "rates" — did you mean "rate"\?/],
    ];
    for (const [section, pattern] of cases) {
      const l = loadModelText(withUncertain(section), file);
      try {
        compileUncertainty(l, compileModel(l.model, l.extensions));
        throw new Error(`accepted: ${section}`);
      } catch (error) {
        expect(error, section).toBeInstanceOf(ModelError);
        expect((error as ModelError).message, section).toMatch(pattern);
      }
    }
  });

  it("repairs a correlation matrix that is not positive semidefinite, with a warning", async () => {
    const section = "uncertain:\n  a: { path: drivers.price.constant, distribution: normal, mean: 10, sd: 1 }\n  b: { path: drivers.volume.constant, distribution: uniform, min: 0.8, max: 1.2 }\n  c: { path: drivers.rate.constant, distribution: uniform, min: 0.01, max: 0.1 }\ncorrelation:\n  inputs: [a, b, c]\n  matrix: [[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]]\n";
    const l = loadModelText(withUncertain(section), file);
    const r = await simulate(l, { paths: 500, seed: 1 });
    expect(r.warnings.join("\n")).toMatch(/not positive semidefinite.*entries moved: \(/);
  });

  it("moves every input listed under one path list by the same sample", () => {
    const section = "uncertain:\n  shared: { path: [drivers.price.constant, drivers.volume.constant], distribution: uniform, min: 2, max: 3, apply: multiply, assumption: test }\n";
    const l = loadModelText(withUncertain(section), file);
    const c = compileModel(l.model, l.extensions);
    const spec = compileUncertainty(l, c);
    expect(spec.inputs[0].targets.map((t) => t.path)).toEqual(["drivers.price.constant", "drivers.volume.constant"]);
    const plan = planSimulation(c, spec, { seed: 3, lhs: false, blockSize: 64 });
    let checked = 0;
    runBlocks(plan, 64, 0, 1, () => {
      const factor = c.params[spec.inputs[0].slot] / 10;
      expect(c.params[spec.inputs[0].targets[1].slot]).toBeCloseTo(factor, 12);
      checked++;
    });
    expect(checked).toBe(64);
  });

  it("starts a process in its `from` month and leaves earlier months alone", () => {
    const section = "uncertain:\n  walk: { driver: price, process: randomWalk, sigma: 1, from: 2025-07, assumption: test }\n";
    const l = loadModelText(withUncertain(section), file);
    const c = compileModel(l.model, l.extensions);
    const plan = planSimulation(c, compileUncertainty(l, c), { seed: 3, lhs: false, blockSize: 16 });
    let moved = 0;
    runBlocks(plan, 16, 0, 1, (_, proj) => {
      for (let t = 0; t < 6; t++) expect(proj.items.revenue[t]).toBe(10);
      if (proj.items.revenue[6] !== 10) moved++;
    });
    expect(moved).toBe(16);
  });
});
