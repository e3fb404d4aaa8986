import { describe, it, expect } from "vitest";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { loadModelFile } from "../node/loadFile.js";
import { loadModelText } from "../model/load.js";
import { compileModel, type CompiledModel } from "../engine/compile.js";
import { UsageError } from "../model/issues.js";
import { compileUncertainty, type UncertaintySpec } from "./spec.js";
import { planSimulation, runBlocks, blockCount, samplesOfBlock } from "./paths.js";
import { parseTarget, compareValues } from "./solveTarget.js";
import { solve, type SolveOptions } from "./solve.js";

const fixture = (name: string) => fileURLToPath(new URL(`../../test/fixtures/uncertainty/${name}`, import.meta.url));

function setup(name: string, scenario?: string) {
  const loaded = loadModelFile(fixture(name), { scenario });
  const compiled = compileModel(loaded.model, loaded.extensions);
  const spec = compileUncertainty(loaded, compiled);
  return { loaded, compiled, spec };
}

function solveIn(name: string, path: string, target: string, options: SolveOptions = {}, scenario?: string) {
  const { loaded, compiled, spec } = setup(name, scenario);
  return solve(loaded, compiled, spec, path, parseTarget(target, compiled), options);
}

const parseError = (compiled: CompiledModel, text: string): string => {
  try {
    parseTarget(text, compiled);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`no error for ${text}`);
};

