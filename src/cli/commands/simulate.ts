import type { Command } from "commander";
import { DEFAULT_SIMULATION_PATHS, DEFAULT_SIMULATION_SEED } from "../../commands/defaults.js";
import type { SimulationResult, Distribution } from "../../uncertainty/summary.js";
import { UsageError } from "../../model/issues.js";
import { formatAmount, formatWhole, formatPercent, renderTable, wrapLine, type Column } from "../format.js";
import { emit, unitLabel, parsePrecision } from "./run.js";
import { choice, parseWhole, parseShare } from "../options.js";
import { EXIT_FAILURE } from "../errors.js";
import { INVALID_REASONS, INVALID_REASON_TEXT } from "../../uncertainty/invalidReasons.js";
import type { CliIO } from "../io.js";
import { pathProgress } from "../progress.js";
import { loadCsv, type CsvModule } from "../csv.js";
import type { Progress } from "../../commands/context.js";

/** The series a simulation reports (as SIMULATED_SERIES in uncertainty/aggregate.ts, which loads only when a simulation runs). */
const SERIES = ["endingCash", "revenue", "netIncome", "freeCashFlow", "debt"] as const;

const LABELS: Record<string, string> = { endingCash: "Ending cash", revenue: "Revenue", netIncome: "Net income", freeCashFlow: "Free cash flow", debt: "Debt" };

export function registerSimulate(program: Command, io: CliIO, setExit: (code: number) => void = () => {}): void {
  program
    .command("simulate")
    .description("Monte Carlo over the model's uncertain inputs: percentiles by month and year, odds of running out of cash, funding gap")
    .argument("<file>", "model file with an `uncertain:` section")
    .option("-n, --paths <n>", `Monte Carlo paths (default ${formatWhole(DEFAULT_SIMULATION_PATHS)})`)
    .option("--seed <seed>", "random seed (same model + seed = same results)", String(DEFAULT_SIMULATION_SEED))
    .option("-t, --threads <t>", "worker threads, or auto", "1")
    .option("--lhs", "Latin hypercube sampling instead of plain Monte Carlo")
    .option("-s, --scenario <name>", "apply a scenario first")
    .option("-p, --period <period>", "month | quarter | year (table and csv; json holds the years and the months, or the quarters with --period quarter)", "year")
    .option("-f, --format <format>", "table | json | csv", "table")
    .option("--keep-paths <k>", "keep the first K sampled paths (for fan charts; json)", "0")
    .option("--precision <digits>", "csv: decimals kept (default 6), or full", "6")
    .option("--max-invalid-paths <share>", "fail (exit 1, after the report) when more than this share of paths is invalid: NaN, or a sampled input or formula value outside its key's range (0.01 or 1%)", "0")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action(async (file: string, options: { precision: string; paths?: string; seed: string; threads: string; lhs?: boolean; scenario?: string; period: string; format: string; keepPaths: string; maxInvalidPaths: string; out?: string }) => {
      const format = choice(options.format, ["table", "json", "csv"] as const, "--format");
      const period = choice(options.period, ["month", "quarter", "year"] as const, "--period");
      const n = options.paths === undefined ? DEFAULT_SIMULATION_PATHS : parseWhole(options.paths, "-n");
      const seed = parseWhole(options.seed, "--seed");
      const threads = options.threads === "auto" ? "auto" : parseWhole(options.threads, "--threads");
      const keepPaths = parseWhole(options.keepPaths, "--keep-paths");
      const maxInvalid = parseShare(options.maxInvalidPaths, "--max-invalid-paths");
      const [{ readModel }, { simulateCommand }] = await Promise.all([import("../../node/loadFile.js"), import("../../commands/simulate.js")]);
      const model = readModel(file);
      const controller = new AbortController();
      const onInterrupt = () => controller.abort();
      process.once("SIGINT", onInterrupt);
      const progress = pathProgress(io);
      const onProgress = progress ? ({ done, total }: Progress) => progress(done, total ?? done) : undefined;
      let result: SimulationResult;
      try {
        result = await simulateCommand(model, { paths: n, seed, threads, lhs: options.lhs, scenario: options.scenario, keepPaths, detail: format === "json" && period === "year" ? "month" : period, maxInvalidPaths: maxInvalid }, { onProgress, signal: controller.signal });
      } finally {
        process.removeListener("SIGINT", onInterrupt);
        if (progress) io.err("\r\x1b[K");
      }
      for (const w of result.warnings) io.err(`${w}\n`);
      const out = format === "json" ? JSON.stringify(result, null, 2) + "\n" : format === "csv" ? simulationCsv(await loadCsv(), result, period, parsePrecision(options.precision)) : simulationTable(result, period);
      emit(io, out, options.out);
      const invalid = result.invalidPaths;
      if (invalid.exceeded) {
        io.err(`burnrate: ${invalid.count.toLocaleString("en-US")} of ${result.paths.toLocaleString("en-US")} paths (${formatPercent(invalid.share, 2)}) are invalid, more than --max-invalid-paths ${formatPercent(maxInvalid, 2)} allows; they are left out of every figure above (${invalidSummary(result)}). Fix the uncertain inputs (or the formulas they feed) so that every path is a possible outcome, or raise --max-invalid-paths.\n`);
        setExit(EXIT_FAILURE);
      }
    });
}

/** "12 NaN or infinity in the results, 3 a sampled input outside …; first: path 17 (…)". */
export function invalidSummary(result: SimulationResult): string {
  const parts = INVALID_REASONS.filter((r) => result.invalidPaths.byReason[r] > 0).map((r) => `${result.invalidPaths.byReason[r].toLocaleString("en-US")} ${INVALID_REASON_TEXT[r]}`);
  const first = result.invalidPaths.examples[0];
  return `${parts.join("; ")}${first ? `; first: path ${first.path}` : ""}`;
}

