/**
 * Latin hypercube sampling of uniforms.
 *
 * Layout: column-major (dimension-major). For n samples and d dimensions the
 * result is a Float64Array of length n*d where dimension j occupies
 * `out[j*n .. (j+1)*n)` and `out[j*n + i]` is sample i of dimension j. This is
 * the same layout `imanConover` uses, so an LHS design can be fed to it
 * directly, and each dimension can be pushed through `Distribution.quantiles`
 * with `out.subarray(j*n, (j+1)*n)` (no copy).
 *
 * Every dimension has exactly one sample in each stratum [k/n, (k+1)/n),
 * k = 0..n-1, with the strata assigned to samples by an independent uniformly
 * random permutation (Fisher–Yates) per dimension.
 */

import type { RandomStream } from "./rng.js";

export interface LatinHypercubeOptions {
  /** Output buffer of length >= n*d (reused to avoid allocation). */
  readonly out?: Float64Array;
  /** Scratch buffer of length >= n for the permutation (reused to avoid allocation). */
  readonly scratch?: Uint32Array;
  /** Put each sample at its stratum midpoint (k + 0.5)/n instead of a random point in the stratum. */
  readonly centered?: boolean;
}

/** Random permutation of 0..n-1 into `perm[0..n)` (Fisher–Yates / Durstenfeld). */
export function randomPermutation(n: number, rng: RandomStream, perm: Uint32Array = new Uint32Array(n)): Uint32Array {
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm;
}

/**
 * Fill an n×d Latin hypercube design of uniforms in (0, 1), column-major
 * (see module docs). Deterministic for a given RandomStream state.
 */
export function latinHypercube(n: number, d: number, rng: RandomStream, options: LatinHypercubeOptions = {}): Float64Array {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer (got ${n})`);
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`d must be a positive integer (got ${d})`);
  const out = options.out ?? new Float64Array(n * d);
  if (out.length < n * d) throw new RangeError(`out has length ${out.length}, needs at least ${n * d}`);
  const perm = options.scratch ?? new Uint32Array(n);
  if (perm.length < n) throw new RangeError(`scratch has length ${perm.length}, needs at least ${n}`);
  const centered = options.centered === true;
  for (let j = 0; j < d; j++) {
    randomPermutation(n, rng, perm);
    const base = j * n;
    for (let i = 0; i < n; i++) {
      const k = perm[i];
      const lo = k / n;
      const hi = (k + 1) / n;
      let u = centered ? (k + 0.5) / n : (k + rng.nextUniform()) / n;
      // (k + v)/n can round up to (k+1)/n for v close to 1: keep it strictly inside its stratum.
      if (u >= hi) u = hi - hi * 2.220446049250313e-16;
      if (u < lo) u = lo;
      if (u <= 0) u = Number.MIN_VALUE;
      out[base + i] = u;
    }
  }
  return out;
}
