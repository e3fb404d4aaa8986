/**
 * Probability distributions for the Monte Carlo engine.
 *
 * A spec (plain data, e.g. parsed from a model file) is validated and
 * *compiled* once by `makeDistribution(spec)` into an object whose
 * `quantile(u)` is a cheap, allocation-free call: every constant it needs
 * (scale, log-beta, cumulative probabilities, truncation bounds ...) is
 * precomputed in the constructor. Sampling is always by inversion,
 * `x = quantile(u)`, so a given uniform (from a RandomStream, a Latin
 * hypercube or an Iman–Conover reordering) maps to a value deterministically.
 *
 * Truncation (continuous kinds only): `truncate: { lower?, upper? }` samples
 * `baseQuantile(F(lower) + u * (F(upper) - F(lower)))`, i.e. inversion on the
 * renormalised CDF range. When the kept range lies in the upper half of the
 * distribution the same is done on the survival function, so that far
 * upper-tail truncations keep their precision. `mean`/`variance` are those of
 * the truncated distribution (closed forms, or exact quadrature for the
 * piecewise-linear triangular density).
 *
 * Cost of `quantile(u)`: closed forms for normal (AS 241), lognormal,
 * uniform, triangular and discrete (tens of millions per second); PERT and
 * beta need an inverse incomplete beta, made cheap by a per-distribution
 * table of 129 exact quantiles that supplies a cubic-Hermite starting point
 * and a tight bracket for one or two Halley steps (a few million per second,
 * full double precision).
 *
 * Quantile convention for `u` outside (0, 1): quantile(0) / quantile(1) return
 * the support bounds (possibly infinite); values outside [0, 1] give NaN.
 */

import type { RandomStream } from "./rng.js";
import {
  betaPdf,
  betaQuantileGuess,
  inverseRegularizedBeta,
  lnBeta,
  normalCdf,
  normalMassBetween,
  normalPdf,
  normalQuantile,
  regularizedBeta,
  solveRegularizedBeta,
} from "./special.js";

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

export type DistributionErrorCode =
  | "unknown_kind"
  | "not_finite"
  | "negative_sd"
  | "zero_sd"
  | "non_positive_mean"
  | "min_greater_than_max"
  | "zero_width"
  | "mode_outside_range"
  | "non_positive_shape"
  | "negative_lambda"
  | "empty_values"
  | "length_mismatch"
  | "negative_probability"
  | "probabilities_do_not_sum_to_one"
  | "probability_out_of_range"
  | "not_whole"
  | "conflicting_parameters"
  | "invalid_truncation"
  | "truncation_excludes_support"
  | "truncation_not_supported"
  | "wrong_number_of_quantiles"
  | "quantiles_out_of_order"
  | "non_positive_quantile"
  | "missing_mode"
  | "infeasible_quantiles"
  | "quantile_outside_range"
  | "unsupported_kind";

/**
 * Thrown for invalid distribution parameters. `message` says what to fix
 * without any location prefix (the caller knows which model input it was
 * building and can prepend its own path); `param` names the offending
 * parameter within the spec (e.g. "sd", "probabilities").
 */
export class DistributionError extends Error {
  readonly code: DistributionErrorCode;
  readonly param: string | undefined;
  constructor(code: DistributionErrorCode, message: string, param?: string) {
    super(message);
    this.name = "DistributionError";
    this.code = code;
    this.param = param;
  }
}

// ---------------------------------------------------------------------------
// Specs
// ---------------------------------------------------------------------------

export interface Truncation {
  readonly lower?: number;
  readonly upper?: number;
}

export interface NormalSpec {
  readonly kind: "normal";
  readonly mean: number;
  readonly sd: number;
  readonly truncate?: Truncation;
}
/** Lognormal by the parameters of ln X ~ Normal(mu, sigma). */
export interface LognormalSpec {
  readonly kind: "lognormal";
  readonly mu: number;
  readonly sigma: number;
  readonly truncate?: Truncation;
}
/** Lognormal by the mean and sd of X itself (converted with `lognormalParamsFromMeanSd`). */
export interface LognormalMomentsSpec {
  readonly kind: "lognormal";
  readonly mean: number;
  readonly sd: number;
  readonly truncate?: Truncation;
}
export interface TriangularSpec {
  readonly kind: "triangular";
  readonly min: number;
  readonly mode: number;
  readonly max: number;
  readonly truncate?: Truncation;
}
/** PERT: Beta(1 + λ(m-a)/(b-a), 1 + λ(b-m)/(b-a)) scaled to [a, b]; λ = 4 by default. */
export interface PertSpec {
  readonly kind: "pert";
  readonly min: number;
  readonly mode: number;
  readonly max: number;
  readonly lambda?: number;
  readonly truncate?: Truncation;
}
export interface UniformSpec {
  readonly kind: "uniform";
  readonly min: number;
  readonly max: number;
  readonly truncate?: Truncation;
}
export interface BetaSpec {
  readonly kind: "beta";
  readonly alpha: number;
  readonly beta: number;
  readonly min?: number;
  readonly max?: number;
  readonly truncate?: Truncation;
}
export interface DiscreteSpec {
  readonly kind: "discrete";
  readonly values: readonly number[];
  readonly probabilities: readonly number[];
}
export interface BernoulliSpec {
  readonly kind: "bernoulli";
  readonly p: number;
}
/** Every whole number from min to max equally likely (months: month indices). */
export interface DiscreteUniformSpec {
  readonly kind: "discreteUniform";
  readonly min: number;
  readonly max: number;
}

export type DistributionSpec =
  | NormalSpec
  | LognormalSpec
  | LognormalMomentsSpec
  | TriangularSpec
  | PertSpec
  | UniformSpec
  | BetaSpec
  | DiscreteSpec
  | BernoulliSpec
  | DiscreteUniformSpec;

export type DistributionKind = DistributionSpec["kind"];

export const DISTRIBUTION_KINDS: readonly DistributionKind[] = [
  "normal",
  "lognormal",
  "triangular",
  "pert",
  "uniform",
  "beta",
  "discrete",
  "bernoulli",
  "discreteUniform",
];

// ---------------------------------------------------------------------------
// Compiled distribution interface
// ---------------------------------------------------------------------------

export interface Support {
  readonly min: number;
  readonly max: number;
}

export interface Distribution {
  readonly kind: DistributionKind;
  /** The spec this was compiled from (lognormal moment specs are kept as given). */
  readonly spec: DistributionSpec;
  readonly discrete: boolean;
  /** Mean (of the truncated distribution when truncated). */
  readonly mean: number;
  /** Variance (of the truncated distribution when truncated). */
  readonly variance: number;
  readonly sd: number;
  /** Closed support [min, max]; infinite bounds for unbounded distributions. */
  readonly support: Support;
  /** Probability mass of the base distribution kept by truncation (1 when not truncated). */
  readonly truncatedMass: number;
  /** Inverse CDF: smallest x with cdf(x) >= u. Allocation-free. */
  quantile(u: number): number;
  /** P(X <= x). */
  cdf(x: number): number;
  /** Density (continuous) or probability mass P(X = x) (discrete). */
  pdf(x: number): number;
  /** out[i] = quantile(u[i]) for every i; returns `out`. */
  quantiles(u: ArrayLike<number>, out: Float64Array): Float64Array;
  /** quantile(rng.nextUniform()). */
  sample(rng: RandomStream): number;
}

// ---------------------------------------------------------------------------
// Validation helpers
// ---------------------------------------------------------------------------

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(12))) : String(x);
}

function requireFinite(value: unknown, param: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new DistributionError("not_finite", `${param} must be a finite number (got ${String(value)})`, param);
  }
  return value;
}

