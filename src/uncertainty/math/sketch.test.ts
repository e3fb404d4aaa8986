import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RandomStream } from "./rng.js";
import { normalQuantile } from "./special.js";
import { Moments, RankSketch, compactSortedRun, lowerQuantileIndex, predictRankErrorBound, selectRanks, selectRanksOfFinite, sortFloat64, DEFAULT_SKETCH_K, type SerializedRankSketch } from "./sketch.js";
import { AppendSortRankSketch } from "../../testing/appendSortRankSketch.js";

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

describe("RankSketch: the same items as the append-and-sort sketch it replaced", () => {
  /** The bits of each number, so that −0 and +0 differ (they are different items for the sketch). */
  const bits = (xs: readonly number[]) => Array.from(new BigUint64Array(Float64Array.from(xs).buffer));
  const levelBits = (o: SerializedRankSketch) => o.levels.map(bits);

  /**
   * A run of values with many ties, ±0 among them, so that the order of equal items matters:
   * drawn from a seed (a long array shrinks slowly; its length and seed shrink fast).
   */
  const run = (maxLength: number) =>
    fc.record({ length: fc.nat(maxLength), seed: fc.nat(1000) }).map(({ length, seed }) => {
      const r = new RandomStream(seed, 0);
      const pick = [0, -0, 0, -0, 1, -1, 2.5];
      return Array.from({ length }, () => {
        const u = r.nextUniform();
        if (u < 0.6) return pick[Math.floor(r.nextUniform() * pick.length)];
        if (u < 0.95) return Math.floor(r.nextUniform() * 61) - 30;
        return normalQuantile(r.nextUniform()) * 1e6;
      });
    });
  /** What a simulation feeds a sketch: chunks (halved when longer than k), runs at higher levels, shards, and reads in between. */
  const step = fc.oneof(
    fc.record({ kind: fc.constant("chunk" as const), values: run(1500), chunk: fc.nat(3) }),
    fc.record({ kind: fc.constant("sorted" as const), values: run(900), level: fc.nat(3) }),
    fc.record({ kind: fc.constant("shard" as const), values: run(1500), chunk: fc.nat(3) }),
    fc.record({ kind: fc.constant("read" as const), qs: fc.array(fc.double({ min: -0.1, max: 1.1, noNaN: true }), { maxLength: 9 }) }),
  );
  type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

  /** Feeds a step to the sketch (either kind), as finishSketchedRun and mergeSketchedColumns do. */
  function feed(s: RankSketch, x: Step, k: number, read: (qs: number[]) => void): void {
    if (x.kind === "read") return read(x.qs);
    const run = Float64Array.from(x.values);
    if (x.kind === "sorted") {
      sortFloat64(run);
      return s.addSorted(run, run.length, x.level, 0, true);
    }
    if (x.kind === "shard") {
      const shard = s instanceof AppendSortRankSketch ? new AppendSortRankSketch(k) : new RankSketch(k);
      feed(shard, { kind: "chunk", values: x.values, chunk: x.chunk }, k, () => {});
      return void s.merge(shard.toJSON());
    }
    if (run.length <= k) return s.addSorted(run, run.length, 0, 0, false);
    sortFloat64(run);
    s.addCompacted(run, compactSortedRun(run, run.length, k, x.chunk & 1));
  }

  it("keeps the same items at every level, with the same bound, and reads the same quantiles (by binary search, not a walk)", () => {
    fc.assert(
      fc.property(fc.constantFrom(2, 3, 16, 250, 333, 700), fc.array(step, { maxLength: 14 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 9 }), (k, steps, qs) => {
        const now = new RankSketch(k);
        const before = new AppendSortRankSketch(k);
        for (const x of steps) {
          let read: number[] = [];
          feed(before, x, k, (qs) => (read = before.quantiles(qs)));
          feed(now, x, k, (qs) => expect(bits(now.quantiles(qs))).toEqual(bits(read)));
          // Level h exists only once an item of weight 2^h ≤ count came in; each has room for k items at most.
          expect(now.allocated).toBeLessThanOrEqual(k * (Math.floor(Math.log2(Math.max(1, now.count))) + 1));
        }
        const all = [0, 1, ...REPORTED, ...qs];
        expect(bits(now.quantiles(all))).toEqual(bits(before.quantiles(all)));
        const [a, b] = [now.toJSON(), before.toJSON()];
        expect(levelBits(a)).toEqual(levelBits(b));
        expect([a.count, a.errorBound, a.parity]).toEqual([b.count, b.errorBound, b.parity]);
      }),
      { numRuns: 400 },
    );
  });

  it("holds at most k items a level, where the append-and-sort sketch held up to 2k", () => {
    const values = sample("lognormal", 200_000, 5);
    const now = sketchOf(values, 4096, 1024);
    const levels = now.toJSON().levels.length;
    expect(now.allocated).toBeLessThanOrEqual(levels * 1024);
    const before = new AppendSortRankSketch(1024);
    for (let start = 0, c = 0; start < values.length; start += 4096, c++) {
      const run = values.slice(start, start + 4096);
      sortFloat64(run);
      before.addCompacted(run, compactSortedRun(run, run.length, 1024, c & 1));
    }
    expect(levelBits(now.toJSON())).toEqual(levelBits(before.toJSON()));
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
