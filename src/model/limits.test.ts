import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadModelText, checkAllScenarios } from "../index.js";
import { ModelError, formatIssue } from "./issues.js";
import { parseFormula, isFormulaError, MAX_FORMULA_LENGTH, MAX_FORMULA_OPERATORS, MAX_FORMULA_NESTING } from "./formula.js";
import { MAX_NESTING_DEPTH } from "./source.js";
import { compileModel } from "../engine/compile.js";
import { evaluate } from "../engine/project.js";

/**
 * Bounded work for any input (hardening, issue 9, class 5): no formula, file or chain of
 * drivers may exhaust the stack or take time that grows faster than the file. Timeouts
 * here are hang detectors (seconds for work that takes milliseconds), not measurements.
 */
const root = join(import.meta.dirname, "..", "..");
const small = readFileSync(join(root, "test", "fixtures", "small.yaml"), "utf8");

function problems(text: string): string[] {
  try {
    const loaded = loadModelText(text, "m.yaml");
    return checkAllScenarios(loaded).map(formatIssue);
  } catch (error) {
    if (error instanceof ModelError) return error.issues.map(formatIssue);
    throw error;
  }
}

/** The small model with one more driver `big` and the admin line reading it. */
const withFormula = (formula: string) => small.replace("costShare: 0.4", `costShare: 0.4\n  big: "${formula}"`).replace('value: "1 + 0.01 * t"', 'value: "big"');

function adminInFirstMonth(text: string): number {
  const loaded = loadModelText(text, "m.yaml");
  const proj = evaluate(compileModel(loaded.model, loaded.extensions));
  return proj.compiled.lines.find((l) => l.name === "admin")!.series[0];
}

const isDriver = (n: string) => n === "x";

describe("formulas have limits, checked before the recursive parser runs", () => {
  it("5,000 + terms, a 50,000-term ^ chain and a 1 MB formula are positioned errors, not crashes", () => {
    const cases = [Array(5000).fill("x").join(" + "), Array(50000).fill("1").join(" ^ "), "1+".repeat(500_000) + "1", "(".repeat(100_000) + "1" + ")".repeat(100_000), "-".repeat(100_000) + "1"];
    for (const text of cases) {
      const parsed = parseFormula(text, isDriver);
      expect(isFormulaError(parsed)).toBe(true);
      if (!isFormulaError(parsed)) continue;
      expect(parsed.code).toBe("formula_too_complex");
      expect(parsed.index).toBeGreaterThanOrEqual(0);
      expect(parsed.message.length).toBeLessThan(300);
    }
    for (const formula of [Array(5000).fill("t").join(" + "), Array(50000).fill("1").join(" ^ ")]) {
      const found = problems(withFormula(formula)).join("\n");
      expect(found).toMatch(/^m\.yaml:\d+:\d+: the formula ".{1,61}" is too complex: .* \(at character \d+\); split it into several drivers \(at drivers\.big\)$/m);
    }
  });
  it("right at the limits a formula parses and evaluates (the engine's recursion copes)", () => {
    const ops = MAX_FORMULA_OPERATORS;
    expect(adminInFirstMonth(withFormula(Array(ops + 1).fill("1").join("+")))).toBe(ops + 1);
    expect(adminInFirstMonth(withFormula(Array(ops + 1).fill("1").join("^")))).toBe(1);
    expect(adminInFirstMonth(withFormula("(".repeat(MAX_FORMULA_NESTING) + "2" + ")".repeat(MAX_FORMULA_NESTING)))).toBe(2);
    expect(adminInFirstMonth(withFormula("-".repeat(MAX_FORMULA_NESTING - 1) + "3"))).toBe(-3);
  });
  it("one past each limit is refused, saying which", () => {
    const over = (text: string) => {
      const parsed = parseFormula(text, isDriver);
      return isFormulaError(parsed) ? parsed.message : "accepted";
    };
    expect(over(Array(MAX_FORMULA_OPERATORS + 2).fill("1").join("+"))).toMatch(/more than 2,000 operators/);
    expect(over("(".repeat(MAX_FORMULA_NESTING + 1) + "1" + ")".repeat(MAX_FORMULA_NESTING + 1))).toMatch(/parentheses nested more than 100 deep/);
    expect(over("x" + " ".repeat(MAX_FORMULA_LENGTH))).toMatch(/20,001 characters, more than 20,000/);
    // Brackets inside a month argument are text, not nesting.
    expect(over(`after("${"(".repeat(200)}")`)).toMatch(/takes months written as "YYYY-MM"/);
  });
  it("messages quote only the start of a long formula", () => {
    const parsed = parseFormula("x + " + "y".repeat(5000), isDriver);
    expect(isFormulaError(parsed) && parsed.message.length < 200).toBe(true);
  });
});