function requirePositiveSd(value: number, param: string, what: string): void {
  if (value < 0) {
    throw new DistributionError("negative_sd", `${what} must be greater than 0 (got ${fmt(value)}); use a positive ${param}`, param);
  }
  if (value === 0) {
    throw new DistributionError(
      "zero_sd",
      `${what} is 0; it must be greater than 0 (for a constant, use a fixed value instead of a distribution)`,
      param,
    );
  }
}

function requireRange(min: number, max: number): void {
  if (min > max) {
    throw new DistributionError("min_greater_than_max", `min (${fmt(min)}) is greater than max (${fmt(max)}); swap them`, "min");
  }
  if (min === max) {
    throw new DistributionError(
      "zero_width",
      `min and max are both ${fmt(min)}; the range must have positive width (for a constant, use a fixed value)`,
      "max",
    );
  }
}

function requireMode(min: number, mode: number, max: number): void {
  if (mode < min || mode > max) {
    throw new DistributionError(
      "mode_outside_range",
      `mode (${fmt(mode)}) must lie between min (${fmt(min)}) and max (${fmt(max)})`,
      "mode",
    );
  }
}

// ---------------------------------------------------------------------------
// Continuous base with truncation
// ---------------------------------------------------------------------------

abstract class ContinuousDistribution implements Distribution {
  abstract readonly kind: DistributionKind;
  readonly spec: DistributionSpec;
  readonly discrete = false;
  mean = NaN;
  variance = NaN;
  sd = NaN;
  support: Support = { min: -Infinity, max: Infinity };
  truncatedMass = 1;

  // truncation state (used only when `truncated`)
  protected truncated = false;
  protected tLower = -Infinity;
  protected tUpper = Infinity;
  /** base CDF at tLower / survival at tLower */
  protected fLo = 0;
  protected sLo = 1;
  /** invert on the survival function (kept range lies in the upper half) */
  protected useUpper = false;

  constructor(spec: DistributionSpec) {
    this.spec = spec;
  }

  // base (untruncated) functions, implemented by each kind
  protected abstract baseQuantile(p: number): number;
  /** Inverse survival function: x with P(X > x) = q. */
  protected abstract baseIsf(q: number): number;
  protected abstract baseCdf(x: number): number;
  protected abstract baseSf(x: number): number;
  protected abstract basePdf(x: number): number;
  protected abstract baseSupport(): Support;
  protected abstract baseMoments(): [number, number];
  /** Mean and variance conditional on lo < X < hi (both within the base support). */
  protected abstract truncatedMoments(lo: number, hi: number, mass: number): [number, number];

  /** Must be called at the end of each subclass constructor. */
  protected init(truncate: Truncation | undefined): void {
    const base = this.baseSupport();
    let lower = base.min;
    let upper = base.max;
    if (truncate !== undefined && truncate !== null) {
      const tl = truncate.lower;
      const tu = truncate.upper;
      if (tl !== undefined && tl !== null) {
        if (typeof tl !== "number" || Number.isNaN(tl)) {
          throw new DistributionError("not_finite", `truncate.lower must be a number (got ${String(tl)})`, "truncate.lower");
        }
        lower = Math.max(lower, tl);
      }
      if (tu !== undefined && tu !== null) {
        if (typeof tu !== "number" || Number.isNaN(tu)) {
          throw new DistributionError("not_finite", `truncate.upper must be a number (got ${String(tu)})`, "truncate.upper");
        }
        upper = Math.min(upper, tu);
      }
      if (typeof tl === "number" && typeof tu === "number" && !(tl < tu)) {
        throw new DistributionError(
          "invalid_truncation",
          `truncate.lower (${fmt(tl)}) must be less than truncate.upper (${fmt(tu)})`,
          "truncate",
        );
      }
      if (!(lower < upper)) {
        throw new DistributionError(
          "truncation_excludes_support",
          `the truncation range keeps none of the distribution (support is ${fmt(base.min)} to ${fmt(base.max)}); widen or move the truncation bounds`,
          "truncate",
        );
      }
    }
    if (lower > base.min || upper < base.max) {
      const fLo = lower > base.min ? this.baseCdf(lower) : 0;
      const sLo = lower > base.min ? this.baseSf(lower) : 1;
      const fHi = upper < base.max ? this.baseCdf(upper) : 1;
      const sHi = upper < base.max ? this.baseSf(upper) : 0;
      const useUpper = fLo > 0.5;
      const mass = useUpper ? sLo - sHi : fHi - fLo;
      if (!(mass > 0)) {
        throw new DistributionError(
          "truncation_excludes_support",
          `the truncation range ${fmt(lower)} to ${fmt(upper)} has zero probability under this distribution; widen or move the truncation bounds`,
          "truncate",
        );
      }
      this.truncated = true;
      this.tLower = lower;
      this.tUpper = upper;
      this.fLo = fLo;
      this.sLo = sLo;
      this.useUpper = useUpper;
      this.truncatedMass = mass;
      const [m, v] = this.truncatedMoments(lower, upper, mass);
      this.mean = m;
      this.variance = Math.max(0, v);
    } else {
      const [m, v] = this.baseMoments();
      this.mean = m;
      this.variance = v;
    }
    this.sd = Math.sqrt(this.variance);
    this.support = { min: lower, max: upper };
  }

  protected truncQuantile(u: number): number {
    if (!(u >= 0 && u <= 1)) return NaN;
    const x = this.useUpper ? this.baseIsf(this.sLo - u * this.truncatedMass) : this.baseQuantile(this.fLo + u * this.truncatedMass);
    if (x < this.tLower) return this.tLower;
    if (x > this.tUpper) return this.tUpper;
    return x !== x ? (u < 0.5 ? this.tLower : this.tUpper) : x;
  }

  quantile(u: number): number {
    if (this.truncated) return this.truncQuantile(u);
    return this.baseQuantile(u);
  }

  cdf(x: number): number {
    if (x !== x) return NaN;
    if (!this.truncated) return this.baseCdf(x);
    if (x < this.tLower) return 0;
    if (x >= this.tUpper) return 1;
    const v = this.useUpper ? (this.sLo - this.baseSf(x)) / this.truncatedMass : (this.baseCdf(x) - this.fLo) / this.truncatedMass;
    return v < 0 ? 0 : v > 1 ? 1 : v;
  }

  pdf(x: number): number {
    if (!this.truncated) return this.basePdf(x);
    if (x < this.tLower || x > this.tUpper) return 0;
    return this.basePdf(x) / this.truncatedMass;
  }

  quantiles(u: ArrayLike<number>, out: Float64Array): Float64Array {
    const n = u.length;
    for (let i = 0; i < n; i++) out[i] = this.quantile(u[i]);
    return out;
  }

  sample(rng: RandomStream): number {
    return this.quantile(rng.nextUniform());
  }
}

// ---------------------------------------------------------------------------
// Normal
// ---------------------------------------------------------------------------

function xphi(z: number): number {
  return Number.isFinite(z) ? z * normalPdf(z) : 0;
}

class NormalDistribution extends ContinuousDistribution {
  readonly kind = "normal" as const;
  private readonly mu: number;
  private readonly sigma: number;

  constructor(spec: NormalSpec) {
    super(spec);
    this.mu = requireFinite(spec.mean, "mean");
    this.sigma = requireFinite(spec.sd, "sd");
    requirePositiveSd(this.sigma, "sd", "standard deviation (sd)");
    this.init(spec.truncate);
  }

  // Each continuous kind has its own copy of the loop over a column: in one shared
  // method the `quantile` call site would see every kind's class (a polymorphic call,
  // and a deoptimization as each new kind turns up in the first sampled block).
  override quantiles(u: ArrayLike<number>, out: Float64Array): Float64Array {
    const n = u.length;
    for (let i = 0; i < n; i++) out[i] = this.quantile(u[i]);
    return out;
  }

