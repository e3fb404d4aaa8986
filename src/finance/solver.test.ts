import { describe, expect, it } from "vitest";
import { ipmt, irr, npv, pmt, pv, rate, xirr } from "./index.js";
import { RESIDUAL_TOLERANCE, type RateEquation, solveRate } from "./solver.js";

/** f(r) = atan(r − 0.3): Newton overshoots and diverges from any start farther than ~1.4. */
const atan: RateEquation = (r) => ({
  value: Math.atan(r - 0.3),
  slope: 1 / (1 + (r - 0.3) ** 2),
  magnitude: 1,
});

describe("solveRate", () => {
  it("uses Newton where it converges", () => {
    expect(solveRate(atan, { guess: 0.5, newtonIterations: 20 })).toBeCloseTo(0.3, 10);
  });

  it("falls back to bracketing + Brent where Newton diverges", () => {
    const root = solveRate(atan, { guess: 5, newtonIterations: 20 });
    expect(root).toBeDefined();
    expect(Math.abs(Math.atan((root as number) - 0.3))).toBeLessThanOrEqual(RESIDUAL_TOLERANCE);
  });

  it("falls back when Newton runs out of iterations", () => {
    const root = solveRate(atan, { guess: 0.5, newtonIterations: 0 });
    expect(root).toBeCloseTo(0.3, 10);
  });

  it("reports undefined when nothing changes sign", () => {
    const positive: RateEquation = (r) => ({ value: 1 + r * r, slope: 2 * r, magnitude: 1 + r * r });
    expect(solveRate(positive, { guess: 0.1, newtonIterations: 20 })).toBeUndefined();
  });
});

describe("IRR solving", () => {
  // -100 + 230/(1+r) - 132/(1+r)^2 = 0 at r = 10% and r = 20%.
  const twoRoots = [-100, 230, -132];

  it("returns the root nearest the guess when there are several, like Excel", () => {
    expect(irr(twoRoots, 0.05)).toBeCloseTo(0.1, 10);
    expect(irr(twoRoots, 0.25)).toBeCloseTo(0.2, 10);
  });

  it("finds a rate far above the Newton starting point", () => {
    const r = irr([-1, 1e9]);
    expect(Math.abs(r - (1e9 - 1)) / 1e9).toBeLessThan(1e-9);
  });

  it("finds a rate within a hair of -100%", () => {
    const r = irr([-1_000_000, 0.01]);
    expect(r).toBeGreaterThan(-1);
    // Doubles near -1 are 1.1e-16 apart, so 1 + r is known to about that.
    expect(1 + r).toBeCloseTo(1e-8, 15);
  });

  it("finds a rate near -100% when large outflows come between", () => {
    const values = [-0.01, ...Array.from({ length: 30 }, () => -1e6), 0.01];
    const r = irr(values);
    expect(r).toBeGreaterThan(-1);
    expect(Math.abs(npv(r, values))).toBeLessThanOrEqual(1e-8 * npv(r, values.map(Math.abs)));
  });

  it("ignores leading and trailing zero flows", () => {
    expect(irr([0, 0, -100, 110, 0])).toBeCloseTo(0.1, 12);
    expect(xirr([0, -100, 110], ["2019-06-01", "2020-01-01", "2020-12-31"])).toBeCloseTo(0.1, 12);
  });

  it("treats a zero IRR as zero", () => {
    expect(irr([-100, 50, 50])).toBeCloseTo(0, 12);
  });
});

describe("RATE solving", () => {
  it("recovers a rate where Newton from 10% heads for -100% (payments in advance)", () => {
    const r = 0.21386491187904927;
    const payment = pmt(r, 16, 285701.68, 0, 1);
    expect(rate(16, payment, 285701.68, 0, 1)).toBeCloseTo(r, 10);
  });

  it("keeps PMT, PV and IPMT finite at rates where (1+rate)^nper overflows", () => {
    // 1e6 per period over 360 periods: (1+rate)^nper is far beyond the largest double.
    expect(pmt(1e6, 360, 1)).toBeCloseTo(-1e6, 3);
    expect(pv(1e6, 360, -1e6)).toBeCloseTo(1, 9);
    expect(ipmt(1e6, 300, 360, 1)).toBeCloseTo(-1e6, 3);
  });

  it("recovers a very high rate", () => {
    const r = rate(360, -1e6, 1);
    expect(pv(r, 360, -1e6)).toBeCloseTo(1, 9);
  });

  it("recovers a negative rate", () => {
    const payment = pmt(-0.03, 24, 1000);
    expect(rate(24, payment, 1000)).toBeCloseTo(-0.03, 10);
  });

  it("recovers rate 0", () => {
    expect(rate(12, -100, 1200)).toBeCloseTo(0, 12);
  });

  it("solves a zero-coupon growth with no payments: (1+r)^10 = 2", () => {
    expect(rate(10, 0, -1000, 2000)).toBeCloseTo(Math.pow(2, 1 / 10) - 1, 12);
  });
});
