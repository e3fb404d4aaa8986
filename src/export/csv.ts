import { stringify } from "csv-stringify/sync";
import type { RunResult, PeriodRow } from "../engine/result.js";
import { STATEMENT_ITEMS } from "../engine/items.js";
import type { ModelRunResult } from "../index.js";
import type { SimulationResult, Distribution } from "../uncertainty/summary.js";
import { SIMULATED_SERIES } from "../uncertainty/aggregate.js";
import type { SensitivityReport } from "../uncertainty/sensitivity.js";
import type { ExportData } from "./data.js";
import { moneyUnit } from "./inputs.js";
import { fiscalPeriodOf } from "../model/months.js";

/**
 * CSV: one table per block of a result (statements, metrics, lines, GPU detail, …), or one
 * tidy long table (period, item, value, unit, scenario). Numbers are rounded to a stated
 * number of decimals, so no float noise (5000.000000000001) reaches a spreadsheet; `full`
 * keeps every digit.
 */
export type Precision = number | "full";
export const DEFAULT_PRECISION = 6;

export type CsvValue = string | number | boolean | null;

export interface CsvBlock {
  /** File name without extension, e.g. "statements". */
  name: string;
  header: string[];
  rows: CsvValue[][];
  /** Column holding the period (for the tidy form); -1 when the block has none. */
  periodColumn: number;
  /** Column naming the item of a row (tidy: prefixed to each value column's name); -1 when none. */
  itemColumn?: number;
  /** Column naming the scenario of a row (comparisons); else the scenario of the whole export. */
  scenarioColumn?: number;
  /** Unit of each column (by header), for the tidy form. */
  units?: Record<string, string>;
}

export function roundValue(v: CsvValue, precision: Precision): CsvValue {
  if (typeof v !== "number") return v;
  if (!Number.isFinite(v)) return null;
  if (precision === "full") return v;
  const r = Number(v.toFixed(precision));
  return Object.is(r, -0) ? 0 : r;
}

/** RFC 4180 CSV through csv-stringify; numbers rounded. */
export function toCsvText(header: string[], rows: CsvValue[][], precision: Precision = DEFAULT_PRECISION): string {
  return stringify([header, ...rows.map((r) => r.map((v) => roundValue(v, precision)))], { cast: { number: (n) => String(n), boolean: (b) => (b ? "true" : "false") } });
}

export function blockCsv(block: CsvBlock, precision: Precision = DEFAULT_PRECISION): string {
  return toCsvText(block.header, block.rows, precision);
}

/** Every block melted into one long table: period, item, value, unit, scenario. */
export function tidyCsv(blocks: { scenario: string | null; blocks: CsvBlock[] }[], precision: Precision = DEFAULT_PRECISION): string {
  const rows: CsvValue[][] = [];
  for (const { scenario, blocks: list } of blocks) {
    for (const b of list) {
      for (const row of b.rows) {
        const period = b.periodColumn >= 0 ? row[b.periodColumn] : "";
        const item = b.itemColumn !== undefined && b.itemColumn >= 0 ? String(row[b.itemColumn]) : null;
        const rowScenario = b.scenarioColumn !== undefined ? String(row[b.scenarioColumn]) : (scenario ?? "base");
        b.header.forEach((h, i) => {
          if (i === b.periodColumn || i === b.itemColumn || i === b.scenarioColumn) return;
          const v = row[i];
          if (v === null || v === "") return;
          const name = item !== null ? `${b.name}:${item}:${h}` : `${b.name}:${h}`;
          rows.push([period, name, v, b.units?.[h] ?? "", rowScenario]);
        });
      }
    }
  }
  return toCsvText(["period", "item", "value", "unit", "scenario"], rows, precision);
}

type Period = "month" | "quarter" | "year";

function rowsFor(result: RunResult, period: Period): PeriodRow[] {
  return period === "month" ? result.months : period === "quarter" ? result.quarters : result.years;
}

const ITEMS = STATEMENT_ITEMS.map((i) => i[0]);