  override quantile(u: number): number {
    if (this.truncated) return this.truncQuantile(u);
    return this.mu + this.sigma * normalQuantile(u);
  }
  protected baseQuantile(p: number): number {
    return this.mu + this.sigma * normalQuantile(p);
  }
  protected baseIsf(q: number): number {
    return this.mu - this.sigma * normalQuantile(q);
  }
  protected baseCdf(x: number): number {
    return normalCdf((x - this.mu) / this.sigma);
  }
  protected baseSf(x: number): number {
    return normalCdf((this.mu - x) / this.sigma);
  }
  protected basePdf(x: number): number {
    return normalPdf((x - this.mu) / this.sigma) / this.sigma;
  }
  protected baseSupport(): Support {
    return { min: -Infinity, max: Infinity };
  }
  protected baseMoments(): [number, number] {
    return [this.mu, this.sigma * this.sigma];
  }
  protected truncatedMoments(lo: number, hi: number): [number, number] {
    const a = (lo - this.mu) / this.sigma;
    const b = (hi - this.mu) / this.sigma;
    const z = normalMassBetween(a, b);
    const pa = Number.isFinite(a) ? normalPdf(a) : 0;
    const pb = Number.isFinite(b) ? normalPdf(b) : 0;
    const r = (pa - pb) / z;
    const mean = this.mu + this.sigma * r;
    const variance = this.sigma * this.sigma * (1 + (xphi(a) - xphi(b)) / z - r * r);
    return [mean, variance];
  }
}

// ---------------------------------------------------------------------------
// Lognormal
// ---------------------------------------------------------------------------

/** Parameters (mu, sigma) of ln X for a lognormal X with the given mean and sd. */
export function lognormalParamsFromMeanSd(mean: number, sd: number): { mu: number; sigma: number } {
  requireFinite(mean, "mean");
  requireFinite(sd, "sd");
  if (!(mean > 0)) {
    throw new DistributionError(
      "non_positive_mean",
      `a lognormal's mean must be greater than 0 (got ${fmt(mean)}); lognormal values are always positive`,
      "mean",
    );
  }
  requirePositiveSd(sd, "sd", "standard deviation (sd)");
  const cv = sd / mean;
  const sigma2 = Math.log1p(cv * cv);
  return { mu: Math.log(mean) - sigma2 / 2, sigma: Math.sqrt(sigma2) };
}

class LognormalDistribution extends ContinuousDistribution {
  readonly kind = "lognormal" as const;
  private readonly mu: number;
  private readonly sigma: number;

  constructor(spec: LognormalSpec | LognormalMomentsSpec) {
    super(spec);
    const s = spec as Partial<LognormalSpec & LognormalMomentsSpec>;
    const hasLog = s.mu !== undefined || s.sigma !== undefined;
    const hasMoments = s.mean !== undefined || s.sd !== undefined;
    if (hasLog && hasMoments) {
      throw new DistributionError(
        "conflicting_parameters",
        "give either mu and sigma (parameters of ln X) or mean and sd (of X), not both",
        hasLog ? "mu" : "mean",
      );
    }
    if (hasMoments) {
      const p = lognormalParamsFromMeanSd(s.mean as number, s.sd as number);
      this.mu = p.mu;
      this.sigma = p.sigma;
    } else {
      this.mu = requireFinite(s.mu, "mu");
      this.sigma = requireFinite(s.sigma, "sigma");
      requirePositiveSd(this.sigma, "sigma", "sigma (sd of ln X)");
    }
    this.init(spec.truncate);
  }

  /** mu and sigma of ln X. */
  get logParams(): { mu: number; sigma: number } {
    return { mu: this.mu, sigma: this.sigma };
  }

  override quantiles(u: ArrayLike<number>, out: Float64Array): Float64Array {
    const n = u.length;
    for (let i = 0; i < n; i++) out[i] = this.quantile(u[i]);
    return out;
  }

  override quantile(u: number): number {
    if (this.truncated) return this.truncQuantile(u);
    return Math.exp(this.mu + this.sigma * normalQuantile(u));
  }
  protected baseQuantile(p: number): number {
    return Math.exp(this.mu + this.sigma * normalQuantile(p));
  }
  protected baseIsf(q: number): number {
    return Math.exp(this.mu - this.sigma * normalQuantile(q));
  }
  protected baseCdf(x: number): number {
    if (x <= 0) return 0;
    return normalCdf((Math.log(x) - this.mu) / this.sigma);
  }
  protected baseSf(x: number): number {
    if (x <= 0) return 1;
    return normalCdf((this.mu - Math.log(x)) / this.sigma);
  }
  protected basePdf(x: number): number {
    if (x <= 0) return 0;
    return normalPdf((Math.log(x) - this.mu) / this.sigma) / (this.sigma * x);
  }
  protected baseSupport(): Support {
    return { min: 0, max: Infinity };
  }
  protected baseMoments(): [number, number] {
    const s2 = this.sigma * this.sigma;
    return [Math.exp(this.mu + s2 / 2), Math.expm1(s2) * Math.exp(2 * this.mu + s2)];
  }
  protected truncatedMoments(lo: number, hi: number): [number, number] {
    const s = this.sigma;
    const a = lo > 0 ? (Math.log(lo) - this.mu) / s : -Infinity;
    const b = hi < Infinity ? (Math.log(hi) - this.mu) / s : Infinity;
    const z = normalMassBetween(a, b);
    // E[X^k | a < Z < b] = exp(k mu + k^2 s^2 / 2) * P(a - k s < Z < b - k s) / P(a < Z < b)
    const m1 = (Math.exp(this.mu + (s * s) / 2) * normalMassBetween(a - s, b - s)) / z;
    const m2 = (Math.exp(2 * this.mu + 2 * s * s) * normalMassBetween(a - 2 * s, b - 2 * s)) / z;
    return [m1, m2 - m1 * m1];
  }
}

// ---------------------------------------------------------------------------
// Uniform
// ---------------------------------------------------------------------------

class UniformDistribution extends ContinuousDistribution {
  readonly kind = "uniform" as const;
  private readonly a: number;
  private readonly b: number;
  private readonly w: number;

  constructor(spec: UniformSpec) {
    super(spec);
    this.a = requireFinite(spec.min, "min");
    this.b = requireFinite(spec.max, "max");
    requireRange(this.a, this.b);
    this.w = this.b - this.a;
    this.init(spec.truncate);
  }

  override quantiles(u: ArrayLike<number>, out: Float64Array): Float64Array {
    const n = u.length;
    for (let i = 0; i < n; i++) out[i] = this.quantile(u[i]);
    return out;
  }

  override quantile(u: number): number {
    if (this.truncated) return this.truncQuantile(u);
    if (!(u >= 0 && u <= 1)) return NaN;
    const x = this.a + u * this.w;
    return x > this.b ? this.b : x;
  }
  protected baseQuantile(p: number): number {
    const x = this.a + p * this.w;
    return x > this.b ? this.b : x;
  }
  protected baseIsf(q: number): number {
    const x = this.b - q * this.w;
    return x < this.a ? this.a : x;
  }
  protected baseCdf(x: number): number {
    if (x <= this.a) return 0;
    if (x >= this.b) return 1;
    return (x - this.a) / this.w;
  }
  protected baseSf(x: number): number {
    if (x <= this.a) return 1;
    if (x >= this.b) return 0;
    return (this.b - x) / this.w;
  }
  protected basePdf(x: number): number {
    return x >= this.a && x <= this.b ? 1 / this.w : 0;
  }
  protected baseSupport(): Support {
    return { min: this.a, max: this.b };
  }
  protected baseMoments(): [number, number] {
    return [(this.a + this.b) / 2, (this.w * this.w) / 12];
  }
  protected truncatedMoments(lo: number, hi: number): [number, number] {
    const w = hi - lo;
    return [lo + w / 2, (w * w) / 12];
  }
}

