import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { loadModelText } from "../model/load.js";
import { compileModel, type CompiledModel } from "./compile.js";
import { evaluate, createWorkspace, lowestCashAboveFloor, cashPathsWithExtra } from "./project.js";
import { computeMetrics, metricVector, METRIC_INDEX } from "./metrics.js";

/**
 * The funding gap when cash earns or pays interest, or a revolver draws: the solver
 * re-runs the month loop with extra opening cash, reading the tranches' schedule from the
 * evaluation instead of walking every tranche again. These properties hold on generated
 * models with every kind of tranche, cash rates, a revolver and capitalised interest.
 */
const tranche = fc.record({
  openingBalance: fc.integer({ min: 0, max: 400 }),
  draw: fc.record({ month: fc.integer({ min: 0, max: 20 }), amount: fc.integer({ min: 0, max: 300 }) }),
  rate: fc.double({ min: 0, max: 0.15, noNaN: true }),
  floating: fc.boolean(),
  amortization: fc.constantFrom("bullet", "straightLine", "annuity"),
  interestOnlyMonths: fc.integer({ min: 0, max: 6 }),
  maturityMonth: fc.integer({ min: 3, max: 40 }),
  upfrontFee: fc.double({ min: 0, max: 0.05, noNaN: true }),
  expense: fc.boolean(),
});

const scenario = fc.record({
  months: fc.integer({ min: 6, max: 36 }),
  cash: fc.integer({ min: -50, max: 300 }),
  floor: fc.integer({ min: 0, max: 60 }),
  revenue: fc.integer({ min: 0, max: 80 }),
  growth: fc.double({ min: -0.05, max: 0.08, noNaN: true }),
  costs: fc.integer({ min: 10, max: 120 }),
  capex: fc.integer({ min: 0, max: 40 }),
  taxRate: fc.constantFrom(0, 0.21, 0.3),
  lossOffsetLimit: fc.constantFrom(0.8, 1),
  fiscalYearStart: fc.constantFrom(1, 7),
  interestRate: fc.option(fc.double({ min: 0, max: 0.08, noNaN: true }), { nil: undefined }),
  overdraftRate: fc.option(fc.double({ min: 0, max: 0.2, noNaN: true }), { nil: undefined }),
  revolver: fc.option(fc.record({ limit: fc.integer({ min: 0, max: 200 }), rate: fc.double({ min: 0, max: 0.12, noNaN: true }), fee: fc.double({ min: 0, max: 0.01, noNaN: true }) }), { nil: undefined }),
  capitalizeFleet: fc.boolean(),
  tranches: fc.array(tranche, { minLength: 0, maxLength: 3 }),
});

const month = (start: number) => `${2025 + Math.floor(start / 12)}-${String((start % 12) + 1).padStart(2, "0")}`;

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function modelOf(s: Scenario): CompiledModel {
  const debt: Record<string, unknown> = {};
  let owed = 0;
  s.tranches.forEach((t, k) => {
    owed += t.openingBalance;
    debt[`t${k}`] = {
      openingBalance: t.openingBalance,
      ...(t.draw.amount > 0 && t.draw.month < Math.min(s.months, t.maturityMonth) ? { draws: [{ month: month(t.draw.month), amount: t.draw.amount }] } : {}),
      ...(t.floating ? { base: "sofr", spread: t.rate, floor: 0.01 } : { rate: t.rate }),
      amortization: t.amortization,
      interestOnlyMonths: t.interestOnlyMonths,
      maturity: month(t.maturityMonth),
      upfrontFee: t.upfrontFee,
      feeTreatment: t.expense ? "expense" : "amortize",
    };
  });
  const financing: Record<string, unknown> = { debt };
  if (s.interestRate !== undefined || s.overdraftRate !== undefined) financing.cash = { ...(s.interestRate !== undefined ? { interestRate: s.interestRate } : {}), ...(s.overdraftRate !== undefined ? { overdraftRate: s.overdraftRate } : {}) };
  if (s.revolver) financing.revolver = { limit: s.revolver.limit, rate: s.revolver.rate, commitmentFee: s.revolver.fee };
  if (s.capitalizeFleet) financing.capitalizeInterest = { fleet: true };
  const data = {
    meta: { company: "Generated", start: "2025-01", months: s.months, cashFloor: s.floor, fiscalYearStart: s.fiscalYearStart },
    openingBalance: { cash: s.cash, debt: owed, paidInCapital: 100, retainedEarnings: s.cash - owed - 100 },
    drivers: { sofr: { formula: "0.03 + 0.001 * t" } },
    lines: {
      sales: { type: "revenue", value: `${s.revenue} * (1 + ${s.growth}) ^ t` },
      costs: { type: "operatingExpense", value: `${s.costs}` },
      build: { type: "capex", value: `${s.capex}`, lifeMonths: 24 },
    },
    fleet: { gpus: { count: 1000, unitCost: 20000, purchase: "2025-02", inService: "2025-06", lifeMonths: 36 } },
    financing,
    tax: { rate: s.taxRate, lossOffsetLimit: s.lossOffsetLimit },
  };
  const loaded = loadModelText(JSON.stringify(data), "generated.json");
  return compileModel(loaded.model, loaded.extensions);
}

