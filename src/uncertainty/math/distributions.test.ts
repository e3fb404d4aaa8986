import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DistributionError,
  fromQuantiles,
  lognormalParamsFromMeanSd,
  makeDistribution,
  type Distribution,
  type DistributionErrorCode,
  type DistributionSpec,
} from "./distributions.js";
import { RandomStream } from "./rng.js";
import { chiSquareTest, ksTest } from "./stats.js";

function expectRel(actual: number, expected: number, rel: number): void {
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  if (!(err <= rel)) throw new Error(`expected ${expected}, got ${actual} (relative error ${err} > ${rel})`);
}

function sample(dist: Distribution, n: number, seed: number): Float64Array {
  const rng = new RandomStream(seed, 0);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = dist.sample(rng);
  return out;
}

function sampleMoments(xs: Float64Array): { mean: number; variance: number } {
  let m = 0;
  for (const x of xs) m += x;
  m /= xs.length;
  let v = 0;
  for (const x of xs) v += (x - m) * (x - m);
  return { mean: m, variance: v / (xs.length - 1) };
}

/** Mean and variance by midpoint quadrature of the quantile function (bounded support only). */
function quadratureMoments(dist: Distribution, n = 200_000): { mean: number; variance: number } {
  let m = 0;
  for (let i = 0; i < n; i++) m += dist.quantile((i + 0.5) / n);
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = dist.quantile((i + 0.5) / n) - m;
    v += d * d;
  }
  return { mean: m, variance: v / n };
}

const CONTINUOUS: [string, DistributionSpec][] = [
  ["normal", { kind: "normal", mean: 10, sd: 3 }],
  ["lognormal", { kind: "lognormal", mu: 1, sigma: 0.8 }],
  ["lognormal (mean/sd)", { kind: "lognormal", mean: 100, sd: 40 }],
  ["triangular", { kind: "triangular", min: 2, mode: 3, max: 10 }],
  ["triangular (mode at min)", { kind: "triangular", min: 0, mode: 0, max: 1 }],
  ["pert", { kind: "pert", min: 1, mode: 3, max: 10 }],
  ["pert (lambda 8)", { kind: "pert", min: -5, mode: 0, max: 20, lambda: 8 }],
  ["uniform", { kind: "uniform", min: -2, max: 6 }],
  ["beta", { kind: "beta", alpha: 2, beta: 5 }],
  ["beta (U-shaped, scaled)", { kind: "beta", alpha: 0.5, beta: 0.5, min: 100, max: 200 }],
  ["truncated normal", { kind: "normal", mean: 0, sd: 1, truncate: { lower: -1, upper: 2 } }],
  ["truncated lognormal", { kind: "lognormal", mu: 0, sigma: 1, truncate: { lower: 0.5, upper: 3 } }],
  ["truncated pert", { kind: "pert", min: 1, mode: 3, max: 10, truncate: { lower: 2, upper: 8 } }],
  ["upper-tail truncated normal", { kind: "normal", mean: 0, sd: 1, truncate: { lower: 6 } }],
];

