import { ITEM_NAMES, ITEM_KIND, ITEM_LABEL, type StatementItem } from "../engine/items.js";
import type { Metrics } from "../engine/result.js";

/**
 * What a target can be compared with. Period measures are read from the monthly
 * rows of a run over the target's period; horizon measures are the whole-horizon
 * figures of `metrics`.
 */
export type PeriodMeasure =
  /** A statement line item: flows are summed over the period, balances taken at its last month. */
  | { scope: "period"; kind: "item"; item: StatementItem; itemKind: "flow" | "balance" }
  /** Computed from line items over the period. */
  | { scope: "period"; kind: "derived"; derived: DerivedName }
  /** A figure of the GPU-cloud report (models with GPU sections): flows summed, backlog at the period's end. */
  | { scope: "period"; kind: "gpu"; field: GpuField; itemKind: "flow" | "balance" };

export const GPU_FIELDS = ["backlog", "contractRevenue", "spotRevenue", "availableHours", "soldHours"] as const;
export type GpuField = (typeof GPU_FIELDS)[number];
const GPU_LABEL: Record<GpuField, string> = {
  backlog: "Contract backlog (period end)",
  contractRevenue: "Contract revenue",
  spotRevenue: "Spot revenue",
  availableHours: "GPU-hours available",
  soldHours: "GPU-hours sold",
};

export type HorizonMeasure = {
  scope: "horizon";
  field: HorizonField;
  /** Month-valued metrics are compared as months (tolerance in months). */
  valueType: "number" | "month" | "count";
  /**
   * For month-valued metrics, what "none" (null) means: `later` — the event does not
   * happen within the horizon, so it is later than any month in it; `undefined` — there
   * is no such month at all (e.g. no debt service, so no month of minimum DSCR).
   */
  none?: "later" | "undefined";
};

export type MetricInfo = (PeriodMeasure | HorizonMeasure) & { name: string; label: string; ratio: boolean };

export const DERIVED_NAMES = ["cashBurn", "averageMonthlyBurn", "dscr", "grossMargin", "ebitdaMargin", "netMargin", "capexToRevenue"] as const;
export type DerivedName = (typeof DERIVED_NAMES)[number];

const DERIVED_LABEL: Record<DerivedName, string> = {
  cashBurn: "Cash burn (−free cash flow)",
  averageMonthlyBurn: "Average monthly cash burn",
  dscr: "DSCR ((EBITDA − taxes) ÷ debt service)",
  grossMargin: "Gross margin",
  ebitdaMargin: "EBITDA margin",
  netMargin: "Net margin",
  capexToRevenue: "Capex ÷ revenue",
};
const DERIVED_RATIO: Record<DerivedName, boolean> = {
  cashBurn: false,
  averageMonthlyBurn: false,
  dscr: true,
  grossMargin: true,
  ebitdaMargin: true,
  netMargin: true,
  capexToRevenue: true,
};

/** Whole-horizon metrics of a run (`metrics` in the run result) usable as targets. */
export const HORIZON_FIELDS = [
  "cashOut",
  "breakeven",
  "firstPositiveFreeCashFlow",
  "minCashPeriod",
  "minDscrPeriod",
  "runwayMonths",
  "minCash",
  "fundingGap",
  "cumulativeBurn",
  "minDscr",
  "interestCoverage",
  "netDebtToEbitda",
  "maxNetDebtToEbitda",
  "covenantBreaches",
] as const satisfies readonly (keyof Metrics)[];
export type HorizonField = (typeof HORIZON_FIELDS)[number];

const HORIZON_INFO: Record<HorizonField, { label: string; valueType: HorizonMeasure["valueType"]; none?: HorizonMeasure["none"]; ratio?: boolean }> = {
  cashOut: { label: "Month cash runs out", valueType: "month", none: "later" },
  breakeven: { label: "Breakeven month (net income ≥ 0 from then on)", valueType: "month", none: "later" },
  firstPositiveFreeCashFlow: { label: "First month of positive free cash flow", valueType: "month", none: "later" },
  minCashPeriod: { label: "Month of minimum cash", valueType: "month", none: "undefined" },
  minDscrPeriod: { label: "Month of minimum DSCR", valueType: "month", none: "undefined" },
  runwayMonths: { label: "Runway (months)", valueType: "count" },
  minCash: { label: "Minimum cash", valueType: "number" },
  fundingGap: { label: "Funding gap", valueType: "number" },
  cumulativeBurn: { label: "Cumulative burn (negative free cash flow)", valueType: "number" },
  minDscr: { label: "Minimum DSCR", valueType: "number", ratio: true },
  interestCoverage: { label: "Interest coverage (min, LTM)", valueType: "number", ratio: true },
  netDebtToEbitda: { label: "Net debt ÷ EBITDA (end, LTM)", valueType: "number", ratio: true },
  maxNetDebtToEbitda: { label: "Net debt ÷ EBITDA (max, LTM)", valueType: "number", ratio: true },
  covenantBreaches: { label: "Covenant tests failed", valueType: "count" },
};

function buildCatalogue(): Map<string, MetricInfo> {
  const map = new Map<string, MetricInfo>();
  for (const item of ITEM_NAMES) {
    map.set(item, { scope: "period", kind: "item", item, itemKind: ITEM_KIND[item], name: item, label: ITEM_LABEL[item], ratio: false });
  }
  for (const d of DERIVED_NAMES) map.set(d, { scope: "period", kind: "derived", derived: d, name: d, label: DERIVED_LABEL[d], ratio: DERIVED_RATIO[d] });
  for (const g of GPU_FIELDS) map.set(g, { scope: "period", kind: "gpu", field: g, itemKind: g === "backlog" ? "balance" : "flow", name: g, label: GPU_LABEL[g], ratio: false });
  for (const f of HORIZON_FIELDS) {
    const info = HORIZON_INFO[f];
    map.set(f, { scope: "horizon", field: f, valueType: info.valueType, none: info.none, name: f, label: info.label, ratio: info.ratio ?? false });
  }
  return map;
}

export const METRIC_CATALOGUE: ReadonlyMap<string, MetricInfo> = buildCatalogue();
export const METRIC_NAMES: readonly string[] = [...METRIC_CATALOGUE.keys()];

export function metricInfo(name: string): MetricInfo | undefined {
  return METRIC_CATALOGUE.get(name);
}

/** True for metrics whose values are months (`2027-01`), compared with a tolerance in months. */
export function isMonthValued(info: MetricInfo): boolean {
  return info.scope === "horizon" && info.valueType === "month";
}
