import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadModelText } from "../model/load.js";
import { projectModel } from "../index.js";
import { parseActuals, compareActuals, forwardMetrics } from "./index.js";

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../test/fixtures/actuals/${name}`, import.meta.url)), "utf8");

// Target Co by hand: 2025 revenue 10 a month, staff 12 → free cash flow −2 a month, cash 30 → 18
// at 2025-06 → 6 at 2025-12; 2026 revenue 15 → +3 a month.
const loaded = loadModelText(fixture("target-co.yaml"), "target-co.yaml");
const plan = projectModel(loaded);

function report(actuals: unknown, options: { threshold?: number; reforecast?: boolean } = {}) {
  const { set, issues } = parseActuals(actuals, loaded, "test");
  expect(issues).toEqual([]);
  return compareActuals(loaded, plan, set, { ...options, project: projectModel });
}

describe("actuals against the plan", () => {
  it("gives variance and variance % by period, flags beyond the threshold, and reads the direction", () => {
    const r = report([
      { name: "rev", metric: "revenue", period: "2025-Q3", value: 26, source: "[TC-04]" },
      { name: "rev-q2", metric: "revenue", period: "2025-Q2", value: 28, source: "[TC-04]", derivation: "test" },
      { name: "staff", metric: "staff", period: "2025-01..2025-06", value: 75, source: "[TC-03]", derivation: "test" },
    ]);
    const rev = r.rows.find((x) => x.name === "rev")!;
    expect(rev).toMatchObject({ actual: 26, plan: 30, variance: -4, flagged: true, reading: "unfavourable" });
    expect(rev.variancePct).toBeCloseTo(-4 / 30, 12);
    const q2 = r.rows.find((x) => x.name === "rev-q2")!;
    expect(q2.variancePct).toBeCloseTo(-2 / 30, 12);
    expect(q2.flagged).toBe(false); // 6.7% is inside the default 10%
    // A cost line of the model: 75 against 72 is 4.2% over plan, unfavourable.
    expect(r.rows.find((x) => x.name === "staff")).toMatchObject({ plan: 72, variance: 3, reading: "unfavourable", flagged: false });
    expect(r.lastReported).toBe("2025-09");
    expect(r.cash.basis).toBe("none");
    expect(r.forward.withCashVariance).toBeNull();
    expect(report([{ name: "rev", metric: "revenue", period: "2025-Q3", value: 28, source: "[TC-04]" }], { threshold: 0.05 }).rows[0].flagged).toBe(true);
  });

  it("carries a reported cash miss into the forward metrics: cash-out, runway and funding gap from the month after", () => {
    // Cash 10 at 2025-06 against the plan's 18: −8, so 2025-12 ends at 6 − 8 = −2.
    const r = report([{ name: "cash", metric: "endingCash", period: "2025-06", value: 10, source: "[TC-02]" }]);
    expect(r.cash).toMatchObject({ basis: "endingCash", variance: -8 });
    expect(r.forward.plan).toMatchObject({ from: "2025-07", cashOut: null, minCash: 6, minCashPeriod: "2025-12", fundingGap: 0, breakeven: "2026-01" });
    expect(r.forward.withCashVariance).toMatchObject({ cashOut: "2025-12", runwayMonths: 5, minCash: -2, fundingGap: 2, breakeven: "2026-01" });
    // The caveat on the half-year cash figure qualifies it.
    expect(r.rows[0].caveats).toEqual(["unaudited"]);
  });

  it("estimates the cash miss from reported free cash flow when no balance is reported, counting each month once", () => {
    const r = report([
      { name: "burn-h1", metric: "cashBurn", period: "2025-01..2025-06", value: 15, source: "[TC-02]", derivation: "test" },
      { name: "burn-q2", metric: "cashBurn", period: "2025-Q2", value: 9, source: "[TC-02]", derivation: "test" },
    ]);
    // Burn 15 against the plan's 12 over H1: cash 3 lower. The overlapping quarter is not added again.
    expect(r.cash).toMatchObject({ basis: "freeCashFlow", variance: -3, from: ["burn-h1"] });
    expect(r.rows.find((x) => x.name === "burn-q2")).toMatchObject({ plan: 6, variance: 3, reading: "unfavourable" });
  });

  it("rolls the plan forward from the reported balances: cash and debt at the cut, the plan's flows after", () => {
    const r = report(
      [
        { name: "cash", metric: "endingCash", period: "2025-06", value: 10, source: "[TC-02]" },
        { name: "debt", metric: "debt", period: "2025-06", value: 5, source: "[TC-02]", derivation: "test" },
      ],
      { reforecast: true },
    );
    const f = r.reforecast!;
    const june = f.result.months[5];
    expect(june.endingCash).toBeCloseTo(10, 9);
    expect(june.debt).toBeCloseTo(5, 9);
    // Revenue and staff after the cut are the plan's; the extra debt costs interest at the default 10%.
    expect(f.result.months[6].revenue).toBeCloseTo(plan.months[6].revenue, 9);
    expect(f.result.months[6].interestExpense).toBeCloseTo((5 * 0.1) / 12, 9);
    expect(f.result.months[11].endingCash).toBeCloseTo(10 - 12 - 6 * ((5 * 0.1) / 12), 9);
    // The interest on the extra debt brings the cash-out a month forward (2025-11 ends at −0.21).
    expect(f.metrics).toMatchObject({ from: "2025-07", cashOut: "2025-11", runwayMonths: 4 });
    expect(f.adjustments.map((a) => [a.item, a.applied])).toEqual([
      ["debt", true],
      ["endingCash", true],
    ]);
    expect(f.result.checks.balanced).toBe(true);
  });

  it("computes forward metrics over a window, from any month", () => {
    const m = forwardMetrics(plan, 12, 0);
    expect(m).toMatchObject({ from: "2026-01", cashOut: null, minCash: 9, minCashPeriod: "2026-01", breakeven: "2026-01", firstPositiveFreeCashFlow: "2026-01" });
    expect(forwardMetrics(plan, 12, 20).fundingGap).toBeCloseTo(11, 9);
  });

  it("rejects an actual with an unknown figure, a period outside the horizon or no followable source, saying where", () => {
    const { issues } = parseActuals(
      [
        { metric: "revenu", period: "2025-Q3", value: 1, source: "[TC-04]" },
        { metric: "revenue", period: "2027", value: 1, source: "[TC-04]" },
        { metric: "revenue", period: "2025-Q1", value: 1, source: "a newspaper" },
        { metric: "cashOut", period: "2025", value: 1, source: "[TC-04]" },
      ],
      loaded,
      "test",
    );
    expect(issues.map((i) => [i.code, i.path.join(".")])).toEqual([
      ["unknown_metric", "actuals.0.metric"],
      ["period_outside_horizon", "actuals.1.period"],
      ["unfollowable_actual", "actuals.2.source"],
      ["horizon_metric", "actuals.3.metric"],
    ]);
    expect(issues[0].message).toMatch(/did you mean "revenue"/);
  });
});
