import type { Command } from "commander";
import { readModel } from "../../node/loadFile.js";
import type { ModelRunResult } from "../../index.js";
import { runCommand } from "../../commands/run.js";
import type { RunResult, PeriodRow } from "../../engine/result.js";
import { STATEMENT_ITEMS, type StatementItem } from "../../engine/items.js";
import { UsageError } from "../../model/issues.js";
import { formatAmount, formatRatio, formatPercent, renderTable, toCsv, UNIT_WORD, type Column } from "../format.js";
import type { CliIO } from "../io.js";
import { choice } from "../options.js";

const PERIODS = ["month", "quarter", "year"] as const;
const FORMATS = ["table", "json", "csv"] as const;

export function emit(io: CliIO, text: string, out: string | undefined): void {
  if (out) io.writeFile(out, text);
  else io.out(text);
}

export function registerRun(program: Command, io: CliIO): void {
  program
    .command("run")
    .description("project a model: income statement, cash flow, balance sheet and metrics")
    .argument("<file>", "model file (.yaml or .json)")
    .option("-s, --scenario <name>", "apply a scenario defined in the model")
    .option("-p, --period <period>", "month | quarter | year (table and csv)", "year")
    .option("-f, --format <format>", "table | json | csv", "table")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action((file: string, options: { scenario?: string; period: string; format: string; out?: string }) => {
      const period = choice(options.period, PERIODS, "--period");
      const format = choice(options.format, FORMATS, "--format");
      const result = runCommand(readModel(file), { scenario: options.scenario });
      const text = format === "json" ? JSON.stringify(result, null, 2) + "\n" : format === "csv" ? runCsv(result, period) : runTable(result, period);
      emit(io, text, options.out);
    });
}

function rowsFor(result: RunResult, period: (typeof PERIODS)[number]): PeriodRow[] {
  return period === "month" ? result.months : period === "quarter" ? result.quarters : result.years;
}

const TABLE_SECTIONS: { title: string; items: StatementItem[] }[] = [
  { title: "Income statement", items: ["revenue", "costOfRevenue", "grossProfit", "operatingExpenses", "ebitda", "depreciation", "ebit", "grossInterest", "interestExpense", "interestIncome", "netInterestExpense", "otherIncome", "pretaxIncome", "taxes", "netIncome"] },
  { title: "Cash flow", items: ["operatingCashFlow", "capex", "freeCashFlow", "equityRaised", "debtDrawn", "debtRepaid", "revolverDrawn", "revolverRepaid", "financingFees", "netCashFlow"] },
  { title: "Balance sheet (period end)", items: ["endingCash", "receivables", "ppeNet", "totalAssets", "debt", "revolverBalance", "unamortizedFees", "payables", "totalLiabilities", "paidInCapital", "retainedEarnings", "equity"] },
];
/** Rows shown only when the model uses the mechanism (any period non-zero). */
const OPTIONAL_ROWS: { items: StatementItem[]; when: StatementItem[] }[] = [
  { items: ["grossInterest"], when: ["capitalizedInterest" as StatementItem] },
  { items: ["interestIncome", "netInterestExpense"], when: ["interestIncome"] },
  { items: ["revolverDrawn", "revolverRepaid", "revolverBalance"], when: ["revolverDrawn", "revolverBalance"] },
];
const LABEL = Object.fromEntries(STATEMENT_ITEMS.map((i) => [i[0], i[2]])) as Record<StatementItem, string>;

export function unitLabel(result: { currency: string; unit: string }): string {
  const word = UNIT_WORD[result.unit];
  return word ? `${result.currency} ${word}` : result.currency;
}

export function runTable(result: ModelRunResult, period: (typeof PERIODS)[number]): string {
  const rows = rowsFor(result, period);
  const out: string[] = [];
  out.push(`${result.model} — ${unitLabel(result)}${result.scenario ? ` — scenario: ${result.scenario}` : ""}`);
  out.push("");
  const columns: Column[] = [{ header: "", align: "left" }, ...rows.map((r) => ({ header: r.period }))];
  const body: (string[] | null)[] = [];
  const hidden = new Set<StatementItem>();
  for (const rule of OPTIONAL_ROWS) {
    const used = rule.when.some((w) => w in (rows[0] ?? {}) && rows.some((r) => Math.abs(r[w]) > 1e-12));
    if (!used) for (const item of rule.items) hidden.add(item);
  }
  for (const section of TABLE_SECTIONS) {
    body.push([section.title, ...rows.map(() => "")]);
    for (const item of section.items) {
      if (hidden.has(item)) continue;
      body.push([`  ${LABEL[item]}`, ...rows.map((r) => formatAmount(r[item]))]);
      if (item === "operatingExpenses") {
        const categories = Object.keys(rows[0]?.operatingExpensesByCategory ?? {});
        if (categories.length > 1) for (const k of categories) body.push([`    ${k}`, ...rows.map((r) => formatAmount(r.operatingExpensesByCategory[k]))]);
      }
    }
  }
  body.push(["DSCR", ...rows.map((r) => formatRatio(r.dscr))]);
  out.push(renderTable(columns, body));
  out.push("");
  if (result.gpu) {
    out.push(gpuBlock(result, period));
    out.push("");
  }
  out.push(metricsBlock(result));
  out.push(`Checks: balance sheet balances every month (largest gap ${result.checks.maxImbalance.toExponential(1)}); cash flow ties to cash.`);
  return out.join("\n") + "\n";
}

