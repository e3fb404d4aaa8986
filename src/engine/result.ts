import type { LoadedModel } from "../model/load.js";
import { periodLabel } from "../model/months.js";
import type { CompiledModel } from "./compile.js";
import { ITEM_NAMES, ITEM_KIND, type StatementItem } from "./items.js";
import type { Projection } from "./project.js";
import { computeMetrics, covenantBreaches, metricVector, METRIC_INDEX, type CovenantBreach } from "./metrics.js";
import { checkProjection, type ProjectionChecks } from "./checks.js";

export type PeriodKind = "month" | "quarter" | "year";

export type PeriodRow = { period: string } & Record<StatementItem, number> & {
  operatingExpensesByCategory: Record<string, number>;
  dscr: number | null;
};

export interface EquityRoundResult {
  name: string;
  period: string;
  amount: number;
  preMoney: number | null;
  postMoney: number | null;
  /** Share of the company the round's investors get: amount / post-money. */
  dilution: number | null;
  /** Ownership left to all holders before the round, compounded over rounds so far. */
  priorHoldersOwnership: number | null;
  /** Post-money valuation ÷ (that month's revenue × 12). */
  valuationToAnnualizedRevenue: number | null;
}

export interface Metrics {
  cashOut: string | null;
  runwayMonths: number;
  /** True when cash never runs out within the horizon, so the runway is at least its length. */
  runwayBeyondHorizon: boolean;
  minCash: number;
  minCashPeriod: string;
  fundingGap: number;
  breakeven: string | null;
  cumulativeBurn: number;
  /**
   * Lowest monthly DSCR over the months with debt service (the earliest on a tie); null
   * ("n/a") when nothing is owed — an equity-funded company has no DSCR.
   */
  minDscr: number | null;
  minDscrPeriod: string | null;
  /**
   * "negativeEbitda" when the lowest DSCR is below zero: EBITDA less taxes is negative
   * that month, so operations cover none of the debt service and the ratio measures the
   * shortfall, not coverage. Null otherwise.
   */
  minDscrFlag: "negativeEbitda" | null;
  /** Lowest LTM EBITDA ÷ interest paid over months with interest paid; null ("n/a") without. */
  interestCoverage: number | null;
  /** "negativeEbitda" when the lowest coverage is below zero (LTM EBITDA negative). */
  interestCoverageFlag: "negativeEbitda" | null;
  netDebtToEbitda: number | null;
  maxNetDebtToEbitda: number | null;
  firstPositiveFreeCashFlow: string | null;
  covenantBreaches: CovenantBreach[];
  equityRounds: EquityRoundResult[];
}

export interface RunResult {
  model: string;
  scenario: string | null;
  currency: string;
  unit: string;
  fiscalYearStart: number;
  months: PeriodRow[];
  quarters: PeriodRow[];
  years: (PeriodRow & { year: number })[];
  lines: { name: string; type: string; category: string | null; values: number[] }[];
  metrics: Metrics;
  checks: ProjectionChecks;
}

const nullable = (x: number) => (Number.isFinite(x) ? x : null);

/** Flows summed, balances at the period's end, by fiscal period. */
export function rollUp(proj: Projection, kind: PeriodKind): PeriodRow[] {
  const c = proj.compiled;
  const cal = c.calendar;
  const rows: PeriodRow[] = [];
  let current: PeriodRow | null = null;
  let currentLabel = "";
  for (let t = 0; t < c.months; t++) {
    const label = periodLabel(cal, t, kind);
    if (!current || label !== currentLabel) {
      current = { period: label, operatingExpensesByCategory: Object.fromEntries(c.categories.map((k) => [k, 0])), dscr: null } as PeriodRow;
      for (const name of ITEM_NAMES) current[name] = 0;
      rows.push(current);
      currentLabel = label;
    }
    for (const name of ITEM_NAMES) {
      const v = proj.items[name][t];
      current[name] = ITEM_KIND[name] === "flow" ? current[name] + v : v;
    }
    c.categories.forEach((k, i) => (current!.operatingExpensesByCategory[k] += proj.opexByCategory[i][t]));
  }
  for (const row of rows) {
    row.dscr = row.debtService > 1e-12 ? (row.ebitda - row.taxes) / row.debtService : null;
  }
  return rows;
}

