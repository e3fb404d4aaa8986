import { evaluate, type EvaluationOptions } from "../engine/project.js";
import { computeMetrics, metricVector } from "../engine/metrics.js";
import { UNIT_SCALE } from "../model/derived.js";
import { ModelError, UsageError, type IssuePath, type ModelIssue } from "../model/issues.js";
import { didYouMean } from "../model/suggest.js";
import { compileUncertainty, applySample, type UncertaintySpec, type UncertainInput } from "../uncertainty/spec.js";
import { prepareImanConoverTarget } from "../uncertainty/math/imanConover.js";
import { planSimulation, sampleBlock, blockScratch, drawProcessShocks, evaluationOptions, PROCESS_STREAM_BASE, DEFAULT_BLOCK_SIZE, type SimulationPlan, type SamplingPlan, type BlockScratch } from "../uncertainty/paths.js";
import { validateCorrelation, nearestCorrelation } from "../uncertainty/math/index.js";
import { correlationSectionSchema } from "../uncertainty/spec.js";
import { fromZodIssues } from "../model/zodIssues.js";
import { loadSystemText, textsReader, type LoadedSystem, type CompanySource } from "./load.js";
import { compileSystem, downstream, rateShift, type CompiledSystem } from "./compile.js";
import { createRuntime, resolve, writeSharedSeries, newPath, cutClosure, projectCompanyLines, type SystemRuntime } from "./resolve.js";
import { SystemRunShape, encodeSystemChunk, type SystemChunkCollector, type SystemChunkResult } from "./aggregate.js";
import type { OutputDetail } from "../uncertainty/aggregate.js";
import type { InvalidReason } from "../uncertainty/invalidReasons.js";

/** One uncertain input of the system: a shared one (unit 0) or a company's (unit k + 1). */
export interface SystemInput {
  unit: number;
  /** `name` for a shared input, `company.name` for a company's. */
  name: string;
  input: UncertainInput;
}

/**
 * Everything needed to evaluate system paths: a pure function of (system, seed, options).
 * All uncertain inputs of all companies and the shared ones are sampled together, block by
 * block (block b from stream (seed, b)), with one correlation matrix across companies; each
 * path's process noise comes from its own streams; so a path does not depend on which
 * worker, or which machine, evaluates it.
 */
export interface SystemSimulationPlan {
  system: CompiledSystem;
  seed: number;
  lhs: boolean;
  blockSize: number;
  attribution: boolean;
  /** Basis points added to the shared rates on every path (the sector view's +100 bp); 0 for none. */
  rateShockBp: number;
  shift: ((driver: number, serial: number) => number) | null;
  /** Unit 0: the shared drivers; unit k + 1: company k. */
  units: { spec: UncertaintySpec; plan: SimulationPlan; firstStream: number }[];
  inputs: SystemInput[];
  sampling: SamplingPlan;
  runtime: SystemRuntime;
  /** Per link: the companies a cut of it can change. */
  closures: Set<number>[];
  /**
   * Per link: whether a cut that acts after the affected company has run out of cash needs
   * only that company's lines again — a counterparty link whose cut changes no other company
   * and whose company is in no cycle.
   */
  linesOnlyRerun: boolean[];
  warnings: ModelIssue[];
}

export interface SystemPlanOptions {
  seed: number;
  lhs?: boolean;
  blockSize?: number;
  attribution?: boolean;
  rateShockBp?: number;
  /** False: every rerun is a whole evaluation, without the exact shortcuts (for tests). */
  shortcuts?: boolean;
}

