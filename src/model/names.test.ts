import { describe, it, expect, afterEach } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadModelText, checkAllScenarios } from "../index.js";
import { ModelError, formatIssue } from "./issues.js";
import { applyOverrides } from "./scenarios.js";
import { parseFormula, isFormulaError } from "./formula.js";
import { compileModel } from "../engine/compile.js";
import { evaluate } from "../engine/project.js";

const root = join(import.meta.dirname, "..", "..");
const small = readFileSync(join(root, "test", "fixtures", "small.yaml"), "utf8");
const gpuExample = readFileSync(join(root, "models", "gpu-cloud-example.yaml"), "utf8");

/** Names inherited by every plain object: none may resolve unless the file defines it. */
const INHERITED = ["toString", "valueOf", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "__defineGetter__", "__lookupGetter__"];
const RESERVED = ["__proto__", "constructor", "prototype"];

function problems(text: string, scenario?: string): string[] {
  try {
    const loaded = loadModelText(text, "m.yaml", { scenario });
    return checkAllScenarios(loaded).map(formatIssue);
  } catch (error) {
    if (error instanceof ModelError) return error.issues.map(formatIssue);
    throw error;
  }
}

function prototypeSnapshot(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort();
}

const before = prototypeSnapshot();
afterEach(() => {
  expect(prototypeSnapshot()).toEqual(before);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

const withScenario = (path: string, op = "set: 1") => `${small}  hostile:\n    overrides:\n      - { path: "${path}", ${op} }\n`;

describe("a scenario override cannot reach Object.prototype", () => {
  for (const path of ["__proto__.polluted", "drivers.__proto__.polluted", "constructor.prototype.polluted", "lines.sales.constructor.prototype.polluted", "drivers.revenue.yearly.__proto__"]) {
    it(`refuses ${path} with a positioned error`, () => {
      const found = problems(withScenario(path), "hostile");
      expect(found.join("\n")).toMatch(/^m\.yaml:\d+:\d+: .*the override's path .* goes through "(__proto__|constructor|prototype)"/m);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }
  it("does not follow inherited names such as toString on the way", () => {
    const found = problems(withScenario("drivers.toString.x"), "hostile");
    expect(found.join("\n")).toMatch(/does not exist in the model \(nothing at drivers\.toString\)/);
  });
  it("never changes the data it was given (other scenarios and the base case see the original)", () => {
    const data = { drivers: { a: { yearly: { 2025: 1, 2026: 2 } }, b: 3 }, lines: {} };
    const frozen = JSON.stringify(data);
    const out = applyOverrides(data, [{ path: "drivers.a.yearly", multiply: 2 }, { path: "drivers.b", set: 4 }, { path: "drivers.a.yearly.2025", add: 1 }], (i) => ["o", i]);
    expect(out.issues).toEqual([]);
    expect(JSON.stringify(data)).toBe(frozen);
    expect(out.data).toEqual({ drivers: { a: { yearly: { 2025: 3, 2026: 4 } }, b: 4 }, lines: {} });
    // What no override touched is shared, not copied.
    expect((out.data as typeof data).lines).toBe(data.lines);
  });
  it("refuses overrides of the scenarios section itself", () => {
    expect(problems(withScenario("scenarios.slow.description", 'set: "x"'), "hostile").join("\n")).toMatch(/a scenario cannot change scenarios/);
  });
});

describe("reserved keys are refused where they are written", () => {
  const cases: [string, string][] = [
    ["a line", small.replace("  sales:", "  __proto__:")],
    ["a driver", small.replace("  costShare: 0.4", "  constructor: 0.4\n  costShare: 0.4")],
    ["a cohort", small.replace("  gpus:", "  prototype:")],
    ["a tranche", small.replace("    term:", "    constructor:")],
    ["a scenario", small.replace("  slow:", "  __proto__:")],
    ["a nested YAML key", small.replace("  ppeNet: 24", "  ppeNet: 24\n  note: { __proto__: { polluted: 1 } }")],
    ["an uncertain input", `${small}uncertain:\n  __proto__: { path: drivers.costShare, distribution: uniform, min: 0.3, max: 0.5 }\n`],
    ["a target", `${small}targets:\n  constructor: { metric: revenue, period: 2025, value: 120, source: x }\n`],
    ["a site", gpuExample.replace(/^sites:\n  (\w+):/m, "sites:\n  __proto__:")],
    ["a contract", gpuExample.replace(/^contracts:\n  (\S+):/m, "contracts:\n  constructor:")],
    ["a JSON key", JSON.stringify({ meta: { company: "J", start: "2025-01", months: 12 }, openingBalance: { cash: 1, paidInCapital: 1 }, drivers: { ["__proto__"]: 1 } }).replace('"drivers":{}', '"drivers":{"__proto__":1}')],
  ];
  for (const [what, text] of cases) {
    it(`in ${what}`, () => {
      expect(text).toMatch(/__proto__|constructor|prototype/);
      const found = problems(text);
      expect(found.join("\n")).toMatch(/^m\.yaml:\d+:\d+: "(__proto__|constructor|prototype)" cannot be used as a key/m);
    });
  }
});

describe("formula names resolve only to built-ins and drivers the file defines", () => {
  const isDriver = (n: string) => n === "price";
  for (const text of [...RESERVED.map((n) => `${n} + 1`), ...INHERITED.map((n) => `${n}(1)`), ...INHERITED.map((n) => `price * ${n}`), "prev(constructor)", "prev(toString, 1)"]) {
    it(`"${text}" is an error naming the unknown name`, () => {
      const parsed = parseFormula(text, isDriver);
      expect(isFormulaError(parsed)).toBe(true);
      if (isFormulaError(parsed)) expect(parsed.message).toMatch(/unknown (name|function)|takes the name of a driver/);
    });
  }
  it("inherited names are ordinary names when the file defines them", () => {
    const text = small
      .replace("  costShare: 0.4", "  costShare: 0.4\n  toString: 2\n  hasOwnProperty: \"toString * 3\"")
      .replace('value: "1 + 0.01 * t"', 'value: "hasOwnProperty"')
      .replace("  slow:", "  valueOf:\n    overrides:\n      - { path: drivers.toString, set: 5 }\n  slow:");
    const base = loadModelText(text, "m.yaml");
    const admin = (scenario?: string) => {
      const loaded = loadModelText(text, "m.yaml", { scenario });
      const compiled = compileModel(loaded.model, loaded.extensions);
      const proj = evaluate(compiled);
      return proj.compiled.lines.find((l) => l.name === "admin")!.series[0];
    };
    expect(base.model.drivers.toString).toBe(2);
    expect(admin()).toBe(6);
    expect(admin("valueOf")).toBe(15);
  });
  it("references to sites, generations, tranches and scenarios never resolve to inherited names", () => {
    const text = gpuExample.replace(/^(\s+site:) north$/m, "$1 toString").replace(/^(\s+generation:) H100$/m, "$1 valueOf");
    const found = problems(text).join("\n");
    expect(found).toMatch(/unknown site "toString"/);
    expect(found).toMatch(/unknown generation "valueOf"/);
    const ext = problems(small.replace("  slow:\n", "  slow:\n    extends: hasOwnProperty\n")).join("\n");
    expect(ext).toMatch(/extends "hasOwnProperty", which does not exist|no scenario named "hasOwnProperty"/);
  });
});

describe("property: no model file or override changes Object.prototype", () => {
  const hostile = fc.constantFrom(...RESERVED, ...INHERITED, "drivers", "lines", "sales", "revenue", "yearly", "2025", "0", "meta", "polluted");
  it("arbitrary override paths and values", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ path: fc.array(hostile, { minLength: 1, maxLength: 5 }).map((p) => p.join(".")), op: fc.constantFrom("set", "add", "multiply"), value: fc.oneof(fc.integer(), fc.constant("x")) }), { minLength: 1, maxLength: 4 }), (overrides) => {
        const lines = overrides.map((o) => `      - { path: "${o.path}", ${o.op}: ${JSON.stringify(o.op === "set" ? o.value : 2)} }`).join("\n");
        problems(`${small}  fuzz:\n    overrides:\n${lines}\n`, "fuzz");
        expect(prototypeSnapshot()).toEqual(before);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect((Object.prototype as unknown as Record<string, unknown>)["2025"]).toBeUndefined();
      }),
      { numRuns: 150, seed: 9 },
    );
  });
  it("arbitrary hostile keys anywhere in a file", () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 0, max: 40 }), (key, lineIndex) => {
        const lines = small.split("\n");
        const i = Math.min(lineIndex, lines.length - 1);
        const indent = /^\s*/.exec(lines[i])![0];
        lines.splice(i + 1, 0, `${indent}${key}: { polluted: 1 }`);
        problems(lines.join("\n"));
        expect(prototypeSnapshot()).toEqual(before);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 120, seed: 10 },
    );
  });
});
