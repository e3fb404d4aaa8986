import { cholesky } from "./cholesky.js";
import type { RandomStream } from "./rng.js";
import { randomPermutation } from "./lhs.js";
import { normalQuantile } from "./special.js";
import type { ImanConoverOptions } from "./imanConover.js";

/**
 * Iman–Conover on a target already prepared by `prepareImanConoverTarget` (imanConover.ts
 * has the algorithm's notes): the sampling path, without the validation that needs an
 * eigen decomposition.
 */
export function imanConoverPrepared(
  data: Float64Array,
  n: number,
  d: number,
  c: Float64Array,
  rng: RandomStream,
  options: Pick<ImanConoverOptions, "out" | "correctScoreCorrelation"> = {},
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