export function metricsBlock(result: RunResult): string {
  const m = result.metrics;
  const unit = unitLabel(result);
  const lines: [string, string][] = [
    ["Cash runs out", m.cashOut ?? "not within the horizon"],
    ["Runway", m.runwayBeyondHorizon ? `${m.runwayMonths} months or more (whole horizon)` : `${m.runwayMonths} months`],
    ["Minimum cash", `${formatAmount(m.minCash)} ${unit} in ${m.minCashPeriod}`],
    ["Funding gap", `${formatAmount(m.fundingGap)} ${unit} (extra opening cash to stay above the floor)`],
    ["Breakeven (net income ≥ 0 from then on)", m.breakeven ?? "not within the horizon"],
    ["First month of positive free cash flow", m.firstPositiveFreeCashFlow ?? "none"],
    ["Cumulative burn", `${formatAmount(m.cumulativeBurn)} ${unit}`],
    ["Minimum DSCR", m.minDscr === null ? "no debt service" : `${formatRatio(m.minDscr)} in ${m.minDscrPeriod}`],
    ["Interest coverage (min, LTM)", formatRatio(m.interestCoverage)],
    ["Net debt / EBITDA (end, LTM)", m.netDebtToEbitda === null ? "– (EBITDA not positive)" : formatRatio(m.netDebtToEbitda)],
    ["Covenant breaches", m.covenantBreaches.length === 0 ? "none" : summarizeBreaches(m.covenantBreaches)],
  ];
  for (const r of m.equityRounds) {
    lines.push([
      `Equity round ${r.name}`,
      `${formatAmount(r.amount)} in ${r.period}${r.postMoney !== null ? `; post-money ${formatAmount(r.postMoney)}, dilution ${formatPercent(r.dilution)}${r.valuationToAnnualizedRevenue !== null ? `, ${formatRatio(r.valuationToAnnualizedRevenue, 1)}× annualized revenue` : ""}` : ""}`,
    ]);
  }
  const width = Math.max(...lines.map(([k]) => k.length));
  return ["Metrics", ...lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join("\n");
}

function summarizeBreaches(breaches: RunResult["metrics"]["covenantBreaches"]): string {
  const byCovenant = new Map<string, typeof breaches>();
  for (const b of breaches) byCovenant.set(b.covenant, [...(byCovenant.get(b.covenant) ?? []), b]);
  return [...byCovenant.entries()]
    .map(([name, list]) => `${name} (${list[0].metric} ${list[0].bound} ${list[0].limit}): ${list.length} test${list.length === 1 ? "" : "s"} failed, first ${list[0].period}${list[0].value === null ? " (EBITDA not positive)" : ` at ${formatRatio(list[0].value)}`}`)
    .join("; ");
}

export function runCsv(result: RunResult, period: (typeof PERIODS)[number]): string {
  const rows = rowsFor(result, period);
  const items = STATEMENT_ITEMS.map((i) => i[0]);
  return toCsv(["period", ...items, "dscr"], rows.map((r) => [r.period, ...items.map((i) => r[i]), r.dscr]));
}

/** GPU-cloud detail: hours, utilization, revenue split, concentration and backlog. */
function gpuBlock(result: ModelRunResult, period: (typeof PERIODS)[number]): string {
  const gpu = result.gpu!;
  const rows = period === "month" ? gpu.months : gpu.years;
  const columns: Column[] = [{ header: `GPU cloud${period === "quarter" ? " (fiscal years)" : ""}`, align: "left" }, ...rows.map((r) => ({ header: r.period }))];
  const millions = (x: number) => formatAmount(x / 1e6, 1);
  const body: string[][] = [
    ["  GPU-hours available (millions)", ...rows.map((r) => millions(r.availableHours))],
    ["  GPU-hours sold (millions)", ...rows.map((r) => millions(r.soldHours))],
    ["  Utilization", ...rows.map((r) => formatPercent(r.utilization))],
    ["  Contract revenue", ...rows.map((r) => formatAmount(r.contractRevenue))],
    ["  Spot revenue", ...rows.map((r) => formatAmount(r.spotRevenue))],
    ["  Largest customer's share", ...rows.map((r) => (r.largestCustomerShare === null ? "–" : `${formatPercent(r.largestCustomerShare, 0)} ${r.largestCustomer ?? ""}`.trim()))],
    ["  Concentration (HHI)", ...rows.map((r) => formatRatio(r.hhi))],
    ["  Backlog (period end)", ...rows.map((r) => formatAmount(r.backlog))],
    ["  Backlog ÷ fleet book value", ...rows.map((r) => formatRatio(r.backlogCoverage))],
  ];
  return renderTable(columns, body);
}