// ---------------------------------------------------------------------------
// Triangular
// ---------------------------------------------------------------------------

/** 3-point Gauss–Legendre nodes/weights on [-1, 1] (exact for polynomials of degree <= 5). */
const GL3_X = [-Math.sqrt(3 / 5), 0, Math.sqrt(3 / 5)];
const GL3_W = [5 / 9, 8 / 9, 5 / 9];

class TriangularDistribution extends ContinuousDistribution {
  readonly kind = "triangular" as const;
  private readonly a: number;
  private readonly c: number;
  private readonly b: number;
  private readonly fc: number;
  private readonly kLeft: number; // (b-a)(c-a)
  private readonly kRight: number; // (b-a)(b-c)

  constructor(spec: TriangularSpec) {
    super(spec);
    this.a = requireFinite(spec.min, "min");
    this.c = requireFinite(spec.mode, "mode");
    this.b = requireFinite(spec.max, "max");
    requireRange(this.a, this.b);
    requireMode(this.a, this.c, this.b);
    this.fc = (this.c - this.a) / (this.b - this.a);
    this.kLeft = (this.b - this.a) * (this.c - this.a);
    this.kRight = (this.b - this.a) * (this.b - this.c);
    this.init(spec.truncate);
  }

  override quantiles(u: ArrayLike<number>, out: Float64Array): Float64Array {
    const n = u.length;
    for (let i = 0; i < n; i++) out[i] = this.quantile(u[i]);
    return out;
  }

  override quantile(u: number): number {
    if (this.truncated) return this.truncQuantile(u);
    if (!(u >= 0 && u <= 1)) return NaN;
    return u < this.fc ? this.a + Math.sqrt(u * this.kLeft) : this.b - Math.sqrt((1 - u) * this.kRight);
  }
  protected baseQuantile(p: number): number {
    return p < this.fc ? this.a + Math.sqrt(p * this.kLeft) : this.b - Math.sqrt((1 - p) * this.kRight);
  }
  protected baseIsf(q: number): number {
    return q < 1 - this.fc ? this.b - Math.sqrt(q * this.kRight) : this.a + Math.sqrt((1 - q) * this.kLeft);
  }
  protected baseCdf(x: number): number {
    if (x <= this.a) return 0;
    if (x >= this.b) return 1;
    if (x <= this.c) return ((x - this.a) * (x - this.a)) / this.kLeft;
    return 1 - ((this.b - x) * (this.b - x)) / this.kRight;
  }
  protected baseSf(x: number): number {
    if (x <= this.a) return 1;
    if (x >= this.b) return 0;
    if (x <= this.c) return 1 - ((x - this.a) * (x - this.a)) / this.kLeft;
    return ((this.b - x) * (this.b - x)) / this.kRight;
  }
  protected basePdf(x: number): number {
    if (x < this.a || x > this.b) return 0;
    if (x < this.c) return (2 * (x - this.a)) / this.kLeft;
    if (x > this.c) return (2 * (this.b - x)) / this.kRight;
    return 2 / (this.b - this.a);
  }
  protected baseSupport(): Support {
    return { min: this.a, max: this.b };
  }
  protected baseMoments(): [number, number] {
    const { a, b, c } = this;
    return [(a + b + c) / 3, (a * a + b * b + c * c - a * b - a * c - b * c) / 18];
  }
  /** ∫ g(x) pdf(x) dx over [lo, hi]; exact for polynomial g of degree <= 4 (pdf is linear on each piece). */
  private integrate(lo: number, hi: number, g: (x: number) => number): number {
    let total = 0;
    const pieces: [number, number][] = [
      [Math.max(lo, this.a), Math.min(hi, this.c)],
      [Math.max(lo, this.c), Math.min(hi, this.b)],
    ];
    for (const [p, q] of pieces) {
      if (!(q > p)) continue;
      const half = (q - p) / 2;
      const mid = (p + q) / 2;
      for (let k = 0; k < 3; k++) {
        const x = mid + half * GL3_X[k];
        total += GL3_W[k] * half * g(x) * this.basePdf(x);
      }
    }
    return total;
  }
  protected truncatedMoments(lo: number, hi: number): [number, number] {
    const mass = this.integrate(lo, hi, () => 1);
    const shift = this.c; // integrate x - shift to avoid cancellation for large offsets
    const mean = shift + this.integrate(lo, hi, (x) => x - shift) / mass;
    const variance = this.integrate(lo, hi, (x) => (x - mean) * (x - mean)) / mass;
    return [mean, variance];
  }
}

// ---------------------------------------------------------------------------
// Beta (scaled to [min, max]) and PERT
// ---------------------------------------------------------------------------

/** P(ylo < Y < yhi) for Y ~ Beta(a, b), computed on the side avoiding cancellation. */
function betaMassBetween(ylo: number, yhi: number, a: number, b: number, lnB: number): number {
  if (ylo > a / (a + b)) {
    return regularizedBeta(ylo, a, b, false, lnB) - regularizedBeta(yhi, a, b, false, lnB);
  }
  return regularizedBeta(yhi, a, b, true, lnB) - regularizedBeta(ylo, a, b, true, lnB);
}

/** Number of intervals of the per-distribution beta quantile table. */
const BETA_TABLE_SIZE = 128;

class BetaDistribution extends ContinuousDistribution {
  readonly kind: "beta" | "pert";
  readonly alpha: number;
  readonly beta: number;
  private readonly lo: number;
  private readonly hi: number;
  private readonly w: number;
  private readonly lnB: number;
  /** quantile table: tx[i] = Q(i/N), td[i] = (1/N)·dQ/du at i/N (see stdQuantile) */
  private readonly tx: Float64Array;
  private readonly td: Float64Array;

  constructor(spec: BetaSpec | PertSpec) {
    super(spec);
    this.kind = spec.kind;
    if (spec.kind === "pert") {
      const a = requireFinite(spec.min, "min");
      const m = requireFinite(spec.mode, "mode");
      const b = requireFinite(spec.max, "max");
      const lambda = spec.lambda === undefined ? 4 : requireFinite(spec.lambda, "lambda");
      requireRange(a, b);
      requireMode(a, m, b);
      if (lambda < 0) {
        throw new DistributionError("negative_lambda", `PERT lambda must be 0 or greater (got ${fmt(lambda)}); the usual value is 4`, "lambda");
      }
      this.alpha = 1 + (lambda * (m - a)) / (b - a);
      this.beta = 1 + (lambda * (b - m)) / (b - a);
      this.lo = a;
      this.hi = b;
    } else {
      this.alpha = requireFinite(spec.alpha, "alpha");
      this.beta = requireFinite(spec.beta, "beta");
      if (!(this.alpha > 0)) {
        throw new DistributionError("non_positive_shape", `alpha must be greater than 0 (got ${fmt(this.alpha)})`, "alpha");
      }
      if (!(this.beta > 0)) {
        throw new DistributionError("non_positive_shape", `beta must be greater than 0 (got ${fmt(this.beta)})`, "beta");
      }
      this.lo = spec.min === undefined ? 0 : requireFinite(spec.min, "min");
      this.hi = spec.max === undefined ? 1 : requireFinite(spec.max, "max");
      requireRange(this.lo, this.hi);
    }
    this.w = this.hi - this.lo;
    this.lnB = lnBeta(this.alpha, this.beta);
    const n = BETA_TABLE_SIZE;
    this.tx = new Float64Array(n + 1);
    this.td = new Float64Array(n + 1);
    this.tx[n] = 1;
    for (let i = 1; i < n; i++) {
      const x = inverseRegularizedBeta(i / n, this.alpha, this.beta, this.lnB);
      this.tx[i] = x;
      this.td[i] = 1 / (n * betaPdf(x, this.alpha, this.beta, this.lnB));
    }
    this.init(spec.truncate);
  }

