import { describe, it, expect } from "vitest";
import { loadModelText } from "../model/load.js";
import { ModelError } from "../model/issues.js";
import { compileModel } from "./compile.js";
import { evaluate } from "./project.js";
import { buildResult } from "./result.js";

/**
 * The financing and fleet mechanics an analyst expects, each against a small model whose
 * figures are worked out by hand in the comments.
 */
function project(data: unknown) {
  const loaded = loadModelText(JSON.stringify(data), "hand.json");
  const compiled = compileModel(loaded.model, loaded.extensions);
  const proj = evaluate(compiled);
  return { loaded, compiled, proj, result: buildResult(loaded, proj) };
}

function loadError(data: unknown): string {
  try {
    loadModelText(JSON.stringify(data), "hand.json");
  } catch (error) {
    if (error instanceof ModelError) return error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n");
    throw error;
  }
  return "";
}

const list = (a: Float64Array) => Array.from(a);

describe("a revolving credit facility", () => {
  // Limit 50 at 12 % (1 % a month), commitment fee 0.6 % a year on the undrawn part
  // (0.0005 a month), cash floor 10. Opening cash 20; January costs 30, February brings
  // 40 of revenue, March costs 100, April nothing. No tax.
  const model = {
    meta: { company: "Hand", start: "2025-01", months: 4, cashFloor: 10 },
    openingBalance: { cash: 20, paidInCapital: 20 },
    lines: {
      sales: { type: "revenue", value: "if(month == 2, 40, 0)" },
      costs: { type: "operatingExpense", value: "if(month == 1, 30, if(month == 3, 100, 0))" },
    },
    financing: { revolver: { limit: 50, rate: 0.12, commitmentFee: 0.006 } },
  };

  it("draws to the floor, repays from cash above it, and stops at its limit", () => {
    const { proj } = project(model);
    const rv = proj.revolver!;
    // Jan: fee 50 × 0.0005 = 0.025; before the revolver 20 − 30 − 0.025 = −10.025, so it
    //      draws 20.025 to bring cash to the floor of 10.
    // Feb: interest 20.025 × 1 % = 0.20025, fee (50 − 20.025) × 0.0005 = 0.0149875;
    //      before 10 + 40 − 0.20025 − 0.0149875 = 49.7847625: repays all 20.025 → 29.7597625.
    // Mar: fee 0.025; before 29.7597625 − 0.025 − 100 = −70.2652375: needs 80.27, draws
    //      the whole 50 → −20.2652375 (the floor cannot be held).
    // Apr: interest 50 × 1 % = 0.5, no fee (fully drawn): −20.7652375.
    expect(list(rv.drawn)).toEqual([expect.closeTo(20.025, 12), 0, 50, 0]);
    expect(list(rv.repaid)).toEqual([0, expect.closeTo(20.025, 12), 0, 0]);
    expect(list(rv.balance)).toEqual([expect.closeTo(20.025, 12), 0, 50, 50]);
    expect(list(rv.commitmentFee)).toEqual([expect.closeTo(0.025, 12), expect.closeTo(0.0149875, 12), expect.closeTo(0.025, 12), 0]);
    expect(list(rv.interest)).toEqual([0, expect.closeTo(0.20025, 12), 0, expect.closeTo(0.5, 12)]);
    expect(list(proj.items.endingCash)).toEqual([expect.closeTo(10, 12), expect.closeTo(29.7597625, 12), expect.closeTo(-20.2652375, 12), expect.closeTo(-20.7652375, 12)]);
    // The revolver is debt: drawn and repaid in the cash-flow statement, in the balance sheet.
    expect(proj.items.debtDrawn[0]).toBeCloseTo(20.025, 12);
    expect(proj.items.debt[2]).toBe(50);
    expect(proj.items.revolverBalance[2]).toBe(50);
    // Interest cost: interest plus commitment fee; repayments from excess cash are not
    // scheduled principal (only a repayment at the revolver's maturity is).
    expect(proj.items.interestExpense[1]).toBeCloseTo(0.20025 + 0.0149875, 12);
    expect(proj.items.debtService[1]).toBeCloseTo(0.20025 + 0.0149875, 12);
  });

  it("makes the funding gap the extra opening cash needed beyond the revolver", () => {
    const { result, compiled } = project(model);
    // With X more opening cash (X ≥ 20.025, so January needs no draw):
    //   Jan −10.025 + X; Feb (fee 0.025) X + 29.95; Mar (fee 0.025) X − 70.075 → draws
    //   80.075 − X to the floor; Apr: interest (80.075 − X) × 1 %, fee (X − 30.075) ×
    //   0.0005, so before drawing 9.2142875 + 0.0095 X; the room left, X − 30.075, must
    //   cover 10 − that: X ≥ (30.075 + 0.7857125) / 1.0095 = 30.5702947…
    // (Below 20.025 the March shortfall alone is more than the extra cash.)
    const gap = (30.075 + 0.7857125) / 1.0095;
    expect(result.metrics.fundingGap).toBeCloseTo(gap, 7);
    expect(result.metrics.minCash).toBeCloseTo(-20.7652375, 12);
    // Adding it to opening cash (a param) holds the floor in every month.
    const params = compiled.baseParams.slice();
    params[compiled.table.slot("openingBalance.cash")!] += result.metrics.fundingGap;
    const cash = evaluate(compiled, params).items.endingCash;
    expect(Math.min(...cash)).toBeGreaterThanOrEqual(10 - 1e-9);
  });

  it("repays a balance above a lower limit, and everything at maturity", () => {
    const { proj } = project({
      meta: { company: "Hand", start: "2025-01", months: 4 },
      openingBalance: { cash: 0, debt: 30, paidInCapital: -30 },
      financing: { revolver: { limit: "if(t >= 1, 20, 50)", openingBalance: 30, rate: 0, maturity: "2025-03" } },
    });
    const rv = proj.revolver!;
    // Jan: limit 50, cash 0 = floor: nothing moves. Feb: limit 20 < 30: 10 repaid, and
    // the floor (0) then needs a draw the limit no longer allows → cash −10. Mar:
    // maturity: the 20 left is repaid (scheduled principal) → cash −30.
    expect(list(rv.balance)).toEqual([30, 20, 0, 0]);
    expect(list(rv.repaid)).toEqual([0, 10, 20, 0]);
    expect(list(proj.items.endingCash)).toEqual([0, -10, -30, -30]);
    expect(proj.items.scheduledPrincipal[2]).toBe(20);
    expect(proj.items.scheduledPrincipal[1]).toBe(0);
  });

  it("validates its terms", () => {
    const bad = (revolver: Record<string, unknown>) => loadError({ meta: { company: "Hand", start: "2025-01", months: 4 }, openingBalance: { cash: 0 }, financing: { revolver } });
    expect(bad({ limit: 50 })).toMatch(/financing.revolver: give the revolver a fixed `rate`/);
    expect(bad({ limit: 50, rate: 0.1, base: "sofr", spread: 0.02 })).toMatch(/not both/);
    expect(bad({ limit: "borrowingBase", rate: 0.1 })).toMatch(/financing.revolver.limit: unknown name "borrowingBase"/);
    expect(bad({ limit: 50, rate: 0.1, openingBalance: 10 })).toMatch(/openingBalance: the opening balance sheet does not balance/);
    expect(bad({ limit: 50, rate: 0.1, openingBalance: 60 })).toMatch(/financing.revolver.openingBalance: the opening balance 60 is above the limit 50/);
  });
});

