import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  inverseRegularizedBeta,
  inverseRegularizedBetaUpper,
  lnGamma,
  normalCdf,
  normalQuantile,
  normalQuantiles,
  normalSf,
  regularizedBeta,
  regularizedGammaP,
  regularizedGammaQ,
} from "./special.js";

function expectRel(actual: number, expected: number, rel: number): void {
  const err = Math.abs(actual - expected) / Math.abs(expected);
  if (!(err <= rel)) throw new Error(`expected ${expected}, got ${actual} (relative error ${err} > ${rel})`);
}

describe("normalQuantile (AS 241)", () => {
  // references: mpmath at 40 digits
  it.each([
    [0.975, 1.959963984540054],
    [0.025, -1.959963984540054],
    [0.9, 1.2815515655446004],
    [0.99, 2.3263478740408408],
    [0.999, 3.090232306167813],
    [0.3, -0.5244005127080407],
    [0.6, 0.2533471031357997],
    [1e-10, -6.361340902404056],
    [1e-300, -37.0470962993612],
  ])("quantile(%s) = %s to ~1e-15 relative", (p, expected) => {
    expectRel(normalQuantile(p), expected, 1e-15);
  });

  it("handles the endpoints and invalid input", () => {
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(-0.1)).toBeNaN();
    expect(normalQuantile(1.1)).toBeNaN();
    expect(normalQuantile(NaN)).toBeNaN();
  });

  it("is antisymmetric: q(p) = -q(1-p)", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-12, max: 0.5, noNaN: true }), (p) => {
        const q = 1 - p; // rounded
        const pc = 1 - q; // exact complement of q (Sterbenz)
        const a = normalQuantile(pc);
        const b = normalQuantile(q);
        expect(Math.abs(a + b)).toBeLessThanOrEqual(2e-15 * Math.max(1, Math.abs(a)));
      }),
    );
  });

  it("round-trips with the (independent) Cody CDF in both tails", () => {
    // d ln Φ(x) / d ln|x| ≈ x² in the tail, so a relative quantile error ε shows up
    // as ≈ x²·ε in the probability: allow 5e-15·(1 + x²).
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 0.5, noNaN: true }), (p) => {
        const x = normalQuantile(p);
        expectRel(normalCdf(x), p, 5e-15 * (1 + x * x));
        const q = 1 - p; // rounded; its exact complement is 1 - q
        if (q === 1) return;
        const y = normalQuantile(q);
        expectRel(normalSf(y), 1 - q, 5e-15 * (1 + y * y));
      }),
      { numRuns: 500 },
    );
  });

  it("is monotone", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 1, noNaN: true }), fc.double({ min: 1e-300, max: 1, noNaN: true }), (a, b) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        expect(normalQuantile(lo)).toBeLessThanOrEqual(normalQuantile(hi));
      }),
    );
  });
});

