import type jsepModule from "jsep";
import { excelRound, calendarFunction, financeFunctionName, fleetSeriesKey, FLEET_SERIES_FUNCTIONS, MONTH_ARG_FUNCTIONS, type FormulaContext, type ParsedFormula } from "./formula.js";
import { FORMULA_FINANCE_FUNCTIONS } from "../finance/formulaFunctions.js";

type Ast = jsepModule.Expression;

/**
 * Formulas compiled to JavaScript functions generated from OUR syntax tree: one loop over
 * the months per formula (or per group of formulas that read their own past through
 * prev()), with constant parts folded and parts that never change precomputed. V8 then
 * optimises each formula's loop like hand-written code.
 *
 * Why this is safe (user text is never run as JavaScript): the generated source is built
 * only from fixed templates in this file, variable names this file makes up from integers
 * (`a3`, `s1`, `t`), and numbers printed by `numberCode` (checked against a strict
 * numeric pattern, non-finite values written as 1/0 forms). A driver's name never reaches
 * the source: names are resolved to numbered array or param slots before any code is
 * written, and the arrays are passed in as arguments. Strings from the formula (months)
 * are turned into month numbers first. The parser (formula.ts) has already rejected
 * anything outside the formula language.
 */

/** What a name in a formula stands for. */
export type Operand =
  /** A monthly series (a driver's values); `fixed` when it does not change between runs. */
  | { kind: "series"; array: Float64Array; fixed: boolean }
  /**
   * A driver that is one number: a param slot, read once per run. `series`, when given,
   * is listed among the step's inputs (the driver's series, for dependency tracking).
   */
  | { kind: "param"; slot: number; series?: Float64Array };

export interface KernelEnv {
  months: number;
  params: Float64Array;
  calendar: FormulaContext["calendar"];
  monthIndex(text: string): number;
  operand(name: string): Operand;
}

/** One unit of work: what it reads and writes, so a simulation can run only what varies. */
export interface KernelStep {
  run: () => void;
  inputs: Float64Array[];
  outputs: Float64Array[];
  slots: number[];
}

/** Formulas evaluated together (a group reading each other's past through prev()). */
export interface FormulaTarget {
  name: string;
  parsed: ParsedFormula;
  out: Float64Array;
}

const NUMBER_RE = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/;

/** A number as JavaScript source: only digits, a sign, a point and an exponent. */
export function numberCode(v: number): string {
  if (Number.isNaN(v)) return "(0 / 0)";
  if (v === Infinity) return "(1 / 0)";
  if (v === -Infinity) return "(-1 / 0)";
  if (Object.is(v, -0)) return "(-0)";
  const s = String(v);
  if (!NUMBER_RE.test(s)) throw new Error(`internal: cannot print ${s} as a number`);
  return `(${s})`;
}

/** Helpers the generated code calls (passed in as an argument, never looked up by name). */
const LIB = {
  round: excelRound,
  /** Month arguments that are values (a month index; rounded to a whole month). */
  after: (t: number, m: number) => (t >= Math.round(m) ? 1 : 0),
  before: (t: number, m: number) => (t < Math.round(m) ? 1 : 0),
  between: (t: number, a: number, b: number) => (t >= Math.round(a) && t <= Math.round(b) ? 1 : 0),
  monthsSince: (t: number, a: number) => t - Math.round(a),
  ramp: (t: number, a: number, b: number) => {
    const ra = Math.round(a);
    const rb = Math.round(b);
    return t <= ra ? 0 : t >= rb ? 1 : (t - ra) / Math.max(1, rb - ra);
  },
  /**
   * Excel's finance functions (PMT, NPV, …), by their Excel names: scalar calls, NaN where
   * Excel shows an error. The generated code names them `L` + the name from this table,
   * never from the formula's text (a call is matched to the table first).
   */
  ...Object.fromEntries(Object.entries(FORMULA_FINANCE_FUNCTIONS).map(([name, f]) => [name, f.fn])),
};
type Lib = typeof LIB;

