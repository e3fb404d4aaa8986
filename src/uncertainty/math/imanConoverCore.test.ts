import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { cholesky } from "./cholesky.js";
import { prepareImanConoverTarget } from "./imanConover.js";
import { imanConoverPrepared, ImanConoverScratch, mixColumns, scoreCorrelation } from "./imanConoverCore.js";
import { randomPermutation } from "./lhs.js";
import { RankSorter } from "./rankSort.js";
import { RandomStream } from "./rng.js";
import { normalQuantile } from "./special.js";

/**
 * The reordering that a simulation's correlated inputs get must not change with how it is
 * computed: every sampled value of every path is pinned to what the original
 * implementation (kept below, as it was) gives, to the last bit, for generated targets,
 * block sizes, seeds and columns — ties, discrete values, ±0, NaN, ∞, outliers among them.
 */
function referenceImanConover(data: Float64Array, n: number, d: number, c: Float64Array, rng: RandomStream, correct = true): Float64Array {
  const out = new Float64Array(n * d);
  if (d === 1 || n < 2) {
    out.set(data.subarray(0, n * d));
    return out;
  }
  const p = cholesky(c, d, 1e-12);
  if (p === null) throw new RangeError("not PSD");
  const scores = new Float64Array(n);
  let mean = 0;
  for (let i = 0; i < n; i++) {
    scores[i] = normalQuantile((i + 1) / (n + 1));
    mean += scores[i];
  }
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    scores[i] -= mean;
    ss += scores[i] * scores[i];
  }
  const inv = 1 / Math.sqrt(ss / n);
  for (let i = 0; i < n; i++) scores[i] *= inv;
  const s = new Float64Array(n * d);
  const perm = new Uint32Array(n);
  for (let j = 0; j < d; j++) {
    randomPermutation(n, rng, perm);
    const base = j * n;
    for (let i = 0; i < n; i++) s[base + i] = scores[perm[i]];
  }
  const m = new Float64Array(d * d);
  let q: Float64Array | null = null;
  if (correct) {
    const e = new Float64Array(d * d);
    for (let a = 0; a < d; a++) {
      e[a * d + a] = 1;
      for (let b = a + 1; b < d; b++) {
        let acc = 0;
        const ba = a * n;
        const bb = b * n;
        for (let i = 0; i < n; i++) acc += s[ba + i] * s[bb + i];
        const r = acc / n;
        e[a * d + b] = r;
        e[b * d + a] = r;
      }
    }
    q = cholesky(e, d, 1e-12);
    if (q !== null) {
      for (let k = 0; k < d; k++) {
        if (q[k * d + k] === 0) {
          q = null;
          break;
        }
      }
    }
  }
  if (q === null) {
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) m[a * d + b] = p[b * d + a];
  } else {
    for (let k = 0; k < d; k++) {
      for (let a = d - 1; a >= 0; a--) {
        let v = p[k * d + a];
        for (let b = a + 1; b < d; b++) v -= q[b * d + a] * m[b * d + k];
        m[a * d + k] = v / q[a * d + a];
      }
    }
  }
  const t = new Float64Array(n);
  const order = new Uint32Array(n);
  const sorted = new Float64Array(n);
  for (let k = 0; k < d; k++) {
    t.fill(0);
    for (let j = 0; j < d; j++) {
      const w = m[j * d + k];
      if (w === 0) continue;
      const base = j * n;
      for (let i = 0; i < n; i++) t[i] += w * s[base + i];
    }
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((x, y) => t[x] - t[y] || x - y);
    sorted.set(data.subarray(k * n, (k + 1) * n));
    sorted.sort();
    const base = k * n;
    for (let r = 0; r < n; r++) out[base + order[r]] = sorted[r];
  }
  return out;
}

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return a.length === b.length ? -1 : a.length;
}

/** A column of sample values of one kind, from uniforms (so that shrinking stays simple). */
const columnKind = fc.constantFrom("normal", "lognormal", "discrete", "bernoulli", "constant", "signedZeros", "withNaN", "outlier", "infinite", "tiny", "huge");

