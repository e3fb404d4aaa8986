import type { Sheet, Row } from "./grid.js";
import type { ExportData } from "./data.js";
import { moneyUnit } from "./inputs.js";
import { FMT } from "./workbook.js";
import { SIMULATED_SERIES } from "../uncertainty/aggregate.js";
import type { Distribution } from "../uncertainty/summary.js";

const VALUES_NOTE = "Values computed by burnrate (not formulas): ";

/** Scenarios side by side by fiscal year and whole-horizon metrics, with differences from the base case. */
export function scenariosSheet(data: ExportData): Sheet {
  const runs = data.runs;
  const base = runs[0].result;
  const money = moneyUnit(base.currency, base.unit);
  const names = runs.map((r) => r.scenario ?? "base case");
  const rows: Row[] = [];
  const items: [string, "revenue" | "netIncome" | "freeCashFlow" | "endingCash" | "debt"][] = [["Revenue", "revenue"], ["Net income", "netIncome"], ["Free cash flow", "freeCashFlow"], ["Cash, year end", "endingCash"], ["Debt, year end", "debt"]];
  for (const [label, item] of items) {
    rows.push({ label, style: "section" });
    base.years.forEach((y, i) => {
      const values = runs.map((r) => r.result.years[i]?.[item] ?? null);
      rows.push({ label: `  ${y.period}`, unit: money, fmt: FMT.amount, scalar: { v: values[0] }, texts: [...values.slice(1).map((v) => ({ v, fmt: FMT.amount })), ...values.slice(1).map((v) => ({ v: v === null || values[0] === null ? null : v - values[0], fmt: FMT.amount }))] });
    });
  }
  rows.push({ label: "Whole horizon", style: "section" });
  const metric = (label: string, unit: string, fmt: string, read: (r: ExportData["runs"][number]["result"]) => number | string | null, delta: boolean) => {
    const values = runs.map((r) => read(r.result));
    const diff = (v: number | string | null) => (delta && typeof v === "number" && typeof values[0] === "number" ? { v: v - values[0], fmt } : { v: null });
    rows.push({ label, unit, fmt, scalar: { v: values[0] }, texts: [...values.slice(1).map((v) => ({ v, fmt })), ...values.slice(1).map(diff)] });
  };
  metric("Cash runs out", "month", FMT.general, (r) => r.metrics.cashOut ?? "not within the horizon", false);
  metric("Runway", "months", FMT.whole, (r) => r.metrics.runwayMonths, true);
  metric("Minimum cash", money, FMT.amount, (r) => r.metrics.minCash, true);
  metric("Funding gap", money, FMT.amount, (r) => r.metrics.fundingGap, true);
  metric("Breakeven", "month", FMT.general, (r) => r.metrics.breakeven ?? "not within the horizon", false);
  metric("Cumulative burn", money, FMT.amount, (r) => r.metrics.cumulativeBurn, true);
  metric("Minimum DSCR", "ratio", FMT.ratio, (r) => r.metrics.minDscr, true);
  metric("Covenant tests failed", "count", FMT.whole, (r) => r.metrics.covenantBreaches.length, true);
  const scenarios = data.main.loaded.model.scenarios;
  rows.push({ label: "What each scenario changes", style: "section" });
  for (const run of runs.slice(1)) {
    const s = scenarios[run.scenario!];
    rows.push({ label: run.scenario!, texts: [s?.description ?? ""] });
    for (const o of s?.overrides ?? []) rows.push({ label: `  ${o.path}`, texts: [o.set !== undefined ? `set ${o.set}` : o.add !== undefined ? `add ${o.add}` : `multiply by ${o.multiply}`] });
  }
  return {
    name: "Scenarios",
    monthly: false,
    title: `${base.model} — scenarios compared with the base case`,
    subtitle: `${VALUES_NOTE}each scenario is a separate run. Export with --scenario NAME first to get that scenario's statements as live formulas.`,
    headers: ["", "Unit", names[0], ...names.slice(1), ...names.slice(1).map((n) => `${n} − ${names[0]}`)],
    widths: [44, 16, ...names.map(() => 16), ...names.slice(1).map(() => 18)],
    rows,
  };
}