/** Minimum ending cash of a full evaluation (every tranche walked) with `extra` more opening cash, in its own workspace. */
function minCashWith(c: CompiledModel, extra: number): number {
  const params = Float64Array.from(c.baseParams);
  params[c.table.slot("openingBalance.cash")!] += extra;
  const cash = evaluate(c, params, createWorkspace(c)).items.endingCash;
  c.params.set(c.baseParams);
  let low = Infinity;
  for (const x of cash) if (x < low) low = x;
  return low;
}

describe("the funding gap with interest on cash, a revolver or capitalised interest", () => {
  it("re-runs the month loop from the evaluation's debt schedule to the same cash as a full evaluation with that much more opening cash", () => {
    fc.assert(
      fc.property(scenario, fc.double({ min: 0, max: 500, noNaN: true }), (s, extra) => {
        const c = modelOf(s);
        const floor = c.params[c.slots.cashFloor];
        const proj = evaluate(c, null, createWorkspace(c));
        // Exactly the same arithmetic in the same order: equal to the last bit.
        expect(lowestCashAboveFloor(proj, extra, floor)).toBe(minCashWith(c, extra) - floor);
      }),
      { numRuns: 60, seed: 20261202 },
    );
  });

  it("is the smallest extra opening cash that keeps every month at or above the floor (to 1e-9 of its size)", () => {
    let positive = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        const c = modelOf(s);
        const floor = c.params[c.slots.cashFloor];
        const metrics = computeMetrics(evaluate(c, null, createWorkspace(c)), metricVector(), floor);
        const gap = metrics[METRIC_INDEX.fundingGap];
        const minCash = metrics[METRIC_INDEX.minCash];
        const eps = 1e-11 * Math.max(1, Math.abs(floor), Math.abs(minCash));
        if (!(minCash < floor)) {
          expect(gap).toBe(0);
          return;
        }
        positive++;
        expect(gap).toBeGreaterThan(0);
        // Enough: the floor holds with the gap added to opening cash …
        expect(minCashWith(c, gap)).toBeGreaterThanOrEqual(floor - eps);
        // … and no less than 1e-9 of it below would do.
        const less = gap - 2e-9 * Math.max(1, gap);
        if (less > 0) expect(minCashWith(c, less)).toBeLessThan(floor - eps);
      }),
      { numRuns: 80, seed: 7 },
    );
    expect(positive).toBeGreaterThan(10);
  });

  it("is computed only when asked: other metrics are the same without it", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const c = modelOf(s);
        const floor = c.params[c.slots.cashFloor];
        const proj = evaluate(c, null, createWorkspace(c));
        const withGap = Array.from(computeMetrics(proj, metricVector(), floor));
        const without = Array.from(computeMetrics(proj, metricVector(), floor, 0, false));
        expect(without[METRIC_INDEX.fundingGap]).toBeNaN();
        withGap[METRIC_INDEX.fundingGap] = NaN;
        expect(without).toEqual(withGap);
      }),
      { numRuns: 20, seed: 3 },
    );
  });
});

/** Ending cash of a full evaluation with `extra` more opening cash, in its own workspace. */
function cashWith(c: CompiledModel, extra: number): Float64Array {
  const params = Float64Array.from(c.baseParams);
  params[c.table.slot("openingBalance.cash")!] += extra;
  const cash = Float64Array.from(evaluate(c, params, createWorkspace(c)).items.endingCash);
  c.params.set(c.baseParams);
  return cash;
}

