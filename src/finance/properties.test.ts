/**
 * Properties that tie the functions to each other and to their definitions. Tolerances
 * are relative to the size of the amounts involved: the identities hold to rounding,
 * and rounding scales with the biggest quantity the computation passes through.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FinanceError, fv, ipmt, irr, npv, type PaymentTiming, pmt, ppmt, pv, rate, xirr, xnpv } from "./index.js";

const RUNS = { numRuns: 300 };

/** Money in cents up to ±1,000,000, so no amount is absurdly small next to another. */
const money = fc.integer({ min: -100_000_000, max: 100_000_000 }).map((c) => c / 100);
const positiveMoney = fc.integer({ min: 1, max: 100_000_000 }).map((c) => c / 100);
const negativeMoney = positiveMoney.map((m) => -m);
const periodRate = fc.oneof(fc.constant(0), fc.double({ min: -0.05, max: 0.5, noNaN: true }));
const nper = fc.integer({ min: 1, max: 480 });
const timing = fc.constantFrom<PaymentTiming>(0, 1);

function expectClose(actual: number, expected: number, scale: number, tolerance = 1e-9): void {
  const allowed = tolerance * Math.max(1, Math.abs(scale));
  if (!(Math.abs(actual - expected) <= allowed)) {
    expect.fail(`expected ${actual} to be within ${allowed} of ${expected}`);
  }
}

/**
 * r is a root of f: either f(r) is ~0 next to the size of the terms, or f changes sign
 * within a few units in the last place of r — the root is as exact as a double allows,
 * even if f is so steep there (a rate within 1e-14 of -100%) that f(r) itself is not small.
 */
function expectRoot(f: (r: number) => number, r: number, size: number): void {
  if (Math.abs(f(r)) <= 1e-8 * Math.max(1, size)) return;
  const delta = 4 * Number.EPSILON * Math.max(1, Math.abs(r));
  const below = f(r - delta);
  const above = f(r + delta);
  if (Math.sign(below) * Math.sign(above) <= 0) return;
  expect.fail(`f(${r}) = ${f(r)} is not ~0 (size ${size}) and f does not change sign around it`);
}

/** Flows that start negative and end positive: NPV changes sign, so an IRR must exist. */
const investment = fc
  .tuple(negativeMoney, fc.array(money, { maxLength: 28 }), positiveMoney)
  .map(([first, middle, last]) => [first, ...middle, last]);

/** An outlay followed by non-negative returns: exactly one IRR. */
const simpleInvestment = fc
  .tuple(negativeMoney, fc.array(fc.integer({ min: 0, max: 100_000_000 }).map((c) => c / 100), { maxLength: 28 }), positiveMoney)
  .map(([first, middle, last]) => [first, ...middle, last]);

describe("IRR and NPV", () => {
  it("NPV at the IRR is ~0 whenever the flows change sign from first to last", () => {
    fc.assert(
      fc.property(investment, (values) => {
        const r = irr(values);
        expect(r).toBeGreaterThan(-1);
        // Excel's NPV discounts every flow one more period; that changes nothing at a root.
        expectRoot((x) => npv(x, values), r, npv(r, values.map(Math.abs)));
      }),
      RUNS,
    );
  });

  it("for any mix of signs IRR either finds a rate with NPV ~0 or throws FinanceError NUM", () => {
    const flows = fc.array(money, { minLength: 2, maxLength: 20 }).filter((v) => v.some((x) => x > 0) && v.some((x) => x < 0));
    fc.assert(
      fc.property(flows, fc.double({ min: -0.9, max: 1, noNaN: true }), (values, guess) => {
        let r: number;
        try {
          r = irr(values, guess);
        } catch (err) {
          expect(err).toBeInstanceOf(FinanceError);
          expect((err as FinanceError).code).toBe("NUM");
          return;
        }
        expectRoot((x) => npv(x, values), r, npv(r, values.map(Math.abs)));
      }),
      RUNS,
    );
  });

  it("IRR of an annuity's flows is the RATE of that annuity", () => {
    fc.assert(
      fc.property(positiveMoney, negativeMoney, fc.integer({ min: 1, max: 60 }), (principal, payment, n) => {
        const flows = [principal, ...Array.from({ length: n }, () => payment)];
        let expected: number;
        try {
          expected = rate(n, payment, principal);
        } catch {
          return; // payments that never repay the principal at any rate > -100%
        }
        expectClose(irr(flows), expected, expected, 1e-7);
      }),
      RUNS,
    );
  });

  it("NPV discounts the first value one period: npv(r, [v0, ...rest])·(1+r) = v0 + npv(r, rest)", () => {
    fc.assert(
      fc.property(fc.double({ min: -0.5, max: 1, noNaN: true }), money, fc.array(money, { minLength: 1, maxLength: 30 }), (r, v0, rest) => {
        const lhs = npv(r, [v0, ...rest]) * (1 + r);
        const rhs = v0 + npv(r, rest);
        expectClose(lhs, rhs, Math.abs(v0) + npv(r, rest.map(Math.abs)));
      }),
      RUNS,
    );
  });

  it("NPV at rate 0 is the plain sum", () => {
    fc.assert(
      fc.property(fc.array(money, { minLength: 1, maxLength: 50 }), (values) => {
        const sum = values.reduce((a, b) => a + b, 0);
        expectClose(npv(0, values), sum, values.reduce((a, b) => a + Math.abs(b), 0), 1e-12);
      }),
      RUNS,
    );
  });
});

