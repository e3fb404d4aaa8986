import type { LoadedModel } from "../model/load.js";
import { loadModelSource } from "../model/load.js";
import type { SourceText } from "../model/source.js";
import type { RunResult, PeriodRow } from "../engine/result.js";
import { parseMonth, monthSerial } from "../model/months.js";
import { serialLabel, spanLabel } from "../targets/period.js";
import { derivedValue, gpuValue } from "../targets/evaluate.js";
import type { StatementItem } from "../engine/items.js";
import { caveatsFor, caveatsQualifying, type Caveat } from "../caveats/index.js";
import { DEFAULT_THRESHOLD, type Actual, type ActualsSet } from "./read.js";

/** How a figure above plan reads: good for cash and profit, bad, or neither. */
export type Direction = "higherIsBetter" | "lowerIsBetter" | "neutral";

const HIGHER_BETTER = new Set<string>(["revenue", "backlog", "contractRevenue", "spotRevenue", "soldHours", "grossProfit", "ebitda", "ebit", "otherIncome", "pretaxIncome", "netIncome", "operatingCashFlow", "freeCashFlow", "netCashFlow", "endingCash", "equity", "grossMargin", "ebitdaMargin", "netMargin", "dscr"]);
const LOWER_BETTER = new Set<string>(["costOfRevenue", "operatingExpenses", "interestExpense", "cashBurn", "averageMonthlyBurn", "capex", "debtService", "cashInterest", "powerCost", "capexToRevenue"]);

export interface ActualOutcome {
  name: string;
  metric: string;
  label: string;
  period: string;
  months: string;
  actual: number;
  /** The plan's figure for the same period; null where it has none (a ratio with a zero denominator). */
  plan: number | null;
  /** actual − plan. */
  variance: number | null;
  /** (actual − plan) ÷ |plan|; null when the plan is 0 or missing. */
  variancePct: number | null;
  /** Beyond the threshold (either way). */
  flagged: boolean;
  /** favourable / unfavourable for cash and profit, or null when neutral or on plan. */
  reading: "favourable" | "unfavourable" | null;
  source: string | null;
  ids: string[];
  address: string | null;
  published: string | null;
  measure: string | null;
  derivation: string | null;
  note: string | null;
  /** Names of caveats that qualify this figure. */
  caveats: string[];
}

/** The forward-looking figures, measured from the first month after the last reported period. */
export interface ForwardMetrics {
  from: string;
  cashOut: string | null;
  runwayMonths: number;
  runwayBeyondHorizon: boolean;
  minCash: number;
  minCashPeriod: string;
  fundingGap: number;
  breakeven: string | null;
  firstPositiveFreeCashFlow: string | null;
  covenantBreaches: number;
  endingCash: number;
}

export interface CashEffect {
  /** endingCash: a reported cash balance at the cut; freeCashFlow: reported free cash flow (or cash burn) against plan; none. */
  basis: "endingCash" | "freeCashFlow" | "none";
  /** Reported cash at the cut minus the plan's (estimated from free cash flow when no balance is reported). */
  variance: number | null;
  /** The actuals it is computed from. */
  from: string[];
  explanation: string;
}

export interface ReforecastAdjustment {
  item: "endingCash" | "debt";
  plan: number;
  actual: number;
  applied: boolean;
  how: string;
}

export interface Reforecast {
  /** Forward metrics of the model rolled forward from the reported balances. */
  metrics: ForwardMetrics;
  adjustments: ReforecastAdjustment[];
  /** Year-end cash of the plan and the reforecast, from the cut on. */
  cash: { period: string; plan: number; reforecast: number }[];
  result: RunResult;
}

