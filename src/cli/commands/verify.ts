import type { Command } from "commander";
import type { TargetReport, TargetOutcome } from "../../targets/index.js";
import { metricInfo } from "../../targets/catalogue.js";
import type { verifyOutput as VerifyOutput } from "../../commands/verify.js";
import { formatAmount, formatRatio, renderTable, type Column, NOT_WITHIN_HORIZON } from "../format.js";
import { EXIT_FAILURE, EXIT_OK } from "../errors.js";
import type { CliIO } from "../io.js";
import { loadCsv } from "../csv.js";
import { emit, unitLabel, caveatsBlock, parsePrecision } from "./run.js";
import { choice } from "../options.js";
import { oneLine } from "../../model/text.js";
import { printNotice } from "../notices.js";

const FORMATS = ["table", "json", "csv"] as const;

export function registerVerify(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("verify")
    .description("compare a model with its calibration targets (reported figures); exit 1 when any target fails")
    .argument("<file>", "model file (.yaml or .json) with a `targets:` section")
    .option("-s, --scenario <name>", "run a scenario and check the targets written for it")
    .option("-f, --format <format>", "table | json | csv", "table")
    .option("--precision <digits>", "csv: decimals kept (default 6), or full", "6")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action(async (file: string, options: { precision: string; scenario?: string; format: string; out?: string }) => {
      const [{ readModel }, { verifyReport, verifyOutput }] = await Promise.all([import("../../node/loadFile.js"), import("../../commands/verify.js")]);
      verifyOutputFn = verifyOutput;
      const format = choice(options.format, FORMATS, "--format");
      const report = verifyReport(readModel(file), { scenario: options.scenario }, { onNotice: printNotice(io) });
      if (report.targets.length === 0) {
        if (format === "json") emit(io, verifyJson(report), options.out);
        io.err(oneLine(noTargetsMessage(file, report)) + "\n");
        setExit(EXIT_FAILURE);
        return;
      }
      emit(io, format === "json" ? verifyJson(report) : format === "csv" ? (await loadCsv()).recordsCsv(JSON.parse(verifyJson(report)).targets, parsePrecision(options.precision)) : verifyTable(report), options.out);
      // A check outside its tolerance whose gap a caveat explains is shown, not failed.
      setExit(report.failed > 0 ? EXIT_FAILURE : EXIT_OK);
    });
}

function noTargetsMessage(file: string, report: TargetReport): string {
  const run = report.scenario ? `scenario "${report.scenario}"` : "the base case";
  if (report.skipped.length === 0) return `${file}: no targets to verify; add a \`targets:\` section (metric, period, value, source) with the figures the model should reproduce`;
  const scenarios = [...new Set(report.skipped.flatMap((s) => (s.scenarios.length ? s.scenarios : ["(base case)"])))];
  return `${file}: no targets apply to ${run}; the file's targets are for ${scenarios.join(", ")}${report.scenario ? "" : " — run with --scenario NAME"}`;
}

/** Set by the command before it prints (the commands layer loads only when a command runs). */
let verifyOutputFn: typeof VerifyOutput | null = null;

/** The documented JSON shape: {model, scenario, targets: [...], passed, failed, explained, calibration, checks, caveats}. */
export function verifyJson(report: TargetReport): string {
  return JSON.stringify(verifyOutputFn!(report), null, 2) + "\n";
}

function formatValue(t: TargetOutcome, role: "reported" | "model"): string {
  const v = t[role];
  if (t.kind === "month") {
    if (v !== null) return String(v);
    if (role === "reported") return "never";
    const info = metricInfo(t.metric);
    return info?.scope === "horizon" && info.none === "later" ? NOT_WITHIN_HORIZON : "none";
  }
  if (v === null || typeof v === "string") return v ?? "–";
  if (t.kind === "count") return String(v);
  return t.kind === "ratio" ? formatRatio(v) : formatAmount(v);
}

/** A sign in front of a figure that does not round to zero (no "−0.0"). */
function signed(text: string, value: number): string {
  if (!/[1-9]/.test(text)) return text;
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : text;
}

function formatDifference(t: TargetOutcome): string {
  if (t.difference === null) return "–";
  const d = t.difference;
  if (t.kind === "month") return signed(`${Math.abs(d)} mo`, d);
  if (t.kind === "count") return signed(String(Math.abs(d)), d);
  return signed(t.kind === "ratio" ? formatRatio(Math.abs(d)) : formatAmount(Math.abs(d)), d);
}

function formatRelative(t: TargetOutcome): string {
  if (t.relativeDifference === null) return "–";
  return signed(`${(Math.abs(t.relativeDifference) * 100).toFixed(1)}%`, t.relativeDifference);
}