describe("closed-form quantiles and moments", () => {
  it("normal", () => {
    const d = makeDistribution({ kind: "normal", mean: 0, sd: 1 });
    expectRel(d.quantile(0.975), 1.959963984540054, 1e-15);
    const e = makeDistribution({ kind: "normal", mean: 10, sd: 2 });
    expect(e.quantile(0.5)).toBe(10);
    expectRel(e.quantile(0.975), 10 + 2 * 1.959963984540054, 1e-15);
    expect(e.mean).toBe(10);
    expect(e.variance).toBe(4);
    expect(e.sd).toBe(2);
    expect(e.support).toEqual({ min: -Infinity, max: Infinity });
    expectRel(e.cdf(12), 0.8413447460685429, 1e-15);
    expectRel(e.pdf(10), 1 / (2 * Math.sqrt(2 * Math.PI)), 1e-15);
  });

  it("lognormal", () => {
    const d = makeDistribution({ kind: "lognormal", mu: 1, sigma: 0.5 });
    expectRel(d.quantile(0.5), Math.E, 1e-15);
    expectRel(d.quantile(0.975), Math.exp(1 + 0.5 * 1.959963984540054), 1e-15);
    expectRel(d.mean, Math.exp(1 + 0.125), 1e-15);
    expectRel(d.variance, (Math.exp(0.25) - 1) * Math.exp(2 + 0.25), 1e-14);
    expect(d.support).toEqual({ min: 0, max: Infinity });
    expect(d.cdf(-1)).toBe(0);
    // mean/sd parametrisation
    const m = makeDistribution({ kind: "lognormal", mean: 100, sd: 30 });
    expectRel(m.mean, 100, 1e-14);
    expectRel(m.sd, 30, 1e-13);
    const p = lognormalParamsFromMeanSd(100, 30);
    expectRel(p.sigma, Math.sqrt(Math.log(1 + 0.09)), 1e-15);
  });

  it("triangular", () => {
    const [a, c, b] = [2, 3, 10];
    const d = makeDistribution({ kind: "triangular", min: a, mode: c, max: b });
    expectRel(d.mean, (a + b + c) / 3, 1e-15);
    expectRel(d.variance, (a * a + b * b + c * c - a * b - a * c - b * c) / 18, 1e-14);
    const fc = (c - a) / (b - a);
    expectRel(d.quantile(fc), c, 1e-14);
    expectRel(d.quantile(0.05), a + Math.sqrt(0.05 * (b - a) * (c - a)), 1e-15);
    expectRel(d.quantile(0.9), b - Math.sqrt(0.1 * (b - a) * (b - c)), 1e-14);
    expectRel(d.cdf(c), fc, 1e-15);
    expect(d.cdf(a)).toBe(0);
    expect(d.cdf(b)).toBe(1);
    expectRel(d.pdf(c), 2 / (b - a), 1e-15);
  });

  it("PERT", () => {
    const [a, m, b] = [1, 3, 10];
    const d = makeDistribution({ kind: "pert", min: a, mode: m, max: b });
    const mean = (a + 4 * m + b) / 6;
    expectRel(d.mean, mean, 1e-15);
    expectRel(d.variance, ((mean - a) * (b - mean)) / 7, 1e-14);
    // Beta(1 + 4(m-a)/(b-a), 1 + 4(b-m)/(b-a)) on [1, 10]: scipy references
    expectRel(d.quantile(0.9), 6.064204993802898, 1e-13);
    expectRel(d.quantile(0.1), 1.8965595762306564, 1e-13);
    expect(d.support).toEqual({ min: 1, max: 10 });
    const l = makeDistribution({ kind: "pert", min: a, mode: m, max: b, lambda: 2 });
    expectRel(l.mean, (a + 2 * m + b) / 4, 1e-15);
    // lambda 0 is the uniform distribution
    const u = makeDistribution({ kind: "pert", min: 0, mode: 0.3, max: 1, lambda: 0 });
    expectRel(u.quantile(0.37), 0.37, 1e-14);
  });

  it("uniform", () => {
    const d = makeDistribution({ kind: "uniform", min: -2, max: 6 });
    expect(d.quantile(0.25)).toBe(0);
    expect(d.mean).toBe(2);
    expectRel(d.variance, 64 / 12, 1e-15);
    expect(d.cdf(4)).toBe(0.75);
    expect(d.pdf(0)).toBe(1 / 8);
    expect(d.pdf(7)).toBe(0);
  });

  it("beta", () => {
    const d = makeDistribution({ kind: "beta", alpha: 2, beta: 5 });
    expectRel(d.mean, 2 / 7, 1e-15);
    expectRel(d.variance, (2 * 5) / (49 * 8), 1e-14);
    expectRel(d.quantile(0.3), 0.18180347131894917, 1e-13);
    const s = makeDistribution({ kind: "beta", alpha: 2, beta: 5, min: 10, max: 20 });
    expectRel(s.quantile(0.3), 11.818034713189492, 1e-14);
    expectRel(s.mean, 10 + (10 * 2) / 7, 1e-15);
    // arcsine: quantile(u) = sin²(πu/2)
    const arc = makeDistribution({ kind: "beta", alpha: 0.5, beta: 0.5 });
    for (const u of [1e-9, 0.01, 0.3, 0.5, 0.77, 0.999]) expectRel(arc.quantile(u), Math.sin((Math.PI * u) / 2) ** 2, 1e-13);
  });

  it("discrete", () => {
    const d = makeDistribution({ kind: "discrete", values: [30, 10, 20, 10], probabilities: [0.3, 0.1, 0.5, 0.1] });
    expect(d.discrete).toBe(true);
    expect(d.quantile(0.1)).toBe(10);
    expect(d.quantile(0.2)).toBe(10);
    expect(d.quantile(0.2000001)).toBe(20);
    expect(d.quantile(0.7)).toBe(20);
    expect(d.quantile(0.71)).toBe(30);
    expect(d.quantile(0.999999)).toBe(30);
    expectRel(d.mean, 0.2 * 10 + 0.5 * 20 + 0.3 * 30, 1e-15);
    expectRel(d.variance, 0.2 * 100 + 0.5 * 400 + 0.3 * 900 - 21 * 21, 1e-13);
    expect(d.cdf(9.99)).toBe(0);
    expectRel(d.cdf(15), 0.2, 1e-15);
    expect(d.cdf(30)).toBe(1);
    expectRel(d.pdf(10), 0.2, 1e-15);
    expect(d.pdf(11)).toBe(0);
    expect(d.support).toEqual({ min: 10, max: 30 });
    // a zero-probability value is never sampled
    const z = makeDistribution({ kind: "discrete", values: [0, 1, 2], probabilities: [0, 0.5, 0.5] });
    const xs = sample(z, 10_000, 3);
    expect(xs.includes(0)).toBe(false);
    // many categories use binary search
    const values = Array.from({ length: 100 }, (_, i) => i);
    const big = makeDistribution({ kind: "discrete", values, probabilities: values.map(() => 0.01) });
    expect(big.quantile(0.505)).toBe(50);
    expect(big.quantile(0.5)).toBe(49);
  });

  it("bernoulli", () => {
    const d = makeDistribution({ kind: "bernoulli", p: 0.3 });
    expect(d.mean).toBe(0.3);
    expectRel(d.variance, 0.21, 1e-15);
    expect(d.quantile(0.69)).toBe(0);
    expect(d.quantile(0.71)).toBe(1);
    expectRel(d.cdf(0), 0.7, 1e-15);
    expect(d.cdf(1)).toBe(1);
    expect(d.pdf(1)).toBe(0.3);
    expect(makeDistribution({ kind: "bernoulli", p: 0 }).quantile(0.999)).toBe(0);
    expect(makeDistribution({ kind: "bernoulli", p: 1 }).quantile(1e-9)).toBe(1);
  });

  it("quantiles() batch matches quantile() to the bit, for every kind (a simulation samples its inputs in batches)", () => {
    const discrete: DistributionSpec[] = [
      { kind: "discrete", values: [-2, 0, 1], probabilities: [0.3, 0.5, 0.2] },
      { kind: "bernoulli", p: 0.7 },
      { kind: "discreteUniform", min: 2, max: 9 },
    ];
    const edges = [0, 1, 0.5, -0, NaN, -0.1, 1.1, 2 ** -53, 1 - 2 ** -53, 0.3, 0.7, 0.8];
    for (const spec of [...CONTINUOUS.map(([, s]) => s), ...discrete]) {
      const d = makeDistribution(spec);
      const u = Float64Array.from([...new RandomStream(1, 2).fillUniform(new Float64Array(50)), ...edges]);
      const out = d.quantiles(u, new Float64Array(u.length));
      for (let i = 0; i < u.length; i++) expect(out[i]).toBe(d.quantile(u[i]));
    }
  });
});

