import type { CompiledModel } from "../engine/compile.js";
import { Aggregate, SIMULATED_SERIES, SIMULATED_METRICS, type KeptPath, type SimulatedSeries } from "./aggregate.js";
import type { UncertaintySpec } from "./spec.js";
import type { QuantileCollector } from "./math/index.js";
import { INVALID_REASONS, INVALID_REASON_TEXT, type InvalidReason } from "./validity.js";

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
  };
  requestedPaths: number;
  /** True when the run was stopped early (Ctrl-C): figures cover `paths` paths only. */
  partial: boolean;
  seed: number;
  sampling: "monte-carlo" | "latin-hypercube";
  threads: number;
  /** How percentiles were computed. */
  quantiles: { method: "exact" | "ddsketch"; relativeError: number | null; definition: string };
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

function describe(c: QuantileCollector): Distribution {
  const out = { mean: c.count > 0 ? c.mean : null } as Distribution;
  REPORTED_QUANTILES.forEach((q, i) => (out[QUANTILE_KEYS[i]] = c.count > 0 ? c.quantile(q) : null));
  return out;
}

export function summarize(
  agg: Aggregate,
  compiled: CompiledModel,
  spec: UncertaintySpec,
  meta: { scenario: string | null; seed: number; lhs: boolean; threads: number; requested: number; partial: boolean; warnings: string[] },
): SimulationResult {
  const cal = compiled.calendar;
  const n = agg.n;
  const method = agg.monthly[0][0].kind;
  const yearsList: number[] = [];
  const lastMonthOfYear: number[] = [];
  for (let t = 0; t < compiled.months; t++) {
    const y = agg.yearIndex(t);
    yearsList[y] = cal.fiscalYear[t];
    lastMonthOfYear[y] = t;
  }
  const months = Array.from({ length: compiled.months }, (_, t) => {
    const row = { period: cal.labels[t] } as { period: string } & Record<SimulatedSeries, Distribution>;
    SIMULATED_SERIES.forEach((s, k) => (row[s] = describe(agg.monthly[k][t])));
    return row;
  });
  const years = yearsList.map((year, y) => {
    const row = { year } as { year: number } & Record<SimulatedSeries, Distribution>;
    SIMULATED_SERIES.forEach((s, k) => (row[s] = describe(agg.yearly[k][y])));
    return row;
  });
  const cumulative = (counts: Float64Array, upTo: number) => {
    let s = 0;
    for (let t = 0; t <= upTo; t++) s += counts[t];
    return n > 0 ? s / n : 0;
  };
  const metrics = {} as SimulationResult["metrics"];
  SIMULATED_METRICS.forEach((name, k) => (metrics[name] = describe(agg.metrics[k])));
  const gap = agg.metrics[SIMULATED_METRICS.indexOf("fundingGap")];
  return {
    model: compiled.model.meta.company,
    scenario: meta.scenario,
    currency: compiled.model.meta.currency,
    unit: compiled.model.meta.unit,
    paths: n + agg.invalid,
    validPaths: n,
    invalidPaths: {
      count: agg.invalid,
      share: n + agg.invalid > 0 ? agg.invalid / (n + agg.invalid) : 0,
      byReason: Object.fromEntries(INVALID_REASONS.map((r, i) => [r, agg.invalidByReason[i]])) as Record<InvalidReason, number>,
      examples: agg.invalidExamples.map((e) => ({ ...e, text: INVALID_REASON_TEXT[e.reason] })),
    },
    requestedPaths: meta.requested,
    partial: meta.partial,
    seed: meta.seed,
    sampling: meta.lhs ? "latin-hypercube" : "monte-carlo",
    threads: meta.threads,
    quantiles:
      method === "exact"
        ? { method: "exact", relativeError: null, definition: "lower empirical quantile x(⌊q·(n−1)⌋) of the sorted values" }
        : { method: "ddsketch", relativeError: 0.01, definition: "DDSketch (Masson et al. 2019): within 1% relative error of the lower empirical quantile" },
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
    fundingGap: { p50: gap.count ? gap.quantile(0.5) : null, p90: gap.count ? gap.quantile(0.9) : null, p95: gap.count ? gap.quantile(0.95) : null, mean: gap.count ? gap.mean : null },
    metrics,
    keptPaths: agg.kept.sort((a, b) => a.path - b.path),
    warnings: meta.warnings,
  };
}
