/**
 * Statistics helpers for tests and sensitivity analysis: ranks, Pearson and
 * Spearman correlation, the one-sample Kolmogorov–Smirnov test and a
 * chi-square goodness-of-fit test (for discrete distributions, where KS is
 * not exact).
 */

import { regularizedGammaQ } from "./special.js";

/**
 * 1-based ranks; tied values get the average of the ranks they span
 * ("fractional" ranking, as used by Spearman's rho). NaN values are ranked
 * last (treat them as missing upstream if that matters).
 */
export function ranks(values: ArrayLike<number>, out: Float64Array = new Float64Array(values.length)): Float64Array {
  const n = values.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => {
    const va = values[a];
    const vb = values[b];
    if (va < vb) return -1;
    if (va > vb) return 1;
    if (va === vb) return 0;
    return Number.isNaN(va) ? (Number.isNaN(vb) ? 0 : 1) : -1;
  });
  let i = 0;
  while (i < n) {
    let j = i + 1;
    const v = values[order[i]];
    while (j < n && (values[order[j]] === v || (Number.isNaN(v) && Number.isNaN(values[order[j]])))) j++;
    const avg = (i + 1 + j) / 2; // mean of ranks i+1 .. j
    for (let k = i; k < j; k++) out[order[k]] = avg;
    i = j;
  }
  return out;
}

/** Pearson product-moment correlation (two-pass, numerically stable). NaN if either input is constant. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`length mismatch: ${n} vs ${y.length}`);
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  const r = sxy / Math.sqrt(sxx * syy);
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

/** Spearman rank correlation: Pearson correlation of the average ranks (handles ties). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (y.length !== x.length) throw new RangeError(`length mismatch: ${x.length} vs ${y.length}`);
  return pearson(ranks(x), ranks(y));
}

/**
 * Spearman correlation matrix of the columns of an n×d column-major sample
 * (column j = data[j*n .. (j+1)*n)), the layout of `latinHypercube` and
 * `imanConover`.
 */
export function spearmanMatrix(data: Float64Array, n: number, d: number): number[][] {
  const r: Float64Array[] = [];
  for (let j = 0; j < d; j++) r.push(ranks(data.subarray(j * n, (j + 1) * n)));
  const m: number[][] = [];
  for (let a = 0; a < d; a++) m.push(new Array<number>(d).fill(1));
  for (let a = 0; a < d; a++) {
    for (let b = a + 1; b < d; b++) {
      const v = pearson(r[a], r[b]);
      m[a][b] = v;
      m[b][a] = v;
    }
  }
  return m;
}

// ---------------------------------------------------------------------------
// Kolmogorov–Smirnov
// ---------------------------------------------------------------------------

/**
 * One-sample KS statistic D = sup_x |F_n(x) − F(x)| of `samples` against a
 * continuous CDF.
 */
export function ksStatistic(samples: ArrayLike<number>, cdf: (x: number) => number): number {
  const n = samples.length;
  if (n === 0) return NaN;
  const sorted = Float64Array.from(samples as ArrayLike<number>).sort();
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    const dPlus = (i + 1) / n - f;
    const dMinus = f - i / n;
    if (dPlus > d) d = dPlus;
    if (dMinus > d) d = dMinus;
  }
  return d;
}

/**
 * Survival function of the Kolmogorov distribution, Q(λ) = P(K > λ)
 * = 2 Σ_{k>=1} (−1)^{k−1} exp(−2k²λ²), with the Jacobi-theta form for small λ.
 */
export function kolmogorovSurvival(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1.18) {
    // 1 − (√(2π)/λ) Σ_{k>=1} exp(−(2k−1)²π²/(8λ²))
    const y = Math.exp((-Math.PI * Math.PI) / (8 * lambda * lambda));
    let s = 0;
    for (let k = 1; k <= 6; k++) s += Math.pow(y, (2 * k - 1) * (2 * k - 1));
    const p = 1 - (Math.sqrt(2 * Math.PI) / lambda) * s;
    return Math.min(1, Math.max(0, p));
  }
  const x = Math.exp(-2 * lambda * lambda);
  let s = 0;
  for (let k = 1; k <= 20; k++) {
    const term = Math.pow(x, k * k);
    s += k % 2 === 1 ? term : -term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * s));
}

/** Stephens (1970) finite-n scaling: λ = (√n + 0.12 + 0.11/√n) · D. */
function stephensFactor(n: number): number {
  const sn = Math.sqrt(n);
  return sn + 0.12 + 0.11 / sn;
}

/** Approximate p-value of a one-sample KS statistic D for sample size n (Stephens' approximation; good for n >= ~5). */
export function ksPValue(d: number, n: number): number {
  return kolmogorovSurvival(stephensFactor(n) * d);
}

/** Critical value D_crit(n, α): reject when D > D_crit (same approximation as `ksPValue`). */
export function ksCriticalValue(n: number, alpha = 0.05): number {
  let lo = 0.01;
  let hi = 10;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (kolmogorovSurvival(mid) > alpha) lo = mid;
    else hi = mid;
  }
  return (0.5 * (lo + hi)) / stephensFactor(n);
}

export interface KsTestResult {
  readonly statistic: number;
  readonly n: number;
  readonly pValue: number;
  readonly alpha: number;
  readonly criticalValue: number;
  /** true when D exceeds the critical value (sample inconsistent with the CDF at level alpha) */
  readonly reject: boolean;
}

/** One-sample Kolmogorov–Smirnov test of `samples` against a continuous `cdf`. */
export function ksTest(samples: ArrayLike<number>, cdf: (x: number) => number, alpha = 0.05): KsTestResult {
  const n = samples.length;
  const statistic = ksStatistic(samples, cdf);
  const criticalValue = ksCriticalValue(n, alpha);
  return { statistic, n, pValue: ksPValue(statistic, n), alpha, criticalValue, reject: statistic > criticalValue };
}

// ---------------------------------------------------------------------------
// Chi-square goodness of fit
// ---------------------------------------------------------------------------

export interface ChiSquareResult {
  readonly statistic: number;
  readonly degreesOfFreedom: number;
  readonly pValue: number;
}

/**
 * Pearson chi-square goodness-of-fit of observed category counts against
 * expected probabilities (categories with zero expected probability must have
 * zero counts and are skipped). df = (#categories with p > 0) − 1.
 */
export function chiSquareTest(observed: ArrayLike<number>, probabilities: ArrayLike<number>): ChiSquareResult {
  if (observed.length !== probabilities.length) throw new RangeError("observed and probabilities must have the same length");
  let total = 0;
  for (let i = 0; i < observed.length; i++) total += observed[i];
  let stat = 0;
  let k = 0;
  for (let i = 0; i < observed.length; i++) {
    const p = probabilities[i];
    if (p <= 0) {
      if (observed[i] > 0) return { statistic: Infinity, degreesOfFreedom: Math.max(1, k), pValue: 0 };
      continue;
    }
    const e = total * p;
    stat += ((observed[i] - e) * (observed[i] - e)) / e;
    k++;
  }
  const df = k - 1;
  return { statistic: stat, degreesOfFreedom: df, pValue: df > 0 ? regularizedGammaQ(df / 2, stat / 2) : 1 };
}
