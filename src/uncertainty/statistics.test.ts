import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadModelText } from "../model/load.js";
import { compileModel } from "../engine/compile.js";
import { compileUncertainty } from "./spec.js";
import { simulate } from "./simulate.js";
import { sensitivity } from "./sensitivity.js";
import { parseMetricSelector } from "./metricSelector.js";
import { Aggregate, RunShape, columnStatistics } from "./aggregate.js";
import { RandomStream } from "./math/rng.js";
import { normalQuantile } from "./math/special.js";

const root = join(import.meta.dirname, "..", "..");
const file = join("test", "fixtures", "uncertainty", "sim.yaml");
const text = readFileSync(join(root, file), "utf8");

describe("one set of statistics for one run", () => {
  it("simulate and sensitivity --global print the same mean and percentiles for the same model, seed and paths", async () => {
    const loaded = loadModelText(text, file);
    const n = 3000;
    const sim = await simulate(loaded, { paths: n, seed: 8, detail: "year", threads: 2 });
    const compiled = compileModel(loaded.model, loaded.extensions);
    const spec = compileUncertainty(loaded, compiled);
    const cases: [string, { mean: number | null; p10: number | null; p50: number | null; p90: number | null }][] = [
      ["fundingGap", sim.metrics.fundingGap],
      ["minCash", sim.metrics.minCash],
      ["endingCash", sim.metrics.endingCash],
      ["cumulativeBurn", sim.metrics.cumulativeBurn],
      ["revenue@2025", sim.years[0].revenue],
      ["netIncome@2026", sim.years[1].netIncome],
      ["endingCash@2025", sim.years[0].endingCash],
    ];
    for (const [metric, expected] of cases) {
      const report = sensitivity(loaded, compiled, spec, parseMetricSelector(metric, compiled), { global: { n, seed: 8 } });
      expect(report.global!.summary, metric).toEqual({ mean: expected.mean, p10: expected.p10, p50: expected.p50, p90: expected.p90 });
    }
    // Mean and median agree with each other and with the spread: no "mean below p5".
    const gap = sim.metrics.minCash;
    expect(gap.mean!).toBeGreaterThanOrEqual(gap.p5!);
    expect(gap.mean!).toBeLessThanOrEqual(gap.p95!);
  });

  it("computes the same statistics from a sketch whether the values come in chunk results (simulate) or all at once (sensitivity)", () => {
    // 600 months: fifty fiscal years of five series, too many values to keep for 100,000 paths.
    const loaded = loadModelText(text.replace("months: 24", "months: 600"), file);
    const compiled = compileModel(loaded.model, loaded.extensions);
    const n = 100_000;
    const shape = new RunShape(compiled, "year", n);
    expect(shape.summary.exact).toBe(false);
    const aggregate = new Aggregate(compiled, shape);
    const values = new Float64Array(n);
    const r = new RandomStream(3, 0);
    for (let i = 0; i < n; i++) values[i] = i % 97 === 0 ? NaN : i % 5 === 0 ? 1000 : 1000 + 300 * normalQuantile(r.nextUniform());
    const column = shape.layout.metricColumn(0);
    // Chunks arrive out of order, as from two threads.
    const order = Array.from({ length: shape.chunks }, (_, c) => c).sort((a, b) => ((a * 7919) % 13) - ((b * 7919) % 13) || a - b);
    for (const chunk of order) {
      const collector = shape.collector(chunk);
      collector.values.set(values.subarray(collector.start, collector.start + collector.count), column * collector.count);
      aggregate.add(shape.finish(collector));
    }
    const qs = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95];
    const fromChunks = aggregate.statistics(column);
    const direct = columnStatistics(values, n, shape.summary);
    expect(fromChunks.quantiles(qs)).toEqual(direct.quantiles(qs));
    expect(fromChunks.mean).toBe(direct.mean);
    expect(fromChunks.count).toBe(direct.count);
    expect(fromChunks.nonFinite).toBe(Math.ceil(n / 97));
    // Within 0.1 percentile points of the exact ranks.
    const sorted = values.filter((v) => v === v).sort();
    const slack = Math.ceil(0.001 * sorted.length);
    qs.forEach((q, i) => {
      const k = Math.floor(q * (sorted.length - 1));
      expect(fromChunks.quantiles(qs)[i]).toBeGreaterThanOrEqual(sorted[Math.max(0, k - slack)]);
      expect(fromChunks.quantiles(qs)[i]).toBeLessThanOrEqual(sorted[Math.min(sorted.length - 1, k + slack)]);
    });
    expect(aggregate.rankError(false)).toBeLessThan(0.001);
  });
});
