import jsepModule from "jsep";
import { nameTable } from "./names.js";
import { FORMULA_FINANCE_FUNCTIONS } from "../finance/formulaFunctions.js";

/**
 * The formula language: arithmetic over drivers and a few built-ins, parsed by jsep
 * and evaluated by closures we build from its syntax tree. User text is never run as
 * JavaScript. `^` is the power operator and, as in Excel, unary minus binds tighter
 * than it (`-2^2` is 4).
 */
const jsep = ((jsepModule as unknown as { default?: typeof jsepModule }).default ?? jsepModule) as typeof jsepModule;
jsep.removeBinaryOp("^");
jsep.addBinaryOp("^", 11, true);
for (const op of ["|", "&", "<<", ">>", ">>>", "===", "!=="]) jsep.removeBinaryOp(op);
jsep.removeUnaryOp("~");

type Ast = jsepModule.Expression;

export interface FormulaError {
  code: "formula_syntax" | "formula_unknown_name" | "formula_bad_call" | "formula_unsupported" | "formula_too_complex";
  message: string;
  index?: number;
  name?: string;
  /**
   * What kind of problem within the code: an unknown `function`, a wrong number of arguments
   * (`arity`), an unknown fleet `cohort` or `site`, a name that is not in quotes (`name_arg`).
   */
  variant?: "function" | "arity" | "cohort" | "site" | "name_arg";
  /** Names the unknown one could have meant (cohorts or sites). */
  known?: string[];
  /** Arity problems: the fewest and most arguments the function takes, and how many it was given. */
  min?: number;
  max?: number;
  count?: number;
}

export interface ParsedFormula {
  ast: Ast;
  /** Drivers read in the same month (edges for cycle detection). */
  sameMonth: Set<string>;
  /** Drivers read through prev() (last month's value; no cycle). */
  lagged: Set<string>;
}

/** Name tables without a prototype: a formula's `toString` or `constructor` is never a built-in. */
export const BUILTIN_VALUES: Record<string, string> = nameTable({
  t: "month index from the start, 0-based",
  month: "calendar month, 1–12",
  year: "calendar year",
  fiscalYear: "fiscal year (named by the calendar year in which it ends)",
  quarter: "fiscal quarter, 1–4",
  days: "days in the month",
  hours: "hours in the month (days × 24)",
});

export const BUILTIN_FUNCTIONS: Record<string, { min: number; max: number; doc: string }> = nameTable({
  prev: { min: 1, max: 2, doc: "prev(x) last month's value of driver x (0, or the second argument, in the first month)" },
  min: { min: 1, max: 64, doc: "smallest argument" },
  max: { min: 1, max: 64, doc: "largest argument" },
  if: { min: 3, max: 3, doc: "if(condition, then, else)" },
  abs: { min: 1, max: 1, doc: "absolute value" },
  round: { min: 1, max: 2, doc: "round(x, digits) half away from zero, as Excel" },
  floor: { min: 1, max: 1, doc: "round down" },
  ceil: { min: 1, max: 1, doc: "round up" },
  sqrt: { min: 1, max: 1, doc: "square root" },
  exp: { min: 1, max: 1, doc: "e^x" },
  ln: { min: 1, max: 1, doc: "natural logarithm" },
  pow: { min: 2, max: 2, doc: "pow(x, y) = x^y" },
  clamp: { min: 3, max: 3, doc: "clamp(x, low, high)" },
  after: { min: 1, max: 1, doc: 'after("YYYY-MM") 1 from that month on, else 0; the month may be a driver holding a month (launch)' },
  before: { min: 1, max: 1, doc: 'before("YYYY-MM") 1 before that month, else 0' },
  between: { min: 2, max: 2, doc: 'between("YYYY-MM", "YYYY-MM") 1 in that range (inclusive), else 0' },
  monthsSince: { min: 1, max: 1, doc: 'monthsSince("YYYY-MM") months from that month (negative before it)' },
  ramp: { min: 2, max: 2, doc: 'ramp("YYYY-MM", "YYYY-MM") rises linearly from 0 to 1 between the two months' },
});

/**
 * The Excel finance function a call names (PMT, NPV, …: any case, as Excel reads it), by its
 * Excel name; undefined for any other name.
 */
export function financeFunctionName(name: string): string | undefined {
  const upper = name.toUpperCase();
  return Object.hasOwn(FORMULA_FINANCE_FUNCTIONS, upper) ? upper : undefined;
}

/** Every function a formula may call, for messages and suggestions. */
export function formulaFunctionNames(): string[] {
  return [...Object.keys(BUILTIN_FUNCTIONS), ...Object.keys(FLEET_SERIES_FUNCTIONS), ...Object.keys(FORMULA_FINANCE_FUNCTIONS)];
}

