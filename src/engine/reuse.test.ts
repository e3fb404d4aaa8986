import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { loadModelText } from "../model/load.js";
import { compileModel, type CompiledModel } from "./compile.js";
import { evaluate, createWorkspace, type Projection } from "./project.js";
import { computeMetrics, metricVector } from "./metrics.js";
import { arbitraryModel } from "../testing/arbitraryModel.js";

/**
 * A workspace keeps what an evaluation computed from inputs that did not change since
 * the last one (the tranches' walks, the fleet cohorts): evaluating a sequence of params
 * in one workspace must give, to the last bit, what a new workspace gives for each.
 */
const sameNumber = (a: number, b: number) => Object.is(a, b);

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let t = 0; t < a.length; t++) if (!sameNumber(a[t], b[t])) return t;
  return a.length === b.length ? -1 : a.length;
}

/** Every series of a projection, named. */
function seriesOf(proj: Projection): [string, ArrayLike<number>][] {
  const out: [string, ArrayLike<number>][] = [];
  for (const [name, v] of Object.entries(proj.items)) out.push([`items.${name}`, v]);
  for (const [name, v] of Object.entries(proj.ratios)) out.push([`ratios.${name}`, v]);
  proj.tranches.forEach((tr, k) => Object.entries(tr).forEach(([name, v]) => out.push([`tranche${k}.${name}`, v as Float64Array])));
  proj.cohorts.forEach((co, k) => Object.entries(co).forEach(([name, v]) => out.push([`cohort${k}.${name}`, v as Float64Array])));
  proj.opexByCategory.forEach((v, k) => out.push([`category${k}`, v]));
  if (proj.revolver) Object.entries(proj.revolver).forEach(([name, v]) => out.push([`revolver.${name}`, v as Float64Array]));
  if (proj.capitalization) {
    proj.capitalization.interest.forEach((v, a) => out.push([`capitalized${a}`, v]));
    proj.capitalization.depreciation.forEach((v, a) => out.push([`capDepreciation${a}`, v]));
  }
  out.push(["cohortService", proj.cohortService], ["rounds", proj.rounds], ["opening", Object.values(proj.opening)]);
  return out;
}

/** The projection and metrics of params, or the error's message. */
function outcome(c: CompiledModel, params: Float64Array, ws = createWorkspace(c)): { series: [string, number[]][]; metrics: number[] } | string {
  try {
    const proj = evaluate(c, params, ws);
    const metrics = Array.from(computeMetrics(proj, metricVector(), c.params[c.slots.cashFloor]));
    return { series: seriesOf(proj).map(([name, v]) => [name, Array.from(v)]), metrics };
  } catch (error) {
    return String((error as Error).message);
  }
}

/**
 * One param moved: a slot scaled (or set, if zero) or a month slot shifted by whole
 * months; half of the picks among the debt's and the fleet's params, which the workspace
 * keeps between evaluations.
 */
const change = fc.record({ pick: fc.nat(), kept: fc.boolean(), scale: fc.double({ min: 0.5, max: 1.5, noNaN: true }), shift: fc.integer({ min: -3, max: 3 }) });
type Change = typeof change extends fc.Arbitrary<infer T> ? T : never;

function move(c: CompiledModel, params: Float64Array, { pick, kept: inKept, scale, shift }: Change): void {
  const all = c.table.paths.map((_, slot) => slot);
  const kept = all.filter((slot) => /^(financing|fleet|drivers\.sofr)\./.test(c.table.paths[slot]));
  const among = inKept && kept.length > 0 ? kept : all;
  if (among.length === 0) return;
  const slot = among[pick % among.length];
  if (c.table.kinds[slot] === "month") params[slot] += shift;
  else params[slot] = params[slot] === 0 ? scale - 0.5 : params[slot] * scale;
}

/**
 * The same evaluations in one workspace and each in a new one, equal to the last bit: the
 * file's params, then one param moved at a time (each params evaluated twice in a row,
 * the second time with nothing changed).
 */
function sameAsNewWorkspaces(data: unknown, changes: Change[]): void {
  const loaded = loadModelText(JSON.stringify(data), "generated.json");
  const c = compileModel(loaded.model, loaded.extensions);
  const reused = createWorkspace(c);
  const params = Float64Array.from(c.baseParams);
  for (let i = 0; i <= changes.length; i++) {
    if (i > 0) move(c, params, changes[i - 1]);
    const fresh = outcome(c, params);
    for (let twice = 0; twice < 2; twice++) {
      const again = outcome(c, params, reused);
      if (typeof fresh === "string" || typeof again === "string") {
        expect(again).toEqual(fresh);
        continue;
      }
      for (let k = 0; k < fresh.series.length; k++) {
        const [name, values] = fresh.series[k];
        expect({ name, at: firstDifference(again.series[k][1], values) }).toEqual({ name, at: -1 });
      }
      expect(firstDifference(again.metrics, fresh.metrics)).toBe(-1);
    }
  }
}

