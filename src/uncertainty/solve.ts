import type { LoadedModel } from "../model/load.js";
import type { CompiledModel } from "../engine/compile.js";
import { evaluate } from "../engine/project.js";
import { computeMetrics, metricVector } from "../engine/metrics.js";
import { UsageError } from "../model/issues.js";
import { didYouMean } from "../model/suggest.js";
import type { UncertaintySpec } from "./spec.js";
import { planSimulation, runBlocks, blockCount } from "./paths.js";
import { metricJson, anyMonthLabel, monthIndexOf, neverNote, type MetricValueKind } from "./metricSelector.js";
import { compareValues, eventHappens, type CompareOp, type SolveTarget } from "./solveTarget.js";
import { checkPaths, DEFAULT_SEED } from "./sensitivity.js";

/**
 * Goal seek on one input: the value of a param (compile once, change params only) at
 * which a target just holds.
 *
 * Deterministic targets (`minCash >= 0`) evaluate the model as written. Statistical
 * targets (`P(cashOut) <= 0.05`, `p90(fundingGap) <= 0`) run n Monte Carlo paths per
 * trial with the same seed, so every trial sees the same sampled inputs (common random
 * numbers) and only the varied param changes: the statistic is then a step function of
 * the varied value — exactly monotone when each path's metric is — and bisection on it
 * is stable (same answer every run).
 *
 * The search assumes the target switches once (the metric is monotone in the input).
 * Without --between it starts at the input's current value and steps outward, doubling
 * the step, until the target switches: it finds the switch nearest the current value
 * (within a factor of two). Amounts that are ≥ 0 stay ≥ 0 and month inputs stay within
 * the horizon; give --between to search elsewhere. The bracket is then narrowed by
 * bisection (deterministic targets: with regula falsi steps, Illinois variant, which
 * converge in a few steps on smooth metrics and fall back to halving on steps).
 */
export { DEFAULT_SOLVE_PATHS } from "./defaults.js";
import { DEFAULT_SOLVE_PATHS } from "./defaults.js";
const MAX_EXPANSIONS = 40;

export interface SolveOptions {
  /** Range to search, in the input's unit (month inputs: month indices from the first month). */
  between?: [number, number] | null;
  /** Bracket width at which to stop (the input's unit); default 1e-9 (deterministic) or 1e-6 (statistical) relative to the value. */
  tolerance?: number | null;
  /** Statistical targets: paths per trial, seed, Latin hypercube. */
  n?: number;
  seed?: number;
  lhs?: boolean;
  maxEvaluations?: number;
  /** Stops the search between trials; the report then gives the bracket reached, marked partial. */
  signal?: AbortSignal;
  /** After each trial: trials evaluated and Monte Carlo paths run so far. */
  onProgress?: (evaluations: number, paths: number) => void;
}

/** A value tried and what the target's left-hand side was there. */
export interface SolvePoint {
  /** The input's value: a number, or a month label for month inputs. */
  value: number | string;
  /** The metric (deterministic), the probability, or the statistic (month label for month-valued metrics, null when never / undefined). */
  measured: number | string | null;
  holds: boolean;
}

export interface SolveReport {
  model: string;
  scenario: string | null;
  currency: string;
  unit: string;
  vary: { path: string; isMonth: boolean; current: number | string; uncertainInput: string | null };
  /** measureKind: how the measured values read (month-valued: labels, null = never); "probability" for P(…). */
  target: { text: string; kind: SolveTarget["kind"]; measure: string; measureKind: MetricValueKind | "probability"; description: string };
  statistical: { n: number; seed: number; lhs: boolean } | null;
  /** A value in the range meets the target. */
  found: boolean;
  /** The target switches inside the range: `answer` is where it just holds. */
  boundary: boolean;
  /** Where the target (just) holds; null when nowhere in the range. */
  answer: SolvePoint | null;
  /** The nearest value tried on the other side of the switch (the target fails there). */
  other: SolvePoint | null;
  /** |answer − other| (months for month inputs); null without a switch. */
  bracketWidth: number | null;
  current: SolvePoint | null;
  /** The range searched: given with --between, or reached stepping outward. */
  range: { from: SolvePoint; to: SolvePoint; given: boolean };
  evaluations: number;
  /** Monte Carlo paths evaluated in all (statistical targets). */
  paths: number;
  message: string;
  notes: string[];
  /** Present (true) only when the search was stopped before it finished. */
  partial?: true;
}

