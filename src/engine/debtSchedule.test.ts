import { describe, it, expect, afterEach } from "vitest";
import fc from "fast-check";
import { resolve } from "node:path";
import { loadModelText } from "../model/load.js";
import { loadModelFile } from "../node/loadFile.js";
import { compileModel, type CompiledModel } from "./compile.js";
import { evaluate, createWorkspace, exactShortcuts, type Projection } from "./project.js";
import { computeMetrics, metricVector } from "./metrics.js";
import "../gpu/index.js";

/**
 * The debt schedule and capitalised interest take shortcuts: a tranche is walked again only
 * from the first month its inputs changed (only its rates when just the base rate moved),
 * the totals are summed again only from that month and over the months each tranche is
 * not zero, and interest capitalised without a revolver or an overdraft rate is computed
 * ahead of the month loop, asset by asset where the assets no longer interact. Evaluating
 * a sequence of params in one workspace with them must give, to the last bit, what a new
 * workspace without them (every tranche walked from the start, every month summed, the
 * month loop capitalising) gives for each. The month loop resumes where the schedule's
 * totals or the interest capitalised ahead first moved (resume.ts): a move from some month
 * on (a base rate shifted, a later draw) is where it starts again.
 */
const sameNumber = (a: number, b: number) => Object.is(a, b);

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let t = 0; t < a.length; t++) if (!sameNumber(a[t], b[t])) return t;
  return a.length === b.length ? -1 : a.length;
}

function seriesOf(proj: Projection): [string, number[]][] {
  const out: [string, ArrayLike<number>][] = [];
  for (const [name, v] of Object.entries(proj.items)) out.push([`items.${name}`, v]);
  for (const [name, v] of Object.entries(proj.ratios)) out.push([`ratios.${name}`, v]);
  proj.tranches.forEach((tr, k) => Object.entries(tr).forEach(([name, v]) => out.push([`tranche${k}.${name}`, v as Float64Array])));
  proj.cohorts.forEach((co, k) => Object.entries(co).forEach(([name, v]) => out.push([`cohort${k}.${name}`, v as Float64Array])));
  if (proj.revolver) Object.entries(proj.revolver).forEach(([name, v]) => out.push([`revolver.${name}`, v as Float64Array]));
  if (proj.capitalization) {
    proj.capitalization.interest.forEach((v, a) => out.push([`capitalized${a}`, v]));
    proj.capitalization.depreciation.forEach((v, a) => out.push([`capDepreciation${a}`, v]));
  }
  out.push(["opening", Object.values(proj.opening)]);
  return out.map(([name, v]) => [name, Array.from(v)]);
}

function outcome(c: CompiledModel, params: Float64Array, ws: ReturnType<typeof createWorkspace>, shortcuts: boolean): { series: [string, number[]][]; metrics: number[] } | string {
  exactShortcuts.capitalizeAhead = shortcuts;
  exactShortcuts.trancheSpans = shortcuts;
  try {
    const proj = evaluate(c, params, ws);
    const metrics = Array.from(computeMetrics(proj, metricVector(), c.params[c.slots.cashFloor]));
    return { series: seriesOf(proj), metrics };
  } catch (error) {
    return String((error as Error).message);
  } finally {
    exactShortcuts.capitalizeAhead = true;
    exactShortcuts.trancheSpans = true;
  }
}

afterEach(() => {
  exactShortcuts.capitalizeAhead = true;
  exactShortcuts.trancheSpans = true;
});

/**
 * One param moved: a slot scaled (or set, if zero; sometimes negated, for negative rates
 * and interest) or a month slot shifted; most picks among the debt's, the fleet's, the
 * sites' and the base rate's params.
 */
const change = fc.record({ pick: fc.nat(), kept: fc.integer({ min: 0, max: 3 }), scale: fc.double({ min: 0.5, max: 1.5, noNaN: true }), negate: fc.integer({ min: 0, max: 9 }), shift: fc.integer({ min: -4, max: 4 }) });
type Change = typeof change extends fc.Arbitrary<infer T> ? T : never;

const debtAndAssets = /^(financing|fleet|sites\.[^.]+\.(buildStart|goLive|delayMonths|costPerMw|lifeMonths)|drivers\.(sofr|rateShift))/;

