import { describe, it, expect, beforeAll } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { loadModelText } from "../index.js";
import { compileModel } from "../engine/compile.js";
import { compileUncertainty } from "./spec.js";
import { simulate } from "./simulate.js";
import { globalSensitivity } from "./sensitivity.js";
import { parseMetricSelector } from "./metricSelector.js";
import { solve } from "./solve.js";
import { parseTarget } from "./solveTarget.js";
import { planSimulation, runBlocks, blockCount } from "./paths.js";
import { pathValidity } from "./validity.js";
import { evaluate } from "../engine/project.js";
import { computeMetrics, metricVector } from "../engine/metrics.js";
import type { SimulationResult } from "./summary.js";

const root = join(import.meta.dirname, "..", "..");

/**
 * Revenue is 10·ln(x): NaN for x < 0, so about half the paths have no numbers at all. Costs
 * of 40 a month burn the opening 50 within two months whatever x is, so on every valid path
 * cash runs out: the old code counted NaN paths as "never ran out of cash".
 */
const nanModel = `
meta: { company: NaN Co, start: 2025-01, months: 12 }
openingBalance: { cash: 50, paidInCapital: 50 }
drivers:
  x: { constant: 2 }
  price: "10 * ln(x)"
lines:
  sales: { type: revenue, value: price }
  team: { type: operatingExpense, value: 40 }
uncertain:
  x: { path: drivers.x.constant, distribution: uniform, min: -1, max: 1 }
`;

/** Sampled inputs that `check` would refuse: a negative GPU count, in service before purchase. */
const badInputs = `
meta: { company: Shift Co, start: 2025-01, months: 24 }
openingBalance: { cash: 500, paidInCapital: 500 }
lines:
  team: { type: operatingExpense, value: 1 }
fleet:
  g: { count: 10, unitCost: 1000000, purchase: 2025-06, inService: 2025-07, lifeMonths: 48 }
uncertain:
  shift: { path: fleet.g.inService, distribution: discrete, values: [-3, 0], probabilities: [0.5, 0.5] }
  count: { path: fleet.g.count, distribution: uniform, min: -10, max: 10 }
`;

function allNumbers(result: SimulationResult): number[] {
  const out: number[] = [];
  const walk = (v: unknown) => {
    if (typeof v === "number") out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk({ ...result, keptPaths: [] });
  return out;
}

beforeAll(() => {
  if (!existsSync(join(root, "dist", "uncertainty", "worker.js"))) execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "ignore" });
});

describe("a path with a non-finite number is not an outcome", () => {
  it("is counted, reported and left out of every statistic, odds included", async () => {
    const result = await simulate(loadModelText(nanModel, "nan.yaml"), { paths: 2000, seed: 3 });
    expect(result.paths).toBe(2000);
    expect(result.invalidPaths.count).toBeGreaterThan(800);
    expect(result.invalidPaths.count).toBeLessThan(1200);
    expect(result.invalidPaths.byReason.nonFinite).toBe(result.invalidPaths.count);
    expect(result.validPaths + result.invalidPaths.count).toBe(2000);
    expect(result.invalidPaths.share).toBeCloseTo(result.invalidPaths.count / 2000, 12);
    expect(result.invalidPaths.examples[0]).toMatchObject({ reason: "nonFinite", text: "NaN or infinity in the results" });
    // Every valid path runs out of cash; NaN paths would have said "never".
    expect(result.probabilities.cashOut).toBe(1);
    expect(result.cashOutMonth.reduce((s, m) => s + m.probability, 0)).toBeCloseTo(1, 12);
    for (const v of allNumbers(result)) expect(Number.isFinite(v)).toBe(true);
    const revenue = result.years[0].revenue;
    expect(revenue.p5).not.toBeNull();
    expect(revenue.mean).not.toBeNull();
  });
  it("gives the same counts and figures on 1 and 2 threads", async () => {
    const opts = { paths: 3000, seed: 5, blockSize: 512, source: { text: nanModel, file: "nan.yaml" } };
    const one = await simulate(loadModelText(nanModel, "nan.yaml"), { ...opts, threads: 1 });
    const two = await simulate(loadModelText(nanModel, "nan.yaml"), { ...opts, threads: 2 });
    expect(JSON.stringify({ ...two, threads: 1 })).toBe(JSON.stringify(one));
  });
  it("a model whose every path is valid reports none (the shipped example)", async () => {
    const text = readFileSync(join(root, "models", "example.yaml"), "utf8");
    const result = await simulate(loadModelText(text, "example.yaml"), { paths: 500, seed: 1 });
    expect(result.invalidPaths.count).toBe(0);
    expect(result.validPaths).toBe(500);
  });
});

