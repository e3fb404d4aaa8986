import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RandomStream } from "./rng.js";
import { normalQuantile } from "./special.js";
import { Moments, RankSketch, compactSortedRun, lowerQuantileIndex, predictRankErrorBound, selectRanks, selectRanksOfFinite, sortFloat64, DEFAULT_SKETCH_K } from "./sketch.js";

const REPORTED = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95];

/** Generators of sample values: light and heavy tails, and many ties. */
const DISTRIBUTIONS: Record<string, (r: RandomStream) => number> = {
  uniform: (r) => r.nextUniform() * 1000 - 300,
  normal: (r) => 4500 + 1200 * normalQuantile(r.nextUniform()),
  lognormal: (r) => Math.exp(2 + 1.5 * normalQuantile(r.nextUniform())),
  cauchy: (r) => Math.tan(Math.PI * (r.nextUniform() - 0.5)),
  pareto: (r) => Math.pow(r.nextUniform(), -1 / 0.8),
  ties: (r) => Math.floor(r.nextUniform() * 7) * 10 - 20,
  mostlyOneValue: (r) => (r.nextUniform() < 0.93 ? 4213.4 : 4213.4 + normalQuantile(r.nextUniform())),
};

function sample(name: string, n: number, seed: number): Float64Array {
  const r = new RandomStream(seed, 0);
  const gen = DISTRIBUTIONS[name];
  return Float64Array.from({ length: n }, () => gen(r));
}

/** Feeds values to a sketch in chunks the way a simulation does: each chunk sorted and pre-compacted. */
function sketchOf(values: Float64Array, chunk: number, k: number): RankSketch {
  const s = new RankSketch(k);
  for (let start = 0, c = 0; start < values.length; start += chunk, c++) {
    const run = values.slice(start, Math.min(values.length, start + chunk));
    sortFloat64(run);
    s.addCompacted(run, compactSortedRun(run, run.length, k, c & 1));
  }
  return s;
}

/** The reported value lies between the exact values of ranks r − bound and r + bound. */
function expectWithinRankBound(s: RankSketch, sorted: Float64Array, qs: number[]): void {
  const n = sorted.length;
  const bound = Math.ceil(s.errorBound);
  const got = s.quantiles(qs);
  qs.forEach((q, i) => {
    const r = lowerQuantileIndex(q, n);
    expect(got[i]).toBeGreaterThanOrEqual(sorted[Math.max(0, r - bound)]);
    expect(got[i]).toBeLessThanOrEqual(sorted[Math.min(n - 1, r + bound)]);
  });
  for (let i = 1; i < got.length; i++) if (qs[i] >= qs[i - 1]) expect(got[i]).toBeGreaterThanOrEqual(got[i - 1]);
}

describe("sorting and selecting runs of values", () => {
  it("sorts like Float64Array.prototype.sort, negatives, zeros, infinities and ties included", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(0, -0, 1, -1, Infinity, -Infinity, 5e-324, -5e-324)), { maxLength: 400 }), (xs) => {
        const a = Float64Array.from(xs);
        sortFloat64(a);
        // ±0 compare equal; either order is sorted.
        expect(Array.from(a, (x) => x + 0)).toEqual(Array.from(Float64Array.from(xs).sort(), (x) => x + 0));
      }),
      { numRuns: 300 },
    );
  });

  it("picks the values of given ranks like a full sort", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 300 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 9 }), (xs, qs) => {
        const a = Float64Array.from(xs);
        const sorted = Float64Array.from(xs).sort();
        const ranks = qs.map((q) => lowerQuantileIndex(q, a.length)).sort((x, y) => x - y);
        expect(selectRanks(a, a.length, ranks)).toEqual(ranks.map((r) => sorted[r]));
      }),
      { numRuns: 300 },
    );
  });

  it("picks the same values by buckets, among the finite values only, without reordering them", () => {
    const value = fc.oneof(
      { weight: 6, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
      { weight: 6, arbitrary: fc.integer({ min: -5, max: 5 }).map((x) => x * 1000.5) },
      { weight: 3, arbitrary: fc.double({ min: 1e6, max: 1e6 + 1e-3, noNaN: true }) },
      { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324) },
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 0, maxLength: 3000 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 9 }), fc.nat(5), (xs, qs, pad) => {
        const v = Float64Array.from([...Array(pad).fill(7), ...xs]);
        const before = Float64Array.from(v);
        const finite = xs.filter((x) => Number.isFinite(x));
        const sorted = Float64Array.from(finite).sort();
        const ranks = finite.length ? qs.map((q) => lowerQuantileIndex(q, finite.length)).sort((x, y) => x - y) : [];
        const m = new Moments();
        m.addRun(v, pad, v.length);
        const picked = selectRanksOfFinite(v, pad, v.length, finite.length, m.min, m.max, ranks);
        // ±0 compare equal (either is the value of that rank).
        expect(picked.map((x) => x + 0)).toEqual(ranks.map((r) => sorted[r] + 0));
        expect(v).toEqual(before);
      }),
      { numRuns: 400 },
    );
  });
});

