import type { ModelRunResult, SimulationResult, SensitivityReport, PeriodRow } from "../../../src/browser.js";
import type { ChartOption } from "./style.js";
import type { ChartTable } from "./Chart.js";
import { DASHES, PALETTE, SYMBOLS } from "./style.js";
import { t, num, pct, period, int } from "../i18n.js";

export interface Built {
  option: ChartOption;
  table: ChartTable;
}

const amount = (v: number | null) => num(v, 1);
const axisAmount = (v: number) => num(v, 0);

function grid(extra: Record<string, unknown> = {}) {
  return { left: 64, right: 64, top: 48, bottom: 56, containLabel: true, ...extra };
}
function tooltip(valueFormatter: (v: number) => string = (v) => amount(v)) {
  return { trigger: "axis", confine: true, valueFormatter: (v: unknown) => (typeof v === "number" ? valueFormatter(v) : Array.isArray(v) ? String(v) : "–") };
}
function legend() {
  return { top: 0, type: "scroll", icon: "roundRect", itemWidth: 22, itemHeight: 10 };
}
function timeAxis(labels: string[]) {
  return { type: "category", data: labels, axisLabel: { formatter: (v: string) => period(v), hideOverlap: true }, axisTick: { alignWithLabel: true } };
}
function valueAxis(name: string, formatter: (v: number) => string = axisAmount, extra: Record<string, unknown> = {}) {
  return { type: "value", name, nameTextStyle: { align: "left" }, axisLabel: { formatter }, splitLine: { lineStyle: { color: "#e3e7ec" } }, ...extra };
}
function line(name: string, data: (number | null)[], k: number, extra: Record<string, unknown> = {}) {
  return { type: "line", name, data, showSymbol: data.length <= 24, symbol: SYMBOLS[k % SYMBOLS.length], symbolSize: 6, lineStyle: { width: 2, type: DASHES[k % DASHES.length], color: PALETTE[k % PALETTE.length] }, itemStyle: { color: PALETTE[k % PALETTE.length] }, ...extra };
}

export function rowsFor(result: ModelRunResult, kind: "month" | "quarter" | "year"): PeriodRow[] {
  return kind === "month" ? result.months : kind === "quarter" ? result.quarters : result.years;
}

/** Cash at month end with the simulated p5–p95 and p25–p75 fans and P(cash has run out by then). */
export function cashFan(result: ModelRunResult, sim: SimulationResult | null, unit: string): Built {
  const labels = result.months.map((r) => r.period);
  const cash = result.months.map((r) => r.endingCash);
  const series: unknown[] = [];
  const table: ChartTable = { columns: [t("charts.month"), t("charts.cashModel")], rows: [] };
  if (sim) {
    const q = (key: "p5" | "p25" | "p50" | "p75" | "p95") => sim.months.map((m) => m.endingCash[key]);
    const p5 = q("p5"), p25 = q("p25"), p50 = q("p50"), p75 = q("p75"), p95 = q("p95");
    const band = (name: string, low: (number | null)[], high: (number | null)[], color: string, stack: string) => [
      { type: "line", name: `${name}-base`, data: low, stack, stackStrategy: "all", lineStyle: { opacity: 0 }, showSymbol: false, silent: true, tooltip: { show: false }, legendHoverLink: false, areaStyle: { opacity: 0 } },
      { type: "line", name, data: high.map((h, i) => (h === null || low[i] === null ? null : h - (low[i] as number))), stack, stackStrategy: "all", lineStyle: { opacity: 0 }, showSymbol: false, itemStyle: { color }, areaStyle: { color, opacity: 1 }, tooltip: { show: false } },
    ];
    series.push(...band(t("charts.fan90"), p5, p95, "rgba(31,95,168,0.16)", "outer"), ...band(t("charts.fan50"), p25, p75, "rgba(31,95,168,0.30)", "inner"));
    series.push(line(t("charts.median"), p50, 1));
    let cumulative = 0;
    const byMonth = new Map(sim.cashOutMonth.map((c) => [c.period, c.probability]));
    const pOut = labels.map((l) => (cumulative += byMonth.get(l) ?? 0));
    series.push({ ...line(t("charts.pOutBy"), pOut, 2), yAxisIndex: 1, step: "end", tooltip: { valueFormatter: (v: number) => pct(v) } });
    table.columns.push("p5", "p25", "p50", "p75", "p95", t("charts.pOutBy"));
    labels.forEach((l, i) => table.rows.push([l, cash[i], p5[i], p25[i], p50[i], p75[i], p95[i], pOut[i]]));
    table.format = (v, c) => (c === 0 ? period(String(v)) : c === 7 ? pct(v as number) : typeof v === "number" ? amount(v) : "–");
  } else {
    labels.forEach((l, i) => table.rows.push([l, cash[i]]));
    table.format = (v, c) => (c === 0 ? period(String(v)) : amount(v as number));
  }
  series.unshift({ ...line(t("charts.cashModel"), cash, 0), z: 5, markLine: { silent: true, symbol: "none", lineStyle: { color: "#8a1c1c", type: "solid", width: 1 }, label: { formatter: t("charts.zero"), position: "insideEndTop" }, data: [{ yAxis: 0 }] } });
  const yAxis: unknown[] = [valueAxis(unit)];
  if (sim) yAxis.push(valueAxis(t("charts.probability"), (v) => pct(v, 0), { min: 0, max: 1, position: "right", splitLine: { show: false } }));
  return {
    option: {
      grid: grid(),
      legend: { ...legend(), data: series.map((s) => (s as { name: string }).name).filter((n) => !n.endsWith("-base")) },
      tooltip: tooltip(),
      xAxis: timeAxis(labels),
      yAxis,
      series,
    },
    table,
  };
}

