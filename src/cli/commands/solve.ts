import type { Command } from "commander";
import { UsageError } from "../../model/issues.js";
import type { SolveReport, SolvePoint } from "../../uncertainty/solve.js";
import { DEFAULT_SOLVE_PATHS } from "../../uncertainty/defaults.js";
import { printNotice } from "../notices.js";
import { DEFAULT_SEED } from "../../uncertainty/defaults.js";
import { EXIT_FAILURE, EXIT_OK } from "../errors.js";
import type { CliIO } from "../io.js";
import { loadCsv, type CsvModule } from "../csv.js";
import { emit, unitLabel, parsePrecision } from "./run.js";
import { oneLine } from "../../model/text.js";
import { choice, parseWhole } from "../options.js";
import { NOT_WITHIN_HORIZON, formatAmount, formatWhole } from "../format.js";

const FORMATS = ["table", "json", "csv"] as const;

export function registerSolve(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("solve")
    .description("goal seek: the value of one input at which a target just holds (e.g. the smallest raise that keeps the odds of running out of cash at 5%)")
    .argument("<file>", "model file (.yaml or .json)")
    .requiredOption("--vary <path>", "dotted path of the input to change, e.g. financing.equity.seriesF.amount (month inputs take months YYYY-MM)")
    .requiredOption("--target <expr>", "'minCash >= 0', 'breakeven <= 2027-12', 'revenue@2027 >= 5400', 'P(cashOut) <= 0.05', 'p90(fundingGap) <= 0'")
    .option("--between <bounds...>", "search between A and B (two values, or A,B); default: outward from the current value")
    .option("-s, --scenario <name>", "apply a scenario defined in the model")
    .option("-n, --paths <n>", `Monte Carlo paths per trial for statistical targets (default ${formatWhole(DEFAULT_SOLVE_PATHS)})`)
    .option("--seed <seed>", `random seed for statistical targets (default ${DEFAULT_SEED}); every trial uses the same samples`)
    .option("--lhs", "Latin hypercube sampling instead of plain Monte Carlo (statistical targets)")
    .option("--tolerance <width>", "stop when the bracket is this narrow (the input's unit)")
    .option("-f, --format <format>", "table | json | csv", "table")
    .option("--precision <digits>", "csv: decimals kept (default 6), or full", "6")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action(async (file: string, options: { precision: string; vary: string; target: string; between?: string[]; scenario?: string; paths?: string; seed?: string; lhs?: boolean; tolerance?: string; format: string; out?: string }) => {
      const [{ readModel }, { solveCommand }] = await Promise.all([import("../../node/loadFile.js"), import("../../commands/solve.js")]);
      const format = choice(options.format, FORMATS, "--format");
      const n = options.paths !== undefined ? parseWhole(options.paths, "-n") : undefined;
      const seed = options.seed !== undefined ? parseWhole(options.seed, "--seed") : undefined;
      const tolerance = options.tolerance !== undefined ? Number(options.tolerance) : undefined;
      if (tolerance !== undefined && !(Number.isFinite(tolerance) && tolerance > 0)) throw new UsageError("bad_tolerance", `--tolerance must be a number > 0 (got "${options.tolerance}")`);
      const between = options.between?.flatMap((b) => b.split(","));
      const report = solveCommand(
        readModel(file),
        { vary: options.vary, target: options.target, between, scenario: options.scenario, paths: n, seed, tolerance, lhs: options.lhs },
        { onNotice: printNotice(io) },
      );
      emit(io, format === "json" ? JSON.stringify(report, null, 2) + "\n" : format === "csv" ? solveCsv(await loadCsv(), report, parsePrecision(options.precision)) : solveTable(report), options.out);
      if (!report.found) io.err(`burnrate: ${oneLine(report.message)}\n`);
      setExit(report.found ? EXIT_OK : EXIT_FAILURE);
    });
}

function measured(p: SolvePoint, r: SolveReport): string {
  const v = p.measured;
  if (v === null) return r.target.measureKind === "month" ? NOT_WITHIN_HORIZON : "–";
  if (typeof v === "string") return v;
  if (r.target.measureKind === "probability") return `${Number((v * 100).toFixed(2))}%`;
  // Amounts to a thousandth of the model's unit: the solver's residue (4.5e-13) reads as 0.000.
  if (r.target.measureKind === "amount") return formatAmount(v, 3);
  return precise(v);
}

/**
 * Six significant digits: a goal seek's answer is no more precise than the inputs it
 * rests on, whatever the width of the solver's final bracket (exact values are in --format json).
 */
