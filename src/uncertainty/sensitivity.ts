import type { LoadedModel } from "../model/load.js";
import type { CompiledModel } from "../engine/compile.js";
import { evaluate, type Projection } from "../engine/project.js";
import { computeMetrics, metricVector } from "../engine/metrics.js";
import { UsageError } from "../model/issues.js";
import { spearman } from "./math/index.js";
import { applySample, type UncertaintySpec, type UncertainInput } from "./spec.js";
import { planSimulation, runBlocks, blockCount, blockScratch } from "./paths.js";
import { RunShape, columnStatistics } from "./aggregate.js";
import { metricJson, neverNote, anyMonthLabel, type MetricSelector, type MetricValueKind } from "./metricSelector.js";

/**
 * One-at-a-time and global sensitivity of a metric to the model's uncertain inputs.
 *
 * Tornado: each input with a distribution alone at two of its quantiles (p10 and p90 by
 * default), every other input at its median; swing = |metric(high) − metric(low)|.
 * Spider: each input's value (with the others at their medians) moved by −30 % … +30 %
 * of its median value — month inputs by −3 … +3 months, one month per 10 % step,
 * because a percentage of a date means nothing. Global: Spearman rank correlation of
 * each input's sampled values with the metric over Monte Carlo paths, and the squared
 * correlations normalised to 100 % ("contribution to variance", as @RISK and Crystal
 * Ball report it — a ranking aid, not a variance decomposition).
 *
 * Stochastic processes (monthly paths) have no single value to swing: they stay on the
 * model's own path in the tornado and spider, and add unattributed noise in the global run.
 */
export const SPIDER_STEPS = [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3] as const;
/** Month inputs: months added per spider step (one per 10 %). */
export const SPIDER_MONTHS = [-3, -2, -1, 0, 1, 2, 3] as const;

export { DEFAULT_GLOBAL_PATHS, DEFAULT_SEED } from "./defaults.js";
import { DEFAULT_GLOBAL_PATHS, DEFAULT_SEED } from "./defaults.js";
export const MAX_PATHS = 100_000_000;

export interface SensitivityOptions {
  /** Quantiles the tornado swings each input between (default [0.1, 0.9]). */
  at?: [number, number];
  /** Run the Monte Carlo ranking too. */
  global?: { n: number; seed: number; lhs?: boolean } | null;
  /** Stops the global run early: it then ranks the paths done so far (marked partial). */
  signal?: AbortSignal;
  /** Paths of the global run done so far, after each block. */
  onProgress?: (done: number, total: number) => void;
}

/** A metric value as JSON: a number, a month label ("YYYY-MM"), or null (never / undefined). */
export type MetricJson = number | string | null;

export interface TornadoRow {
  input: string;
  path: string;
  isMonth: boolean;
  /** The input's value (what the model sees) at the low and high quantile: a number, or a month label. */
  lowInput: number | string;
  highInput: number | string;
  metricAtLow: MetricJson;
  metricAtHigh: MetricJson;
  /** |metric(high) − metric(low)|, in the metric's unit (months for month-valued metrics); null when undefined. */
  swing: number | null;
}

export interface SpiderRow {
  input: string;
  path: string;
  isMonth: boolean;
  /** The input's value with every input at its median. */
  median: number | string;
  points: { change: number; input: number | string; metric: MetricJson }[];
  /** True when the median value is 0, so percentage moves leave it unchanged. */
  zeroMedian: boolean;
}

export interface GlobalRow {
  input: string;
  path: string;
  /** Spearman rank correlation of the input's sampled values with the metric; null when either is constant. */
  spearman: number | null;
  /** spearman² ÷ Σ spearman², in percent (sign of the correlation not included). */
  contribution: number | null;
}

