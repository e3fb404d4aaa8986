import type jsepModule from "jsep";
import { excelRound, calendarFunction, MONTH_ARG_FUNCTIONS, type FormulaContext, type ParsedFormula } from "./formula.js";

type Ast = jsepModule.Expression;

/**
 * The same formula language compiled to whole-series loops: each syntax node fills a
 * buffer for every month at once. Tight loops over Float64Arrays run an order of
 * magnitude faster than a closure call per node per month, and the buffers are
 * allocated once, at compile time. Used for drivers that do not depend on their own
 * past through prev(); those are evaluated month by month (see compile.ts).
 */
export interface VectorFormula {
  /** Fills `out` for every month. */
  run(): void;
  /** The same work as steps that name what they read and write (for partial re-evaluation). */
  steps: VectorStep[];
}

export interface VectorStep {
  run: () => void;
  inputs: Float64Array[];
  output: Float64Array;
}

export function compileFormulaVector(parsed: ParsedFormula, ctx: FormulaContext, months: number, out: Float64Array): VectorFormula {
  const H = months;
  const steps: VectorStep[] = [];
  const calendarSeries = new Map<string, Float64Array>();
  const calendar = (name: string, make: (t: number) => number) => {
    let a = calendarSeries.get(name);
    if (!a) {
      a = new Float64Array(H);
      for (let t = 0; t < H; t++) a[t] = make(t);
      calendarSeries.set(name, a);
      fixed.add(a);
    }
    return a;
  };
  // Arrays whose values never change between evaluations (literals, calendar facts and
  // anything computed only from them) are computed once here, at compile time.
  const fixed = new Set<Float64Array>();
  const constant = (v: number) => {
    const a = new Float64Array(H).fill(v);
    fixed.add(a);
    return a;
  };
  /** Returns the array holding the node's values (computed by the steps pushed so far). */
  const build = (node: Ast, target?: Float64Array): Float64Array => {
    const inputs: Float64Array[] = [];
    const use = (a: Float64Array) => (inputs.push(a), a);
    const result = (fill: (o: Float64Array) => void): Float64Array => {
      const o = target ?? new Float64Array(H);
      if (inputs.every((a) => fixed.has(a))) {
        fill(o);
        fixed.add(o);
      } else steps.push({ run: () => fill(o), inputs, output: o });
      return o;
    };
    switch (node.type) {
      case "Literal": {
        const v = Number((node as jsepModule.Literal).value);
        if (target) return result((o) => o.fill(v));
        return constant(v);
      }
      case "Identifier": {
        const name = (node as jsepModule.Identifier).name;
        const c = ctx.calendar;
        let src: Float64Array;
        switch (name) {
          case "t":
            src = calendar("t", (t) => t);
            break;
          case "month":
            src = calendar("month", (t) => c.month[t]);
            break;
          case "year":
            src = calendar("year", (t) => c.year[t]);
            break;
          case "fiscalYear":
            src = calendar("fiscalYear", (t) => c.fiscalYear[t]);
            break;
          case "quarter":
            src = calendar("quarter", (t) => c.fiscalQuarter[t]);
            break;
          case "days":
            src = c.days;
            break;
          case "hours":
            src = c.hours;
            break;
          default:
            src = ctx.series(name);
        }
        if (!target) return src;
        use(src);
        return result((o) => o.set(src));
      }
      case "UnaryExpression": {
        const u = node as jsepModule.UnaryExpression;
        const a = use(build(u.argument));
        if (u.operator === "-") return result((o) => { for (let t = 0; t < H; t++) o[t] = -a[t]; });
        if (u.operator === "!") return result((o) => { for (let t = 0; t < H; t++) o[t] = a[t] === 0 ? 1 : 0; });
        if (!target) return a;
        return result((o) => o.set(a));
      }
      case "BinaryExpression": {
        const b = node as jsepModule.BinaryExpression;
        const l = use(build(b.left));
        const r = use(build(b.right));
        switch (b.operator) {
          case "+": return result((o) => { for (let t = 0; t < H; t++) o[t] = l[t] + r[t]; });
          case "-": return result((o) => { for (let t = 0; t < H; t++) o[t] = l[t] - r[t]; });
          case "*": return result((o) => { for (let t = 0; t < H; t++) o[t] = l[t] * r[t]; });
          case "/": return result((o) => { for (let t = 0; t < H; t++) o[t] = l[t] / r[t]; });
          case "%": return result((o) => { for (let t = 0; t < H; t++) o[t] = l[t] % r[t]; });
          case "^":
          case "**": return result((o) => { for (let t = 0; t < H; t++) o[t] = Math.pow(l[t], r[t]); });
          case "<": return result((o) => { for (let t = 0; t < H; t++) o[t] = l[t] < r[t] ? 1 : 0; });
          case "<=": return result((o) => { for (let t = 0; t < H; t++) o[t] = l[t] <= r[t] ? 1 : 0; });
          case ">": return result((o) => { for (let t = 0; t < H; t++) o[t] = l[t] > r[t] ? 1 : 0; });
          case ">=": return result((o) => { for (let t = 0; t < H; t++) o[t] = l[t] >= r[t] ? 1 : 0; });
          case "==": return result((o) => { for (let t = 0; t < H; t++) o[t] = l[t] === r[t] ? 1 : 0; });
          case "!=": return result((o) => { for (let t = 0; t < H; t++) o[t] = l[t] !== r[t] ? 1 : 0; });
          case "&&": return result((o) => { for (let t = 0; t < H; t++) o[t] = l[t] !== 0 && r[t] !== 0 ? 1 : 0; });
          case "||": return result((o) => { for (let t = 0; t < H; t++) o[t] = l[t] !== 0 || r[t] !== 0 ? 1 : 0; });
        }
        throw new Error(`unreachable operator ${b.operator}`);
      }
      case "ConditionalExpression": {
        const c = node as jsepModule.ConditionalExpression;
        const test = use(build(c.test));
        const yes = use(build(c.consequent));
        const no = use(build(c.alternate));
        return result((o) => { for (let t = 0; t < H; t++) o[t] = test[t] !== 0 ? yes[t] : no[t]; });
      }
      case "CallExpression": {
        const call = node as jsepModule.CallExpression;
        const fn = (call.callee as jsepModule.Identifier).name;
        const monthArg = (i: number) => ctx.monthIndex(String((call.arguments[i] as jsepModule.Literal).value));
        if (MONTH_ARG_FUNCTIONS.has(fn)) {
          const months = call.arguments.map((_, i) => monthArg(i));
          const f = calendarFunction(fn, months)!;
          return calendarOrTarget(calendar(`${fn}:${months.join(":")}`, f));
        }
        switch (fn) {
          case "prev": {
            const s = use(ctx.series((call.arguments[0] as jsepModule.Identifier).name));
            const init = use(call.arguments[1] ? build(call.arguments[1]) : constant(0));
            return result((o) => {
              o[0] = init[0];
              for (let t = 1; t < H; t++) o[t] = s[t - 1];
            });
          }
        }
        const args = call.arguments.map((a) => use(build(a)));
        const [a, b, c] = args;
        switch (fn) {
          case "if": return result((o) => { for (let t = 0; t < H; t++) o[t] = a[t] !== 0 ? b[t] : c[t]; });
          case "min": return result((o) => { o.set(a); for (let k = 1; k < args.length; k++) { const x = args[k]; for (let t = 0; t < H; t++) o[t] = Math.min(o[t], x[t]); } });
          case "max": return result((o) => { o.set(a); for (let k = 1; k < args.length; k++) { const x = args[k]; for (let t = 0; t < H; t++) o[t] = Math.max(o[t], x[t]); } });
          case "abs": return result((o) => { for (let t = 0; t < H; t++) o[t] = Math.abs(a[t]); });
          case "round": return result((o) => { for (let t = 0; t < H; t++) o[t] = excelRound(a[t], b ? b[t] : 0); });
          case "floor": return result((o) => { for (let t = 0; t < H; t++) o[t] = Math.floor(a[t]); });
          case "ceil": return result((o) => { for (let t = 0; t < H; t++) o[t] = Math.ceil(a[t]); });
          case "sqrt": return result((o) => { for (let t = 0; t < H; t++) o[t] = Math.sqrt(a[t]); });
          case "exp": return result((o) => { for (let t = 0; t < H; t++) o[t] = Math.exp(a[t]); });
          case "ln": return result((o) => { for (let t = 0; t < H; t++) o[t] = Math.log(a[t]); });
          case "pow": return result((o) => { for (let t = 0; t < H; t++) o[t] = Math.pow(a[t], b[t]); });
          case "clamp": return result((o) => { for (let t = 0; t < H; t++) o[t] = Math.min(Math.max(a[t], b[t]), c[t]); });
        }
        throw new Error(`unreachable function ${fn}`);
      }
    }
    throw new Error(`unreachable node ${node.type}`);

    function calendarOrTarget(src: Float64Array): Float64Array {
      if (!target) return src;
      target.set(src);
      fixed.add(target);
      return target;
    }
  };
  build(parsed.ast, out);
  const list = steps.map((step) => step.run);
  const n = list.length;
  return {
    run: () => {
      for (let i = 0; i < n; i++) list[i]();
    },
    steps,
  };
}