function move(c: CompiledModel, params: Float64Array, { pick, kept: inKept, scale, negate, shift }: Change, only?: RegExp): void {
  const all = c.table.paths.map((_, slot) => slot).filter((slot) => !only || only.test(c.table.paths[slot]));
  const kept = all.filter((slot) => debtAndAssets.test(c.table.paths[slot]));
  // A quarter of the moves shift the base rate from a month on (the tranches' walks resume there).
  const rateShift = all.filter((slot) => c.table.paths[slot].startsWith("drivers.rateShift"));
  const among = inKept === 3 && rateShift.length > 0 ? rateShift : inKept > 0 && kept.length > 0 ? kept : all;
  if (among.length === 0) return;
  const slot = among[pick % among.length];
  if (c.table.kinds[slot] === "month") params[slot] += shift;
  else params[slot] = (params[slot] === 0 ? scale - 0.5 : params[slot] * scale) * (negate === 0 ? -1 : 1);
}

function sameAsFullComputation(loaded: ReturnType<typeof loadModelText>, changes: Change[], only?: RegExp): void {
  const c = compileModel(loaded.model, loaded.extensions);
  const reused = createWorkspace(c);
  const params = Float64Array.from(c.baseParams);
  for (let i = 0; i <= changes.length; i++) {
    if (i > 0) move(c, params, changes[i - 1], only);
    const full = outcome(c, params, createWorkspace(c), false);
    for (let twice = 0; twice < 2; twice++) {
      const short = outcome(c, params, reused, true);
      if (typeof full === "string" || typeof short === "string") {
        expect(short).toEqual(full);
        continue;
      }
      for (let k = 0; k < full.series.length; k++) {
        const [name, values] = full.series[k];
        expect({ name, at: firstDifference(short.series[k][1], values) }).toEqual({ name, at: -1 });
      }
      expect(firstDifference(short.metrics, full.metrics)).toBe(-1);
    }
  }
}

const month = (m: number) => `${2025 + Math.floor(m / 12)}-${String((((m % 12) + 12) % 12) + 1).padStart(2, "0")}`;

/**
 * Models with tranches of every kind (fixed and floating on a base rate that moves from a
 * month on, opening balances and draws, fees, interest-only months, rates that can be
 * negative) and fleet cohorts that capitalise interest, bought before or during the
 * horizon, retired before or after they are fully depreciated; cash that earns or pays
 * interest or not, with or without a revolver.
 */
