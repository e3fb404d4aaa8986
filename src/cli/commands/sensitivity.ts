import type { Command } from "commander";
import { UsageError } from "../../model/issues.js";
import type { MetricValueKind } from "../../uncertainty/metricSelector.js";
import type { SensitivityReport, MetricJson } from "../../uncertainty/sensitivity.js";
import { DEFAULT_GLOBAL_PATHS, DEFAULT_SEED } from "../../uncertainty/defaults.js";
import { DEFAULT_SENSITIVITY_METRIC } from "../../commands/defaults.js";
import { printNotice } from "../notices.js";
import { formatAmount, formatWhole, formatRatio, renderTable, toCsv, type Column, NOT_WITHIN_HORIZON } from "../format.js";
import { loadCsv, type CsvModule, type CsvValue } from "../csv.js";
import type { CliIO } from "../io.js";
import { emit, unitLabel, parsePrecision } from "./run.js";
import { choice, parseWhole } from "../options.js";

const FORMATS = ["table", "json", "csv"] as const;

/** "p10,p90" → [0.1, 0.9]. */
export function parseQuantilePair(text: string): [number, number] {
  const parts = text.split(",").map((s) => s.trim());
  const q = parts.map((p) => (/^p\d+(\.\d+)?$/i.test(p) ? Number(p.slice(1)) / 100 : NaN));
  if (parts.length !== 2 || q.some((v) => !Number.isFinite(v))) throw new UsageError("bad_quantile", `--at takes two quantiles such as p10,p90 or p5,p95 (got "${text}")`);
  return [q[0], q[1]];
}

export function registerSensitivity(program: Command, io: CliIO): void {
  program
    .command("sensitivity")
    .description("which uncertain inputs move a metric most: tornado, spider and (with --global) Monte Carlo rank correlations")
    .argument("<file>", "model file (.yaml or .json) with an `uncertain:` section")
    .option("-m, --metric <metric>", "runwayMonths, minCash, fundingGap, cashOut, breakeven, … or a line item in a period: revenue@2027, netIncome@2026-Q3, endingCash@2026-06", DEFAULT_SENSITIVITY_METRIC)
    .option("--at <quantiles>", "the two quantiles each input is swung between in the tornado", "p10,p90")
    .option("-s, --scenario <name>", "apply a scenario defined in the model")
    .option("--global", `also rank inputs by Spearman correlation over a Monte Carlo run (-n paths; default ${formatWhole(DEFAULT_GLOBAL_PATHS)})`)
    .option("-n, --paths <n>", `Monte Carlo paths for --global (default ${formatWhole(DEFAULT_GLOBAL_PATHS)}; giving it turns --global on)`)
    .option("--seed <seed>", `random seed for --global (default ${DEFAULT_SEED}; giving it turns --global on)`)
    .option("--lhs", "Latin hypercube sampling instead of plain Monte Carlo (for --global)")
    .option("-f, --format <format>", "table | json | csv", "table")
    .option("--precision <digits>", "csv: decimals kept (default 6), or full", "6")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action(async (file: string, options: { metric: string; at: string; scenario?: string; global?: boolean; paths?: string; seed?: string; lhs?: boolean; format: string; precision: string; out?: string }) => {
      const [{ readModel }, { sensitivityCommand }] = await Promise.all([import("../../node/loadFile.js"), import("../../commands/sensitivity.js")]);
      const format = choice(options.format, FORMATS, "--format");
      const at = parseQuantilePair(options.at);
      const paths = options.paths !== undefined ? parseWhole(options.paths, "-n") : undefined;
      const seed = options.seed !== undefined ? parseWhole(options.seed, "--seed") : undefined;
      const report = sensitivityCommand(
        readModel(file),
        { metric: options.metric, at, scenario: options.scenario, global: options.global, paths, seed, lhs: options.lhs },
        { onNotice: printNotice(io) },
      );
      const text = format === "json" ? JSON.stringify(report, null, 2) + "\n" : format === "csv" ? sensitivityCsv(report, await loadCsv(), parsePrecision(options.precision)) : sensitivityTable(report);
      emit(io, text, options.out);
    });
}