export interface GlobalResult {
  /** Paths evaluated (fewer than asked when stopped early). */
  n: number;
  seed: number;
  lhs: boolean;
  /** Paths whose metric was defined (e.g. minDscr is undefined without debt service); only these are ranked. */
  used: number;
  excluded: number;
  /** Of the excluded paths, those that are not outcomes at all (NaN, out-of-range values; see validity.ts). */
  invalid: number;
  rows: GlobalRow[];
  summary: { mean: MetricJson; p10: MetricJson; p50: MetricJson; p90: MetricJson };
  /** Present (true) only when the run was stopped early: `n` of `requestedPaths` paths were ranked. */
  partial?: true;
  requestedPaths?: number;
}

export interface SensitivityReport {
  model: string;
  scenario: string | null;
  currency: string;
  unit: string;
  metric: { text: string; label: string; kind: MetricValueKind; never: string | null };
  /** The metric with the model as written (no uncertain input moved). */
  modelValue: MetricJson;
  /** The metric with every uncertain input at its median (the tornado's and spider's centre). */
  baseValue: MetricJson;
  at: [number, number];
  tornado: TornadoRow[];
  spider: { steps: number[]; monthSteps: number[]; rows: SpiderRow[] };
  global: GlobalResult | null;
  /** Processes (stochastic monthly paths) that are not swung. */
  processes: { name: string; driver: string; process: string }[];
  notes: string[];
}

/** Checks a pair of quantiles for the tornado. */
export function checkQuantilePair(at: [number, number]): void {
  const [a, b] = at;
  if (!(a > 0 && a < 1 && b > 0 && b < 1)) throw new UsageError("bad_quantile", `--at quantiles must lie strictly between p0 and p100 (got p${a * 100}, p${b * 100})`);
  if (!(a < b)) throw new UsageError("bad_quantile", `--at needs the lower quantile first, e.g. p10,p90 (got p${a * 100}, p${b * 100})`);
}

export function checkPaths(n: number, option = "-n"): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError("bad_paths", `${option} must be a whole number of paths ≥ 1 (got ${n})`);
  if (n > MAX_PATHS) throw new UsageError("bad_paths", `${option} ${n} is more paths than burnrate runs (at most ${MAX_PATHS.toLocaleString("en-US")})`);
}

/**
 * Evaluates a params vector and reads the metric. The compiled model's series are
 * shared, so this must not run between planning a simulation and running it.
 */
function measure(compiled: CompiledModel, params: Float64Array, selector: MetricSelector, metrics: Float64Array): number {
  const proj = evaluate(compiled, params);
  computeMetrics(proj, metrics, params[compiled.slots.cashFloor], 0, selector.name === "fundingGap");
  return selector.read(proj, metrics);
}

function inputValue(compiled: CompiledModel, input: UncertainInput, value: number): number | string {
  return input.isMonth ? anyMonthLabel(compiled, value) : value;
}