export function isBuiltinValue(name: string): boolean {
  return Object.hasOwn(BUILTIN_VALUES, name);
}

export const MONTH_ARG_FUNCTIONS = new Set(["after", "before", "between", "monthsSince", "ramp"]);

/**
 * Series of the fleet and its sites a formula may read (computed from the fleet's inputs
 * alone, before any formula, so any formula may use them): the argument is a cohort's or a
 * site's name in quotes; without one, the whole fleet.
 */
export const FLEET_SERIES_FUNCTIONS: Record<string, { min: number; max: number; of: "cohort" | "site"; doc: string }> = nameTable({
  fleetUnits: { min: 0, max: 1, of: "cohort", doc: 'fleetUnits("cohort") units in service that month (from in service, not before its site is live or the hardware arrives, to retirement); fleetUnits() the whole fleet' },
  fleetCapacity: { min: 0, max: 1, of: "cohort", doc: 'fleetCapacity("cohort") capacity that month: units in service × capacityPerUnitHour × hours; fleetCapacity() the whole fleet' },
  siteLive: { min: 1, max: 1, of: "site", doc: 'siteLive("site") 1 from the month the site is live (planned go-live + delayMonths), else 0' },
  siteMw: { min: 0, max: 1, of: "site", doc: 'siteMw("site") the site\'s powerMw from the month it is live, else 0; siteMw() every site' },
});

/** The series a fleet function call reads, as a name no driver can have (for dependencies). */
export function fleetSeriesKey(fn: string, name: string | null): string {
  return `${fn}(${name === null ? "" : JSON.stringify(name)})`;
}

/** The function and name of a `fleetSeriesKey`; null for any other name (a driver's). */
export function parseFleetSeriesKey(key: string): { fn: string; name: string | null } | null {
  const m = /^([A-Za-z]+)\((".*")?\)$/.exec(key);
  if (!m || !Object.hasOwn(FLEET_SERIES_FUNCTIONS, m[1])) return null;
  return { fn: m[1], name: m[2] ? (JSON.parse(m[2]) as string) : null };
}

/** The fleet and site names formula arguments are checked against (absent: not checked). */
export interface FleetNames {
  cohorts: readonly string[];
  sites: readonly string[];
}
const BINARY_OPS = new Set(["+", "-", "*", "/", "%", "^", "**", "<", "<=", ">", ">=", "==", "!=", "&&", "||"]);

/**
 * Limits on one formula, far above what a model needs (the shipped models' longest formula
 * has about 1,200 characters, 135 operators and 3 levels of parentheses). The parser and
 * every walker of the syntax tree are recursive, so the limits are checked first, by one
 * linear scan of the text: no formula can exhaust the stack.
 */
export const MAX_FORMULA_LENGTH = 20_000;
/** Operators and commas: a syntax tree has at most about this many levels. */
export const MAX_FORMULA_OPERATORS = 2_000;
/** Parentheses and unary operators nested inside each other. */
export const MAX_FORMULA_NESTING = 100;

/** Text of a formula for a message: long ones are cut (the position says where). */
export function formulaExcerpt(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function tooComplex(text: string, what: string, index: number): FormulaError {
  return { code: "formula_too_complex", message: `the formula "${formulaExcerpt(text)}" is too complex: ${what} (at character ${index + 1}); split it into several drivers`, index };
}

/** The linear pre-scan: length, operator count and nesting, outside quoted text. */
function complexityProblem(text: string): FormulaError | null {
  if (text.length > MAX_FORMULA_LENGTH) return tooComplex(text, `${text.length.toLocaleString("en-US")} characters, more than ${MAX_FORMULA_LENGTH.toLocaleString("en-US")}`, MAX_FORMULA_LENGTH);
  let operators = 0;
  let depth = 0;
  // Unary operators in a row nest like parentheses: "- - - x".
  let unaryRun = 0;
  let expectOperand = true;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) {
        quote = null;
        expectOperand = false;
      }
      continue;
    }
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") continue;
    if (ch === '"' || ch === "'") {
      quote = ch;
      unaryRun = 0;
      continue;
    }
    if (ch === "(" || ch === "[") {
      depth++;
      unaryRun = 0;
      expectOperand = true;
      if (depth > MAX_FORMULA_NESTING) return tooComplex(text, `parentheses nested more than ${MAX_FORMULA_NESTING} deep`, i);
      continue;
    }
    if (ch === ")" || ch === "]") {
      depth = Math.max(0, depth - 1);
      expectOperand = false;
      continue;
    }
    if ("+-*/%^<>=!&|?:,".includes(ch)) {
      operators++;
      if (operators > MAX_FORMULA_OPERATORS) return tooComplex(text, `more than ${MAX_FORMULA_OPERATORS.toLocaleString("en-US")} operators`, i);
      if (expectOperand && (ch === "-" || ch === "+" || ch === "!")) {
        unaryRun++;
        if (depth + unaryRun > MAX_FORMULA_NESTING) return tooComplex(text, `operators and parentheses nested more than ${MAX_FORMULA_NESTING} deep`, i);
      } else if (ch !== "=" || !"<>=!".includes(text[i - 1] ?? "")) expectOperand = true;
      continue;
    }
    unaryRun = 0;
    expectOperand = false;
  }
  return null;
}