export function planSystemSimulation(loaded: LoadedSystem, options: SystemPlanOptions, compiled: CompiledSystem = compileSystem(loaded)): SystemSimulationPlan {
  if (!Number.isSafeInteger(options.seed) || options.seed < 0) throw new UsageError("bad_seed", `--seed must be a whole number ≥ 0 (got ${options.seed})`);
  const lhs = options.lhs ?? false;
  const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
  const seed = options.seed;
  const sharedSpec = compileUncertainty(loaded.shared, compiled.shared);
  const specs = [sharedSpec, ...compiled.companies.map((c) => compileUncertainty(c.loaded, c.compiled))];
  const sharedSlots = (k: number) => compiled.companies[k].shared.flatMap((s) => Array.from(s.slots));
  let stream = PROCESS_STREAM_BASE;
  const units = specs.map((spec, u) => {
    const c = u === 0 ? compiled.shared : compiled.companies[u - 1].compiled;
    const plan = planSimulation(c, spec, { seed, lhs, blockSize, varyingSlots: u === 0 ? [] : sharedSlots(u - 1), readSeries: u === 0 ? [...compiled.shared.driverSeries.values()] : [] });
    const firstStream = stream;
    stream += spec.processes.length;
    return { spec, plan, firstStream };
  });
  const inputs: SystemInput[] = specs.flatMap((spec, u) => spec.inputs.map((input) => ({ unit: u, name: u === 0 ? input.name : `${compiled.companies[u - 1].name}.${input.name}`, input })));
  if (inputs.length === 0 && specs.every((s) => s.processes.length === 0)) {
    throw new UsageError("nothing_uncertain", `${loaded.file}: neither the companies' models nor the system have uncertain inputs; add \`uncertain:\` to a model or to the system file to simulate`);
  }
  const warnings: ModelIssue[] = [...loaded.warnings, ...specs.flatMap((s) => s.warnings)];
  const correlation = systemCorrelation(loaded, specs, inputs, warnings);
  const runtime = createRuntime(compiled, units.slice(1).map((u) => u.plan.workspace));
  // A path's statistics read the statement items and metrics, not report series; of the
  // items, only what a simulate path collects (PATH_ITEMS), the revenue lines and ending
  // cash (links and attribution) and the debt (losses to lenders) — unless an investment
  // link reads the equity a company raised, which the month loop then writes too. Off with
  // the shortcuts, so that the tests comparing both cover it.
  const pathItemsOnly = options.shortcuts !== false && !compiled.links.some((l) => l.link.spec.type === "investment");
  units.slice(1).forEach((u, k) => {
    runtime.steps[k] = u.plan.steps;
    runtime.evaluation[k] = evaluationOptions({ ...u.plan.evaluation, skipReportSeries: true, pathItemsOnly });
  });
  runtime.shortcuts = options.shortcuts !== false;
  const closures = compiled.links.map((_, l) => cutClosure(compiled, l, (k) => downstream(compiled, k)));
  return {
    system: compiled,
    seed,
    lhs,
    blockSize,
    attribution: options.attribution ?? true,
    rateShockBp: options.rateShockBp ?? 0,
    shift: rateShift(compiled, options.rateShockBp ?? 0),
    units,
    inputs,
    sampling: { spec: { inputs: inputs.map((i) => i.input), processes: [], correlation, preparedCorrelation: null, warnings: [] }, seed, lhs, blockSize, correlation: correlation && inputs.length > 1 ? prepareImanConoverTarget(correlation, inputs.length) : null },
    runtime,
    closures,
    linesOnlyRerun: compiled.links.map((info, l) => options.shortcuts !== false && info.link.spec.type === "counterparty" && closures[l].size === 1 && closures[l].has(info.company) && !compiled.order.some((g) => g.cyclic && g.companies.includes(info.company))),
    warnings,
  };
}

/**
 * The rank correlation of all inputs together: each company's own matrix on its block, and
 * the system file's `correlation:` across companies (inputs named COMPANY.INPUT or, for
 * shared ones, NAME). Repaired to the nearest valid matrix, with a warning, if needed.
 */
