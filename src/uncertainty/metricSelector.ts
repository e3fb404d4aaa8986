import type { CompiledModel } from "../engine/compile.js";
import type { Projection } from "../engine/project.js";
import { METRIC_INDEX } from "../engine/metrics.js";
import { ITEM_NAMES, ITEM_KIND, ITEM_LABEL, type StatementItem } from "../engine/items.js";
import { UsageError } from "../model/issues.js";
import { didYouMean } from "../model/suggest.js";
import { parseMonth, monthSerial } from "../model/months.js";
import { parsePeriod, PERIOD_HELP } from "../targets/period.js";
import { hasOwnName, ownValue } from "../model/names.js";

/**
 * What sensitivity and solve measure: one number per evaluation (or Monte Carlo path),
 * read from the projection and its metrics vector without allocating.
 *
 *   runwayMonths, minCash, fundingGap, cashOut, breakeven, …  whole-horizon run metrics
 *   revenue@2027, netIncome@2026-Q3, endingCash@2026-06         a line item in a fiscal period:
 *                                                               flows summed, balances at its end
 *   dscr@2027                                                   the period's DSCR, as `rollUp` computes it
 *
 * Month-valued metrics (cashOut, breakeven, firstPositiveFreeCashFlow) are month indices
 * from the model's first month; "never within the horizon" is the horizon length H, i.e.
 * the month just after the last one. That keeps them ordered (never is later than any
 * month in the horizon) and finite, so they can be swung, ranked and bisected; reports
 * say "never" for it.
 */
export type MetricValueKind = "amount" | "ratio" | "count" | "month";

export interface MetricSelector {
  /** As written, normalised (`revenue@2027`, `runwayMonths`). */
  text: string;
  /** The metric or line item name. */
  name: string;
  label: string;
  kind: MetricValueKind;
  /** The period of a line item; null for whole-horizon metrics. */
  period: { text: string; from: number; to: number } | null;
  /** For month-valued metrics: the index standing for "never within the horizon" (H). */
  never: number | null;
  /** The value from one evaluation; month-valued metrics as month indices (never = H). */
  read(proj: Projection, metrics: Float64Array): number;
}

interface HorizonMetric {
  label: string;
  kind: MetricValueKind;
  read: (m: Float64Array, H: number) => number;
}

const monthOrNever = (index: number) => (m: Float64Array, H: number) => (m[index] < 0 ? H : m[index]);
const field = (index: number) => (m: Float64Array) => m[index];

const HORIZON_METRICS: Record<string, HorizonMetric> = {
  runwayMonths: { label: "Runway (months of non-negative cash; the horizon length when cash never runs out)", kind: "count", read: field(METRIC_INDEX.runwayMonths) },
  minCash: { label: "Minimum cash", kind: "amount", read: field(METRIC_INDEX.minCash) },
  fundingGap: { label: "Funding gap (extra opening cash to stay above the cash floor)", kind: "amount", read: field(METRIC_INDEX.fundingGap) },
  cumulativeBurn: { label: "Cumulative burn (sum of negative free cash flow)", kind: "amount", read: field(METRIC_INDEX.cumulativeBurn) },
  endingCash: { label: "Cash at the end of the horizon", kind: "amount", read: field(METRIC_INDEX.endingCash) },
  minDscr: { label: "Minimum DSCR", kind: "ratio", read: field(METRIC_INDEX.minDscr) },
  interestCoverage: { label: "Interest coverage (min, LTM)", kind: "ratio", read: field(METRIC_INDEX.interestCoverage) },
  netDebtToEbitda: { label: "Net debt ÷ EBITDA (end, LTM)", kind: "ratio", read: field(METRIC_INDEX.netDebtToEbitda) },
  maxNetDebtToEbitda: { label: "Net debt ÷ EBITDA (max, LTM)", kind: "ratio", read: field(METRIC_INDEX.maxNetDebtToEbitda) },
  covenantBreaches: { label: "Covenant tests failed", kind: "count", read: field(METRIC_INDEX.covenantBreaches) },
  cashOut: { label: "Month cash runs out", kind: "month", read: monthOrNever(METRIC_INDEX.cashOutIndex) },
  breakeven: { label: "Breakeven month (net income ≥ 0 from then on)", kind: "month", read: monthOrNever(METRIC_INDEX.breakevenIndex) },
  firstPositiveFreeCashFlow: { label: "First month of positive free cash flow", kind: "month", read: monthOrNever(METRIC_INDEX.firstPositiveFcfIndex) },
};

/** Other spellings people type. */
const ALIASES: Record<string, string> = {
  runway: "runwayMonths",
  covenantBreach: "covenantBreaches",
  firstPositiveFcf: "firstPositiveFreeCashFlow",
  burn: "cumulativeBurn",
};

export const HORIZON_METRIC_NAMES: readonly string[] = Object.keys(HORIZON_METRICS);
/** Period measures that are not statement line items. */
const PERIOD_DERIVED = ["dscr"] as const;
export const PERIOD_MEASURE_NAMES: readonly string[] = [...ITEM_NAMES, ...PERIOD_DERIVED];

export const METRIC_HELP = `a run metric (${HORIZON_METRIC_NAMES.join(", ")}) or a line item in a period, e.g. revenue@2027, netIncome@2026-Q3, endingCash@2026-06`;

function badMetric(message: string): UsageError {
  return new UsageError("bad_metric", message);
}