/** Dates as Excel serials from 2000 on, the first being the earliest. */
function datedSchedule(length: number, minGap: number, maxGap: number) {
  return fc
    .tuple(
      fc.integer({ min: 36526, max: 47000 }),
      fc.array(fc.integer({ min: minGap, max: maxGap }), { minLength: length - 1, maxLength: length - 1 }),
    )
    .map(([start, gaps]) => {
      const dates = [start];
      for (const gap of gaps) dates.push(dates[dates.length - 1] + gap);
      return dates;
    });
}

describe("XIRR and XNPV", () => {
  it("XNPV at the XIRR is ~0 whenever the flows change sign from first to last", () => {
    // At least a year between flows keeps the annualised root within what doubles can
    // hold; a day apart, a 1:10^8 ratio of flows means a rate of (10^8)^365.
    const schedule = investment.chain((values) =>
      datedSchedule(values.length, 365, 1000).map((dates) => ({ values, dates })),
    );
    fc.assert(
      fc.property(schedule, ({ values, dates }) => {
        const r = xirr(values, dates);
        expect(r).toBeGreaterThan(-1);
        expectRoot((x) => xnpv(x, values, dates), r, xnpv(r, values.map(Math.abs), dates));
      }),
      RUNS,
    );
  });

  it("for any dated flows with both signs XIRR either finds XNPV ~0 or throws FinanceError NUM", () => {
    const flows = fc.array(money, { minLength: 2, maxLength: 20 }).filter((v) => v.some((x) => x > 0) && v.some((x) => x < 0));
    const schedule = flows.chain((values) => datedSchedule(values.length, 0, 400).map((dates) => ({ values, dates })));
    fc.assert(
      fc.property(schedule, ({ values, dates }) => {
        let r: number;
        try {
          r = xirr(values, dates);
        } catch (err) {
          expect(err).toBeInstanceOf(FinanceError);
          expect((err as FinanceError).code).toBe("NUM");
          return;
        }
        expectRoot((x) => xnpv(x, values, dates), r, xnpv(r, values.map(Math.abs), dates));
      }),
      RUNS,
    );
  });

  it("with flows exactly 365 days apart XIRR equals IRR", () => {
    fc.assert(
      fc.property(simpleInvestment, fc.integer({ min: 36526, max: 40000 }), (values, start) => {
        const dates = values.map((_, i) => start + 365 * i);
        const expected = irr(values);
        expectClose(xirr(values, dates), expected, expected, 1e-8);
      }),
      RUNS,
    );
  });

  it("XNPV at rate 0 is the plain sum, and the first flow is never discounted", () => {
    fc.assert(
      fc.property(investment, fc.double({ min: -0.5, max: 1, noNaN: true }), (values, r) => {
        const dates = values.map((_, i) => 40000 + 30 * i);
        expectClose(xnpv(0, values, dates), values.reduce((a, b) => a + b, 0), values.reduce((a, b) => a + Math.abs(b), 0), 1e-12);
        expect(xnpv(r, values.slice(0, 1), dates.slice(0, 1))).toBe(values[0]);
      }),
      RUNS,
    );
  });
});