/** The blocks of a run: statements, opex by category, metrics, lines, equity rounds, covenant breaches, GPU detail. */
export function runBlocks(result: ModelRunResult, period: Period = "month"): CsvBlock[] {
  const money = moneyUnit(result.currency, result.unit);
  const rows = rowsFor(result, period);
  const units: Record<string, string> = Object.fromEntries(ITEMS.map((i) => [i, i === "capacity" ? "capacity units × hours" : money]));
  units.dscr = "ratio";
  const blocks: CsvBlock[] = [
    { name: "statements", header: ["period", ...ITEMS, "dscr"], rows: rows.map((r) => [r.period, ...ITEMS.map((i) => r[i]), r.dscr]), periodColumn: 0, units },
  ];
  const categories = Object.keys(rows[0]?.operatingExpensesByCategory ?? {});
  if (categories.length > 0) blocks.push({ name: "opex-by-category", header: ["period", ...categories], rows: rows.map((r) => [r.period, ...categories.map((c) => r.operatingExpensesByCategory[c])]), periodColumn: 0, units: Object.fromEntries(categories.map((c) => [c, money])) });
  const m = result.metrics;
  const metric = (name: string, value: CsvValue, unit: string, period: string | null = null): CsvValue[] => [name, value, unit, period];
  blocks.push({
    name: "metrics",
    header: ["metric", "value", "unit", "period"],
    periodColumn: -1,
    itemColumn: 0,
    units: {},
    rows: [
      metric("cashOut", m.cashOut ?? "not within the horizon", "month"),
      metric("runwayMonths", m.runwayMonths, "months"),
      metric("runwayBeyondHorizon", m.runwayBeyondHorizon, ""),
      metric("minCash", m.minCash, money, m.minCashPeriod),
      metric("fundingGap", m.fundingGap, money),
      metric("breakeven", m.breakeven ?? "not within the horizon", "month"),
      metric("firstPositiveFreeCashFlow", m.firstPositiveFreeCashFlow ?? "not within the horizon", "month"),
      metric("cumulativeBurn", m.cumulativeBurn, money),
      metric("minDscr", m.minDscr, "ratio", m.minDscrPeriod),
      metric("interestCoverage", m.interestCoverage, "ratio"),
      metric("netDebtToEbitda", m.netDebtToEbitda, "ratio"),
      metric("maxNetDebtToEbitda", m.maxNetDebtToEbitda, "ratio"),
      metric("covenantBreaches", m.covenantBreaches.length, "count"),
    ],
  });
  // Lines by period: flows summed like the statements.
  const lineRows = rows.map((r) => [r.period] as CsvValue[]);
  const periodOfMonth = result.months.map((mo) => fiscalPeriodOf(mo.period, period, result.fiscalYearStart));
  for (const line of result.lines) {
    const totals = new Map<string, number>();
    line.values.forEach((v, t) => totals.set(String(periodOfMonth[t]), (totals.get(String(periodOfMonth[t])) ?? 0) + v));
    rows.forEach((r, i) => lineRows[i].push(totals.get(r.period) ?? 0));
  }
  if (result.lines.length > 0) blocks.push({ name: "lines", header: ["period", ...result.lines.map((l) => l.name)], rows: lineRows, periodColumn: 0, units: Object.fromEntries(result.lines.map((l) => [l.name, money])) });
  if (m.equityRounds.length > 0) {
    blocks.push({
      name: "equity-rounds",
      header: ["round", "period", "amount", "preMoney", "postMoney", "dilution", "priorHoldersOwnership", "valuationToAnnualizedRevenue"],
      rows: m.equityRounds.map((r) => [r.name, r.period, r.amount, r.preMoney, r.postMoney, r.dilution, r.priorHoldersOwnership, r.valuationToAnnualizedRevenue]),
      periodColumn: 1,
      itemColumn: 0,
      units: { amount: money, preMoney: money, postMoney: money, dilution: "share", priorHoldersOwnership: "share", valuationToAnnualizedRevenue: "multiple" },
    });
  }
  if (m.covenantBreaches.length > 0) {
    blocks.push({ name: "covenant-breaches", header: ["covenant", "metric", "period", "value", "limit", "bound"], rows: m.covenantBreaches.map((b) => [b.covenant, b.metric, b.period, b.value, b.limit, b.bound]), periodColumn: 2, itemColumn: 0, units: { value: "ratio", limit: "ratio" } });
  }
  if (result.gpu) {
    const gpuRows = period === "month" ? result.gpu.months : result.gpu.years;
    blocks.push({
      name: "gpu",
      header: ["period", "availableHours", "contractedHours", "spotHours", "soldHours", "utilization", "contractRevenue", "spotRevenue", "largestCustomerShare", "largestCustomer", "hhi", "backlog", "backlogCoverage"],
      rows: gpuRows.map((r) => [r.period, r.availableHours, r.contractedHours, r.spotHours, r.soldHours, r.utilization, r.contractRevenue, r.spotRevenue, r.largestCustomerShare, r.largestCustomer, r.hhi, r.backlog, r.backlogCoverage]),
      periodColumn: 0,
      units: { availableHours: "GPU-hours", contractedHours: "GPU-hours", spotHours: "GPU-hours", soldHours: "GPU-hours", utilization: "share", contractRevenue: money, spotRevenue: money, largestCustomerShare: "share", hhi: "index", backlog: money, backlogCoverage: "ratio" },
    });
    const customers = result.gpu.customers;
    if (customers.length > 0) blocks.push({ name: "revenue-by-customer", header: ["period", ...customers], rows: gpuRows.map((r) => [r.period, ...customers.map((c) => r.revenueByCustomer[c] ?? 0)]), periodColumn: 0, units: Object.fromEntries(customers.map((c) => [c, money])) });
  }
  return blocks;
}