/** Numbers and the same operations the generated code performs, for folding. */
const BINARY: Record<string, (a: number, b: number) => number> = {
  "+": (a, b) => a + b,
  "-": (a, b) => a - b,
  "*": (a, b) => a * b,
  "/": (a, b) => a / b,
  "%": (a, b) => a % b,
  "^": (a, b) => Math.pow(a, b),
  "**": (a, b) => Math.pow(a, b),
  "<": (a, b) => (a < b ? 1 : 0),
  "<=": (a, b) => (a <= b ? 1 : 0),
  ">": (a, b) => (a > b ? 1 : 0),
  ">=": (a, b) => (a >= b ? 1 : 0),
  "==": (a, b) => (a === b ? 1 : 0),
  "!=": (a, b) => (a !== b ? 1 : 0),
  "&&": (a, b) => (a !== 0 && b !== 0 ? 1 : 0),
  "||": (a, b) => (a !== 0 || b !== 0 ? 1 : 0),
};
const BINARY_CODE: Record<string, (a: string, b: string) => string> = {
  "+": (a, b) => `(${a} + ${b})`,
  "-": (a, b) => `(${a} - ${b})`,
  "*": (a, b) => `(${a} * ${b})`,
  "/": (a, b) => `(${a} / ${b})`,
  "%": (a, b) => `(${a} % ${b})`,
  "^": (a, b) => `Math.pow(${a}, ${b})`,
  "**": (a, b) => `Math.pow(${a}, ${b})`,
  "<": (a, b) => `(${a} < ${b} ? 1 : 0)`,
  "<=": (a, b) => `(${a} <= ${b} ? 1 : 0)`,
  ">": (a, b) => `(${a} > ${b} ? 1 : 0)`,
  ">=": (a, b) => `(${a} >= ${b} ? 1 : 0)`,
  "==": (a, b) => `(${a} === ${b} ? 1 : 0)`,
  "!=": (a, b) => `(${a} !== ${b} ? 1 : 0)`,
  "&&": (a, b) => `(${a} !== 0 && ${b} !== 0 ? 1 : 0)`,
  "||": (a, b) => `(${a} !== 0 || ${b} !== 0 ? 1 : 0)`,
};
const UNARY_FN: Record<string, (...a: number[]) => number> = {
  abs: Math.abs,
  floor: Math.floor,
  ceil: Math.ceil,
  sqrt: Math.sqrt,
  exp: Math.exp,
  ln: Math.log,
};
const UNARY_FN_CODE: Record<string, string> = { abs: "Math.abs", floor: "Math.floor", ceil: "Math.ceil", sqrt: "Math.sqrt", exp: "Math.exp", ln: "Math.log" };

/**
 * A value while compiling: a number known now; a series known now (precomputed); a number
 * per run (code, hoisted out of the month loop); or a value per month (code using t).
 */
type Val = { c: "const"; v: number } | { c: "fixed"; a: Float64Array } | { c: "scalar"; code: string } | { c: "month"; code: string; member: boolean };

/** Source of a cached generated factory (identical structure, identical code). */
const factories = new Map<string, (A: Float64Array[], P: Float64Array, H: number, L: Lib) => () => void>();
function factory(source: string): (A: Float64Array[], P: Float64Array, H: number, L: Lib) => () => void {
  let f = factories.get(source);
  if (!f) {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from our own syntax tree; see the module comment
    f = new Function("A", "P", "H", "L", `"use strict";\n${source}`) as (A: Float64Array[], P: Float64Array, H: number, L: Lib) => () => void;
    factories.set(source, f);
  }
  return f;
}

/**
 * Compiles formulas that are evaluated together into steps: zero or more vector steps
 * for the parts that do not depend on the group's own past (filled whole series at a
 * time), then one step that walks the months (or, with one formula and no recursion,
 * fills it in one loop).
 */
