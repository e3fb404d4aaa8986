import { describe, it, expect, beforeAll } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { runCli } from "./support/cli.js";
import { createProgram } from "../src/cli/main.js";
import { DEFAULT_SIMULATION_PATHS } from "../src/commands/defaults.js";
import { DEFAULT_GLOBAL_PATHS, DEFAULT_SOLVE_PATHS } from "../src/uncertainty/defaults.js";

const root = join(import.meta.dirname, "..");
const small = join("test", "fixtures", "small.yaml");

/** Compares with a stored golden file; UPDATE_GOLDEN=1 rewrites it. */
function golden(name: string, actual: string): void {
  const path = join(root, "test", "golden", name);
  if (process.env.UPDATE_GOLDEN || !existsSync(path)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

describe("burnrate run (golden output)", () => {
  it("prints the yearly table", async () => {
    const r = await runCli("run", small);
    expect(r.code).toBe(0);
    golden("small-run-year.txt", r.stdout);
  });
  it("prints the quarterly table for a scenario", async () => {
    const r = await runCli("run", small, "--period", "quarter", "--scenario", "slow");
    expect(r.code).toBe(0);
    golden("small-run-quarter-slow.txt", r.stdout);
  });
  it("writes the documented JSON shape", async () => {
    const r = await runCli("run", small, "--format", "json");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    for (const key of ["model", "scenario", "currency", "unit", "months", "years", "metrics", "checks"]) expect(json).toHaveProperty(key);
    for (const key of ["period", "revenue", "costOfRevenue", "grossProfit", "operatingExpenses", "ebitda", "depreciation", "ebit", "interestExpense", "taxes", "netIncome", "operatingCashFlow", "capex", "freeCashFlow", "equityRaised", "debtDrawn", "debtRepaid", "endingCash", "ppeNet", "debt", "totalAssets", "totalLiabilities", "equity"]) {
      expect(json.months[0]).toHaveProperty(key);
    }
    for (const key of ["cashOut", "runwayMonths", "minCash", "minCashPeriod", "fundingGap", "breakeven", "cumulativeBurn", "minDscr", "interestCoverage", "netDebtToEbitda", "covenantBreaches", "equityRounds"]) expect(json.metrics).toHaveProperty(key);
    expect(json.checks.balanced).toBe(true);
    expect(json.years.map((y: { year: number }) => y.year)).toEqual([2025, 2026]);
    golden("small-run.json", r.stdout);
  });
  it("writes CSV by month to a file with --out", async () => {
    const r = await runCli("run", small, "--format", "csv", "--period", "month", "--out", "out.csv");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    const csv = r.files.get("out.csv")!;
    expect(csv.split("\n")[0]).toMatch(/^period,revenue,costOfRevenue,/);
    expect(csv.trim().split("\n")).toHaveLength(25);
  });
  it("shows the GPU-cloud detail for a model with GPU sections", async () => {
    const table = await runCli("run", "models/gpu-cloud-example.yaml");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/GPU cloud\s+2025/);
    expect(table.stdout).toContain("Concentration (HHI)");
    const json = JSON.parse((await runCli("run", "models/gpu-cloud-example.yaml", "--format", "json")).stdout);
    expect(json.gpu.years.length).toBe(json.years.length);
    const y = json.gpu.years[1];
    expect(y.soldHours).toBeLessThanOrEqual(y.availableHours);
    expect(y.contractRevenue + y.spotRevenue).toBeGreaterThan(0);
    const plain = JSON.parse((await runCli("run", small, "--format", "json")).stdout);
    expect(plain.gpu).toBeUndefined();
  });
  it("rejects an unknown --format value", async () => {
    const r = await runCli("run", small, "--format", "xml");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--format must be one of table, json, csv");
  });
});

describe("terminal output fits a width (golden output at 80 and 120 columns)", () => {
  const widest = (text: string) => Math.max(...text.split("\n").map((l) => [...l].length));
  const cases: [string, string[]][] = [
    ["run-xai-quarter", ["run", "models/xai.yaml", "--period", "quarter", "--section", "income"]],
    ["run-small-month-balance", ["run", small, "--period", "month", "--section", "balance"]],
    ["compare-xai-scenarios", ["compare", "models/xai.yaml", "models/xai.yaml:no-new-equity", "models/xai.yaml:revenue-half"]],
    ["cohorts-gpu-cloud", ["cohorts", "models/gpu-cloud-example.yaml"]],
    ["simulate-xai-quarter", ["simulate", "models/xai.yaml", "-n", "200", "--seed", "1", "--period", "quarter"]],
    // Metrics, the † note and the caveats: long prose that wraps.
    ["run-xai-year", ["run", "models/xai.yaml"]],
    ["verify-coreweave", ["verify", "models/coreweave.yaml"]],
  ];
  for (const width of [80, 120]) {
    for (const [name, args] of cases) {
      it(`${name} at ${width} columns: no line wider, columns split into groups`, async () => {
        const r = await runCli(...args, "--width", String(width));
        expect(r.code).toBe(0);
        const tableLines = r.stdout.split("\n").filter((l) => /──/.test(l));
        for (const rule of tableLines) expect([...rule].length).toBeLessThanOrEqual(width);
        // Prose wraps too (metrics, notes, caveats): every line fits.
        for (const line of r.stdout.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(width);
        golden(`${name}-${width}.txt`, r.stdout);
      });
    }
  }
  it("without --width (a file or a pipe) tables are not split", async () => {
    const r = await runCli("run", "models/xai.yaml", "--period", "quarter");
    expect(widest(r.stdout)).toBeGreaterThan(200);
  });
  it("--transpose puts periods in rows; --lines and --from/--to choose what is shown", async () => {
    const r = await runCli("run", "models/xai.yaml", "--period", "month", "--lines", "revenue,netIncome,endingCash", "--from", "2026-01", "--to", "2026-03", "--transpose");
    expect(r.code).toBe(0);
    golden("run-xai-lines-transposed.txt", r.stdout);
    expect(r.stdout.split("\n")[2]).toMatch(/^Month\s+Revenue( \[[\d,]+\])?\s+Net income( \[[\d,]+\])?\s+Cash$/);
    const bad = await runCli("run", "models/xai.yaml", "--lines", "revenu");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('did you mean "revenue"?');
    const early = await runCli("run", "models/xai.yaml", "--from", "2031");
    expect(early.code).toBe(1);
    expect(early.stderr).toContain("lies within --from/--to");
  });
  it("CSV carries no float noise and --precision full keeps every digit", async () => {
    const rounded = await runCli("run", small, "--format", "csv", "--period", "month");
    expect(rounded.stdout).not.toMatch(/\d\.\d{7,}/);
    const full = await runCli("run", small, "--format", "csv", "--period", "month", "--precision", "full");
    expect(full.stdout).toMatch(/\d\.\d{10,}/);
  });
  it("simulate --period quarter: tables, CSV and JSON by fiscal quarter", async () => {
    const sim = join("test", "fixtures", "uncertainty", "sim.yaml");
    const table = await runCli("simulate", sim, "-n", "300", "--period", "quarter");
    expect(table.code).toBe(0);
    expect(table.stdout).toContain("Revenue (fiscal quarter total)");
    expect(table.stdout).toContain("Ending cash (at fiscal quarter end)");
    expect(table.stdout).toMatch(/^2026-Q4 /m);
    const csv = await runCli("simulate", sim, "-n", "300", "--period", "quarter", "--format", "csv");
    const json = JSON.parse((await runCli("simulate", sim, "-n", "300", "--period", "quarter", "--format", "json")).stdout);
    expect(json.detail).toBe("quarter");
    expect(json.months).toEqual([]);
    expect(json.quarters.map((q: { period: string }) => q.period)).toEqual(["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]);
    const q2Revenue = csv.stdout.split("\n").find((line) => line.startsWith("2025-Q2,simulation-percentiles:revenue:p50,"));
    expect(q2Revenue, csv.stdout.slice(0, 400)).toBeDefined();
    expect(Number(q2Revenue!.split(",")[2])).toBeCloseTo(json.quarters[1].revenue.p50, 5);
    // The default JSON keeps the years and the months; --period month|year do not collect quarters.
    const plain = JSON.parse((await runCli("simulate", sim, "-n", "100", "--format", "json")).stdout);
    expect(plain.months).toHaveLength(24);
    expect(plain.quarters).toEqual([]);
    const bad = await runCli("simulate", sim, "--period", "week");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--period must be one of month, quarter, year");
  });
  it("every command with tables writes CSV", async () => {
    for (const args of [["verify", "models/xai.yaml"], ["cohorts", "models/gpu-cloud-example.yaml"], ["build-vs-rent", "models/gpu-cloud-example.yaml"], ["sector", "models/gpu-cloud-example.yaml"], ["solve", "models/xai.yaml", "--vary", "financing.equity.plan-2026-a.amount", "--target", "minCash >= 0"], ["simulate", "models/xai.yaml", "-n", "100"]]) {
      const r = await runCli(...args, "--format", "csv");
      expect(r.code, args.join(" ")).toBe(0);
      const [header, first] = r.stdout.split("\n");
      expect(header.split(",").length, args[0]).toBeGreaterThan(2);
      expect(first.split(",").length).toBeGreaterThan(2);
    }
  });
});

describe("options are consistent across commands", () => {
  const program = createProgram({ out: () => {}, err: () => {}, errIsTTY: false, writeFile: () => {} }, () => {});
  const flags = (name: string) => program.commands.find((c) => c.name() === name)!.options.map((o) => o.long);
  const help = (name: string) => program.commands.find((c) => c.name() === name)!.helpInformation();

  it("every command that prints has --format and --out; every one that writes CSV has --precision", () => {
    const printing = program.commands.filter((c) => c.name() !== "serve" && c.commands.length === 0).map((c) => c.name());
    expect(printing.length).toBeGreaterThan(12);
    for (const name of printing) {
      if (name !== "schema") expect(flags(name), name).toContain("--format");
      expect(flags(name), name).toContain("--out");
      const format = program.commands.find((c) => c.name() === name)!.options.find((o) => o.long === "--format");
      if (format?.description.includes("csv")) expect(flags(name), name).toContain("--precision");
    }
    // Subcommands (burnrate system …) print too.
    for (const sub of program.commands.flatMap((c) => c.commands)) {
      const long = sub.options.map((o) => o.long);
      expect(long, sub.name()).toContain("--format");
      expect(long, sub.name()).toContain("--out");
    }
  });
  it("--period offers month, quarter and year wherever it is offered", () => {
    const withPeriod = program.commands.filter((c) => c.commands.length === 0 && c.options.some((o) => o.long === "--period")).map((c) => c.name());
    expect(withPeriod.sort()).toEqual(["export", "run", "simulate"]);
    for (const name of withPeriod) expect(program.commands.find((c) => c.name() === name)!.options.find((o) => o.long === "--period")!.description, name).toMatch(/^(csv: )?month \| quarter \| year/);
  });
  it("each Monte Carlo command states its default number of paths in --help", () => {
    const flat = (text: string) => text.replace(/\s+/g, " ");
    expect(flat(help("simulate"))).toContain(`Monte Carlo paths (default ${DEFAULT_SIMULATION_PATHS.toLocaleString("en-US")})`);
    expect(flat(help("sensitivity"))).toContain(`Monte Carlo paths for --global (default ${DEFAULT_GLOBAL_PATHS.toLocaleString("en-US")};`);
    expect(flat(help("solve"))).toContain(`Monte Carlo paths per trial for statistical targets (default ${DEFAULT_SOLVE_PATHS.toLocaleString("en-US")})`);
  });
  it("compare, sensitivity, sources and actuals write CSV rounded to --precision (no float noise), full with --precision full", async () => {
    const compare = await runCli("compare", "models/xai.yaml", "models/xai.yaml:no-new-equity", "--format", "csv");
    expect(compare.code).toBe(0);
    expect(compare.stdout).toContain("models/xai.yaml,revenue,2026,2000\n");
    expect(compare.stdout).not.toMatch(/\d\.\d{7,}/);
    expect((await runCli("compare", "models/xai.yaml", "--format", "csv", "--precision", "full")).stdout).toContain("models/xai.yaml,revenue,2026,1999.9999999999998\n");
    const sensitivity = await runCli("sensitivity", join("test", "fixtures", "uncertainty", "sim.yaml"), "--format", "csv", "--precision", "2");
    expect(sensitivity.code).toBe(0);
    expect(sensitivity.stdout).not.toMatch(/\d\.\d{3,}/);
    const sources = await runCli("sources", small, "--format", "csv", "--precision", "0");
    expect(sources.code).toBe(0);
    expect(sources.stdout.split("\n")[0]).toMatch(/^path,value,/);
  });
});

describe("burnrate check", () => {
  it("passes a valid model", async () => {
    const r = await runCli("check", small);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("ok");
  });
  it("lists every error as FILE:LINE:COL and exits 1 without a stack trace", async () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(file, readFileSync(join(root, small), "utf8").replace("company: Small Co", "compny: Small Co").replace("rate: 0.25", "rate: high"));
    const r = await runCli("check", file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:3:3: unknown key "compny" — did you mean "company"?`);
    expect(r.stderr).not.toContain("required key \"company\" is missing");
    expect(r.stderr).toContain("2 errors");
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+: expected a number, got text "high" \(at tax\.rate\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
  it("--strict fails on inputs without a source or assumption", async () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-"));
    const file = join(dir, "uncited.yaml");
    writeFileSync(file, "meta: { company: U, start: 2025-01, months: 3, assumption: test }\nopeningBalance: { cash: 5, paidInCapital: 5 }\nlines:\n  sales: { type: revenue, value: 7 }\n");
    const r = await runCli("check", "--strict", file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("openingBalance.cash = 5 has neither a source nor an assumption");
    expect(r.stderr).toContain("lines.sales.value = 7 has neither a source nor an assumption");
    expect(r.stderr).not.toContain("meta.months");
  });
  it("checks the uncertain section, and --strict wants its ranges sourced", async () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-"));
    const file = join(dir, "unc.yaml");
    const body = "meta: { company: U, start: 2025-01, months: 3, assumption: test }\nopeningBalance: { cash: 5, paidInCapital: 5, assumption: test }\ndrivers: { price: { constant: 2, assumption: test } }\nlines:\n  sales: { type: revenue, value: price, assumption: test }\n";
    writeFileSync(file, body + "uncertain:\n  p: { path: drivers.prise.constant, distribution: normal, mean: 2, sd: 0.1, assumption: test }\n");
    const bad = await runCli("check", file);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unc\.yaml:7:\d+: no input at drivers\.prise\.constant — did you mean "drivers\.price\.constant"\?/);
    writeFileSync(file, body + "uncertain:\n  p: { path: drivers.price.constant, distribution: normal, mean: 2, sd: 0.1 }\n");
    expect((await runCli("check", file)).code).toBe(0);
    const strict = await runCli("check", "--strict", file);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('uncertain input "p" has neither a source nor an assumption');
  });
  it("checks every scenario", async () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-"));
    const file = join(dir, "scen.yaml");
    writeFileSync(file, readFileSync(join(root, small), "utf8").replace("drivers.revenue.yearly.2026", "drivers.revenue.yearly.2027"));
    const r = await runCli("check", file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('scenario "slow": the override\'s path drivers.revenue.yearly.2027 does not exist');
  });
  it("says clearly when the file does not exist", async () => {
    const r = await runCli("check", "nope.yaml");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("nope.yaml: no such file");
  });
});

describe("burnrate schema", () => {
  it("prints a JSON Schema with the model's sections", async () => {
    const r = await runCli("schema");
    const schema = JSON.parse(r.stdout);
    expect(schema.$schema).toMatch(/json-schema/);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["meta", "openingBalance", "drivers", "lines", "fleet", "financing", "oneOffs", "tax", "workingCapital", "scenarios", "targets", "uncertain", "correlation", "sites", "pricing", "utilization", "contracts", "rental"]));
  });
});

describe("the installed binary (end to end)", () => {
  const bin = join(root, "bin", "burnrate.cjs");
  beforeAll(() => {
    if (!existsSync(join(root, "dist", "cli", "main.js"))) execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "ignore" });
  });
  it("runs the shipped example model", () => {
    const r = spawnSync(process.execPath, [bin, "run", "models/example.yaml"], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Example GPU Cloud — USD millions");
    expect(r.stdout).toContain("Funding gap");
  });
  it("exits 1 with a positioned message on a bad model", () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "meta:\n  company: X\n  start: 2025-01\n  months: 0\nopeningBalance: { cash: 1 }\n");
    const r = spawnSync(process.execPath, [bin, "check", file], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml:4:11: at least 1 expected, got number 0 \(at meta\.months\)/);
  });
  it("prints its version and help", () => {
    const r = spawnSync(process.execPath, [bin, "--help"], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Usage: burnrate");
  });
  it("rejects an unknown command with a suggestion", () => {
    const r = spawnSync(process.execPath, [bin, "rn", "models/example.yaml"], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("unknown command 'rn'");
  });
});