/** The fiscal period a month (YYYY-MM) belongs to: fiscal years are named by the calendar year in which they end. */
export { fiscalPeriodOf };

/** Simulation blocks: percentiles by period and series, the odds, the funding gap and metric distributions. */
export function simulationBlocks(result: SimulationResult, period: "month" | "year" = "year"): CsvBlock[] {
  const Q = ["mean", "p5", "p10", "p25", "p50", "p75", "p90", "p95"] as const;
  const money = moneyUnit(result.currency, result.unit);
  const rows: CsvValue[][] = [];
  const list = period === "month" ? result.months.map((m) => ({ label: m.period, row: m })) : result.years.map((y) => ({ label: String(y.year), row: y }));
  for (const { label, row } of list) for (const s of SIMULATED_SERIES) rows.push([label, s, ...Q.map((q) => (row[s] as Distribution)[q])]);
  const odds: CsvValue[][] = [["", "cashOut", result.probabilities.cashOut], ["", "anyCovenantBreach", result.probabilities.anyCovenantBreach]];
  for (const y of result.probabilities.cashOutByYear) odds.push([String(y.year), "cashOutByThen", y.probability]);
  for (const y of result.probabilities.breakevenByYear) odds.push([String(y.year), "breakevenByThen", y.probability]);
  for (const m of result.cashOutMonth) odds.push([m.period, "cashOutInMonth", m.probability]);
  const metrics: CsvValue[][] = Object.entries(result.metrics).map(([name, d]) => [name, ...Q.map((q) => d[q])]);
  metrics.push(["fundingGap (extra opening cash)", result.fundingGap.mean, null, null, null, result.fundingGap.p50, null, result.fundingGap.p90, result.fundingGap.p95]);
  return [
    { name: "simulation-percentiles", header: ["period", "series", ...Q], rows, periodColumn: 0, itemColumn: 1, units: Object.fromEntries(Q.map((q) => [q, money])) },
    { name: "simulation-odds", header: ["period", "event", "probability"], rows: odds, periodColumn: 0, itemColumn: 1, units: { probability: "probability" } },
    { name: "simulation-metrics", header: ["metric", ...Q], rows: metrics, periodColumn: -1, itemColumn: 0, units: {} },
    { name: "simulation-inputs", header: ["name", "path", "distribution", "p10", "p50", "p90"], rows: result.inputs.map((i) => [i.name, i.path, i.distribution, i.p10, i.p50, i.p90]), periodColumn: -1, itemColumn: 0, units: {} },
    // How many paths every figure above is over, and how many were left out as invalid (and why).
    {
      name: "simulation-paths",
      header: ["paths", "count"],
      rows: [["simulated", result.paths], ["valid", result.validPaths], ["invalid", result.invalidPaths.count], ...Object.entries(result.invalidPaths.byReason).map(([reason, count]) => [`invalid:${reason}`, count] as CsvValue[])],
      periodColumn: -1,
      itemColumn: 0,
      units: {},
    },
  ];
}