  /**
   * Standard Beta(α, β) quantile for lower-tail probability u = 1 − q (the
   * caller passes both; whichever was computed by subtraction has relative
   * error <= 2^-53 because the other is the smaller one). Hot path: a
   * precomputed table of BETA_TABLE_SIZE + 1 exact quantiles with slopes gives a cubic-Hermite
   * guess and a tight bracket; one or two safeguarded Halley steps then
   * solve I_x(α, β) = u to full precision. In the upper tail the mirrored
   * problem I_{1−x}(β, α) = q is solved instead, so upper-tail quantiles
   * keep their accuracy.
   */
  private stdQuantile(u: number, q: number): number {
    if (!(u >= 0 && u <= 1)) return NaN;
    if (u === 0) return 0;
    if (q === 0) return 1;
    const n = BETA_TABLE_SIZE;
    const a = this.alpha;
    const b = this.beta;
    const s = u * n;
    const i = Math.min(n - 1, Math.floor(s));
    // bracket from the table, widened by 1e-12 (relative) to absorb rounding in the table entries
    const lo = this.tx[i] * (1 - 1e-12);
    const hi = i + 1 === n ? 1 : Math.min(1, this.tx[i + 1] * (1 + 1e-12));
    let guess: number;
    if (i === 0 || i === n - 1) {
      guess = u <= 0.5 ? betaQuantileGuess(u, a, b) : 1 - betaQuantileGuess(q, b, a);
    } else {
      const t = s - i;
      const t1 = 1 - t;
      const x0 = this.tx[i];
      const x1 = this.tx[i + 1];
      guess = (1 + 2 * t) * t1 * t1 * x0 + t * t1 * t1 * this.td[i] + t * t * (3 - 2 * t) * x1 - t * t * t1 * this.td[i + 1];
      if (!(guess > lo && guess < hi)) guess = x0 + t * (x1 - x0);
    }
    // Solve on the side where the tail probability is computed directly (u <= 0.5: I_x = u,
    // else the mirrored I_{1−x}(β, α) = q) — except that a small x is always solved for
    // directly (with u > 0.5 known to relative precision), so it keeps full relative precision.
    if (u <= 0.5 || guess <= 0.5) return solveRegularizedBeta(u, a, b, this.lnB, guess, lo, hi);
    const y = solveRegularizedBeta(q, b, a, this.lnB, 1 - guess, 1 - hi, 1 - lo);
    return 1 - y;
  }

  override quantiles(u: ArrayLike<number>, out: Float64Array): Float64Array {
    const n = u.length;
    for (let i = 0; i < n; i++) out[i] = this.quantile(u[i]);
    return out;
  }

  override quantile(u: number): number {
    if (this.truncated) return this.truncQuantile(u);
    const x = this.lo + this.w * this.stdQuantile(u, 1 - u);
    return x > this.hi ? this.hi : x;
  }
  protected baseQuantile(p: number): number {
    const x = this.lo + this.w * this.stdQuantile(p, 1 - p);
    return x > this.hi ? this.hi : x;
  }
  protected baseIsf(q: number): number {
    const x = this.lo + this.w * this.stdQuantile(1 - q, q);
    return x > this.hi ? this.hi : x;
  }
  protected baseCdf(x: number): number {
    return regularizedBeta((x - this.lo) / this.w, this.alpha, this.beta, true, this.lnB);
  }
  protected baseSf(x: number): number {
    return regularizedBeta((x - this.lo) / this.w, this.alpha, this.beta, false, this.lnB);
  }
  protected basePdf(x: number): number {
    return betaPdf((x - this.lo) / this.w, this.alpha, this.beta, this.lnB) / this.w;
  }
  protected baseSupport(): Support {
    return { min: this.lo, max: this.hi };
  }
  protected baseMoments(): [number, number] {
    const { alpha: a, beta: b } = this;
    const s = a + b;
    return [this.lo + (this.w * a) / s, (this.w * this.w * a * b) / (s * s * (s + 1))];
  }
  protected truncatedMoments(lo: number, hi: number, mass: number): [number, number] {
    const a = this.alpha;
    const b = this.beta;
    const s = a + b;
    const ylo = (lo - this.lo) / this.w;
    const yhi = (hi - this.lo) / this.w;
    // E[Y 1{Y<y}] = a/(a+b) I_y(a+1, b);  E[Y^2 1{Y<y}] = a(a+1)/((a+b)(a+b+1)) I_y(a+2, b)
    const m1 = ((a / s) * betaMassBetween(ylo, yhi, a + 1, b, lnBeta(a + 1, b))) / mass;
    const m2 = (((a * (a + 1)) / (s * (s + 1))) * betaMassBetween(ylo, yhi, a + 2, b, lnBeta(a + 2, b))) / mass;
    return [this.lo + this.w * m1, this.w * this.w * (m2 - m1 * m1)];
  }
}

// ---------------------------------------------------------------------------
// Discrete and Bernoulli
// ---------------------------------------------------------------------------

const PROBABILITY_SUM_TOLERANCE = 1e-9;

class DiscreteDistribution implements Distribution {
  readonly kind = "discrete" as const;
  readonly spec: DistributionSpec;
  readonly discrete = true;
  readonly mean: number;
  readonly variance: number;
  readonly sd: number;
  readonly support: Support;
  readonly truncatedMass = 1;
  /** sorted distinct values */
  readonly values: Float64Array;
  /** probabilities aligned with `values` (normalised to sum exactly to 1) */
  readonly probabilities: Float64Array;
  private readonly cum: Float64Array;
  private readonly k: number;

