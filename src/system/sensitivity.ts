import { evaluate } from "../engine/project.js";
import { computeMetrics, metricVector } from "../engine/metrics.js";
import { UsageError } from "../model/issues.js";
import { didYouMean } from "../model/suggest.js";
import { applySample } from "../uncertainty/spec.js";
import { parseMetricSelector, metricJson, neverNote, anyMonthLabel, type MetricSelector } from "../uncertainty/metricSelector.js";
import { checkQuantilePair, checkPaths, rankInputs, SPIDER_STEPS, SPIDER_MONTHS, type SensitivityReport, type TornadoRow, type SpiderRow, type GlobalResult } from "../uncertainty/sensitivity.js";
import type { LoadedSystem } from "./load.js";
import { planSystemSimulation, runSystemPaths, type SystemSimulationPlan, type SystemInput } from "./simulate.js";
import { createRuntime, resolve, writeSharedSeries, newPath, type SystemRuntime } from "./resolve.js";

export interface SystemSensitivityOptions {
  /** Quantiles the tornado swings each input between (default [0.1, 0.9]). */
  at?: [number, number];
  /** Rank inputs over a joint Monte Carlo run too. */
  global?: { n: number; seed: number; lhs?: boolean } | null;
}

export interface SystemSensitivityReport {
  system: string;
  scenario: string | null;
  cut: string[];
  /** One report per company measured, as `sensitivity` gives for one model; inputs are every company's and the shared ones (COMPANY.INPUT, NAME). */
  reports: (SensitivityReport & { company: string })[];
}

/**
 * Which uncertain inputs — of the company itself, of the companies it is linked to, or shared
 * — move a company's metric most, with the links acting: each measure resolves the whole
 * system. Tornado and spider as `sensitivity` defines them (every input at its median, one
 * moved); the global ranking over a joint Monte Carlo run. Processes stay on their drivers'
 * own paths in the tornado and spider.
 */
