import type { RunResult } from "../engine/result.js";
import { UNIT_SCALE } from "../model/derived.js";
import { parseMonth } from "../model/months.js";
import { UsageError } from "../model/issues.js";
import type { Caveat } from "../caveats/index.js";

/** One run to compare: a label (e.g. `models/x.yaml:rates-up`) and its result (with its caveats, when the model has any). */
export interface CompareInput {
  label: string;
  result: RunResult & { caveats?: Caveat[]; covenants?: { name: string; assumed: boolean }[] };
}

export const YEARLY_MEASURES = ["revenue", "netIncome", "freeCashFlow", "cumulativeBurn", "capexToRevenue"] as const;
export type YearlyMeasure = (typeof YEARLY_MEASURES)[number];

export const SUMMARY_MEASURES = ["cashOut", "fundingGap", "firstPositiveFreeCashFlowYear", "firstPositiveFreeCashFlowMonth", "minDscr", "covenantBreaches", "minCash"] as const;
export type SummaryMeasure = (typeof SUMMARY_MEASURES)[number];

export type MeasureKind = "amount" | "ratio" | "count" | "month" | "year";

export const MEASURE_LABEL: Record<YearlyMeasure | SummaryMeasure, string> = {
  revenue: "Revenue",
  netIncome: "Net income",
  freeCashFlow: "Free cash flow",
  cumulativeBurn: "Cumulative burn (running sum of negative free cash flow)",
  capexToRevenue: "Capex ÷ revenue",
  cashOut: "Cash runs out",
  fundingGap: "Funding gap",
  firstPositiveFreeCashFlowYear: "First year of positive free cash flow",
  firstPositiveFreeCashFlowMonth: "First month of positive free cash flow",
  minDscr: "Minimum DSCR",
  covenantBreaches: "Covenant tests failed",
  minCash: "Minimum cash",
};

export const MEASURE_KIND: Record<YearlyMeasure | SummaryMeasure, MeasureKind> = {
  revenue: "amount",
  netIncome: "amount",
  freeCashFlow: "amount",
  cumulativeBurn: "amount",
  capexToRevenue: "ratio",
  cashOut: "month",
  fundingGap: "amount",
  firstPositiveFreeCashFlowYear: "year",
  firstPositiveFreeCashFlowMonth: "month",
  minDscr: "ratio",
  covenantBreaches: "count",
  minCash: "amount",
};

export interface ComparedRun {
  label: string;
  model: string;
  scenario: string | null;
  currency: string;
  /** The unit the run's amounts were written in (they are shown in the comparison's unit). */
  unit: string;
  fiscalYearStart: number;
  /** Fiscal years the horizon covers only in part (their flows are not full-year figures). */
  partialYears: number[];
  /** The run's caveats (see `caveats:` in the model), including assumed covenant levels. */
  caveats: Caveat[];
  /** True when a covenant the run tests has a level no source covers (its breaches are tests against an assumption). */
  assumedCovenantLevels: boolean;
}

export interface YearlyBlock {
  measure: YearlyMeasure;
  label: string;
  kind: MeasureKind;
  /** Per run label, one value per entry of `years`; null where the run has no such year (or no revenue, for ratios). */
  values: Record<string, (number | null)[]>;
}

export interface SummaryRow {
  measure: SummaryMeasure;
  label: string;
  kind: MeasureKind;
  /** Per run label; null: cash never runs out / no year or month of positive FCF / no debt service. */
  values: Record<string, number | string | null>;
}

export interface Comparison {
  /** Currency and unit of every amount; currency is null when the runs use different currencies (then amounts are not converted). */
  currency: string | null;
  unit: string;
  runs: ComparedRun[];
  /** Fiscal years: the union of the runs' years. */
  years: number[];
  yearly: YearlyBlock[];
  summary: SummaryRow[];
  warnings: string[];
}

function fiscalYearOf(label: string, fiscalYearStart: number): number {
  const ym = parseMonth(label)!;
  return fiscalYearStart === 1 ? ym.year : ym.month >= fiscalYearStart ? ym.year + 1 : ym.year;
}

interface RunYears {
  byYear: Map<number, Record<YearlyMeasure, number | null>>;
  partial: number[];
}