  constructor(spec: DiscreteSpec) {
    this.spec = spec;
    const values = spec.values;
    const probs = spec.probabilities;
    if (!Array.isArray(values) || values.length === 0) {
      throw new DistributionError("empty_values", "a discrete distribution needs at least one value", "values");
    }
    if (!Array.isArray(probs) || probs.length !== values.length) {
      throw new DistributionError(
        "length_mismatch",
        `values has ${values.length} entries but probabilities has ${Array.isArray(probs) ? probs.length : 0}; give one probability per value`,
        "probabilities",
      );
    }
    let sum = 0;
    let comp = 0; // Neumaier-compensated sum, so e.g. ten 0.1s sum to exactly 1
    for (let i = 0; i < values.length; i++) {
      requireFinite(values[i], `values[${i}]`);
      const p = requireFinite(probs[i], `probabilities[${i}]`);
      if (p < 0) {
        throw new DistributionError(
          "negative_probability",
          `probability ${fmt(p)} (for value ${fmt(values[i])}) is negative; probabilities must be 0 or greater`,
          "probabilities",
        );
      }
      const t = sum + p;
      comp += Math.abs(sum) >= p ? sum - t + p : p - t + sum;
      sum = t;
    }
    sum += comp;
    if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
      throw new DistributionError(
        "probabilities_do_not_sum_to_one",
        `probabilities sum to ${fmt(sum)}; they must sum to 1`,
        "probabilities",
      );
    }
    // sort by value, merge duplicates, normalise
    const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
    const v: number[] = [];
    const p: number[] = [];
    for (const i of order) {
      const x = values[i];
      if (v.length > 0 && v[v.length - 1] === x) p[p.length - 1] += probs[i] / sum;
      else {
        v.push(x);
        p.push(probs[i] / sum);
      }
    }
    this.k = v.length;
    this.values = Float64Array.from(v);
    this.probabilities = Float64Array.from(p);
    this.cum = new Float64Array(this.k);
    let c = 0;
    let cc = 0; // compensation: cumulative probabilities are correctly rounded partial sums
    let mean = 0;
    for (let i = 0; i < this.k; i++) {
      const t = c + p[i];
      cc += Math.abs(c) >= p[i] ? c - t + p[i] : p[i] - t + c;
      c = t;
      this.cum[i] = Math.min(1, c + cc);
      mean += p[i] * v[i];
    }
    this.cum[this.k - 1] = 1;
    let variance = 0;
    for (let i = 0; i < this.k; i++) variance += p[i] * (v[i] - mean) * (v[i] - mean);
    this.mean = mean;
    this.variance = variance;
    this.sd = Math.sqrt(variance);
    // support: smallest / largest values with positive probability
    let first = 0;
    while (first < this.k - 1 && this.probabilities[first] === 0) first++;
    let last = this.k - 1;
    while (last > 0 && this.probabilities[last] === 0) last--;
    this.support = { min: v[first], max: v[last] };
  }

  quantile(u: number): number {
    if (!(u >= 0 && u <= 1)) return NaN;
    const cum = this.cum;
    const k = this.k;
    if (u === 0) return this.support.min;
    // Probabilities written in decimal (0.6 + 0.3) add up in binary to a hair under their
    // decimal sum (0.8999999999999999); a user asking for the 0.9 quantile means 0.9.
    const target = u - 1e-12;
    if (k <= 16) {
      for (let i = 0; i < k; i++) if (cum[i] >= target) return this.values[i];
      return this.values[k - 1];
    }
    let lo = 0;
    let hi = k - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid] >= target) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo];
  }

  cdf(x: number): number {
    if (x !== x) return NaN;
    const v = this.values;
    if (x < v[0]) return 0;
    let lo = 0;
    let hi = this.k - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (v[mid] <= x) lo = mid;
      else hi = mid - 1;
    }
    return this.cum[lo];
  }

  pdf(x: number): number {
    const v = this.values;
    for (let i = 0; i < this.k; i++) if (v[i] === x) return this.probabilities[i];
    return 0;
  }

  quantiles(u: ArrayLike<number>, out: Float64Array): Float64Array {
    const n = u.length;
    for (let i = 0; i < n; i++) out[i] = this.quantile(u[i]);
    return out;
  }

  sample(rng: RandomStream): number {
    return this.quantile(rng.nextUniform());
  }
}

class BernoulliDistribution implements Distribution {
  readonly kind = "bernoulli" as const;
  readonly spec: DistributionSpec;
  readonly discrete = true;
  readonly mean: number;
  readonly variance: number;
  readonly sd: number;
  readonly support: Support;
  readonly truncatedMass = 1;
  readonly p: number;
  private readonly q: number;

  constructor(spec: BernoulliSpec) {
    this.spec = spec;
    const p = requireFinite(spec.p, "p");
    if (p < 0 || p > 1) {
      throw new DistributionError("probability_out_of_range", `p must be between 0 and 1 (got ${fmt(p)})`, "p");
    }
    this.p = p;
    this.q = 1 - p;
    this.mean = p;
    this.variance = p * (1 - p);
    this.sd = Math.sqrt(this.variance);
    this.support = { min: p === 1 ? 1 : 0, max: p === 0 ? 0 : 1 };
  }

  quantile(u: number): number {
    if (!(u >= 0 && u <= 1)) return NaN;
    return u > this.q ? 1 : 0;
  }
  cdf(x: number): number {
    if (x !== x) return NaN;
    return x < 0 ? 0 : x < 1 ? this.q : 1;
  }
  pdf(x: number): number {
    return x === 0 ? this.q : x === 1 ? this.p : 0;
  }
  quantiles(u: ArrayLike<number>, out: Float64Array): Float64Array {
    const n = u.length;
    const q = this.q;
    for (let i = 0; i < n; i++) {
      const v = u[i];
      out[i] = v >= 0 && v <= 1 ? (v > q ? 1 : 0) : NaN;
    }
    return out;
  }
  sample(rng: RandomStream): number {
    return this.quantile(rng.nextUniform());
  }
}

/**
 * Every whole number from min to max with the same probability 1/n (n = max − min + 1):
 * a month drawn from a window (a data centre opening any month from March to September),
 * a number of units. quantile(u) = min + ⌈u·n⌉ − 1, the smallest k with cdf(k) ≥ u.
 */
class DiscreteUniformDistribution implements Distribution {
  readonly kind = "discreteUniform" as const;
  readonly spec: DistributionSpec;
  readonly discrete = true;
  readonly mean: number;
  readonly variance: number;
  readonly sd: number;
  readonly support: Support;
  readonly truncatedMass = 1;
  private readonly min: number;
  private readonly n: number;

  constructor(spec: DiscreteUniformSpec) {
    this.spec = spec;
    const min = requireFinite(spec.min, "min");
    const max = requireFinite(spec.max, "max");
    if (!Number.isInteger(min)) throw new DistributionError("not_whole", `min must be a whole number (got ${fmt(min)})`, "min");
    if (!Number.isInteger(max)) throw new DistributionError("not_whole", `max must be a whole number (got ${fmt(max)})`, "max");
    if (min > max) throw new DistributionError("min_greater_than_max", `min (${fmt(min)}) is greater than max (${fmt(max)})`, "min");
    this.min = min;
    this.n = max - min + 1;
    this.mean = (min + max) / 2;
    this.variance = (this.n * this.n - 1) / 12;
    this.sd = Math.sqrt(this.variance);
    this.support = { min, max };
  }

  quantile(u: number): number {
    if (!(u >= 0 && u <= 1)) return NaN;
    if (u === 0) return this.min;
    // Decimal cumulative probabilities (0.3 for 3 of 10 values) land a hair above their
    // binary value; they mean the value at that step, as for `discrete`.
    return this.min + Math.max(0, Math.min(this.n - 1, Math.ceil(u * this.n - 1e-9) - 1));
  }
  cdf(x: number): number {
    if (x !== x) return NaN;
    if (x < this.min) return 0;
    return Math.min(1, (Math.floor(x) - this.min + 1) / this.n);
  }
  pdf(x: number): number {
    return Number.isInteger(x) && x >= this.min && x < this.min + this.n ? 1 / this.n : 0;
  }
  quantiles(u: ArrayLike<number>, out: Float64Array): Float64Array {
    for (let i = 0; i < u.length; i++) out[i] = this.quantile(u[i]);
    return out;
  }
  sample(rng: RandomStream): number {
    return this.quantile(rng.nextUniform());
  }
}

// ---------------------------------------------------------------------------
// Factory
// ---------------------------------------------------------------------------

/**
 * Validate a spec and compile it. Throws `DistributionError` (with a `code`)
 * for invalid parameters.
 */
export function makeDistribution(spec: DistributionSpec): Distribution {
  if (spec === null || typeof spec !== "object") {
    throw new DistributionError("unknown_kind", "a distribution spec must be an object with a kind");
  }
  const kind = (spec as { kind?: unknown }).kind;
  const truncate = (spec as { truncate?: unknown }).truncate;
  if ((kind === "discrete" || kind === "bernoulli" || kind === "discreteUniform") && truncate !== undefined) {
    throw new DistributionError(
      "truncation_not_supported",
      `truncation is only available for continuous distributions, not ${kind}; adjust the values or probabilities instead`,
      "truncate",
    );
  }
  switch (kind) {
    case "normal":
      return new NormalDistribution(spec as NormalSpec);
    case "lognormal":
      return new LognormalDistribution(spec as LognormalSpec | LognormalMomentsSpec);
    case "uniform":
      return new UniformDistribution(spec as UniformSpec);
    case "triangular":
      return new TriangularDistribution(spec as TriangularSpec);
    case "pert":
      return new BetaDistribution(spec as PertSpec);
    case "beta":
      return new BetaDistribution(spec as BetaSpec);
    case "discrete":
      return new DiscreteDistribution(spec as DiscreteSpec);
    case "bernoulli":
      return new BernoulliDistribution(spec as BernoulliSpec);
    case "discreteUniform":
      return new DiscreteUniformDistribution(spec as DiscreteUniformSpec);
    default:
      throw new DistributionError(
        "unknown_kind",
        `unknown distribution kind ${JSON.stringify(kind)}; expected one of ${DISTRIBUTION_KINDS.join(", ")}`,
        "kind",
      );
  }
}

