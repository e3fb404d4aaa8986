import type { CompiledModel } from "../engine/compile.js";
import type { Projection } from "../engine/project.js";
import { METRIC_INDEX } from "../engine/metrics.js";
import { INVALID_REASONS, emptyInvalidCounts, type InvalidReason } from "./validity.js";
import { DDSketch, ExactQuantiles, DEFAULT_EXACT_THRESHOLD, quantileCollectorFromJSON, type QuantileCollector, type SerializedQuantileCollector } from "./math/index.js";

/** The monthly series whose distribution a simulation reports. */
export const SIMULATED_SERIES = ["endingCash", "revenue", "netIncome", "freeCashFlow", "debt"] as const;
export type SimulatedSeries = (typeof SIMULATED_SERIES)[number];
const IS_BALANCE: Record<SimulatedSeries, boolean> = { endingCash: true, revenue: false, netIncome: false, freeCashFlow: false, debt: true };

/** Whole-path metrics whose distribution is reported. */
export const SIMULATED_METRICS = ["fundingGap", "runwayMonths", "minCash", "cumulativeBurn", "minDscr", "endingCash"] as const;
export type SimulatedMetric = (typeof SIMULATED_METRICS)[number];

export interface KeptPath {
  path: number;
  series: Record<SimulatedSeries, number[]>;
}

/**
 * What a set of paths adds up to, mergeable: quantile collectors per month and fiscal
 * year for each series, counts for the events, collectors for the metrics. Workers fold
 * their paths into one of these per block; blocks merge in block order, so results do
 * not depend on how many workers ran.
 */
export class Aggregate {
  n = 0;
  readonly months: number;
  readonly years: number;
  /** [series][month] and [series][year]. */
  readonly monthly: QuantileCollector[][];
  readonly yearly: QuantileCollector[][];
  readonly metrics: QuantileCollector[];
  /** Paths whose cash first goes below zero in month t (index = months: never). */
  readonly cashOutMonth: Float64Array;
  /** Paths whose breakeven month is t (index = months: never). */
  readonly breakevenMonth: Float64Array;
  anyCovenantBreach = 0;
  kept: KeptPath[] = [];
  /** Paths that are not outcomes (validity.ts): counted by reason, in no statistic. */
  invalid = 0;
  invalidByReason: number[] = emptyInvalidCounts();
  /** The first few invalid paths (lowest path numbers), to show the user where to look. */
  invalidExamples: { path: number; reason: InvalidReason }[] = [];
  private readonly yearOf: Int32Array;
  private readonly yearTotals: Float64Array;

  constructor(
    readonly compiled: CompiledModel,
    readonly expectedPaths: number,
    readonly keepPaths = 0,
    /** Paths this aggregate will hold itself (a block), to size exact collectors. */
    capacity = expectedPaths,
  ) {
    const cal = compiled.calendar;
    this.months = compiled.months;
    this.yearOf = new Int32Array(this.months);
    let y = -1;
    for (let t = 0; t < this.months; t++) {
      if (t === 0 || cal.fiscalYear[t] !== cal.fiscalYear[t - 1]) y++;
      this.yearOf[t] = y;
    }
    this.years = y + 1;
    // Exact percentiles when the whole run is small, a 1%-relative-error sketch otherwise;
    // every block of one run uses the same kind so that blocks merge.
    const exact = expectedPaths <= DEFAULT_EXACT_THRESHOLD;
    const make = (): QuantileCollector => (exact ? new ExactQuantiles(Math.min(capacity, expectedPaths)) : new DDSketch());
    this.monthly = SIMULATED_SERIES.map(() => Array.from({ length: this.months }, make));
    this.yearly = SIMULATED_SERIES.map(() => Array.from({ length: this.years }, make));
    this.metrics = SIMULATED_METRICS.map(make);
    this.cashOutMonth = new Float64Array(this.months + 1);
    this.breakevenMonth = new Float64Array(this.months + 1);
    this.yearTotals = new Float64Array(this.years);
  }