export function compileKernels(targets: FormulaTarget[], env: KernelEnv): KernelStep[] {
  const recursive = targets.length > 1 || targets.some((t) => t.parsed.lagged.has(t.name));
  const steps: KernelStep[] = [];

  const build = expressionCompiler(env, targets, recursive, steps);

  if (!recursive) {
    const target = targets[0];
    const ctx = new Builder(env);
    const v = build(ctx, target.parsed.ast);
    ctx.emitFill(target.out, v);
    steps.push(ctx.step([target.out]));
    return steps;
  }
  // A group: hoist the parts that do not involve its members, then one month loop.
  const ctx = new Builder(env);
  const lines: string[] = [];
  const ordered = orderGroup(targets);
  for (const target of ordered) {
    const v = build(ctx, target.parsed.ast);
    lines.push(`${ctx.array(target.out, false)}[t] = ${ctx.code(v)};`);
  }
  steps.push(ctx.loopStep(lines, ordered.map((t) => t.out)));
  return steps;
}

/** One line for `compileLineSums`: its value, where it lands, its months. */
export interface LineSumLine {
  /**
   * A formula, a number (param), or a series read as it is: a line that does not vary
   * (`fixed`: its values are final when the step is built, and are copied) or a computed line.
   */
  value: { kind: "formula"; parsed: ParsedFormula } | { kind: "param"; slot: number } | { kind: "series"; array: Float64Array; fixed: boolean };
  type: "revenue" | "costOfRevenue" | "operatingExpense" | "capex";
  category: number;
  nonCash: boolean;
  lifeMonths: number;
  /** Months the line applies (inclusive); outside them it is 0. */
  from: number;
  until: number;
  /** Capex: the line's running total, read when `cumulativeReady` (else kept privately by the step). */
  cumulative: Float64Array | null;
  cumulativeReady: boolean;
  /** Capex built before use: depreciated from the month in element 0 (written by an extension stage). */
  placedFrom: Float64Array | null;
  /** A monthly multiplier set by a caller (a system's link: see CompiledLine.scale), or null. */
  scale?: Float64Array | null;
  /** Where to write the line's values too (a scaled line's values are read by the caller), or null. */
  values?: Float64Array | null;
}

export interface LineSumOutputs {
  revenue: Float64Array;
  costOfRevenue: Float64Array;
  operatingExpenses: Float64Array;
  capex: Float64Array;
  /** Read first (opening PP&E, refunds), then the capex lines' depreciation added. */
  depreciation: Float64Array;
  categories: Float64Array[];
  nonCash: Float64Array;
}

/**
 * Every line summed by kind in one loop over the months, each line's value computed in
 * place (the same generated expression as the line's own loop, so the same numbers), in
 * line order (so the same sums as adding line by line). A simulation uses it instead of
 * filling fifty line series, copying them and adding them up.
 */