/** Monte Carlo percentiles by fiscal year, the odds and the funding gap. */
export function simulationSheet(data: ExportData): Sheet {
  const s = data.simulation!;
  const money = moneyUnit(s.currency, s.unit);
  const Q = ["mean", "p5", "p10", "p25", "p50", "p75", "p90", "p95"] as const;
  const rows: Row[] = [];
  rows.push({ label: "Odds", style: "section" });
  rows.push({ label: "Cash runs out within the horizon", unit: "probability", fmt: FMT.percent, scalar: { v: s.probabilities.cashOut } });
  rows.push({ label: "Any covenant breach", unit: "probability", fmt: FMT.percent, scalar: { v: s.probabilities.anyCovenantBreach } });
  for (const y of s.probabilities.cashOutByYear) rows.push({ label: `  cash out by the end of ${y.year}`, unit: "probability", fmt: FMT.percent, scalar: { v: y.probability } });
  for (const y of s.probabilities.breakevenByYear) rows.push({ label: `  breakeven by the end of ${y.year}`, unit: "probability", fmt: FMT.percent, scalar: { v: y.probability } });
  rows.push({ label: "Funding gap (extra opening cash) at p50 / p90 / p95", unit: money, fmt: FMT.amount, scalar: { v: s.fundingGap.p50 }, texts: [{ v: s.fundingGap.p90, fmt: FMT.amount }, { v: s.fundingGap.p95, fmt: FMT.amount }] });
  for (const series of SIMULATED_SERIES) {
    rows.push({ label: series, style: "section" });
    for (const y of s.years) {
      const d = y[series] as Distribution;
      rows.push({ label: `  ${y.year}`, unit: money, fmt: FMT.amount, scalar: { v: d.mean }, texts: Q.slice(1).map((q) => ({ v: d[q], fmt: FMT.amount })) });
    }
  }
  rows.push({ label: "Uncertain inputs", style: "section" });
  for (const i of s.inputs) rows.push({ label: `  ${i.name}`, unit: i.distribution, scalar: { v: i.p50 }, texts: [{ v: i.p10 }, { v: i.p90 }, i.path] });
  return {
    name: "Simulation",
    monthly: false,
    title: `${s.model} — Monte Carlo: ${s.paths.toLocaleString("en-US")} paths, seed ${s.seed}${s.scenario ? ` — scenario: ${s.scenario}` : ""}`,
    subtitle: `${VALUES_NOTE}sampled inputs are not formulas. Rerun burnrate export --simulate N --seed S to update. Percentiles ${s.quantiles.method === "exact" ? "exact" : "from DDSketch (1% relative error)"}.`,
    headers: ["", "Unit", "mean / value", ...Q.slice(1)],
    widths: [44, 16, 14, ...Q.slice(1).map(() => 14)],
    rows,
  };
}

/** The tornado: each uncertain input alone at p10 and p90. */
export function sensitivitySheet(data: ExportData): Sheet {
  const r = data.sensitivity!;
  const fmt = r.metric.kind === "amount" ? FMT.amount : r.metric.kind === "ratio" ? FMT.ratio : FMT.general;
  const rows: Row[] = r.tornado.map((t) => ({ label: t.input, unit: t.path, fmt, scalar: { v: t.swing }, texts: [t.lowInput, t.highInput, { v: t.metricAtLow, fmt }, { v: t.metricAtHigh, fmt }] }));
  return {
    name: "Sensitivity",
    monthly: false,
    title: `${r.model} — tornado of ${r.metric.text} (${r.metric.label})`,
    subtitle: `${VALUES_NOTE}each input alone at its p10 and p90, the others at their medians; every input at its median gives ${String(r.baseValue)}.`,
    headers: ["Input", "Path", "Swing", "Input at p10", "Input at p90", "Metric at p10", "Metric at p90"],
    widths: [28, 40, 14, 16, 16, 16, 16],
    rows,
  };
}
