import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { loadModelText } from "../model/load.js";
import { compileModel } from "./compile.js";
import { evaluate } from "./project.js";
import { checkProjection } from "./checks.js";
import { buildResult } from "./result.js";
import { arbitraryModel } from "../testing/arbitraryModel.js";

function project(data: unknown) {
  const loaded = loadModelText(JSON.stringify(data), "generated.json");
  const compiled = compileModel(loaded.model, loaded.extensions);
  const proj = evaluate(compiled);
  return { loaded, compiled, proj };
}

describe("accounting identities over generated models", () => {
  it("the balance sheet balances and the cash flow ties every month", () => {
    fc.assert(
      fc.property(arbitraryModel(), ({ data }) => {
        const { proj } = project(data);
        const checks = checkProjection(proj); // throws on any break or non-finite number
        expect(checks.maxImbalance).toBeLessThanOrEqual(1e-6);
        const it = proj.items;
        let previous = (data as { openingBalance: { cash: number } }).openingBalance.cash;
        for (let t = 0; t < it.endingCash.length; t++) {
          const change = it.operatingCashFlow[t] + it.investingCashFlow[t] + it.financingCashFlow[t];
          expect(Math.abs(it.endingCash[t] - previous - change)).toBeLessThanOrEqual(1e-6);
          previous = it.endingCash[t];
        }
      }),
      { numRuns: 150 },
    );
  });

  it("retained earnings and debt roll forward month to month", () => {
    fc.assert(
      fc.property(arbitraryModel(), ({ data }) => {
        const { proj, compiled } = project(data);
        const it = proj.items;
        void compiled;
        let re = proj.opening.retainedEarnings;
        let debt = proj.opening.debt;
        for (let t = 0; t < it.netIncome.length; t++) {
          re += it.netIncome[t];
          debt += it.debtDrawn[t] - it.debtRepaid[t];
          expect(it.retainedEarnings[t]).toBeCloseTo(re, 6);
          expect(it.debt[t]).toBeCloseTo(debt, 6);
          expect(it.debt[t]).toBeGreaterThanOrEqual(-1e-9);
          // Capitalised interest is part of the interest incurred, never more.
          expect(it.capitalizedInterest[t]).toBeGreaterThanOrEqual(0);
          expect(it.capitalizedInterest[t]).toBeLessThanOrEqual(Math.max(0, it.grossInterest[t]) + 1e-9);
          expect(it.interestExpense[t]).toBeCloseTo(it.grossInterest[t] - it.capitalizedInterest[t], 9);
          // Scheduled principal is the part of repayments not refinanced and not swept by a revolver.
          expect(it.scheduledPrincipal[t]).toBeGreaterThanOrEqual(0);
          expect(it.scheduledPrincipal[t]).toBeLessThanOrEqual(it.debtRepaid[t] + 1e-9);
          void t;
        }
      }),
      { numRuns: 100 },
    );
  });

  it("taxes a fiscal year's income: never below zero for the year, losses offsetting at most lossOffsetLimit of it", () => {
    fc.assert(
      fc.property(arbitraryModel(), ({ data }) => {
        const { proj, compiled } = project(data);
        const it = proj.items;
        const tax = (data as { tax: { rate: number; lossOffsetLimit: number } }).tax;
        const fy = compiled.calendar.fiscalYear;
        let income = 0;
        let paid = 0;
        for (let t = 0; t < it.taxes.length; t++) {
          income += it.pretaxIncome[t];
          paid += it.taxes[t];
          // Within the year to date: the tax so far is rate × (income − losses used), losses
          // used at most lossOffsetLimit of the income; never a refund of an earlier year.
          expect(paid).toBeGreaterThanOrEqual(-1e-9);
          expect(paid).toBeLessThanOrEqual(tax.rate * Math.max(0, income) + 1e-9);
          expect(paid).toBeGreaterThanOrEqual(tax.rate * (1 - tax.lossOffsetLimit) * Math.max(0, income) - 1e-9);
          expect(it.lossCarryforward[t]).toBeGreaterThanOrEqual(-1e-9);
          if (t === it.taxes.length - 1 || fy[t + 1] !== fy[t]) {
            income = 0;
            paid = 0;
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it("a cohort's depreciation never exceeds its cost less salvage, and book value never drops below salvage", () => {
    fc.assert(
      fc.property(arbitraryModel(), ({ data }) => {
        const { proj, compiled } = project(data);
        compiled.cohorts.forEach((co, k) => {
          const p = compiled.params;
          const cost = (p[co.slots.count] * p[co.slots.unitCost]) / compiled.unitScale;
          const salvage = (p[co.slots.count] * p[co.slots.salvage]) / compiled.unitScale;
          const total = proj.cohorts[k].depreciation.reduce((a, b) => a + b, 0);
          expect(total).toBeLessThanOrEqual(cost - salvage + 1e-9);
          for (const nbv of proj.cohorts[k].netBookValue) if (nbv !== 0) expect(nbv).toBeGreaterThanOrEqual(salvage - 1e-9);
          // Bought and retired within the horizon: depreciation plus the book value removed at
          // retirement (proceeds − gain) is the whole cost.
          const retirement = proj.cohortService[2 * k + 1];
          const series = proj.cohorts[k];
          if (!co.preStart && retirement < compiled.months && retirement >= 0) {
            const removed = series.retirementProceeds.reduce((a, b) => a + b, 0) - series.retirementGain.reduce((a, b) => a + b, 0);
            expect(total + removed).toBeCloseTo(cost, 6);
          }
        });
      }),
      { numRuns: 100 },
    );
  });

  it("interest is zero when there is no debt", () => {
    fc.assert(
      fc.property(arbitraryModel(), ({ data }) => {
        const d = data as { financing: { debt: Record<string, { openingBalance: number }>; revolver?: { openingBalance: number }; cash?: { overdraftRate?: unknown } }; openingBalance: Record<string, number> };
        // Without the loans, their opening balances go to equity so the sheet still balances.
        for (const tranche of Object.values(d.financing.debt)) d.openingBalance.retainedEarnings += tranche.openingBalance;
        d.openingBalance.retainedEarnings += d.financing.revolver?.openingBalance ?? 0;
        d.financing.debt = {};
        delete d.financing.revolver;
        if (d.financing.cash) delete d.financing.cash.overdraftRate;
        const { proj } = project(data);
        for (let t = 0; t < proj.items.interestExpense.length; t++) {
          expect(proj.items.interestExpense[t]).toBe(0);
          expect(proj.items.debt[t]).toBe(0);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("the funding gap is the smallest extra opening cash that keeps cash at the floor (with interest on cash and a revolver too)", () => {
    fc.assert(
      fc.property(arbitraryModel(), ({ data }) => {
        const { loaded, compiled, proj } = project(data);
        const floor = compiled.params[compiled.slots.cashFloor];
        const gap = buildResult(loaded, proj).metrics.fundingGap;
        expect(gap).toBeGreaterThanOrEqual(0);
        // Re-evaluate with the gap added to opening cash (a param; equity balances it).
        const slot = compiled.table.slot("openingBalance.cash")!;
        const lowest = (extra: number) => {
          const params = compiled.baseParams.slice();
          params[slot] += extra;
          return Math.min(...evaluate(compiled, params).items.endingCash);
        };
        expect(lowest(gap)).toBeGreaterThanOrEqual(floor - 1e-6 * Math.max(1, floor));
        if (gap > 1e-6) expect(lowest(gap - 1e-5 * Math.max(1, gap))).toBeLessThan(floor);
      }),
      { numRuns: 80 },
    );
  });

  it("a revolver keeps cash at the floor while it has room, and is repaid from cash above it", () => {
    fc.assert(
      fc.property(arbitraryModel(), ({ data }) => {
        const { compiled, proj } = project(data);
        const rv = proj.revolver;
        if (!rv) return;
        const floor = compiled.params[compiled.slots.cashFloor];
        const it = proj.items;
        const tol = 1e-7 * Math.max(1, floor);
        for (let t = 0; t < compiled.months; t++) {
          expect(rv.balance[t]).toBeGreaterThanOrEqual(0);
          if (rv.limit[t] > 0 || t === 0 || rv.balance[t - 1] === 0) expect(rv.balance[t]).toBeLessThanOrEqual(Math.max(rv.limit[t], 0) + tol);
          if (rv.limit[t] > 0 && rv.balance[t] < rv.limit[t] - tol) expect(it.endingCash[t]).toBeGreaterThanOrEqual(floor - tol);
          if (rv.limit[t] > 0 && it.endingCash[t] > floor + tol) expect(rv.balance[t]).toBe(0);
          expect(rv.drawn[t] * rv.repaid[t]).toBe(0);
        }
      }),
      { numRuns: 100 },
    );
  });
});

const base = {
  meta: { company: "Hand", start: "2025-01", months: 12 },
  openingBalance: { cash: 100, paidInCapital: 100 },
};

describe("conventions, checked by hand", () => {
  it("charges interest on the month's opening balance at the annual rate / 12", () => {
    const { proj } = project({
      ...base,
      openingBalance: { cash: 100, paidInCapital: 100, debt: 0 },
      financing: { debt: { loan: { draws: [{ month: "2025-02", amount: 120 }], rate: 0.12, maturity: "2026-12" } } },
    });
    expect(proj.items.interestExpense[1]).toBe(0); // drawn during February: no interest until March
    expect(proj.items.interestExpense[2]).toBeCloseTo(1.2, 12);
  });

  it("amortizes straight-line after the interest-only months and repays the rest at maturity", () => {
    const { proj } = project({
      ...base,
      openingBalance: { cash: 100, debt: 60, paidInCapital: 40 },
      financing: { debt: { loan: { openingBalance: 60, rate: 0.1, amortization: "straightLine", interestOnlyMonths: 6, maturity: "2025-12" } } },
    });
    const principal = proj.tranches[0].principal;
    for (let t = 0; t < 6; t++) expect(principal[t]).toBe(0);
    for (let t = 6; t < 12; t++) expect(principal[t]).toBeCloseTo(10, 10);
    expect(proj.items.debt[11]).toBeCloseTo(0, 10);
  });

  it("pays a level annuity: principal plus interest is constant without new draws", () => {
    const { proj } = project({
      ...base,
      openingBalance: { cash: 100, debt: 100, paidInCapital: 0 },
      financing: { debt: { loan: { openingBalance: 100, rate: 0.12, amortization: "annuity", maturity: "2025-12" } } },
    });
    const pay = proj.tranches[0].principal.map((p, t) => p + proj.items.cashInterest[t]);
    // Excel: PMT(1%, 12, -100) = 8.88487887...
    for (const x of pay) expect(x).toBeCloseTo(8.884878867834166, 9);
  });

  it("uses tax losses before paying tax", () => {
    const { proj } = project({
      ...base,
      lines: { sales: { type: "revenue", value: 10 } },
      tax: { rate: 0.2, openingLossCarryforward: 25 },
    });
    // 10 of profit a month: months 1-2 use 20 of losses, month 3 uses 5 and pays tax on 5.
    expect(proj.items.taxes[0]).toBe(0);
    expect(proj.items.taxes[1]).toBe(0);
    expect(proj.items.taxes[2]).toBeCloseTo(1, 12);
    expect(proj.items.taxes[3]).toBeCloseTo(2, 12);
  });

  it("depreciates a cohort straight-line from its in-service month", () => {
    const { proj } = project({
      ...base,
      fleet: { gpus: { count: 1000, unitCost: 48000, purchase: "2025-02", inService: "2025-04", lifeMonths: 48, powerKw: 1, pue: 1.5, powerPrice: 0.1 } },
    });
    expect(proj.items.capex[1]).toBeCloseTo(48, 12);
    expect(proj.items.depreciation[2]).toBe(0);
    expect(proj.items.depreciation[3]).toBeCloseTo(1, 12);
    // April: 1000 GPUs × 1 kW × 1.5 PUE × 720 h × $0.10 = $108,000 = 0.108 million
    expect(proj.items.powerCost[3]).toBeCloseTo(0.108, 12);
  });

  it("fills yearly figures so that months sum to the year when asked", () => {
    const { proj } = project({
      ...base,
      meta: { company: "Hand", start: "2025-01", months: 24 },
      drivers: { r: { yearly: { 2025: 120, 2026: 480 }, fill: "growth", sumToYear: true } },
      lines: { sales: { type: "revenue", value: "r" } },
    });
    const y1 = proj.items.revenue.slice(0, 12).reduce((a, b) => a + b, 0);
    expect(y1).toBeCloseTo(120, 9);
    expect(proj.items.revenue[1] / proj.items.revenue[0]).toBeCloseTo(Math.pow(4, 1 / 12), 12);
  });

  it("records dilution and post-money for equity rounds", () => {
    const { loaded, proj } = project({
      ...base,
      lines: { sales: { type: "revenue", value: 5 } },
      financing: { equity: { a: { month: "2025-03", amount: 20, preMoney: 80 } } },
    });
    const r = buildResult(loaded, proj).metrics.equityRounds[0];
    expect(r.postMoney).toBe(100);
    expect(r.dilution).toBeCloseTo(0.2, 12);
    expect(r.valuationToAnnualizedRevenue).toBeCloseTo(100 / 60, 12);
  });

  it("finds breakeven only when net income stays non-negative to the end", () => {
    const { loaded, proj } = project({
      ...base,
      lines: { sales: { type: "revenue", value: "if(t == 3 || t >= 6, 10, 0)" }, cost: { type: "operatingExpense", value: 5 } },
    });
    expect(buildResult(loaded, proj).metrics.breakeven).toBe("2025-07");
  });

  it("lets prev() build a series on last month's value", () => {
    const { proj } = project({
      ...base,
      drivers: { users: "prev(users, 100) * 1.1" },
      lines: { sales: { type: "revenue", value: "users / 100" } },
    });
    expect(proj.items.revenue[0]).toBeCloseTo(1.1, 12);
    expect(proj.items.revenue[2]).toBeCloseTo(1.331, 12);
  });

  it("leaves a refinanced repayment out of debt service while paying it in cash", () => {
    const model = (refinancing: boolean) => ({
      ...base,
      lines: { sales: { type: "revenue", value: 10 } },
      openingBalance: { cash: 100, debt: 50, paidInCapital: 50 },
      financing: { debt: { loan: { openingBalance: 50, rate: 0.12, amortization: "schedule", repayments: [{ month: "2025-03", amount: 50, refinancing }], maturity: "2026-12" } } },
    });
    const plain = project(model(false)).proj;
    const refi = project(model(true)).proj;
    expect(plain.items.debtService[2]).toBeCloseTo(50.5, 12);
    expect(refi.items.debtService[2]).toBeCloseTo(0.5, 12);
    expect(refi.items.debtRepaid[2]).toBe(50);
    expect(refi.items.endingCash[2]).toBe(plain.items.endingCash[2]);
  });

  it("leaves a refinanced repayment out of debt service in the maturity month too", () => {
    // 50 at 12 % a year: interest 50 × 0.12 / 12 = 0.5 a month. The listed repayment of 50
    // falls in the maturity month (March) and is marked as a refinancing, so March's debt
    // service is the interest alone: 0.5 (it was 50.5 when the refinanced amount was only
    // dropped before maturity). Cash still pays the 50.
    const model = (refinancing: boolean) => ({
      ...base,
      lines: { sales: { type: "revenue", value: 10 } },
      openingBalance: { cash: 100, debt: 50, paidInCapital: 50 },
      financing: { debt: { loan: { openingBalance: 50, rate: 0.12, amortization: "schedule", repayments: [{ month: "2025-03", amount: 50, refinancing }], maturity: "2025-03" } } },
    });
    const plain = project(model(false));
    const refi = project(model(true));
    expect(plain.proj.items.debtService[2]).toBeCloseTo(50.5, 12);
    expect(refi.proj.items.debtService[2]).toBeCloseTo(0.5, 12);
    expect(refi.proj.items.scheduledPrincipal[2]).toBe(0);
    expect(refi.proj.items.debtRepaid[2]).toBe(50);
    expect(refi.proj.items.endingCash[2]).toBe(plain.proj.items.endingCash[2]);
    // DSCR that month: (EBITDA 10 − taxes 0) / 0.5 = 20, not 10 / 50.5.
    expect(refi.proj.ratios.dscr[2]).toBeCloseTo(20, 12);
  });

  it("fills yearly totals smoothly: no step at the turn of the year, and each year sums to its figure", () => {
    const { proj } = project({
      ...base,
      meta: { company: "Hand", start: "2025-01", months: 36 },
      drivers: { r: { yearly: { 2025: 500, 2026: 2000, 2027: 5400 }, fill: "smooth", sumToYear: true } },
      lines: { sales: { type: "revenue", value: "r" } },
    });
    const rev = proj.items.revenue;
    for (const [y, total] of [[0, 500], [1, 2000], [2, 5400]] as const) {
      expect(rev.slice(y * 12, y * 12 + 12).reduce((a, b) => a + b, 0)).toBeCloseTo(total, 9);
    }
    // Month-on-month growth around the year end stays close to the growth inside the years
    // (the compound fill's December → January jump is what this fill avoids).
    const growth = (t: number) => rev[t] / rev[t - 1];
    expect(growth(12)).toBeLessThan(1.2);
    expect(growth(12)).toBeGreaterThan(1.05);
    expect(Math.abs(growth(12) - growth(11))).toBeLessThan(0.08);
  });

  it("books stock-based compensation as an expense that costs no cash and adds to paid-in capital", () => {
    const model = (nonCash: boolean) => ({
      ...base,
      lines: { sales: { type: "revenue", value: 10 }, sbc: { type: "operatingExpense", category: "R&D", value: 3, nonCash } },
      workingCapital: { payableDays: 30 },
    });
    const cash = project(model(false)).proj;
    const shares = project(model(true)).proj;
    expect(shares.items.netIncome[0]).toBe(cash.items.netIncome[0]);
    expect(shares.items.operatingCashFlow[0] - cash.items.operatingCashFlow[0]).toBeCloseTo(3 - (3 / 31) * 30, 12);
    expect(shares.items.paidInCapital[11]).toBeCloseTo(100 + 36, 12);
    expect(shares.items.payables[0]).toBe(0);
  });
});