/** Revenue, costs (cost of revenue + operating expenses) and burn (−free cash flow when negative). */
export function revenueCosts(result: ModelRunResult, kind: "month" | "quarter" | "year", unit: string): Built {
  const rows = rowsFor(result, kind);
  const labels = rows.map((r) => r.period);
  const revenue = rows.map((r) => r.revenue);
  const costs = rows.map((r) => r.costOfRevenue + r.operatingExpenses);
  const burn = rows.map((r) => Math.max(0, -r.freeCashFlow));
  return {
    option: {
      grid: grid(),
      legend: legend(),
      tooltip: tooltip(),
      xAxis: timeAxis(labels),
      yAxis: valueAxis(unit),
      series: [line(t("common:items.revenue"), revenue, 0), line(t("charts.costs"), costs, 1), line(t("charts.burn"), burn, 2, { areaStyle: { opacity: 0.12 } })],
    },
    table: {
      columns: [t("charts.period"), t("common:items.revenue"), t("charts.costs"), t("charts.burn")],
      rows: labels.map((l, i) => [l, revenue[i], costs[i], burn[i]]),
      format: (v, c) => (c === 0 ? period(String(v)) : amount(v as number)),
    },
  };
}

/** How cash moved from the start of `from` to the end of `to`: a waterfall. */
export function cashBridge(result: ModelRunResult, from: number, to: number, unit: string): Built {
  const m = result.months.slice(from, to + 1);
  const sum = (f: (r: PeriodRow) => number) => m.reduce((s, r) => s + f(r), 0);
  const opening = result.months[from].endingCash - result.months[from].netCashFlow;
  const steps: [string, number][] = [
    [t("common:items.operatingCashFlow"), sum((r) => r.operatingCashFlow)],
    [t("common:items.capex"), -sum((r) => r.capex)],
    [t("common:items.equityRaised"), sum((r) => r.equityRaised)],
    [t("common:items.debtDrawn"), sum((r) => r.debtDrawn)],
    [t("common:items.debtRepaid"), -sum((r) => r.debtRepaid)],
    [t("common:items.financingFees"), -sum((r) => r.financingFees)],
  ];
  const closing = result.months[to].endingCash;
  const categories = [t("charts.openingCash"), ...steps.map((s) => s[0]), t("charts.closingCash")];
  const base: number[] = [];
  const up: number[] = [];
  const down: number[] = [];
  const totals: number[] = [];
  let level = opening;
  totals.push(opening), base.push(0), up.push(0), down.push(0);
  for (const [, v] of steps) {
    const next = level + v;
    base.push(Math.min(level, next));
    if (v >= 0) up.push(v), down.push(0);
    else down.push(-v), up.push(0);
    totals.push(0);
    level = next;
  }
  totals.push(closing), base.push(0), up.push(0), down.push(0);
  const label = (position: string, neg = false) => ({ show: true, position, formatter: (p: { value: number }) => (p.value === 0 ? "" : neg ? `(${amount(p.value)})` : amount(p.value)) });
  // Bars hanging below zero: stacking starts from the lower end, which may be negative.
  return {
    option: {
      grid: grid({ bottom: 90 }),
      legend: { ...legend(), data: [t("charts.increase"), t("charts.decrease"), t("charts.balance")] },
      tooltip: { trigger: "axis", confine: true, axisPointer: { type: "shadow" }, valueFormatter: (v: unknown) => (typeof v === "number" ? amount(v) : "") },
      xAxis: { type: "category", data: categories, axisLabel: { interval: 0, rotate: 25, width: 110, overflow: "truncate" } },
      yAxis: valueAxis(unit),
      series: [
        { type: "bar", stack: "w", stackStrategy: "all", name: "base", data: base, itemStyle: { color: "transparent" }, tooltip: { show: false }, silent: true },
        { type: "bar", stack: "w", stackStrategy: "all", name: t("charts.increase"), data: up, itemStyle: { color: PALETTE[2] }, label: label("top") },
        { type: "bar", stack: "w", stackStrategy: "all", name: t("charts.decrease"), data: down, itemStyle: { color: PALETTE[1], decal: { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [3, 5], rotation: -0.8, color: "rgba(255,255,255,0.45)" } }, label: label("bottom", true) },
        { type: "bar", stack: "w", stackStrategy: "all", name: t("charts.balance"), data: totals, itemStyle: { color: PALETTE[0] }, label: label("top") },
      ],
    },
    table: {
      columns: [t("charts.step"), t("charts.amount")],
      rows: [[t("charts.openingCash"), opening], ...steps.map(([k, v]) => [k, v] as [string, number]), [t("charts.closingCash"), closing]],
      format: (v, c) => (c === 0 ? String(v) : amount(v as number)),
    },
  };
}

