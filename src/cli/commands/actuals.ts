import type { Command } from "commander";
import type { ActualsReport, ForwardMetrics } from "../../actuals/index.js";
import type { ActualsOutput } from "../../commands/actuals.js";
import { UsageError } from "../../model/issues.js";
import { printNotice } from "../notices.js";
import { formatAmount, formatPercent, renderTable, toCsv, type Column } from "../format.js";
import { EXIT_OK } from "../errors.js";
import type { CliIO } from "../io.js";
import { emit, unitLabel, caveatsBlock } from "./run.js";
import { choice, parseRate } from "../options.js";

const FORMATS = ["table", "json", "csv"] as const;

export function registerActuals(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("actuals")
    .description("compare reported figures with the plan (variance, flags, what the miss does to the forward metrics); --reforecast rolls the plan forward from them")
    .argument("<file>", "model file (.yaml or .json)")
    .option("-a, --actuals <path>", "reported figures: YAML/JSON ({actuals: [...]}) or CSV (metric,period,value,source,…); default: the model's own `actuals:` section")
    .option("-s, --scenario <name>", "compare with a scenario of the model instead of the base case")
    .option("-t, --threshold <rate>", "flag figures further than this from plan, as a fraction or percentage (default 0.10, or the file's threshold)")
    .option("-r, --reforecast", "roll the model forward from the last reported period: reported balances (cash, debt) at that month, the rest of the plan unchanged")
    .option("-f, --format <format>", "table | json | csv", "table")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action(async (file: string, options: { actuals?: string; scenario?: string; threshold?: string; reforecast?: boolean; format: string; out?: string }) => {
      const [{ readModel, readModelText }, { actualsReport, actualsOutput }, { loadRegisterFor }] = await Promise.all([import("../../node/loadFile.js"), import("../../commands/actuals.js"), import("../../node/loadRegister.js")]);
      const format = choice(options.format, FORMATS, "--format");
      const threshold = options.threshold === undefined ? undefined : parseRate(options.threshold, "--threshold");
      if (threshold !== undefined && threshold < 0) throw new UsageError("bad_option", `--threshold must be ≥ 0 (got "${options.threshold}")`);
      const actuals = options.actuals === undefined ? undefined : { text: readModelText(options.actuals), file: options.actuals };
      const { report, sources } = actualsReport(readModel(file), { scenario: options.scenario, actuals, threshold, reforecast: Boolean(options.reforecast) }, { register: loadRegisterFor, onNotice: printNotice(io) });
      const text = format === "json" ? JSON.stringify(actualsOutput(report, sources), null, 2) + "\n" : format === "csv" ? actualsCsv(report) : actualsTable(report, sources);
      emit(io, text, options.out);
      setExit(EXIT_OK);
    });
}

function signedAmount(v: number | null): string {
  if (v === null) return "–";
  const t = formatAmount(Math.abs(v));
  return /[1-9]/.test(t) ? (v > 0 ? `+${t}` : `−${t}`) : t;
}

function signedPercent(v: number | null): string {
  if (v === null) return "–";
  const t = formatPercent(Math.abs(v));
  return /[1-9]/.test(t) ? (v > 0 ? `+${t}` : `−${t}`) : t;
}

const FORWARD_ROWS: [keyof ForwardMetrics, string][] = [
  ["cashOut", "Cash runs out"],
  ["runwayMonths", "Runway (months from the cut)"],
  ["minCash", "Minimum cash"],
  ["fundingGap", "Funding gap (cash needed at the cut)"],
  ["breakeven", "Breakeven (net income ≥ 0 from then on)"],
  ["firstPositiveFreeCashFlow", "First month of positive free cash flow"],
  ["covenantBreaches", "Covenant tests failed"],
  ["endingCash", "Cash at the horizon's end"],
];

function forwardCell(m: ForwardMetrics | null, key: keyof ForwardMetrics): string {
  if (!m) return "–";
  switch (key) {
    case "cashOut":
      return m.cashOut ?? "not in horizon";
    case "runwayMonths":
      return m.runwayBeyondHorizon ? `${m.runwayMonths}+` : String(m.runwayMonths);
    case "minCash":
      return `${formatAmount(m.minCash)} (${m.minCashPeriod})`;
    case "fundingGap":
    case "endingCash":
      return formatAmount(m[key]);
    case "breakeven":
    case "firstPositiveFreeCashFlow":
      return m[key] ?? "not in horizon";
    case "covenantBreaches":
      return String(m.covenantBreaches);
    default:
      return String(m[key]);
  }
}