function precise(v: number | string): string {
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) return "–";
  if (v !== 0 && (Math.abs(v) < 1e-4 || Math.abs(v) >= 1e12)) return v.toExponential(3);
  const [int, frac] = String(Number(v.toPrecision(6))).split(".");
  const whole = (int.startsWith("-") ? "-" : "") + Math.abs(Number(int)).toLocaleString("en-US");
  return whole + (frac ? `.${frac}` : "");
}

const verdict = (p: SolvePoint) => (p.holds ? "holds" : "fails");

/** Inputs that only take whole values (months, counts): answered as whole numbers. */
export function isWholeInput(path: string): boolean {
  return /(Months|Days|\.count|\.gpus|\.times)$/.test(path);
}

/** The whole value on the side of the boundary where the target holds (the solver brackets a monotone boundary). */
function wholeAnswer(r: SolveReport): number | null {
  if (!r.answer || !r.other || !isWholeInput(r.vary.path)) return null;
  const a = r.answer.value;
  const b = r.other.value;
  if (typeof a !== "number" || typeof b !== "number") return null;
  return a >= b ? Math.ceil(a - 1e-9) : Math.floor(a + 1e-9);
}

function bracketText(r: SolveReport): string {
  if (r.bracketWidth === null) return "–";
  if (r.vary.isMonth) return `${r.bracketWidth} month${r.bracketWidth === 1 ? "" : "s"}`;
  const scale = Math.max(typeof r.answer?.value === "number" ? Math.abs(r.answer.value) : 0, 1e-12);
  return r.bracketWidth / scale < 1e-6 ? "below one millionth of the answer" : precise(r.bracketWidth);
}

export function solveTable(r: SolveReport): string {
  const rows: [string, string][] = [];
  const m = r.target.measure;
  rows.push(["Vary", `${r.vary.path} (now ${precise(r.vary.current)})${r.vary.uncertainInput ? ` — uncertain input "${r.vary.uncertainInput}"` : ""}`]);
  rows.push(["Target", `${r.target.text}  (${r.target.description})`]);
  if (r.statistical) rows.push(["Paths", `${r.statistical.n.toLocaleString("en-US")} per trial, seed ${r.statistical.seed}${r.statistical.lhs ? ", Latin hypercube" : ""}; every trial uses the same sampled inputs (common random numbers)`]);
  const whole = wholeAnswer(r);
  if (r.answer && whole !== null) {
    rows.push([r.boundary ? "Answer" : "Closest", `${whole.toLocaleString("en-US")} (a whole number: the target holds from there, the boundary lies between ${precise(Math.min(r.answer.value as number, r.other!.value as number))} and ${precise(Math.max(r.answer.value as number, r.other!.value as number))})`]);
  } else if (r.answer) {
    rows.push([r.boundary ? "Answer" : "Closest", `${precise(r.answer.value)}  ${m} = ${measured(r.answer, r)} — ${verdict(r.answer)}`]);
  } else rows.push(["Answer", "none in the range"]);
  if (r.other && whole === null) rows.push(["Other side", `${precise(r.other.value)}  ${m} = ${measured(r.other, r)} — ${verdict(r.other)}; bracket width ${bracketText(r)}`]);
  if (r.current) rows.push(["Now", `${precise(r.current.value)}  ${m} = ${measured(r.current, r)} — ${verdict(r.current)}`]);
  rows.push([r.range.given ? "Range" : "Searched", `${precise(r.range.from.value)} (${m} = ${measured(r.range.from, r)}) … ${precise(r.range.to.value)} (${m} = ${measured(r.range.to, r)})`]);
  rows.push(["Evaluations", `${r.evaluations}${r.paths > 0 ? ` trials, ${r.paths.toLocaleString("en-US")} paths` : ""}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  // When found, the rows say it all (the core's message carries every digit, as --format json does).
  const out = [`Solve — ${r.model}${r.scenario ? ` — scenario: ${r.scenario}` : ""} (${unitLabel(r)})`, "", ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)];
  if (!r.found) out.push("", r.message);
  if (r.notes.length > 0) out.push("", "Notes", ...r.notes.map((n) => `  - ${n}`));
  return out.join("\n") + "\n";
}

/** The points the solver reports, one per row: which, input value, measured value, holds. */
export function solveCsv(csv: CsvModule, r: SolveReport, precision: number | "full"): string {
  const points: [string, SolvePoint | null][] = [["answer", r.answer], ["otherSide", r.other], ["now", r.current], ["rangeFrom", r.range.from], ["rangeTo", r.range.to]];
  return csv.recordsCsv(
    points.filter((p): p is [string, SolvePoint] => p[1] !== null).map(([point, p]) => ({ point, input: r.vary.path, value: p.value, measure: r.target.measure, measured: p.measured, holds: p.holds, target: r.target.text })),
    precision,
  );
}