function systemCorrelation(loaded: LoadedSystem, specs: UncertaintySpec[], inputs: SystemInput[], warnings: ModelIssue[]): number[][] | null {
  const d = inputs.length;
  const start: number[] = [];
  let offset = 0;
  for (const spec of specs) {
    start.push(offset);
    offset += spec.inputs.length;
  }
  const matrix: number[][] = inputs.map((_, i) => inputs.map((__, j) => (i === j ? 1 : 0)));
  let any = false;
  specs.forEach((spec, u) => {
    if (!spec.correlation) return;
    any = true;
    spec.correlation.forEach((row, i) => row.forEach((v, j) => (matrix[start[u] + i][start[u] + j] = v)));
  });
  const raw = loaded.system.correlation;
  if (raw) {
    const source = loaded.source;
    const issue = (code: string, path: IssuePath, message: string, params?: Record<string, unknown>): ModelIssue => ({ code, path, message, severity: "error", position: source.valuePosition(path), ...(params ? { params } : {}) });
    const parsed = correlationSectionSchema.safeParse(raw);
    if (!parsed.success) throw new ModelError(fromZodIssues(correlationSectionSchema, parsed.error.issues, raw, ["correlation"]).map((i) => ({ ...i, position: source.valuePosition(i.path) })));
    const names = inputs.map((i) => i.name);
    const issues: ModelIssue[] = [];
    const positions = raw.inputs.map((name, k) => {
      const i = names.indexOf(name);
      if (i < 0) {
        const s = didYouMean(name, names);
        issues.push(issue("unknown_input", ["correlation", "inputs", k], `"${name}" is not an uncertain input of the system${s ? ` — did you mean "${s}"?` : ""}; name a company's input COMPANY.INPUT (e.g. ${names.find((n) => n.includes(".")) ?? "coreweave.utilization"}) or a shared one by its name`, { name, suggestion: s }));
      }
      return i;
    });
    const m = raw.matrix;
    const n = raw.inputs.length;
    if (m.length !== n || m.some((row) => row.length !== n)) issues.push(issue("not_square", ["correlation", "matrix"], `the matrix must be ${n}×${n}, one row and column per input listed in correlation.inputs`, { size: n }));
    else for (const p of validateCorrelation(m, 1e-12)) issues.push(issue(`correlation_${p.code}`, ["correlation", "matrix", p.row, p.col], p.message, { row: p.row + 1, col: p.col + 1, value: m[p.row]?.[p.col] }));
    if (issues.length) throw new ModelError(issues);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (a !== b) matrix[positions[a]][positions[b]] = m[a][b];
    any = true;
  }
  if (!any || d < 2) return null;
  const repaired = nearestCorrelation(matrix);
  if (repaired.changed) {
    const moves = repaired.changes.slice(0, 10).map((ch) => `(${inputs[ch.row].name}, ${inputs[ch.col].name}) ${ch.from.toFixed(3)} → ${ch.to.toFixed(3)}`);
    warnings.push({ code: "correlation_repaired", path: ["correlation"], severity: "warning", message: `the companies' correlations together with the system's are not a valid correlation matrix; using the nearest valid one (Higham 2002), entries moved: ${moves.join("; ")}`, position: loaded.source.valuePosition(["correlation"]) });
  }
  return repaired.matrix;
}

/**
 * Evaluates paths [from, to) of an n-path system simulation: each path samples every input
 * (its block sampled once, then kept in `scratch`), draws every process, resolves the system
 * with its links and adds each company and the joint outcome to `collector`; with
 * attribution, each link that acted on the path is cut and the path resolved again (common
 * random numbers). `visit` sees each valid path after its main resolution, with every
 * company's metrics; `invalid` each path that is not an outcome (it reaches neither `visit`
 * nor any statistic).
 */
export function runSystemPaths(
  plan: SystemSimulationPlan,
  n: number,
  from: number,
  to: number,
  collector: SystemChunkCollector | null,
  scratch: BlockScratch = blockScratch(plan.sampling),
  visit?: (path: number, rt: SystemRuntime, metrics: Float64Array[]) => void,
  invalid?: (path: number, reason: InvalidReason) => void,
): void {
  const runner = pathRunner(plan);
  const B = plan.blockSize;
  const end = Math.min(to, n);
  // Block by block: the sampling is decided here, once per block, and the paths' loop has
  // no branch that only a new block takes (the optimized loop would meet it without type
  // feedback and be thrown away).
  for (let path = from; path < end; ) {
    const block = Math.floor(path / B);
    const start = block * B;
    const size = Math.min(B, n - start);
    if (scratch.block !== block || scratch.size !== size) sampleBlock(plan.sampling, block, size, scratch);
    const stop = Math.min(end, start + size);
    runner.runPaths(path, stop, start, scratch.values, size, collector, visit, invalid);
    path = stop;
  }
}

const runners = new WeakMap<SystemSimulationPlan, SystemPathRunner>();

function pathRunner(plan: SystemSimulationPlan): SystemPathRunner {
  let runner = runners.get(plan);
  if (!runner) runners.set(plan, (runner = new SystemPathRunner(plan)));
  return runner;
}

/**
 * One system path at a time, with what every path of a plan shares: buffers, and the
 * inputs split by the params they move. Each path is a call of `run` (not an iteration of
 * a long loop): V8 optimizes it once as a whole function, instead of compiling the path
 * loop again and again on stack replacement as each chunk's call runs into new feedback.
 */
