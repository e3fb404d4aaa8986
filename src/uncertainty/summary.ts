import type { CompiledModel } from "../engine/compile.js";
import { Aggregate, SIMULATED_SERIES, SIMULATED_METRICS, type ColumnStatistics, type KeptPath, type OutputDetail, type SimulatedSeries } from "./aggregate.js";
import type { UncertaintySpec } from "./sample.js";
import { INVALID_REASONS, INVALID_REASON_TEXT, type InvalidReason } from "./invalidReasons.js";

export const REPORTED_QUANTILES = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95] as const;
const QUANTILE_KEYS = ["p5", "p10", "p25", "p50", "p75", "p90", "p95"] as const;

export type Distribution = { mean: number | null } & Record<(typeof QUANTILE_KEYS)[number], number | null>;

export interface SimulationResult {
  model: string;
  scenario: string | null;
  currency: string;
  unit: string;
  /** Paths simulated: valid ones (every statistic is over these) plus invalid ones. */
  paths: number;
  validPaths: number;
  /** Paths that are not outcomes (NaN, an input or formula value out of range, …), left out of every statistic. */
  invalidPaths: {
    count: number;
    share: number;
    byReason: Record<InvalidReason, number>;
    /** The first few, by path number, with what made them invalid. */
    examples: { path: number; reason: InvalidReason; text: string }[];
    /** The share of invalid paths allowed (simulate's maxInvalidPaths / --max-invalid-paths; 0: none). */
    limit: number;
    /** More invalid paths than the limit allows: the run failed (the CLI exits 1 after the report). */
    exceeded: boolean;
  };
  requestedPaths: number;
  /** True when the run was stopped early (Ctrl-C): figures cover `paths` paths only. */
  partial: boolean;
  seed: number;
  sampling: "monte-carlo" | "latin-hypercube";
  threads: number;
  /** Which periods are reported: fiscal years, and months with detail "month" (else `months` is empty). */
  detail: OutputDetail;
  /** How percentiles were computed (for the months too, unless `monthly` says otherwise). */
  quantiles: QuantileMethod & { definition: string; monthly?: QuantileMethod };
  inputs: { name: string; path: string; distribution: string; mean: number; p10: number; p50: number; p90: number }[];
  processes: { name: string; driver: string; process: string }[];
  months: ({ period: string } & Record<SimulatedSeries, Distribution>)[];
  years: ({ year: number } & Record<SimulatedSeries, Distribution>)[];
  probabilities: {
    cashOut: number;
    cashOutByYear: { year: number; probability: number }[];
    anyCovenantBreach: number;
    breakevenByYear: { year: number; probability: number }[];
  };
  /** Share of paths whose cash first goes below zero in each month (months with none are left out). */
  cashOutMonth: { period: string; probability: number }[];
  /** Extra opening cash that keeps cash above the floor on that share of paths. */
  fundingGap: { p50: number | null; p90: number | null; p95: number | null; mean: number | null };
  metrics: Record<(typeof SIMULATED_METRICS)[number], Distribution>;
  keptPaths: KeptPath[];
  warnings: string[];
}

export interface QuantileMethod {
  method: "exact" | "rank-sketch";
  /**
   * Guaranteed bound on how far, in percentile points, the rank of a reported percentile
   * can be from the rank asked for (0.04 = a reported p10 lies between the exact p9.96
   * and p10.04); 0 when exact.
   */
  rankErrorBound: number;
}

function describe(c: ColumnStatistics): Distribution {
  const out = { mean: c.count > 0 ? c.mean : null } as Distribution;
  const values = c.count > 0 ? c.quantiles(REPORTED_QUANTILES) : null;
  REPORTED_QUANTILES.forEach((_, i) => (out[QUANTILE_KEYS[i]] = values ? values[i] : null));
  return out;
}

/** Rounded up to 3 decimals, so that the stated bound is never below the real one. */
function percentilePoints(share: number): number {
  return Math.ceil(share * 100 * 1000) / 1000;
}

