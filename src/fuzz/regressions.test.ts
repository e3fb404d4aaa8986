import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import "../index.js";
import { checkCommand } from "../commands/check.js";
import { runCommand } from "../commands/run.js";
import { simulateCommand } from "../commands/simulate.js";
import { runTable } from "../cli/commands/run.js";
import { issueFromJson } from "../commands/issues.js";
import { formatIssue, ModelError, EngineError } from "../model/issues.js";

/**
 * One test per defect the fuzzer found (npm run fuzz; issue 9). Each reproduces the
 * defect with a small hand-written model, so it stays even if the fuzzer's cases change.
 */
const root = join(import.meta.dirname, "..", "..");
const small = readFileSync(join(root, "test", "fixtures", "small.yaml"), "utf8");
const gpu = readFileSync(join(root, "models", "gpu-cloud-example.yaml"), "utf8");

describe("defects found by the fuzzer", () => {
  it("a distribution whose values overflow is a positioned error, not ∞ in the report (seed 1, cases 27, 144, 167, 240: a triangular from −1e308 to 1e308, now refused as numbers; here a lognormal)", async () => {
    const text = `${small}uncertain:\n  wide: { path: drivers.costShare, distribution: lognormal, mu: 700, sigma: 10 }\n`;
    const report = checkCommand({ text, file: "m.yaml" });
    expect(report.valid).toBe(false);
    expect(report.issues.map((i) => formatIssue(issueFromJson(i)))).toEqual(["m.yaml:73:50: the lognormal distribution's values overflow double-precision numbers (mean or percentiles are infinite); give parameters of a sensible size (at uncertain.wide.distribution)"]);
    await expect(simulateCommand({ text, file: "m.yaml" }, { paths: 10 })).rejects.toBeInstanceOf(ModelError);
  });
  it("numbers above 1e15 are refused where they are written: a cash floor of 1e308 made the mean funding gap NaN, a PERT up to 1e308 took 100 ms a sample (seed 1, cases 2672, 2910)", () => {
    for (const [find, replace] of [["cashFloor: 10", "cashFloor: 1e308"], ["cash: 100", "cash: -2e15"]]) {
      const report = checkCommand({ text: small.replace(find, replace), file: "m.yaml" });
      expect(report.issues.map((i) => formatIssue(issueFromJson(i))).join("\n")).toMatch(/^m\.yaml:\d+:\d+: (1e\+308|-2000000000000000) is larger than 1e\+15 in absolute value/);
    }
    const pert = `${small}uncertain:\n  wide: { path: drivers.costShare, distribution: pert, min: 0.1, mode: 0.4, max: 1e308 }\n`;
    expect(checkCommand({ text: pert, file: "m.yaml" }).issues[0].code).toBe("number_too_large");
  });
  it("a valuation multiple over a vanishing revenue is left out, not ∞ (seed 1, cases 57, 146, 199, 294)", () => {
    const text = small.replace("  sales: { type: revenue, value: revenue }", "  sales: { type: revenue, value: 1e-310 }").replace("  hosting: { type: costOfRevenue, value: \"revenue * costShare\" }", "  hosting: { type: costOfRevenue, value: 1 }");
    const result = runCommand({ text, file: "m.yaml" });
    expect(result.metrics.equityRounds[0].valuationToAnnualizedRevenue).toBeNull();
    expect(runTable(result, "year")).not.toMatch(/∞|Infinity|NaN/);
  });
  it("a warning about a thousand contracts names ten and counts the rest (seed 1, case 245)", () => {
    const copies = Array.from({ length: 1000 }, (_, i) => `  extra${i}:\n    customer: Extra ${i}\n    site: north\n    start: 2025-10\n    termMonths: 12\n    gpus: 1000\n    pricePerGpuHour: 2\n`).join("");
    const text = gpu.replace(/^contracts:\n/m, `contracts:\n${copies}`);
    const report = checkCommand({ text, file: "gpu.yaml" });
    const lines = report.issues.map((i) => formatIssue(issueFromJson(i)));
    const over = lines.find((l) => l.includes("commit up to"))!;
    expect(over).toMatch(/contracts extra0, extra1, extra2, [^…]*, … \(1,00\d in all\) commit up to/);
    for (const line of lines) expect(line.length).toBeLessThan(2000);
  });
  it("a tranche with a spread but no base is refused where it is written, not a crash in the engine (seed 1, case 1443)", () => {
    const text = small.replace("      base: base\n", "");
    const report = checkCommand({ text, file: "m.yaml" });
    expect(report.issues.map((i) => formatIssue(issueFromJson(i)))).toContain("m.yaml:52:7: a floating tranche needs a `base` (the driver holding the base rate) as well as its `spread` (at financing.debt.floating.base)");
    expect(() => runCommand({ text, file: "m.yaml" })).toThrow(ModelError);
  });
  it("a horizon of 8,000 years is one short error, not a list of every missing year (seed 1, case 965)", () => {
    const text = small.replace("months: 24", "end: 9999-12");
    const report = checkCommand({ text, file: "m.yaml" });
    expect(report.issues.map((i) => formatIssue(issueFromJson(i)))).toEqual(["m.yaml:7:8: the horizon is 95700 months; at most 600 (50 years) are supported (at meta.end)"]);
  });
  it("huge components that cancel (share-settled pay of 9e16 a month) are a precision limit, not a bug (seed 1, case 4991)", () => {
    const text = small.replace("  staff: { type: operatingExpense, category: R&D, value: 3 }", "  staff: { type: operatingExpense, category: R&D, value: '9e14 * 100', nonCash: true }");
    let message = "";
    try {
      runCommand({ text, file: "m.yaml" });
    } catch (error) {
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).code).toBe("precision_limit");
      message = (error as Error).message;
    }
    expect(message).toMatch(/amounts reach 9\.\d+e\+16 in the model's unit, beyond what double-precision arithmetic keeps to 0\.000001 — a precision limit/);
  });
});
