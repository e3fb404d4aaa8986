import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RandomStream } from "./rng.js";
import {
  chiSquareTest,
  kolmogorovSurvival,
  ksCriticalValue,
  ksPValue,
  ksStatistic,
  ksTest,
  pearson,
  ranks,
  spearman,
  spearmanMatrix,
} from "./stats.js";

describe("ranks / correlations", () => {
  it("averages ranks over ties", () => {
    expect(Array.from(ranks([10, 20, 20, 30]))).toEqual([1, 2.5, 2.5, 4]);
    expect(Array.from(ranks([3, 1, 2]))).toEqual([3, 1, 2]);
    expect(Array.from(ranks([5, 5, 5]))).toEqual([2, 2, 2]);
  });

  it("Pearson and Spearman match references (scipy)", () => {
    expect(pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])).toBeCloseTo(0.7745966692414835, 14);
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 14);
    expect(pearson([1, 2, 3], [5, 5, 5])).toBeNaN();
  });

  it("Spearman is invariant under monotone transforms (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -100, max: 100 }), fc.integer({ min: -100, max: 100 })), { minLength: 3, maxLength: 50 }), (pairs) => {
        const x = pairs.map((p) => p[0]);
        const y = pairs.map((p) => p[1]);
        const r = spearman(x, y);
        const r2 = spearman(
          x.map((v) => Math.exp(v / 50)),
          y.map((v) => v * v * v),
        );
        if (Number.isNaN(r)) expect(r2).toBeNaN();
        else expect(r2).toBeCloseTo(r, 10);
        if (!Number.isNaN(r)) expect(Math.abs(r)).toBeLessThanOrEqual(1);
      }),
    );
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 64])).toBe(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
  });

  it("spearmanMatrix works on column-major samples", () => {
    const n = 5;
    const data = Float64Array.from([1, 2, 3, 4, 5, 2, 4, 6, 8, 10, 5, 4, 3, 2, 1]);
    const m = spearmanMatrix(data, n, 3);
    expect(m[0][1]).toBeCloseTo(1, 14);
    expect(m[0][2]).toBeCloseTo(-1, 14);
    expect(m[1][1]).toBe(1);
  });
});

describe("Kolmogorov–Smirnov", () => {
  it("statistic on a small example", () => {
    expect(ksStatistic([0.5], (x) => x)).toBe(0.5);
    expect(ksStatistic([0.25, 0.75], (x) => x)).toBe(0.25);
  });

  it("Kolmogorov distribution matches references (scipy kstwobign)", () => {
    expect(kolmogorovSurvival(1.36)).toBeCloseTo(0.049485876755377876, 12);
    expect(kolmogorovSurvival(0.5)).toBeCloseTo(0.9639452436648751, 12);
    expect(kolmogorovSurvival(1.0)).toBeCloseTo(0.26999967167735456, 12);
    expect(kolmogorovSurvival(2.0)).toBeCloseTo(0.0006709252557796953, 14);
    expect(kolmogorovSurvival(0)).toBe(1);
  });

  it("finite-n p-values and critical values approximate the exact distribution (scipy kstwo)", () => {
    expect(Math.abs(ksPValue(0.1, 100) - 0.2526927570063874)).toBeLessThan(0.005);
    expect(Math.abs(ksPValue(0.05, 1000) - 0.013012074781090332)).toBeLessThan(0.001);
    expect(Math.abs(ksCriticalValue(1000, 0.05) - 0.042776500461245)).toBeLessThan(2e-4);
    expect(Math.abs(ksCriticalValue(10_000, 0.001) - 0.01947748045729969)).toBeLessThan(1e-4);
  });

  it("rejects at about the nominal rate under the null (fixed seeds)", () => {
    let rejections = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const r = new RandomStream(123, t);
      const u = Array.from({ length: 200 }, () => r.nextUniform());
      if (ksTest(u, (x) => x, 0.05).reject) rejections++;
    }
    // binomial(400, 0.05): mean 20, sd ≈ 4.4
    expect(rejections).toBeGreaterThan(5);
    expect(rejections).toBeLessThan(40);
  });
});

describe("chi-square", () => {
  it("matches the closed form for df = 2", () => {
    const res = chiSquareTest([10, 20, 30], [1 / 3, 1 / 3, 1 / 3]);
    expect(res.statistic).toBeCloseTo(10, 12);
    expect(res.degreesOfFreedom).toBe(2);
    expect(res.pValue).toBeCloseTo(0.006737946999085468, 14);
    expect(chiSquareTest([0, 5], [0, 1]).pValue).toBe(1);
    expect(chiSquareTest([1, 5], [0, 1]).pValue).toBe(0);
  });
});