  add(path: number, proj: Projection, m: Float64Array): void {
    this.n++;
    const H = this.months;
    for (let s = 0; s < SIMULATED_SERIES.length; s++) {
      const name = SIMULATED_SERIES[s];
      const values = proj.items[name];
      const monthly = this.monthly[s];
      for (let t = 0; t < H; t++) monthly[t].add(values[t]);
      const totals = this.yearTotals;
      if (IS_BALANCE[name]) for (let t = 0; t < H; t++) totals[this.yearOf[t]] = values[t];
      else {
        totals.fill(0);
        for (let t = 0; t < H; t++) totals[this.yearOf[t]] += values[t];
      }
      const yearly = this.yearly[s];
      for (let y = 0; y < this.years; y++) yearly[y].add(totals[y]);
    }
    const cashOut = m[METRIC_INDEX.cashOutIndex];
    this.cashOutMonth[cashOut < 0 ? H : cashOut]++;
    const breakeven = m[METRIC_INDEX.breakevenIndex];
    this.breakevenMonth[breakeven < 0 ? H : breakeven]++;
    if (m[METRIC_INDEX.covenantBreaches] > 0) this.anyCovenantBreach++;
    for (let k = 0; k < SIMULATED_METRICS.length; k++) this.metrics[k].add(m[METRIC_INDEX[SIMULATED_METRICS[k]]]);
    if (path < this.keepPaths) {
      const series = {} as Record<SimulatedSeries, number[]>;
      for (const name of SIMULATED_SERIES) series[name] = Array.from(proj.items[name]);
      this.kept.push({ path, series });
    }
  }

  addInvalid(path: number, reason: InvalidReason): void {
    this.invalid++;
    this.invalidByReason[INVALID_REASONS.indexOf(reason)]++;
    if (this.invalidExamples.length < MAX_INVALID_EXAMPLES) this.invalidExamples.push({ path, reason });
  }

  merge(other: Aggregate | SerializedAggregate): this {
    const o = other instanceof Aggregate ? other.toJSON() : other;
    this.invalid += o.invalid;
    o.invalidByReason.forEach((count, i) => (this.invalidByReason[i] += count));
    this.invalidExamples = [...this.invalidExamples, ...o.invalidExamples].sort((a, b) => a.path - b.path).slice(0, MAX_INVALID_EXAMPLES);
    this.n += o.n;
    o.monthly.forEach((row, s) => row.forEach((c, t) => this.monthly[s][t].merge(c)));
    o.yearly.forEach((row, s) => row.forEach((c, y) => this.yearly[s][y].merge(c)));
    o.metrics.forEach((c, k) => this.metrics[k].merge(c));
    for (let t = 0; t <= this.months; t++) {
      this.cashOutMonth[t] += o.cashOutMonth[t];
      this.breakevenMonth[t] += o.breakevenMonth[t];
    }
    this.anyCovenantBreach += o.anyCovenantBreach;
    this.kept.push(...o.kept);
    return this;
  }

  toJSON(): SerializedAggregate {
    return {
      n: this.n,
      monthly: this.monthly.map((row) => row.map((c) => c.toJSON())),
      yearly: this.yearly.map((row) => row.map((c) => c.toJSON())),
      metrics: this.metrics.map((c) => c.toJSON()),
      cashOutMonth: Array.from(this.cashOutMonth),
      breakevenMonth: Array.from(this.breakevenMonth),
      anyCovenantBreach: this.anyCovenantBreach,
      kept: this.kept,
      invalid: this.invalid,
      invalidByReason: [...this.invalidByReason],
      invalidExamples: this.invalidExamples,
    };
  }

  static fromJSON(compiled: CompiledModel, expectedPaths: number, keepPaths: number, json: SerializedAggregate): Aggregate {
    return new Aggregate(compiled, expectedPaths, keepPaths, json.n + json.invalid).merge(json);
  }

  /** Index of the fiscal year of month t among the horizon's fiscal years. */
  yearIndex(t: number): number {
    return this.yearOf[t];
  }
}

export interface SerializedAggregate {
  n: number;
  monthly: SerializedQuantileCollector[][];
  yearly: SerializedQuantileCollector[][];
  metrics: SerializedQuantileCollector[];
  cashOutMonth: number[];
  breakevenMonth: number[];
  anyCovenantBreach: number;
  kept: KeptPath[];
  invalid: number;
  invalidByReason: number[];
  invalidExamples: { path: number; reason: InvalidReason }[];
}

const MAX_INVALID_EXAMPLES = 5;

export { quantileCollectorFromJSON };