const Q = ["p5", "p10", "p25", "p50", "p75", "p90", "p95"] as const;

type SimulationPeriod = "month" | "quarter" | "year";

function rows(result: SimulationResult, period: SimulationPeriod) {
  if (period === "month") return result.months.map((m) => ({ label: m.period, row: m }));
  if (period === "quarter") return result.quarters.map((q) => ({ label: q.period, row: q }));
  return result.years.map((y) => ({ label: String(y.year), row: y }));
}

const PERIOD_WORDS: Record<SimulationPeriod, { balance: string; flow: string }> = {
  year: { balance: "at fiscal year end", flow: "fiscal year total" },
  quarter: { balance: "at fiscal quarter end", flow: "fiscal quarter total" },
  month: { balance: "by month", flow: "by month" },
};

export function simulationTable(result: SimulationResult, period: SimulationPeriod): string {
  const unit = unitLabel(result);
  const out: string[] = [];
  out.push(`${result.model} — ${unit}${result.scenario ? ` — scenario: ${result.scenario}` : ""}`);
  out.push(
    wrapLine(`${result.paths.toLocaleString("en-US")} paths${result.partial ? ` of ${result.requestedPaths.toLocaleString("en-US")} (PARTIAL: stopped early)` : ""}, ${result.sampling}, seed ${result.seed}, ${result.threads} thread${result.threads === 1 ? "" : "s"}; ${quantileNote(result)}`),
  );
  if (result.invalidPaths.count > 0) {
    out.push(wrapLine(`Invalid paths: ${result.invalidPaths.count.toLocaleString("en-US")} (${formatPercent(result.invalidPaths.share, 2)}), left out of every figure below — ${invalidSummary(result)}`));
  }
  out.push("");
  out.push("Odds");
  out.push(`  Cash runs out within the horizon   ${formatPercent(result.probabilities.cashOut)}`);
  out.push(`  Any covenant breach                ${formatPercent(result.probabilities.anyCovenantBreach)}`);
  out.push(
    renderTable(
      [{ header: "  by fiscal year", align: "left" }, ...result.probabilities.cashOutByYear.map((y) => ({ header: String(y.year) }))],
      [
        ["  P(cash out by then)", ...result.probabilities.cashOutByYear.map((y) => formatPercent(y.probability))],
        ["  P(breakeven by then)", ...result.probabilities.breakevenByYear.map((y) => formatPercent(y.probability))],
      ],
    ),
  );
  out.push("");
  const g = result.fundingGap;
  out.push(wrapLine(`Funding gap (extra opening cash to stay above the floor on that share of paths): p50 ${formatAmount(g.p50)}, p90 ${formatAmount(g.p90)}, p95 ${formatAmount(g.p95)} ${unit}`));
  const m = result.metrics;
  out.push(wrapLine(`Runway in months: p5 ${formatAmount(m.runwayMonths.p5, 0)}, p50 ${formatAmount(m.runwayMonths.p50, 0)}, p95 ${formatAmount(m.runwayMonths.p95, 0)}; minimum DSCR p5 ${formatAmount(m.minDscr.p5, 2)}, p50 ${formatAmount(m.minDscr.p50, 2)}`));
  if (result.cashOutMonth.length > 0) {
    const top = [...result.cashOutMonth].sort((a, b) => b.probability - a.probability).slice(0, 5);
    out.push(wrapLine(`Most likely cash-out months: ${top.map((x) => `${x.period} (${formatPercent(x.probability)})`).join(", ")}`));
  }
  for (const series of SERIES) {
    out.push("");
    out.push(`${LABELS[series]} (${PERIOD_WORDS[period][series === "endingCash" || series === "debt" ? "balance" : "flow"]})`);
    const columns: Column[] = [{ header: "", align: "left" }, { header: "mean" }, ...Q.map((q) => ({ header: q }))];
    out.push(renderTable(columns, rows(result, period).map(({ label, row }) => [label, formatAmount((row[series] as Distribution).mean), ...Q.map((q) => formatAmount((row[series] as Distribution)[q]))])));
  }
  if (result.inputs.length) {
    out.push("");
    out.push("Uncertain inputs");
    out.push(renderTable([{ header: "name", align: "left" }, { header: "path", align: "left" }, { header: "distribution", align: "left" }, { header: "p10" }, { header: "p50" }, { header: "p90" }], result.inputs.map((i) => [i.name, i.path, i.distribution, fmt(i.p10), fmt(i.p50), fmt(i.p90)])));
  }
  return out.join("\n") + "\n";
}

/** How the percentiles were computed, and their guaranteed rank bound. */
export function quantileNote(result: SimulationResult): string {
  const one = (q: { method: string; rankErrorBound: number }) => (q.method === "exact" ? "exact" : `from a rank sketch, each within ±${q.rankErrorBound} percentile points of its rank (a guaranteed bound)`);
  const q = result.quantiles;
  return `percentiles ${one(q)}${q.monthly ? `; monthly percentiles ${one(q.monthly)}` : ""}${q.quarterly ? `; quarterly percentiles ${one(q.quarterly)}` : ""}`;
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? formatAmount(x, 1) : String(Number(x.toPrecision(4)));
}

/** Every block of a simulation in one long table (period, item, value, unit, scenario): percentiles, odds, metric distributions, inputs, and the valid and invalid paths. */
export function simulationCsv(csv: CsvModule, result: SimulationResult, period: SimulationPeriod, precision: number | "full" = 6): string {
  return csv.tidyCsv([{ scenario: result.scenario, blocks: csv.simulationBlocks(result, period) }], precision);
}