export function summarize(
  agg: Aggregate,
  compiled: CompiledModel,
  spec: UncertaintySpec,
  meta: { scenario: string | null; seed: number; lhs: boolean; threads: number; requested: number; partial: boolean; warnings: string[] },
): SimulationResult {
  const cal = compiled.calendar;
  // Statistics and odds are over the valid paths; invalid ones are counted apart.
  const n = agg.n - agg.invalid;
  const layout = agg.layout;
  const yearsList: number[] = [];
  const lastMonthOfYear: number[] = [];
  for (let t = 0; t < compiled.months; t++) {
    const y = agg.yearIndex(t);
    yearsList[y] = cal.fiscalYear[t];
    lastMonthOfYear[y] = t;
  }
  const months = layout.monthly
    ? Array.from({ length: compiled.months }, (_, t) => {
        const row = { period: cal.labels[t] } as { period: string } & Record<SimulatedSeries, Distribution>;
        SIMULATED_SERIES.forEach((s, k) => (row[s] = describe(agg.statistics(layout.monthColumn(k, t)))));
        return row;
      })
    : [];
  const years = yearsList.map((year, y) => {
    const row = { year } as { year: number } & Record<SimulatedSeries, Distribution>;
    SIMULATED_SERIES.forEach((s, k) => (row[s] = describe(agg.statistics(layout.yearColumn(k, y)))));
    return row;
  });
  const cumulative = (counts: Float64Array, upTo: number) => {
    let s = 0;
    for (let t = 0; t <= upTo; t++) s += counts[t];
    return n > 0 ? s / n : 0;
  };
  const metrics = {} as SimulationResult["metrics"];
  SIMULATED_METRICS.forEach((name, k) => (metrics[name] = describe(agg.statistics(layout.metricColumn(k)))));
  const gap = metrics.fundingGap;
  const methodOf = (exact: boolean, monthly: boolean): QuantileMethod => (exact ? { method: "exact", rankErrorBound: 0 } : { method: "rank-sketch", rankErrorBound: percentilePoints(agg.rankError(monthly)) });
  const summaryMethod = methodOf(agg.summary.exact, false);
  const monthlyMethod = agg.monthlyMethod ? methodOf(agg.monthlyMethod.exact, true) : null;
  return {
    model: compiled.model.meta.company,
    scenario: meta.scenario,
    currency: compiled.model.meta.currency,
    unit: compiled.model.meta.unit,
    paths: agg.n,
    validPaths: n,
    invalidPaths: {
      count: agg.invalid,
      share: agg.n > 0 ? agg.invalid / agg.n : 0,
      byReason: Object.fromEntries(INVALID_REASONS.map((r, i) => [r, agg.invalidByReason[i]])) as Record<InvalidReason, number>,
      examples: agg.invalidExamples.map((e) => ({ ...e, text: INVALID_REASON_TEXT[e.reason] })),
      limit: 0,
      exceeded: agg.invalid > 0,
    },
    requestedPaths: meta.requested,
    partial: meta.partial,
    seed: meta.seed,
    sampling: meta.lhs ? "latin-hypercube" : "monte-carlo",
    threads: meta.threads,
    detail: layout.detail,
    quantiles: {
      ...summaryMethod,
      definition:
        summaryMethod.method === "exact" && (!monthlyMethod || monthlyMethod.method === "exact")
          ? "lower empirical quantile: the value of rank ⌊q·(n−1)⌋ of the sorted values"
          : "lower empirical quantile, the value of rank ⌊q·(n−1)⌋, from a deterministic rank sketch (compactors): the reported value's rank is within the stated bound of that rank",
      ...(monthlyMethod && (monthlyMethod.method !== summaryMethod.method || monthlyMethod.rankErrorBound !== summaryMethod.rankErrorBound) ? { monthly: monthlyMethod } : {}),
    },
    inputs: spec.inputs.map((i) => ({ name: i.name, path: i.targets.map((t) => t.path).join(", "), distribution: i.distribution.kind, mean: i.distribution.mean, p10: i.distribution.quantile(0.1), p50: i.distribution.quantile(0.5), p90: i.distribution.quantile(0.9) })),
    processes: spec.processes.map((p) => ({ name: p.name, driver: p.driver, process: p.process })),
    months,
    years,
    probabilities: {
      cashOut: cumulative(agg.cashOutMonth, compiled.months - 1),
      cashOutByYear: yearsList.map((year, y) => ({ year, probability: cumulative(agg.cashOutMonth, lastMonthOfYear[y]) })),
      anyCovenantBreach: n > 0 ? agg.anyCovenantBreach / n : 0,
      breakevenByYear: yearsList.map((year, y) => ({ year, probability: cumulative(agg.breakevenMonth, lastMonthOfYear[y]) })),
    },
    cashOutMonth: Array.from(agg.cashOutMonth.subarray(0, compiled.months))
      .map((count, t) => ({ period: cal.labels[t], probability: n > 0 ? count / n : 0 }))
      .filter((x) => x.probability > 0),
    fundingGap: { p50: gap.p50, p90: gap.p90, p95: gap.p95, mean: gap.mean },
    metrics,
    keptPaths: agg.kept.sort((a, b) => a.path - b.path),
    warnings: meta.warnings,
  };
}