interface Probe {
  x: number;
  /** Metric or statistic. */
  v: number;
  /** For bracketing: the target's side (for ==, "at or above the value"). */
  side: boolean;
  /** Signed distance to the threshold, positive on the holding side (NaN when undefined). */
  margin: number;
}

/** Finds the param slot of a dotted input path, with a suggestion when it is not one. */
export function slotOfPath(compiled: CompiledModel, path: string): number {
  const slot = compiled.table.slot(path.trim());
  if (slot !== undefined) return slot;
  const s = didYouMean(path.trim(), compiled.table.paths);
  throw new UsageError(
    "unknown_path",
    `--vary: no input at ${path}${s ? ` — did you mean "${s}"?` : ""}; give the dotted path of a number or month in the model, e.g. financing.equity.<round>.amount, drivers.<name>.constant, fleet.<cohort>.count`,
  );
}

/** Parses a --between bound: a number, or a month YYYY-MM for month inputs (as a month index). */
export function parseBound(compiled: CompiledModel, text: string, isMonth: boolean, path: string): number {
  const t = text.trim();
  if (isMonth) {
    const index = monthIndexOf(compiled, t);
    if (index === null) throw new UsageError("bad_between", `--between: ${path} is a month; give months as YYYY-MM (got "${text}")`);
    return index;
  }
  const v = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(v)) throw new UsageError("bad_between", `--between: "${text}" is not a number`);
  return v;
}

function oriented(op: CompareOp, v: number, threshold: number): number {
  return op === "<" || op === "<=" ? threshold - v : v - threshold;
}