describe("sampled inputs that make the model invalid are not simulated silently", () => {
  it("a negative count and a cohort in service before its purchase are invalid paths, by reason", async () => {
    const result = await simulate(loadModelText(badInputs, "bad.yaml"), { paths: 4000, seed: 7 });
    const { input, months } = result.invalidPaths.byReason;
    // count < 0 on half the paths; of the rest, the shift breaks the order on half.
    expect(input / 4000).toBeGreaterThan(0.45);
    expect(input / 4000).toBeLessThan(0.55);
    expect(months / 4000).toBeGreaterThan(0.2);
    expect(months / 4000).toBeLessThan(0.3);
    expect(result.validPaths).toBe(4000 - input - months);
  });
  it("every valid path's sampled inputs pass the rules; every invalid one breaks one", () => {
    const loaded = loadModelText(badInputs, "bad.yaml");
    const compiled = compileModel(loaded.model, loaded.extensions);
    const spec = compileUncertainty(loaded, compiled);
    const plan = planSimulation(compiled, spec, { seed: 11, lhs: false, blockSize: 256 });
    const countSlot = spec.inputs.find((i) => i.name === "count")!.slot;
    const shiftSlot = spec.inputs.find((i) => i.name === "shift")!.slot;
    const purchaseSlot = compiled.cohorts[0].slots.purchase;
    const validSeen: number[] = [];
    const invalidSeen: [number, string][] = [];
    const n = 1000;
    const invalid = runBlocks(plan, n, 0, blockCount(plan, n), (path) => {
      const p = compiled.params;
      expect(p[countSlot]).toBeGreaterThanOrEqual(0);
      expect(Math.round(p[shiftSlot])).toBeGreaterThanOrEqual(Math.round(p[purchaseSlot]));
      validSeen.push(path);
    }, undefined, (path, reason) => invalidSeen.push([path, reason]));
    expect(invalid).toBe(invalidSeen.length);
    expect(validSeen.length + invalidSeen.length).toBe(n);
    expect(new Set([...validSeen, ...invalidSeen.map(([p]) => p)]).size).toBe(n);
  });
});

describe("utilization from a formula outside 0–1 is an invalid path, not clamped", () => {
  it("in a simulation", async () => {
    const text = readFileSync(join(root, "models", "gpu-cloud-example.yaml"), "utf8")
      .replace(/^utilization:\n  value: .*$/m, 'utilization:\n  value: "spotShare"')
      .replace(/^drivers:\n/m, "drivers:\n  spotShare: { constant: 0.7 }\n")
      .concat("\nuncertain:\n  spot: { path: drivers.spotShare.constant, distribution: uniform, min: 0.5, max: 1.5 }\n");
    const result = await simulate(loadModelText(text, "gpu.yaml"), { paths: 400, seed: 2 });
    expect(result.invalidPaths.byReason.formula / 400).toBeGreaterThan(0.35);
    expect(result.invalidPaths.byReason.formula / 400).toBeLessThan(0.65);
  });
});

describe("sensitivity and solve leave invalid paths out too", () => {
  it("--global ranks only valid paths and says how many were invalid", () => {
    const loaded = loadModelText(nanModel, "nan.yaml");
    const compiled = compileModel(loaded.model, loaded.extensions);
    const spec = compileUncertainty(loaded, compiled);
    const g = globalSensitivity(compiled, spec, parseMetricSelector("minCash", compiled), { n: 1000, seed: 4 });
    expect(g.invalid).toBeGreaterThan(400);
    expect(g.used).toBe(1000 - g.invalid);
    expect(g.excluded).toBe(g.invalid);
    for (const v of [g.summary.p10, g.summary.p50, g.summary.p90]) expect(typeof v === "number" && Number.isFinite(v)).toBe(true);
  });
  it("a probability target is over valid paths only", () => {
    const loaded = loadModelText(nanModel, "nan.yaml");
    const compiled = compileModel(loaded.model, loaded.extensions);
    const spec = compileUncertainty(loaded, compiled);
    const report = solve(loaded, compiled, spec, "lines.team.value", parseTarget("P(cashOut) <= 0.5", compiled), { n: 400, seed: 1, between: [40, 60] });
    expect(report.notes.some((n) => /simulated paths were invalid/.test(n))).toBe(true);
  });

  it("tells a path whose balance sheet or cash tie is off, or with a non-finite reported value (which comes first)", () => {
    const loaded = loadModelText(readFileSync(join(root, "models", "example.yaml"), "utf8"), "example.yaml");
    const compiled = compileModel(loaded.model, loaded.extensions);
    const validity = pathValidity(compiled, compileUncertainty(loaded, compiled));
    const metrics = metricVector();
    const fresh = () => {
      const proj = evaluate(compiled);
      computeMetrics(proj, metrics, compiled.params[compiled.slots.cashFloor]);
      return proj;
    };
    expect(validity.results(fresh(), metrics)).toBe(null);
    const H = compiled.months;
    for (const [item, t] of [["totalAssets", 0], ["equity", H - 1], ["operatingCashFlow", 7]] as const) {
      const proj = fresh();
      proj.items[item][t] += 0.01;
      expect(validity.results(proj, metrics), `${item} ${t}`).toBe("unbalanced");
    }
    for (const [item, bad] of [["revenue", NaN], ["debt", Infinity], ["netIncome", -Infinity]] as const) {
      const proj = fresh();
      proj.items[item][H - 1] = bad;
      proj.items.totalAssets[0] += 1;
      expect(validity.results(proj, metrics), item).toBe("nonFinite");
    }
  });
});