/** Debt outstanding, interest paid and DSCR against the covenants' minimum. */
export function debtChart(result: ModelRunResult, covenantMin: { name: string; min: number }[], unit: string): Built {
  const labels = result.months.map((r) => r.period);
  const debt = result.months.map((r) => r.debt);
  const interest = result.months.map((r) => r.cashInterest);
  const principal = result.months.map((r) => r.scheduledPrincipal);
  const dscr = result.months.map((r) => (r.dscr === null ? null : Math.max(-5, Math.min(10, r.dscr))));
  return {
    option: {
      grid: grid(),
      legend: legend(),
      tooltip: tooltip(),
      xAxis: timeAxis(labels),
      yAxis: [valueAxis(unit), valueAxis(t("charts.dscr"), (v) => `${num(v, 1, { parentheses: false })}×`, { position: "right", splitLine: { show: false } })],
      series: [
        { type: "bar", name: t("common:items.debt"), data: debt, itemStyle: { color: "rgba(31,95,168,0.35)" }, barCategoryGap: "10%" },
        line(t("common:items.cashInterest"), interest, 1),
        line(t("common:items.scheduledPrincipal"), principal, 3),
        {
          ...line(t("charts.dscr"), dscr, 2),
          yAxisIndex: 1,
          connectNulls: false,
          tooltip: { valueFormatter: (v: number) => `${num(v, 2)}×` },
          markLine: covenantMin.length
            ? { symbol: "none", lineStyle: { color: "#8a1c1c", type: "dashed" }, label: { formatter: (p: { name: string }) => p.name, position: "insideEndTop" }, data: covenantMin.map((c) => ({ name: `${t("charts.covenant")} ${c.name} ≥ ${num(c.min, 2)}×`, yAxis: c.min })) }
            : undefined,
        },
      ],
    },
    table: {
      columns: [t("charts.month"), t("common:items.debt"), t("common:items.cashInterest"), t("common:items.scheduledPrincipal"), t("charts.dscr")],
      rows: labels.map((l, i) => [l, debt[i], interest[i], principal[i], result.months[i].dscr]),
      format: (v, c) => (c === 0 ? period(String(v)) : c === 4 ? (v === null ? "–" : `${num(v as number, 2)}×`) : amount(v as number)),
    },
  };
}

const metricValue = (v: number | string | null) => (typeof v === "number" ? v : null);

