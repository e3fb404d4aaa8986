import { BUILTIN_VALUES, formulaFunctionNames, type FormulaError } from "./formula.js";
import { didYouMean } from "./suggest.js";

/**
 * A formula the parser refused, as an issue: the code, the English message with a "did you
 * mean" where one is close (a driver or calendar name, or a function), and the parameters
 * the translated templates read (`issues.json`: formula_unknown_name_function,
 * formula_bad_call_arity, …).
 */
export function formulaIssue(parsed: FormulaError, text: string, names: Iterable<string>): { code: FormulaError["code"]; message: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = { formula: text };
  if (parsed.name !== undefined) params.name = parsed.name;
  let message = parsed.message;
  if (parsed.code === "formula_unknown_name" && parsed.name && (parsed.variant === "cohort" || parsed.variant === "site")) {
    const suggestion = didYouMean(parsed.name, parsed.known ?? []);
    if (suggestion) {
      params.suggestion = suggestion;
      message = message.replace(/; the model has: .*$/, "") + ` — did you mean "${suggestion}"?`;
    }
    params.variant = suggestion ? `${parsed.variant}_suggest` : parsed.variant;
  } else if (parsed.code === "formula_unknown_name" && parsed.name) {
    const fn = parsed.variant === "function";
    const suggestion = didYouMean(parsed.name, fn ? formulaFunctionNames() : [...names, ...Object.keys(BUILTIN_VALUES)]);
    if (suggestion) {
      params.suggestion = suggestion;
      message += ` — did you mean "${suggestion}"?`;
    } else if (!fn) message += "; define it under drivers:";
    if (fn) params.variant = suggestion ? "function_suggest" : "function";
  }
  if (parsed.variant === "name_arg") params.variant = "name_arg";
  if (parsed.variant === "arity") {
    params.variant = parsed.min === parsed.max ? "arity" : "arity_range";
    Object.assign(params, { min: parsed.min, max: parsed.max, count: parsed.count });
  }
  return { code: parsed.code, message, params };
}