export function solve(loaded: Pick<LoadedModel, "model" | "scenario">, compiled: CompiledModel, spec: UncertaintySpec | null, path: string, target: SolveTarget, options: SolveOptions = {}): SolveReport {
  const slot = slotOfPath(compiled, path);
  const isMonth = compiled.table.kinds[slot] === "month";
  const H = compiled.months;
  const x0 = compiled.baseParams[slot];
  const statistical = target.kind !== "value";
  const between = options.between ?? null;
  if (between) {
    const [a, b] = between;
    if (!(Number.isFinite(a) && Number.isFinite(b))) throw new UsageError("bad_between", "--between needs two finite values");
    if (!(a < b)) throw new UsageError("bad_between", `--between A B needs A < B (got ${isMonth ? `${anyMonthLabel(compiled, a)} and ${anyMonthLabel(compiled, b)}` : `${a} and ${b}`})`);
  }
  if (options.tolerance !== undefined && options.tolerance !== null && !(options.tolerance > 0 && Number.isFinite(options.tolerance))) {
    throw new UsageError("bad_tolerance", `--tolerance must be a number > 0 (got ${options.tolerance})`);
  }
  const n = options.n ?? DEFAULT_SOLVE_PATHS;
  const seed = options.seed ?? DEFAULT_SEED;
  const lhs = options.lhs ?? false;
  const uncertain = spec?.inputs.find((i) => i.targets.some((t) => t.slot === slot)) ?? null;
  if (statistical) {
    checkPaths(n);
    if (!spec || (spec.inputs.length === 0 && spec.processes.length === 0)) {
      throw new UsageError("no_uncertain_inputs", `--target "${target.text}" is a statistic over Monte Carlo paths, but the model has no uncertain: section; add one, or solve a deterministic target such as 'minCash >= 0'`);
    }
    if (uncertain && uncertain.targets.find((t) => t.slot === slot)!.apply === "set") {
      throw new UsageError("varies_sampled_input", `${path} is the uncertain input "${uncertain.name}" (apply: set): every path replaces it with a sample, so varying it changes nothing; vary another input, or make the uncertainty relative (apply: multiply or add)`);
    }
  }
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError("bad_seed", `--seed must be a whole number ≥ 0 (got ${seed})`);

  // What the target compares, and with what.
  const op: CompareOp = target.kind === "value" ? target.condition.op : target.op;
  const threshold = target.kind === "value" ? target.condition.value : target.value;
  const selector = target.kind === "value" ? target.condition.selector : target.kind === "probability" ? null : target.selector;
  // The funding gap re-runs the statements on paths short of cash: only when the target reads it.
  const readsGap = (selector ?? (target.kind === "probability" && target.event.kind === "condition" ? target.event.condition.selector : null))?.name === "fundingGap";
  const measuredJson = (v: number): number | string | null => (selector ? metricJson(selector, compiled, v) : Number.isFinite(v) ? v : null);
  const valueJson = (x: number): number | string => (isMonth ? anyMonthLabel(compiled, x) : x);

  // One trial.
  const metrics = metricVector();
  const base = Float64Array.from(compiled.baseParams);
  const buffer = statistical && (target.kind === "quantile" || target.kind === "mean") ? new Float64Array(n) : null;
  let paths = 0;
  let invalidPaths = 0;
  const measure = (x: number): number => {
    base[slot] = x;
    if (!statistical) {
      const proj = evaluate(compiled, base);
      computeMetrics(proj, metrics, base[compiled.slots.cashFloor], 0, readsGap);
      return selector!.read(proj, metrics);
    }
    // A relative uncertain input (add / multiply) applies to the varied base value.
    const trialSpec = uncertain ? { ...spec!, inputs: spec!.inputs.map((i) => (i === uncertain ? { ...i, base: x, targets: i.targets.map((t) => (t.slot === slot ? { ...t, base: x } : t)) } : i)) } : spec!;
    const plan = planSimulation(compiled, trialSpec, { seed, lhs, fundingGap: readsGap }, base);
    let count = 0;
    // Invalid paths (validity.ts) never reach the callback: they count in no statistic.
    buffer?.fill(NaN);
    const invalid = runBlocks(plan, n, 0, blockCount(plan, n), (p, proj, m) => {
      if (target.kind === "probability") {
        if (eventHappens(target.event, proj, m)) count++;
      } else buffer![p] = target.selector.read(proj, m);
    });
    paths += n;
    invalidPaths += invalid;
    if (target.kind === "probability") return n > invalid ? count / (n - invalid) : NaN;
    let m = 0;
    for (let i = 0; i < n; i++) if (Number.isFinite(buffer![i])) buffer![m++] = buffer![i];
    if (m === 0) return NaN;
    if (target.kind === "mean") {
      let s = 0;
      for (let i = 0; i < m; i++) s += buffer![i];
      return s / m;
    }
    const sorted = buffer!.subarray(0, m).sort();
    return sorted[Math.floor(target.q * (m - 1))];
  };
  const cache = new Map<number, Probe>();
  const probe = (x: number): Probe => {
    const hit = cache.get(x);
    if (hit) return hit;
    const v = measure(x);
    const margin = oriented(op, v, threshold);
    // == brackets on "at or above the value", then takes the nearer end.
    const side = op === "==" ? v >= threshold : compareValues(v, op, threshold);
    const p: Probe = { x, v, side, margin: Number.isFinite(margin) ? margin : NaN };
    cache.set(x, p);
    options.onProgress?.(cache.size, paths);
    return p;
  };
  const holds = (p: Probe) => compareValues(p.v, op, threshold);
  const point = (p: Probe): SolvePoint => ({ value: valueJson(p.x), measured: measuredJson(p.v), holds: holds(p) });
  const maxEvaluations = options.maxEvaluations ?? (statistical ? 120 : 400);
  const stopped = () => options.signal?.aborted === true;

  // 1. A bracket: two values on either side of the switch.
  let lo: Probe;
  let hi: Probe;
  let bracket: [Probe, Probe] | null = null;
  const current = statistical && between ? null : probe(x0);
  if (between) {
    lo = probe(between[0]);
    hi = probe(between[1]);
    if (lo.side !== hi.side) bracket = [lo, hi];
    else if (!statistical) {
      // Not monotone after all? Look inside before giving up (cheap when deterministic).
      const steps = isMonth ? Math.min(16, Math.floor(between[1] - between[0]) - 1) : 16;
      let prev = lo;
      for (let k = 1; k <= steps && !bracket && !stopped(); k++) {
        const x = isMonth ? Math.round(between[0] + ((between[1] - between[0]) * k) / (steps + 1)) : between[0] + ((between[1] - between[0]) * k) / (steps + 1);
        const p = probe(x);
        if (p.side !== prev.side) bracket = [prev, p];
        prev = p;
      }
    }
  } else {
    const lower = isMonth ? 0 : x0 >= 0 ? 0 : -Infinity;
    const upper = isMonth ? H - 1 : Infinity;
    const start = probe(x0);
    let step = isMonth ? 1 : x0 !== 0 ? Math.abs(x0) * 0.1 : 1;
    let below = start;
    let above = start;
    lo = start;
    hi = start;
    for (let k = 0; k < MAX_EXPANSIONS && !bracket && cache.size < maxEvaluations && !stopped(); k++, step *= 2) {
      if (above.x < upper) {
        const p = probe(Math.min(upper, x0 + step));
        if (p.side !== start.side) bracket = [above, p];
        above = p;
        hi = p;
      }
      if (!bracket && below.x > lower) {
        const p = probe(Math.max(lower, x0 - step));
        if (p.side !== start.side) bracket = [below, p];
        below = p;
        lo = p;
      }
      if (above.x >= upper && below.x <= lower) break;
    }
  }

  const c = compiled.model;
  const measureName = target.kind === "value" ? target.condition.selector.text : target.kind === "probability" ? `P(${target.event.text})` : target.kind === "quantile" ? `p${Number((target.q * 100).toFixed(4))}(${target.selector.text})` : `mean(${target.selector.text})`;
  const description =
    target.kind === "value"
      ? `${target.condition.selector.label} must be ${op} ${target.condition.valueText}`
      : target.kind === "probability"
        ? `the probability that ${target.event.label} must be ${op} ${target.value}`
        : target.kind === "quantile"
          ? `the ${target.q * 100}th percentile over the paths of ${target.selector.label} must be ${op} ${target.valueText}`
          : `the mean over the paths of ${target.selector.label} must be ${op} ${target.valueText}`;
  const notes: string[] = [];
  if (selector) {
    const never = neverNote(selector, compiled);
    if (never) notes.push(never);
  }
  if (uncertain && statistical) notes.push(`${path} is the uncertain input "${uncertain.name}" (apply: ${uncertain.apply}): the samples apply to the varied value`);
  if (uncertain && !statistical) notes.push(`${path} is the uncertain input "${uncertain.name}"; a deterministic target uses the model as written, without sampling it`);
  if (statistical && target.kind !== "probability") {
    const excluded = selector && (selector.name === "minDscr" || selector.name === "interestCoverage" || selector.name === "netDebtToEbitda" || selector.name === "maxNetDebtToEbitda" || selector.name === "dscr");
    if (excluded) notes.push(`paths where ${selector!.text} is undefined (no debt service / EBITDA not positive) are left out of the statistic`);
  }
  const report = (fields: Pick<SolveReport, "found" | "boundary" | "answer" | "other" | "bracketWidth" | "message">, from: Probe, to: Probe): SolveReport => {
    if (!stopped()) return full(fields, from, to);
    const out = full({ ...fields, message: `Stopped before the search finished (${cache.size} evaluations): ${fields.message}` }, from, to);
    out.partial = true;
    return out;
  };
  const full = (fields: Pick<SolveReport, "found" | "boundary" | "answer" | "other" | "bracketWidth" | "message">, from: Probe, to: Probe): SolveReport => ({
    model: c.meta.company,
    scenario: loaded.scenario,
    currency: c.meta.currency,
    unit: c.meta.unit,
    vary: { path, isMonth, current: valueJson(x0), uncertainInput: uncertain?.name ?? null },
    target: { text: target.text, kind: target.kind, measure: measureName, measureKind: selector ? selector.kind : "probability", description },
    statistical: statistical ? { n, seed, lhs } : null,
    ...fields,
    current: current ? point(current) : null,
    range: { from: point(from), to: point(to), given: between !== null },
    evaluations: cache.size,
    paths,
    // Counted over the whole search, so it is added when the report is made.
    notes: invalidPaths > 0 ? [...notes, `${invalidPaths.toLocaleString("en-US")} of ${paths.toLocaleString("en-US")} simulated paths were invalid (NaN, or a sampled input or formula value outside its key's range) and are left out of every statistic`] : notes,
  });
  const show = (p: Probe) => `${measureName} = ${fmtMeasured(measuredJson(p.v))} at ${fmtValue(valueJson(p.x))}`;

  if (!bracket) {
    const ends = [lo, hi].sort((a, b) => a.x - b.x);
    const where = between ? `in [${fmtValue(valueJson(between[0]))}, ${fmtValue(valueJson(between[1]))}]` : `between ${fmtValue(valueJson(ends[0].x))} and ${fmtValue(valueJson(ends[1].x))} (searched outward from the current value${isMonth ? "; month inputs stay within the horizon" : x0 >= 0 ? "; the search stays ≥ 0 — give --between to look at negative values" : ""})`;
    const holding = [...cache.values()].filter(holds);
    if (holding.length > 0) {
      // Holds throughout: the "just holds" end is the one nearest the threshold.
      const best = holding.reduce((a, b) => (Math.abs(b.margin) < Math.abs(a.margin) ? b : a));
      return report(
        {
          found: true,
          boundary: false,
          answer: point(best),
          other: null,
          bracketWidth: null,
          message: `"${target.text}" holds everywhere ${where}; the target does not switch there. Closest to the limit: ${show(best)}. Widen the range (--between) to find where it stops holding.`,
        },
        ends[0],
        ends[1],
      );
    }
    return report(
      {
        found: false,
        boundary: false,
        answer: null,
        other: null,
        bracketWidth: null,
        message: `no value of ${path} ${where} meets "${target.text}": ${show(ends[0])}, ${show(ends[1])}${op === "==" ? " (no crossing)" : ""}.${between ? " Try a wider --between range." : ""}`,
      },
      ends[0],
      ends[1],
    );
  }

  // 2. Narrow the bracket: g on the target's side, b on the other (for ==, either way round).
  let [g, b] = bracket;
  if (op !== "==" && !g.side) [g, b] = [b, g];
  const tolerance = options.tolerance ?? (statistical ? 1e-6 : 1e-9) * Math.max(1, Math.abs(g.x), Math.abs(b.x));
  const done = () => (isMonth ? Math.abs(b.x - g.x) <= 1 : Math.abs(b.x - g.x) <= tolerance);
  // Illinois regula falsi (deterministic only): the weight of an end kept twice in a row
  // is halved, and a halving step is forced when two steps do not halve the bracket.
  let fg = g.margin;
  let fb = b.margin;
  let kept: "g" | "b" | null = null;
  let bisectNext = false;
  let edgeTried = false;
  let checkpoint = Math.abs(b.x - g.x);
  let steps = 0;
  while (!done() && cache.size < maxEvaluations && !stopped()) {
    const mid = isMonth ? g.x + Math.trunc((b.x - g.x) / 2) : g.x + (b.x - g.x) / 2;
    let x = mid;
    if (!isMonth && !statistical && fg === 0 && !edgeTried) {
      // Exactly on the limit (regula falsi often lands there on a linear metric): one
      // step of the tolerance toward the other end settles it, unless the metric sits
      // on the limit over a whole range (fundingGap = 0 once funded), where halving goes on.
      edgeTried = true;
      x = g.x + Math.sign(b.x - g.x) * tolerance * 0.5;
    } else if (!isMonth && !statistical && !bisectNext && Number.isFinite(fg) && Number.isFinite(fb) && fg !== fb) {
      const s = g.x - (fg * (b.x - g.x)) / (fb - fg);
      if (Number.isFinite(s) && s > Math.min(g.x, b.x) && s < Math.max(g.x, b.x)) x = s;
    }
    bisectNext = false;
    if (x === g.x || x === b.x) break; // adjacent floating-point numbers: as narrow as it gets
    const p = probe(x);
    if (p.side === g.side) {
      g = p;
      fg = p.margin;
      if (kept === "b") fb /= 2;
      kept = "b";
    } else {
      b = p;
      fb = p.margin;
      if (kept === "g") fg /= 2;
      kept = "g";
    }
    if (++steps % 2 === 0) {
      const w = Math.abs(b.x - g.x);
      if (w > checkpoint / 2) bisectNext = true;
      checkpoint = w;
    }
  }
  let answer = g;
  let other = b;
  if (op === "==") {
    // The end nearer the value; == holds when it is within tolerance.
    if (Math.abs(b.margin) < Math.abs(g.margin)) [answer, other] = [b, g];
  }
  if (cache.size >= maxEvaluations && !done()) notes.push(`stopped after ${cache.size} evaluations with the bracket ${fmtNumber(Math.abs(b.x - g.x))} wide`);
  if (statistical && target.kind !== "mean") notes.push(`the statistic is a step function of ${path} over ${n.toLocaleString("en-US")} paths: the answer is known to within the bracket width, and more paths (-n) move it less than the sampling error`);
  const ok = holds(answer);
  const width = Math.abs(other.x - answer.x);
  const side = isMonth ? `at ${fmtValue(valueJson(other.x))}` : `just ${other.x < answer.x ? "below" : "above"} (${fmtValue(valueJson(other.x))})`;
  const message = ok
    ? `"${target.text}" holds at ${path} = ${fmtValue(valueJson(answer.x))} (${measureName} = ${fmtMeasured(measuredJson(answer.v))})${holds(other) ? "" : `; ${side} it does not (${fmtMeasured(measuredJson(other.v))})`}. ${isMonth ? "" : `The switch lies within ${fmtNumber(width)} of the answer.`}`.trim()
    : `${path} = ${fmtValue(valueJson(answer.x))} is the closest value found: ${measureName} = ${fmtMeasured(measuredJson(answer.v))}, which does not meet "${target.text}" (the metric jumps past the value there; ${side} it is ${fmtMeasured(measuredJson(other.v))}).`;
  const [from, to] = between ? [cache.get(between[0])!, cache.get(between[1])!] : [lo, hi].sort((p, q) => p.x - q.x);
  return report({ found: ok, boundary: true, answer: point(answer), other: point(other), bracketWidth: width, message }, from, to);
}

function fmtNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) >= 1e12 || Math.abs(v) < 1e-4)) return v.toExponential(3);
  return String(Number(v.toPrecision(10)));
}
function fmtValue(v: number | string): string {
  return typeof v === "number" ? fmtNumber(v) : v;
}
function fmtMeasured(v: number | string | null): string {
  return v === null ? "never / undefined" : fmtValue(v);
}
