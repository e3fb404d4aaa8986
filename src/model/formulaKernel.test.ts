import fc from "fast-check";
import { describe, it, expect } from "vitest";
import { parseFormula, isFormulaError, type FormulaContext, type ParsedFormula } from "./formula.js";
import { interpretFormula as compileFormula } from "../testing/formulaInterpreter.js";
import { compileKernels, numberCode, type KernelEnv, type Operand } from "./formulaKernel.js";
import { makeCalendar } from "./months.js";
import { FORMULA_FINANCE_FUNCTIONS } from "../finance/formulaFunctions.js";

const H = 30;
const calendar = makeCalendar({ year: 2025, month: 4 }, H, 7);
const SERIES = ["a", "b", "c"];
const FINANCE = Object.entries(FORMULA_FINANCE_FUNCTIONS).map(([name, f]) => [name, f.min, Math.min(f.max, 6)] as const);
const PARAMS = ["k", "m"];

/** A formula text from the language's pieces (numbers, drivers, calendar, operators, functions). */
const formula: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom("0", "1", "2.5", "-3", "1e-3", "12", "0.5"),
    fc.constantFrom(...SERIES, ...PARAMS, "t", "month", "year", "fiscalYear", "quarter", "days", "hours"),
    fc.tuple(tie("e"), fc.constantFrom("+", "-", "*", "/", "%", "^", "<", "<=", ">", ">=", "==", "!=", "&&", "||"), tie("e")).map(([x, op, y]) => `(${x} ${op} ${y})`),
    tie("e").map((x) => `-(${x})`),
    tie("e").map((x) => `!(${x})`),
    fc.tuple(tie("e"), tie("e"), tie("e")).map(([x, y, z]) => `if(${x}, ${y}, ${z})`),
    fc.tuple(tie("e"), tie("e"), tie("e")).map(([x, y, z]) => `(${x} ? ${y} : ${z})`),
    fc.tuple(fc.constantFrom("min", "max"), fc.array(tie("e"), { minLength: 1, maxLength: 4 })).map(([f, xs]) => `${f}(${xs.join(", ")})`),
    fc.tuple(fc.constantFrom("abs", "floor", "ceil", "sqrt", "exp", "ln"), tie("e")).map(([f, x]) => `${f}(${x})`),
    fc.tuple(tie("e"), fc.option(tie("e"), { nil: undefined })).map(([x, d]) => (d === undefined ? `round(${x})` : `round(${x}, ${d})`)),
    fc.tuple(tie("e"), tie("e")).map(([x, y]) => `pow(${x}, ${y})`),
    fc.tuple(tie("e"), tie("e"), tie("e")).map(([x, y, z]) => `clamp(${x}, ${y}, ${z})`),
    fc.tuple(fc.constantFrom(...SERIES, ...PARAMS), fc.option(tie("e"), { nil: undefined })).map(([x, i]) => (i === undefined ? `prev(${x})` : `prev(${x}, ${i})`)),
    fc.constantFrom('after("2025-09")', 'before("2026-01")', 'between("2025-06", "2026-02")', 'monthsSince("2025-08")', 'ramp("2025-05", "2026-03")'),
    // Months as values (a driver holding a month index, a sum).
    fc.tuple(fc.constantFrom("after", "before", "monthsSince"), tie("e")).map(([f, x]) => `${f}(${x})`),
    fc.tuple(fc.constantFrom("between", "ramp"), tie("e"), fc.oneof(tie("e"), fc.constant('"2025-11"'))).map(([f, x, y]) => `${f}(${x}, ${y})`),
    // Excel's finance functions, with every count of arguments each takes (any case).
    fc
      .tuple(fc.constantFrom(...FINANCE), fc.array(tie("e"), { minLength: 6, maxLength: 6 }), fc.nat(), fc.boolean())
      .map(([[f, min, max], xs, k, lower]) => `${lower ? f.toLowerCase() : f}(${xs.slice(0, min + (k % (max - min + 1))).join(", ")})`),
  ),
})).e;