describe("sampling: KS / chi-square goodness of fit on 10k samples (fixed seeds)", () => {
  it.each(CONTINUOUS)("%s passes KS at alpha = 0.001", (_name, spec) => {
    const d = makeDistribution(spec);
    const xs = sample(d, 10_000, 20240601);
    const res = ksTest(xs, (x) => d.cdf(x), 0.001);
    expect(res.reject).toBe(false);
    expect(res.pValue).toBeGreaterThan(0.001);
  });

  it.each(CONTINUOUS)("%s sample moments agree with the exact mean/variance", (_name, spec) => {
    const d = makeDistribution(spec);
    const xs = sample(d, 10_000, 777);
    const { mean } = sampleMoments(xs);
    // 5 standard errors
    expect(Math.abs(mean - d.mean)).toBeLessThan((5 * d.sd) / Math.sqrt(xs.length));
  });

  it("KS has power: rejects samples from a shifted distribution", () => {
    const d = makeDistribution({ kind: "normal", mean: 0, sd: 1 });
    const shifted = makeDistribution({ kind: "normal", mean: 0.1, sd: 1 });
    const xs = sample(shifted, 10_000, 5);
    expect(ksTest(xs, (x) => d.cdf(x), 0.001).reject).toBe(true);
  });

  it("discrete passes chi-square", () => {
    const values = [1, 2, 5, 10];
    const probabilities = [0.1, 0.4, 0.3, 0.2];
    const d = makeDistribution({ kind: "discrete", values, probabilities });
    const xs = sample(d, 10_000, 11);
    const counts = values.map((v) => xs.filter((x) => x === v).length);
    expect(counts.reduce((s, c) => s + c, 0)).toBe(10_000);
    expect(chiSquareTest(counts, probabilities).pValue).toBeGreaterThan(0.001);
  });

  it("bernoulli passes chi-square", () => {
    const d = makeDistribution({ kind: "bernoulli", p: 0.27 });
    const xs = sample(d, 10_000, 12);
    const ones = xs.filter((x) => x === 1).length;
    expect(xs.every((x) => x === 0 || x === 1)).toBe(true);
    expect(chiSquareTest([10_000 - ones, ones], [0.73, 0.27]).pValue).toBeGreaterThan(0.001);
  });
});