/** Parses a metric selector against a compiled model (its horizon and fiscal calendar). */
export function parseMetricSelector(raw: string, compiled: CompiledModel): MetricSelector {
  const text = raw.trim();
  if (text === "") throw badMetric(`no metric given; expected ${METRIC_HELP}`);
  const H = compiled.months;
  const at = text.indexOf("@");
  if (at < 0) {
    const name = ownValue(ALIASES, text) ?? text;
    const metric = ownValue(HORIZON_METRICS, name);
    if (metric) {
      return { text: name, name, label: metric.label, kind: metric.kind, period: null, never: metric.kind === "month" ? H : null, read: (_proj, m) => metric.read(m, H) };
    }
    if ((PERIOD_MEASURE_NAMES as readonly string[]).includes(text)) {
      const year = String(compiled.calendar.fiscalYear[H - 1]);
      throw badMetric(`"${text}" is a line item: say in which period, e.g. ${text}@${year} (a fiscal year), ${text}@${year}-Q1 (a fiscal quarter) or ${text}@${compiled.calendar.labels[H - 1]} (a month)`);
    }
    const suggestion = didYouMean(text, [...HORIZON_METRIC_NAMES, ...Object.keys(ALIASES), ...PERIOD_MEASURE_NAMES]);
    throw badMetric(`unknown metric "${text}"${suggestion ? ` — did you mean "${ownValue(ALIASES, suggestion) ?? suggestion}"?` : ""}; expected ${METRIC_HELP}`);
  }
  const name = text.slice(0, at).trim();
  const periodText = text.slice(at + 1).trim();
  if (!(PERIOD_MEASURE_NAMES as readonly string[]).includes(name)) {
    if (hasOwnName(HORIZON_METRICS, name) || hasOwnName(ALIASES, name)) throw badMetric(`"${name}" is a whole-horizon metric and takes no period; write it alone (--metric ${ownValue(ALIASES, name) ?? name}), or use a line item in a period such as endingCash@${periodText || "2026"}`);
    const suggestion = didYouMean(name, PERIOD_MEASURE_NAMES);
    throw badMetric(`unknown line item "${name}" in "${text}"${suggestion ? ` — did you mean "${suggestion}"?` : ""}; line items: ${PERIOD_MEASURE_NAMES.join(", ")}`);
  }
  const span = parsePeriod(periodText, compiled.calendar.fiscalYearStart);
  if (typeof span === "string") throw badMetric(`in "${text}": ${span}`);
  const from = span.firstSerial - compiled.calendar.startSerial;
  const to = span.lastSerial - compiled.calendar.startSerial;
  if (from < 0 || to > H - 1) {
    const horizon = `${compiled.calendar.labels[0]} … ${compiled.calendar.labels[H - 1]}`;
    const covered = to >= 0 && from <= H - 1 ? "covers only part of it (a partial period's flows are not the period's)" : "does not reach it";
    throw badMetric(`"${text}": the model's horizon (${horizon}) ${covered}; pick a period inside the horizon (${PERIOD_HELP})`);
  }
  const period = { text: span.text, from, to };
  if (name === "dscr") {
    const it = (p: Projection) => p.items;
    return {
      text: `dscr@${span.text}`,
      name,
      label: `DSCR in ${span.text} ((EBITDA − taxes) ÷ debt service)`,
      kind: "ratio",
      period,
      never: null,
      read: (proj) => {
        const items = it(proj);
        let e = 0;
        let tax = 0;
        let ds = 0;
        for (let t = from; t <= to; t++) {
          e += items.ebitda[t];
          tax += items.taxes[t];
          ds += items.debtService[t];
        }
        return ds > 1e-12 ? (e - tax) / ds : NaN;
      },
    };
  }
  const item = name as StatementItem;
  const flow = ITEM_KIND[item] === "flow";
  return {
    text: `${item}@${span.text}`,
    name: item,
    label: `${ITEM_LABEL[item]} ${flow ? "in" : "at the end of"} ${span.text}`,
    kind: "amount",
    period,
    never: null,
    read: flow
      ? (proj) => {
          const series = proj.items[item];
          let s = 0;
          for (let t = from; t <= to; t++) s += series[t];
          return s;
        }
      : (proj) => proj.items[item][to],
  };
}

/** Month label of a month index; `never` (H) and beyond read as "never". */
export function monthLabel(compiled: CompiledModel, index: number): string {
  if (!Number.isFinite(index)) return "–";
  const t = Math.round(index);
  if (t >= compiled.months) return "never";
  if (t >= 0) return compiled.calendar.labels[t];
  return serialText(compiled.calendar.startSerial + t);
}

function serialText(serial: number): string {
  const year = Math.floor(serial / 12);
  return `${year}-${String(serial - year * 12 + 1).padStart(2, "0")}`;
}

/** Month label of any month index, inside the horizon or not (for month-valued inputs). */
export function anyMonthLabel(compiled: CompiledModel, index: number): string {
  if (!Number.isFinite(index)) return "–";
  return serialText(compiled.calendar.startSerial + Math.round(index));
}

/**
 * A month written YYYY-MM as a month index from the model's first month (may lie
 * outside the horizon). Returns null when the text is not a month.
 */
export function monthIndexOf(compiled: CompiledModel, text: string): number | null {
  const ym = parseMonth(text.trim());
  if (!ym) return null;
  return monthSerial(ym) - compiled.calendar.startSerial;
}

/** A value of the selector as plain JSON: month labels (null = never), else the number (null when undefined). */
export function metricJson(selector: MetricSelector, compiled: CompiledModel, value: number): number | string | null {
  if (!Number.isFinite(value)) return null;
  if (selector.kind === "month") return value >= compiled.months ? null : monthLabel(compiled, value);
  return value;
}

/** What "never" means for a month-valued selector, in words (for reports). */
export function neverNote(selector: MetricSelector, compiled: CompiledModel): string | null {
  if (selector.kind !== "month") return null;
  return `"never" (not within the horizon) counts as ${serialText(compiled.calendar.startSerial + compiled.months)}, the month after the horizon's last month, in swings, ranks and comparisons`;
}