class SystemPathRunner {
  private readonly sys: CompiledSystem;
  private readonly rt: SystemRuntime;
  private readonly K: number;
  private readonly L: number;
  /** Shared inputs: their columns of the block's values, in input order. */
  private readonly sharedColumns: Int32Array;
  private readonly sharedInputs: UncertainInput[];
  /** Companies' inputs: their columns, in input order, and each one's company. */
  private readonly companyColumns: Int32Array;
  private readonly companyInputs: UncertainInput[];
  private readonly companyOf: Int32Array;
  private readonly systemScale: number;
  private readonly losses: Float64Array;
  private readonly pathMetrics: Float64Array[];
  private readonly mainCashOut: Float64Array;
  private readonly mainFloorOut: Float64Array;
  private readonly mainPayments: Float64Array;
  private readonly mainRevenue: Float64Array;
  /** Of the shared drivers' model a path reads only its driver series (writeSharedSeries). */
  private readonly sharedEvaluation: EvaluationOptions;

  constructor(private readonly plan: SystemSimulationPlan) {
    const sys = plan.system;
    this.sys = sys;
    this.rt = plan.runtime;
    this.K = sys.companies.length;
    this.L = sys.links.length;
    const shared = plan.inputs.flatMap((input, k) => (input.unit === 0 ? [k] : []));
    const own = plan.inputs.flatMap((input, k) => (input.unit > 0 ? [k] : []));
    this.sharedColumns = Int32Array.from(shared);
    this.sharedInputs = shared.map((k) => plan.inputs[k].input);
    this.companyColumns = Int32Array.from(own);
    this.companyInputs = own.map((k) => plan.inputs[k].input);
    this.companyOf = Int32Array.from(own, (k) => plan.inputs[k].unit - 1);
    this.systemScale = UNIT_SCALE[sys.loaded.system.system.unit];
    this.losses = new Float64Array(this.K);
    this.pathMetrics = sys.companies.map(() => metricVector());
    this.mainCashOut = new Float64Array(this.K);
    this.mainFloorOut = new Float64Array(this.K);
    this.mainPayments = new Float64Array(this.L);
    this.mainRevenue = new Float64Array(this.L);
    this.sharedEvaluation = evaluationOptions({ ...plan.units[0].plan.evaluation, stopAfter: "lines" });
  }

  /** Paths [from, to) of the block starting at path `start`, whose sampled inputs are the rows of `values` (column-major, `size` rows). */
  runPaths(
    from: number,
    to: number,
    start: number,
    values: Float64Array,
    size: number,
    collector: SystemChunkCollector | null,
    visit: ((path: number, rt: SystemRuntime, metrics: Float64Array[]) => void) | undefined,
    invalid: ((path: number, reason: InvalidReason) => void) | undefined,
  ): void {
    for (let path = from; path < to; path++) this.runPath(path, values, size, path - start, collector, visit, invalid);
  }