describe("properties", () => {
  const u = fc.double({ min: 1e-9, max: 1 - 1e-9, noNaN: true });

  it.each(CONTINUOUS)("%s: cdf(quantile(u)) = u and quantile is monotone (property)", (_name, spec) => {
    const d = makeDistribution(spec);
    fc.assert(
      fc.property(u, u, (u1, u2) => {
        const x1 = d.quantile(u1);
        // allowance for the representability of x near a steep CDF: pdf(x)·(a few ulps of x)
        const slack = 1e-9 + d.pdf(x1) * Math.abs(x1) * 1e-15;
        expect(Math.abs(d.cdf(x1) - u1)).toBeLessThanOrEqual(slack);
        // monotone (up to rounding: a few ulps)
        const [lo, hi] = u1 < u2 ? [u1, u2] : [u2, u1];
        const qlo = d.quantile(lo);
        const qhi = d.quantile(hi);
        expect(qlo).toBeLessThanOrEqual(qhi + 1e-14 * Math.abs(qhi));
        expect(x1).toBeGreaterThanOrEqual(d.support.min);
        expect(x1).toBeLessThanOrEqual(d.support.max);
      }),
      { numRuns: 300 },
    );
  });

  it("quantile(cdf(x)) = x for random triangular/PERT parameters (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        fc.double({ min: 0.01, max: 1000, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        (a, w, r, t) => {
          const b = a + w;
          const m = a + r * w;
          for (const kind of ["triangular", "pert"] as const) {
            const d = makeDistribution({ kind, min: a, mode: Math.min(b, Math.max(a, m)), max: b });
            const x = a + t * w;
            const f = d.cdf(x);
            // near F = 0 or 1 the probability itself carries too few digits to recover x
            if (f < 1e-6 || f > 1 - 1e-6) continue;
            const back = d.quantile(f);
            expect(Math.abs(back - x)).toBeLessThanOrEqual(1e-8 * w);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("truncation", () => {
  it("keeps all samples in range and renormalises the CDF", () => {
    const cases: DistributionSpec[] = [
      { kind: "normal", mean: 0, sd: 1, truncate: { lower: -1, upper: 2 } },
      { kind: "normal", mean: 0, sd: 1, truncate: { lower: 6 } },
      { kind: "normal", mean: 0, sd: 1, truncate: { upper: -7 } },
      { kind: "lognormal", mu: 0, sigma: 1, truncate: { lower: 0.5, upper: 3 } },
      { kind: "triangular", min: 0, mode: 2, max: 10, truncate: { lower: 1, upper: 5 } },
      { kind: "pert", min: 1, mode: 3, max: 10, truncate: { upper: 4 } },
      { kind: "beta", alpha: 2, beta: 3, truncate: { lower: 0.2, upper: 0.7 } },
      { kind: "uniform", min: 0, max: 10, truncate: { lower: 2, upper: 3 } },
    ];
    for (const spec of cases) {
      const d = makeDistribution(spec);
      const base = makeDistribution({ ...spec, truncate: undefined } as DistributionSpec);
      const lower = spec.kind !== "discrete" && spec.kind !== "bernoulli" && spec.kind !== "discreteUniform" ? spec.truncate?.lower ?? -Infinity : -Infinity;
      const upper = spec.kind !== "discrete" && spec.kind !== "bernoulli" && spec.kind !== "discreteUniform" ? spec.truncate?.upper ?? Infinity : Infinity;
      const xs = sample(d, 5_000, 42);
      for (const x of xs) {
        expect(x).toBeGreaterThanOrEqual(lower);
        expect(x).toBeLessThanOrEqual(upper);
      }
      expect(d.cdf(Math.max(lower, base.support.min))).toBeCloseTo(0, 12);
      expect(d.cdf(Math.min(upper, base.support.max))).toBe(1);
      expect(d.pdf(lower - 1e-3)).toBe(0);
      // renormalised: F_T(x) = (F(x) - F(l)) / (F(u) - F(l)) at interior points
      const fl = Number.isFinite(lower) ? base.cdf(lower) : 0;
      const fu = Number.isFinite(upper) ? base.cdf(upper) : 1;
      for (const t of [0.1, 0.5, 0.9]) {
        const x = d.quantile(t);
        const expected = (base.cdf(x) - fl) / (fu - fl);
        if (fu - fl > 1e-6) expect(Math.abs(d.cdf(x) - expected)).toBeLessThan(1e-9);
        expect(Math.abs(d.cdf(x) - t)).toBeLessThan(1e-9);
      }
      expect(d.truncatedMass).toBeGreaterThan(0);
      expect(d.truncatedMass).toBeLessThan(1);
      expect(ksTest(xs, (x) => d.cdf(x), 0.001).reject).toBe(false);
    }
  });

  it("truncated moments match references (scipy)", () => {
    const tn = makeDistribution({ kind: "normal", mean: 0, sd: 1, truncate: { lower: -1, upper: 2 } });
    expectRel(tn.mean, 0.22963717909132902, 1e-12);
    expectRel(tn.variance, 0.5197625392115339, 1e-12);
    const tail = makeDistribution({ kind: "normal", mean: 0, sd: 1, truncate: { lower: 6 } });
    expectRel(tail.mean, 6.158482604544618, 1e-12);
    expectRel(tail.variance, 0.023987636789045252, 1e-7);
    expect(tail.quantile(0.5)).toBeGreaterThan(6);
    const half = makeDistribution({ kind: "normal", mean: 0, sd: 2, truncate: { lower: 0 } });
    expectRel(half.mean, 2 * Math.sqrt(2 / Math.PI), 1e-14);
    const ln = makeDistribution({ kind: "lognormal", mu: 0, sigma: 1, truncate: { lower: 0.5, upper: 3 } });
    expectRel(ln.mean, 1.3139902865563715, 1e-12);
    expectRel(ln.variance, 0.4207189199372354, 1e-10);
    expectRel(ln.truncatedMass, 0.6199227965729929, 1e-13);
    const lnUp = makeDistribution({ kind: "lognormal", mu: 1, sigma: 0.5, truncate: { lower: 5 } });
    expectRel(lnUp.mean, 6.525745599743973, 1e-12);
    expectRel(lnUp.variance, 2.6018564248457547, 1e-10);
    const tri = makeDistribution({ kind: "triangular", min: 0, mode: 2, max: 10, truncate: { lower: 1, upper: 5 } });
    expectRel(tri.mean, 2.954248366013072, 1e-13);
    expectRel(tri.variance, 1.1841812977914479, 1e-12);
    const beta = makeDistribution({ kind: "beta", alpha: 2, beta: 3, truncate: { lower: 0.2, upper: 0.7 } });
    expectRel(beta.mean, 0.4236573759347383, 1e-12);
    expectRel(beta.variance, 0.018298248346343374, 1e-10);
    const pert = makeDistribution({ kind: "pert", min: 1, mode: 3, max: 10, truncate: { lower: 2, upper: 8 } });
    expectRel(pert.mean, 4.095954546128497, 1e-12);
    expectRel(pert.variance, 1.9337147179778986, 1e-10);
    const uni = makeDistribution({ kind: "uniform", min: 0, max: 10, truncate: { lower: 2, upper: 3 } });
    expect(uni.mean).toBe(2.5);
    expectRel(uni.variance, 1 / 12, 1e-15);
    expect(uni.support).toEqual({ min: 2, max: 3 });
  });

  it("truncated moments agree with quadrature of the truncated quantile function", () => {
    const specs: DistributionSpec[] = [
      { kind: "triangular", min: -3, mode: 1, max: 4, truncate: { lower: -2, upper: 0.5 } },
      { kind: "pert", min: 100, mode: 150, max: 400, truncate: { lower: 120 } },
      { kind: "beta", alpha: 0.7, beta: 1.6, min: 5, max: 6, truncate: { upper: 5.5 } },
    ];
    for (const spec of specs) {
      const d = makeDistribution(spec);
      const q = quadratureMoments(d);
      expectRel(d.mean, q.mean, 1e-7);
      expectRel(d.variance, q.variance, 1e-4);
    }
  });

  it("truncation bounds outside the support are no-ops", () => {
    const d = makeDistribution({ kind: "lognormal", mu: 0, sigma: 1, truncate: { lower: -5 } });
    expect(d.truncatedMass).toBe(1);
    expectRel(d.mean, Math.exp(0.5), 1e-15);
  });
});

describe("fromQuantiles", () => {
  it("normal / lognormal / uniform from p10/p90 round-trip", () => {
    const n = makeDistribution(fromQuantiles("normal", { p10: 80, p90: 120 }));
    expectRel(n.quantile(0.1), 80, 1e-14);
    expectRel(n.quantile(0.9), 120, 1e-14);
    expectRel(n.mean, 100, 1e-14);
    const l = makeDistribution(fromQuantiles("lognormal", { p10: 5, p90: 50 }));
    expectRel(l.quantile(0.1), 5, 1e-13);
    expectRel(l.quantile(0.9), 50, 1e-13);
    expectRel(l.quantile(0.5), Math.sqrt(250), 1e-13);
    const u = makeDistribution(fromQuantiles("uniform", { p10: 1, p90: 9 }));
    expectRel(u.quantile(0.1), 1, 1e-14);
    expectRel(u.quantile(0.9), 9, 1e-14);
    expect(u.support.min).toBeCloseTo(0, 12);
    expect(u.support.max).toBeCloseTo(10, 12);
  });

  it("accepts other levels and explicit points", () => {
    const a = makeDistribution(fromQuantiles("normal", { p5: -1, p95: 3 }));
    expectRel(a.quantile(0.05), -1, 1e-14);
    expectRel(a.quantile(0.95), 3, 1e-14);
    const b = makeDistribution(fromQuantiles("lognormal", { "p2.5": 2, "p97.5": 8 }));
    expectRel(b.quantile(0.025), 2, 1e-13);
    const c = makeDistribution(
      fromQuantiles("normal", [
        { p: 0.8, value: 12 },
        { p: 0.3, value: 7 },
      ]),
    );
    expectRel(c.quantile(0.3), 7, 1e-13);
    expectRel(c.quantile(0.8), 12, 1e-13);
  });

  it("triangular and PERT from p10/p90 plus mode round-trip", () => {
    for (const kind of ["triangular", "pert"] as const) {
      for (const mode of [10, 12, 20, 29.5]) {
        const spec = fromQuantiles(kind, { p10: 10, p90: 30 }, { mode });
        const d = makeDistribution(spec);
        expectRel(d.quantile(0.1), 10, 1e-9);
        expectRel(d.quantile(0.9), 30, 1e-9);
        if (spec.kind === "triangular" || spec.kind === "pert") expect(spec.mode).toBe(mode);
        expect(d.support.min).toBeLessThan(10);
        expect(d.support.max).toBeGreaterThan(30);
      }
    }
  });

  it("beta from p10/p90 (fixed range) round-trips", () => {
    const spec = fromQuantiles("beta", { p10: 0.55, p90: 0.85 });
    const d = makeDistribution(spec);
    expectRel(d.quantile(0.1), 0.55, 1e-10);
    expectRel(d.quantile(0.9), 0.85, 1e-10);
    expect(spec.min).toBeUndefined();
    const s = fromQuantiles("beta", { p5: 12, p95: 18 }, { min: 10, max: 20 });
    const e = makeDistribution(s);
    expect(e.support).toEqual({ min: 10, max: 20 });
    expectRel(e.quantile(0.05), 12, 1e-10);
    expectRel(e.quantile(0.95), 18, 1e-10);
    // symmetric quantiles give a symmetric beta
    expectRel(s.alpha, s.beta, 1e-9);
    // strongly skewed / U-shaped cases
    for (const [q1, q2] of [
      [1e-6, 0.3],
      [0.9, 0.999999],
      [0.001, 0.999],
      [0.01, 0.02],
    ]) {
      const b = makeDistribution(fromQuantiles("beta", { p10: q1, p90: q2 }));
      expectRel(b.quantile(0.1), q1, 1e-9);
      expectRel(b.quantile(0.9), q2, 1e-9);
    }
  });

  it("beta from random quantiles (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 0.9, noNaN: true }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.double({ min: 0.02, max: 0.45, noNaN: true }),
        fc.double({ min: 0.55, max: 0.98, noNaN: true }),
        (y1, frac, p1, p2) => {
          const y2 = y1 + frac * (0.999 - y1);
          const d = makeDistribution(fromQuantiles("beta", [{ p: p1, value: y1 }, { p: p2, value: y2 }]));
          expectRel(d.quantile(p1), y1, 1e-8);
          expectRel(d.quantile(p2), y2, 1e-8);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("round-trips for random quantiles (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
        fc.double({ min: 0.01, max: 0.45, noNaN: true }),
        fc.double({ min: 0.55, max: 0.99, noNaN: true }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        (lo, width, p1, p2, modePos) => {
          const hi = lo + width;
          const pts = [
            { p: p1, value: lo },
            { p: p2, value: hi },
          ] as const;
          for (const kind of ["normal", "uniform"] as const) {
            const d = makeDistribution(fromQuantiles(kind, pts));
            expect(Math.abs(d.quantile(p1) - lo)).toBeLessThanOrEqual(1e-9 * (Math.abs(lo) + width));
            expect(Math.abs(d.quantile(p2) - hi)).toBeLessThanOrEqual(1e-9 * (Math.abs(hi) + width));
          }
          const plo = Math.abs(lo) + 1e-3;
          const phi = plo + width;
          const l = makeDistribution(fromQuantiles("lognormal", [{ p: p1, value: plo }, { p: p2, value: phi }]));
          expectRel(l.quantile(p1), plo, 1e-9);
          expectRel(l.quantile(p2), phi, 1e-9);
          // a mode strictly between the two quantiles is always feasible
          const mode = lo + modePos * width;
          for (const kind of ["triangular", "pert"] as const) {
            const d = makeDistribution(fromQuantiles(kind, pts, { mode }));
            expect(Math.abs(d.quantile(p1) - lo)).toBeLessThanOrEqual(1e-8 * (Math.abs(lo) + width));
            expect(Math.abs(d.quantile(p2) - hi)).toBeLessThanOrEqual(1e-8 * (Math.abs(hi) + width));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("rejects bad input with typed errors", () => {
    const code = (f: () => unknown): DistributionErrorCode | undefined => {
      try {
        f();
      } catch (e) {
        if (e instanceof DistributionError) return e.code;
        throw e;
      }
      return undefined;
    };
    expect(code(() => fromQuantiles("normal", { p10: 5, p90: 5 }))).toBe("quantiles_out_of_order");
    expect(code(() => fromQuantiles("normal", { p10: 6, p90: 5 }))).toBe("quantiles_out_of_order");
    expect(code(() => fromQuantiles("normal", { p10: 1 } as never))).toBe("wrong_number_of_quantiles");
    expect(code(() => fromQuantiles("normal", { p0: 1, p90: 2 }))).toBe("probability_out_of_range");
    expect(code(() => fromQuantiles("normal", { p100: 1, p90: 0 }))).toBe("probability_out_of_range");
    expect(code(() => fromQuantiles("lognormal", { p10: 0, p90: 5 }))).toBe("non_positive_quantile");
    expect(code(() => fromQuantiles("triangular", { p10: 1, p90: 5 }, {}))).toBe("missing_mode");
    // mode far below P10: no triangular distribution has these quantiles
    expect(code(() => fromQuantiles("triangular", { p10: 5, p90: 10 }, { mode: 0 }))).toBe("infeasible_quantiles");
    expect(code(() => fromQuantiles("pert", { p10: 5, p90: 10 }, { mode: 100 }))).toBe("infeasible_quantiles");
    expect(code(() => fromQuantiles("discrete" as never, { p10: 0.2, p90: 0.8 }))).toBe("unsupported_kind");
    expect(code(() => fromQuantiles("beta", { p10: 0, p90: 0.8 }))).toBe("quantile_outside_range");
    expect(code(() => fromQuantiles("beta", { p10: 5, p90: 12 }, { min: 0, max: 10 }))).toBe("quantile_outside_range");
    expect(code(() => fromQuantiles("beta", { p10: 1, p90: 2 }, { min: 3, max: 2 }))).toBe("min_greater_than_max");
  });
});

describe("makeDistribution validation", () => {
  const cases: [string, unknown, DistributionErrorCode][] = [
    ["negative sd", { kind: "normal", mean: 0, sd: -1 }, "negative_sd"],
    ["zero sd", { kind: "normal", mean: 0, sd: 0 }, "zero_sd"],
    ["NaN mean", { kind: "normal", mean: NaN, sd: 1 }, "not_finite"],
    ["missing sd", { kind: "normal", mean: 0 }, "not_finite"],
    ["negative sigma", { kind: "lognormal", mu: 0, sigma: -0.5 }, "negative_sd"],
    ["lognormal non-positive mean", { kind: "lognormal", mean: -3, sd: 1 }, "non_positive_mean"],
    ["lognormal both parametrisations", { kind: "lognormal", mu: 0, sigma: 1, mean: 1 }, "conflicting_parameters"],
    ["uniform min > max", { kind: "uniform", min: 5, max: 1 }, "min_greater_than_max"],
    ["uniform zero width", { kind: "uniform", min: 5, max: 5 }, "zero_width"],
    ["triangular min > max", { kind: "triangular", min: 5, mode: 3, max: 1 }, "min_greater_than_max"],
    ["triangular mode outside", { kind: "triangular", min: 0, mode: 12, max: 10 }, "mode_outside_range"],
    ["pert mode outside", { kind: "pert", min: 0, mode: -1, max: 10 }, "mode_outside_range"],
    ["pert negative lambda", { kind: "pert", min: 0, mode: 1, max: 10, lambda: -1 }, "negative_lambda"],
    ["beta non-positive alpha", { kind: "beta", alpha: 0, beta: 2 }, "non_positive_shape"],
    ["beta min > max", { kind: "beta", alpha: 1, beta: 2, min: 3, max: 2 }, "min_greater_than_max"],
    ["discrete sum != 1", { kind: "discrete", values: [1, 2], probabilities: [0.5, 0.4] }, "probabilities_do_not_sum_to_one"],
    ["discrete negative p", { kind: "discrete", values: [1, 2], probabilities: [1.5, -0.5] }, "negative_probability"],
    ["discrete length mismatch", { kind: "discrete", values: [1, 2], probabilities: [1] }, "length_mismatch"],
    ["discrete empty", { kind: "discrete", values: [], probabilities: [] }, "empty_values"],
    ["bernoulli p > 1", { kind: "bernoulli", p: 1.2 }, "probability_out_of_range"],
    ["discrete truncation", { kind: "discrete", values: [1], probabilities: [1], truncate: { lower: 0 } }, "truncation_not_supported"],
    ["truncation reversed", { kind: "normal", mean: 0, sd: 1, truncate: { lower: 2, upper: 1 } }, "invalid_truncation"],
    ["truncation outside support", { kind: "uniform", min: 0, max: 1, truncate: { lower: 2, upper: 3 } }, "truncation_excludes_support"],
    ["truncation with zero mass", { kind: "normal", mean: 0, sd: 1, truncate: { lower: 50, upper: 60 } }, "truncation_excludes_support"],
    ["unknown kind", { kind: "cauchy" }, "unknown_kind"],
  ];

  it.each(cases)("%s -> %s", (_name, spec, expected) => {
    let caught: unknown;
    try {
      makeDistribution(spec as DistributionSpec);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DistributionError);
    const err = caught as DistributionError;
    expect(err.code).toBe(expected);
    expect(err.name).toBe("DistributionError");
    expect(err.message.length).toBeGreaterThan(10);
  });

  it("accepts probabilities that sum to 1 within 1e-9 and normalises them", () => {
    const d = makeDistribution({ kind: "discrete", values: [1, 2, 3], probabilities: [0.1, 0.2, 0.7 + 5e-10] });
    expect(d.cdf(3)).toBe(1);
    expect(() => makeDistribution({ kind: "discrete", values: [1, 2], probabilities: [0.5, 0.5 + 2e-9] })).toThrow(DistributionError);
  });

  it("messages say what to fix, without a parameter path", () => {
    try {
      makeDistribution({ kind: "normal", mean: 0, sd: -2 });
    } catch (e) {
      const err = e as DistributionError;
      expect(err.message).toMatch(/greater than 0/);
      expect(err.message).toMatch(/-2/);
      expect(err.param).toBe("sd");
    }
  });
});

describe("discrete quantiles at decimal cumulative probabilities", () => {
  it("returns the value whose cumulative probability reaches the decimal level", async () => {
    const { makeDistribution } = await import("./distributions.js");
    const d = makeDistribution({ kind: "discrete", values: [0, 2, 4], probabilities: [0.6, 0.3, 0.1] });
    expect(d.quantile(0.6)).toBe(0);
    expect(d.quantile(0.9)).toBe(2);
    expect(d.quantile(0.9000001)).toBe(4);
  });
});

describe("discreteUniform", () => {
  it("gives every whole number from min to max the same probability, at the quantiles a step function has", () => {
    const d = makeDistribution({ kind: "discreteUniform", min: 3, max: 9 });
    expect(d.mean).toBe(6);
    expect(d.variance).toBeCloseTo((49 - 1) / 12, 12);
    expect([0, 1e-9, 1 / 7, 0.15, 0.5, 6 / 7, 0.99, 1].map((u) => d.quantile(u))).toEqual([3, 3, 3, 4, 6, 8, 9, 9]);
    expect(d.cdf(5.5)).toBeCloseTo(3 / 7, 12);
    const counts = new Map<number, number>();
    for (const x of sample(d, 70_000, 3)) counts.set(x, (counts.get(x) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    for (const c of counts.values()) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(() => makeDistribution({ kind: "discreteUniform", min: 2.5, max: 4 })).toThrow(/whole number/);
    expect(() => makeDistribution({ kind: "discreteUniform", min: 5, max: 4 })).toThrow(/greater than max/);
  });
});