export function sensitivity(loaded: Pick<LoadedModel, "model" | "scenario">, compiled: CompiledModel, spec: UncertaintySpec, selector: MetricSelector, options: SensitivityOptions = {}): SensitivityReport {
  const at = options.at ?? [0.1, 0.9];
  checkQuantilePair(at);
  if (spec.inputs.length === 0) {
    throw new UsageError(
      "no_uncertain_inputs",
      spec.processes.length > 0
        ? "the model's uncertain: section has only processes (monthly paths), which have no single value to swing; add inputs with a distribution (path:, distribution:, …)"
        : "the model has no uncertain: section; sensitivity swings the inputs listed there — add one, e.g. uncertain: { price: { path: drivers.price.constant, distribution: triangular, min: 1.5, mode: 2, max: 2.2 } }",
    );
  }
  const metrics = metricVector();
  const json = (v: number) => metricJson(selector, compiled, v);
  const modelValue = measure(compiled, compiled.baseParams, selector, metrics);

  // Every input at its median: the centre of the tornado and spider.
  const centre = Float64Array.from(compiled.baseParams);
  for (const input of spec.inputs) applySample(centre, input, input.distribution.quantile(0.5));
  const baseValue = measure(compiled, centre, selector, metrics);
  const params = new Float64Array(centre.length);

  const tornado: TornadoRow[] = spec.inputs.map((input) => {
    const values = at.map((q) => {
      params.set(centre);
      applySample(params, input, input.distribution.quantile(q));
      return { input: params[input.slot], metric: measure(compiled, params, selector, metrics) };
    });
    const [low, high] = values;
    const defined = Number.isFinite(low.metric) && Number.isFinite(high.metric);
    return {
      input: input.name,
      path: input.path,
      isMonth: input.isMonth,
      lowInput: inputValue(compiled, input, low.input),
      highInput: inputValue(compiled, input, high.input),
      metricAtLow: json(low.metric),
      metricAtHigh: json(high.metric),
      swing: defined ? Math.abs(high.metric - low.metric) : null,
    };
  });
  // Largest swing first; undefined swings last; ties by name so the order is stable.
  tornado.sort((a, b) => (b.swing ?? -1) - (a.swing ?? -1) || a.input.localeCompare(b.input));

  const spiderRows: SpiderRow[] = spec.inputs.map((input) => {
    const median = centre[input.slot];
    const points = SPIDER_STEPS.map((change, k) => {
      params.set(centre);
      // Every input the sample moves moves by the same step (a shared factor moves together).
      for (const target of input.targets) params[target.slot] = target.isMonth ? centre[target.slot] + SPIDER_MONTHS[k] : centre[target.slot] * (1 + change);
      return { change: input.isMonth ? SPIDER_MONTHS[k] : change, input: inputValue(compiled, input, params[input.slot]), metric: json(measure(compiled, params, selector, metrics)) };
    });
    return { input: input.name, path: input.path, isMonth: input.isMonth, median: inputValue(compiled, input, median), points, zeroMedian: !input.isMonth && median === 0 };
  });

  const global = options.global ? globalSensitivity(compiled, spec, selector, { ...options.global, signal: options.signal, onProgress: options.onProgress }) : null;

  const notes: string[] = [];
  const never = neverNote(selector, compiled);
  if (never) notes.push(never);
  if (spec.processes.length > 0) {
    notes.push(`processes (${spec.processes.map((p) => p.name).join(", ")}) are stochastic monthly paths with no single value to swing: the tornado and spider keep their drivers on the model's path${global ? "; in the global run they vary and add variation no input accounts for" : ""}`);
  }
  const zero = spiderRows.filter((r) => r.zeroMedian).map((r) => r.input);
  if (zero.length > 0) notes.push(`${zero.join(", ")}: the median value is 0, so percentage moves in the spider leave ${zero.length === 1 ? "it" : "them"} unchanged`);
  if (global && spec.correlation) notes.push("the inputs are correlated: rank correlations overlap, so the contributions share credit between correlated inputs");
  if (global?.partial) notes.push(`stopped early: the global ranking covers ${global.n.toLocaleString("en-US")} of ${global.requestedPaths!.toLocaleString("en-US")} paths`);
  const c = compiled.model;
  return {
    model: c.meta.company,
    scenario: loaded.scenario,
    currency: c.meta.currency,
    unit: c.meta.unit,
    metric: { text: selector.text, label: selector.label, kind: selector.kind, never: never ? anyMonthLabel(compiled, compiled.months) : null },
    modelValue: json(modelValue),
    baseValue: json(baseValue),
    at,
    tornado,
    spider: { steps: [...SPIDER_STEPS], monthSteps: [...SPIDER_MONTHS], rows: spiderRows },
    global,
    processes: spec.processes.map((p) => ({ name: p.name, driver: p.driver, process: p.process })),
    notes,
  };
}

/**
 * Ranks inputs by the Spearman correlation of their sampled values (x, one column per input)
 * with a metric (y) over the first `count` paths; paths where the metric is undefined are
 * left out. Shared by a model's global sensitivity and a system's.
 */