/** Each input alone at its low and high quantile: bars from the centre value. */
export function tornado(report: SensitivityReport): Built {
  const rows = [...report.tornado].filter((r) => r.swing !== null).slice(0, 15).reverse();
  const base = metricValue(report.baseValue) ?? 0;
  const names = rows.map((r) => r.input);
  const low = rows.map((r) => (metricValue(r.metricAtLow) ?? base) - base);
  const high = rows.map((r) => (metricValue(r.metricAtHigh) ?? base) - base);
  const fmt = (v: number) => num(v + base, report.metric.kind === "amount" ? 1 : 1);
  return {
    option: {
      grid: grid({ left: 24, right: 40 }),
      legend: legend(),
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true, valueFormatter: (v: unknown) => (typeof v === "number" ? fmt(v) : "") },
      xAxis: { type: "value", axisLabel: { formatter: (v: number) => num(v + base, 0) }, name: report.metric.label, nameLocation: "middle", nameGap: 28 },
      yAxis: { type: "category", data: names, axisLabel: { width: 160, overflow: "truncate" } },
      series: [
        { type: "bar", name: t("charts.atLow", { q: int(report.at[0] * 100) }), data: low, stack: "s", itemStyle: { color: PALETTE[1], decal: { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [3, 5], rotation: -0.8, color: "rgba(255,255,255,0.45)" } } },
        { type: "bar", name: t("charts.atHigh", { q: int(report.at[1] * 100) }), data: high, stack: "s2", barGap: "-100%", itemStyle: { color: PALETTE[0] } },
      ],
    },
    table: {
      columns: [t("charts.input"), t("charts.lowInput"), t("charts.highInput"), t("charts.metricAtLow"), t("charts.metricAtHigh"), t("charts.swing")],
      rows: [...report.tornado].map((r) => [r.input, r.lowInput, r.highInput, r.metricAtLow, r.metricAtHigh, r.swing]),
      format: (v, c) => (c === 0 ? String(v) : typeof v === "number" ? num(v, 2) : v === null ? "–" : String(v)),
    },
  };
}

/** The metric as each input moves −30 % … +30 % from its median. */
export function spider(report: SensitivityReport): Built {
  const steps = report.spider.steps;
  const rows = report.spider.rows.filter((r) => !r.isMonth).slice(0, 8);
  const categories = steps.map((s) => `${s > 0 ? "+" : ""}${int(s * 100)}%`);
  return {
    option: {
      grid: grid(),
      legend: legend(),
      tooltip: tooltip((v) => num(v, 1)),
      xAxis: { type: "category", data: categories, name: t("charts.change"), nameLocation: "middle", nameGap: 28 },
      yAxis: valueAxis(report.metric.label, (v) => num(v, 0)),
      series: rows.map((r, k) => line(r.input, r.points.map((p) => metricValue(p.metric)), k, { showSymbol: true })),
    },
    table: {
      columns: [t("charts.input"), ...categories],
      rows: rows.map((r) => [r.input, ...r.points.map((p) => metricValue(p.metric))]),
      format: (v, c) => (c === 0 ? String(v) : typeof v === "number" ? num(v, 2) : "–"),
    },
  };
}

/** GPU clouds: capacity vs contracted and sold GPU-hours, and utilization. */
export function gpuCapacity(result: ModelRunResult): Built | null {
  const g = result.gpu;
  if (!g) return null;
  const labels = g.months.map((r) => r.period);
  const M = 1e6;
  const available = g.months.map((r) => r.availableHours / M);
  const contracted = g.months.map((r) => r.contractedHours / M);
  const sold = g.months.map((r) => r.soldHours / M);
  const util = g.months.map((r) => r.utilization);
  return {
    option: {
      grid: grid(),
      legend: legend(),
      tooltip: tooltip((v) => num(v, 1)),
      xAxis: timeAxis(labels),
      yAxis: [valueAxis(t("charts.millionGpuHours")), valueAxis(t("charts.utilization"), (v) => pct(v, 0), { min: 0, max: 1, position: "right", splitLine: { show: false } })],
      series: [line(t("charts.capacity"), available, 0, { areaStyle: { opacity: 0.08 } }), line(t("charts.contracted"), contracted, 1), line(t("charts.sold"), sold, 3), { ...line(t("charts.utilization"), util, 2), yAxisIndex: 1, tooltip: { valueFormatter: (v: number) => pct(v) } }],
    },
    table: {
      columns: [t("charts.month"), t("charts.capacity"), t("charts.contracted"), t("charts.sold"), t("charts.utilization")],
      rows: labels.map((l, i) => [l, available[i], contracted[i], sold[i], util[i]]),
      format: (v, c) => (c === 0 ? period(String(v)) : c === 4 ? pct(v as number) : num(v as number, 2)),
    },
  };
}