function testText(t: TargetOutcome): string {
  switch (t.compare) {
    case "gt":
      return ">";
    case "gte":
      return "≥";
    case "lt":
      return "<";
    case "lte":
      return "≤";
  }
  const tol = t.tolerance;
  if (!tol) return "≈";
  if ("relative" in tol) return `≈ ±${Number((tol.relative * 100).toFixed(4))}%`;
  if ("absolute" in tol && tol.absolute === 0) return "exact";
  if ("absolute" in tol) return `≈ ±${t.kind === "ratio" ? formatRatio(tol.absolute) : formatAmount(tol.absolute)}`;
  return tol.months === 0 ? "same month" : `≈ ±${tol.months} mo`;
}

function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : chars.slice(0, width - 1).join("") + "…";
}

const KIND_TITLE = {
  calibration: "Calibration — an input was set from each of these figures, so agreement shows only that the calibration holds",
  check: "Independent checks — no input was set from these figures",
} as const;

export function verifyTable(report: TargetReport): string {
  const out: string[] = [];
  out.push(`${report.model} — targets — ${report.scenario ? `scenario: ${report.scenario}` : "base case"} — amounts in ${unitLabel(report)}`);
  const number = new Map(report.caveats.map((c, i) => [c.id, i + 1]));
  const marks = (t: TargetOutcome) => {
    const n = t.caveats.map((id) => number.get(id)).filter((x): x is number => x !== undefined);
    return n.length ? ` [${n.join(",")}]` : "";
  };
  const columns: Column[] = [
    { header: "Target", align: "left" },
    { header: "Metric", align: "left" },
    { header: "Period", align: "left" },
    { header: "Source", align: "left" },
    { header: "Reported" },
    { header: "Model" },
    { header: "Difference" },
    { header: "Diff %" },
    { header: "Test", align: "left" },
    { header: "Result", align: "left" },
  ];
  for (const kind of ["calibration", "check"] as const) {
    const targets = report.targets.filter((t) => t.targetKind === kind);
    if (targets.length === 0) continue;
    out.push("");
    out.push(KIND_TITLE[kind]);
    const rows = targets.map((t) => [
      t.name + marks(t),
      t.metric,
      t.period ?? "(horizon)",
      truncate(t.source ?? (t.assumption ? `assumption: ${t.assumption}` : ""), 28),
      formatValue(t, "reported"),
      formatValue(t, "model"),
      formatDifference(t),
      formatRelative(t),
      testText(t),
      t.status === "pass" ? "pass" : t.status === "explained" ? "gap, see caveat" : "FAIL",
    ]);
    out.push(renderTable(columns, rows));
  }
  out.push("");
  const tally = (n: number, word: string, t: { total: number; passed: number; failed: number; explained: number }) =>
    `${n} ${word}${n === 1 ? "" : "s"}: ${t.passed} passed${t.explained ? `, ${t.explained} outside tolerance with the gap explained in a caveat` : ""}, ${t.failed} failed`;
  out.push(`${tally(report.calibration.total, "calibration target", report.calibration)}. ${tally(report.checks.total, "independent check", report.checks)}.`);
  if (report.skipped.length > 0) {
    const groups = new Map<string, number>();
    for (const s of report.skipped) {
      const key = s.scenarios.length ? `scenario ${s.scenarios.join(" / ")}` : "the base case";
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    out.push(`Not checked in this run: ${[...groups].map(([k, n]) => `${n} target${n === 1 ? "" : "s"} for ${k}`).join("; ")}`);
  }
  const failed = report.targets.filter((t) => t.status === "fail");
  const notes = report.targets.filter((t) => t.status === "pass" && t.explanation);
  if (failed.length > 0) {
    out.push("");
    out.push("Failed:");
    for (const t of failed) out.push(...details(t));
  }
  if (notes.length > 0) {
    out.push("");
    out.push("Notes:");
    for (const t of notes) out.push(`  ${t.name}: ${t.explanation}`);
  }
  if (report.caveats.length > 0) {
    out.push("");
    out.push(caveatsBlock(report.caveats));
  }
  return out.join("\n") + "\n";
}

function details(t: TargetOutcome): string[] {
  const lines = [`  ${t.name}: ${t.label}${t.months ? ` over ${t.months}` : ""} — model ${formatValue(t, "model")}, reported ${formatValue(t, "reported")} (${testText(t)})${t.explanation ? `; ${t.explanation}` : ""}`];
  if (t.note) lines.push(`    note: ${t.note}`);
  if (t.source) lines.push(`    source: ${t.source}`);
  if (t.assumption) lines.push(`    assumption: ${t.assumption}`);
  return lines;
}
