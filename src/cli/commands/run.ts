import type { Command } from "commander";
import type { ModelRunResult } from "../../projectModel.js";
import type { RunResult, PeriodRow } from "../../engine/result.js";
import { STATEMENT_ITEMS, type StatementItem } from "../../engine/items.js";
import { UsageError } from "../../model/issues.js";
import { formatAmount, formatRatio, formatPercent, renderTable, transposeTable, UNIT_WORD, type Column, NOT_WITHIN_HORIZON } from "../format.js";
import { loadCsv, type CsvModule } from "../csv.js";
import { fiscalPeriodOf } from "../../model/months.js";
import type { CliIO } from "../io.js";
import { terminalSafe } from "../../model/text.js";
import { choice, parseWhole } from "../options.js";
import type { Caveat } from "../../caveats/index.js";
import { currentTableWidth } from "../format.js";

const PERIODS = ["month", "quarter", "year"] as const;
const FORMATS = ["table", "json", "csv"] as const;

/** Writes a command's output: control characters from the model escaped (text.ts). */
export function emit(io: CliIO, text: string, out: string | undefined): void {
  const safe = terminalSafe(text);
  if (out) io.writeFile(out, safe);
  else io.out(safe);
}

export function registerRun(program: Command, io: CliIO): void {
  program
    .command("run")
    .description("project a model: income statement, cash flow, balance sheet and metrics")
    .argument("<file>", "model file (.yaml or .json)")
    .option("-s, --scenario <name>", "apply a scenario defined in the model")
    .option("-p, --period <period>", "month | quarter | year (table and csv)", "year")
    .option("-f, --format <format>", "table | json | csv", "table")
    .option("--transpose", "table: periods as rows, line items as columns")
    .option("--lines <items>", "table and csv: only these line items, e.g. revenue,netIncome,endingCash (names as in --format json)")
    .option("--section <section>", "table: only income | cash | balance | metrics")
    .option("--from <period>", "table and csv: first period shown (YYYY-MM or YYYY)")
    .option("--to <period>", "table and csv: last period shown (YYYY-MM or YYYY)")
    .option("--precision <digits>", "csv: decimals kept (default 6), or full", "6")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action(async (file: string, options: { scenario?: string; period: string; format: string; out?: string; transpose?: boolean; lines?: string; section?: string; from?: string; to?: string; precision: string }) => {
      const [{ readModel }, { runCommand }, { didYouMean }] = await Promise.all([import("../../node/loadFile.js"), import("../../commands/run.js"), import("../../model/suggest.js")]);
      const period = choice(options.period, PERIODS, "--period");
      const format = choice(options.format, FORMATS, "--format");
      const view = parseRunView(options, didYouMean);
      const result = runCommand(readModel(file), { scenario: options.scenario });
      const text = format === "json" ? JSON.stringify(result, null, 2) + "\n" : format === "csv" ? runCsv(await loadCsv(), result, period, view, parsePrecision(options.precision)) : runTable(result, period, view);
      emit(io, text, options.out);
    });
}

/** What part of a run to show: line items, one section, a window of periods, periods as rows. */
export interface RunView {
  lines: StatementItem[] | null;
  section: "income" | "cash" | "balance" | "metrics" | null;
  from: string | null;
  to: string | null;
  transpose: boolean;
}

const ITEM_SET = new Set<string>(STATEMENT_ITEMS.map((i) => i[0]));

