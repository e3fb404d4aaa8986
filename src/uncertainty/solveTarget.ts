import type { CompiledModel } from "../engine/compile.js";
import type { Projection } from "../engine/project.js";
import { METRIC_INDEX } from "../engine/metrics.js";
import { UsageError } from "../model/issues.js";
import { parseMetricSelector, monthIndexOf, anyMonthLabel, type MetricSelector } from "./metricSelector.js";

/**
 * The target of `burnrate solve`, a small grammar parsed by hand (no eval):
 *
 *   target     := selector OP value                       deterministic: the model as written
 *               | "P(" event ")" OP probability            share of Monte Carlo paths
 *               | stat "(" selector ")" OP value           a statistic of the metric over paths
 *   event      := "cashOut" | "covenantBreach" | selector OP value
 *   stat       := pNN (p10, p90, p2.5 …) | "median" | "mean"
 *   OP         := "<" | "<=" | ">" | ">=" | "=="
 *   value      := a number (12, -3.5, 1e3, 5%) or, for month-valued metrics, a month YYYY-MM
 *
 * `P(cashOut)` is the probability that cash runs out (ending cash below zero) within the
 * horizon; `P(covenantBreach)` that at least one covenant test fails.
 */
export type CompareOp = "<" | "<=" | ">" | ">=" | "==";

export interface Condition {
  selector: MetricSelector;
  op: CompareOp;
  /** Numbers as given; months as month indices from the model's first month. */
  value: number;
  valueText: string;
}

export type SolveEvent =
  | { kind: "cashOut"; text: string; label: string }
  | { kind: "covenantBreach"; text: string; label: string }
  | { kind: "condition"; text: string; label: string; condition: Condition };

export type SolveTarget =
  | { kind: "value"; text: string; condition: Condition }
  | { kind: "probability"; text: string; event: SolveEvent; op: CompareOp; value: number }
  | { kind: "quantile"; text: string; q: number; selector: MetricSelector; op: CompareOp; value: number; valueText: string }
  | { kind: "mean"; text: string; selector: MetricSelector; op: CompareOp; value: number; valueText: string };

export const TARGET_EXAMPLES = `'minCash >= 0', 'breakeven <= 2027-12', 'revenue@2027 >= 5400', 'P(cashOut) <= 0.05', 'P(breakeven <= 2027-12) >= 0.5', 'p90(fundingGap) <= 0'`;

function bad(text: string, why: string): UsageError {
  return new UsageError("bad_target", `--target "${text}": ${why}; expected a target such as ${TARGET_EXAMPLES}`);
}

const TWO_CHAR = ["<=", ">=", "==", "!=", "=<", "=>"];

/** Splits at the comparison operators outside parentheses. */
function splitComparison(s: string, whole: string): { lhs: string; op: CompareOp; rhs: string } | null {
  let depth = 0;
  const found: { at: number; op: string }[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "(") depth++;
    else if (ch === ")") {
      depth--;
      if (depth < 0) throw bad(whole, "a \")\" has no matching \"(\"");
    } else if (depth === 0 && (ch === "<" || ch === ">" || ch === "=" || ch === "!")) {
      const two = s.slice(i, i + 2);
      if (TWO_CHAR.includes(two)) {
        found.push({ at: i, op: two });
        i++;
      } else found.push({ at: i, op: ch });
    }
  }
  if (depth !== 0) throw bad(whole, "a \"(\" is not closed");
  if (found.length === 0) return null;
  if (found.length === 2 && /^\s*$/.test(s.slice(found[0].at + found[0].op.length, found[1].at)) && TWO_CHAR.includes(found[0].op + found[1].op)) {
    throw bad(whole, `write ${found[0].op}${found[1].op} without a space`);
  }
  if (found.length > 1) throw bad(whole, `one comparison only (found ${found.map((f) => f.op).join(" and ")})`);
  const { at, op } = found[0];
  if (op === "=") throw bad(whole, "write == to compare for equality");
  if (op === "!=" || op === "!") throw bad(whole, "!= is not supported; use <, <=, >, >= or ==");
  if (op === "=<" || op === "=>") throw bad(whole, `write ${op === "=<" ? "<=" : ">="} instead of ${op}`);
  return { lhs: s.slice(0, at).trim(), op: op as CompareOp, rhs: s.slice(at + op.length).trim() };
}

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$/;

function parseNumber(text: string): number | null {
  if (!NUMBER_RE.test(text)) return null;
  const percent = text.endsWith("%");
  const v = Number(percent ? text.slice(0, -1) : text);
  return Number.isFinite(v) ? (percent ? v / 100 : v) : null;
}

/** The value side of a comparison with a metric. */
function parseMetricValue(text: string, selector: MetricSelector, compiled: CompiledModel, whole: string): number {
  if (text === "") throw bad(whole, `nothing to compare ${selector.text} with`);
  if (selector.kind === "month") {
    const index = monthIndexOf(compiled, text);
    if (index === null) throw bad(whole, `${selector.text} is a month; compare it with a month written YYYY-MM (got "${text}")`);
    if (index > compiled.months - 1) {
      throw bad(whole, `${text} is after the horizon's last month (${compiled.calendar.labels[compiled.months - 1]}): whether ${selector.text} comes by then cannot be told from this model — pick a month inside the horizon or extend it`);
    }
    return index;
  }
  const v = parseNumber(text);
  if (v === null) throw bad(whole, `"${text}" is not a number`);
  return v;
}