/** Tornado, spider and global rows of a sensitivity report. */
export function sensitivityBlocks(r: SensitivityReport): CsvBlock[] {
  const m = (v: number | string | null) => (v === null && r.metric.kind === "month" ? "never" : v);
  const blocks: CsvBlock[] = [
    { name: "tornado", header: ["input", "path", "lowInput", "highInput", "metricAtLow", "metricAtHigh", "swing"], rows: r.tornado.map((t) => [t.input, t.path, t.lowInput, t.highInput, m(t.metricAtLow), m(t.metricAtHigh), t.swing]), periodColumn: -1, itemColumn: 0, units: {} },
    { name: "spider", header: ["input", "path", "change", "inputValue", "metric"], rows: r.spider.rows.flatMap((row) => row.points.map((p) => [row.input, row.path, row.isMonth ? `${p.change}m` : p.change, p.input, m(p.metric)])), periodColumn: -1, itemColumn: 0, units: {} },
  ];
  if (r.global) blocks.push({ name: "global", header: ["input", "path", "spearman", "contribution"], rows: r.global.rows.map((g) => [g.input, g.path, g.spearman, g.contribution]), periodColumn: -1, itemColumn: 0, units: { contribution: "percent" } });
  return blocks;
}

/** The scenario comparison: each run's key figures by fiscal year and its metrics, with the difference from the first run. */
export function comparisonBlocks(runs: ExportData["runs"]): CsvBlock[] {
  const base = runs[0].result;
  const items = ["revenue", "netIncome", "freeCashFlow", "endingCash", "debt"] as const;
  const rows: CsvValue[][] = [];
  for (const run of runs) {
    run.result.years.forEach((y, i) => {
      for (const item of items) {
        const b = base.years[i]?.[item];
        rows.push([y.period, run.scenario ?? "base", item, y[item], b === undefined ? null : y[item] - b]);
      }
    });
  }
  return [{ name: "scenarios", header: ["period", "scenario", "item", "value", "differenceFromBase"], rows, periodColumn: 0, itemColumn: 2, scenarioColumn: 1, units: { value: moneyUnit(base.currency, base.unit), differenceFromBase: moneyUnit(base.currency, base.unit) } }];
}

/** Every CSV file of an export: blocks of the main run, the comparison, simulation and sensitivity. */
export function exportCsv(data: ExportData, options: { precision?: Precision; tidy?: boolean; period?: Period } = {}): { name: string; text: string }[] {
  const precision = options.precision ?? DEFAULT_PRECISION;
  const period = options.period ?? "month";
  const mainBlocks = runBlocks(data.main.result, period);
  const extra: CsvBlock[] = [];
  if (data.runs.length > 1) extra.push(...comparisonBlocks(data.runs));
  if (data.simulation) extra.push(...simulationBlocks(data.simulation));
  if (data.sensitivity) extra.push(...sensitivityBlocks(data.sensitivity));
  if (data.caveats.length) extra.push({ name: "caveats", header: ["caveat", "qualifies", "text", "citation"], rows: data.caveats.map((c) => [c.id, c.qualifies, c.text, c.citation]), periodColumn: -1, itemColumn: 0, units: {} });
  if (options.tidy) {
    const groups = [{ scenario: data.main.result.scenario, blocks: [...mainBlocks, ...extra] }];
    for (const run of data.runs) if (run.result !== data.main.result) groups.push({ scenario: run.scenario, blocks: runBlocks(run.result, period).filter((b) => b.name !== "lines") });
    return [{ name: "tidy.csv", text: tidyCsv(groups, precision) }];
  }
  return [...mainBlocks, ...extra].map((b) => ({ name: `${b.name}.csv`, text: blockCsv(b, precision) }));
}

/** Plain records (one per row) as CSV: every scalar field a column; nested values as JSON text. */
export function recordsCsv(records: Record<string, unknown>[], precision: Precision = DEFAULT_PRECISION): string {
  const header: string[] = [];
  for (const r of records) for (const k of Object.keys(r)) if (!header.includes(k)) header.push(k);
  const cell = (v: unknown): CsvValue => (v === undefined || v === null ? null : typeof v === "number" || typeof v === "string" || typeof v === "boolean" ? v : JSON.stringify(v));
  return toCsvText(header, records.map((r) => header.map((h) => cell(r[h]))), precision);
}