export function formatMetric(kind: MetricValueKind, v: MetricJson): string {
  if (v === null) return kind === "month" ? NOT_WITHIN_HORIZON : "–";
  if (typeof v === "string") return v;
  if (kind === "ratio") return formatRatio(v);
  if (kind === "count") return Number.isInteger(v) ? String(v) : formatAmount(v, 1);
  return formatAmount(v);
}

function formatSwing(kind: MetricValueKind, v: number | null): string {
  if (v === null) return "–";
  if (kind === "month") return `${v} month${v === 1 ? "" : "s"}`;
  return formatMetric(kind, v);
}

/** An input's value: inputs range from rates (0.04) to unit costs (50,000). */
export function formatInput(v: number | string): string {
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  const sign = v < 0 ? "-" : "";
  if (a >= 1000) return sign + a.toLocaleString("en-US", { maximumFractionDigits: 0 });
  if (a >= 1) return sign + a.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  if (a === 0) return "0";
  return sign + String(Number(a.toPrecision(3)));
}

const pct = (q: number) => `p${Number((q * 100).toFixed(4))}`;

function bar(value: number, max: number, width = 20): string {
  if (!(max > 0) || !(value > 0)) return "";
  return "█".repeat(Math.round((value / max) * width));
}

export function sensitivityTable(r: SensitivityReport): string {
  const kind = r.metric.kind;
  const out: string[] = [];
  const unit = kind === "amount" ? ` — ${unitLabel(r)}` : kind === "month" ? " — month" : kind === "ratio" ? " — ratio" : "";
  out.push(`Sensitivity of ${r.metric.text}: ${r.metric.label}${unit}`);
  out.push(`${r.model}${r.scenario ? ` — scenario: ${r.scenario}` : ""}`);
  out.push(`  Every uncertain input at its median: ${formatMetric(kind, r.baseValue)}    Model as written: ${formatMetric(kind, r.modelValue)}`);
  out.push("");
  const [lo, hi] = r.at.map(pct);
  out.push(`Tornado — each input alone at its ${lo} and ${hi}, the others at their medians (largest swing first)`);
  const maxSwing = Math.max(0, ...r.tornado.map((t) => t.swing ?? 0));
  const tornadoColumns: Column[] = [
    { header: "Input", align: "left" },
    { header: "Path", align: "left" },
    { header: `Input at ${lo}` },
    { header: `Input at ${hi}` },
    { header: `Metric at ${lo}` },
    { header: `Metric at ${hi}` },
    { header: "Swing" },
    { header: "", align: "left" },
  ];
  out.push(
    renderTable(
      tornadoColumns,
      r.tornado.map((t) => [t.input, t.path, formatInput(t.lowInput), formatInput(t.highInput), formatMetric(kind, t.metricAtLow), formatMetric(kind, t.metricAtHigh), formatSwing(kind, t.swing), bar(t.swing ?? 0, maxSwing)]),
    ),
  );
  out.push("");
  const anyMonth = r.spider.rows.some((row) => row.isMonth);
  out.push(`Spider — the metric with one input moved from its median value (the others at their medians)${anyMonth ? "; month inputs move by whole months" : ""}`);
  const spiderColumns: Column[] = [{ header: "Input", align: "left" }, { header: "Median", align: "right" }, ...r.spider.steps.map((s) => ({ header: s === 0 ? "0" : `${s > 0 ? "+" : "−"}${Math.round(Math.abs(s) * 100)}%` }))];
  out.push(
    renderTable(
      spiderColumns,
      r.spider.rows.map((row) => [row.isMonth ? `${row.input} (±months)` : row.input, formatInput(row.median), ...row.points.map((p) => formatMetric(kind, p.metric))]),
    ),
  );
  if (anyMonth) out.push(`  (±months) rows: the columns are ${r.spider.monthSteps.map((m) => (m > 0 ? `+${m}` : String(m))).join(", ")} months.`);
  if (r.global) {
    const g = r.global;
    out.push("");
    out.push(`Global — Spearman rank correlation of each input's sampled values with the metric over ${g.n.toLocaleString("en-US")} Monte Carlo paths (seed ${g.seed}${g.lhs ? ", Latin hypercube" : ""})`);
    if (g.excluded > g.invalid) out.push(`  ${(g.excluded - g.invalid).toLocaleString("en-US")} paths where the metric is undefined are left out (${g.used.toLocaleString("en-US")} ranked).`);
    if (g.invalid > 0) out.push(`  ${g.invalid.toLocaleString("en-US")} invalid paths (NaN, or a sampled input or formula value outside its key's range) are left out.`);
    out.push(
      renderTable(
        [{ header: "Input", align: "left" }, { header: "Path", align: "left" }, { header: "Spearman ρ" }, { header: "Contribution to variance" }, { header: "", align: "left" }],
        g.rows.map((row) => [row.input, row.path, row.spearman === null ? "–" : row.spearman.toFixed(3), row.contribution === null ? "–" : `${row.contribution.toFixed(1)}%`, bar(row.contribution ?? 0, 100)]),
      ),
    );
    out.push(`  Metric over the paths: p10 ${formatMetric(kind, g.summary.p10)}, median ${formatMetric(kind, g.summary.p50)}, p90 ${formatMetric(kind, g.summary.p90)}${g.summary.mean !== null ? `, mean ${formatMetric(kind, g.summary.mean)}` : ""}`);
    out.push("  Contribution to variance is each ρ² as a share of the sum of ρ² (how @RISK and Crystal Ball report it): a ranking aid, not a decomposition of the variance.");
  }
  const notes = [...r.notes];
  if (r.processes.length > 0 && !r.notes.some((n) => n.startsWith("processes"))) notes.push(`processes not swung: ${r.processes.map((p) => p.name).join(", ")}`);
  if (notes.length > 0) {
    out.push("");
    out.push("Notes");
    for (const n of notes) out.push(`  - ${n}`);
  }
  return out.join("\n") + "\n";
}

