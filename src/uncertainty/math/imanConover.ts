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

import { cholesky } from "./cholesky.js";
import type { MatrixInput } from "./linalg.js";
import { isPositiveSemidefinite, nearestCorrelation, validateCorrelation } from "./nearestCorrelation.js";
import type { RandomStream } from "./rng.js";
import { imanConoverPrepared } from "./imanConoverCore.js";
export { imanConoverPrepared };

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

/**
 * The d×d Pearson correlation of the normal scores that gives `target` (validated, made
 * positive semidefinite if the Spearman mapping broke that): computed once per
 * simulation and passed to `imanConoverPrepared` (worker threads get it as data).
 */
export function prepareImanConoverTarget(target: MatrixInput, d: number, kind: "spearman" | "scores" = "spearman"): Float64Array {
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
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`d must be a positive integer (got ${d})`);
  return imanConoverPrepared(data, n, d, prepareImanConoverTarget(target, d, options.targetType ?? "spearman"), rng, options);
}