export function compileLineSums(lines: LineSumLine[], out: LineSumOutputs, env: KernelEnv): KernelStep {
  const H = env.months;
  const ctx = new Builder(env);
  const accumulators = ["rev", "cor", "opx", "cpx", "nc", ...out.categories.map((_, k) => `k${k}`)];
  const body: string[] = [`let ${accumulators.map((a) => `${a} = 0`).join(", ")};`, `let dep = ${ctx.array(out.depreciation)}[t];`];
  lines.forEach((line, i) => {
    let value: string;
    if (line.value.kind === "formula") value = ctx.code(buildExpression(ctx, line.value.parsed.ast, env));
    else if (line.value.kind === "param") value = ctx.code(ctx.operand({ kind: "param", slot: line.value.slot }));
    else value = line.value.fixed ? ctx.fixedAt(line.value.array) : `${ctx.array(line.value.array)}[t]`;
    const masked = line.from > 0 || line.until < H - 1 ? `(t >= ${integerCode(line.from)} && t <= ${integerCode(line.until)} ? ${value} : 0)` : value;
    const scaled = line.scale ? `(${masked}) * ${ctx.array(line.scale)}[t]` : masked;
    const add: string[] = [`const v${i} = ${scaled};`];
    if (line.values) add.push(`${ctx.array(line.values, false)}[t] = v${i};`);
    switch (line.type) {
      case "revenue":
        add.push(`rev += v${i};`);
        break;
      case "costOfRevenue":
        add.push(`cor += v${i};`);
        break;
      case "operatingExpense":
        add.push(`opx += v${i};`, `k${integerCode(line.category)} += v${i};`);
        if (line.nonCash) add.push(`nc += v${i};`);
        break;
      case "capex": {
        // The line's running total: the caller's (a computed line) or a private packed column.
        const lifeMonths = line.lifeMonths;
        const L = integerCode(lifeMonths);
        let cum: (lag: number) => string;
        if (line.cumulativeReady) {
          const ready = ctx.array(line.cumulative!);
          cum = (lag) => (lag === 0 ? `${ready}[t]` : `${ready}[t - ${integerCode(lag)}]`);
        } else {
          // This month's running total is also kept in a local (c0 = 0 before month 0, then
          // c += v: the same sums as cum[t − 1] + v), stored for the read L months later.
          const column = ctx.scratchColumn();
          ctx.local(`c${i}`);
          cum = (lag) => (lag === 0 ? `c${i}` : ctx.packedAt(column, lag));
          add.push(`c${i} += v${i}; ${ctx.packedAt(column)} = c${i};`);
        }
        add.push(`cpx += v${i};`);
        if (!line.placedFrom) add.push(`dep += (${cum(0)} - (t >= ${L} ? ${cum(lifeMonths)} : 0)) / ${L};`);
        else {
          // Construction in progress: depreciated from the month it is placed in service.
          const from = ctx.array(line.placedFrom);
          add.push(`const f${i} = Math.round(${from}[0]);`, `dep += ((t >= f${i} ? ${cum(0)} : 0) - (t - ${L} >= f${i} && t >= ${L} ? ${cum(lifeMonths)} : 0)) / ${L};`);
        }
        break;
      }
    }
    body.push(`{ ${add.join(" ")} }`);
  });
  const w = (a: Float64Array) => ctx.array(a, false);
  body.push(`${w(out.revenue)}[t] = rev; ${w(out.costOfRevenue)}[t] = cor; ${w(out.operatingExpenses)}[t] = opx; ${w(out.capex)}[t] = cpx; ${w(out.nonCash)}[t] = nc; ${w(out.depreciation)}[t] = dep;`);
  out.categories.forEach((a, k) => body.push(`${w(a)}[t] = k${k};`));
  const outputs = [out.revenue, out.costOfRevenue, out.operatingExpenses, out.capex, out.nonCash, out.depreciation, ...out.categories, ...lines.filter((l) => l.values).map((l) => l.values!)];
  return ctx.loopStep(body, outputs);
}

function integerCode(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`internal: ${n} is not a whole number`);
  return String(n);
}

/** A non-recursive expression in a builder (for line sums). */
function buildExpression(ctx: Builder, ast: Ast, env: KernelEnv): Val {
  return expressionCompiler(env, [], false, [])(ctx, ast);
}