export interface ActualsReport {
  model: string;
  file: string;
  scenario: string | null;
  currency: string;
  unit: string;
  origin: string;
  threshold: number;
  rows: ActualOutcome[];
  flagged: number;
  /** Last month of the latest reported period: the plan is rolled forward from the month after. */
  lastReported: string;
  cash: CashEffect;
  /** The plan's forward metrics, and the same with the cash variance carried forward (nothing else changed). */
  forward: { plan: ForwardMetrics; withCashVariance: ForwardMetrics | null };
  reforecast: Reforecast | null;
  caveats: Caveat[];
  warnings: string[];
}

const sum = (rows: PeriodRow[], t0: number, t1: number, f: (r: PeriodRow) => number) => {
  let s = 0;
  for (let t = t0; t <= t1; t++) s += f(rows[t]);
  return s;
};

/** The plan's figure for an actual's period. */
function planValue(actual: Actual, result: RunResult, start: number): number | null {
  const t0 = actual.period.firstSerial - start;
  const t1 = actual.period.lastSerial - start;
  const m = actual.measure;
  if (m.kind === "line") {
    const line = result.lines.find((l) => l.name === m.line);
    if (!line) return null;
    let s = 0;
    for (let t = t0; t <= t1; t++) s += line.values[t];
    return s;
  }
  if (m.info.kind === "gpu") return gpuValue(m.info.field, m.info.itemKind, result, t0, t1).value;
  if (m.info.kind === "item") {
    const item = m.info.item as StatementItem;
    return m.info.itemKind === "balance" ? result.months[t1][item] : sum(result.months, t0, t1, (r) => r[item]);
  }
  return derivedValue(m.info.derived, result.months, t0, t1);
}

function directionOf(actual: Actual, result: RunResult): Direction {
  if (actual.measure.kind === "line") {
    const type = result.lines.find((l) => l.name === actual.metric)?.type;
    return type === "revenue" ? "higherIsBetter" : type ? "lowerIsBetter" : "neutral";
  }
  return HIGHER_BETTER.has(actual.metric) ? "higherIsBetter" : LOWER_BETTER.has(actual.metric) ? "lowerIsBetter" : "neutral";
}

/**
 * Forward metrics over the months from `from` (an index into the run's months) to the
 * horizon's end, with cash moved by `cashShift` in every one of them: the cash-out
 * month and runway counted from `from`, the funding gap as the extra cash needed at
 * `from` to keep cash at or above the floor (before any interest that cash would earn, so
 * an upper bound where cash earns interest), breakeven as the first month from which
 * net income stays ≥ 0.
 */
export function forwardMetrics(result: RunResult, from: number, cashFloor: number, cashShift = 0): ForwardMetrics {
  const rows = result.months;
  const H = rows.length;
  let cashOut = -1;
  let minCash = Infinity;
  let minAt = from;
  let firstFcf = -1;
  for (let t = from; t < H; t++) {
    const cash = rows[t].endingCash + cashShift;
    if (cash < 0 && cashOut < 0) cashOut = t;
    if (cash < minCash) {
      minCash = cash;
      minAt = t;
    }
    if (firstFcf < 0 && rows[t].freeCashFlow > 0) firstFcf = t;
  }
  let breakeven = -1;
  for (let t = H - 1; t >= from; t--) {
    if (rows[t].netIncome < 0) break;
    breakeven = t;
  }
  const fromLabel = rows[from]?.period ?? rows[H - 1].period;
  const breaches = result.metrics.covenantBreaches.filter((b) => b.period >= fromLabel).length;
  return {
    from: fromLabel,
    cashOut: cashOut >= 0 ? rows[cashOut].period : null,
    runwayMonths: cashOut >= 0 ? cashOut - from : H - from,
    runwayBeyondHorizon: cashOut < 0,
    minCash,
    minCashPeriod: rows[minAt].period,
    fundingGap: Math.max(0, cashFloor - minCash),
    breakeven: breakeven >= 0 ? rows[breakeven].period : null,
    firstPositiveFreeCashFlow: firstFcf >= 0 ? rows[firstFcf].period : null,
    covenantBreaches: breaches,
    endingCash: rows[H - 1].endingCash + cashShift,
  };
}