const generated = fc.record({
  months: fc.integer({ min: 12, max: 48 }),
  cash: fc.integer({ min: -50, max: 300 }),
  rateShiftFrom: fc.integer({ min: 1, max: 30 }),
  interestRate: fc.option(fc.double({ min: 0, max: 0.08, noNaN: true }), { nil: undefined, freq: 2 }),
  overdraftRate: fc.option(fc.double({ min: 0, max: 0.2, noNaN: true }), { nil: undefined, freq: 4 }),
  revolver: fc.integer({ min: 0, max: 4 }),
  cohorts: fc.array(
    fc.record({ purchase: fc.oneof(fc.integer({ min: -6, max: 8 }), fc.integer({ min: -6, max: 40 })), lag: fc.integer({ min: 0, max: 10 }), count: fc.integer({ min: 100, max: 5000 }), life: fc.integer({ min: 3, max: 40 }), service: fc.option(fc.integer({ min: 2, max: 40 }), { nil: undefined }) }),
    { minLength: 1, maxLength: 6 },
  ),
  tranches: fc.array(
    fc.record({
      opening: fc.integer({ min: 0, max: 400 }),
      draw: fc.integer({ min: 0, max: 30 }),
      amount: fc.integer({ min: 0, max: 300 }),
      floating: fc.boolean(),
      rate: fc.double({ min: -0.03, max: 0.15, noNaN: true }),
      fee: fc.constantFrom(0, 0.01, 0.02),
      interestOnly: fc.constantFrom(0, 0, 3),
      amortization: fc.constantFrom("bullet", "straightLine", "annuity"),
      maturity: fc.integer({ min: 3, max: 50 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
});

function generatedModel(s: typeof generated extends fc.Arbitrary<infer T> ? T : never): ReturnType<typeof loadModelText> {
  const debt: Record<string, unknown> = {};
  let owed = 0;
  s.tranches.forEach((t, k) => {
    owed += t.opening;
    debt[`t${k}`] = {
      openingBalance: t.opening,
      ...(t.amount > 0 && t.draw < Math.min(s.months, t.maturity) ? { draws: [{ month: month(t.draw), amount: t.amount }] } : {}),
      ...(t.floating ? { base: "sofr", spread: t.rate, floor: -0.01 } : { rate: t.rate }),
      ...(t.fee > 0 ? { upfrontFee: t.fee } : {}),
      ...(t.interestOnly > 0 ? { interestOnlyMonths: t.interestOnly } : {}),
      amortization: t.amortization,
      maturity: month(t.maturity),
    };
  });
  const fleet: Record<string, unknown> = {};
  let fleetNbv = 0;
  s.cohorts.forEach((co, k) => {
    // Bought before the start: not in service yet (on the opening balance sheet at cost).
    const purchase = Math.min(co.purchase, s.months - 1);
    const inService = Math.min(purchase < 0 ? Math.max(1, purchase + co.lag) : purchase + co.lag, s.months - 1);
    fleet[`c${k}`] = { count: co.count, unitCost: 20000, purchase: month(purchase), inService: month(inService), lifeMonths: co.life, ...(co.service !== undefined ? { serviceLifeMonths: co.service } : {}) };
    const cost = (co.count * 20000) / 1e6;
    if (purchase < 0) fleetNbv += cost;
  });
  const financing: Record<string, unknown> = { debt, capitalizeInterest: { fleet: true } };
  if (s.interestRate !== undefined || s.overdraftRate !== undefined) financing.cash = { ...(s.interestRate !== undefined ? { interestRate: s.interestRate } : {}), ...(s.overdraftRate !== undefined ? { overdraftRate: s.overdraftRate } : {}) };
  if (s.revolver === 0) financing.revolver = { limit: 100, rate: 0.08, commitmentFee: 0.005 };
  const data = {
    meta: { company: "Generated", start: "2025-01", months: s.months, cashFloor: 10 },
    openingBalance: { cash: s.cash, debt: owed, paidInCapital: 100, retainedEarnings: s.cash + fleetNbv - owed - 100 },
    drivers: { rateShift: { constant: 0.01 }, sofr: { formula: `0.04 + rateShift * after("${month(s.rateShiftFrom)}")` } },
    lines: { sales: { type: "revenue", value: "40 + t" }, costs: { type: "operatingExpense", value: 30 } },
    fleet,
    financing,
    tax: { rate: 0.21 },
  };
  return loadModelText(JSON.stringify(data), "generated.json");
}

describe("the debt schedule and interest capitalised", () => {
  it("are exactly what walking every tranche and capitalising month by month give, whatever changed since the last evaluation", () => {
    fc.assert(
      fc.property(generated, fc.array(change, { minLength: 1, maxLength: 8 }), (s, changes) => sameAsFullComputation(generatedModel(s), changes)),
      {
        numRuns: 150,
        seed: 20261204,
        // Three cohorts earning at once, the second starting later: their interest must add in the cohorts' order.
        examples: [
          [
            { months: 12, cash: 0, rateShiftFrom: 1, interestRate: undefined, overdraftRate: undefined, revolver: 1, cohorts: [0, 1, 0, 0].map((purchase, k) => ({ purchase, lag: [3, 2, 3, 0][k], count: 100, life: 3, service: undefined })), tranches: [{ opening: 0, draw: 0, amount: 1, floating: true, rate: 0, fee: 0, interestOnly: 0, amortization: "bullet" as const, maturity: 3 }] },
            [{ pick: 0, kept: 0, scale: 0.5620367688838166, negate: 1, shift: 0 }],
          ],
        ],
      },
    );
  });

  it("are exactly the full computation for sites funded by their own construction loans and fleet cohorts", () => {
    const loaded = loadModelFile(resolve(__dirname, "../../test/fixtures/export/capitalized.yaml"));
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 6 }), (changes) => sameAsFullComputation(loaded, changes, debtAndAssets)),
      { numRuns: 40, seed: 20261205 },
    );
  });
});