/** The expression compiler shared by formulas, groups and line sums. */
function expressionCompiler(env: KernelEnv, targets: FormulaTarget[], recursive: boolean, steps: KernelStep[]): (ctx: Builder, node: Ast) => Val {
  const H = env.months;
  const members = new Map<string, number>(targets.map((t, i) => [t.name, i]));
  const involvesGroup = (node: Ast): boolean => {
    switch (node.type) {
      case "Identifier":
        return members.has((node as jsepModule.Identifier).name);
      case "Literal":
        return false;
      case "UnaryExpression":
        return involvesGroup((node as jsepModule.UnaryExpression).argument);
      case "BinaryExpression":
        return involvesGroup((node as jsepModule.BinaryExpression).left) || involvesGroup((node as jsepModule.BinaryExpression).right);
      case "ConditionalExpression": {
        const c = node as jsepModule.ConditionalExpression;
        return involvesGroup(c.test) || involvesGroup(c.consequent) || involvesGroup(c.alternate);
      }
      case "CallExpression": {
        const call = node as jsepModule.CallExpression;
        const fn = (call.callee as jsepModule.Identifier).name;
        if (fn === "prev" && members.has((call.arguments[0] as jsepModule.Identifier).name)) return true;
        return call.arguments.some((a, i) => !(fn === "prev" && i === 0) && involvesGroup(a));
      }
    }
    return false;
  };

  const build = (ctx: Builder, node: Ast): Val => {
    if (recursive && node.type !== "Identifier" && node.type !== "Literal" && !involvesGroup(node)) {
      // A part of a group's formula that does not involve the group: filled a whole series
      // at a time before the month loop (and skipped by a simulation when it does not vary).
      const sub = new Builder(env);
      const v = buildPlain(sub, node);
      if (v.c === "month") {
        const temp = new Float64Array(H);
        sub.emitFill(temp, v);
        steps.push(sub.step([temp]));
        return ctx.operand({ kind: "series", array: temp, fixed: false });
      }
    }
    return buildPlain(ctx, node);
  };

  const buildPlain = (ctx: Builder, node: Ast): Val => {
    switch (node.type) {
      case "Literal":
        return { c: "const", v: Number((node as jsepModule.Literal).value) };
      case "Identifier": {
        const name = (node as jsepModule.Identifier).name;
        const cal = calendarSeries(env, name);
        if (cal) return { c: "fixed", a: cal };
        if (recursive && members.has(name)) return { c: "month", code: `${ctx.array(targets[members.get(name)!].out, false)}[t]`, member: true };
        return ctx.operand(env.operand(name));
      }
      case "UnaryExpression": {
        const u = node as jsepModule.UnaryExpression;
        const a = build(ctx, u.argument);
        if (u.operator === "-") return ctx.unary(a, (x) => -x, (x) => `(-${x})`);
        if (u.operator === "!") return ctx.unary(a, (x) => (x === 0 ? 1 : 0), (x) => `(${x} === 0 ? 1 : 0)`);
        return a;
      }
      case "BinaryExpression": {
        const b = node as jsepModule.BinaryExpression;
        return ctx.nary([build(ctx, b.left), build(ctx, b.right)], (x) => BINARY[b.operator](x[0], x[1]), (x) => BINARY_CODE[b.operator](x[0], x[1]));
      }
      case "ConditionalExpression": {
        const c = node as jsepModule.ConditionalExpression;
        return ctx.nary([build(ctx, c.test), build(ctx, c.consequent), build(ctx, c.alternate)], (x) => (x[0] !== 0 ? x[1] : x[2]), (x) => `(${x[0]} !== 0 ? ${x[1]} : ${x[2]})`);
      }
      case "CallExpression":
        // Calls in their own function: the recursive path through operators keeps a small frame.
        return buildCall(ctx, node as jsepModule.CallExpression);
    }
    throw new Error(`internal: unknown node ${node.type}`);
  };

  const buildCall = (ctx: Builder, call: jsepModule.CallExpression): Val => {
    const fn = (call.callee as jsepModule.Identifier).name;
    const args = call.arguments;
    if (Object.hasOwn(FLEET_SERIES_FUNCTIONS, fn)) {
      // A fleet or site series, computed before the formulas (the name is only a lookup key).
      const name = args.length ? String((args[0] as jsepModule.Literal).value) : null;
      return ctx.operand(env.operand(fleetSeriesKey(fn, name)));
    }
    if (MONTH_ARG_FUNCTIONS.has(fn)) {
      if (args.every((a) => a.type === "Literal" && typeof (a as jsepModule.Literal).value === "string")) {
        const months = args.map((a) => env.monthIndex(String((a as jsepModule.Literal).value)));
        const f = calendarFunction(fn, months)!;
        const arr = new Float64Array(H);
        for (let t = 0; t < H; t++) arr[t] = f(t);
        return { c: "fixed", a: arr };
      }
      // A month that is a value (a driver holding a month index, a sampled month).
      const vals = args.map((a) => (a.type === "Literal" && typeof (a as jsepModule.Literal).value === "string" ? ({ c: "const", v: env.monthIndex(String((a as jsepModule.Literal).value)) } as Val) : build(ctx, a)));
      const lib = LIB[fn as "after"] as (...x: number[]) => number;
      return ctx.nary([{ c: "fixed", a: calendarSeries(env, "t")! }, ...vals], (x) => lib(...x), (x) => `L${fn}(${x.join(", ")})`);
    }
    if (fn === "prev") {
      const target = (args[0] as jsepModule.Identifier).name;
      const init = args[1] ? build(ctx, args[1]) : ({ c: "const", v: 0 } as Val);
      if (recursive && members.has(target)) {
        const arr = ctx.array(targets[members.get(target)!].out, false);
        return ctx.nary([init], () => NaN, (x) => `(t > 0 ? ${arr}[t - 1] : ${x[0]})`, true);
      }
      const src = env.operand(target);
      if (src.kind === "param") {
        const v = ctx.operand(src);
        return ctx.nary([v, init, { c: "fixed", a: calendarSeries(env, "t")! }], (x) => (x[2] > 0 ? x[0] : x[1]), (x) => `(t > 0 ? ${x[0]} : ${x[1]})`);
      }
      // Last month's value of a series: a shifted series.
      const shifted = ctx.shift(src.array, src.fixed);
      return ctx.nary([shifted, init, { c: "fixed", a: calendarSeries(env, "t")! }], (x) => (x[2] > 0 ? x[0] : x[1]), (x) => `(t > 0 ? ${x[0]} : ${x[1]})`);
    }
    const vals = args.map((a) => build(ctx, a));
    const finance = financeFunctionName(fn);
    if (finance) {
      const f = FORMULA_FINANCE_FUNCTIONS[finance].fn;
      if (!/^[A-Z]+$/.test(finance) || !Object.hasOwn(LIB, finance)) throw new Error(`internal: finance function ${finance}`);
      return ctx.nary(vals, (x) => f(...x), (x) => `L${finance}(${x.join(", ")})`);
    }
    switch (fn) {
      case "if":
        return ctx.nary(vals, (x) => (x[0] !== 0 ? x[1] : x[2]), (x) => `(${x[0]} !== 0 ? ${x[1]} : ${x[2]})`);
      case "min":
      case "max": {
        const m = fn === "min" ? Math.min : Math.max;
        return ctx.nary(
          vals,
          (x) => x.slice(1).reduce((acc, v) => m(acc, v), x[0]),
          (x) => x.slice(1).reduce((acc, v) => `Math.${fn}(${acc}, ${v})`, x[0]),
        );
      }
      case "round":
        return ctx.nary(vals.length > 1 ? vals : [vals[0], { c: "const", v: 0 }], (x) => excelRound(x[0], x[1]), (x) => `Lround(${x[0]}, ${x[1]})`);
      case "pow":
        return ctx.nary(vals, (x) => Math.pow(x[0], x[1]), (x) => `Math.pow(${x[0]}, ${x[1]})`);
      case "clamp":
        return ctx.nary(vals, (x) => Math.min(Math.max(x[0], x[1]), x[2]), (x) => `Math.min(Math.max(${x[0]}, ${x[1]}), ${x[2]})`);
    }
    if (fn in UNARY_FN) return ctx.unary(vals[0], (x) => UNARY_FN[fn](x), (x) => `${UNARY_FN_CODE[fn]}(${x})`);
    throw new Error(`internal: unknown function ${fn}`);
  };

  return build;
}