/** Non-overlapping actuals of a kind, longest first: what the cash estimate can add up without counting a month twice. */
function disjoint(actuals: Actual[]): Actual[] {
  const chosen: Actual[] = [];
  for (const a of [...actuals].sort((x, y) => y.period.lastSerial - y.period.firstSerial - (x.period.lastSerial - x.period.firstSerial) || y.period.lastSerial - x.period.lastSerial)) {
    if (chosen.every((c) => a.period.lastSerial < c.period.firstSerial || a.period.firstSerial > c.period.lastSerial)) chosen.push(a);
  }
  return chosen.sort((a, b) => a.period.firstSerial - b.period.firstSerial);
}

/**
 * The cash variance at the cut: the latest reported cash balance against the plan's,
 * plus the free-cash-flow variance reported after it (a balance reported before the cut
 * is carried to it with the plan's flows); without a balance, the reported free cash
 * flow (or cash burn) against the plan's, each month counted once.
 */
function cashEffect(rows: ActualOutcome[], actuals: Actual[], cut: number): CashEffect {
  const byName = new Map(rows.map((r) => [r.name, r]));
  const flowVariance = (a: Actual) => {
    const v = byName.get(a.name)!.variance;
    return v === null ? 0 : a.metric === "cashBurn" ? -v : v;
  };
  const balances = actuals.filter((a) => a.metric === "endingCash").sort((a, b) => b.period.lastSerial - a.period.lastSerial);
  const flowsAll = actuals.filter((a) => a.metric === "freeCashFlow" || a.metric === "cashBurn");
  if (balances.length) {
    const b = balances[0];
    const after = disjoint(flowsAll.filter((a) => a.period.firstSerial > b.period.lastSerial));
    const v = (byName.get(b.name)!.variance ?? 0) + after.reduce((s, a) => s + flowVariance(a), 0);
    const at = serialLabel(b.period.lastSerial);
    return {
      basis: "endingCash",
      variance: v,
      from: [b.name, ...after.map((a) => a.name)],
      explanation: `reported cash at ${at} against the plan's${after.length ? `, plus the reported ${after.map((a) => `${a.metric} ${a.period.text}`).join(" + ")} against plan` : ""}${b.period.lastSerial < cut ? `; carried to ${serialLabel(cut)} with the plan's flows` : ""}`,
    };
  }
  const flows = disjoint(flowsAll);
  if (flows.length) {
    const v = flows.reduce((s, a) => s + flowVariance(a), 0);
    const last = Math.max(...flows.map((a) => a.period.lastSerial));
    return {
      basis: "freeCashFlow",
      variance: v,
      from: flows.map((a) => a.name),
      explanation: `reported ${flows.map((a) => `${a.metric} ${a.period.text}`).join(" + ")} against the plan: cash differs by the free-cash-flow variance, with financing as planned${last < cut ? `; no cash figure after ${serialLabel(last)}, so the plan's flows are assumed to ${serialLabel(cut)}` : ""}`,
    };
  }
  return { basis: "none", variance: null, from: [], explanation: "no reported cash balance, free cash flow or cash burn: the forward metrics are the plan's" };
}

function syntheticSource(file: string, data: unknown): SourceText {
  return { file, data, keyPosition: () => undefined, valuePosition: () => undefined };
}

/**
 * Rolls the plan forward from the reported balances at the cut: the plan's flows are
 * kept, and its balance sheet at the end of the last reported month is moved to the
 * reported cash (a one-off through equity) and debt (a tranche drawn at the cut, at the
 * plan's average rate, repaid at the horizon's end). Balances not reported keep the
 * plan's values.
 */