  /** Path `path`, whose sampled inputs are row i of the block's column-major `values` (size rows). */
  private runPath(
    path: number,
    values: Float64Array,
    size: number,
    i: number,
    collector: SystemChunkCollector | null,
    visit: ((path: number, rt: SystemRuntime, metrics: Float64Array[]) => void) | undefined,
    invalid: ((path: number, reason: InvalidReason) => void) | undefined,
  ): void {
    const plan = this.plan;
    const sys = this.sys;
    const rt = this.rt;
    const K = this.K;
    const units = plan.units;
    const shared = sys.shared;
    const sharedPlan = units[0].plan;
    const pathMetrics = this.pathMetrics;
    // The shared drivers for this path, then every company's params. Within each params
    // vector the samples are written in input order, as one pass over all inputs would.
    shared.params.set(sharedPlan.base);
    const sharedColumns = this.sharedColumns;
    const sharedInputs = this.sharedInputs;
    for (let j = 0; j < sharedColumns.length; j++) applySample(shared.params, sharedInputs[j], values[sharedColumns[j] * size + i]);
    drawProcessShocks(sharedPlan, path, units[0].firstStream);
    evaluate(shared, null, sharedPlan.workspace, sharedPlan.steps, this.sharedEvaluation);
    for (let c = 0; c < K; c++) {
      const unit = units[c + 1];
      rt.pathParams[c].set(unit.plan.base);
      drawProcessShocks(unit.plan, path, unit.firstStream);
    }
    const companyColumns = this.companyColumns;
    const companyInputs = this.companyInputs;
    const companyOf = this.companyOf;
    for (let j = 0; j < companyColumns.length; j++) applySample(rt.pathParams[companyOf[j]], companyInputs[j], values[companyColumns[j] * size + i]);
    // A path is an outcome only if it is one for every company (uncertainty/validity.ts): a
    // sampled input outside its key's range, or NaN, an unbalanced sheet or an out-of-range
    // formula value in any company's projection, and the path is counted apart and left out
    // of every statistic, each company's and the joint ones alike.
    let reason: InvalidReason | null = sharedPlan.validity.inputs(shared.params);
    for (let c = 0; c < K && reason === null; c++) reason = units[c + 1].plan.validity.inputs(rt.pathParams[c]);
    if (reason !== null) {
      invalid?.(path, reason);
      collector?.addInvalid(path, reason);
      return;
    }
    writeSharedSeries(rt, plan.shift);
    newPath(rt);
    const resolution = resolve(rt);
    for (let c = 0; c < K; c++) {
      const proj = rt.projections[c]!;
      computeMetrics(proj, pathMetrics[c], rt.pathParams[c][sys.companies[c].cashFloorSlot]);
      if (reason === null) reason = units[c + 1].plan.validity.results(proj, pathMetrics[c]);
    }
    if (reason !== null) {
      invalid?.(path, reason);
      collector?.addInvalid(path, reason);
      return;
    }
    visit?.(path, rt, pathMetrics);
    if (!collector) return;
    const counts = collector.counts;
    counts.iterationsTotal += resolution.iterations;
    counts.evaluations += resolution.evaluations;
    // Stores on every path, not behind branches that only a chunk's first path (or a rare
    // path) takes: the optimized path would meet those without type feedback.
    counts.iterationsMax = Math.max(counts.iterationsMax, resolution.iterations);
    counts.notConverged += resolution.converged ? 0 : 1;
    const losses = this.losses;
    const systemScale = this.systemScale;
    for (let c = 0; c < K; c++) {
      const company = sys.companies[c];
      const proj = rt.projections[c]!;
      collector.companies[c].add(path, proj, pathMetrics[c]);
      const out = rt.state.cashOut[c];
      losses[c] = Number.isFinite(out) ? (proj.items.debt[out - company.startSerial] * (1 - company.lenderRecovery) * company.unitScale) / systemScale : 0;
    }
    collector.addJoint(rt.state.cashOut, losses);
    if (this.L === 0) return;
    if (!plan.attribution) {
      for (let l = 0; l < this.L; l++) collector.setLink(l, NaN, NaN);
      return;
    }
    this.attributePath(collector);
  }

  /** Cuts each link that acted on the path, resolves what the cut can change again, and counts what moved. */
  private attributePath(collector: SystemChunkCollector): void {
    const plan = this.plan;
    const sys = this.sys;
    const rt = this.rt;
    const L = this.L;
    const counts = collector.counts;
    const mainCashOut = this.mainCashOut;
    const mainFloorOut = this.mainFloorOut;
    const mainPayments = this.mainPayments;
    const mainRevenue = this.mainRevenue;
    const systemScale = this.systemScale;
    mainCashOut.set(rt.state.cashOut);
    mainFloorOut.set(rt.state.floorOut);
    for (let l = 0; l < L; l++) {
      mainPayments[l] = payments(rt, l);
      mainRevenue[l] = total(rt.projections[sys.links[l].company]!.items.revenue);
    }
    for (let l = 0; l < L; l++) {
      const info = sys.links[l];
      const company = sys.companies[info.company];
      const trigger = (info.trigger === "cashFloor" ? mainFloorOut : mainCashOut)[info.source] + 1 + info.lag;
      const acted = trigger <= company.startSerial + company.months - 1;
      const att = counts.attribution[l];
      const closure = plan.closures[l];
      if (!acted) {
        for (const k of closure) {
          const out = Number.isFinite(mainCashOut[k]) ? 1 : 0;
          att.withLink[k] += out;
          att.withoutLink[k] += out;
          att.withoutYear[k][collector.shape.yearIndex(mainCashOut[k])]++;
        }
        collector.setLink(l, 0, 0);
        continue;
      }
      counts.linkActed[l]++;
      rt.state.disabled[l] = 1;
      if (plan.linesOnlyRerun[l] && mainCashOut[info.company] < trigger) {
        // Exact shortcut: a cut link changes the company's months from its trigger month on
        // and nothing before (contract exits, line scales and rounds act from that month; the
        // month loop reads no later month), and nobody else's; so its cash runs out in the
        // same month with or without the link, and only revenue and payments are needed.
        projectCompanyLines(rt, info.company);
        counts.evaluations++;
      } else counts.evaluations += resolve(rt, closure, "statements").evaluations;
      const scale = company.unitScale / systemScale;
      collector.setLink(l, (payments(rt, l) - mainPayments[l]) * scale, (mainRevenue[l] - total(rt.projections[info.company]!.items.revenue)) * scale);
      for (const k of closure) {
        const withLink = Number.isFinite(mainCashOut[k]);
        const without = Number.isFinite(rt.state.cashOut[k]);
        if (withLink) att.withLink[k]++;
        if (without) att.withoutLink[k]++;
        att.withoutYear[k][collector.shape.yearIndex(rt.state.cashOut[k])]++;
        if (withLink && !without) att.onlyWith[k]++;
        if (!withLink && without) att.onlyWithout[k]++;
      }
      rt.state.disabled[l] = 0;
      rt.state.cashOut.set(mainCashOut);
      rt.state.floorOut.set(mainFloorOut);
    }
  }
}

