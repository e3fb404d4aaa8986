/**
 * Iman & Conover (1982) rank-correlation induction.
 *
 * Given an n×d sample matrix with arbitrary marginals, reorder the values
 * *within* each column so that the columns acquire a target rank correlation,
 * while every marginal is kept exactly (each output column is a permutation
 * of the corresponding input column).
 *
 * Layout: column-major Float64Array of length n*d — column j (variable j) is
 * `data[j*n .. (j+1)*n)`, row i (path i) is `data[j*n + i]` for each j. This
 * is the layout produced by `latinHypercube`.
 *
 * Algorithm:
 *  1. van der Waerden scores a_i = Φ⁻¹(i/(n+1)); score matrix S whose columns
 *     are independent random permutations of the scores.
 *  2. E = sample correlation of S, E = Q Qᵀ (Cholesky); target C = P Pᵀ.
 *  3. T = S (Q⁻¹)ᵀ Pᵀ — the Q⁻¹ factor is the standard refinement that
 *     removes the *sample* correlation of S so T has correlation exactly C
 *     (without it only approximately, with O(1/√n) error).
 *  4. Column j of the output is column j of the input sorted and laid out in
 *     the rank order of column j of T.
 *
 * The Pearson correlation of T's columns is C, but its *rank* correlation is
 * that of a normal copula, 6/π · asin(C/2) (0.8 → 0.786). By default the
 * target is therefore interpreted as Spearman rank correlations and converted
 * first with 2·sin(π·ρ/6), so the output's Spearman correlations match the
 * target (`targetType: "scores"` gives the classic behaviour). If that
 * conversion makes a valid target slightly non-PSD it is repaired with
 * `nearestCorrelation`.
 */

import { cholesky, type MatrixInput } from "./linalg.js";
import { isPositiveSemidefinite, nearestCorrelation, validateCorrelation } from "./nearestCorrelation.js";
import type { RandomStream } from "./rng.js";
import { randomPermutation } from "./lhs.js";
import { normalQuantile } from "./special.js";

export interface ImanConoverOptions {
  /** Output buffer (length >= n*d); may be the input buffer itself. */
  readonly out?: Float64Array;
  /**
   * "spearman" (default): target entries are Spearman rank correlations.
   * "scores": target entries are the Pearson correlations of the normal
   * scores (the original Iman–Conover formulation).
   */
  readonly targetType?: "spearman" | "scores";
  /** Remove the sample correlation of the score matrix (default true). */
  readonly correctScoreCorrelation?: boolean;
}

/** Spearman rank correlation of a bivariate normal with Pearson correlation r: (6/π) asin(r/2). */
export function spearmanFromPearsonNormal(r: number): number {
  return (6 / Math.PI) * Math.asin(r / 2);
}

/** Inverse of `spearmanFromPearsonNormal`: 2 sin(π ρ / 6). */
export function pearsonNormalFromSpearman(rho: number): number {
  return 2 * Math.sin((Math.PI * rho) / 6);
}

function prepareTarget(target: MatrixInput, d: number, kind: "spearman" | "scores"): Float64Array {
  if (target.length !== d) {
    throw new RangeError(`target correlation matrix is ${target.length}×${target[0]?.length ?? 0} but the sample has ${d} columns`);
  }
  const problems = validateCorrelation(target, 1e-9);
  if (problems.length > 0) {
    throw new RangeError(`invalid target correlation matrix: ${problems.map((p) => p.message).join("; ")}`);
  }
  if (!isPositiveSemidefinite(target, 1e-9)) {
    throw new RangeError(
      "target correlation matrix is not positive semidefinite (no joint distribution has these correlations); repair it with nearestCorrelation first",
    );
  }
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const v = i === j ? 1 : 0.5 * (target[i][j] + target[j][i]);
      c[i * d + j] = kind === "spearman" && i !== j ? pearsonNormalFromSpearman(v) : v;
    }
  }
  if (kind === "spearman" && cholesky(c, d, 1e-12) === null) {
    const rows: number[][] = [];
    for (let i = 0; i < d; i++) rows.push(Array.from(c.subarray(i * d, (i + 1) * d)));
    // A target on the edge of the PSD cone (e.g. one already repaired with eigenvalues clipped
    // at 0) can turn slightly indefinite in the conversion; repair it to strictly positive
    // definite, or the Cholesky factorisation below still fails on rounding.
    const repaired = nearestCorrelation(rows, { minEigenvalue: 1e-8 }).matrix;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) c[i * d + j] = repaired[i][j];
  }
  return c;
}

/**
 * Reorder the columns of `data` (n×d, column-major) to have the target rank
 * correlation matrix (d×d, rows). Every column of the result is a permutation
 * of the same column of the input. Uses `rng` for the score permutations, so
 * the result is reproducible for a given stream state.
 */
export function imanConover(
  data: Float64Array,
  n: number,
  d: number,
  target: MatrixInput,
  rng: RandomStream,
  options: ImanConoverOptions = {},
): Float64Array {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer (got ${n})`);
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`d must be a positive integer (got ${d})`);
  if (data.length < n * d) throw new RangeError(`data has length ${data.length}, needs n*d = ${n * d}`);
  const out = options.out ?? new Float64Array(n * d);
  if (out.length < n * d) throw new RangeError(`out has length ${out.length}, needs n*d = ${n * d}`);
  const c = prepareTarget(target, d, options.targetType ?? "spearman");
  if (d === 1 || n < 2) {
    if (out !== data) out.set(data.subarray(0, n * d));
    return out;
  }

  const p = cholesky(c, d, 1e-12);
  if (p === null) throw new RangeError("target correlation matrix is not positive semidefinite; repair it with nearestCorrelation first");

  // 1. van der Waerden scores, centred and scaled to unit (population) variance
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

  // score matrix: independent random permutations of the scores
  const s = new Float64Array(n * d);
  const perm = new Uint32Array(n);
  for (let j = 0; j < d; j++) {
    randomPermutation(n, rng, perm);
    const base = j * n;
    for (let i = 0; i < n; i++) s[base + i] = scores[perm[i]];
  }

  // 2. mixing matrix M (d×d, row-major) with T = S M
  //    M = (Q⁻¹)ᵀ Pᵀ   where E = Q Qᵀ is the score correlation, C = P Pᵀ
  const m = new Float64Array(d * d);
  let q: Float64Array | null = null;
  if (options.correctScoreCorrelation !== false) {
    const e = new Float64Array(d * d);
    for (let a = 0; a < d; a++) {
      e[a * d + a] = 1;
      for (let b = a + 1; b < d; b++) {
        let acc = 0;
        const ba = a * n;
        const bb = b * n;
        for (let i = 0; i < n; i++) acc += s[ba + i] * s[bb + i];
        const r = acc / n; // columns have mean 0 and unit variance
        e[a * d + b] = r;
        e[b * d + a] = r;
      }
    }
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

  // 3–4. column by column: t = S M[:, k]; rank t; lay out sorted input values in that order
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
