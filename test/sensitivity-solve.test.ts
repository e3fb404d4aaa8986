import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { runCli } from "./support/cli.js";

const fx = (name: string) => join("test", "fixtures", "uncertainty", name);
const linear = fx("sens-linear.yaml");
const cash = fx("solve-cash.yaml");
const odds = fx("solve-stat.yaml");

describe("burnrate sensitivity", () => {
  it("prints the tornado sorted by swing, the spider and notes", async () => {
    const r = await runCli("sensitivity", linear, "--metric", "endingCash");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const out = r.stdout;
    expect(out).toContain("Sensitivity of endingCash: Cash at the end of the horizon — USD millions");
    expect(out).toContain("Every uncertain input at its median: 120.0    Model as written: 108.0");
    const tornado = out.slice(out.indexOf("Tornado"), out.indexOf("Spider"));
    const order = ["price", "staff", "raise", "valuation"].map((name) => tornado.indexOf(`\n${name} `));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]))).toBe(true);
    expect(tornado).toMatch(/price\s+drivers\.price\.constant\s+8\.40\s+11\.60\s+100\.8\s+139\.2\s+38\.4/);
    expect(out).toMatch(/price\s+10\.00\s+84\.0\s+96\.0\s+108\.0\s+120\.0\s+132\.0\s+144\.0\s+156\.0/);
    expect(out).not.toContain("Global");
  });

  it("adds the Monte Carlo ranking with --global, explaining contribution to variance", async () => {
    const r = await runCli("sensitivity", linear, "--metric", "revenue@2025", "--global", "-n", "500", "--seed", "2");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Global — Spearman rank correlation .* over 500 Monte Carlo paths \(seed 2\)/);
    expect(r.stdout).toMatch(/price\s+drivers\.price\.constant\s+1\.000\s+\d+\.\d%/);
    expect(r.stdout).toContain("(how @RISK and Crystal Ball report it)");
  });

  it("writes the documented JSON and a CSV", async () => {
    const json = await runCli("sensitivity", fx("sens-months.yaml"), "--metric", "cashOut", "--format", "json");
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    for (const key of ["model", "metric", "modelValue", "baseValue", "at", "tornado", "spider", "global", "processes", "notes"]) expect(report).toHaveProperty(key);
    expect(report.tornado[0]).toMatchObject({ input: "delay", metricAtLow: "2026-02", metricAtHigh: "2025-04", swing: 10 });
    const csv = await runCli("sensitivity", linear, "--metric", "endingCash", "--format", "csv", "--global", "-n", "100");
    const lines = csv.stdout.trim().split("\n");
    expect(lines[0]).toBe("analysis,input,path,point,inputValue,metric,swing,spearman,contribution");
    expect(lines).toHaveLength(1 + 4 * 2 + 4 * 7 + 4);
    const first = lines[1].split(",");
    expect(first.slice(0, 4)).toEqual(["tornado", "price", "drivers.price.constant", "p10"]);
    [8.4, 100.8, 38.4].forEach((v, i) => expect(Number(first[4 + i])).toBeCloseTo(v, 9));
    expect(first.slice(7)).toEqual(["", ""]);
  });

  it("reports bad input clearly", async () => {
    const cases: [string[], RegExp][] = [
      [["--metric", "runwayMonth"], /unknown metric "runwayMonth" — did you mean "runwayMonths"\?/],
      [["--metric", "revenue"], /"revenue" is a line item: say in which period/],
      [["--at", "p90,p10"], /lower quantile first/],
      [["--at", "10,90"], /--at takes two quantiles such as p10,p90/],
      [["-n", "0"], /-n must be a whole number of paths ≥ 1 \(got 0\)/],
      [["-n", "1000000000"], /more paths than burnrate runs \(at most 100,000,000\)/],
      [["-n", "ten"], /-n must be a whole number \(got "ten"\)/],
      [["--format", "xml"], /--format must be one of table, json, csv/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli("sensitivity", linear, ...args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/internal error|at .*\.ts:/);
    }
  });

  it("points at a negative sd in the uncertain section", async () => {
    const r = await runCli("sensitivity", fx("sens-bad-sd.yaml"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sens-bad-sd\.yaml:19:9: standard deviation \(sd\) must be greater than 0 \(got -1\).*\(at uncertain\.price\.sd\)/);
  });

  it("asks for an uncertain section when there is none", async () => {
    const r = await runCli("sensitivity", cash);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no uncertain: section/);
  });
});

