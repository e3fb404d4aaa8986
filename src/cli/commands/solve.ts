import type { Command } from "commander";
import { readModel } from "../../node/loadFile.js";
import { UsageError } from "../../model/issues.js";
import { DEFAULT_SOLVE_PATHS, type SolveReport, type SolvePoint } from "../../uncertainty/solve.js";
import { solveCommand } from "../../commands/solve.js";
import { printNotice } from "../notices.js";
import { DEFAULT_SEED } from "../../uncertainty/sensitivity.js";
import { EXIT_FAILURE, EXIT_OK } from "../errors.js";
import type { CliIO } from "../io.js";
import { emit, unitLabel } from "./run.js";
import { choice, parseWhole } from "../options.js";

const FORMATS = ["table", "json"] as const;

export function registerSolve(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("solve")
    .description("goal seek: the value of one input at which a target just holds (e.g. the smallest raise that keeps the odds of running out of cash at 5%)")
    .argument("<file>", "model file (.yaml or .json)")
    .requiredOption("--vary <path>", "dotted path of the input to change, e.g. financing.equity.seriesF.amount (month inputs take months YYYY-MM)")
    .requiredOption("--target <expr>", "'minCash >= 0', 'breakeven <= 2027-12', 'revenue@2027 >= 5400', 'P(cashOut) <= 0.05', 'p90(fundingGap) <= 0'")
    .option("--between <bounds...>", "search between A and B (two values, or A,B); default: outward from the current value")
    .option("-s, --scenario <name>", "apply a scenario defined in the model")
    .option("-n, --paths <n>", `Monte Carlo paths per trial for statistical targets (default ${DEFAULT_SOLVE_PATHS})`)
    .option("--seed <seed>", `random seed for statistical targets (default ${DEFAULT_SEED}); every trial uses the same samples`)
    .option("--lhs", "Latin hypercube sampling instead of plain Monte Carlo (statistical targets)")
    .option("--tolerance <width>", "stop when the bracket is this narrow (the input's unit)")
    .option("-f, --format <format>", "table | json", "table")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action((file: string, options: { vary: string; target: string; between?: string[]; scenario?: string; paths?: string; seed?: string; lhs?: boolean; tolerance?: string; format: string; out?: string }) => {
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
      emit(io, format === "json" ? JSON.stringify(report, null, 2) + "\n" : solveTable(report), options.out);
      if (!report.found) io.err(`burnrate: ${report.message}\n`);
      setExit(report.found ? EXIT_OK : EXIT_FAILURE);
    });
}

function measured(p: SolvePoint, r: SolveReport): string {
  const v = p.measured;
  if (v === null) return r.target.measureKind === "month" ? "never" : "–";
  if (typeof v === "string") return v;
  if (r.target.measureKind === "probability") return `${Number((v * 100).toFixed(4))}%`;
  return precise(v);
}

/** Enough digits to tell the two sides of a narrow bracket apart. */
function precise(v: number | string): string {
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) return "–";
  if (v !== 0 && (Math.abs(v) < 1e-4 || Math.abs(v) >= 1e12)) return v.toExponential(3);
  const [int, frac] = String(Number(v.toPrecision(10))).split(".");
  const whole = (int.startsWith("-") ? "-" : "") + Math.abs(Number(int)).toLocaleString("en-US");
  return whole + (frac ? `.${frac}` : "");
}

const verdict = (p: SolvePoint) => (p.holds ? "holds" : "fails");

export function solveTable(r: SolveReport): string {
  const rows: [string, string][] = [];
  const m = r.target.measure;
  rows.push(["Vary", `${r.vary.path} (now ${precise(r.vary.current)})${r.vary.uncertainInput ? ` — uncertain input "${r.vary.uncertainInput}"` : ""}`]);
  rows.push(["Target", `${r.target.text}  (${r.target.description})`]);
  if (r.statistical) rows.push(["Paths", `${r.statistical.n.toLocaleString("en-US")} per trial, seed ${r.statistical.seed}${r.statistical.lhs ? ", Latin hypercube" : ""}; every trial uses the same sampled inputs (common random numbers)`]);
  if (r.answer) {
    rows.push([r.boundary ? "Answer" : "Closest", `${precise(r.answer.value)}  ${m} = ${measured(r.answer, r)} — ${verdict(r.answer)}`]);
  } else rows.push(["Answer", "none in the range"]);
  if (r.other) rows.push(["Other side", `${precise(r.other.value)}  ${m} = ${measured(r.other, r)} — ${verdict(r.other)}; bracket width ${r.bracketWidth === null ? "–" : r.vary.isMonth ? `${r.bracketWidth} month${r.bracketWidth === 1 ? "" : "s"}` : precise(r.bracketWidth)}`]);
  if (r.current) rows.push(["Now", `${precise(r.current.value)}  ${m} = ${measured(r.current, r)} — ${verdict(r.current)}`]);
  rows.push([r.range.given ? "Range" : "Searched", `${precise(r.range.from.value)} (${m} = ${measured(r.range.from, r)}) … ${precise(r.range.to.value)} (${m} = ${measured(r.range.to, r)})`]);
  rows.push(["Evaluations", `${r.evaluations}${r.paths > 0 ? ` trials, ${r.paths.toLocaleString("en-US")} paths` : ""}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const out = [`Solve — ${r.model}${r.scenario ? ` — scenario: ${r.scenario}` : ""} (${unitLabel(r)})`, "", ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`), "", r.message];
  if (r.notes.length > 0) out.push("", "Notes", ...r.notes.map((n) => `  - ${n}`));
  return out.join("\n") + "\n";
}