/**
 * Within a month, same-month references decide the order (they have no cycle). A post-order
 * walk with an explicit stack: a chain of thousands of drivers cannot exhaust the call stack.
 */
function orderGroup(targets: FormulaTarget[]): FormulaTarget[] {
  const byName = new Map(targets.map((t) => [t.name, t]));
  const done = new Set<string>();
  const out: FormulaTarget[] = [];
  for (const start of targets) {
    if (done.has(start.name)) continue;
    done.add(start.name);
    const frames: { target: FormulaTarget; next: Iterator<string> }[] = [{ target: start, next: start.parsed.sameMonth.values() }];
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const step = frame.next.next();
      if (step.done) {
        frames.pop();
        out.push(frame.target);
      } else if (byName.has(step.value) && !done.has(step.value)) {
        done.add(step.value);
        const target = byName.get(step.value)!;
        frames.push({ target, next: target.parsed.sameMonth.values() });
      }
    }
  }
  return out;
}

/** Calendar facts as fixed series (computed once per environment). */
const calendarCache = new WeakMap<object, Map<string, Float64Array>>();
function calendarSeries(env: KernelEnv, name: string): Float64Array | null {
  let cache = calendarCache.get(env.calendar);
  if (!cache) calendarCache.set(env.calendar, (cache = new Map()));
  const hit = cache.get(name);
  if (hit) return hit;
  const c = env.calendar;
  const H = env.months;
  let make: ((t: number) => number) | null = null;
  switch (name) {
    case "t":
      make = (t) => t;
      break;
    case "month":
      make = (t) => c.month[t];
      break;
    case "year":
      make = (t) => c.year[t];
      break;
    case "fiscalYear":
      make = (t) => c.fiscalYear[t];
      break;
    case "quarter":
      make = (t) => c.fiscalQuarter[t];
      break;
    case "days":
      make = (t) => c.days[t];
      break;
    case "hours":
      make = (t) => c.hours[t];
      break;
  }
  if (!make) return null;
  const a = new Float64Array(H);
  for (let t = 0; t < H; t++) a[t] = make(t);
  cache.set(name, a);
  return a;
}

