import type jsepModule from "jsep";
import { excelRound, calendarFunction, financeFunctionName, fleetSeriesKey, FLEET_SERIES_FUNCTIONS, MONTH_ARG_FUNCTIONS, type FormulaContext, type MonthFunction, type ParsedFormula } from "../model/formula.js";
import { pmt, ipmt, ppmt, pv, fv, rate, npv, sln, FinanceError } from "../finance/index.js";

type Ast = jsepModule.Expression;

/**
 * The formula language's first evaluator, kept as the reference the compiled formulas
 * (model/formulaKernel.ts) are tested against: a closure per syntax node, called per
 * month. Slow, and obviously faithful to the language's definition.
 */
/** Builds a closure tree from a checked syntax tree: compiled once, run every month. */
export function interpretFormula(parsed: ParsedFormula, ctx: FormulaContext): MonthFunction {
  const build = (node: Ast): MonthFunction => {
    switch (node.type) {
      case "Literal": {
        const v = Number((node as jsepModule.Literal).value);
        return () => v;
      }
      case "Identifier": {
        const name = (node as jsepModule.Identifier).name;
        const c = ctx.calendar;
        switch (name) {
          case "t":
            return (t) => t;
          case "month":
            return (t) => c.month[t];
          case "year":
            return (t) => c.year[t];
          case "fiscalYear":
            return (t) => c.fiscalYear[t];
          case "quarter":
            return (t) => c.fiscalQuarter[t];
          case "days":
            return (t) => c.days[t];
          case "hours":
            return (t) => c.hours[t];
        }
        const s = ctx.series(name);
        return (t) => s[t];
      }
      case "UnaryExpression": {
        const u = node as jsepModule.UnaryExpression;
        const a = build(u.argument);
        if (u.operator === "-") return (t) => -a(t);
        if (u.operator === "!") return (t) => (a(t) === 0 ? 1 : 0);
        return a;
      }
      case "BinaryExpression": {
        const b = node as jsepModule.BinaryExpression;
        const l = build(b.left);
        const r = build(b.right);
        switch (b.operator) {
          case "+":
            return (t) => l(t) + r(t);
          case "-":
            return (t) => l(t) - r(t);
          case "*":
            return (t) => l(t) * r(t);
          case "/":
            return (t) => l(t) / r(t);
          case "%":
            return (t) => l(t) % r(t);
          case "^":
          case "**":
            return (t) => Math.pow(l(t), r(t));
          case "<":
            return (t) => (l(t) < r(t) ? 1 : 0);
          case "<=":
            return (t) => (l(t) <= r(t) ? 1 : 0);
          case ">":
            return (t) => (l(t) > r(t) ? 1 : 0);
          case ">=":
            return (t) => (l(t) >= r(t) ? 1 : 0);
          case "==":
            return (t) => (l(t) === r(t) ? 1 : 0);
          case "!=":
            return (t) => (l(t) !== r(t) ? 1 : 0);
          case "&&":
            return (t) => (l(t) !== 0 && r(t) !== 0 ? 1 : 0);
          case "||":
            return (t) => (l(t) !== 0 || r(t) !== 0 ? 1 : 0);
        }
        throw new Error(`unreachable operator ${b.operator}`);
      }
      case "ConditionalExpression": {
        const c = node as jsepModule.ConditionalExpression;
        const test = build(c.test);
        const yes = build(c.consequent);
        const no = build(c.alternate);
        return (t) => (test(t) !== 0 ? yes(t) : no(t));
      }
      case "CallExpression": {
        const call = node as jsepModule.CallExpression;
        const fn = (call.callee as jsepModule.Identifier).name;
        const monthArg = (i: number) => ctx.monthIndex(String((call.arguments[i] as jsepModule.Literal).value));
        if (Object.hasOwn(FLEET_SERIES_FUNCTIONS, fn)) {
          const s = ctx.series(fleetSeriesKey(fn, call.arguments.length ? String((call.arguments[0] as jsepModule.Literal).value) : null));
          return (t) => s[t];
        }
        if (MONTH_ARG_FUNCTIONS.has(fn)) {
          const literal = (a: Ast) => a.type === "Literal" && typeof (a as jsepModule.Literal).value === "string";
          if (call.arguments.every(literal)) return calendarFunction(fn, call.arguments.map((_, i) => monthArg(i)))!;
          // Months given as values: month indices, rounded to whole months.
          const m = call.arguments.map((a, i) => (literal(a) ? ((): MonthFunction => { const v = monthArg(i); return () => v; })() : build(a)));
          const at = (i: number, t: number) => Math.round(m[i](t));
          switch (fn) {
            case "after":
              return (t) => (t >= at(0, t) ? 1 : 0);
            case "before":
              return (t) => (t < at(0, t) ? 1 : 0);
            case "between":
              return (t) => (t >= at(0, t) && t <= at(1, t) ? 1 : 0);
            case "monthsSince":
              return (t) => t - at(0, t);
            case "ramp":
              return (t) => {
                const a = at(0, t);
                const b = at(1, t);
                return t <= a ? 0 : t >= b ? 1 : (t - a) / Math.max(1, b - a);
              };
          }
        }
        switch (fn) {
          case "prev": {
            const s = ctx.series((call.arguments[0] as jsepModule.Identifier).name);
            const init = call.arguments[1] ? build(call.arguments[1]) : () => 0;
            return (t) => (t > 0 ? s[t - 1] : init(t));
          }
        }
        const args = call.arguments.map(build);
        const [a, b, c] = args;
        const finance = financeFunctionName(fn);
        if (finance) return (t) => excelFinance(finance, args.map((f) => f(t)));
        switch (fn) {
          case "if":
            return (t) => (a(t) !== 0 ? b(t) : c(t));
          case "min":
            if (args.length === 2) return (t) => Math.min(a(t), b(t));
            return (t) => args.reduce((m, f) => Math.min(m, f(t)), Infinity);
          case "max":
            if (args.length === 2) return (t) => Math.max(a(t), b(t));
            return (t) => args.reduce((m, f) => Math.max(m, f(t)), -Infinity);
          case "abs":
            return (t) => Math.abs(a(t));
          case "round":
            return b ? (t) => excelRound(a(t), b(t)) : (t) => excelRound(a(t), 0);
          case "floor":
            return (t) => Math.floor(a(t));
          case "ceil":
            return (t) => Math.ceil(a(t));
          case "sqrt":
            return (t) => Math.sqrt(a(t));
          case "exp":
            return (t) => Math.exp(a(t));
          case "ln":
            return (t) => Math.log(a(t));
          case "pow":
            return (t) => Math.pow(a(t), b(t));
          case "clamp":
            return (t) => Math.min(Math.max(a(t), b(t)), c(t));
        }
        throw new Error(`unreachable function ${fn}`);
      }
    }
    throw new Error(`unreachable node ${node.type}`);
  };
  return build(parsed.ast);
}