export function parseFormula(text: string, isDriver: (name: string) => boolean, fleet?: FleetNames): ParsedFormula | FormulaError {
  const complex = complexityProblem(text);
  if (complex) return complex;
  let ast: Ast;
  try {
    ast = jsep(text);
  } catch (error) {
    const e = error as Error & { index?: number; description?: string };
    // A stack overflow inside the parser despite the limits: still the user's formula, still exit 1.
    if (error instanceof RangeError) return tooComplex(text, "it nests too deeply to read", 0);
    return { code: "formula_syntax", message: `cannot read the formula "${formulaExcerpt(text)}": ${e.description ?? e.message}${e.index !== undefined ? ` at character ${e.index + 1}` : ""}`, index: e.index };
  }
  const sameMonth = new Set<string>();
  const lagged = new Set<string>();
  let problem: FormulaError | undefined;
  const fail = (p: FormulaError) => {
    problem ??= p;
  };
  const visit = (node: Ast): void => {
    if (problem) return;
    switch (node.type) {
      case "Literal": {
        const v = (node as jsepModule.Literal).value;
        if (typeof v !== "number" && typeof v !== "boolean") fail({ code: "formula_unsupported", message: `text ${JSON.stringify(v)} can only be a month argument of after/before/between/monthsSince/ramp in "${formulaExcerpt(text)}"` });
        return;
      }
      case "Identifier": {
        const name = (node as jsepModule.Identifier).name;
        if (isBuiltinValue(name)) return;
        if (isDriver(name)) {
          sameMonth.add(name);
          return;
        }
        fail({ code: "formula_unknown_name", name, message: `unknown name "${formulaExcerpt(name, 40)}" in formula "${formulaExcerpt(text)}"` });
        return;
      }
      case "UnaryExpression": {
        const u = node as jsepModule.UnaryExpression;
        if (!["-", "+", "!"].includes(u.operator)) fail({ code: "formula_unsupported", message: `operator ${u.operator} is not supported in "${formulaExcerpt(text)}"` });
        visit(u.argument);
        return;
      }
      case "BinaryExpression": {
        const b = node as jsepModule.BinaryExpression;
        if (!BINARY_OPS.has(b.operator)) fail({ code: "formula_unsupported", message: `operator ${b.operator} is not supported in "${formulaExcerpt(text)}"` });
        visit(b.left);
        visit(b.right);
        return;
      }
      case "ConditionalExpression": {
        const c = node as jsepModule.ConditionalExpression;
        visit(c.test);
        visit(c.consequent);
        visit(c.alternate);
        return;
      }
      case "CallExpression": {
        const call = node as jsepModule.CallExpression;
        if (call.callee.type !== "Identifier") {
          fail({ code: "formula_bad_call", message: `only built-in functions can be called in "${formulaExcerpt(text)}"` });
          return;
        }
        const fn = (call.callee as jsepModule.Identifier).name;
        const series = Object.hasOwn(FLEET_SERIES_FUNCTIONS, fn) ? FLEET_SERIES_FUNCTIONS[fn] : undefined;
        if (series) {
          const args = call.arguments;
          if (args.length < series.min || args.length > series.max) {
            fail({ code: "formula_bad_call", variant: "arity", name: fn, min: series.min, max: series.max, count: args.length, message: `${fn} takes ${series.min === series.max ? series.min : `${series.min} to ${series.max}`} argument(s), got ${args.length}, in "${formulaExcerpt(text)}" — ${series.doc}` });
            return;
          }
          let name: string | null = null;
          if (args.length) {
            const a = args[0];
            if (a.type !== "Literal" || typeof (a as jsepModule.Literal).value !== "string") {
              fail({ code: "formula_bad_call", variant: "name_arg", name: fn, message: `${fn} takes the name of a ${series.of === "cohort" ? "fleet cohort" : "site"} in quotes, in "${formulaExcerpt(text)}" — ${series.doc}` });
              return;
            }
            name = String((a as jsepModule.Literal).value);
            const known = fleet ? (series.of === "cohort" ? fleet.cohorts : fleet.sites) : null;
            if (known && !known.includes(name)) {
              const where = series.of === "cohort" ? "fleet:" : "sites:";
              fail({ code: "formula_unknown_name", variant: series.of, name, known: [...known], message: `unknown ${series.of === "cohort" ? "fleet cohort" : "site"} "${formulaExcerpt(name, 40)}" in formula "${formulaExcerpt(text)}"${known.length ? `; the model has: ${known.join(", ")}` : `; define it under ${where}`}` });
              return;
            }
          }
          sameMonth.add(fleetSeriesKey(fn, name));
          return;
        }
        const finance = financeFunctionName(fn);
        const spec = Object.hasOwn(BUILTIN_FUNCTIONS, fn) ? BUILTIN_FUNCTIONS[fn] : finance ? FORMULA_FINANCE_FUNCTIONS[finance] : undefined;
        if (!spec) {
          fail({ code: "formula_unknown_name", variant: "function", name: fn, message: `unknown function "${formulaExcerpt(fn, 40)}" in formula "${formulaExcerpt(text)}"; available: ${formulaFunctionNames().join(", ")}` });
          return;
        }
        const args = call.arguments;
        if (args.length < spec.min || args.length > spec.max) {
          const expected = spec.min === spec.max ? String(spec.min) : `${spec.min} to ${spec.max}`;
          fail({ code: "formula_bad_call", variant: "arity", name: finance ?? fn, min: spec.min, max: spec.max, count: args.length, message: `${finance ?? fn} takes ${expected} argument(s), got ${args.length}, in "${formulaExcerpt(text)}" — ${spec.doc}` });
          return;
        }
        if (fn === "prev") {
          const target = args[0];
          if (target.type !== "Identifier" || !isDriver((target as jsepModule.Identifier).name)) {
            const n = target.type === "Identifier" ? (target as jsepModule.Identifier).name : undefined;
            fail(n !== undefined && !isBuiltinValue(n)
              ? { code: "formula_unknown_name", name: n, message: `unknown name "${formulaExcerpt(n, 40)}" in formula "${formulaExcerpt(text)}"` }
              : { code: "formula_bad_call", message: `prev() takes the name of a driver, in "${formulaExcerpt(text)}"` });
            return;
          }
          lagged.add((target as jsepModule.Identifier).name);
          if (args[1]) visit(args[1]);
          return;
        }
        if (MONTH_ARG_FUNCTIONS.has(fn)) {
          // A month is "YYYY-MM" in quotes, or a value that is a month index (months from
          // the model's first month, as t counts: a driver declared with `month:`, a sum).
          for (const a of args) {
            if (a.type === "Literal" && typeof (a as jsepModule.Literal).value === "string") {
              if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(String((a as jsepModule.Literal).value))) {
                fail({ code: "formula_bad_call", message: `${fn} takes months written as "YYYY-MM" in quotes, or a month held by a driver, in "${formulaExcerpt(text)}"` });
                return;
              }
            } else visit(a);
          }
          return;
        }
        args.forEach(visit);
        return;
      }
      default:
        fail({ code: "formula_unsupported", message: `${node.type} is not part of the formula language, in "${formulaExcerpt(text)}"` });
    }
  };
  visit(ast);
  return problem ?? { ast, sameMonth, lagged };
}

