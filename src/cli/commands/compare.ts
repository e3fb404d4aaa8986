import type { Command } from "commander";
import { statSync } from "node:fs";
import type { LoadOptions, LoadedModel } from "../../model/load.js";
import type { Comparison, MeasureKind } from "../../targets/index.js";
import type { LabelledRun } from "../../commands/compare.js";
import { UsageError } from "../../model/issues.js";
import { formatAmount, formatRatio, renderTable, toCsv, UNIT_WORD, type Column } from "../format.js";
import { EXIT_OK } from "../errors.js";
import type { CliIO } from "../io.js";
import { emit } from "./run.js";
import { choice } from "../options.js";
import { printNotice } from "../notices.js";
import type { Caveat } from "../../caveats/index.js";

const FORMATS = ["table", "json", "csv"] as const;

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

type Loader = (text: string, file: string, options: LoadOptions) => LoadedModel;

/**
 * Reads `FILE` or `FILE:SCENARIO` into a labelled run. A file name may itself contain ':',
 * so the text after the last ':' is a scenario only when the part before it is a model
 * file that defines such a scenario; otherwise the whole argument is a path. The loader
 * (shared with the command) parses each file once.
 */
export async function resolveCompareArgument(arg: string, load: Loader): Promise<LabelledRun> {
  const [{ readModelText }, { didYouMean }] = await Promise.all([import("../../node/loadFile.js"), import("../../model/suggest.js")]);
  const whole = (): LabelledRun => {
    const text = readModelText(arg);
    load(text, arg, {}); // reports a bad model in the order the arguments were given
    return { label: arg, model: { text, file: arg } };
  };
  const colon = arg.lastIndexOf(":");
  if (colon > 0) {
    const file = arg.slice(0, colon);
    const scenario = arg.slice(colon + 1);
    if (isFile(file)) {
      const text = readModelText(file);
      let base: LoadedModel;
      try {
        base = load(text, file, {});
      } catch (error) {
        // "a:b" may be a file of its own whose name merely looks like FILE:SCENARIO.
        if (isFile(arg)) return whole();
        throw error;
      }
      const known = Object.keys(base.model.scenarios);
      if (scenario !== "" && known.includes(scenario)) {
        load(text, file, { scenario });
        return { label: arg, model: { text, file }, scenario };
      }
      if (!isFile(arg)) {
        if (scenario === "") throw new UsageError("bad_argument", `${arg}: nothing after ':'; write FILE or FILE:SCENARIO`);
        const suggestion = didYouMean(scenario, known);
        throw new UsageError(
          "unknown_scenario",
          `${arg}: ${file} has no scenario named "${scenario}"${suggestion ? ` — did you mean "${suggestion}"?` : known.length ? `; it has: ${known.join(", ")}` : "; it defines no scenarios"}`,
        );
      }
    }
  }
  return whole();
}

export function registerCompare(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("compare")
    .description("put models, or scenarios of one model, side by side by fiscal year (FILE or FILE:SCENARIO)")
    .argument("<runs...>", "model files, each optionally followed by :SCENARIO (models/x.yaml:rates-up)")
    .option("-f, --format <format>", "table | json | csv", "table")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action(async (runs: string[], options: { format: string; out?: string }) => {
      const [{ compareCommand }, { createModelLoader }] = await Promise.all([import("../../commands/compare.js"), import("../../commands/load.js")]);
      const format = choice(options.format, FORMATS, "--format");
      const load = createModelLoader();
      const resolved: LabelledRun[] = [];
      for (const arg of runs) resolved.push(await resolveCompareArgument(arg, load));
      const comparison = compareCommand(
        resolved,
        {},
        { load, onNotice: printNotice(io) },
      );
      const text = format === "json" ? JSON.stringify(comparison, null, 2) + "\n" : format === "csv" ? compareCsv(comparison) : compareTable(comparison);
      emit(io, text, options.out);
      setExit(EXIT_OK);
    });
}

function formatMeasure(kind: MeasureKind, value: number | string | null, none: string): string {
  if (value === null) return none;
  if (typeof value === "string") return value;
  switch (kind) {
    case "amount":
      return formatAmount(value);
    case "ratio":
      return formatRatio(value);
    default:
      return String(value);
  }
}

const NONE_TEXT: Record<string, string> = {
  cashOut: "not within the horizon",
  firstPositiveFreeCashFlowYear: "not within the horizon",
  firstPositiveFreeCashFlowMonth: "not within the horizon",
  minDscr: "n/a (no debt service)",
};

/** A run's column header: company and scenario ("xAI — no-new-equity"), the file when two would read the same. */
export function runHeaders(c: Comparison): Map<string, string> {
  const name = (r: Comparison["runs"][number]) => `${r.model} — ${r.scenario ?? "base case"}`;
  const counts = new Map<string, number>();
  for (const r of c.runs) counts.set(name(r), (counts.get(name(r)) ?? 0) + 1);
  return new Map(c.runs.map((r) => [r.label, counts.get(name(r))! > 1 ? `${name(r)} (${r.label})` : name(r)]));
}

const signedDelta = (text: string, v: number) => (/[1-9]/.test(text) ? (v > 0 ? `+${text}` : text) : text);

