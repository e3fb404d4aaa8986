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

describe("debt terms", () => {
  const base = { meta: { company: "Hand", start: "2025-01", months: 12 }, openingBalance: { cash: 100, paidInCapital: 100 } };
  const loan = (tranche: Record<string, unknown>, extra: Record<string, unknown> = {}) => project({ ...base, ...extra, financing: { debt: { loan: tranche } } }).proj;

  it("counts interest-only months as interest payments: the draw month does not count", () => {
    // Drawn in January (no interest that month), 3 interest-only months: Feb, Mar, Apr.
    // Principal from May: 120 / 8 months left to December = 15 a month.
    const proj = loan({ draws: [{ month: "2025-01", amount: 120 }], rate: 0.12, amortization: "straightLine", interestOnlyMonths: 3, maturity: "2025-12" });
    const principal = list(proj.tranches[0].principal);
    expect(principal.slice(0, 4)).toEqual([0, 0, 0, 0]);
    for (let t = 4; t < 12; t++) expect(principal[t]).toBeCloseTo(15, 12);
    // Feb–Apr pay interest only: 120 × 1 % = 1.2.
    expect(list(proj.items.debtService).slice(1, 4)).toEqual([expect.closeTo(1.2, 12), expect.closeTo(1.2, 12), expect.closeTo(1.2, 12)]);
  });

  it("expenses an upfront fee at the draw, or amortizes it to maturity", () => {
    // A 2 % fee on a 100 draw in January, maturity October, no interest.
    const tranche = { draws: [{ month: "2025-01", amount: 100 }], rate: 0, upfrontFee: 0.02, maturity: "2025-10" };
    const expensed = loan({ ...tranche, feeTreatment: "expense" });
    expect(expensed.items.interestExpense[0]).toBeCloseTo(2, 12);
    expect(expensed.items.interestExpense[1]).toBe(0);
    expect(expensed.items.unamortizedFees[0]).toBe(0);
    // Amortized: nothing in January (10 months left, nothing deferred yet), then 2 / 9 in
    // each of February … October.
    const amortized = loan(tranche);
    expect(amortized.items.interestExpense[0]).toBe(0);
    for (let t = 1; t < 10; t++) expect(amortized.items.interestExpense[t]).toBeCloseTo(2 / 9, 12);
    expect(amortized.items.unamortizedFees[0]).toBeCloseTo(2, 12);
    // Either way 2 of cash leaves at the draw.
    expect(expensed.items.financingFees[0]).toBeCloseTo(2, 12);
    expect(amortized.items.financingFees[0]).toBeCloseTo(2, 12);
  });

  it("repays several maturities: a share, an amount (here refinanced), then the rest", () => {
    // 100 of notes at 6 % (0.5 a month on 100): March repays 25 % = 25, June 30 paid from
    // new money (cash out, not debt service), September the 45 left.
    const proj = loan(
      { openingBalance: 100, rate: 0.06, maturity: [{ month: "2025-03", share: 0.25 }, { month: "2025-06", amount: 30, refinancing: true }, { month: "2025-09" }] },
      { openingBalance: { cash: 100, debt: 100, paidInCapital: 0 } },
    );
    expect(list(proj.tranches[0].balance)).toEqual([100, 100, 75, 75, 75, 45, 45, 45, 0, 0, 0, 0]);
    expect(proj.items.debtService[2]).toBeCloseTo(0.5 + 25, 12);
    expect(proj.items.debtService[5]).toBeCloseTo(0.375, 12); // 75 × 0.5 % interest, the 30 refinanced
    expect(proj.items.debtRepaid[5]).toBe(30);
    expect(proj.items.debtService[8]).toBeCloseTo(45 * 0.005 + 45, 12);
  });

  it("takes a maturity's share of the principal drawn up to that month", () => {
    // 40 drawn in January, 60 in April; half of the principal is due in March: 0.5 × 40.
    const proj = loan({ draws: [{ month: "2025-01", amount: 40 }, { month: "2025-04", amount: 60 }], rate: 0, maturity: [{ month: "2025-03", share: 0.5 }, { month: "2025-12" }] });
    expect(proj.tranches[0].principal[2]).toBe(20);
    expect(proj.tranches[0].principal[11]).toBe(80);
  });

  it("refuses maturities that do not add up", () => {
    const tranche = (maturity: unknown) => loadError({ ...base, financing: { debt: { loan: { draws: [{ month: "2025-01", amount: 10 }], rate: 0.1, maturity } } } });
    expect(tranche([{ month: "2025-06" }, { month: "2025-03" }])).toMatch(/maturity.1.month: maturities are out of order/);
    expect(tranche([{ month: "2025-03" }, { month: "2025-06" }])).toMatch(/maturity.0: give the share of the principal/);
    expect(tranche([{ month: "2025-03", share: 0.7 }, { month: "2025-06", share: 0.7 }])).toMatch(/add up to 1.4/);
    expect(tranche([{ month: "2025-03", share: 0.5 }, { month: "2025-06", amount: 5 }])).toMatch(/the last maturity repays whatever is left/);
    expect(tranche([{ month: "2025-03", share: 0.5 }, { month: "2025-06", share: 0.5 }])).toBe("");
  });

  it("taxes the fiscal year's income, not each month's: a later loss in the year reverses earlier tax", () => {
    // 20 % tax, no losses carried in. January earns 10 (tax 2), February loses 10: the year
    // to date is 0, so February's tax is −2 and nothing is carried forward. March earns 10
    // again: tax 2. A loss in one year is carried into the next.
    const { proj } = project({ ...base, meta: { ...base.meta, months: 14 }, lines: { sales: { type: "revenue", value: "if(t == 0 || t == 2, 10, if(t == 1, -10, if(t == 11, -30, 0)))" } }, tax: { rate: 0.2 } });
    expect(list(proj.items.taxes).slice(0, 3)).toEqual([expect.closeTo(2, 12), expect.closeTo(-2, 12), expect.closeTo(2, 12)]);
    expect(proj.items.lossCarryforward[1]).toBe(0);
    // December loses 30: the year (10 − 10 + 10 − 30 = −20) is a loss, its 2 of tax comes
    // back within the year and 20 is carried into the next year.
    expect(proj.items.taxes.slice(0, 12).reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
    expect(proj.items.lossCarryforward[11]).toBeCloseTo(20, 12);
  });

  it("caps the use of tax losses at a share of taxable income (the US 80 % rule)", () => {
    // 10 of profit a month, 100 of losses carried in, 20 % tax, at most 80 % offset: each
    // month uses 8 and pays 0.2 × 2 = 0.4; without the cap, ten months pay nothing.
    const data = (limit?: number) => ({ ...base, meta: { ...base.meta, months: 14 }, lines: { sales: { type: "revenue", value: 10 } }, tax: { rate: 0.2, openingLossCarryforward: 100, ...(limit === undefined ? {} : { lossOffsetLimit: limit }) } });
    const capped = project(data(0.8)).proj;
    expect(capped.items.taxes[0]).toBeCloseTo(0.4, 12);
    expect(capped.items.lossCarryforward[11]).toBeCloseTo(4, 9);
    // Month 13 uses the last 4: tax 0.2 × 6 = 1.2; then 2 a month.
    expect(capped.items.taxes[12]).toBeCloseTo(1.2, 9);
    expect(capped.items.taxes[13]).toBeCloseTo(2, 12);
    const uncapped = project(data()).proj;
    expect(uncapped.items.taxes[9]).toBe(0);
    expect(uncapped.items.taxes[10]).toBeCloseTo(2, 12);
  });
});

describe("fleet service life, retirement and hours", () => {
  const base = { meta: { company: "Hand", start: "2025-01", months: 24 }, openingBalance: { cash: 100, paidInCapital: 100 } };
  // 1,000 GPUs at $12,000: a cost of 12 (USD millions), in service from January 2025.
  const cohort = { count: 1000, unitCost: 12000, purchase: "2025-01", lifeMonths: 12 };

  it("keeps a cohort earning after it is fully depreciated, then retires and sells it", () => {
    const { proj } = project({ ...base, fleet: { gpus: { ...cohort, serviceLifeMonths: 18, retirementProceedsPerUnit: 1000 } } });
    const it = proj.items;
    // Depreciation 12 / 12 = 1 a month through December 2025, none after.
    expect(it.depreciation[11]).toBeCloseTo(1, 12);
    expect(it.depreciation[12]).toBe(0);
    // Capacity for 18 months (January 2025 … June 2026): June has 30 days × 24 h × 1,000.
    expect(it.capacity[17]).toBe(720 * 1000);
    expect(it.capacity[18]).toBe(0);
    // Retired at the end of June 2026 (t = 17): 1,000 × $1,000 = 1.0 of cash, book value 0,
    // so a gain of 1.0; proceeds in investing, not in operating cash flow.
    expect(it.disposalProceeds[17]).toBeCloseTo(1, 12);
    expect(it.disposalGain[17]).toBeCloseTo(1, 12);
    expect(it.investingCashFlow[17]).toBeCloseTo(1, 12);
    expect(it.operatingCashFlow[17]).toBeCloseTo(0, 12);
    expect(it.pretaxIncome[17]).toBeCloseTo(1, 12);
    expect(proj.cohorts[0].netBookValue[16]).toBe(0);
    expect(it.ppeNet[17]).toBeCloseTo(0, 12);
  });

  it("books a loss when a cohort is retired before it is depreciated", () => {
    // Depreciation life 24 months (0.5 a month), retired after 12: book value 12 − 6 = 6,
    // no proceeds (salvage 0): a loss of 6 in December 2025, and PP&E back to 0.
    const { proj } = project({ ...base, fleet: { gpus: { ...cohort, lifeMonths: 24, serviceLifeMonths: 12 } } });
    const it = proj.items;
    expect(it.depreciation[11]).toBeCloseTo(0.5, 12);
    expect(it.depreciation[12]).toBe(0);
    expect(it.disposalGain[11]).toBeCloseTo(-6, 12);
    expect(it.disposalProceeds[11]).toBe(0);
    expect(it.ppeNet[11]).toBeCloseTo(0, 12);
    expect(it.capacity[12]).toBe(0);
  });

  it("sells at salvage value by default at the end of the depreciation life", () => {
    // Salvage $2,000 a unit: depreciation (12 − 2) / 12 a month; in December 2025 the
    // cohort is sold for 2.0, exactly its book value: no gain.
    const { proj } = project({ ...base, fleet: { gpus: { ...cohort, salvagePerUnit: 2000 } } });
    expect(proj.items.depreciation[0]).toBeCloseTo(10 / 12, 12);
    expect(proj.items.disposalProceeds[11]).toBeCloseTo(2, 12);
    expect(proj.items.disposalGain[11]).toBeCloseTo(0, 12);
    expect(proj.items.ppeNet[11]).toBeCloseTo(0, 12);
  });

  it("counts 730 hours in every month when the model says so, calendar hours otherwise", () => {
    const calendar = project({ ...base, fleet: { gpus: cohort } }).proj;
    const flat = project({ ...base, meta: { ...base.meta, hoursPerMonth: 730 }, fleet: { gpus: cohort } }).proj;
    expect(calendar.items.capacity[1]).toBe(672 * 1000); // February 2025: 28 days
    expect(calendar.items.capacity[0]).toBe(744 * 1000);
    expect(flat.items.capacity[1]).toBe(730 * 1000);
    expect(flat.items.capacity[0]).toBe(730 * 1000);
    // The formula built-in `hours` follows the same choice.
    const formula = project({ ...base, meta: { ...base.meta, hoursPerMonth: 730 }, lines: { sales: { type: "revenue", value: "hours / 1000" } } }).proj;
    expect(formula.items.revenue[1]).toBeCloseTo(0.73, 12);
  });
});

describe("interest capitalised on construction in progress", () => {
  // A 12 (USD millions) site built January–March 2025 (1 MW at $12M: 4 a month), live in
  // April, 12-month life; 100 of debt at 12 % (1 % a month).
  const model = (site: Record<string, unknown>, debt: Record<string, { openingBalance: number; [key: string]: unknown }>, capitalize: Record<string, boolean> = { sites: true }) => {
    const owed = Object.values(debt).reduce((sum, d) => sum + d.openingBalance, 0);
    return {
      meta: { company: "Hand", start: "2025-01", months: 8 },
      openingBalance: { cash: 200, debt: owed, paidInCapital: 200 - owed },
      sites: { s1: { powerMw: 1, costPerMw: 12000000, buildStart: "2025-01", goLive: "2025-04", lifeMonths: 12, pue: 1, powerPrice: 0, ...site } },
      fleet: { gpus: { count: 100, unitCost: 0, purchase: "2025-04", lifeMonths: 12, powerKw: 1, site: "s1" } },
      financing: { debt, capitalizeInterest: capitalize },
    };
  };
  it("adds interest on the accumulated spend to the site's cost until it is live", async () => {
    await import("../gpu/index.js");
    const { proj } = project(model({ debt: "loan" }, { loan: { openingBalance: 100, rate: 0.12, maturity: "2026-12" } }));
    const it = proj.items;
    // Jan: nothing spent before the month → 0. Feb: 4 spent × 1 % = 0.04. Mar: (8 + 0.04)
    // × 1 % = 0.0804. April the site is live: no more. Total 0.1204.
    expect(list(it.capitalizedInterest).slice(0, 4)).toEqual([0, expect.closeTo(0.04, 12), expect.closeTo(0.0804, 12), 0]);
    expect(list(it.grossInterest).slice(0, 3)).toEqual([expect.closeTo(1, 12), expect.closeTo(1, 12), expect.closeTo(1, 12)]);
    expect(it.interestExpense[1]).toBeCloseTo(0.96, 12);
    expect(it.interestExpense[2]).toBeCloseTo(0.9196, 12);
    // Capex includes it (interest paid on assets in progress is investing cash flow) …
    expect(it.capex[2]).toBeCloseTo(4.0804, 12);
    // … and the site is not depreciated while under construction; from April it is:
    // 12 / 12 = 1 a month, plus 0.1204 / 12 of capitalised interest.
    expect(it.depreciation[2]).toBe(0);
    expect(it.depreciation[3]).toBeCloseTo(1 + 0.1204 / 12, 12);
    // Cash is the same as without capitalisation: the interest is paid either way.
    const plain = project(model({ debt: "loan" }, { loan: { openingBalance: 100, rate: 0.12, maturity: "2026-12" } }, { sites: false })).proj;
    expect(plain.items.endingCash[7]).toBeCloseTo(it.endingCash[7], 9);
    expect(plain.items.capitalizedInterest[2]).toBe(0);
    expect(plain.items.depreciation[2]).toBe(0); // construction in progress is never depreciated
  });

  it("uses the funding tranche's rate on what it funds and the average rate on the rest", async () => {
    await import("../gpu/index.js");
    // The site's own loan is 5 at 6 %; the company also owes 100 at 12 %. Average rate:
    // (100 × 12 % + 5 × 6 %) / 105 = 11.714 %. Feb: 4 (≤ 5) × 0.5 % = 0.02. Mar: 5 × 0.5 %
    // + (8.02 − 5) × 11.714 % / 12 = 0.025 + 0.0294810 = 0.0544810.
    const { proj } = project(model({ debt: "siteLoan" }, { siteLoan: { openingBalance: 5, rate: 0.06, maturity: "2026-12" }, other: { openingBalance: 100, rate: 0.12, maturity: "2026-12" } }));
    const average = (100 * 0.12 + 5 * 0.06) / 105;
    expect(proj.items.capitalizedInterest[1]).toBeCloseTo(0.02, 12);
    expect(proj.items.capitalizedInterest[2]).toBeCloseTo(0.025 + (3.02 * average) / 12, 12);
  });

  it("never capitalises more than the interest incurred", async () => {
    await import("../gpu/index.js");
    // Only 1 of debt (0.01 of interest a month) against 4–8 of spend: all of it is capitalised.
    const { proj } = project(model({}, { loan: { openingBalance: 1, rate: 0.12, maturity: "2026-12" } }));
    expect(proj.items.capitalizedInterest[1]).toBeCloseTo(0.01, 12);
    expect(proj.items.interestExpense[1]).toBeCloseTo(0, 12);
  });

  it("capitalises interest on fleet cohorts waiting to go into service", () => {
    // 1,000 GPUs at $12,000 (12) bought in January, in service in April; 100 of debt at
    // 12 %. Feb: 12 × 1 % = 0.12; Mar: 12.12 × 1 % = 0.1212; from April depreciation is
    // 12 / 12 + 0.2412 / 12 a month.
    const { proj } = project({
      meta: { company: "Hand", start: "2025-01", months: 8 },
      openingBalance: { cash: 200, debt: 100, paidInCapital: 100 },
      fleet: { gpus: { count: 1000, unitCost: 12000, purchase: "2025-01", inService: "2025-04", lifeMonths: 12 } },
      financing: { debt: { loan: { openingBalance: 100, rate: 0.12, maturity: "2026-12" } }, capitalizeInterest: { fleet: true } },
    });
    expect(list(proj.items.capitalizedInterest).slice(0, 4)).toEqual([0, expect.closeTo(0.12, 12), expect.closeTo(0.1212, 12), 0]);
    expect(proj.items.depreciation[3]).toBeCloseTo(1 + 0.2412 / 12, 12);
    expect(proj.capitalization!.interest[0][2]).toBeCloseTo(0.1212, 12);
  });
});

describe("metrics that mean something", () => {
  it("reports DSCR and coverage as n/a for an equity-funded company, and flags a negative DSCR", async () => {
    const { metricsBlock, formatDscr } = await import("../cli/commands/run.js");
    const equityFunded = project({
      meta: { company: "Hand", start: "2025-01", months: 3 },
      openingBalance: { cash: 100, paidInCapital: 100 },
      lines: { costs: { type: "operatingExpense", value: 10 } },
      financing: { cash: { interestRate: 0.05 } },
    }).result;
    expect(equityFunded.metrics.minDscr).toBeNull();
    expect(equityFunded.metrics.interestCoverage).toBeNull();
    expect(equityFunded.metrics.minDscrFlag).toBeNull();
    expect(equityFunded.years[0].dscr).toBeNull();
    expect(formatDscr(equityFunded.years[0].dscr)).toBe("n/a");
    expect(metricsBlock(equityFunded)).toMatch(/Minimum DSCR\s+n\/a \(no debt service\)/);
    expect(metricsBlock(equityFunded)).toMatch(/Interest coverage \(min, LTM\)\s+n\/a \(no interest paid\)/);

    // 10 of costs a month, 120 of debt at 10 %: interest 1 a month, EBITDA −10, so DSCR
    // = −10 / 1 = −10 every month (the first, earliest, is reported) and coverage −10.
    const burning = project({
      meta: { company: "Hand", start: "2025-01", months: 3 },
      openingBalance: { cash: 100, debt: 120, paidInCapital: -20 },
      lines: { costs: { type: "operatingExpense", value: 10 } },
      financing: { debt: { loan: { openingBalance: 120, rate: 0.1, maturity: "2030-01" } } },
    }).result;
    expect(burning.metrics.minDscr).toBeCloseTo(-10, 12);
    expect(burning.metrics.minDscrPeriod).toBe("2025-01");
    expect(burning.metrics.minDscrFlag).toBe("negativeEbitda");
    expect(burning.metrics.interestCoverage).toBeCloseTo(-10, 12);
    expect(burning.metrics.interestCoverageFlag).toBe("negativeEbitda");
    expect(formatDscr(burning.years[0].dscr)).toBe("(10.00)†");
    expect(metricsBlock(burning)).toMatch(/\(10\.00\) in 2025-01 — EBITDA less taxes negative/);
  });

  it("counts burn as a positive number and breaks ties on the earliest month", () => {
    // Cash 100 → 90 → 90 → 80 → 80: the lowest (80) first happens in April.
    const { result } = project({
      meta: { company: "Hand", start: "2025-01", months: 5 },
      openingBalance: { cash: 100, paidInCapital: 100 },
      lines: { costs: { type: "operatingExpense", value: "if(t == 0 || t == 3, 10, 0)" } },
      financing: { equity: { top: { month: "2025-05", amount: 0 } } },
    });
    expect(result.metrics.cumulativeBurn).toBe(20);
    expect(result.metrics.minCash).toBe(80);
    expect(result.metrics.minCashPeriod).toBe("2025-04");
  });
});