/** `suggest` gives a "did you mean" for a misspelt line item (loaded by the action: start-up stays light). */
export function parseRunView(options: { lines?: string; section?: string; from?: string; to?: string; transpose?: boolean }, suggest: (name: string, known: Iterable<string>) => string | undefined = () => undefined): RunView {
  let lines: StatementItem[] | null = null;
  if (options.lines !== undefined) {
    const names = options.lines.split(",").map((x) => x.trim()).filter((x) => x !== "");
    const unknown = names.filter((n) => !ITEM_SET.has(n) && n !== "dscr");
    if (unknown.length > 0 || names.length === 0) {
      const hint = unknown.map((u) => suggest(u, [...ITEM_SET, "dscr"])).find((x) => x);
      throw new UsageError("bad_option", `--lines: unknown line item${unknown.length === 1 ? "" : "s"} ${unknown.join(", ")}${hint ? ` — did you mean "${hint}"?` : ""}; names are those of --format json: ${STATEMENT_ITEMS.map((i) => i[0]).join(", ")}, dscr`);
    }
    lines = names as StatementItem[];
  }
  const section = options.section !== undefined ? choice(options.section, ["income", "cash", "balance", "metrics"] as const, "--section") : null;
  const bound = (text: string | undefined, option: string, end: boolean): string | null => {
    if (text === undefined) return null;
    if (/^\d{4}$/.test(text)) return `${text}-${end ? "12" : "01"}`;
    if (/^\d{4}-(0[1-9]|1[0-2])$/.test(text)) return text;
    throw new UsageError("bad_option", `${option} takes a month YYYY-MM or a year YYYY (got "${text}")`);
  };
  const from = bound(options.from, "--from", false);
  const to = bound(options.to, "--to", true);
  if (from && to && from > to) throw new UsageError("bad_option", `--from ${options.from} is after --to ${options.to}`);
  return { lines, section, from, to, transpose: Boolean(options.transpose) };
}

export function parsePrecision(text: string): number | "full" {
  if (text === "full") return "full";
  const n = parseWhole(text, "--precision");
  if (n < 0 || n > 15) throw new UsageError("bad_option", `--precision takes 0 to 15 decimals, or full (got "${text}")`);
  return n;
}

const NO_VIEW: RunView = { lines: null, section: null, from: null, to: null, transpose: false };

/** The period rows a view keeps: those with at least one month inside [from, to]. */
function rowsFor(result: RunResult, period: (typeof PERIODS)[number], view: RunView = NO_VIEW): PeriodRow[] {
  const rows = period === "month" ? result.months : period === "quarter" ? result.quarters : result.years;
  if (!view.from && !view.to) return rows;
  const keep = new Set(result.months.filter((m) => (!view.from || m.period >= view.from) && (!view.to || m.period <= view.to)).map((m) => fiscalPeriodOf(m.period, period, result.fiscalYearStart)));
  if (keep.size === 0) throw new UsageError("bad_option", `no ${period} of the horizon (${result.months[0].period} to ${result.months[result.months.length - 1].period}) lies within --from/--to`);
  return rows.filter((r) => keep.has(r.period));
}