function total(a: Float64Array): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t];
  return s;
}

/** What the counterparty of link l pays over the horizon in the last resolution (company unit). */
function payments(rt: SystemRuntime, l: number): number {
  const info = rt.system.links[l];
  const proj = rt.projections[info.company]!;
  if (info.link.spec.type === "investment") return total(proj.items.equityRaised);
  let s = 0;
  for (const i of info.paymentLines) s += total(proj.lineValues[i]);
  return s;
}

/** One chunk of a system run: a pure function of (system, seed, chunk). */
export function runSystemChunk(plan: SystemSimulationPlan, shape: SystemRunShape, chunk: number, scratch?: BlockScratch): SystemChunkResult {
  const collector = shape.collector(chunk);
  runSystemPaths(plan, shape.paths, collector.start, collector.start + collector.count, collector, scratch);
  return collector.finish();
}

/** Everything a worker or another machine needs to build the same plan: texts, not files. */
export interface SystemSetup {
  text: string;
  file: string;
  texts: Record<string, CompanySource>;
  scenario: string | null;
  cut: string[];
  seed: number;
  lhs: boolean;
  blockSize: number;
  attribution: boolean;
  rateShockBp: number;
  /** Paths of the whole run (it decides the chunks and how percentiles are collected). */
  n: number;
  keep: number;
  detail: OutputDetail;
}

export function systemSetup(loaded: LoadedSystem, settings: Omit<SystemSetup, "text" | "file" | "texts" | "scenario" | "cut">): SystemSetup {
  return { text: loaded.text, file: loaded.file, texts: loaded.texts, scenario: loaded.scenario, cut: loaded.cut, ...settings };
}

/** The plan of a setup: from its texts, or from `loaded` when that system was read from the same texts (a worker given what the main thread checked). */
export function planFromSystemSetup(setup: SystemSetup, loaded: LoadedSystem = loadSystemText(setup.text, setup.file, textsReader(setup.texts), { scenario: setup.scenario ?? undefined, cut: setup.cut })): SystemSimulationPlan {
  return planSystemSimulation(loaded, { seed: setup.seed, lhs: setup.lhs, blockSize: setup.blockSize, attribution: setup.attribution, rateShockBp: setup.rateShockBp });
}

/**
 * The chunks [fromChunk, toChunk) of a system simulation: a pure function of the setup and
 * the range. The results (JSON, every number kept bit for bit) merge in any order with
 * SystemAggregate.add into exactly what one machine computes — the unit of work for
 * sharding a large run.
 */
export function simulateSystemRange(setup: SystemSetup, fromChunk: number, toChunk: number, plan: SystemSimulationPlan = planFromSystemSetup(setup)): unknown[] {
  const shape = new SystemRunShape(plan.system, setup.detail, setup.n, setup.keep);
  const scratch = blockScratch(plan.sampling);
  const out: unknown[] = [];
  for (let c = fromChunk; c < Math.min(toChunk, shape.chunks); c++) out.push(encodeSystemChunk(runSystemChunk(plan, shape, c, scratch)));
  return out;
}

export interface SystemSimulateOptions {
  paths: number;
  /** Periods each company reports: "year" (default) or "month" too. */
  detail?: OutputDetail;
  seed?: number;
  /** Worker threads; 1 runs in this thread. */
  threads?: number | "auto";
  lhs?: boolean;
  keepPaths?: number;
  blockSize?: number;
  /** Rerun each path with each link cut (attribution, revenue lost through links); default true. */
  attribution?: boolean;
  /** Basis points added to the system's shared rates (sector.rates) on every path. */
  rateShockBp?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}