/** Accumulates the arrays, params and hoisted scalars of one generated function. */
class Builder {
  private arrays: Float64Array[] = [];
  private arrayIndex = new Map<Float64Array, number>();
  private reads = new Set<Float64Array>();
  private slots = new Set<number>();
  private prelude: string[] = [];
  private scalars = new Map<string, string>();
  private body: string[] = [];
  /**
   * Series that do not change during a run (and private scratch series), packed month-major
   * into one array: month t of column j at PK[t * K + j]. A loop over the months then reads
   * one contiguous stream instead of dozens of separate arrays (each its own pointer,
   * bounds check and memory stream): about twice as fast for a simulation's line sums. The
   * values are the same numbers, so results do not change. Columns are copied when the
   * step is built: only series whose values are final by then are packed (see `fixedAt`).
   */
  private packColumns: (Float64Array | null)[] = [];
  private packIndex = new Map<Float64Array, number>();

  constructor(private readonly env: KernelEnv) {}

  /**
   * Month t − lag of a series fixed for the life of this step (a folded constant part, a
   * calendar series, or — in a simulation's plan — a series no sampled input moves, whose
   * values the plan's first evaluation has already computed).
   */
  fixedAt(a: Float64Array, lag = 0): string {
    let j = this.packIndex.get(a);
    if (j === undefined) {
      j = this.packColumns.length;
      this.packColumns.push(a);
      this.packIndex.set(a, j);
    }
    return this.packedAt(j, lag);
  }

  /** A number local to one run of the step, 0 before its month loop. */
  local(name: string): void {
    this.prelude.push(`let ${name} = 0;`);
  }

  /** A private series column (zero before each run's first write), for values only this step reads. */
  scratchColumn(): number {
    this.packColumns.push(null);
    return this.packColumns.length - 1;
  }

  /** Code for column j at month t − lag; `@K@` is replaced by the column count when the step is built. */
  packedAt(j: number, lag = 0): string {
    return lag === 0 ? `PK[tk + ${j}]` : `PK[tk - ${integerCode(lag)} * @K@ + ${j}]`;
  }

  array(a: Float64Array, read = true): string {
    let i = this.arrayIndex.get(a);
    if (i === undefined) {
      i = this.arrays.length;
      this.arrays.push(a);
      this.arrayIndex.set(a, i);
    }
    if (read) this.reads.add(a);
    return `a${i}`;
  }

  operand(o: Operand): Val {
    if (o.kind === "series") {
      if (o.fixed) return { c: "fixed", a: o.array };
      return { c: "month", code: `${this.array(o.array)}[t]`, member: false };
    }
    if (!Number.isInteger(o.slot) || o.slot < 0) throw new Error(`internal: bad param slot ${o.slot}`);
    this.slots.add(o.slot);
    if (o.series) this.reads.add(o.series);
    return this.scalar(`P[${o.slot}]`);
  }