const TABLE_SECTIONS: { key: RunView["section"]; title: string; items: StatementItem[] }[] = [
  { key: "income", title: "Income statement", items: ["revenue", "costOfRevenue", "grossProfit", "operatingExpenses", "ebitda", "depreciation", "ebit", "grossInterest", "interestExpense", "interestIncome", "netInterestExpense", "otherIncome", "pretaxIncome", "taxes", "netIncome"] },
  { key: "cash", title: "Cash flow", items: ["operatingCashFlow", "capex", "freeCashFlow", "equityRaised", "debtDrawn", "debtRepaid", "revolverDrawn", "revolverRepaid", "financingFees", "netCashFlow"] },
  { key: "balance", title: "Balance sheet (period end)", items: ["endingCash", "receivables", "ppeNet", "totalAssets", "debt", "revolverBalance", "unamortizedFees", "payables", "totalLiabilities", "paidInCapital", "retainedEarnings", "equity"] },
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

export function runTable(result: ModelRunResult, period: (typeof PERIODS)[number], view: RunView = NO_VIEW): string {
  const rows = rowsFor(result, period, view);
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
  const caveats = result.caveats ?? [];
  const sections = TABLE_SECTIONS.filter((s) => view.section === null || s.key === view.section);
  for (const section of sections) {
    const items = section.items.filter((item) => !hidden.has(item) && (view.lines === null || view.lines.includes(item)));
    if (items.length === 0) continue;
    if (view.lines === null) body.push([section.title, ...rows.map(() => "")]);
    for (const item of section.items) {
      if (!items.includes(item)) continue;
      body.push([`  ${LABEL[item]}${caveatMarks(caveats, item)}`, ...rows.map((r) => formatAmount(r[item]))]);
      if (item === "operatingExpenses") {
        const categories = Object.keys(rows[0]?.operatingExpensesByCategory ?? {});
        if (categories.length > 1 && view.lines === null) for (const k of categories) body.push([`    ${k}`, ...rows.map((r) => formatAmount(r.operatingExpensesByCategory[k]))]);
      }
    }
  }
  if ((view.lines === null && view.section === null) || view.lines?.includes("dscr" as StatementItem)) body.push(["DSCR", ...rows.map((r) => formatDscr(r.dscr))]);
  if (body.length > 0) {
    if (view.transpose) {
      const t = transposeTable(columns, body, period === "month" ? "Month" : period === "quarter" ? "Quarter" : "Year");
      out.push(renderTable(t.columns, t.rows));
    } else out.push(renderTable(columns, body));
    if (body.some((r) => r?.[0] === "DSCR") && rows.some((r) => r.dscr !== null && r.dscr < 0)) out.push(NEGATIVE_DSCR_NOTE);
    out.push("");
  }
  const whole = view.lines === null && view.section === null && !view.from && !view.to;
  if (result.gpu && whole) {
    out.push(gpuBlock(result, period));
    out.push("");
  }
  if (whole || view.section === "metrics") {
    out.push(metricsBlock(result, caveats));
    out.push(`Checks: balance sheet balances every month (largest gap ${result.checks.maxImbalance.toExponential(1)}); cash flow ties to cash.`);
    if (caveats.length) {
      out.push("");
      out.push(caveatsBlock(caveats));
    }
  } else {
    if (view.from || view.to) out.push(`Periods ${rows[0].period} to ${rows[rows.length - 1].period} of ${result.months[0].period} to ${result.months[result.months.length - 1].period}; metrics cover the whole horizon (run without --from/--to to see them).`);
    // The marks [n] in the table refer to the model's caveats.
    if (caveats.length && /\[\d/.test(out.join("\n"))) {
      out.push("");
      out.push(caveatsBlock(caveats));
    }
  }
  return out.join("\n").replace(/\n+$/, "") + "\n";
}

/** " [1,3]": the numbers of the caveats (in the run's list) that qualify a figure. */
export function caveatMarks(caveats: Caveat[], figure: string): string {
  const n = caveats.map((c, i) => (c.metrics.includes(figure) || c.lines.includes(figure) ? i + 1 : 0)).filter((i) => i > 0);
  return n.length ? ` [${n.join(",")}]` : "";
}

/** The caveats, numbered as the marks in the tables refer to them. */
export function caveatsBlock(caveats: Caveat[], title = "Caveats"): string {
  const lines = [title];
  const width = currentTableWidth();
  caveats.forEach((c, i) => {
    const about = [...c.metrics, ...c.lines.filter((l) => !c.metrics.includes(l)), ...c.covenants.map((k) => `covenant ${k}`)];
    const scope = [about.length ? about.join(", ") : "", c.periods.length ? `in ${c.periods.join(", ")}` : ""].filter(Boolean).join(" ");
    lines.push(...wrapText(`  [${i + 1}] ${c.id}${scope ? ` (${scope})` : ""}: ${c.text}`, width, "      "));
    lines.push(...wrapText(`      ${c.source ? `source: ${c.source}` : `assumption: ${c.assumption}`}`, width, "      "));
  });
  return lines.join("\n");
}

/** Breaks a line at spaces so that no line is wider than `width` (null: no limit); continuation lines start with `indent`. */
export function wrapText(text: string, width: number | null, indent: string): string[] {
  if (width === null || [...text].length <= width) return [text];
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/(?<=\S) (?=\S)/)) {
    const candidate = line === "" ? word : `${line} ${word}`;
    if ([...candidate].length > width && line.trim() !== "") {
      out.push(line);
      line = `${indent}${word.trimStart()}`;
    } else line = candidate;
  }
  if (line !== "") out.push(line);
  return out;
}