describe("the target grammar", () => {
  const { compiled } = setup("solve-cash.yaml");

  it("reads deterministic comparisons with numbers and months", () => {
    const t = parseTarget("minCash>=0", compiled);
    expect(t.kind).toBe("value");
    if (t.kind !== "value") return;
    expect(t.text).toBe("minCash >= 0");
    expect(t.condition.op).toBe(">=");
    expect(t.condition.value).toBe(0);
    const m = parseTarget("breakeven <= 2025-06", compiled);
    if (m.kind !== "value") throw new Error("kind");
    expect(m.condition.value).toBe(5); // month index from 2025-01
    expect(parseTarget("revenue@2026 > -1.5e3", compiled)).toMatchObject({ kind: "value", condition: { op: ">", value: -1500 } });
    expect(parseTarget("minDscr == 1.25", compiled)).toMatchObject({ condition: { op: "==", value: 1.25 } });
    expect(parseTarget("runwayMonths < 18", compiled)).toMatchObject({ condition: { op: "<", value: 18 } });
  });

  it("reads probabilities, quantiles and means", () => {
    expect(parseTarget("P(cashOut) <= 0.05", compiled)).toMatchObject({ kind: "probability", event: { kind: "cashOut" }, op: "<=", value: 0.05 });
    expect(parseTarget("P(cashOut) <= 5%", compiled)).toMatchObject({ value: 0.05 });
    expect(parseTarget("P(breakeven <= 2026-12) >= 0.5", compiled)).toMatchObject({ kind: "probability", event: { kind: "condition", condition: { op: "<=", value: 23 } }, op: ">=", value: 0.5 });
    expect(parseTarget("p90(fundingGap) <= 0", compiled)).toMatchObject({ kind: "quantile", q: 0.9, op: "<=", value: 0 });
    expect(parseTarget("p2.5(minCash) >= 0", compiled)).toMatchObject({ kind: "quantile", q: 0.025 });
    expect(parseTarget("median(cashOut) >= 2026-01", compiled)).toMatchObject({ kind: "quantile", q: 0.5, value: 12 });
    expect(parseTarget("mean(minCash) > 0", compiled)).toMatchObject({ kind: "mean", op: ">" });
  });

  it("rejects malformed targets with a reason and examples", () => {
    expect(parseError(compiled, "minCash")).toMatch(/no comparison \(<, <=, >, >=, ==\) found; expected a target such as 'minCash >= 0'/);
    expect(parseError(compiled, "minCash = 0")).toMatch(/write == to compare for equality/);
    expect(parseError(compiled, "minCash > = 0")).toMatch(/write >= without a space/);
    expect(parseError(compiled, "0 <= minCash <= 5")).toMatch(/one comparison only/);
    expect(parseError(compiled, "minCash != 0")).toMatch(/!= is not supported/);
    expect(parseError(compiled, "minCash >= abc")).toMatch(/"abc" is not a number/);
    expect(parseError(compiled, "minCash >=")).toMatch(/nothing to compare minCash with/);
    expect(parseError(compiled, ">= 0")).toMatch(/nothing on the left/);
    expect(parseError(compiled, "P(cashOut <= 0.05")).toMatch(/not closed/);
    expect(parseError(compiled, "P(cashOut)) <= 0.05")).toMatch(/no matching/);
    expect(parseError(compiled, "P(cashOut) <= 1.5")).toMatch(/a probability lies between 0 and 1/);
    expect(parseError(compiled, "P() <= 0.1")).toMatch(/P\(\) needs an event/);
    expect(parseError(compiled, "P(breakeven) <= 0.1")).toMatch(/needs an event/);
    expect(parseError(compiled, "P(covenantBreach) <= 0.1")).toMatch(/no covenants/);
    expect(parseError(compiled, "p100(minCash) >= 0")).toMatch(/not a quantile/);
    expect(parseError(compiled, "q90(minCash) >= 0")).toMatch(/unknown statistic "q90\(…\)"/);
    expect(parseError(compiled, "mean(breakeven) <= 2026-01")).toMatch(/mean of a month/);
    expect(parseError(compiled, "breakeven <= 18")).toMatch(/breakeven is a month; compare it with a month written YYYY-MM/);
    expect(parseError(compiled, "breakeven <= 2027-01")).toMatch(/after the horizon's last month \(2026-12\)/);
    expect(parseError(compiled, "minCsh >= 0")).toMatch(/did you mean "minCash"/);
  });

  it("compares with undefined values as false", () => {
    expect(compareValues(NaN, "<=", 1)).toBe(false);
    expect(compareValues(1 + 1e-12, "==", 1)).toBe(true);
    expect(compareValues(1.001, "==", 1)).toBe(false);
  });
});

/** solve-cash.yaml: minCash = min(50, amount − 140); fundingGap = max(0, 150 − amount) below 150 (floor 10). */
describe("deterministic solve", () => {
  it("finds the raise that makes minimum cash exactly 0", () => {
    const r = solveIn("solve-cash.yaml", "financing.equity.seed.amount", "minCash >= 0");
    expect(r.found).toBe(true);
    expect(r.boundary).toBe(true);
    expect(r.answer!.value as number).toBeCloseTo(140, 6);
    expect(r.answer!.holds).toBe(true);
    expect(r.answer!.measured as number).toBeGreaterThanOrEqual(0);
    expect(r.answer!.measured as number).toBeLessThan(1e-6);
    expect(r.other!.holds).toBe(false);
    expect(r.other!.value as number).toBeLessThan(r.answer!.value as number);
    expect(r.bracketWidth!).toBeLessThan(1e-6);
    expect(r.current).toMatchObject({ value: 20, holds: false });
    expect(r.current!.measured as number).toBeCloseTo(-120, 9);
    expect(r.evaluations).toBeGreaterThan(2);
    expect(r.paths).toBe(0);
  });

  it("finds where the funding gap closes (a metric flat at the limit beyond it)", () => {
    const r = solveIn("solve-cash.yaml", "financing.equity.seed.amount", "fundingGap <= 0");
    expect(r.answer!.value as number).toBeCloseTo(150, 6);
    expect(r.answer!.measured).toBe(0);
  });

  it("meets a month target on a month-valued metric", () => {
    // Net income slope·t − 10: breakeven ≤ 2025-06 (t = 5) from slope = 2.
    const r = solveIn("solve-cash.yaml", "drivers.slope.constant", "breakeven <= 2025-06");
    expect(r.found).toBe(true);
    expect(r.answer!.value as number).toBeGreaterThanOrEqual(2);
    expect(r.answer!.value as number).toBeLessThan(2 + 1e-8);
    expect(r.answer!.measured).toBe("2025-06");
    expect(r.other!.measured).toBe("2025-07");
    expect(r.current!.measured).toBeNull(); // never, with no revenue
  });

  it("moves a month input by whole months", () => {
    // Scenario bigRaise: 300 raised; cash ends 2025-10 at 0, so the round can come as late as 2025-11.
    const r = solveIn("solve-cash.yaml", "financing.equity.seed.month", "minCash >= 0", {}, "bigRaise");
    expect(r.vary).toMatchObject({ isMonth: true, current: "2025-06" });
    expect(r.answer).toMatchObject({ value: "2025-11", measured: 0, holds: true });
    expect(r.other).toMatchObject({ value: "2025-12", measured: -10, holds: false });
    expect(r.bracketWidth).toBe(1);
  });

  it("searches a given range, months included", () => {
    const { compiled, loaded } = setup("solve-cash.yaml", "bigRaise");
    const r = solve(loaded, compiled, null, "financing.equity.seed.month", parseTarget("minCash >= 0", compiled), { between: [8, 20] });
    expect(r.answer!.value).toBe("2025-11");
    expect(r.range).toMatchObject({ given: true, from: { value: "2025-09", holds: true }, to: { value: "2026-09", holds: false } });
  });

  it("solves == targets to a root", () => {
    const r = solveIn("solve-cash.yaml", "financing.equity.seed.amount", "minCash == -20");
    expect(r.found).toBe(true);
    expect(r.answer!.value as number).toBeCloseTo(120, 6);
  });

  it("says when no value in the range meets the target, with the metric at both ends", () => {
    const r = solveIn("solve-cash.yaml", "financing.equity.seed.amount", "minCash >= 0", { between: [0, 50] });
    expect(r.found).toBe(false);
    expect(r.answer).toBeNull();
    expect(r.range.from).toMatchObject({ value: 0, measured: -140, holds: false });
    expect(r.range.to).toMatchObject({ value: 50, measured: -90, holds: false });
    expect(r.message).toMatch(/no value of financing\.equity\.seed\.amount in \[0, 50\] meets "minCash >= 0": minCash = -140 at 0, minCash = -90 at 50/);
  });

  it("says when the target holds over the whole range", () => {
    const r = solveIn("solve-cash.yaml", "financing.equity.seed.amount", "minCash >= -1000", { between: [0, 50] });
    expect(r.found).toBe(true);
    expect(r.boundary).toBe(false);
    expect(r.answer).toMatchObject({ value: 0, measured: -140 }); // nearest the limit
    expect(r.message).toMatch(/holds everywhere in \[0, 50\]/);
  });

  it("never changes the compiled model's base params", () => {
    const { compiled, loaded } = setup("solve-cash.yaml");
    const before = Float64Array.from(compiled.baseParams);
    solve(loaded, compiled, null, "financing.equity.seed.amount", parseTarget("minCash >= 0", compiled));
    expect(compiled.baseParams).toEqual(before);
  });

  it("rejects an unknown path, a reversed range and a bad tolerance", () => {
    expect(() => solveIn("solve-cash.yaml", "financing.equity.seed.amonut", "minCash >= 0")).toThrow(/no input at financing\.equity\.seed\.amonut — did you mean "financing\.equity\.seed\.amount"\?/);
    expect(() => solveIn("solve-cash.yaml", "financing.equity.seed.amount", "minCash >= 0", { between: [50, 50] })).toThrow(/needs A < B/);
    expect(() => solveIn("solve-cash.yaml", "financing.equity.seed.amount", "minCash >= 0", { tolerance: -1 })).toThrow(/--tolerance must be a number > 0/);
  });
});

/**
 * solve-stat.yaml: cash runs out exactly when staff > (amount + 100)/24, staff ~ U(8, 12).
 * P(cashOut) ≤ 5 % needs amount ≥ 183.2 in theory; over n sampled paths the exact answer
 * is 24·s − 100 where s is the (⌊0.05n⌋+1)-th largest sampled staff cost.
 */
describe("statistical solve", () => {
  const path = "financing.equity.seed.amount";
  const n = 2000;

  function probability(compiled: CompiledModel, spec: UncertaintySpec, amount: number, seed: number): number {
    const base = Float64Array.from(compiled.baseParams);
    base[compiled.table.slot(path)!] = amount;
    const plan = planSimulation(compiled, spec, { seed, lhs: false }, base);
    let out = 0;
    runBlocks(plan, n, 0, blockCount(plan, n), (_p, _proj, m) => void (m[0] >= 0 && out++));
    return out / n;
  }

  it("finds the smallest raise that keeps the odds of running out of cash at 5 %, the same every time", () => {
    const first = solveIn("solve-stat.yaml", path, "P(cashOut) <= 0.05", { n, seed: 1 });
    const again = solveIn("solve-stat.yaml", path, "P(cashOut) <= 0.05", { n, seed: 1 });
    expect(again).toEqual(first);
    expect(first.found).toBe(true);
    expect(first.statistical).toEqual({ n, seed: 1, lhs: false });
    expect(first.answer!.measured as number).toBeLessThanOrEqual(0.05);
    expect(first.other!.measured as number).toBeGreaterThan(0.05);
    expect(first.paths).toBe(first.evaluations * n);
    const answer = first.answer!.value as number;
    // The exact answer for these samples.
    const { compiled, spec } = setup("solve-stat.yaml");
    const plan = planSimulation(compiled, spec, { seed: 1, lhs: false });
    const staff = Array.from(samplesOfBlock(plan, 0, n).values.subarray(0, n)).sort((a, b) => b - a);
    const exact = 24 * staff[Math.floor(0.05 * n)] - 100;
    expect(answer).toBeGreaterThanOrEqual(exact - 1e-9);
    expect(answer - exact).toBeLessThanOrEqual(first.bracketWidth! + 1e-9);
    expect(Math.abs(answer - 183.2)).toBeLessThan(2); // sampling error ≈ 0.5
  });

  it("gives an answer that meets the target while a slightly smaller raise does not (checked independently)", () => {
    const r = solveIn("solve-stat.yaml", path, "P(cashOut) <= 0.05", { n, seed: 5 });
    const { compiled, spec } = setup("solve-stat.yaml");
    const answer = r.answer!.value as number;
    expect(probability(compiled, spec, answer, 5)).toBeLessThanOrEqual(0.05);
    expect(probability(compiled, spec, answer - 2 * r.bracketWidth!, 5)).toBeGreaterThan(0.05);
  });

  it("solves quantile targets", () => {
    // p90(fundingGap) ≤ 0 (floor 0) needs amount ≥ 24·staff_p90 − 100 = 178.4 in theory.
    const r = solveIn("solve-stat.yaml", path, "p90(fundingGap) <= 0", { n, seed: 1, lhs: true });
    expect(r.found).toBe(true);
    expect(r.answer!.measured).toBe(0);
    expect(Math.abs((r.answer!.value as number) - 178.4)).toBeLessThan(0.2);
  });

  it("solves probabilities of conditions on month metrics", () => {
    // Cash out by 2026-06 (t = 17): 100 − 18·staff + amount < 0 → amount ≥ 18·11.8 − 100 = 112.4 for 5 %.
    const r = solveIn("solve-stat.yaml", path, "P(cashOut <= 2026-06) <= 0.05", { n, seed: 1, lhs: true });
    expect(Math.abs((r.answer!.value as number) - 112.4)).toBeLessThan(0.2);
  });

  it("varies the base of a relative uncertain input (apply: multiply)", () => {
    // Staff = base × u, u ~ U(0.8, 1.2); amount 20: cash runs out when base·u > 5, so
    // P ≤ 5 % needs base ≤ 5 / 1.18 = 4.237 (the largest base that keeps the odds).
    const text = readFileSync(fixture("solve-stat.yaml"), "utf8").replace(
      "staff: { path: drivers.staff.constant, distribution: uniform, min: 8, max: 12,",
      "staff: { path: drivers.staff.constant, apply: multiply, distribution: uniform, min: 0.8, max: 1.2,",
    );
    const loaded = loadModelText(text, "relative.yaml");
    const compiled = compileModel(loaded.model, loaded.extensions);
    const r = solve(loaded, compiled, compileUncertainty(loaded, compiled), "drivers.staff.constant", parseTarget("P(cashOut) <= 0.05", compiled), { n, seed: 1, lhs: true });
    expect(r.vary.uncertainInput).toBe("staff");
    expect(r.answer!.holds).toBe(true);
    expect(r.other!.value as number).toBeGreaterThan(r.answer!.value as number);
    expect(Math.abs((r.answer!.value as number) - 5 / 1.18)).toBeLessThan(0.01);
  });

  it("refuses what cannot be solved statistically", () => {
    expect(() => solveIn("solve-stat.yaml", "drivers.staff.constant", "P(cashOut) <= 0.05")).toThrow(/uncertain input "staff" \(apply: set\)/);
    expect(() => solveIn("solve-cash.yaml", path, "P(cashOut) <= 0.05")).toThrow(/no uncertain: section/);
    expect(() => solveIn("solve-stat.yaml", path, "P(cashOut) <= 0.05", { n: 0 })).toThrow(/-n must be a whole number of paths ≥ 1/);
    expect(() => solveIn("solve-stat.yaml", path, "P(cashOut) <= 0.05", { n: 1e9 })).toThrow(/at most 100,000,000/);
  });
});
