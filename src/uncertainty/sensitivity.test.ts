import { describe, it, expect } from "vitest";
import { fileURLToPath } from "node:url";
import { loadModelFile } from "../node/loadFile.js";
import { compileModel } from "../engine/compile.js";
import { UsageError } from "../model/issues.js";
import { compileUncertainty } from "./spec.js";
import { parseMetricSelector } from "./metricSelector.js";
import { sensitivity, globalSensitivity, type SensitivityOptions } from "./sensitivity.js";

const fixture = (name: string) => fileURLToPath(new URL(`../../test/fixtures/uncertainty/${name}`, import.meta.url));

function run(name: string, metric: string, options: SensitivityOptions = {}, scenario?: string) {
  const loaded = loadModelFile(fixture(name), { scenario });
  const compiled = compileModel(loaded.model, loaded.extensions);
  const spec = compileUncertainty(loaded, compiled);
  return sensitivity(loaded, compiled, spec, parseMetricSelector(metric, compiled), options);
}

/**
 * sens-linear.yaml: endingCash = 50 + 12·price − 12·staff + raise, with price ~ U(8, 12),
 * staff ~ U(4, 6), raise ~ U(0, 20) and a valuation ~ U(100, 200) that moves nothing.
 * p10/p90 of U(a, b) are a + 0.1(b − a) and a + 0.9(b − a), so the swings are
 * 12 × 3.2 = 38.4, 12 × 1.6 = 19.2, 16 and 0.
 */
describe("tornado on a model linear in its inputs", () => {
  const r = run("sens-linear.yaml", "endingCash");

  it("ranks the inputs by swing, largest first", () => {
    expect(r.tornado.map((t) => t.input)).toEqual(["price", "staff", "raise", "valuation"]);
  });

  it("gives the exact swings and end values", () => {
    const by = Object.fromEntries(r.tornado.map((t) => [t.input, t]));
    expect(by.price.swing).toBeCloseTo(38.4, 9);
    expect(by.staff.swing).toBeCloseTo(19.2, 9);
    expect(by.raise.swing).toBeCloseTo(16, 9);
    expect(by.valuation.swing).toBeCloseTo(0, 12);
    expect(by.price.lowInput).toBeCloseTo(8.4, 12);
    expect(by.price.highInput).toBeCloseTo(11.6, 12);
    expect(by.price.metricAtLow).toBeCloseTo(100.8, 9);
    expect(by.price.metricAtHigh).toBeCloseTo(139.2, 9);
    // More staff cost, less cash: the high quantile gives the low metric.
    expect(by.staff.metricAtLow).toBeCloseTo(129.6, 9);
    expect(by.staff.metricAtHigh).toBeCloseTo(110.4, 9);
  });

  it("centres on every input at its median, and reports the model as written apart", () => {
    expect(r.baseValue).toBeCloseTo(120, 9); // 50 + 120 − 60 + 10
    expect(r.modelValue).toBeCloseTo(108, 9); // price 9 as written
  });

  it("swings between other quantiles when asked", () => {
    const wide = run("sens-linear.yaml", "endingCash", { at: [0.05, 0.95] });
    expect(wide.tornado[0].swing).toBeCloseTo(12 * 3.6, 9);
    expect(wide.at).toEqual([0.05, 0.95]);
  });

  it("refuses quantiles out of order or out of range", () => {
    expect(() => run("sens-linear.yaml", "endingCash", { at: [0.9, 0.1] })).toThrow(/lower quantile first/);
    expect(() => run("sens-linear.yaml", "endingCash", { at: [0, 0.9] })).toThrow(/strictly between p0 and p100/);
  });
});