describe("annuity identities", () => {
  it("PV(rate, n, PMT(rate, n, pv, fv, type), fv, type) round-trips to pv", () => {
    fc.assert(
      fc.property(periodRate, nper, money, money, timing, (r, n, principal, target, t) => {
        const payment = pmt(r, n, principal, target, t);
        // |fv|·(1+r)^-n is how large fv looms when discounted to today.
        const scale = Math.abs(principal) + Math.abs(pv(r, n, 0, target));
        expectClose(pv(r, n, payment, target, t), principal, scale);
      }),
      RUNS,
    );
  });

  it("FV(rate, n, pmt, PV(rate, n, pmt, fv, type), type) round-trips to fv", () => {
    fc.assert(
      fc.property(periodRate, nper, money, money, timing, (r, n, payment, target, t) => {
        const principal = pv(r, n, payment, target, t);
        // fv(r, n, -1, 0, t) is the accumulated value of one unit paid each period.
        const scale = Math.abs(target) + Math.abs(payment * fv(r, n, -1, 0, t));
        expectClose(fv(r, n, payment, principal, t), target, scale);
      }),
      RUNS,
    );
  });

  it("with no payments FV compounds pv and PV discounts it back", () => {
    fc.assert(
      fc.property(periodRate, nper, money, (r, n, principal) => {
        const grown = fv(r, n, 0, principal);
        expectClose(grown, -principal * Math.pow(1 + r, n), grown);
        expectClose(pv(r, n, 0, grown), principal, principal);
      }),
      RUNS,
    );
  });

  it("IPMT + PPMT = PMT for every period and both types", () => {
    fc.assert(
      fc.property(periodRate, fc.integer({ min: 1, max: 120 }), money, money, timing, (r, n, principal, target, t) => {
        const payment = pmt(r, n, principal, target, t);
        for (let per = 1; per <= n; per++) {
          const interest = ipmt(r, per, n, principal, target, t);
          const principalPart = ppmt(r, per, n, principal, target, t);
          expectClose(interest + principalPart, payment, Math.max(Math.abs(payment), Math.abs(interest)), 1e-12);
        }
      }),
      RUNS,
    );
  });

  it("the PPMTs over all periods repay the loan: they sum to -pv when fv = 0", () => {
    fc.assert(
      fc.property(periodRate, fc.integer({ min: 1, max: 120 }), money, timing, (r, n, principal, t) => {
        let sum = 0;
        let interestSize = 0;
        for (let per = 1; per <= n; per++) {
          sum += ppmt(r, per, n, principal, 0, t);
          interestSize += Math.abs(ipmt(r, per, n, principal, 0, t));
        }
        expectClose(sum, -principal, Math.abs(principal) + interestSize);
      }),
      RUNS,
    );
  });

  it("with payments in advance (type 1) no interest is in the first payment", () => {
    fc.assert(
      fc.property(periodRate, nper, money, money, (r, n, principal, target) => {
        expect(ipmt(r, 1, n, principal, target, 1)).toBe(0);
      }),
      RUNS,
    );
  });

  it("RATE recovers the rate used to build a PMT", () => {
    // With a single payment in advance and fv = 0 every rate fits, so type 1 needs n >= 2.
    const loan = fc
      .tuple(periodRate, nper, positiveMoney, timing, fc.boolean())
      .filter(([, n, , t]) => n >= 2 || t === 0);
    fc.assert(
      fc.property(loan, ([r, n, amount, t, lend]) => {
        const principal = lend ? -amount : amount;
        const payment = pmt(r, n, principal, 0, t);
        expectClose(rate(n, payment, principal, 0, t), r, 1, 1e-7);
      }),
      RUNS,
    );
  });

  it("RATE recovers the rate of a savings plan with a target fv", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.0001, max: 0.3, noNaN: true }), fc.integer({ min: 2, max: 360 }), positiveMoney, timing, (r, n, target, t) => {
        const deposit = pmt(r, n, 0, target, t);
        expectClose(rate(n, deposit, 0, target, t), r, 1, 1e-7);
      }),
      RUNS,
    );
  });
});

describe("rate = 0 limits", () => {
  it("match Excel's rate-0 formulas exactly", () => {
    fc.assert(
      fc.property(nper, money, money, money, timing, (n, principal, payment, target, t) => {
        expect(pmt(0, n, principal, target, t)).toBe(-(principal + target) / n || 0);
        expect(fv(0, n, payment, principal, t)).toBe(-(principal + payment * n) || 0);
        expect(pv(0, n, payment, target, t)).toBe(-(target + payment * n) || 0);
        const per = Math.ceil(n / 2);
        expect(ipmt(0, per, n, principal, target, t)).toBe(0);
        expect(ppmt(0, per, n, principal, target, t)).toBe(pmt(0, n, principal, target, t));
      }),
      RUNS,
    );
  });

  it("are the limits of the general formulas as the rate shrinks", () => {
    fc.assert(
      fc.property(fc.constantFrom(1e-9, -1e-9, 1e-13, 1e-300), nper, money, money, money, timing, (tiny, n, principal, payment, target, t) => {
        const scale = Math.abs(principal) + Math.abs(payment) * n + Math.abs(target);
        expectClose(pmt(tiny, n, principal, target, t), pmt(0, n, principal, target, t), scale / n, 1e-5);
        expectClose(fv(tiny, n, payment, principal, t), fv(0, n, payment, principal, t), scale, 1e-5);
        expectClose(pv(tiny, n, payment, target, t), pv(0, n, payment, target, t), scale, 1e-5);
      }),
      RUNS,
    );
  });
});
