import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { loadModelText } from "../model/load.js";
import { compileModel } from "./compile.js";
import { evaluate } from "./project.js";
import { computeMetrics, covenantBreaches, metricVector, METRIC_INDEX } from "./metrics.js";
import { arbitraryModel } from "../testing/arbitraryModel.js";

/**
 * Monte Carlo counts covenant breaches per path without listing them; the count must be
 * the number of breaches `run` lists, for every kind of covenant.
 */
const covenant = fc.record({
  metric: fc.constantFrom("dscr", "netDebtToEbitda", "interestCoverage", "minCash"),
  bound: fc.constantFrom("min", "max"),
  limit: fc.oneof(fc.double({ min: -5, max: 50, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true })),
  basis: fc.constantFrom("ltm", "month"),
  test: fc.constantFrom("monthly", "quarterly"),
  from: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
});

describe("covenant breaches counted per path", () => {
  it("are as many as the breaches listed, for every metric, bound, basis and test", () => {
    fc.assert(
      fc.property(arbitraryModel(), fc.array(covenant, { minLength: 1, maxLength: 4 }), ({ data }, list) => {
        const model = structuredClone(data) as { meta: { start: string; months: number }; financing: { covenants: Record<string, unknown> } };
        const [year, month] = model.meta.start.split("-").map(Number);
        model.financing.covenants = Object.fromEntries(
          list.map((c, i) => {
            const from = c.from !== undefined && c.from < model.meta.months ? { from: `${year + Math.floor((month - 1 + c.from) / 12)}-${String(((month - 1 + c.from) % 12) + 1).padStart(2, "0")}` } : {};
            return [`c${i}`, { metric: c.metric, [c.bound]: c.limit, basis: c.basis, test: c.test, ...from }];
          }),
        );
        const loaded = loadModelText(JSON.stringify(model), "generated.json");
        const compiled = compileModel(loaded.model, loaded.extensions);
        const proj = evaluate(compiled);
        const metrics = computeMetrics(proj, metricVector(), compiled.params[compiled.slots.cashFloor], 0, false);
        expect(metrics[METRIC_INDEX.covenantBreaches]).toBe(covenantBreaches(proj).length);
      }),
      { numRuns: 150, seed: 20261202 },
    );
  });

  it("count a month's leverage as net debt over twelve times the month's EBITDA", () => {
    const model = {
      meta: { company: "Example", start: "2025-01", months: 12 },
      openingBalance: { cash: 0, debt: 1000, paidInCapital: 0, retainedEarnings: -1000 },
      drivers: {},
      lines: { sales: { type: "revenue", value: "20 + t" } },
      financing: { debt: { loan: { openingBalance: 1000, rate: 0, maturity: "2030-01" } }, covenants: { leverage: { metric: "netDebtToEbitda", max: 3, basis: "month", test: "monthly" } } },
    };
    const loaded = loadModelText(JSON.stringify(model), "example.json");
    const compiled = compileModel(loaded.model, loaded.extensions);
    const proj = evaluate(compiled);
    const metrics = computeMetrics(proj, metricVector(), 0, 0, false);
    // Net debt 1,000 − cash earned over 12 × the month's EBITDA (20 + t): above 3× in the first months.
    const expected = proj.items.endingCash.filter((cash, t) => (1000 - cash) / (12 * (20 + t)) > 3).length;
    expect(expected).toBeGreaterThan(0);
    expect(metrics[METRIC_INDEX.covenantBreaches]).toBe(expected);
    expect(covenantBreaches(proj).length).toBe(expected);
  });
});