function column(kind: string, n: number, rng: RandomStream): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.nextUniform();
    switch (kind) {
      case "normal":
        x[i] = normalQuantile(u);
        break;
      case "lognormal":
        x[i] = Math.exp(0.3 * normalQuantile(u));
        break;
      case "discrete":
        x[i] = u < 0.3 ? -2 : u < 0.8 ? 0 : 1;
        break;
      case "bernoulli":
        x[i] = u < 0.7 ? 1 : 0;
        break;
      case "constant":
        x[i] = 0.25;
        break;
      case "signedZeros":
        x[i] = u < 0.3 ? -0 : u < 0.6 ? 0 : u - 0.8;
        break;
      case "withNaN":
        x[i] = u < 0.05 ? NaN : u;
        break;
      case "outlier":
        x[i] = i === 0 ? 1e6 : u;
        break;
      case "infinite":
        x[i] = u < 0.02 ? -Infinity : u > 0.98 ? Infinity : u;
        break;
      case "tiny":
        x[i] = u * 1e-310;
        break;
      case "huge":
        x[i] = (u - 0.5) * 3e308;
        break;
    }
  }
  return x;
}

/** A valid correlation matrix: normalised A·Aᵀ for a random A (rank k), some blocks zeroed. */
function randomTarget(d: number, rank: number, blocks: number, seed: number): number[][] {
  const rng = new RandomStream(seed, 0, 3);
  const a = Array.from({ length: d }, () => Array.from({ length: rank }, () => normalQuantile(rng.nextUniform())));
  const block = (i: number) => Math.floor((i * blocks) / d);
  const g = a.map((x, i) => a.map((y, j) => (block(i) === block(j) ? x.reduce((sum, v, k) => sum + v * y[k], 0) : 0)));
  return g.map((row, i) => row.map((v, j) => (i === j ? 1 : v / Math.sqrt(g[i][i] * g[j][j]))));
}

describe("Iman–Conover reordering (what a simulation's correlated inputs get)", () => {
  // One scratch for every case: what it keeps from one call (factor, scores, buffers) must
  // never leak into the next, whose target, size or width differ.
  const scratch = new ImanConoverScratch();

  it("gives every sampled value exactly as the original implementation did", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 41, max: 3000 })),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 3 }),
        fc.nat(1000),
        fc.array(columnKind, { minLength: 7, maxLength: 7 }),
        fc.boolean(),
        (d, n, rank, blocks, seed, kinds, correct) => {
          const target = prepareImanConoverTarget(randomTarget(d, rank, blocks, seed), d);
          const data = new Float64Array(n * d);
          const valuesRng = new RandomStream(seed, 1, 2);
          for (let k = 0; k < d; k++) data.set(column(kinds[k], n, valuesRng), k * n);
          const rngA = new RandomStream(seed, 5, 1);
          const rngB = new RandomStream(seed, 5, 1);
          const expected = referenceImanConover(data, n, d, target, rngA, correct);
          const actual = imanConoverPrepared(data, n, d, target, rngB, { scratch, correctScoreCorrelation: correct });
          expect(firstDifference(actual, expected)).toBe(-1);
          // and it draws the same random numbers, so what a stream gives next is unchanged
          expect(rngB.getState()).toEqual(rngA.getState());
          // in place, as a simulation block is reordered
          const inPlace = Float64Array.from(data);
          imanConoverPrepared(inPlace, n, d, target, new RandomStream(seed, 5, 1), { scratch, out: inPlace, correctScoreCorrelation: correct });
          expect(firstDifference(inPlace, expected)).toBe(-1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("gives the same values for a simulation-sized block (8192 paths, 12 correlated inputs)", () => {
    const d = 12;
    const n = 8192;
    const target = prepareImanConoverTarget(randomTarget(d, 4, 2, 11), d);
    const kinds = ["normal", "lognormal", "discrete", "bernoulli", "normal", "lognormal", "constant", "normal", "discrete", "lognormal", "normal", "bernoulli"];
    const data = new Float64Array(n * d);
    const valuesRng = new RandomStream(11, 1, 2);
    for (let k = 0; k < d; k++) data.set(column(kinds[k], n, valuesRng), k * n);
    for (let block = 0; block < 2; block++) {
      const expected = referenceImanConover(data, n, d, target, new RandomStream(11, block, 1));
      const actual = imanConoverPrepared(data, n, d, target, new RandomStream(11, block, 1), { scratch });
      expect(firstDifference(actual, expected)).toBe(-1);
    }
  });
});