function rollForward(loaded: LoadedModel, plan: RunResult, actuals: Actual[], cut: number, cash: CashEffect, project: (l: LoadedModel) => RunResult, warnings: string[]): Reforecast {
  const start = monthSerial(parseMonth(loaded.model.meta.start)!);
  const t = cut - start;
  const cutLabel = serialLabel(cut);
  const data = JSON.parse(JSON.stringify({ ...loaded.model, ...loaded.extensions })) as Record<string, any>;
  delete data.scenarios;
  data.scenarios = {};
  const adjustments: ReforecastAdjustment[] = [];
  const planCash = plan.months[t].endingCash;
  const planDebt = plan.months[t].debt;
  // The latest reported debt, carried to the cut (the plan's repayments in between are kept).
  const debtActual = actuals.filter((a) => a.metric === "debt").sort((a, b) => b.period.lastSerial - a.period.lastSerial)[0];
  const debtAt = debtActual ? debtActual.period.lastSerial - start : t;
  let draw = 0;
  if (debtActual) {
    const d = debtActual.value - plan.months[debtAt].debt;
    // Differences within 0.1% of the plan's debt are rounding in the reported figure.
    const negligible = Math.abs(d) <= 0.001 * Math.abs(plan.months[debtAt].debt) + 1e-9;
    if (!negligible && d > 0) {
      const next = plan.months[Math.min(t + 1, plan.months.length - 1)];
      const rate = planDebt > 1e-9 ? Math.max(0, (next.interestExpense * 12) / planDebt) : 0.1;
      const end = plan.months[plan.months.length - 1].period;
      data.financing = data.financing ?? {};
      data.financing.debt = data.financing.debt ?? {};
      data.financing.debt["reported-debt-above-plan"] = { draws: [{ month: cutLabel, amount: d }], rate, amortization: "bullet", maturity: end, assumption: "reforecast: reported debt above plan" };
      draw = d;
      adjustments.push({ item: "debt", plan: plan.months[debtAt].debt, actual: debtActual.value, applied: true, how: `reported at ${serialLabel(debtActual.period.lastSerial)}: a tranche of ${d.toFixed(1)} drawn in ${cutLabel} at the plan's average rate (${(rate * 100).toFixed(2)}%), repaid at the horizon's end` });
    } else if (!negligible && d < 0) {
      adjustments.push({ item: "debt", plan: plan.months[debtAt].debt, actual: debtActual.value, applied: false, how: "reported debt is below the plan's; the plan's facilities are kept (which draw did not happen is not known)" });
      warnings.push(`reported debt at ${cutLabel} is ${(-d).toFixed(1)} below the plan; the reforecast keeps the plan's debt`);
    } else adjustments.push({ item: "debt", plan: plan.months[debtAt].debt, actual: debtActual.value, applied: false, how: "as planned (within 0.1%)" });
  }
  if (cash.variance !== null) {
    const amount = cash.variance - draw;
    data.oneOffs = data.oneOffs ?? {};
    data.oneOffs["reported-cash-vs-plan"] = { month: cutLabel, amount, lands: "equity", description: "reforecast: moves cash at the cut to the reported figure", assumption: "reforecast adjustment" };
    adjustments.push({
      item: "endingCash",
      plan: planCash,
      actual: planCash + cash.variance,
      applied: true,
      how: `${cash.explanation}: ${amount >= 0 ? "+" : ""}${amount.toFixed(1)} in ${cutLabel} through equity${draw ? " (besides the debt drawn)" : ""}`,
    });
  }
  const rolled = loadModelSource(syntheticSource(`${loaded.file} (reforecast from ${cutLabel})`, data));
  const result = project(rolled);
  const from = t + 1;
  const floor = loaded.model.meta.cashFloor;
  const yearEnds = result.months.map((r, i) => ({ r, i })).filter(({ r, i }) => i >= t && (r.period.endsWith("-12") || i === result.months.length - 1));
  return {
    metrics: forwardMetrics(result, Math.min(from, result.months.length - 1), floor),
    adjustments,
    cash: yearEnds.map(({ r, i }) => ({ period: r.period, plan: plan.months[i].endingCash, reforecast: r.endingCash })),
    result,
  };
}

