import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RandomStream } from "./rng.js";
import {
  DDSketch,
  ExactQuantiles,
  createQuantileCollector,
  quantileCollectorFromJSON,
  type QuantileCollector,
  type SerializedQuantileCollector,
} from "./sketch.js";

const QS = [0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

function fill(collectors: QuantileCollector[], n: number, gen: (r: RandomStream) => number, seed: number): void {
  const r = new RandomStream(seed, 0);
  for (let i = 0; i < n; i++) {
    const x = gen(r);
    for (const c of collectors) c.add(x);
  }
}

function expectWithinRelative(sketch: QuantileCollector, exact: QuantileCollector, alpha: number, qs = QS): void {
  for (const q of qs) {
    const e = exact.quantile(q);
    const s = sketch.quantile(q);
    expect(Math.abs(s - e)).toBeLessThanOrEqual(alpha * Math.abs(e) + 1e-12 * alpha);
  }
}

describe("DDSketch", () => {
  it("is within 1% relative error of exact quantiles on skewed (lognormal) data", () => {
    const s = new DDSketch();
    const e = new ExactQuantiles();
    fill([s, e], 200_000, (r) => Math.exp(1 + 1.5 * r.nextNormal()), 1);
    expectWithinRelative(s, e, 0.01);
    const fine = Array.from({ length: 999 }, (_, i) => (i + 1) / 1000);
    expectWithinRelative(s, e, 0.01, fine);
  });

  it("is within 1% relative error on signed data (normal with negatives, exact zeros)", () => {
    const s = new DDSketch();
    const e = new ExactQuantiles();
    fill([s, e], 100_000, (r) => (r.nextUniform() < 0.05 ? 0 : 0.5 + 2 * r.nextNormal()), 2);
    const fine = Array.from({ length: 999 }, (_, i) => (i + 1) / 1000);
    expectWithinRelative(s, e, 0.01, [...QS, ...fine]);
    expect(s.quantile(0)).toBe(e.min);
    expect(s.quantile(1)).toBe(e.max);
  });

  it("tracks count, min, max, mean and variance exactly", () => {
    const s = new DDSketch();
    const e = new ExactQuantiles();
    fill([s, e], 50_000, (r) => 1e6 + r.nextNormal(), 3);
    const values = e.valuesView();
    // reference mean: naive mean plus a second-pass correction (accurate to ~1e-16 relative)
    let sum = 0;
    for (const v of values) sum += v;
    let m = sum / values.length;
    let corr = 0;
    for (const v of values) corr += v - m;
    m += corr / values.length;
    expect(s.count).toBe(50_000);
    expect(s.min).toBe(Math.min(...values));
    expect(s.max).toBe(Math.max(...values));
    expect(Math.abs(s.mean - m)).toBeLessThan(1e-15 * 1e6);
    expect(Math.abs(s.mean - e.mean)).toBeLessThan(1e-12 * 1e6);
    // large offset: Welford keeps the variance accurate (sd = 1)
    expect(s.variance).toBeCloseTo(e.variance, 10);
    expect(Math.abs(s.variance - 1)).toBeLessThan(0.03);
  });

  it("merge of two sketches equals the sketch of the union", () => {
    const a = new DDSketch();
    const b = new DDSketch();
    const all = new DDSketch();
    const exact = new ExactQuantiles();
    const r = new RandomStream(4, 0);
    for (let i = 0; i < 100_000; i++) {
      // different distributions in the two halves, both signs
      const x = i % 2 === 0 ? Math.exp(r.nextNormal()) : -3 + r.nextNormal();
      (i % 2 === 0 ? a : b).add(x);
      all.add(x);
      exact.add(x);
    }
    a.merge(b);
    expect(a.count).toBe(all.count);
    expect(a.min).toBe(all.min);
    expect(a.max).toBe(all.max);
    expect(Math.abs(a.mean - all.mean)).toBeLessThan(1e-12);
    expect(a.variance).toBeCloseTo(all.variance, 10);
    for (const q of QS) expect(a.quantile(q)).toBe(all.quantile(q));
    expectWithinRelative(a, exact, 0.01);
  });

  it("serialises to a plain object and back (e.g. from worker threads)", () => {
    const workers = [0, 1, 2].map(() => new DDSketch());
    const all = new DDSketch();
    const r = new RandomStream(5, 0);
    for (let i = 0; i < 30_000; i++) {
      const x = Math.exp(2 * r.nextNormal()) - 1;
      workers[i % 3].add(x);
      all.add(x);
    }
    const messages = workers.map((w) => JSON.parse(JSON.stringify(w.toJSON())) as SerializedQuantileCollector);
    const merged = quantileCollectorFromJSON(messages[0]);
    merged.merge(messages[1]).merge(messages[2]);
    expect(merged.kind).toBe("ddsketch");
    expect(merged.count).toBe(30_000);
    for (const q of QS) expect(merged.quantile(q)).toBe(all.quantile(q));
    expect(Math.abs(merged.mean - all.mean)).toBeLessThan(1e-12);
    // structuredClone-safe too
    const clone = DDSketch.fromJSON(structuredClone(all.toJSON()));
    expect(clone.quantiles([0.1, 0.5, 0.9])).toEqual(all.quantiles([0.1, 0.5, 0.9]));
    // an empty sketch round-trips
    const empty = DDSketch.fromJSON(JSON.parse(JSON.stringify(new DDSketch().toJSON())));
    expect(empty.count).toBe(0);
    expect(empty.quantile(0.5)).toBeNaN();
  });

  it("has bounded memory: collapses the smallest-magnitude buckets beyond maxBuckets", () => {
    const s = new DDSketch({ maxBuckets: 2048 });
    const e = new ExactQuantiles();
    // magnitudes from 1e-200 to 1e200: far more than 2048 buckets at 1%
    fill([s, e], 50_000, (r) => Math.pow(10, 400 * r.nextUniform() - 200), 6);
    expect(s.collapsed).toBe(true);
    expect(s.bucketCount).toBeLessThanOrEqual(2048);
    // 2048 buckets at 1% span ~17.7 orders of magnitude below the max (≈ the top 4.4% of this sample):
    // quantiles there keep the guarantee ...
    expectWithinRelative(s, e, 0.01, [0.97, 0.99, 0.999, 1]);
    // ... while quantiles among the collapsed smallest magnitudes are over-estimated
    expect(s.quantile(0.5)).toBeGreaterThanOrEqual(e.quantile(0.5));
    const small = new DDSketch({ maxBuckets: 64 });
    for (let i = 0; i < 1000; i++) small.add(1.05 ** i);
    expect(small.bucketCount).toBeLessThanOrEqual(64);
    expect(small.count).toBe(1000);
    expect(Math.abs(small.quantile(0.99) - 1.05 ** 989) / 1.05 ** 989).toBeLessThan(0.01);
  });

  it("skips and counts non-finite values", () => {
    const s = new DDSketch();
    s.addAll([1, NaN, 2, Infinity, -Infinity, 3]);
    expect(s.count).toBe(3);
    expect(s.nonFinite).toBe(3);
    expect(s.max).toBe(3);
  });

  it("rejects merging sketches with different accuracy", () => {
    expect(() => new DDSketch({ alpha: 0.01 }).merge(new DDSketch({ alpha: 0.02 }))).toThrow(RangeError);
    expect(() => new DDSketch({ alpha: 1.5 })).toThrow(RangeError);
  });

  it("property: relative-error guarantee holds for arbitrary finite data", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.double({ min: -1e6, max: 1e6, noNaN: true }),
            fc.double({ min: 1e-6, max: 1e-3, noNaN: true }),
            fc.constant(0),
          ),
          { minLength: 1, maxLength: 400 },
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, q) => {
          const s = new DDSketch();
          const e = new ExactQuantiles();
          s.addAll(values);
          e.addAll(values);
          // the guarantee holds unless values > 17.7 orders of magnitude apart forced a collapse (tested above)
          fc.pre(!s.collapsed);
          const exact = e.quantile(q);
          // |x| <= 1e-300 (incl. subnormals) is counted as zero: absolute slack 1e-300
          expect(Math.abs(s.quantile(q) - exact)).toBeLessThanOrEqual(0.01 * Math.abs(exact) * (1 + 1e-12) + 1e-300);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("ExactQuantiles", () => {
  it("uses the lower empirical quantile x_(floor(q(n-1)))", () => {
    const e = new ExactQuantiles();
    e.addAll([10, 3, 7, 1, 5, 9, 2, 8, 4, 6]);
    expect(e.quantile(0)).toBe(1);
    expect(e.quantile(0.5)).toBe(5); // floor(4.5) = 4 -> 5th smallest
    expect(e.quantile(0.95)).toBe(9); // floor(8.55) = 8
    expect(e.quantile(1)).toBe(10);
    expect(e.quantile(0.1111)).toBe(1); // floor(0.9999) = 0
    expect(e.quantile(1 / 9)).toBe(2);
    expect(e.quantiles([0.25, 0.75])).toEqual([3, 7]);
    expect(e.mean).toBe(5.5);
    expect(e.variance).toBeCloseTo(55 / 6, 12);
    expect(e.quantile(1.5)).toBeNaN();
    expect(new ExactQuantiles().quantile(0.5)).toBeNaN();
  });

  it("merges exact collectors and serialised ones; refuses sketches", () => {
    const a = new ExactQuantiles();
    const b = new ExactQuantiles();
    a.addAll([1, 2, 3]);
    b.addAll([4, 5]);
    a.merge(b).merge(JSON.parse(JSON.stringify(b.toJSON())));
    expect(a.count).toBe(7);
    expect(a.quantile(1)).toBe(5);
    expect(() => a.merge(new DDSketch())).toThrow(TypeError);
    // but an exact collector can be merged into a sketch
    const s = new DDSketch();
    s.merge(a);
    expect(s.count).toBe(7);
    const round = quantileCollectorFromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(round.kind).toBe("exact");
    expect(round.quantiles([0, 0.5, 1])).toEqual(a.quantiles([0, 0.5, 1]));
  });
});

describe("createQuantileCollector", () => {
  it("chooses exact below the threshold and the sketch above", () => {
    expect(createQuantileCollector(5_000).kind).toBe("exact");
    expect(createQuantileCollector(10_000).kind).toBe("exact");
    expect(createQuantileCollector(10_001).kind).toBe("ddsketch");
    expect(createQuantileCollector(1_000, { exactThreshold: 100 }).kind).toBe("ddsketch");
    const c = createQuantileCollector(1e6, { alpha: 0.005 });
    expect(c instanceof DDSketch && c.alpha === 0.005).toBe(true);
  });
});