function condition(lhs: string, op: CompareOp, rhs: string, compiled: CompiledModel, whole: string): Condition {
  if (lhs === "") throw bad(whole, "nothing on the left of the comparison");
  if (/[()]/.test(lhs)) throw bad(whole, `"${lhs}" is not a metric`);
  const selector = parseMetricSelector(lhs, compiled);
  return { selector, op, value: parseMetricValue(rhs, selector, compiled, whole), valueText: rhs };
}

export function parseTarget(raw: string, compiled: CompiledModel): SolveTarget {
  const text = raw.trim();
  if (text === "") throw bad(raw, "the target is empty");
  const parts = splitComparison(text, text);
  if (!parts) throw bad(text, "no comparison (<, <=, >, >=, ==) found");
  const { lhs, op, rhs } = parts;
  // Shown back in reports, spaced the usual way whatever the spacing typed.
  const shown = `${lhs.replace(/\s*([<>=]=?)\s*/g, " $1 ")} ${op} ${rhs}`;
  const call = /^([A-Za-z][A-Za-z0-9.]*)\s*\((.*)\)$/s.exec(lhs);
  if (!call) return { kind: "value", text: shown, condition: condition(lhs, op, rhs, compiled, text) };
  const fn = call[1];
  const inner = call[2].trim();
  if (fn === "P" || fn === "p") {
    const event = parseEvent(inner, compiled, text);
    const v = parseNumber(rhs);
    if (v === null) throw bad(text, `a probability is compared with a number between 0 and 1 (or a percentage such as 5%), got "${rhs}"`);
    if (v < 0 || v > 1) throw bad(text, `a probability lies between 0 and 1 (got ${rhs})`);
    return { kind: "probability", text: shown, event, op, value: v };
  }
  if (inner === "" || /[()<>=]/.test(inner)) throw bad(text, `${fn}(…) takes a metric, e.g. ${fn}(minCash)`);
  const quantile = /^p(\d+(?:\.\d+)?)$/i.exec(fn);
  if (quantile || fn === "median") {
    const q = fn === "median" ? 0.5 : Number(quantile![1]) / 100;
    if (!(q > 0 && q < 1)) throw bad(text, `${fn} is not a quantile between p0 and p100 (exclusive)`);
    const selector = parseMetricSelector(inner, compiled);
    return { kind: "quantile", text: shown, q, selector, op, value: parseMetricValue(rhs, selector, compiled, text), valueText: rhs };
  }
  if (fn === "mean") {
    const selector = parseMetricSelector(inner, compiled);
    if (selector.kind === "month") throw bad(text, `the mean of a month (${selector.text}) depends on where "never" is put; use a quantile such as p50(${selector.text}) or P(${selector.text} <= YYYY-MM)`);
    return { kind: "mean", text: shown, selector, op, value: parseMetricValue(rhs, selector, compiled, text), valueText: rhs };
  }
  throw bad(text, `unknown statistic "${fn}(…)"; use P(event), a quantile pNN(metric) such as p90(fundingGap), median(metric) or mean(metric)`);
}

function parseEvent(inner: string, compiled: CompiledModel, whole: string): SolveEvent {
  if (inner === "") throw bad(whole, "P() needs an event: cashOut, covenantBreach, or a condition such as breakeven <= 2027-12");
  const H = compiled.months;
  const horizon = `${compiled.calendar.labels[0]} … ${compiled.calendar.labels[H - 1]}`;
  if (inner === "cashOut") return { kind: "cashOut", text: inner, label: `cash runs out (ending cash below 0) within the horizon, ${horizon}` };
  if (inner === "covenantBreach" || inner === "covenantBreaches") {
    if (compiled.covenants.length === 0) throw bad(whole, "the model has no covenants (financing.covenants), so none can be breached");
    return { kind: "covenantBreach", text: inner, label: `at least one covenant test fails within the horizon, ${horizon}` };
  }
  const parts = splitComparison(inner, whole);
  if (!parts) {
    throw bad(whole, `P(${inner}) needs an event: cashOut, covenantBreach, or a condition such as ${inner.includes("@") || !/^[A-Za-z]+$/.test(inner) ? "revenue@2027 >= 5000" : `${inner} <= …`}`);
  }
  const c = condition(parts.lhs, parts.op, parts.rhs, compiled, whole);
  return { kind: "condition", text: inner, label: `${c.selector.text} ${c.op} ${c.selector.kind === "month" ? anyMonthLabel(compiled, c.value) : c.valueText}`, condition: c };
}

/** Tolerance of == between numbers (relative to the larger magnitude, at least absolute 1e-9). */
export function equalWithin(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** a OP b; undefined values (NaN) never compare true. */
export function compareValues(a: number, op: CompareOp, b: number): boolean {
  if (a !== a) return false;
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "==":
      return equalWithin(a, b);
  }
}

/** Whether an event happens in one evaluation. */
export function eventHappens(event: SolveEvent, proj: Projection, metrics: Float64Array): boolean {
  switch (event.kind) {
    case "cashOut":
      return metrics[METRIC_INDEX.cashOutIndex] >= 0;
    case "covenantBreach":
      return metrics[METRIC_INDEX.covenantBreaches] > 0;
    case "condition": {
      const c = event.condition;
      return compareValues(c.selector.read(proj, metrics), c.op, c.value);
    }
  }
}