// ---------------------------------------------------------------------------
// Parametrisation from quantiles
// ---------------------------------------------------------------------------

export interface QuantilePoint {
  /** cumulative probability level in (0, 1), e.g. 0.1 for P10 */
  readonly p: number;
  /** the value at that level */
  readonly value: number;
}

/**
 * Two quantiles: either an object keyed by percentile (`{ p10: 5, p90: 20 }`,
 * `{ p5: .., p95: .. }`, `{ "p2.5": .., "p97.5": .. }`) or two explicit points.
 */
export type QuantileInput =
  | { readonly [key: `p${number}`]: number }
  | readonly [QuantilePoint, QuantilePoint];

export interface FromQuantilesOptions {
  /** Required for triangular and PERT (the most likely value). */
  readonly mode?: number;
  /** PERT lambda (default 4). */
  readonly lambda?: number;
  /** Beta only: the fixed range [min, max] (default [0, 1]). */
  readonly min?: number;
  readonly max?: number;
}

/** Kinds that `fromQuantiles` supports. */
export const FROM_QUANTILES_KINDS = ["normal", "lognormal", "uniform", "triangular", "pert", "beta"] as const;
export type FromQuantilesKind = (typeof FROM_QUANTILES_KINDS)[number];

function parseQuantileInput(input: QuantileInput): [QuantilePoint, QuantilePoint] {
  let points: QuantilePoint[];
  if (Array.isArray(input)) {
    points = (input as readonly QuantilePoint[]).map((q, i) => ({
      p: requireFinite(q?.p, `quantiles[${i}].p`),
      value: requireFinite(q?.value, `quantiles[${i}].value`),
    }));
  } else if (input !== null && typeof input === "object") {
    points = [];
    for (const [key, value] of Object.entries(input)) {
      const m = /^p(\d+(?:\.\d+)?)$/.exec(key);
      if (!m) {
        throw new DistributionError(
          "wrong_number_of_quantiles",
          `unrecognised quantile key "${key}"; use keys like p10 and p90`,
          key,
        );
      }
      points.push({ p: Number(m[1]) / 100, value: requireFinite(value, key) });
    }
  } else {
    throw new DistributionError("wrong_number_of_quantiles", "give exactly two quantiles, e.g. { p10, p90 }");
  }
  if (points.length !== 2) {
    throw new DistributionError(
      "wrong_number_of_quantiles",
      `give exactly two quantiles, e.g. { p10, p90 } (got ${points.length})`,
    );
  }
  for (const q of points) {
    if (!(q.p > 0 && q.p < 1)) {
      throw new DistributionError(
        "probability_out_of_range",
        `quantile level ${fmt(q.p)} must be strictly between 0 and 1 (e.g. 0.1 for P10)`,
      );
    }
  }
  points.sort((x, y) => x.p - y.p);
  const [lo, hi] = points;
  if (lo.p === hi.p) {
    throw new DistributionError("quantiles_out_of_order", `the two quantile levels are both ${fmt(lo.p)}; give two different levels`);
  }
  if (!(lo.value < hi.value)) {
    throw new DistributionError(
      "quantiles_out_of_order",
      `the P${fmt(lo.p * 100)} value (${fmt(lo.value)}) must be less than the P${fmt(hi.p * 100)} value (${fmt(hi.value)})`,
    );
  }
  return [lo, hi];
}

/** Standardised triangular (on [0, 1], mode r) quantile. */
function stdTriangularQuantile(u: number, r: number): number {
  return u < r ? Math.sqrt(u * r) : 1 - Math.sqrt((1 - u) * (1 - r));
}

/**
 * Solve for a location-scale family on [a, a + W] whose shape depends only on
 * the relative mode position r = (m - a) / W: find r, a, W such that
 * Q(p1) = x1, Q(p2) = x2 and the mode equals m.
 *
 * For fixed r the two quantile equations are linear in (a, W); substituting
 * leaves one equation in r:  (r - y1(r)) / (y2(r) - y1(r)) = (m - x1) / (x2 - x1),
 * with y_i(r) the standardised quantiles. The left side runs from a negative
 * value at r = 0 to a value > 1 at r = 1, so it is solved by bisection, and
 * modes outside that range are reported as infeasible.
 */
function solveBoundedFromQuantiles(
  lo: QuantilePoint,
  hi: QuantilePoint,
  mode: number,
  stdQuantile: (u: number, r: number) => number,
): { min: number; max: number } {
  const phi = (r: number): number => {
    const y1 = stdQuantile(lo.p, r);
    const y2 = stdQuantile(hi.p, r);
    return (r - y1) / (y2 - y1);
  };
  const target = (mode - lo.value) / (hi.value - lo.value);
  const f0 = phi(0);
  const f1 = phi(1);
  if (!(target >= f0 && target <= f1)) {
    const minMode = lo.value + f0 * (hi.value - lo.value);
    const maxMode = lo.value + f1 * (hi.value - lo.value);
    throw new DistributionError(
      "infeasible_quantiles",
      `no distribution of this kind has mode ${fmt(mode)} with these quantiles; the mode must lie between ${fmt(minMode)} and ${fmt(maxMode)}`,
      "mode",
    );
  }
  let a = 0;
  let b = 1;
  let fa = f0 - target;
  for (let i = 0; i < 200 && b - a > 1e-16; i++) {
    const mid = 0.5 * (a + b);
    const fm = phi(mid) - target;
    if (fm === 0) {
      a = b = mid;
      break;
    }
    if (fm < 0 === fa < 0) {
      a = mid;
      fa = fm;
    } else {
      b = mid;
    }
  }
  const r = 0.5 * (a + b);
  const y1 = stdQuantile(lo.p, r);
  const y2 = stdQuantile(hi.p, r);
  const width = (hi.value - lo.value) / (y2 - y1);
  const min = lo.value - width * y1;
  return { min: Math.min(min, mode), max: Math.max(min + width, mode) };
}

/**
 * Root of a continuous f on [a, b] with f(a), f(b) of opposite signs
 * (Illinois variant of regula falsi, with bisection when it stalls).
 */
function solveBracketed(f: (x: number) => number, a: number, b: number, xtol: number): number {
  let fa = f(a);
  let fb = f(b);
  if (fa === 0) return a;
  if (fb === 0) return b;
  let side = 0;
  for (let iter = 0; iter < 300 && Math.abs(b - a) > xtol; iter++) {
    let c = (a * fb - b * fa) / (fb - fa);
    // keep the secant point well inside the bracket; bisect otherwise
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const margin = 0.01 * (hi - lo);
    if (!(c > lo + margin && c < hi - margin) || iter % 8 === 7) c = 0.5 * (a + b);
    const fc = f(c);
    if (fc === 0) return c;
    if (fc < 0 === fb < 0) {
      b = c;
      fb = fc;
      if (side === -1) fa /= 2;
      side = -1;
    } else {
      a = c;
      fa = fc;
      if (side === 1) fb /= 2;
      side = 1;
    }
  }
  return 0.5 * (a + b);
}

/**
 * Beta(α, β) on [min, max] with given quantiles. Parametrise by the mean
 * m = α/(α+β) and the concentration κ = α+β. For fixed κ the distribution is
 * stochastically increasing in m, so m(κ) with Q(p1) = x1 is a monotone 1-D
 * solve; as κ grows the distribution concentrates on x1, so Q(p2) − x2 goes
 * from positive (κ → 0: mass at the two ends) to negative, and κ is found by
 * a bracketed solve on ln κ.
 */