/** DSCR in a table: n/a without debt service; a negative value (EBITDA less taxes below zero) marked †. */
export function formatDscr(value: number | null): string {
  if (value === null || Number.isNaN(value)) return "n/a";
  return value < 0 ? `${formatRatio(value)}†` : formatRatio(value);
}

export const NEGATIVE_DSCR_NOTE = "† EBITDA less taxes is negative: operations cover none of the debt service; the ratio shows the shortfall, not coverage. n/a: no debt service.";

export function metricsBlock(result: RunResult, caveats: Caveat[] = []): string {
  const m = result.metrics;
  const unit = unitLabel(result);
  const mark = (metric: string) => caveatMarks(caveats, metric);
  const lines: [string, string][] = [
    [`Cash runs out${mark("cashOut")}`, m.cashOut ?? NOT_WITHIN_HORIZON],
    [`Runway${mark("runwayMonths")}`, m.runwayBeyondHorizon ? `${m.runwayMonths} months or more (whole horizon)` : `${m.runwayMonths} months`],
    [`Minimum cash${mark("minCash")}`, `${formatAmount(m.minCash)} ${unit} in ${m.minCashPeriod}`],
    [`Funding gap${mark("fundingGap")}`, `${formatAmount(m.fundingGap)} ${unit} (extra opening cash to stay above the floor)`],
    [`Breakeven (net income ≥ 0 from then on)${mark("breakeven")}`, m.breakeven ?? NOT_WITHIN_HORIZON],
    [`First month of positive free cash flow${mark("firstPositiveFreeCashFlow")}`, m.firstPositiveFreeCashFlow ?? NOT_WITHIN_HORIZON],
    [`Cumulative burn${mark("cumulativeBurn")}`, `${formatAmount(m.cumulativeBurn)} ${unit}`],
    [`Minimum DSCR${mark("minDscr")}`, m.minDscr === null ? "n/a (no debt service)" : `${formatRatio(m.minDscr)} in ${m.minDscrPeriod}${m.minDscrFlag === "negativeEbitda" ? " — EBITDA less taxes negative: operations cover none of the debt service" : ""}`],
    [`Interest coverage (min, LTM)${mark("interestCoverage")}`, m.interestCoverage === null ? "n/a (no interest paid)" : `${formatRatio(m.interestCoverage)}${m.interestCoverageFlag === "negativeEbitda" ? " — EBITDA negative" : ""}`],
    [`Net debt / EBITDA (end, LTM)${mark("netDebtToEbitda")}`, m.netDebtToEbitda === null ? "– (EBITDA not positive)" : formatRatio(m.netDebtToEbitda)],
    [`Covenant breaches${mark("covenantBreaches")}`, m.covenantBreaches.length === 0 ? "none" : summarizeBreaches(m.covenantBreaches)],
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
    .map(([name, list]) => `${name} (${list[0].metric} ${list[0].bound} ${list[0].limit}${(list[0] as { assumedLevel?: boolean }).assumedLevel ? ", assumed level" : ""}): ${list.length} test${list.length === 1 ? "" : "s"} failed, first ${list[0].period}${list[0].value === null ? " (EBITDA not positive)" : ` at ${formatRatio(list[0].value)}`}`)
    .join("; ");
}

/** Statements by period as CSV: numbers rounded to `precision` decimals (no float noise), or exact with "full". */
export function runCsv(csv: CsvModule, result: RunResult, period: (typeof PERIODS)[number], view: RunView = NO_VIEW, precision: number | "full" = 6): string {
  const rows = rowsFor(result, period, view);
  const all = STATEMENT_ITEMS.map((i) => i[0]);
  const items = view.lines ? all.filter((i) => view.lines!.includes(i)) : all;
  const dscr = view.lines === null || view.lines.includes("dscr" as StatementItem);
  return csv.toCsvText(["period", ...items, ...(dscr ? ["dscr"] : [])], rows.map((r) => [r.period, ...items.map((i) => r[i]), ...(dscr ? [r.dscr] : [])]), precision);
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