function setup(seed: number) {
  let x = seed;
  const rand = () => ((x = (Math.imul(x, 1103515245) + 12345) | 0) >>> 0) / 2 ** 32;
  const series = new Map(SERIES.map((n) => [n, Float64Array.from({ length: H }, () => (rand() < 0.2 ? Math.round(rand() * 4) - 2 : (rand() - 0.4) * 100))]));
  const params = Float64Array.from(PARAMS.map(() => (rand() - 0.5) * 10));
  const monthIndex = (m: string) => (Number(m.slice(0, 4)) - 2025) * 12 + Number(m.slice(5)) - 4;
  // The old closure evaluator reads every driver as a series; a param driver is its value in every month.
  const asSeries = new Map(series);
  PARAMS.forEach((n, i) => asSeries.set(n, new Float64Array(H).fill(params[i])));
  const ctx: FormulaContext = { series: (n) => asSeries.get(n)!, calendar, monthIndex };
  const env: KernelEnv = {
    months: H,
    params,
    calendar,
    monthIndex,
    operand: (n): Operand => (PARAMS.includes(n) ? { kind: "param", slot: PARAMS.indexOf(n) } : { kind: "series", array: series.get(n)!, fixed: n === "c" }),
  };
  return { ctx, env, series };
}

function parse(text: string, extra: string[] = []): ParsedFormula {
  const parsed = parseFormula(text, (n) => [...SERIES, ...PARAMS, ...extra].includes(n));
  if (isFormulaError(parsed)) throw new Error(parsed.message);
  return parsed;
}

describe("formulas compiled to generated loops", () => {
  it("give bit-for-bit the values of the closure evaluator, month by month (property)", () => {
    fc.assert(
      fc.property(formula, fc.integer(), (text, seed) => {
        const { ctx, env } = setup(seed);
        const parsed = parse(text);
        const expected = compileFormula(parsed, ctx);
        const out = new Float64Array(H);
        for (const step of compileKernels([{ name: "x", parsed, out }], env)) step.run();
        for (let t = 0; t < H; t++) expect(Object.is(out[t], expected(t)) || (out[t] !== out[t] && expected(t) !== expected(t)), `${text} at month ${t}: ${out[t]} vs ${expected(t)}`).toBe(true);
      }),
      { numRuns: 600 },
    );
  });

  it("give the same values for a formula that reads its own past, hoisting the parts that do not", () => {
    fc.assert(
      fc.property(formula, formula, fc.integer(), (own, other, seed) => {
        const { ctx, env } = setup(seed);
        const text = `prev(x, ${own}) * 0.5 + (${other})`;
        const out = new Float64Array(H);
        const parsed = parse(text, ["x"]);
        const expectedSeries = new Float64Array(H);
        const fn = compileFormula(parsed, { ...ctx, series: (n) => (n === "x" ? expectedSeries : ctx.series(n)) });
        for (let t = 0; t < H; t++) expectedSeries[t] = fn(t);
        const steps = compileKernels([{ name: "x", parsed, out }], { ...env, operand: (n) => (n === "x" ? { kind: "series", array: out, fixed: false } : env.operand(n)) });
        for (const step of steps) step.run();
        for (let t = 0; t < H; t++) expect(Object.is(out[t], expectedSeries[t]) || (out[t] !== out[t] && expectedSeries[t] !== expectedSeries[t]), `${text} at month ${t}`).toBe(true);
        // The last step walks the months; any before it fill whole series (the parts without x).
        expect(steps[steps.length - 1].outputs).toEqual([out]);
        for (const step of steps.slice(0, -1)) expect(step.outputs[0]).not.toBe(out);
      }),
      { numRuns: 300 },
    );
  });

  it("say what they read and write, so that a simulation can re-run only what varies", () => {
    const { env, series } = setup(1);
    const out = new Float64Array(H);
    const [step] = compileKernels([{ name: "x", parsed: parse("a * 2 + c * t + k"), out }], env);
    expect(step.inputs).toEqual([series.get("a")]);
    expect(step.outputs).toEqual([out]);
    expect(step.slots).toEqual([0]);
  });

  it("never put a driver's name or a string into generated code, only numbered slots and checked numbers", () => {
    expect(numberCode(1.5e-7)).toBe("(1.5e-7)");
    expect(numberCode(-2)).toBe("(-2)");
    expect(numberCode(NaN)).toBe("(0 / 0)");
    expect(numberCode(-Infinity)).toBe("(-1 / 0)");
    const { env } = setup(2);
    const name = "constructor";
    const out = new Float64Array(H);
    const parsed = parseFormula(`${name} * 2`, (n) => n === name);
    if (isFormulaError(parsed)) throw new Error(parsed.message);
    const steps = compileKernels([{ name: "x", parsed, out }], { ...env, operand: () => ({ kind: "series", array: Float64Array.from({ length: H }, (_, t) => t), fixed: false }) });
    steps[0].run();
    expect(out[3]).toBe(6);
  });
});