/** Caveats of the compared runs, once per model and caveat, numbered for the marks in the table. */
function comparedCaveats(c: Comparison): { model: string; labels: string[]; caveat: Caveat }[] {
  const out: { model: string; labels: string[]; caveat: Caveat }[] = [];
  for (const run of c.runs) {
    for (const caveat of run.caveats) {
      const same = out.find((o) => o.model === run.model && o.caveat.id === caveat.id && o.caveat.text === caveat.text);
      if (same) same.labels.push(run.label);
      else out.push({ model: run.model, labels: [run.label], caveat });
    }
  }
  return out;
}

export function compareTable(c: Comparison): string {
  const out: string[] = [];
  const caveats = comparedCaveats(c);
  const mark = (measure: string) => {
    const n = caveats.map((x, i) => (x.caveat.metrics.includes(measure) || x.caveat.lines.includes(measure) ? i + 1 : 0)).filter((i) => i > 0);
    return n.length ? ` [${n.join(",")}]` : "";
  };
  const assumed = c.runs.some((r) => r.assumedCovenantLevels);
  const word = UNIT_WORD[c.unit];
  out.push(`Comparison — amounts in ${c.currency ? `${c.currency}${word ? ` ${word}` : ""}` : "each model's own currency"}${c.runs.length > 1 ? `; Δ = difference from ${runHeaders(c).get(c.runs[0].label)}` : ""}`);
  const headers = runHeaders(c);
  const labels = c.runs.map((r) => r.label);
  const first = labels[0];
  const others = labels.slice(1);
  const partial = new Map(c.runs.map((r) => [r.label, new Set(r.partialYears)]));
  let anyPartial = false;
  const deltaColumns = (kind: MeasureKind) => (kind === "amount" || kind === "ratio" ? others : []);
  const delta = (kind: MeasureKind, v: number | string | null, base: number | string | null) => (typeof v === "number" && typeof base === "number" ? signedDelta(formatMeasure(kind, v - base, ""), v - base) : "");
  for (const block of c.yearly) {
    out.push("");
    out.push(block.label + mark(block.measure));
    const columns: Column[] = [{ header: "Year", align: "left" }, ...labels.map((l) => ({ header: headers.get(l)! })), ...deltaColumns(block.kind).map((l) => ({ header: `Δ ${headers.get(l)!}` }))];
    const rows = c.years.map((year, y) => [
      String(year),
      ...labels.map((l) => {
        const v = block.values[l][y];
        if (v === null) return "";
        const mark = partial.get(l)!.has(year) && block.measure !== "cumulativeBurn" ? "*" : "";
        if (mark) anyPartial = true;
        return formatMeasure(block.kind, v, "") + mark;
      }),
      ...deltaColumns(block.kind).map((l) => delta(block.kind, block.values[l][y], block.values[first][y])),
    ]);
    out.push(renderTable(columns, rows));
  }
  out.push("");
  out.push("Whole horizon");
  const summaryColumns: Column[] = [{ header: "", align: "left" }, ...labels.map((l) => ({ header: headers.get(l)! })), ...others.map((l) => ({ header: `Δ ${headers.get(l)!}` }))];
  const summaryMark = (measure: string) => mark(measure === "firstPositiveFreeCashFlowYear" || measure === "firstPositiveFreeCashFlowMonth" ? "firstPositiveFreeCashFlow" : measure);
  out.push(
    renderTable(
      summaryColumns,
      c.summary.map((row) => [
        `${row.label}${row.measure === "covenantBreaches" && assumed ? " (assumed levels)" : ""}${summaryMark(row.measure)}`,
        ...labels.map((l) => formatMeasure(row.kind, row.values[l], NONE_TEXT[row.measure] ?? "–")),
        ...others.map((l) => (row.kind === "amount" || row.kind === "ratio" ? delta(row.kind, row.values[l], row.values[first]) : "")),
      ]),
    ),
  );
  if (anyPartial) {
    out.push("");
    out.push("* part of the fiscal year lies outside the model's horizon: not a full-year figure");
  }
  if (c.runs.some((r) => headers.get(r.label) !== r.label)) {
    out.push("");
    out.push(`Runs: ${c.runs.map((r) => `${headers.get(r.label)} = ${r.label}`).join("; ")}`);
  }
  if (caveats.length) {
    out.push("");
    out.push("Caveats");
    caveats.forEach((x, i) => {
      const runs = x.labels.length === c.runs.filter((r) => r.model === x.model).length ? x.model : x.labels.join(", ");
      out.push(`  [${i + 1}] ${runs} — ${x.caveat.id}${x.caveat.periods.length ? ` (${x.caveat.periods.join(", ")})` : ""}: ${x.caveat.text}`);
      out.push(`      ${x.caveat.source ? `source: ${x.caveat.source}` : `assumption: ${x.caveat.assumption}`}`);
    });
  }
  return out.join("\n") + "\n";
}

/** Long (tidy) form: one row per label, measure and year; whole-horizon measures have no year. */
export function compareCsv(c: Comparison): string {
  const rows: (string | number | null)[][] = [];
  for (const run of c.runs) {
    for (const block of c.yearly) {
      c.years.forEach((year, y) => {
        rows.push([run.label, block.measure, year, block.values[run.label][y]]);
      });
    }
    for (const row of c.summary) rows.push([run.label, row.measure, null, row.values[run.label]]);
  }
  return toCsv(["label", "measure", "year", "value"], rows);
}