/**
 * The funding gap's solver (fundingGapOf) as it was written first: one full evaluation per
 * guess, the confirmation just below a guess at the floor run after it, only when needed.
 */
function gapOneRunAtATime(c: CompiledModel, floor: number, minCash: number, base: Float64Array): number {
  const shortfall = floor - minCash;
  if (!(shortfall > 0)) return 0;
  const H = c.months;
  const eps = 1e-11 * Math.max(1, Math.abs(floor), Math.abs(minCash));
  const width = (x: number) => 1e-9 * Math.max(1, x);
  let a: Float64Array = Float64Array.from(base);
  let b: Float64Array = Float64Array.from(base);
  let xa = 0;
  let xb = 0;
  const evaluateAt = (x: number): number => {
    a = b;
    xa = xb;
    b = cashWith(c, x);
    xb = x;
    let low = Infinity;
    for (let t = 0; t < H; t++) if (b[t] < low) low = b[t];
    return low - floor;
  };
  let lo = 0;
  let hi = shortfall;
  let fhi = evaluateAt(hi);
  let runs = 1;
  for (let i = 0; fhi < -eps && i < 40; i++, runs++) {
    lo = hi;
    hi *= 2;
    fhi = evaluateAt(hi);
  }
  if (fhi < -eps) return NaN;
  while (hi - lo > width(hi) && runs < 80) {
    let x = -Infinity;
    const dx = xb - xa;
    for (let t = 0; t < H && dx !== 0; t++) {
      const slope = (b[t] - a[t]) / dx;
      if (slope > 1e-12) {
        const reach = xb + (floor - b[t]) / slope;
        if (reach > x) x = reach;
      } else if (b[t] < floor - eps) {
        x = NaN;
        break;
      }
    }
    if (!(x > lo && x < hi)) x = (lo + hi) / 2;
    let fx = evaluateAt(x);
    runs++;
    if (fx >= -eps) {
      hi = x;
      const below = x - width(x);
      if (fx <= eps && below > lo && runs < 80) {
        fx = evaluateAt(below);
        runs++;
        if (fx < -eps) lo = below;
        else hi = below;
      }
    } else lo = x;
  }
  return hi;
}

/**
 * Scenarios with rates of everyday size (fast-check's doubles lean to the tiny, which
 * leaves interest on cash at zero) and a revolver one time in four.
 */
const everydayRates = fc
  .tuple(scenario, fc.integer({ min: 1, max: 800 }), fc.integer({ min: 1, max: 2500 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 300 }))
  .map(([s, income, overdraft, pick, cashShift]) => ({
    ...s,
    cash: s.cash - cashShift,
    interestRate: pick !== 1 ? income / 10000 : undefined,
    overdraftRate: pick !== 2 ? overdraft / 10000 : undefined,
    revolver: pick === 3 ? s.revolver : undefined,
  }));
const extraCash = fc.integer({ min: -2000, max: 50000 }).map((x) => x / 7);

describe("the funding gap's re-runs", () => {
  it("go two at a time to the same cash, month by month, as full evaluations with that much more opening cash", () => {
    fc.assert(
      fc.property(everydayRates, extraCash, extraCash, (s, first, second) => {
        const c = modelOf(s);
        const proj = evaluate(c, null, createWorkspace(c));
        const [a, b] = cashPathsWithExtra(proj, first, second);
        expect(Array.from(a)).toEqual(Array.from(cashWith(c, first)));
        expect(Array.from(b)).toEqual(Array.from(cashWith(c, second)));
      }),
      { numRuns: 80, seed: 20261205 },
    );
  });

  it("give the gap the solver finds with one full evaluation per guess, to the last bit (a guess and the run just below it go side by side)", () => {
    let positive = 0;
    fc.assert(
      fc.property(everydayRates, (s) => {
        const c = modelOf(s);
        const floor = c.params[c.slots.cashFloor];
        const proj = evaluate(c, null, createWorkspace(c));
        const metrics = computeMetrics(proj, metricVector(), floor);
        const expected = gapOneRunAtATime(c, floor, metrics[METRIC_INDEX.minCash], proj.items.endingCash);
        if (expected > 0) positive++;
        expect(Object.is(metrics[METRIC_INDEX.fundingGap], expected) ? expected : { got: metrics[METRIC_INDEX.fundingGap], expected }).toBe(expected);
      }),
      { numRuns: 120, seed: 20261204 },
    );
    expect(positive).toBeGreaterThan(30);
  });
});