  /** A per-run value, computed once before the month loop. */
  private scalar(code: string): Val {
    let name = this.scalars.get(code);
    if (!name) {
      name = `s${this.scalars.size}`;
      this.scalars.set(code, name);
      this.prelude.push(`const ${name} = ${code};`);
    }
    return { c: "scalar", code: name };
  }

  code(v: Val): string {
    switch (v.c) {
      case "const":
        return numberCode(v.v);
      case "fixed":
        return this.fixedAt(v.a);
      default:
        return v.code;
    }
  }

  /** Last month's values of a series as a series (index t − 1; month 0 is not read). */
  shift(a: Float64Array, fixed: boolean): Val {
    const H = this.env.months;
    if (fixed) {
      const s = new Float64Array(H);
      for (let t = 1; t < H; t++) s[t] = a[t - 1];
      return { c: "fixed", a: s };
    }
    // Only read under t > 0 (see prev).
    return { c: "month", code: `${this.array(a)}[t - 1]`, member: false };
  }

  unary(a: Val, f: (x: number) => number, code: (x: string) => string): Val {
    return this.nary([a], (x) => f(x[0]), (x) => code(x[0]));
  }

  /**
   * Combines values: folded now when all are known now (numbers, or series computed here
   * with the same operation the code would perform), else code.
   */
  nary(vals: Val[], f: (x: number[]) => number, code: (x: string[]) => string, forceMonth = false): Val {
    const H = this.env.months;
    if (!forceMonth && vals.every((v) => v.c === "const")) return { c: "const", v: f(vals.map((v) => (v as { v: number }).v)) };
    if (!forceMonth && vals.every((v) => v.c === "const" || v.c === "fixed")) {
      const a = new Float64Array(H);
      const x = new Array<number>(vals.length);
      for (let t = 0; t < H; t++) {
        for (let i = 0; i < vals.length; i++) {
          const v = vals[i];
          x[i] = v.c === "const" ? v.v : (v as { a: Float64Array }).a[t];
        }
        a[t] = f(x);
      }
      return { c: "fixed", a };
    }
    if (!forceMonth && vals.every((v) => v.c === "const" || v.c === "scalar")) return this.scalar(code(vals.map((v) => this.code(v))));
    const member = forceMonth || vals.some((v) => v.c === "month" && v.member);
    return { c: "month", code: code(vals.map((v) => this.code(v))), member };
  }

  /** out[t] = v for every month, in one loop. */
  emitFill(out: Float64Array, v: Val): void {
    const o = this.array(out, false);
    if (v.c === "const") this.body.push(`${o}.fill(${numberCode(v.v)});`);
    else if (v.c === "fixed") this.body.push(`${o}.set(${this.array(v.a, false)});`);
    else if (v.c === "scalar") this.body.push(`${o}.fill(${v.code});`);
    else this.body.push(`for (let t = 0, tk = 0; t < H; t++, tk += @K@) ${o}[t] = ${v.code};`);
  }

  step(outputs: Float64Array[]): KernelStep {
    const H = this.env.months;
    const K = this.packColumns.length;
    let pack: string = "";
    if (K > 0) {
      const packed = new Float64Array(H * K);
      this.packColumns.forEach((a, j) => {
        if (a) for (let t = 0; t < H; t++) packed[t * K + j] = a[t];
      });
      pack = `const PK = ${this.array(packed, false)};`;
    }
    const helpers = Object.keys(LIB).map((k) => `const L${k} = L.${k};`).join(" ");
    const body = this.body.join("\n").replaceAll("@K@", integerCode(K));
    const source = `${helpers}\n${this.arrays.map((_, i) => `const a${i} = A[${i}];`).join("\n")}\n${pack}\nreturn function kernel() {\n${this.prelude.join("\n")}\n${body}\n};`;
    const run = factory(source)(this.arrays, this.env.params, H, LIB);
    return { run, inputs: [...this.reads].filter((a) => !outputs.includes(a)), outputs, slots: [...this.slots] };
  }

  loopStep(lines: string[], outputs: Float64Array[]): KernelStep {
    this.body.push(`for (let t = 0, tk = 0; t < H; t++, tk += @K@) {\n${lines.join("\n")}\n}`);
    return this.step(outputs);
  }
}
