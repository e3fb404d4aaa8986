import { cholesky } from "./cholesky.js";
import type { RandomStream } from "./rng.js";
import { randomPermutation } from "./lhs.js";
import { normalQuantile } from "./special.js";
import { RankSorter } from "./rankSort.js";
import type { ImanConoverOptions } from "./imanConover.js";

/**
 * Buffers and per-target results that one Iman–Conover call after another can reuse (a
 * simulation reorders block after block with the same target): the Cholesky factor of the
 * target and the centred van der Waerden scores depend only on the target and the block
 * size, so they are computed once and reused while those stay the same.
 */
export class ImanConoverScratch {
  /** the target `factor` was computed from (a copy, compared by value) */
  private target = new Float64Array(0);
  private factor: Float64Array | null = null;
  private scoresFor = -1;
  private scoreValues = new Float64Array(0);
  private capacity = 0;
  /** score matrix, column-major (n × d) */
  s = new Float64Array(0);
  perm = new Uint32Array(0);
  t = new Float64Array(0);
  order = new Uint32Array(0);
  sorted = new Float64Array(0);
  readonly sorter = new RankSorter();

  size(n: number, d: number): void {
    if (n > this.capacity) {
      this.capacity = n;
      this.perm = new Uint32Array(n);
      this.t = new Float64Array(n);
      this.order = new Uint32Array(n);
      this.sorted = new Float64Array(n);
    }
    if (n * d > this.s.length) this.s = new Float64Array(n * d);
  }

  /** The Cholesky factor P of the target C = P Pᵀ (null if C is not PSD). */
  factorOf(c: Float64Array, d: number): Float64Array | null {
    const dd = d * d;
    let same = this.target.length === dd;
    for (let i = 0; same && i < dd; i++) same = Object.is(this.target[i], c[i]);
    if (!same) {
      this.target = Float64Array.from(c.subarray(0, dd));
      this.factor = cholesky(this.target, d, 1e-12);
    }
    return this.factor;
  }

  /** van der Waerden scores Φ⁻¹(i/(n+1)), centred and scaled to unit (population) variance. */
  scores(n: number): Float64Array {
    if (this.scoresFor === n) return this.scoreValues;
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
    this.scoresFor = n;
    this.scoreValues = scores;
    return scores;
  }
}

/**
 * Iman–Conover on a target already prepared by `prepareImanConoverTarget` (imanConover.ts
 * has the algorithm's notes): the sampling path, without the validation that needs an
 * eigen decomposition. Pass a `scratch` to reuse buffers and per-target work across calls.
 */