describe("YAML cannot make parsing unbounded", () => {
  it("flow collections nested deeper than the limit are refused at once, at their position (5 MB of '[')", () => {
    const found = problems("meta: " + "[".repeat(5 * 1024 * 1024 - 20) + "\n");
    expect(found).toEqual([`m.yaml:1:${7 + MAX_NESTING_DEPTH}: the file nests mappings or lists more than 64 levels deep; a model needs far fewer — check the brackets and indentation here`]);
  }, 30_000);
  it("a file with more tokens than the limit is refused before the parser runs (seed 1, case 4017: 800 copies of a correlation matrix took a minute)", () => {
    const numbers = Array.from({ length: 300_000 }, () => "1").join(", ");
    const found = problems(`meta: { company: X, start: 2025-01, months: 12 }\nlist: [${numbers}]\n`);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^m\.yaml:2:\d+: the file has more than 500,000 YAML tokens \(keys, values and punctuation\) by here; a model needs far fewer — check that this is the right file$/);
  }, 30_000);
  it("block nesting too", () => {
    const text = "meta:\n" + Array.from({ length: 80 }, (_, i) => "  ".repeat(i + 1) + `k${i}:\n`).join("") + "  ".repeat(81) + "x: 1\n";
    expect(problems(text).join("\n")).toMatch(/nests mappings or lists more than 64 levels deep/);
  });
  it("brackets in quotes, comments and block scalars are not nesting", () => {
    const text = small.replace("  assumption: test fixture\nopeningBalance:", `  assumption: "${"[".repeat(100)}"\n  note: |\n    ${"{".repeat(100)}\nopeningBalance:`);
    expect(problems(text)).toEqual([]);
  });
  it("an alias bomb is refused", () => {
    const lines = ["a0: &a0 [1,1,1,1,1,1,1,1,1,1]", ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(",")}]`)];
    expect(problems(lines.join("\n")).join("\n")).toMatch(/^m\.yaml:1:1: YAML could not be read: Excessive alias count/);
  });
  it("a huge key is refused without echoing it", () => {
    const found = problems(`meta:\n  ${"k".repeat(900)}: 1\n`).join("\n");
    expect(found).toMatch(/keys are names of at most 256 characters/);
    expect(found.length).toBeLessThan(400);
  });
  it("duplicate keys are found in linear time (50,000 keys in one mapping)", () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `  d${i}: ${i}`).join("\n");
    const found = problems(`meta:\n  company: X\ndrivers:\n${keys}\n  d7: 1\n`).join("\n");
    expect(found).toMatch(/^m\.yaml:50004:3: the key "d7" appears twice in this mapping; keep one \(at drivers\.d7\)$/m);
  }, 30_000);
});

describe("checking is linear in the file, whatever its shape", () => {
  it("1,000 scenarios are each checked without copying the others", () => {
    const scenarios = Array.from({ length: 1000 }, (_, i) => `  s${i}:\n    overrides:\n      - { path: drivers.costShare, set: 0.${(i % 9) + 1} }\n`).join("");
    const loaded = loadModelText(small + scenarios, "m.yaml");
    expect(Object.keys(loaded.model.scenarios)).toHaveLength(1001);
    expect(checkAllScenarios(loaded)).toEqual([]);
    expect(loadModelText(small + scenarios, "m.yaml", { scenario: "s998" }).model.drivers.costShare).toBe(0.9);
  }, 60_000);
  it("a chain of 15,000 drivers, each reading the next, compiles (no recursion on the chain)", () => {
    const n = 15_000;
    const chain = Array.from({ length: n }, (_, i) => `  d${i}: "d${i + 1} + 1"`).join("\n");
    const text = small.replace("costShare: 0.4", `costShare: 0.4\n  d${n}: 1\n${chain}`).replace('value: "1 + 0.01 * t"', 'value: "d0"');
    expect(adminInFirstMonth(text)).toBe(n + 1);
    const cycle = text.replace(`  d${n}: 1`, `  d${n}: "d0"`);
    expect(problems(cycle).join("\n")).toMatch(/circular reference: d\d+ → d\d+ → /);
  }, 60_000);
});