describe("Iman–Conover's sums, several columns per pass", () => {
  it("are the same numbers as one column at a time", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 11 }), fc.integer({ min: 1, max: 60 }), fc.nat(1000), fc.array(fc.boolean(), { minLength: 11, maxLength: 11 }), (d, n, seed, zero) => {
        const rng = new RandomStream(seed, 0, 0);
        const s = new Float64Array(n * d).map(() => normalQuantile(rng.nextUniform()));
        const weights = new Float64Array(d).map((_, j) => (zero[j] ? 0 : normalQuantile(rng.nextUniform())));
        const columns = new Int32Array(d).map((_, j) => j * n);
        const expected = new Float64Array(n);
        for (let j = 0; j < d; j++) for (let i = 0; i < n; i++) expected[i] += weights[j] * s[columns[j] + i];
        const t = new Float64Array(n).fill(5);
        mixColumns(s, n, weights, columns, d, t);
        expect(firstDifference(t, expected)).toBe(-1);
        const e = scoreCorrelation(s, n, d);
        for (let a = 0; a < d; a++) {
          for (let b = a + 1; b < d; b++) {
            let acc = 0;
            for (let i = 0; i < n; i++) acc += s[a * n + i] * s[b * n + i];
            expect(Object.is(e[a * d + b], acc / n) && Object.is(e[b * d + a], acc / n)).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("RankSorter (the reordering's sorts)", () => {
  const sorter = new RankSorter();
  const anyDouble = fc.oneof(
    { weight: 4, arbitrary: fc.double() },
    { weight: 4, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
    { weight: 2, arbitrary: fc.constantFrom(0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, 1e300, -1e300) },
  );

  it("orders scores as the comparison sort does (ties by index)", () => {
    fc.assert(
      fc.property(fc.array(anyDouble, { maxLength: 300 }), (values) => {
        const n = values.length;
        const t = Float64Array.from(values);
        const expected = new Uint32Array(n).map((_, i) => i).sort((x, y) => t[x] - t[y] || x - y);
        const order = new Uint32Array(n);
        sorter.orderOf(t, n, order);
        expect(Array.from(order)).toEqual(Array.from(expected));
      }),
      { numRuns: 2000 },
    );
  });

  it("sorts a column as Float64Array.prototype.sort does, to the bit", () => {
    fc.assert(
      fc.property(fc.array(anyDouble, { maxLength: 300 }), (values) => {
        const n = values.length;
        const v = Float64Array.from(values);
        const expected = Float64Array.from(v).sort();
        const sorted = new Float64Array(n + 3).fill(7);
        sorter.sortedCopy(v, n, sorted);
        expect(firstDifference(sorted.subarray(0, n), expected)).toBe(-1);
      }),
      { numRuns: 2000 },
    );
  });

  it("stays exact when most values crowd into one bucket (an outlier)", () => {
    const rng = new RandomStream(3, 0, 0);
    const n = 5000;
    const t = new Float64Array(n).map(() => rng.nextUniform());
    t[17] = 1e9;
    const order = new Uint32Array(n);
    sorter.orderOf(t, n, order);
    expect(Array.from(order)).toEqual(Array.from(new Uint32Array(n).map((_, i) => i).sort((x, y) => t[x] - t[y] || x - y)));
    const sorted = new Float64Array(n);
    sorter.sortedCopy(t, n, sorted);
    expect(firstDifference(sorted, Float64Array.from(t).sort())).toBe(-1);
  });
});