function solveBetaFromQuantiles(lo: QuantilePoint, hi: QuantilePoint, min: number, max: number): { alpha: number; beta: number } {
  const w = max - min;
  const y1 = (lo.value - min) / w;
  const y2 = (hi.value - min) / w;
  if (!(y1 > 0 && y2 < 1)) {
    throw new DistributionError(
      "quantile_outside_range",
      `beta quantiles must lie strictly between min (${fmt(min)}) and max (${fmt(max)}); got ${fmt(lo.value)} and ${fmt(hi.value)}`,
    );
  }
  // shape from concentration k and logit-mean t: α = k·m, β = k·(1 − m), m = 1/(1 + e^−t),
  // with 1 − m computed as 1/(1 + e^t) so neither parameter rounds to zero
  const quantileAt = (p: number, t: number, k: number): number => {
    const a = k / (1 + Math.exp(-t));
    const b = k / (1 + Math.exp(t));
    return inverseRegularizedBeta(p, a, b, lnBeta(a, b));
  };
  // logit-mean for which Q(p1) = y1 at concentration k
  const logitMeanFor = (k: number): number => solveBracketed((t) => quantileAt(lo.p, t, k) - y1, -40, 40, 1e-13);
  // Q(p2) − y2 at concentration e^lnK, or NaN where Q(p1) = y1 cannot be met in double
  // precision (extremely dispersed shapes whose quantiles underflow)
  const g = (lnK: number): number => {
    const k = Math.exp(lnK);
    const t = logitMeanFor(k);
    if (!(Math.abs(quantileAt(lo.p, t, k) - y1) <= 1e-9 * Math.max(y1, 1 - y1))) return NaN;
    return quantileAt(hi.p, t, k) - y2;
  };
  // bracket ln κ by expanding from κ = 2 (uniform-like) in steps of 10×
  const step = Math.log(10);
  let lnKLo = Math.log(2);
  let gLo = g(lnKLo);
  let lnKHi = lnKLo;
  let gHi = gLo;
  if (gLo > 0) {
    for (let i = 0; i < 12 && gHi > 0; i++) {
      lnKLo = lnKHi;
      lnKHi += step;
      gHi = g(lnKHi);
    }
  } else {
    for (let i = 0; i < 6 && !(gLo > 0); i++) {
      lnKHi = lnKLo;
      lnKLo -= step;
      gLo = g(lnKLo);
    }
  }
  if (!(g(lnKLo) > 0 && g(lnKHi) < 0)) {
    throw new DistributionError(
      "infeasible_quantiles",
      `no beta distribution on ${fmt(min)}..${fmt(max)} has these quantiles (in double precision); move them apart or away from the range ends`,
    );
  }
  const k = Math.exp(solveBracketed(g, lnKLo, lnKHi, 1e-13));
  const t = logitMeanFor(k);
  return { alpha: k / (1 + Math.exp(-t)), beta: k / (1 + Math.exp(t)) };
}

export function fromQuantiles(kind: "normal", quantiles: QuantileInput): NormalSpec;
export function fromQuantiles(kind: "lognormal", quantiles: QuantileInput): LognormalSpec;
export function fromQuantiles(kind: "uniform", quantiles: QuantileInput): UniformSpec;
export function fromQuantiles(kind: "triangular", quantiles: QuantileInput, options: FromQuantilesOptions): TriangularSpec;
export function fromQuantiles(kind: "pert", quantiles: QuantileInput, options: FromQuantilesOptions): PertSpec;
export function fromQuantiles(kind: "beta", quantiles: QuantileInput, options?: FromQuantilesOptions): BetaSpec;
export function fromQuantiles(kind: FromQuantilesKind, quantiles: QuantileInput, options?: FromQuantilesOptions): DistributionSpec;
/**
 * Parameters of a distribution whose quantiles at two levels equal the given
 * values (e.g. P10 and P90 from an expert).
 *
 *  - normal, lognormal, uniform: two quantiles determine the distribution.
 *  - triangular, PERT: min and max are solved for given the two quantiles
 *    plus `options.mode` (two quantiles alone cannot fix three parameters).
 *  - beta: alpha and beta are solved for on the fixed range
 *    [options.min, options.max] (default [0, 1]); both quantiles must lie
 *    strictly inside the range.
 *  - discrete, bernoulli: not supported (throws "unsupported_kind").
 */
export function fromQuantiles(kind: FromQuantilesKind, quantiles: QuantileInput, options: FromQuantilesOptions = {}): DistributionSpec {
  const [lo, hi] = parseQuantileInput(quantiles);
  switch (kind) {
    case "normal": {
      const z1 = normalQuantile(lo.p);
      const z2 = normalQuantile(hi.p);
      const sd = (hi.value - lo.value) / (z2 - z1);
      return { kind: "normal", mean: lo.value - sd * z1, sd };
    }
    case "lognormal": {
      if (!(lo.value > 0)) {
        throw new DistributionError(
          "non_positive_quantile",
          `lognormal values are always positive, but the P${fmt(lo.p * 100)} value is ${fmt(lo.value)}; use a normal distribution or positive quantiles`,
        );
      }
      const z1 = normalQuantile(lo.p);
      const z2 = normalQuantile(hi.p);
      const l1 = Math.log(lo.value);
      const l2 = Math.log(hi.value);
      const sigma = (l2 - l1) / (z2 - z1);
      return { kind: "lognormal", mu: l1 - sigma * z1, sigma };
    }
    case "uniform": {
      const w = (hi.value - lo.value) / (hi.p - lo.p);
      const min = lo.value - lo.p * w;
      return { kind: "uniform", min, max: min + w };
    }
    case "triangular":
    case "pert": {
      const mode = options.mode;
      if (mode === undefined) {
        throw new DistributionError(
          "missing_mode",
          `${kind} from quantiles needs the most likely value as well: pass { mode } (two quantiles cannot fix min, mode and max)`,
          "mode",
        );
      }
      requireFinite(mode, "mode");
      if (kind === "triangular") {
        const { min, max } = solveBoundedFromQuantiles(lo, hi, mode, stdTriangularQuantile);
        return { kind: "triangular", min, mode, max };
      }
      const lambda = options.lambda === undefined ? 4 : requireFinite(options.lambda, "lambda");
      if (lambda < 0) {
        throw new DistributionError("negative_lambda", `PERT lambda must be 0 or greater (got ${fmt(lambda)})`, "lambda");
      }
      const stdPert = (u: number, r: number): number => {
        const a = 1 + lambda * r;
        const b = 1 + lambda * (1 - r);
        return inverseRegularizedBeta(u, a, b, lnBeta(a, b));
      };
      const { min, max } = solveBoundedFromQuantiles(lo, hi, mode, stdPert);
      return options.lambda === undefined ? { kind: "pert", min, mode, max } : { kind: "pert", min, mode, max, lambda };
    }
    case "beta": {
      const min = options.min === undefined ? 0 : requireFinite(options.min, "min");
      const max = options.max === undefined ? 1 : requireFinite(options.max, "max");
      requireRange(min, max);
      const { alpha, beta } = solveBetaFromQuantiles(lo, hi, min, max);
      const spec: BetaSpec = options.min === undefined && options.max === undefined ? { kind: "beta", alpha, beta } : { kind: "beta", alpha, beta, min, max };
      return spec;
    }
    default:
      throw new DistributionError(
        "unsupported_kind",
        `cannot build a ${String(kind)} distribution from quantiles; supported kinds are ${FROM_QUANTILES_KINDS.join(", ")}`,
        "kind",
      );
  }
}