/** GPU clouds: contract backlog (revenue still to be billed) at each month end. */
export function gpuBacklog(result: ModelRunResult, unit: string): Built | null {
  const g = result.gpu;
  if (!g) return null;
  const labels = g.months.map((r) => r.period);
  const backlog = g.months.map((r) => r.backlog);
  const coverage = g.months.map((r) => r.backlogCoverage);
  return {
    option: {
      grid: grid(),
      legend: legend(),
      tooltip: tooltip(),
      xAxis: timeAxis(labels),
      yAxis: [valueAxis(unit), valueAxis(t("charts.backlogCoverage"), (v) => `${num(v, 1)}×`, { position: "right", splitLine: { show: false } })],
      series: [line(t("charts.backlog"), backlog, 0, { areaStyle: { opacity: 0.12 } }), { ...line(t("charts.backlogCoverage"), coverage, 1), yAxisIndex: 1, tooltip: { valueFormatter: (v: number) => `${num(v, 2)}×` } }],
    },
    table: {
      columns: [t("charts.month"), t("charts.backlog"), t("charts.backlogCoverage")],
      rows: labels.map((l, i) => [l, backlog[i], coverage[i]]),
      format: (v, c) => (c === 0 ? period(String(v)) : c === 2 ? (v === null ? "–" : `${num(v as number, 2)}×`) : amount(v as number)),
    },
  };
}

/** GPU clouds: revenue by customer by fiscal year and the largest customer's share. */
export function gpuConcentration(result: ModelRunResult, unit: string): Built | null {
  const g = result.gpu;
  if (!g) return null;
  const labels = g.years.map((r) => r.period);
  const customers = g.customers;
  const share = g.years.map((r) => r.largestCustomerShare);
  const series: unknown[] = customers.map((c, k) => ({ type: "bar", stack: "rev", name: c, data: g.years.map((r) => r.revenueByCustomer[c] ?? 0), itemStyle: { color: PALETTE[k % PALETTE.length], decal: k % 2 ? { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [2, 6], rotation: 0.8, color: "rgba(255,255,255,0.4)" } : undefined } }));
  series.push({ ...line(t("charts.largestShare"), share, 5, { showSymbol: true }), yAxisIndex: 1, tooltip: { valueFormatter: (v: number) => pct(v) } });
  return {
    option: {
      grid: grid(),
      legend: legend(),
      tooltip: { ...tooltip(), axisPointer: { type: "shadow" } },
      xAxis: { type: "category", data: labels, axisLabel: { formatter: (v: string) => period(v) } },
      yAxis: [valueAxis(unit), valueAxis(t("charts.share"), (v) => pct(v, 0), { min: 0, max: 1, position: "right", splitLine: { show: false } })],
      series,
    },
    table: {
      columns: [t("charts.year"), ...customers, t("charts.largestShare"), "HHI"],
      rows: g.years.map((r, i) => [r.period, ...customers.map((c) => r.revenueByCustomer[c] ?? 0), share[i], r.hhi]),
      format: (v, c) => (c === 0 ? period(String(v)) : c >= customers.length + 1 ? (v === null ? "–" : c === customers.length + 1 ? pct(v as number) : num(v as number, 3)) : amount(v as number)),
    },
  };
}

/** Several scenarios' month-end cash (or another item) on one chart. */
export function scenarioOverlay(results: { name: string; result: ModelRunResult }[], item: keyof PeriodRow, kind: "month" | "year", unit: string): Built {
  const first = results[0]?.result;
  const labels = first ? rowsFor(first, kind).map((r) => r.period) : [];
  return {
    option: {
      grid: grid(),
      legend: legend(),
      tooltip: tooltip(),
      xAxis: timeAxis(labels),
      yAxis: valueAxis(unit),
      series: results.map((r, k) => line(r.name, rowsFor(r.result, kind).map((row) => row[item] as number), k)),
    },
    table: {
      columns: [t("charts.period"), ...results.map((r) => r.name)],
      rows: labels.map((l, i) => [l, ...results.map((r) => rowsFor(r.result, kind)[i]?.[item] as number)]),
      format: (v, c) => (c === 0 ? period(String(v)) : amount(v as number)),
    },
  };
}