export function systemSensitivity(loaded: LoadedSystem, metric: string, options: SystemSensitivityOptions = {}): SystemSensitivityReport {
  const at = options.at ?? [0.1, 0.9];
  checkQuantilePair(at);
  const plan = planSystemSimulation(loaded, { seed: options.global?.seed ?? 1, lhs: options.global?.lhs, attribution: false });
  const sys = plan.system;
  const names = sys.companies.map((c) => c.name);
  const colon = metric.indexOf(":");
  let targets: number[];
  let metricText = metric;
  if (colon >= 0) {
    const company = metric.slice(0, colon).trim();
    metricText = metric.slice(colon + 1);
    const k = names.indexOf(company);
    if (k < 0) {
      const s = didYouMean(company, names);
      throw new UsageError("unknown_company", `--metric ${metric}: no company named "${company}"${s ? ` — did you mean "${s}"?` : `; the system has: ${names.join(", ")}`}`);
    }
    targets = [k];
  } else targets = names.map((_, k) => k);
  const selectors = new Map<number, MetricSelector>(targets.map((k) => [k, parseMetricSelector(metricText, sys.companies[k].compiled)]));
  if (plan.inputs.length === 0) throw new UsageError("no_uncertain_inputs", "neither the companies' models nor the system have uncertain inputs with a distribution to swing; add them under uncertain:");

  // The deterministic measure: full evaluations (no process), the links resolved.
  const rt = createRuntime(sys);
  const metrics = metricVector();
  const sharedBase = plan.units[0].plan.base;
  const companyBase = plan.units.slice(1).map((u) => u.plan.base);
  const centre = { shared: Float64Array.from(sharedBase), companies: companyBase.map((b) => Float64Array.from(b)) };
  const paramsOf = (p: typeof centre, input: SystemInput) => (input.unit === 0 ? p.shared : p.companies[input.unit - 1]);
  const measure = (p: typeof centre): Map<number, number> => {
    evaluate(sys.shared, p.shared);
    p.companies.forEach((params, k) => rt.pathParams[k].set(params));
    writeSharedSeries(rt);
    newPath(rt);
    resolve(rt);
    return new Map(targets.map((k) => [k, readMetric(rt, k, selectors.get(k)!, metrics)]));
  };
  const asWritten = measure(centre);
  for (const input of plan.inputs) applySample(paramsOf(centre, input), input.input, input.input.distribution.quantile(0.5));
  const atMedian = measure(centre);
  const copy = () => ({ shared: Float64Array.from(centre.shared), companies: centre.companies.map((c) => Float64Array.from(c)) });
  const inputValue = (input: SystemInput, value: number) => (input.input.isMonth ? anyMonthLabel(input.unit === 0 ? sys.shared : sys.companies[input.unit - 1].compiled, value) : value);

  const tornadoValues = plan.inputs.map((input) =>
    at.map((q) => {
      const p = copy();
      applySample(paramsOf(p, input), input.input, input.input.distribution.quantile(q));
      return { input: paramsOf(p, input)[input.input.slot], metric: measure(p) };
    }),
  );
  const spiderValues = plan.inputs.map((input) =>
    SPIDER_STEPS.map((change, s) => {
      const p = copy();
      const params = paramsOf(p, input);
      const base = paramsOf(centre, input);
      for (const target of input.input.targets) params[target.slot] = target.isMonth ? base[target.slot] + SPIDER_MONTHS[s] : base[target.slot] * (1 + change);
      return { change: input.input.isMonth ? SPIDER_MONTHS[s] : change, input: params[input.input.slot], metric: measure(p) };
    }),
  );
  const global = options.global ? globalRanking(plan, targets, selectors, options.global) : null;

  const reports = targets.map((k) => {
    const company = sys.companies[k];
    const selector = selectors.get(k)!;
    const c = company.compiled;
    const json = (v: number) => metricJson(selector, c, v);
    const tornado: TornadoRow[] = plan.inputs.map((input, i) => {
      const [low, high] = tornadoValues[i];
      const l = low.metric.get(k)!;
      const h = high.metric.get(k)!;
      return { input: input.name, path: input.input.path, isMonth: input.input.isMonth, lowInput: inputValue(input, low.input), highInput: inputValue(input, high.input), metricAtLow: json(l), metricAtHigh: json(h), swing: Number.isFinite(l) && Number.isFinite(h) ? Math.abs(h - l) : null };
    });
    tornado.sort((a, b) => (b.swing ?? -1) - (a.swing ?? -1) || a.input.localeCompare(b.input));
    const rows: SpiderRow[] = plan.inputs.map((input, i) => {
      const median = paramsOf(centre, input)[input.input.slot];
      return { input: input.name, path: input.input.path, isMonth: input.input.isMonth, median: inputValue(input, median), points: spiderValues[i].map((pt) => ({ change: pt.change, input: inputValue(input, pt.input), metric: json(pt.metric.get(k)!) })), zeroMedian: !input.input.isMonth && median === 0 };
    });
    const notes: string[] = [];
    const never = neverNote(selector, c);
    if (never) notes.push(never);
    notes.push("every measure projects the whole system: inputs of other companies move this one through the links and the shared drivers");
    const processes = plan.units.flatMap((u, i) => u.spec.processes.map((p) => ({ name: i === 0 ? p.name : `${sys.companies[i - 1].name}.${p.name}`, driver: p.driver, process: p.process })));
    if (processes.length) notes.push(`processes (${processes.map((p) => p.name).join(", ")}) stay on their drivers' own paths in the tornado and spider${global ? "; in the global run they vary and add variation no input accounts for" : ""}`);
    const report: SensitivityReport & { company: string } = {
      company: company.name,
      model: company.loaded.model.meta.company,
      scenario: loaded.scenario,
      currency: company.loaded.model.meta.currency,
      unit: company.loaded.model.meta.unit,
      metric: { text: `${company.name}:${selector.text}`, label: selector.label, kind: selector.kind, never: never ? anyMonthLabel(c, c.months) : null },
      modelValue: json(asWritten.get(k)!),
      baseValue: json(atMedian.get(k)!),
      at,
      tornado,
      spider: { steps: [...SPIDER_STEPS], monthSteps: [...SPIDER_MONTHS], rows },
      global: global ? global.get(k)! : null,
      processes,
      notes,
    };
    return report;
  });
  return { system: loaded.system.system.name, scenario: loaded.scenario, cut: loaded.cut, reports };
}

function readMetric(rt: SystemRuntime, k: number, selector: MetricSelector, metrics: Float64Array): number {
  const company = rt.system.companies[k];
  const proj = rt.projections[k]!;
  computeMetrics(proj, metrics, company.compiled.params[company.cashFloorSlot]);
  return selector.read(proj, metrics);
}

/** Spearman ranking of every input against each target company's metric over joint paths. */
function globalRanking(plan: SystemSimulationPlan, targets: number[], selectors: Map<number, MetricSelector>, options: { n: number; seed: number; lhs?: boolean }): Map<number, GlobalResult> {
  checkPaths(options.n);
  if (options.n < 10) throw new UsageError("bad_paths", `--global needs at least 10 paths to rank inputs (got -n ${options.n})`);
  const n = options.n;
  const sys = plan.system;
  const x = plan.inputs.map(() => new Float64Array(n));
  const y = new Map(targets.map((k) => [k, new Float64Array(n)]));
  const metrics = metricVector();
  runSystemPaths(plan, n, 0, n, null, undefined, (path, rt) => {
    plan.inputs.forEach((input, i) => (x[i][path] = (input.unit === 0 ? sys.shared.params : rt.pathParams[input.unit - 1])[input.input.slot]));
    for (const k of targets) y.get(k)![path] = readMetric(rt, k, selectors.get(k)!, metrics);
  });
  return new Map(targets.map((k) => [k, rankInputs(plan.inputs.map((input) => ({ name: input.name, path: input.input.path })), x, y.get(k)!, n, selectors.get(k)!, sys.companies[k].compiled, { n, requested: n, seed: options.seed, lhs: options.lhs ?? false })]));
}