describe("spider", () => {
  it("moves each input's median value by −30 % … +30 %", () => {
    const r = run("sens-linear.yaml", "endingCash");
    const points = (name: string) => r.spider.rows.find((row) => row.input === name)!.points.map((p) => p.metric as number);
    // price median 10: 50 + 12·10·(1 + k) − 60 + 10
    [84, 96, 108, 120, 132, 144, 156].forEach((v, i) => expect(points("price")[i]).toBeCloseTo(v, 9));
    [138, 132, 126, 120, 114, 108, 102].forEach((v, i) => expect(points("staff")[i]).toBeCloseTo(v, 9));
    [117, 118, 119, 120, 121, 122, 123].forEach((v, i) => expect(points("raise")[i]).toBeCloseTo(v, 9));
    points("valuation").forEach((v) => expect(v).toBeCloseTo(120, 9));
    const price = r.spider.rows.find((row) => row.input === "price")!;
    expect(price.median).toBe(10);
    expect(price.points.map((p) => p.change)).toEqual([-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]);
    expect(price.points[0].input).toBeCloseTo(7, 12);
  });

  it("moves month inputs by whole months and compares month metrics as months", () => {
    // sens-months.yaml: the round on time or early → cash runs out 2026-02; a month late or more → 2025-04.
    const r = run("sens-months.yaml", "cashOut");
    const delay = r.spider.rows[0];
    expect(delay.isMonth).toBe(true);
    expect(delay.median).toBe("2025-04");
    expect(delay.points.map((p) => p.change)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    expect(delay.points.map((p) => p.input)).toEqual(["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06", "2025-07"]);
    expect(delay.points.map((p) => p.metric)).toEqual(["2026-02", "2026-02", "2026-02", "2026-02", "2025-04", "2025-04", "2025-04"]);
    // Tornado: the delay is 0 (p10) or 2 months (p90): 2026-02 vs 2025-04, ten months apart.
    expect(r.tornado[0]).toMatchObject({ input: "delay", lowInput: "2025-04", highInput: "2025-06", metricAtLow: "2026-02", metricAtHigh: "2025-04", swing: 10 });
    expect(r.metric.kind).toBe("month");
  });

  it("says that processes are not swung and what never means", () => {
    const r = run("sens-months.yaml", "breakeven");
    expect(r.processes).toEqual([{ name: "staffNoise", driver: "staff", process: "randomWalk" }]);
    expect(r.notes.join("\n")).toMatch(/processes \(staffNoise\) are stochastic monthly paths with no single value to swing/);
    // Net income is never ≥ 0: breakeven is never, counted as the month after the horizon.
    expect(r.baseValue).toBeNull();
    expect(r.tornado[0].swing).toBe(0);
    expect(r.metric.never).toBe("2027-01");
    expect(r.notes.join("\n")).toMatch(/"never" \(not within the horizon\) counts as 2027-01/);
  });
});

describe("global sensitivity (Spearman over Monte Carlo paths)", () => {
  it("finds ρ = 1 for the only input a metric depends on and ≈ 0 for the others", () => {
    // revenue@2025 = 12·price: monotone in price, independent of everything else.
    const r = run("sens-linear.yaml", "revenue@2025", { global: { n: 2000, seed: 7 } });
    const g = r.global!;
    const rho = Object.fromEntries(g.rows.map((row) => [row.input, row.spearman!]));
    expect(rho.price).toBeCloseTo(1, 12);
    for (const other of ["staff", "raise", "valuation"]) expect(Math.abs(rho[other])).toBeLessThan(0.1);
    expect(g.rows[0].input).toBe("price");
    expect(g.rows[0].contribution!).toBeGreaterThan(98);
    expect(g.rows.reduce((s, row) => s + row.contribution!, 0)).toBeCloseTo(100, 9);
    expect(g.used).toBe(2000);
  });

  it("gives the signs of the linear model and the same numbers for the same seed", () => {
    const a = run("sens-linear.yaml", "endingCash", { global: { n: 1000, seed: 3 } }).global!;
    const b = run("sens-linear.yaml", "endingCash", { global: { n: 1000, seed: 3 } }).global!;
    expect(a).toEqual(b);
    const rho = Object.fromEntries(a.rows.map((row) => [row.input, row.spearman!]));
    expect(rho.price).toBeGreaterThan(0.7);
    expect(rho.staff).toBeLessThan(-0.25);
    expect(rho.raise).toBeGreaterThan(0.2);
    expect(Math.abs(rho.valuation)).toBeLessThan(0.1);
    expect(a.rows.map((row) => row.input).slice(0, 3)).toEqual(["price", "staff", "raise"]);
  });

  it("leaves out paths where the metric is undefined", () => {
    // No debt: minimum DSCR is undefined on every path, so nothing can be ranked.
    const g = run("sens-linear.yaml", "minDscr", { global: { n: 50, seed: 1 } }).global!;
    expect(g.used).toBe(0);
    expect(g.excluded).toBe(50);
    expect(g.rows.every((row) => row.spearman === null && row.contribution === null)).toBe(true);
  });

  it("refuses too few paths", () => {
    const loaded = loadModelFile(fixture("sens-linear.yaml"));
    const compiled = compileModel(loaded.model, loaded.extensions);
    const spec = compileUncertainty(loaded, compiled);
    const sel = parseMetricSelector("endingCash", compiled);
    expect(() => globalSensitivity(compiled, spec, sel, { n: 0, seed: 1 })).toThrow(/whole number of paths ≥ 1/);
    expect(() => globalSensitivity(compiled, spec, sel, { n: 5, seed: 1 })).toThrow(/at least 10 paths/);
    expect(() => globalSensitivity(compiled, spec, sel, { n: 2e8, seed: 1 })).toThrow(/at most 100,000,000/);
  });
});

describe("models without uncertain inputs", () => {
  it("says what to add", () => {
    expect(() => run("solve-cash.yaml", "minCash")).toThrow(UsageError);
    expect(() => run("solve-cash.yaml", "minCash")).toThrow(/no uncertain: section/);
  });
});