export function actualsTable(report: ActualsReport, used: ActualsOutput["sources"]): string {
  const out: string[] = [];
  out.push(`${report.model} — actuals against the plan (${report.scenario ? `scenario: ${report.scenario}` : "base case"}) — amounts in ${unitLabel(report)}`);
  out.push(`Actuals: ${report.origin}; flagged (⚑) when more than ${formatPercent(report.threshold, 0)} from plan.`);
  out.push("");
  const number = new Map(report.caveats.map((c, i) => [c.id, i + 1]));
  const columns: Column[] = [
    { header: "Figure", align: "left" },
    { header: "Metric", align: "left" },
    { header: "Period", align: "left" },
    { header: "Actual" },
    { header: "Plan" },
    { header: "Variance" },
    { header: "Var %" },
    { header: "", align: "left" },
    { header: "Reading", align: "left" },
    { header: "Source", align: "left" },
  ];
  const rows = report.rows.map((r) => {
    const n = r.caveats.map((id) => number.get(id)).filter((x): x is number => x !== undefined);
    return [
      r.name + (n.length ? ` [${n.join(",")}]` : ""),
      r.metric,
      r.period,
      formatAmount(r.actual, r.metric.endsWith("Margin") ? 3 : 1),
      formatAmount(r.plan, r.metric.endsWith("Margin") ? 3 : 1),
      signedAmount(r.variance),
      signedPercent(r.variancePct),
      r.flagged ? "⚑" : "",
      r.reading ?? "",
      r.ids.length ? r.ids.join(", ") : (r.source ?? ""),
    ];
  });
  out.push(renderTable(columns, rows));
  out.push("");
  out.push(`${report.rows.length} figure${report.rows.length === 1 ? "" : "s"}, ${report.flagged} flagged. Last reported month ${report.lastReported}; the forward metrics below run from the month after.`);
  const cash = report.cash;
  out.push(`Cash at ${report.lastReported}: ${cash.variance === null ? "no reported figure" : `${signedAmount(cash.variance)} against the plan`} — ${cash.explanation}.`);
  out.push("");
  const fColumns: Column[] = [{ header: `From ${report.forward.plan.from}`, align: "left" }, { header: "Plan" }, { header: "Plan + cash variance" }];
  if (report.reforecast) fColumns.push({ header: "Reforecast" });
  out.push(
    renderTable(
      fColumns,
      FORWARD_ROWS.map(([key, label]) => [
        label,
        forwardCell(report.forward.plan, key),
        forwardCell(report.forward.withCashVariance, key),
        ...(report.reforecast ? [forwardCell(report.reforecast.metrics, key)] : []),
      ]),
    ),
  );
  if (report.reforecast) {
    out.push("");
    out.push("Reforecast: the plan's flows from the cut on, from the reported balances:");
    for (const a of report.reforecast.adjustments) out.push(`  ${a.item}: plan ${formatAmount(a.plan)}, reported ${formatAmount(a.actual)} — ${a.how}`);
    out.push("");
    out.push(renderTable([{ header: "Cash", align: "left" }, { header: "Plan" }, { header: "Reforecast" }], report.reforecast.cash.map((c) => [c.period, formatAmount(c.plan), formatAmount(c.reforecast)])));
  }
  const noted = report.rows.filter((r) => r.note || r.measure || r.derivation);
  if (noted.length) {
    out.push("");
    out.push("Notes");
    for (const r of noted) {
      const parts = [r.measure ? `measure: ${r.measure}` : "", r.derivation ? `derived: ${r.derivation}` : "", r.note ?? ""].filter(Boolean);
      out.push(`  ${r.name}: ${parts.join("; ")}`);
    }
  }
  const unregistered = report.rows.filter((r) => r.ids.length === 0 && r.source);
  if (used.length || unregistered.length) {
    out.push("");
    out.push("Sources");
    for (const s of used) out.push(`  [${s.id}] ${s.address} (${s.confidence})`);
    for (const r of unregistered) out.push(`  ${r.name}: ${r.source}${r.address ? `, ${r.address}` : ""}${r.published ? `, ${r.published}` : ""}`);
  }
  if (report.caveats.length) {
    out.push("");
    out.push(caveatsBlock(report.caveats));
  }
  return out.join("\n") + "\n";
}

/** Long form: one row per reported figure, then one per forward metric. */
export function actualsCsv(report: ActualsReport): string {
  const rows: (string | number | null)[][] = report.rows.map((r) => ["actual", r.name, r.metric, r.period, r.actual, r.plan, r.variance, r.variancePct, r.flagged ? "true" : "false", r.reading, r.ids.join(" ") || r.source, null]);
  for (const [key] of FORWARD_ROWS) {
    const val = (m: ForwardMetrics | null) => (m ? (m[key] as string | number | null) : null);
    rows.push(["forward", key, null, report.forward.plan.from, val(report.reforecast?.metrics ?? report.forward.withCashVariance), val(report.forward.plan), null, null, null, null, null, report.reforecast ? "reforecast" : "plan + cash variance"]);
  }
  return toCsv(["kind", "name", "metric", "period", "actual", "plan", "variance", "variance_pct", "flagged", "reading", "source", "basis"], rows);
}