export function rankInputs(
  inputs: { name: string; path: string }[],
  x: Float64Array[],
  y: Float64Array,
  count: number,
  selector: MetricSelector,
  compiled: CompiledModel,
  run: { n: number; requested: number; seed: number; lhs: boolean; invalid?: number },
): GlobalResult {
  // Undefined metric values (minDscr without debt service, …) cannot be ranked: drop those paths.
  const keep: number[] = [];
  for (let i = 0; i < count; i++) if (Number.isFinite(y[i])) keep.push(i);
  const pick = (a: Float64Array) => (keep.length === a.length ? a : Float64Array.from(keep, (i) => a[i]));
  const ys = pick(y);
  const rhos = x.map((col) => {
    if (ys.length < 3) return null;
    const r = spearman(pick(col), ys);
    return Number.isFinite(r) ? r : null;
  });
  const total = rhos.reduce<number>((s, r) => s + (r === null ? 0 : r * r), 0);
  const rows: GlobalRow[] = inputs.map((input, k) => ({
    input: input.name,
    path: input.path,
    spearman: rhos[k],
    contribution: rhos[k] === null || total === 0 ? null : (100 * rhos[k]! * rhos[k]!) / total,
  }));
  rows.sort((a, b) => Math.abs(b.spearman ?? 0) - Math.abs(a.spearman ?? 0) || a.input.localeCompare(b.input));
  // The same statistics simulate reports for this run (same collection method and order).
  const stats = columnStatistics(y, count, new RunShape(compiled, "year", run.requested).summary);
  const [p10, p50, p90] = stats.count > 0 ? stats.quantiles([0.1, 0.5, 0.9]) : [NaN, NaN, NaN];
  const json = (v: number) => metricJson(selector, compiled, v);
  return {
    n: run.n,
    seed: run.seed,
    lhs: run.lhs,
    used: ys.length,
    excluded: run.n - ys.length,
    invalid: run.invalid ?? 0,
    rows,
    summary: { mean: selector.kind === "month" ? null : json(stats.mean), p10: json(p10), p50: json(p50), p90: json(p90) },
  };
}

/** Spearman ranking of the inputs over a Monte Carlo run (common inputs: same seed, same samples). */
export function globalSensitivity(
  compiled: CompiledModel,
  spec: UncertaintySpec,
  selector: MetricSelector,
  options: { n: number; seed: number; lhs?: boolean; signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
): GlobalResult {
  checkPaths(options.n);
  if (options.n < 10) throw new UsageError("bad_paths", `--global needs at least 10 paths to rank inputs (got -n ${options.n}); a few thousand rank them to about ±0.02`);
  const lhs = options.lhs ?? false;
  const plan = planSimulation(compiled, spec, { seed: options.seed, lhs, fundingGap: selector.name === "fundingGap" });
  const n = options.n;
  const d = spec.inputs.length;
  const x = spec.inputs.map(() => new Float64Array(n));
  // Invalid paths (validity.ts) never reach the callback: they stay NaN and are left out.
  const y = new Float64Array(n).fill(NaN);
  const params = compiled.params;
  const visit = (path: number, proj: Projection, metrics: Float64Array) => {
    // The params buffer holds each input's applied value for this path.
    for (let k = 0; k < d; k++) x[k][path] = params[spec.inputs[k].slot];
    y[path] = selector.read(proj, metrics);
  };
  // Block by block, so that a stop or a progress report can come between blocks; each
  // block draws from its own stream, so the paths are the same as in one call.
  const blocks = blockCount(plan, n);
  let done = 0;
  let invalid = 0;
  if (!options.signal && !options.onProgress) {
    invalid = runBlocks(plan, n, 0, blocks, visit);
    done = n;
  } else {
    const scratch = blockScratch(plan);
    for (let b = 0; b < blocks && !options.signal?.aborted; b++) {
      invalid += runBlocks(plan, n, b, b + 1, visit, scratch);
      done = Math.min(n, (b + 1) * plan.blockSize);
      options.onProgress?.(done, n);
    }
  }
  const result = rankInputs(
    spec.inputs.map((input) => ({ name: input.name, path: input.path })),
    x,
    y,
    done,
    selector,
    compiled,
    { n: done, requested: n, seed: options.seed, lhs, invalid },
  );
  if (done < n) {
    result.partial = true;
    result.requestedPaths = n;
  }
  return result;
}