describe("burnrate solve", () => {
  it("finds the raise that keeps minimum cash at 0", async () => {
    const r = await runCli("solve", cash, "--vary", "financing.equity.seed.amount", "--target", "minCash >= 0", "--format", "json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.answer.value).toBeCloseTo(140, 6);
    expect(report.answer.holds).toBe(true);
    expect(report.found).toBe(true);
    const table = await runCli("solve", cash, "--vary", "financing.equity.seed.amount", "--target", "minCash >= 0");
    expect(table.stdout).toMatch(/Answer\s+140\s+minCash = 0.000 — holds/);
    expect(table.stdout).toMatch(/Evaluations\s+\d+/);
  });

  it("takes months for a month input and for --between", async () => {
    const r = await runCli("solve", cash, "--scenario", "bigRaise", "--vary", "financing.equity.seed.month", "--between", "2025-02", "2026-06", "--target", "minCash >= 0");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Answer\s+2025-11\s+minCash = 0.000 — holds/);
    expect(r.stdout).toMatch(/Other side\s+2025-12\s+minCash = \(10.000\) — fails; bracket width 1 month/);
  });

  it("solves a month target on breakeven", async () => {
    const r = await runCli("solve", cash, "--vary", "drivers.slope.constant", "--target", "breakeven <= 2025-06", "--format", "json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.answer.value).toBeCloseTo(2, 8);
    expect(report.answer.measured).toBe("2025-06");
  });

  it("exits 1 with the metric at both ends when no value meets the target", async () => {
    const r = await runCli("solve", cash, "--vary", "financing.equity.seed.amount", "--between", "0", "50", "--target", "minCash >= 0");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("none in the range");
    expect(r.stderr).toMatch(/burnrate: no value of financing\.equity\.seed\.amount in \[0, 50\] meets "minCash >= 0": minCash = -140 at 0, minCash = -90 at 50/);
  });

  it("accepts negative bounds and A,B", async () => {
    const r = await runCli("solve", cash, "--vary", "financing.equity.seed.amount", "--between", "-10,500", "--target", "minCash >= 0", "--format", "json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).range.from.value).toBe(-10);
  });

  it("gives the same statistical answer twice, meeting the target", async () => {
    const args = ["solve", odds, "--vary", "financing.equity.seed.amount", "--target", "P(cashOut) <= 0.05", "-n", "1000", "--seed", "4"];
    const a = await runCli(...args);
    const b = await runCli(...args);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/Paths\s+1,000 per trial, seed 4; every trial uses the same sampled inputs \(common random numbers\)/);
    expect(a.stdout).toMatch(/Answer\s+18\d\.\d+\s+P\(cashOut\) = [0-4](\.\d+)?% — holds|Answer\s+18\d\.\d+\s+P\(cashOut\) = 5% — holds/);
    expect(a.stdout).toMatch(/Other side\s+18\d\.\d+\s+P\(cashOut\) = 5\.\d+% — fails/);
  });

  it("reports bad input clearly", async () => {
    const base = ["solve", cash, "--vary", "financing.equity.seed.amount"];
    const cases: [string[], RegExp][] = [
      [["solve", cash, "--vary", "financing.equity.sed.amount", "--target", "minCash >= 0"], /no input at financing\.equity\.sed\.amount — did you mean "financing\.equity\.seed\.amount"\?/],
      [[...base, "--target", "minCsh >= 0"], /unknown metric "minCsh" — did you mean "minCash"\?/],
      [[...base, "--target", "minCash => 0"], /write >= instead of =>/],
      [[...base, "--target", "minCash"], /no comparison/],
      [[...base, "--target", "minCash >= 0", "--between", "50", "10"], /--between A B needs A < B \(got 50 and 10\)/],
      [[...base, "--target", "minCash >= 0", "--between", "50"], /--between takes two values/],
      [[...base, "--target", "minCash >= 0", "--between", "a", "b"], /--between: "a" is not a number/],
      [["solve", cash, "--vary", "financing.equity.seed.month", "--target", "minCash >= 0", "--between", "3", "9"], /is a month; give months as YYYY-MM/],
      [["solve", odds, "--vary", "financing.equity.seed.amount", "--target", "P(cashOut) <= 0.05", "-n", "0"], /-n must be a whole number of paths ≥ 1 \(got 0\)/],
      [["solve", odds, "--vary", "financing.equity.seed.amount", "--target", "P(cashOut) <= 0.05", "-n", "200000000"], /at most 100,000,000/],
      [[...base, "--target", "P(cashOut) <= 0.05"], /no uncertain: section/],
      [[...base, "--target", "minCash >= 0", "--tolerance", "0"], /--tolerance must be a number > 0/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(...args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/internal error/);
    }
  });

  it("requires --vary and --target", async () => {
    const r = await runCli("solve", cash, "--target", "minCash >= 0");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/required option '--vary <path>' not specified/);
  });
});