/**
 * Models that capitalise interest on GPU cohorts bought months before they go into
 * service, with debt (fixed and floating), and cash that earns or pays interest or not.
 */
const capitalizing = fc.record({
  months: fc.integer({ min: 21, max: 36 }),
  cash: fc.integer({ min: -50, max: 300 }),
  interestRate: fc.option(fc.double({ min: 0, max: 0.08, noNaN: true }), { nil: undefined, freq: 2 }),
  overdraftRate: fc.option(fc.double({ min: 0, max: 0.2, noNaN: true }), { nil: undefined, freq: 2 }),
  revolver: fc.boolean(),
  cohorts: fc.array(fc.record({ purchase: fc.integer({ min: -6, max: 12 }), lag: fc.integer({ min: 1, max: 8 }), count: fc.integer({ min: 100, max: 5000 }) }), { minLength: 1, maxLength: 3 }),
  tranches: fc.array(fc.record({ opening: fc.integer({ min: 0, max: 400 }), draw: fc.integer({ min: 0, max: 12 }), amount: fc.integer({ min: 0, max: 300 }), floating: fc.boolean(), rate: fc.double({ min: 0, max: 0.15, noNaN: true }), amortization: fc.constantFrom("bullet", "straightLine", "annuity"), maturity: fc.integer({ min: 3, max: 40 }) }), { minLength: 1, maxLength: 3 }),
});

const month = (m: number) => `${2025 + Math.floor(m / 12)}-${String((((m % 12) + 12) % 12) + 1).padStart(2, "0")}`;

function capitalizingModel(s: typeof capitalizing extends fc.Arbitrary<infer T> ? T : never): unknown {
  const debt: Record<string, unknown> = {};
  let owed = 0;
  s.tranches.forEach((t, k) => {
    owed += t.opening;
    debt[`t${k}`] = {
      openingBalance: t.opening,
      ...(t.amount > 0 && t.draw < Math.min(s.months, t.maturity) ? { draws: [{ month: month(t.draw), amount: t.amount }] } : {}),
      ...(t.floating ? { base: "sofr", spread: t.rate, floor: 0.01 } : { rate: t.rate }),
      amortization: t.amortization,
      maturity: month(t.maturity),
    };
  });
  const fleet: Record<string, unknown> = {};
  // Cohorts bought before the start are on the opening balance sheet at their book value.
  let fleetNbv = 0;
  s.cohorts.forEach((co, k) => {
    fleet[`c${k}`] = { count: co.count, unitCost: 20000, purchase: month(co.purchase), inService: month(co.purchase + co.lag), lifeMonths: 36 };
    const cost = (co.count * 20000) / 1e6;
    if (co.purchase < 0) fleetNbv += cost - (cost / 36) * Math.min(36, Math.max(0, -(co.purchase + co.lag)));
  });
  const financing: Record<string, unknown> = { debt, capitalizeInterest: { fleet: true } };
  if (s.interestRate !== undefined || s.overdraftRate !== undefined) financing.cash = { ...(s.interestRate !== undefined ? { interestRate: s.interestRate } : {}), ...(s.overdraftRate !== undefined ? { overdraftRate: s.overdraftRate } : {}) };
  if (s.revolver) financing.revolver = { limit: 100, rate: 0.08, commitmentFee: 0.005 };
  return {
    meta: { company: "Generated", start: "2025-01", months: s.months, cashFloor: 10 },
    openingBalance: { cash: s.cash, debt: owed, paidInCapital: 100, retainedEarnings: s.cash + fleetNbv - owed - 100 },
    drivers: { sofr: 0.04 },
    lines: { sales: { type: "revenue", value: "40 + t" }, costs: { type: "operatingExpense", value: 30 } },
    fleet,
    financing,
    tax: { rate: 0.21 },
  };
}

describe("a workspace evaluated again", () => {
  it("gives exactly what a new workspace gives, whatever changed since its last evaluation", () => {
    fc.assert(
      fc.property(arbitraryModel(), fc.array(change, { minLength: 1, maxLength: 8 }), ({ data }, changes) => sameAsNewWorkspaces(data, changes)),
      { numRuns: 100, seed: 20261202 },
    );
  });

  it("gives exactly what a new workspace gives for interest capitalised on the fleet, whatever changed", () => {
    fc.assert(
      fc.property(capitalizing, fc.array(change, { minLength: 1, maxLength: 8 }), (s, changes) => sameAsNewWorkspaces(capitalizingModel(s), changes)),
      { numRuns: 100, seed: 20261203 },
    );
  });
});