/** Turns one evaluation into the documented, stable result shape (plain data). */
export function buildResult(loaded: Pick<LoadedModel, "model" | "scenario">, proj: Projection): RunResult {
  const c: CompiledModel = proj.compiled;
  const checks = checkProjection(proj);
  const m = computeMetrics(proj, metricVector(), c.params[c.slots.cashFloor]);
  const label = (i: number) => (i >= 0 ? c.calendar.labels[i] : null);
  const rounds: EquityRoundResult[] = [];
  let ownership = 1;
  const order = c.rounds.map((r, i) => ({ r, i, month: proj.rounds[i * 5] })).sort((a, b) => a.month - b.month);
  for (const { r, i } of order) {
    const [month, amount, pre, post, dilution] = Array.from(proj.rounds.subarray(i * 5, i * 5 + 5));
    const hasPre = Number.isFinite(pre);
    if (hasPre) ownership *= 1 - dilution;
    const annualized = month >= 0 && month < c.months ? proj.items.revenue[month] * 12 : NaN;
    rounds.push({
      name: r.name,
      period: c.calendar.labels[month] ?? String(month),
      amount,
      preMoney: hasPre ? pre : null,
      postMoney: hasPre ? post : null,
      dilution: hasPre ? nullable(dilution) : null,
      priorHoldersOwnership: hasPre ? ownership : null,
      // A revenue so small that the multiple overflows has no meaningful multiple either.
      valuationToAnnualizedRevenue: hasPre && annualized > 0 ? nullable(post / annualized) : null,
    });
  }
  const metrics: Metrics = {
    cashOut: label(m[METRIC_INDEX.cashOutIndex]),
    runwayMonths: m[METRIC_INDEX.runwayMonths],
    runwayBeyondHorizon: m[METRIC_INDEX.cashOutIndex] < 0,
    minCash: m[METRIC_INDEX.minCash],
    minCashPeriod: label(m[METRIC_INDEX.minCashIndex])!,
    fundingGap: m[METRIC_INDEX.fundingGap],
    breakeven: label(m[METRIC_INDEX.breakevenIndex]),
    cumulativeBurn: m[METRIC_INDEX.cumulativeBurn],
    minDscr: nullable(m[METRIC_INDEX.minDscr]),
    minDscrPeriod: label(m[METRIC_INDEX.minDscrIndex]),
    minDscrFlag: m[METRIC_INDEX.minDscr] < 0 ? "negativeEbitda" : null,
    interestCoverage: nullable(m[METRIC_INDEX.interestCoverage]),
    interestCoverageFlag: m[METRIC_INDEX.interestCoverage] < 0 ? "negativeEbitda" : null,
    netDebtToEbitda: nullable(m[METRIC_INDEX.netDebtToEbitda]),
    maxNetDebtToEbitda: nullable(m[METRIC_INDEX.maxNetDebtToEbitda]),
    firstPositiveFreeCashFlow: label(m[METRIC_INDEX.firstPositiveFcfIndex]),
    covenantBreaches: covenantBreaches(proj),
    equityRounds: rounds,
  };
  const months = rollUp(proj, "month").map((row, t) => ({ ...row, dscr: nullable(proj.ratios.dscr[t]) }));
  return {
    model: c.model.meta.company,
    scenario: loaded.scenario,
    currency: c.model.meta.currency,
    unit: c.model.meta.unit,
    fiscalYearStart: c.model.meta.fiscalYearStart,
    months,
    quarters: rollUp(proj, "quarter"),
    years: rollUp(proj, "year").map((row) => ({ year: Number(row.period), ...row })),
    lines: c.lines.map((l, i) => ({ name: l.name, type: l.type, category: l.category || null, values: Array.from(proj.lineValues[i]) })),
    metrics,
    checks,
  };
}