/**
 * Compares reported figures with the plan: variance and variance % per figure, flagged
 * beyond the threshold, what the cash variance does to the forward metrics, and (with
 * `reforecast`) the plan rolled forward from the reported balances.
 */
export function compareActuals(
  loaded: LoadedModel,
  plan: RunResult,
  set: ActualsSet,
  options: { threshold?: number; reforecast?: boolean; project: (l: LoadedModel) => RunResult },
): ActualsReport {
  const threshold = options.threshold ?? set.threshold ?? DEFAULT_THRESHOLD;
  const start = monthSerial(parseMonth(loaded.model.meta.start)!);
  const caveats = caveatsFor(loaded);
  const warnings: string[] = [];
  if (set.company && set.company !== loaded.model.meta.company) warnings.push(`the actuals are for ${set.company}, the model is ${loaded.model.meta.company}`);
  const rows: ActualOutcome[] = set.actuals.map((a) => {
    const p = planValue(a, plan, start);
    const variance = p === null ? null : a.value - p;
    const variancePct = p === null || Math.abs(p) < 1e-12 ? null : variance! / Math.abs(p);
    const flagged = variancePct === null ? variance !== null && Math.abs(variance) > 1e-9 : Math.abs(variancePct) > threshold;
    const dir = directionOf(a, plan);
    // On plan (within 0.1%, or a rounding difference) reads neither way.
    const onPlan = variance === null || Math.abs(variance) <= Math.max(1e-9, 0.001 * Math.abs(p ?? 0));
    const reading = onPlan || dir === "neutral" ? null : (variance! > 0) === (dir === "higherIsBetter") ? "favourable" : "unfavourable";
    return {
      name: a.name,
      metric: a.metric,
      label: a.label,
      period: a.period.text,
      months: spanLabel(a.period),
      actual: a.value,
      plan: p,
      variance,
      variancePct,
      flagged,
      reading,
      source: a.source,
      ids: a.ids,
      address: a.address,
      published: a.published,
      measure: a.measureNote,
      derivation: a.derivation,
      note: a.note,
      caveats: caveatsQualifying(caveats, { metric: a.metric, period: a.period.text }, loaded.model.meta.fiscalYearStart).map((c) => c.id),
    };
  });
  // The caveats a reader needs here: those on the reported figures and those on the forward metrics.
  const forwardMetricNames = ["cashOut", "runwayMonths", "minCash", "fundingGap", "breakeven", "firstPositiveFreeCashFlow", "covenantBreaches"];
  const used = new Set(rows.flatMap((r) => r.caveats));
  const shown = caveats.filter((c) => used.has(c.id) || (c.periods.length === 0 && c.metrics.some((m) => forwardMetricNames.includes(m))));
  const cut = set.actuals.length ? Math.max(...set.actuals.map((a) => a.period.lastSerial)) : start + plan.months.length - 1;
  const cash = cashEffect(rows, set.actuals, cut);
  const from = Math.min(cut - start + 1, plan.months.length - 1);
  const floor = loaded.model.meta.cashFloor;
  const report: ActualsReport = {
    model: plan.model,
    file: loaded.file,
    scenario: loaded.scenario,
    currency: plan.currency,
    unit: plan.unit,
    origin: set.origin,
    threshold,
    rows,
    flagged: rows.filter((r) => r.flagged).length,
    lastReported: serialLabel(cut),
    cash,
    forward: { plan: forwardMetrics(plan, from, floor), withCashVariance: cash.variance === null ? null : forwardMetrics(plan, from, floor, cash.variance) },
    reforecast: null,
    caveats: shown,
    warnings,
  };
  if (cut - start + 1 >= plan.months.length) warnings.push("the actuals reach the horizon's end: there is nothing left to roll forward");
  else if (options.reforecast) report.reforecast = rollForward(loaded, plan, set.actuals, cut, cash, options.project, warnings);
  return report;
}