function yearlyFigures(result: RunResult, scale: number): RunYears {
  // Cumulative burn counts negative free cash flow month by month, as the whole-horizon
  // metric does, so that the last year equals metrics.cumulativeBurn.
  const burnAtYearEnd = new Map<number, number>();
  const monthsInYear = new Map<number, number>();
  let burn = 0;
  for (const row of result.months) {
    const fy = fiscalYearOf(row.period, result.fiscalYearStart);
    if (row.freeCashFlow < 0) burn -= row.freeCashFlow;
    burnAtYearEnd.set(fy, burn);
    monthsInYear.set(fy, (monthsInYear.get(fy) ?? 0) + 1);
  }
  const byYear = new Map<number, Record<YearlyMeasure, number | null>>();
  for (const row of result.years) {
    byYear.set(row.year, {
      revenue: row.revenue * scale,
      netIncome: row.netIncome * scale,
      freeCashFlow: row.freeCashFlow * scale,
      cumulativeBurn: (burnAtYearEnd.get(row.year) ?? 0) * scale,
      capexToRevenue: Math.abs(row.revenue) > 1e-12 ? row.capex / row.revenue : null,
    });
  }
  const partial = [...monthsInYear.entries()].filter(([, n]) => n < 12).map(([y]) => y);
  return { byYear, partial };
}

function summaryFigures(result: RunResult, scale: number): Record<SummaryMeasure, number | string | null> {
  const m = result.metrics;
  const firstYear = result.years.find((y) => y.freeCashFlow > 0);
  return {
    cashOut: m.cashOut,
    fundingGap: m.fundingGap * scale,
    firstPositiveFreeCashFlowYear: firstYear ? firstYear.year : null,
    firstPositiveFreeCashFlowMonth: m.firstPositiveFreeCashFlow,
    minDscr: m.minDscr,
    covenantBreaches: m.covenantBreaches.length,
    minCash: m.minCash * scale,
  };
}

/**
 * Puts several runs (models, or scenarios of one model) side by side: yearly figures
 * over the union of their fiscal years, and whole-horizon figures per run. Amounts are
 * shown in the first run's unit; runs in another unit of the same currency are scaled.
 */
export function compareRuns(inputs: CompareInput[]): Comparison {
  if (inputs.length === 0) throw new UsageError("nothing_to_compare", "give at least one model to compare");
  const labels = new Set<string>();
  for (const i of inputs) {
    if (labels.has(i.label)) throw new UsageError("duplicate_label", `"${i.label}" is compared twice; each model or scenario may appear once`);
    labels.add(i.label);
  }
  const warnings: string[] = [];
  const unit = inputs[0].result.unit;
  const currencies = new Set(inputs.map((i) => i.result.currency));
  const sameCurrency = currencies.size === 1;
  if (!sameCurrency) warnings.push(`the runs use different currencies (${[...currencies].join(", ")}); amounts are shown as written, not converted`);
  const scaleOf = (r: RunResult) => {
    if (!sameCurrency || r.unit === unit) return 1;
    return UNIT_SCALE[r.unit as keyof typeof UNIT_SCALE] / UNIT_SCALE[unit as keyof typeof UNIT_SCALE];
  };
  const scaled = inputs.filter((i) => sameCurrency && i.result.unit !== unit);
  if (scaled.length) warnings.push(`${scaled.map((i) => i.label).join(", ")} ${scaled.length === 1 ? "is" : "are"} written in another unit; amounts are converted to ${unit}`);
  const fiscal = new Set(inputs.map((i) => i.result.fiscalYearStart));
  if (fiscal.size > 1) warnings.push("the runs have different fiscal years (fiscalYearStart differs); a year column compares fiscal years that cover different months");

  const perRun = inputs.map((i) => ({ input: i, years: yearlyFigures(i.result, scaleOf(i.result)), summary: summaryFigures(i.result, scaleOf(i.result)) }));
  const years = [...new Set(perRun.flatMap((r) => [...r.years.byYear.keys()]))].sort((a, b) => a - b);
  const yearly: YearlyBlock[] = YEARLY_MEASURES.map((measure) => ({
    measure,
    label: MEASURE_LABEL[measure],
    kind: MEASURE_KIND[measure],
    values: Object.fromEntries(perRun.map((r) => [r.input.label, years.map((y) => r.years.byYear.get(y)?.[measure] ?? null)])),
  }));
  const summary: SummaryRow[] = SUMMARY_MEASURES.map((measure) => ({
    measure,
    label: MEASURE_LABEL[measure],
    kind: MEASURE_KIND[measure],
    values: Object.fromEntries(perRun.map((r) => [r.input.label, r.summary[measure]])),
  }));
  return {
    currency: sameCurrency ? inputs[0].result.currency : null,
    unit,
    runs: perRun.map((r) => ({
      label: r.input.label,
      model: r.input.result.model,
      scenario: r.input.result.scenario,
      currency: r.input.result.currency,
      unit: r.input.result.unit,
      fiscalYearStart: r.input.result.fiscalYearStart,
      partialYears: r.years.partial,
      caveats: r.input.result.caveats ?? [],
      assumedCovenantLevels: (r.input.result.covenants ?? []).some((c) => c.assumed),
    })),
    years,
    yearly,
    summary,
    warnings,
  };
}