export function imanConoverPrepared(
  data: Float64Array,
  n: number,
  d: number,
  c: Float64Array,
  rng: RandomStream,
  options: Pick<ImanConoverOptions, "out" | "correctScoreCorrelation"> & { scratch?: ImanConoverScratch } = {},
): Float64Array {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer (got ${n})`);
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`d must be a positive integer (got ${d})`);
  if (data.length < n * d) throw new RangeError(`data has length ${data.length}, needs n*d = ${n * d}`);
  const out = options.out ?? new Float64Array(n * d);
  if (out.length < n * d) throw new RangeError(`out has length ${out.length}, needs n*d = ${n * d}`);
  if (d === 1 || n < 2) {
    if (out !== data) out.set(data.subarray(0, n * d));
    return out;
  }
  const scratch = options.scratch ?? new ImanConoverScratch();
  scratch.size(n, d);

  const p = scratch.factorOf(c, d);
  if (p === null) throw new RangeError("target correlation matrix is not positive semidefinite; repair it with nearestCorrelation first");

  // Every loop over the n rows (or the d×d matrices) is a function of its own: a block's
  // reordering is one call, and V8 optimizes a long loop on stack replacement and keeps that
  // code for the next calls; inline, the code after each loop (run with no type feedback
  // yet) would deoptimize it again in every block.

  // 1. van der Waerden scores; score matrix: independent random permutations of them
  const scores = scratch.scores(n);
  const s = scratch.s;
  const perm = scratch.perm;
  for (let j = 0; j < d; j++) {
    randomPermutation(n, rng, perm);
    permuteInto(scores, perm, n, s, j * n);
  }

  // 2. mixing matrix M (d×d, row-major) with T = S M
  const m = mixingMatrix(s, n, d, p, options.correctScoreCorrelation !== false);

  // 3–4. column by column: t = S M[:, k]; rank t; lay out sorted input values in that order
  reorderColumns(data, out, s, n, d, m, scratch);
  return out;
}

/** s[base + i] = scores[perm[i]] for i < n. */
function permuteInto(scores: Float64Array, perm: Uint32Array, n: number, s: Float64Array, base: number): void {
  for (let i = 0; i < n; i++) s[base + i] = scores[perm[i]];
}

/**
 * M = (Q⁻¹)ᵀ Pᵀ, where E = Q Qᵀ is the score correlation and C = P Pᵀ (without the
 * correction, or when E is singular, M = Pᵀ).
 */
function mixingMatrix(s: Float64Array, n: number, d: number, p: Float64Array, correct: boolean): Float64Array {
  const m = new Float64Array(d * d);
  let q: Float64Array | null = null;
  if (correct) {
    const e = scoreCorrelation(s, n, d);
    q = cholesky(e, d, 1e-12);
    // singular score correlation (n <= d): fall back to the uncorrected method
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
    // M = Pᵀ
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) m[a * d + b] = p[b * d + a];
  } else {
    // Solve Qᵀ M = Pᵀ by back substitution (Qᵀ is upper triangular), column by column of M.
    for (let k = 0; k < d; k++) {
      for (let a = d - 1; a >= 0; a--) {
        let v = p[k * d + a]; // (Pᵀ)[a][k]
        for (let b = a + 1; b < d; b++) v -= q[b * d + a] * m[b * d + k]; // (Qᵀ)[a][b] = Q[b][a]
        m[a * d + k] = v / q[a * d + a];
      }
    }
  }
  return m;
}

/** Column k of `out`: column k of `data` sorted, laid out in the rank order of column k of S M. */
function reorderColumns(data: Float64Array, out: Float64Array, s: Float64Array, n: number, d: number, m: Float64Array, scratch: ImanConoverScratch): void {
  const t = scratch.t;
  const order = scratch.order;
  const sorted = scratch.sorted;
  const sorter = scratch.sorter;
  const weights = new Float64Array(d);
  const columns = new Int32Array(d);
  for (let k = 0; k < d; k++) {
    let used = 0;
    for (let j = 0; j < d; j++) {
      const w = m[j * d + k];
      if (w === 0) continue;
      weights[used] = w;
      columns[used] = j * n;
      used++;
    }
    mixColumns(s, n, weights, columns, used, t);
    sorter.orderOf(t, n, order);
    const base = k * n;
    sorter.sortedCopy(data.subarray(base, base + n), n, sorted);
    scatter(sorted, order, n, out, base);
  }
}

/** out[base + order[r]] = sorted[r] for r < n. */
function scatter(sorted: Float64Array, order: Uint32Array, n: number, out: Float64Array, base: number): void {
  for (let r = 0; r < n; r++) out[base + order[r]] = sorted[r];
}

/**
 * E[a][b] = (1/n) Σᵢ s_a[i] s_b[i] (the columns have mean 0 and unit variance). Four
 * columns b at a time share the loads of column a; each sum still adds its terms in
 * index order, so every entry is the same number as one sum at a time gives.
 */
export function scoreCorrelation(s: Float64Array, n: number, d: number): Float64Array {
  const e = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    e[a * d + a] = 1;
    const ba = a * n;
    let b = a + 1;
    for (; b + 3 < d; b += 4) {
      const b0 = b * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      let acc0 = 0;
      let acc1 = 0;
      let acc2 = 0;
      let acc3 = 0;
      for (let i = 0; i < n; i++) {
        const x = s[ba + i];
        acc0 += x * s[b0 + i];
        acc1 += x * s[b1 + i];
        acc2 += x * s[b2 + i];
        acc3 += x * s[b3 + i];
      }
      setSymmetric(e, d, a, b, acc0 / n);
      setSymmetric(e, d, a, b + 1, acc1 / n);
      setSymmetric(e, d, a, b + 2, acc2 / n);
      setSymmetric(e, d, a, b + 3, acc3 / n);
    }
    for (; b < d; b++) {
      const bb = b * n;
      let acc = 0;
      for (let i = 0; i < n; i++) acc += s[ba + i] * s[bb + i];
      setSymmetric(e, d, a, b, acc / n);
    }
  }
  return e;
}

function setSymmetric(e: Float64Array, d: number, a: number, b: number, r: number): void {
  e[a * d + b] = r;
  e[b * d + a] = r;
}

/**
 * t[i] = 0 + w₀·s[c₀ + i] + w₁·s[c₁ + i] + …, added left to right (the order of the
 * columns), four columns per pass over t: the same additions in the same order as one
 * column per pass, with a quarter of the loads and stores of t.
 */
export function mixColumns(s: Float64Array, n: number, weights: Float64Array, columns: Int32Array, used: number, t: Float64Array): void {
  t.fill(0, 0, n);
  let j = 0;
  for (; j + 3 < used; j += 4) {
    const w0 = weights[j];
    const w1 = weights[j + 1];
    const w2 = weights[j + 2];
    const w3 = weights[j + 3];
    const c0 = columns[j];
    const c1 = columns[j + 1];
    const c2 = columns[j + 2];
    const c3 = columns[j + 3];
    for (let i = 0; i < n; i++) t[i] = t[i] + w0 * s[c0 + i] + w1 * s[c1 + i] + w2 * s[c2 + i] + w3 * s[c3 + i];
  }
  for (; j < used; j++) {
    const w = weights[j];
    const c = columns[j];
    for (let i = 0; i < n; i++) t[i] += w * s[c + i];
  }
}
