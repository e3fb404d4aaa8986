import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { parseFormula, isFormulaError, excelRound, type FormulaContext } from "./formula.js";
import { compileKernels } from "./formulaKernel.js";
import { interpretFormula } from "../testing/formulaInterpreter.js";
import { makeCalendar } from "./months.js";

const H = 30;
const calendar = makeCalendar({ year: 2025, month: 11 }, H, 7);
const a = Float64Array.from({ length: H }, (_, t) => Math.sin(t) * 10);
const b = Float64Array.from({ length: H }, (_, t) => t * 0.5 - 3);
const ctx: FormulaContext = {
  series: (name) => (name === "a" ? a : b),
  calendar,
  monthIndex: (m) => (Number(m.slice(0, 4)) * 12 + Number(m.slice(5)) - 1) - (2025 * 12 + 10),
};
const isDriver = (n: string) => n === "a" || n === "b";

function both(text: string): { scalar: number[]; vector: number[] } {
  const parsed = parseFormula(text, isDriver);
  if (isFormulaError(parsed)) throw new Error(parsed.message);
  const fn = interpretFormula(parsed, ctx);
  const out = new Float64Array(H);
  const env = { months: H, params: new Float64Array(0), calendar, monthIndex: ctx.monthIndex, operand: (n: string) => ({ kind: "series" as const, array: ctx.series(n), fixed: false }) };
  for (const step of compileKernels([{ name: "x", parsed, out }], env)) step.run();
  return { scalar: Array.from({ length: H }, (_, t) => fn(t)), vector: Array.from(out) };
}

const expression: fc.Arbitrary<string> = fc.letrec((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom("a", "b", "t", "month", "year", "quarter", "days", "hours", "fiscalYear", "2", "0.5", "prev(a)", "prev(b, 7)", 'after("2026-02")', 'ramp("2025-12", "2026-06")', 'monthsSince("2026-01")'),
    fc.tuple(tie("expr"), fc.constantFrom("+", "-", "*", "/", "^", "<", "<=", ">", ">=", "==", "!=", "&&", "||", "%"), tie("expr")).map(([l, op, r]) => `(${l} ${op} ${r})`),
    fc.tuple(fc.constantFrom("min", "max", "pow"), tie("expr"), tie("expr")).map(([f, x, y]) => `${f}(${x}, ${y})`),
    fc.tuple(fc.constantFrom("abs", "floor", "ceil", "sqrt", "exp", "ln", "round", "-", "!"), tie("expr")).map(([f, x]) => (f === "-" || f === "!" ? `${f}(${x})` : `${f}(${x})`)),
    fc.tuple(tie("expr"), tie("expr"), tie("expr")).map(([c, x, y]) => `if(${c}, ${x}, ${y})`),
    fc.tuple(tie("expr"), tie("expr"), tie("expr")).map(([c, x, y]) => `(${c} ? ${x} : ${y})`),
  ),
})).expr;

describe("the formula language", () => {
  it("evaluates the same month by month (reference interpreter) and compiled to loops", () => {
    fc.assert(
      fc.property(expression, (text) => {
        const { scalar, vector } = both(text);
        expect(vector).toEqual(scalar);
      }),
      { numRuns: 2000 },
    );
  });

  it("follows Excel: unary minus binds tighter than ^, and ROUND is half away from zero", () => {
    expect(both("-2^2").scalar[0]).toBe(4);
    expect(both("2^3^2").scalar[0]).toBe(512);
    expect(excelRound(2.5, 0)).toBe(3);
    expect(excelRound(-2.5, 0)).toBe(-3);
    expect(excelRound(1.005, 2)).toBe(1.01);
  });

  it("knows the calendar: fiscal years named by the year they end", () => {
    // Fiscal year starts in July: 2025-11 is in FY2026, Q2.
    expect(both("fiscalYear").scalar[0]).toBe(2026);
    expect(both("quarter").scalar[0]).toBe(2);
    expect(both("days").scalar[0]).toBe(30);
    expect(both("hours").scalar[1]).toBe(31 * 24);
  });

  it("rejects what is not part of the language, with the reason", () => {
    const cases: [string, RegExp][] = [
      ["a +* b", /cannot read the formula/],
      ["c * 2", /unknown name "c"/],
      ["foo(a)", /unknown function "foo"/],
      ["min()", /min takes 1 to 64 argument/],
      ["prev(a * 2)", /prev\(\) takes the name of a driver/],
      ["a.b", /not part of the formula language/],
      ["a | b", /cannot read|not supported/],
      ['"text" + 1', /text "text" can only be a month argument/],
      ['after("2025")', /after takes months written as "YYYY-MM"/],
      ["this", /not part of the formula language|unknown name/],
    ];
    for (const [text, pattern] of cases) {
      const parsed = parseFormula(text, isDriver);
      expect(isFormulaError(parsed), text).toBe(true);
      if (isFormulaError(parsed)) expect(parsed.message, text).toMatch(pattern);
    }
  });

  it("never runs user text as JavaScript", () => {
    for (const text of ["constructor.constructor('return process')()", "a[0]", "globalThis", "(() => 1)()", "process.exit(1)"]) {
      expect(isFormulaError(parseFormula(text, isDriver)), text).toBe(true);
    }
  });
});