/**
 * The Excel finance functions straight from the library (a second route to the same
 * definitions as the engine's table): Excel's defaults for missing arguments, any non-zero
 * type as 1, NaN where the library reports Excel's error.
 */
function excelFinance(name: string, x: number[]): number {
  if (x.some((v) => Number.isNaN(v))) return NaN;
  const type = (i: number) => (x[i] !== undefined && x[i] !== 0 ? 1 : 0);
  const opt = (i: number, d: number) => (x[i] === undefined ? d : x[i]);
  try {
    switch (name) {
      case "PMT":
        return pmt(x[0], x[1], x[2], opt(3, 0), type(4));
      case "IPMT":
        return ipmt(x[0], x[1], x[2], x[3], opt(4, 0), type(5));
      case "PPMT":
        return ppmt(x[0], x[1], x[2], x[3], opt(4, 0), type(5));
      case "PV":
        return pv(x[0], x[1], x[2], opt(3, 0), type(4));
      case "FV":
        return fv(x[0], x[1], x[2], opt(3, 0), type(4));
      case "RATE":
        return rate(x[0], x[1], x[2], opt(3, 0), type(4), opt(5, 0.1));
      case "NPV":
        return npv(x[0], x.slice(1));
      case "SLN":
        return sln(x[0], x[1], x[2]);
    }
  } catch (error) {
    if (error instanceof FinanceError) return NaN;
    throw error;
  }
  throw new Error(`unreachable finance function ${name}`);
}