describe("normalQuantiles (many at once, as a path's process noise)", () => {
  it("gives each value exactly as normalQuantile does", () => {
    const p = fc.oneof(
      { weight: 6, arbitrary: fc.double({ min: 0, max: 1 }) },
      { weight: 2, arbitrary: fc.double({ min: 0, max: 1e-10 }) },
      { weight: 2, arbitrary: fc.double({ min: 0.074, max: 0.076 }) },
      { weight: 1, arbitrary: fc.double() },
      { weight: 1, arbitrary: fc.constantFrom(0, 1, 0.075, 0.925, 0.5, -0, NaN, 1 - 2 ** -53, 2 ** -53, Number.MIN_VALUE, 1.4e-11) },
    );
    fc.assert(
      fc.property(fc.array(p, { maxLength: 200 }), fc.nat(5), fc.nat(5), (values, before, after) => {
        const n = values.length;
        const input = Float64Array.from(values);
        const out = new Float64Array(n).fill(42);
        const from = Math.min(before, n);
        const to = Math.max(from, n - after);
        normalQuantiles(input, out, from, to);
        for (let i = 0; i < n; i++) expect(Object.is(out[i], i >= from && i < to ? normalQuantile(input[i]) : 42)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("normalCdf (Cody)", () => {
  it.each([
    [1, 0.8413447460685429],
    [-1, 0.15865525393145705],
    [0.5, 0.6914624612740131],
    [3, 0.9986501019683699],
    [-5, 2.866515718791939e-7],
    [-10, 7.619853024160526e-24],
    [-20, 2.7536241186062337e-89],
    [-37, 5.725571222524577e-300],
  ])("cdf(%s) = %s", (x, expected) => {
    expectRel(normalCdf(x), expected, 5e-15);
  });

  it("saturates and handles NaN", () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(NaN)).toBeNaN();
    expect(normalSf(10)).toBeCloseTo(7.619853024160526e-24, 35);
  });
});

describe("lnGamma", () => {
  it("matches closed forms", () => {
    expectRel(lnGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-15);
    expect(Math.abs(lnGamma(1))).toBeLessThan(1e-15);
    expect(Math.abs(lnGamma(2))).toBeLessThan(1e-15);
    let logFact = 0;
    for (let n = 2; n <= 30; n++) {
      logFact += Math.log(n - 1);
      expect(Math.abs(lnGamma(n) - logFact)).toBeLessThanOrEqual(1e-14 * Math.max(1, logFact));
    }
    expectRel(lnGamma(100.5), 361.43554046777762, 1e-15);
    expectRel(lnGamma(1e-3), 6.9071788853838537, 1e-15);
  });
});

describe("regularized incomplete beta", () => {
  it("matches closed forms and references", () => {
    // I_x(2,3) = 6x^2 - 8x^3 + 3x^4
    const x = 0.4;
    expectRel(regularizedBeta(x, 2, 3), 6 * x * x - 8 * x ** 3 + 3 * x ** 4, 1e-14);
    // arcsine law: I_x(1/2, 1/2) = (2/π) asin(√x)
    expectRel(regularizedBeta(0.1, 0.5, 0.5), (2 / Math.PI) * Math.asin(Math.sqrt(0.1)), 1e-14);
    expectRel(regularizedBeta(0.3, 30, 50), 0.079279223823672106, 1e-13);
    expectRel(regularizedBeta(0.3, 30, 50, false), 1 - 0.079279223823672106, 1e-13);
    expect(regularizedBeta(0, 2, 3)).toBe(0);
    expect(regularizedBeta(1, 2, 3)).toBe(1);
  });

  it.each([
    [0.3, 2, 5, 0.18180347131894917],
    [0.01, 0.5, 0.5, 0.00024671981713422146],
    [0.999, 30, 50, 0.5466133922200329],
    [1e-8, 2.5, 1.5, 0.00047469801529887503],
  ])("inverse I^-1(%s; %s, %s) = %s (scipy)", (p, a, b, expected) => {
    expectRel(inverseRegularizedBeta(p, a, b), expected, 1e-13);
  });

  it("upper-tail inverse keeps precision for tiny tail probabilities", () => {
    // 1 - I_x(2, 5) = 1e-12
    const x = inverseRegularizedBetaUpper(1e-12, 2, 5);
    expectRel(regularizedBeta(x, 2, 5, false), 1e-12, 1e-12);
  });

  it("inverse brackets the root to ~1e-12 relative for random shapes (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 60, noNaN: true }),
        fc.double({ min: 0.1, max: 60, noNaN: true }),
        fc.double({ min: 1e-12, max: 1 - 1e-12, noNaN: true }),
        (a, b, p) => {
          const x = inverseRegularizedBeta(p, a, b);
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThanOrEqual(1);
          const below = regularizedBeta(x * (1 - 1e-12), a, b);
          const above = regularizedBeta(Math.min(1, x * (1 + 1e-12) + 1e-300), a, b);
          expect(below).toBeLessThanOrEqual(p * (1 + 1e-12) + 1e-300);
          expect(above).toBeGreaterThanOrEqual(p * (1 - 1e-12));
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe("regularized incomplete gamma", () => {
  it("matches closed forms", () => {
    for (const x of [0.01, 0.5, 1, 3, 10, 40]) {
      expectRel(regularizedGammaQ(1, x), Math.exp(-x), 1e-13);
      expectRel(regularizedGammaP(1, x), -Math.expm1(-x), 1e-13);
    }
    // chi-square df=2 survival at 10 = exp(-5)
    expectRel(regularizedGammaQ(1, 5), Math.exp(-5), 1e-14);
  });
});