describe("interest on cash", () => {
  it("earns interest income on the opening cash of each month, taxed like other income", () => {
    const { proj } = project({
      meta: { company: "Hand", start: "2025-01", months: 3 },
      openingBalance: { cash: 100, paidInCapital: 100 },
      financing: { cash: { interestRate: 0.06 } },
      tax: { rate: 0.2 },
    });
    // Jan: 100 × 6 % / 12 = 0.5 of interest income, tax 0.1, cash 100.4.
    // Feb: 100.4 × 0.005 = 0.502, tax 0.1004, cash 100.8016.
    expect(list(proj.items.interestIncome)).toEqual([expect.closeTo(0.5, 12), expect.closeTo(0.502, 12), expect.closeTo(0.5040080, 12)]);
    expect(proj.items.taxes[1]).toBeCloseTo(0.1004, 12);
    expect(proj.items.endingCash[1]).toBeCloseTo(100.8016, 12);
    // Interest expense, net = expense − income: negative for a company that only earns.
    expect(proj.items.netInterestExpense[0]).toBeCloseTo(-0.5, 12);
    expect(proj.items.pretaxIncome[0]).toBeCloseTo(0.5, 12);
  });

  it("charges overdraft interest on negative cash: the simplest credit line", () => {
    const { proj, result } = project({
      meta: { company: "Hand", start: "2025-01", months: 3 },
      openingBalance: { cash: 10, paidInCapital: 10 },
      lines: { costs: { type: "operatingExpense", value: "if(t == 0, 30, 0)" } },
      financing: { cash: { overdraftRate: 0.12 } },
    });
    // Jan: 10 − 30 = −20 (opening cash was positive: no charge). Feb: 20 × 1 % = 0.2 →
    // −20.2. Mar: 20.2 × 1 % = 0.202 → −20.402.
    expect(list(proj.items.endingCash)).toEqual([-20, expect.closeTo(-20.2, 12), expect.closeTo(-20.402, 12)]);
    expect(list(proj.items.interestExpense)).toEqual([0, expect.closeTo(0.2, 12), expect.closeTo(0.202, 12)]);
    expect(proj.items.cashInterest[2]).toBeCloseTo(0.202, 12);
    // The gap: 20 at the start keeps cash at 0 in January, and then nothing is charged.
    expect(result.metrics.fundingGap).toBeCloseTo(20, 9);
  });

  it("solves the funding gap through interest earned on the extra cash", () => {
    const { result } = project({
      meta: { company: "Hand", start: "2025-01", months: 3 },
      openingBalance: { cash: 10, paidInCapital: 10 },
      lines: { costs: { type: "operatingExpense", value: "if(t == 0, 30, 0)" } },
      financing: { cash: { interestRate: 0.06, overdraftRate: 0.12 } },
    });
    // With X more: January earns (10 + X) × 0.005 and ends at −19.95 + 1.005 X ≥ 0, so
    // X = 19.95 / 1.005 = 19.8507462…; then February and March open at 0 and stay there.
    expect(result.metrics.fundingGap).toBeCloseTo(19.95 / 1.005, 8);
    expect(result.metrics.fundingGap).toBeLessThan(20);
  });
});