describe("RankSketch: percentiles by rank in bounded memory", () => {
  it("reports every quantile within its stated rank bound of the exact sample quantile, for any distribution, size and chunking", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(DISTRIBUTIONS)),
        fc.integer({ min: 1, max: 30_000 }),
        fc.constantFrom(16, 64, 256, 1024),
        fc.constantFrom(32, 128, 512),
        fc.integer({ min: 0, max: 1000 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
        (dist, n, chunk, k, seed, extra) => {
          const values = sample(dist, n, seed);
          const s = sketchOf(values, chunk, k);
          expect(s.count).toBe(n);
          expect(s.size).toBeLessThanOrEqual(Math.ceil(Math.log2(n / k + 2) + 2) * (k + 1));
          expectWithinRankBound(s, Float64Array.from(values).sort(), [...REPORTED, 0, 1, ...extra.sort((a, b) => a - b)]);
          expect(s.errorBound).toBeLessThanOrEqual(predictRankErrorBound(n, chunk, k));
        },
      ),
      { numRuns: 120 },
    );
  });

  it("keeps the reported percentiles within 0.1 percentile points with the settings simulations use", () => {
    for (const [dist, n] of [["lognormal", 300_000], ["ties", 200_000], ["cauchy", 150_000]] as const) {
      const values = sample(dist, n, 3);
      const s = sketchOf(values, 16_384, DEFAULT_SKETCH_K);
      const sorted = Float64Array.from(values).sort();
      const slack = Math.floor(0.001 * n);
      REPORTED.forEach((q, i) => {
        const r = lowerQuantileIndex(q, n);
        const got = s.quantiles(REPORTED)[i];
        expect(got).toBeGreaterThanOrEqual(sorted[r - slack]);
        expect(got).toBeLessThanOrEqual(sorted[r + slack]);
      });
      expect(s.rankError).toBeLessThan(0.001);
    }
    // The bound is a property of the schedule alone: within 0.1 points up to 100 million values.
    for (const n of [1e5, 1e6, 1e7, 1e8]) expect(predictRankErrorBound(n, 16_384, DEFAULT_SKETCH_K) / n).toBeLessThan(0.001);
  });

  it("merges sketches built from different paths (shards) and keeps the bound", () => {
    const a = sample("normal", 20_000, 1);
    const b = sample("pareto", 15_000, 2);
    const merged = sketchOf(a, 512, 256).merge(sketchOf(b, 512, 256).toJSON());
    const all = new Float64Array(a.length + b.length);
    all.set(a);
    all.set(b, a.length);
    expect(merged.count).toBe(all.length);
    expectWithinRankBound(merged, all.sort(), REPORTED);
    const copy = RankSketch.fromJSON(merged.toJSON());
    expect(copy.quantiles(REPORTED)).toEqual(merged.quantiles(REPORTED));
  });

  it("is exact until a level fills up", () => {
    const values = sample("ties", 500, 4);
    const s = sketchOf(values, 100, 1024);
    expect(s.errorBound).toBe(0);
    const sorted = Float64Array.from(values).sort();
    expect(s.quantiles(REPORTED)).toEqual(REPORTED.map((q) => sorted[lowerQuantileIndex(q, 500)]));
  });
});

describe("Moments", () => {
  it("sums with compensation and merges to the same total", () => {
    const values = Float64Array.from([1e16, 1, -1e16, 1, 3.5, -2]);
    const whole = new Moments();
    whole.addRun(values, 0, values.length);
    expect(whole.total).toBe(3.5);
    const left = new Moments();
    left.addRun(values, 0, 3);
    const right = new Moments();
    right.addRun(Float64Array.from([NaN, ...values.subarray(3)]), 0, 4);
    left.merge(right.toJSON());
    expect(left.total).toBe(3.5);
    expect(left.count).toBe(6);
    expect(left.nonFinite).toBe(1);
    expect([left.min, left.max]).toEqual([-1e16, 1e16]);
  });
});