export function isFormulaError(value: ParsedFormula | FormulaError): value is FormulaError {
  return "code" in value;
}

/** What a compiled formula reads: driver series and calendar facts, both fixed arrays. */
export interface FormulaContext {
  series(name: string): Float64Array;
  calendar: {
    year: Int32Array;
    month: Int32Array;
    fiscalYear: Int32Array;
    fiscalQuarter: Int32Array;
    days: Float64Array;
    hours: Float64Array;
  };
  monthIndex(text: string): number;
}

export type MonthFunction = (t: number) => number;

/** Excel's ROUND: half away from zero, with a correction for binary representation. */
export function excelRound(x: number, digits: number): number {
  const f = Math.pow(10, Math.trunc(digits));
  const y = Math.abs(x) * f;
  const r = Math.round(y + Number.EPSILON * y);
  return (Math.sign(x) * r) / f;
}

/**
 * The functions of a month argument (after, before, between, monthsSince, ramp) as a
 * function of the month index; null for any other function. Shared by both compilers.
 */
export function calendarFunction(fn: string, months: number[]): MonthFunction | null {
  const [a, b] = months;
  switch (fn) {
    case "after":
      return (t) => (t >= a ? 1 : 0);
    case "before":
      return (t) => (t < a ? 1 : 0);
    case "between":
      return (t) => (t >= a && t <= b ? 1 : 0);
    case "monthsSince":
      return (t) => t - a;
    case "ramp": {
      const span = Math.max(1, b - a);
      return (t) => (t <= a ? 0 : t >= b ? 1 : (t - a) / span);
    }
  }
  return null;
}