describe("opening balances as inputs", () => {
  const model = {
    meta: { company: "Hand", start: "2025-01", months: 3 },
    openingBalance: { cash: 100, receivables: 20, payables: 10, paidInCapital: 50, retainedEarnings: 60 },
    lines: { costs: { type: "operatingExpense", value: 10 } },
    workingCapital: { receivableDays: 0, payableDays: 0 },
  };

  it("are params that an evaluation may move, balanced by retained earnings", () => {
    const { compiled, proj } = project(model);
    for (const path of ["openingBalance.cash", "openingBalance.receivables", "openingBalance.ppeNet", "openingBalance.payables", "openingBalance.paidInCapital", "openingBalance.ppeRemainingLifeMonths", "tax.openingLossCarryforward"]) {
      expect(compiled.table.slot(path), path).toBeDefined();
    }
    const params = compiled.baseParams.slice();
    params[compiled.table.slot("openingBalance.cash")!] += 40;
    const moved = evaluate(compiled, params);
    // Cash is 40 higher every month; opening retained earnings 60 + 40 = 100.
    expect(moved.opening.retainedEarnings).toBe(100);
    expect(moved.items.endingCash[2]).toBeCloseTo(100 - 30 + 20 - 10 + 40, 12);
    expect(moved.items.totalAssets[2] - moved.items.totalLiabilities[2] - moved.items.equity[2]).toBeCloseTo(0, 12);
    void proj;
  });

  it("can be sampled by uncertain: and moved by solve", async () => {
    const { compileUncertainty, applySample } = await import("../uncertainty/spec.js");
    const { solve } = await import("../uncertainty/solve.js");
    const { parseTarget } = await import("../uncertainty/solveTarget.js");
    const loaded = loadModelText(JSON.stringify({ ...model, uncertain: { openingCash: { path: "openingBalance.cash", distribution: "uniform", min: 50, max: 150, assumption: "test" } } }), "hand.json");
    const compiled = compileModel(loaded.model, loaded.extensions);
    const spec = compileUncertainty(loaded, compiled);
    const params = compiled.baseParams.slice();
    applySample(params, spec.inputs[0], 70);
    // 70 − 3 × 10 of costs + 20 collected − 10 paid = 50 at the end of March.
    expect(evaluate(compiled, params).items.endingCash[2]).toBeCloseTo(50, 12);
    // Solve: the base's lowest cash is 80 (March), so an opening cash of 100 − 80 = 20 gives 0.
    const report = solve(loaded, compiled, null, "openingBalance.cash", parseTarget("minCash >= 0", compiled), { between: [0, 200] });
    expect(report.answer!.value).toBeCloseTo(20, 6);
  });
});