/** One table: analysis, input, path, point, input value, metric, swing, spearman, contribution. */
export function sensitivityCsv(r: SensitivityReport, csv?: CsvModule, precision: number | "full" = 6): string {
  const rows: CsvValue[][] = [];
  const [lo, hi] = r.at.map(pct);
  // A month-valued metric that does not happen within the horizon is written so.
  const m = (v: MetricJson) => (v === null && r.metric.kind === "month" ? NOT_WITHIN_HORIZON : v);
  for (const t of r.tornado) {
    rows.push(["tornado", t.input, t.path, lo, t.lowInput, m(t.metricAtLow), t.swing, null, null]);
    rows.push(["tornado", t.input, t.path, hi, t.highInput, m(t.metricAtHigh), t.swing, null, null]);
  }
  for (const row of r.spider.rows) {
    for (const p of row.points) {
      const point = row.isMonth ? `${p.change > 0 ? "+" : ""}${p.change}m` : `${p.change > 0 ? "+" : ""}${Math.round(p.change * 100)}%`;
      rows.push(["spider", row.input, row.path, point, p.input, m(p.metric), null, null, null]);
    }
  }
  for (const row of r.global?.rows ?? []) rows.push(["global", row.input, row.path, null, null, null, null, row.spearman, row.contribution]);
  // Without the CSV library (callers that have not loaded it), every digit.
  return csv ? csv.toCsvText(["analysis", "input", "path", "point", "inputValue", "metric", "swing", "spearman", "contribution"], rows, precision) : toCsv(["analysis", "input", "path", "point", "inputValue", "metric", "swing", "spearman", "contribution"], rows as (string | number | null)[][]);
}
