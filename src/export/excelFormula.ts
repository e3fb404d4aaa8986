import type jsepModule from "jsep";
import { MONTH_ARG_FUNCTIONS, BUILTIN_VALUES, FLEET_SERIES_FUNCTIONS, financeFunctionName, type ParsedFormula } from "../model/formula.js";

type Ast = jsepModule.Expression;

/**
 * Where a translated formula finds what it reads, in one month's column: a driver's cell,
 * a calendar fact's cell, the previous column's cell of a driver (prev()), and the month
 * index of a `"YYYY-MM"` argument.
 */
export interface ExcelFormulaContext {
  /** Cell of a driver in the same month. */
  driver(name: string): string;
  /** Cell of a driver in the previous month; null in the first month (prev() then takes its default). */
  previous(name: string): string | null;
  /** Cell of a calendar fact (t, month, year, fiscalYear, quarter, days, hours) in this month. */
  calendar(name: "t" | "month" | "year" | "fiscalYear" | "quarter" | "days" | "hours"): string;
  /** 0-based month index of a month written in a formula. */
  monthIndex(text: string): number;
  /** A fleet or site series in this month (fleetUnits("h100"), siteLive("alpha"), …; name null: all). */
  fleet(fn: string, name: string | null): string;
}

/** A number as Excel reads it back exactly (shortest round-trip form). */
export function excelNumber(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`internal: ${v} cannot be written in an Excel formula`);
  const s = String(v);
  return v < 0 ? `(${s})` : s;
}

/**
 * Translates a formula of burnrate's language into an Excel formula (without "=").
 * Every operation is parenthesised, so Excel's precedence (where unary minus binds
 * tighter than ^, and comparisons sit below &) cannot change its meaning. Comparisons and
 * logic give 1 or 0 as in burnrate; `if` and `&&`/`||` are nested IFs, which Excel
 * evaluates lazily like burnrate does (a division by zero in a branch not taken is no error).
 */
export function toExcelFormula(parsed: ParsedFormula, ctx: ExcelFormulaContext): string {
  const truth = (x: string) => `(${x})<>0`;
  const build = (node: Ast): string => {
    switch (node.type) {
      case "Literal": {
        const v = (node as jsepModule.Literal).value;
        return excelNumber(typeof v === "boolean" ? (v ? 1 : 0) : Number(v));
      }
      case "Identifier": {
        const name = (node as jsepModule.Identifier).name;
        // The built-in values are the calendar facts; every other name is a driver.
        if (Object.hasOwn(BUILTIN_VALUES, name)) return ctx.calendar(name as Parameters<ExcelFormulaContext["calendar"]>[0]);
        return ctx.driver(name);
      }
      case "UnaryExpression": {
        const u = node as jsepModule.UnaryExpression;
        const a = build(u.argument);
        if (u.operator === "-") return `(-(${a}))`;
        if (u.operator === "!") return `IF(${truth(a)},0,1)`;
        return a;
      }
      case "BinaryExpression": {
        const b = node as jsepModule.BinaryExpression;
        const l = build(b.left);
        const r = build(b.right);
        switch (b.operator) {
          case "+":
          case "-":
          case "*":
          case "/":
            return `(${l}${b.operator}${r})`;
          case "%":
            // JavaScript's remainder keeps the dividend's sign; Excel's MOD the divisor's.
            return `((${l})-(${r})*TRUNC((${l})/(${r})))`;
          case "^":
          case "**":
            return `POWER(${l},${r})`;
          case "<":
          case "<=":
          case ">":
          case ">=":
            return `IF((${l})${b.operator}(${r}),1,0)`;
          case "==":
            return `IF((${l})=(${r}),1,0)`;
          case "!=":
            return `IF((${l})<>(${r}),1,0)`;
          case "&&":
            return `IF(${truth(l)},IF(${truth(r)},1,0),0)`;
          case "||":
            return `IF(${truth(l)},1,IF(${truth(r)},1,0))`;
        }
        throw new Error(`internal: operator ${b.operator}`);
      }
      case "ConditionalExpression": {
        const c = node as jsepModule.ConditionalExpression;
        return `IF(${truth(build(c.test))},${build(c.consequent)},${build(c.alternate)})`;
      }
      case "CallExpression": {
        const call = node as jsepModule.CallExpression;
        const fn = (call.callee as jsepModule.Identifier).name;
        if (MONTH_ARG_FUNCTIONS.has(fn)) {
          const literal = (arg: jsepModule.Expression) => arg.type === "Literal" && typeof (arg as jsepModule.Literal).value === "string";
          const literals = call.arguments.every(literal);
          // A month as text is its month index; a month as a value (a driver holding a month
          // index) is rounded to a whole month, as the engine does.
          const [a, b] = call.arguments.map((arg) => (literal(arg) ? String(ctx.monthIndex(String((arg as jsepModule.Literal).value))) : `INT(${build(arg)}+0.5)`));
          const t = ctx.calendar("t");
          switch (fn) {
            case "after":
              return `IF(${t}>=${a},1,0)`;
            case "before":
              return `IF(${t}<${a},1,0)`;
            case "between":
              return `IF(${t}>=${a},IF(${t}<=${b},1,0),0)`;
            case "monthsSince":
              return `(${t}-(${a}))`;
            case "ramp":
              return `IF(${t}<=${a},0,IF(${t}>=${b},1,(${t}-(${a}))/${literals ? Math.max(1, Number(b) - Number(a)) : `MAX(1,(${b})-(${a}))`}))`;
          }
        }
        if (Object.hasOwn(FLEET_SERIES_FUNCTIONS, fn)) return ctx.fleet(fn, call.arguments.length ? String((call.arguments[0] as jsepModule.Literal).value) : null);
        if (fn === "prev") {
          const target = (call.arguments[0] as jsepModule.Identifier).name;
          const cell = ctx.previous(target);
          if (cell !== null) return cell;
          return call.arguments[1] ? build(call.arguments[1]) : "0";
        }
        const args = call.arguments.map(build);
        const [a, b, c] = args;
        // Excel's finance functions under their own names, arguments in the same order (the
        // engine's table follows Excel's definitions, defaults and type rule).
        const finance = financeFunctionName(fn);
        if (finance) return `${finance}(${args.join(",")})`;
        switch (fn) {
          case "if":
            return `IF(${truth(a)},${b},${c})`;
          case "min":
            return `MIN(${args.join(",")})`;
          case "max":
            return `MAX(${args.join(",")})`;
          case "abs":
            return `ABS(${a})`;
          case "round":
            return `ROUND(${a},${b ?? "0"})`;
          case "floor":
            return `INT(${a})`;
          case "ceil":
            return `(-INT(-(${a})))`;
          case "sqrt":
            return `SQRT(${a})`;
          case "exp":
            return `EXP(${a})`;
          case "ln":
            return `LN(${a})`;
          case "pow":
            return `POWER(${a},${b})`;
          case "clamp":
            return `MIN(MAX(${a},${b}),${c})`;
        }
        throw new Error(`internal: function ${fn}`);
      }
    }
    throw new Error(`internal: node ${node.type}`);
  };
  return build(parsed.ast);
}
