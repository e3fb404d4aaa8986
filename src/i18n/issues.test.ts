import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { RESOURCES, LANGUAGES, createTranslator } from "./index.js";
import { issueMessage } from "./issues.js";
import { loadModelText } from "../model/load.js";
import { ModelError, type ModelIssue } from "../model/issues.js";

const SRC = join(import.meta.dirname, "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "testing" || name === "bench" ? [] : sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

/**
 * Every issue code the source can emit: string literals given as a `code:` or as the first
 * argument of the helpers that build issues and errors, plus the codes built at run time
 * from another module's list (`distribution_<DistributionErrorCode>`, `correlation_<…>`).
 */
function emittedCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  const patterns = [
    /\bcode:\s*"([a-z][a-z0-9_]*)"/g,
    /\b(?:error|warning|fail|issue)\(\s*(?:loaded,\s*)?"([a-z][a-z0-9_]*)"/g,
    /\bunknownRef\(\s*"([a-z][a-z0-9_]*)"/g,
    /new (?:UsageError|EngineError|ModelError)\(\s*"([a-z][a-z0-9_]*)"/g,
  ];
  // These two modules' codes reach users only with a prefix (see uncertainty/spec.ts).
  const PREFIXED: Record<string, [string, string]> = { "distributions.ts": ["DistributionErrorCode", "distribution_"], "nearestCorrelation.ts": ["CorrelationProblemCode", "correlation_"] };
  for (const file of sourceFiles(SRC)) {
    if (file.includes(join("src", "i18n"))) continue;
    const text = readFileSync(file, "utf8");
    const name = file.slice(SRC.length + 1);
    const prefixed = Object.entries(PREFIXED).find(([f]) => file.endsWith(f));
    if (prefixed) {
      const [typeName, prefix] = prefixed[1];
      const m = new RegExp(`type ${typeName} =([^;]+);`).exec(text);
      for (const c of m ? [...m[1].matchAll(/"([a-z_]+)"/g)].map((x) => x[1]) : []) codes.set(`${prefix}${c}`, name);
      continue;
    }
    for (const re of patterns) for (const m of text.matchAll(re)) codes.set(m[1], name);
  }
  // Words that match the patterns but are not issue codes (error codes of Node, option values).
  for (const notACode of ["ENOENT", "EACCES"]) codes.delete(notACode);
  return codes;
}

describe("engine messages in every language (issues namespace)", () => {
  const codes = emittedCodes();

  it("finds the codes the engine emits", () => {
    expect(codes.size).toBeGreaterThan(100);
    const missing = ["unknown_key", "opening_unbalanced", "distribution_negative_sd", "correlation_not_symmetric", "bad_paths", "not_finite", "yaml_syntax"].filter((c) => !codes.has(c));
    expect(missing).toEqual([]);
  });

  for (const lang of LANGUAGES) {
    it(`has a template for every code in ${lang}`, () => {
      const issues = (RESOURCES[lang] as Record<string, Record<string, unknown>>).issues;
      const missing = [...codes].filter(([code]) => typeof issues[code] !== "string").map(([code, file]) => `${code} (${file})`);
      expect(missing).toEqual([]);
    });
  }

  it("resolves a broken model's issues in Arabic with every placeholder filled", () => {
    const broken = [
      "meta: { company: X, start: 2025-01, months: 12, compny: 1 }\nopeningBalance: { cash: 10 }\n",
      "meta: { company: X, start: 2025-01, months: 12 }\nopeningBalance: { cash: 10, retainedEarnings: 3 }\n",
      "meta: { company: X, start: 2025-01, end: 2024-01 }\nopeningBalance: { cash: 10, paidInCapital: 10 }\n",
      "meta: { company: X, start: 2025-01, months: 12 }\nopeningBalance: { cash: 10, paidInCapital: 10 }\ndrivers: { a: 'b + 1', b: 'a * 2', c: 'nope * 2' }\n",
      "meta: { company: X, start: 2025-01, months: 12 }\nopeningBalance: { cash: 10, paidInCapital: 10 }\nlines: { r: { type: revnue, value: 1 } }\n",
      "meta: { company: X, start: 2025-01, months: 12 }\nopeningBalance: { cash: 10, paidInCapital: 10 }\ndrivers: { g: { yearly: { 2025: 1 }, fill: flat } , y: { yearly: { 2024: 1 } } }\n",
    ];
    const ar = createTranslator("ar");
    let seen = 0;
    for (const text of broken) {
      let issues: ModelIssue[] = [];
      try {
        loadModelText(text, "broken.yaml");
      } catch (error) {
        if (error instanceof ModelError) issues = error.issues;
        else throw error;
      }
      expect(issues.length, text).toBeGreaterThan(0);
      for (const issue of issues) {
        const message = issueMessage(issue, ar);
        seen++;
        expect(message, `${issue.code}: ${message}`).not.toMatch(/\{\{|undefined|NaN/);
        expect(message, issue.code).toMatch(/[\u0600-\u06FF]/);
      }
    }
    expect(seen).toBeGreaterThanOrEqual(6);
  });
});
