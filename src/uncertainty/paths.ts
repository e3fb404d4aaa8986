import type { CompiledModel, DriverStep, SeriesClassifier } from "../engine/compile.js";
import { evaluate, createWorkspace, type EvaluationOptions, type Projection, type Workspace } from "../engine/project.js";
import { computeMetrics, metricVector } from "../engine/metrics.js";
import { RandomStream } from "./math/rng.js";
import { normalQuantiles } from "./math/special.js";
import { latinHypercube } from "./math/lhs.js";
import { imanConoverPrepared, ImanConoverScratch } from "./math/imanConoverCore.js";
import { applySample, type UncertaintySpec, type UncertainProcess } from "./sample.js";
import { UsageError } from "../model/issues.js";
import { pathValidity, type InvalidReason, type PathValidity } from "./validity.js";

/** Paths per sampling block: LHS strata and Iman–Conover act within a block. */
export const DEFAULT_BLOCK_SIZE = 8192;

/** Stream ids: block sampling and per-path process noise never share a generator. */
const BLOCK_STREAM = 1;
const PROCESS_STREAM = 16;

export interface SimulationOptions {
  seed: number;
  lhs: boolean;
  blockSize?: number;
  /** Whether paths compute the funding gap (default true; false leaves it NaN — see computeMetrics). */
  fundingGap?: boolean;
  /**
   * Params the caller changes per path besides the sampled inputs (a system of linked
   * companies writes its shared drivers here): the driver steps reading them re-run too.
   */
  varyingSlots?: readonly number[];
  /** Series the caller reads after each path's driver stage (a system's shared drivers): their steps are kept. */
  readSeries?: readonly Float64Array[];
}

/** What sampling a block needs: the inputs, their prepared correlation, the seed and the layout. */
export type SamplingPlan = Pick<SimulationPlan, "spec" | "seed" | "lhs" | "blockSize" | "correlation">;

/**
 * Everything needed to evaluate paths: a pure function of (compiled model, seed, path
 * range). Paths are sampled in fixed blocks, block b from its own stream (seed, b), so a
 * path's inputs do not depend on which thread evaluates it, how many there are, or how
 * the paths are split into chunks of work.
 */
export interface SimulationPlan {
  compiled: CompiledModel;
  spec: UncertaintySpec;
  seed: number;
  lhs: boolean;
  blockSize: number;
  /** Params before sampling (a solver may change them between runs). */
  base: Float64Array;
  /** Driver steps that depend on what varies; the rest are computed once. */
  steps: DriverStep[];
  /** What each path's evaluation may skip or do in one pass (see EvaluationOptions). */
  evaluation: EvaluationOptions;
  /** The same for a caller that reads only what a simulate path collects (`pathItemsOnly`). */
  collectingEvaluation: EvaluationOptions;
  workspace: Workspace;
  cashFloor: number;
  /** Whether each path's metrics include the funding gap. */
  fundingGap: boolean;
  /** The rank-correlation target prepared for Iman–Conover (d×d), or null. */
  correlation: Float64Array | null;
  /** Per process: its stream, its monthly shocks of the current path, and their uniforms. */
  processes: { rng: RandomStream; shocks: Float64Array; uniforms: Float64Array }[];
  /** Which paths are outcomes at all (see validity.ts). */
  validity: PathValidity;
}

export function planSimulation(
  compiled: CompiledModel,
  spec: UncertaintySpec,
  options: SimulationOptions,
  base: Float64Array = compiled.baseParams,
): SimulationPlan {
  if (!Number.isSafeInteger(options.seed) || options.seed < 0) throw new UsageError("bad_seed", `--seed must be a whole number ≥ 0 (got ${options.seed})`);
  const workspace = createWorkspace(compiled);
  // One full evaluation fills every series; later paths re-run only what varies.
  evaluate(compiled, base, workspace);
  const processes: SimulationPlan["processes"] = [];
  const { steps, evaluation } = varyingSteps(compiled, spec, processes, workspace, options.varyingSlots ?? [], options.readSeries ?? []);
  return {
    compiled,
    spec,
    seed: options.seed,
    lhs: options.lhs,
    blockSize: options.blockSize ?? DEFAULT_BLOCK_SIZE,
    base: Float64Array.from(base),
    steps,
    evaluation,
    collectingEvaluation: evaluationOptions({ ...evaluation, pathItemsOnly: true }),
    workspace,
    cashFloor: base[compiled.slots.cashFloor],
    fundingGap: options.fundingGap ?? true,
    correlation: spec.inputs.length > 1 ? spec.preparedCorrelation : null,
    processes,
    validity: pathValidity(compiled, spec, options.fundingGap ?? true),
  };
}

/**
 * The driver steps to re-run per path: those reading a sampled param, or a series that
 * varies, or producing a series a stochastic process moves (followed by the process).
 * Formula steps are compiled again for the plan, so that what does not vary is computed
 * once (a sampled constant is read as its param, and its series is filled only if
 * something other than formulas reads it). Then only the steps whose results lead to
 * something read after the driver stage (lines, prices, rate bases) are kept.
 */
function varyingSteps(c: CompiledModel, spec: UncertaintySpec, states: SimulationPlan["processes"], ws: Workspace, extraSlots: readonly number[], readSeries: readonly Float64Array[]): { steps: DriverStep[]; evaluation: EvaluationOptions } {
  const sampled = new Set([...spec.inputs.flatMap((i) => i.targets.map((target) => target.slot)), ...extraSlots]);
  const processBySeries = new Map<Float64Array, { p: UncertainProcess; index: number }[]>();
  spec.processes.forEach((p, index) => processBySeries.set(p.series, [...(processBySeries.get(p.series) ?? []), { p, index }]));
  for (let j = 0; j < spec.processes.length; j++) states.push({ rng: new RandomStream(), shocks: new Float64Array(c.months), uniforms: new Float64Array(c.months) });
  const dirty = new Set<Float64Array>();
  const out: DriverStep[] = [];
  const lastWriter = new Map<Float64Array, number>();
  c.order.forEach((step, i) => step.outputs.forEach((o) => lastWriter.set(o, i)));
  for (const [series, list] of processBySeries) {
    const i = lastWriter.get(series);
    if (i !== undefined && c.order[i].outputs.length > 1) {
      throw new UsageError("process_on_recursive_driver", `the process on driver "${list[0].p.driver}" cannot apply: that driver depends on its own past through prev(); put the process on a driver it reads instead`);
    }
    if (i === undefined) {
      // A series fixed at compile time (a formula of constants): restore it before each path.
      const snapshot = Float64Array.from(series);
      out.push({ run: () => series.set(snapshot), inputs: [], outputs: [series], slots: [] });
      dirty.add(series);
      for (const { p, index } of list) out.push(processStep(p, c.months, states[index].shocks));
    }
  }
  const classify: SeriesClassifier = (series, paramSlot) => {
    if (processBySeries.has(series)) return "varies";
    if (paramSlot !== undefined) return sampled.has(paramSlot) ? "param" : "fixed";
    return dirty.has(series) ? "varies" : "fixed";
  };
  // Steps compiled from one group of formulas are decided (and rebuilt) together.
  const units: { steps: DriverStep[]; first: number }[] = [];
  c.order.forEach((step, i) => {
    const last = units[units.length - 1];
    if (last && step.component !== undefined && last.steps[0].component === step.component) last.steps.push(step);
    else units.push({ steps: [step], first: i });
  });
  for (const unit of units) {
    const isProcessTarget = unit.steps.some((step, k) => step.outputs.some((o) => processBySeries.has(o) && lastWriter.get(o) === unit.first + k));
    const varies = isProcessTarget || unit.steps.some((step) => step.slots.some((s) => sampled.has(s)) || step.inputs.some((a) => dirty.has(a)));
    if (!varies) continue;
    const rebuild = unit.steps[unit.steps.length - 1].rebuild;
    out.push(...(rebuild && !isProcessTarget ? rebuild(classify) : unit.steps));
    for (const step of unit.steps) for (const o of step.outputs) dirty.add(o);
    if (isProcessTarget) {
      for (const step of unit.steps) for (const o of step.outputs) for (const { p, index } of processBySeries.get(o) ?? []) out.push(processStep(p, c.months, states[index].shocks));
    }
  }
  // Lines: summed by kind in one compiled loop, each computed in place from the drivers it
  // reads (a line that does not vary is read as it is).
  const out0 = ws.projection;
  const it = out0.items;
  const lineSums = c.compileLineSums(classify, (series) => dirty.has(series), { revenue: it.revenue, costOfRevenue: it.costOfRevenue, operatingExpenses: it.operatingExpenses, capex: ws.capexBase, depreciation: ws.depreciationBase, categories: out0.opexByCategory, nonCash: ws.nonCashExpense }, out0.lineValues, ws.capexCumulative);
  const fleetVaries = c.stages.length > 0 || c.cohorts.some((co) => Object.values(co.slots).some((slot) => sampled.has(slot)) || dirty.has(co.powerPrice));
  // Keep what leads to a series read after the driver stage (the lines' own series are not read any more).
  const needed = new Set(c.externalSeries);
  for (const line of c.lines) if (!line.computed) needed.delete(line.series);
  for (const a of lineSums.inputs) needed.add(a);
  for (const a of readSeries) needed.add(a);
  const kept: DriverStep[] = [];
  for (let i = out.length - 1; i >= 0; i--) {
    const step = out[i];
    if (!step.outputs.some((o) => needed.has(o))) continue;
    kept.push(step);
    for (const a of step.inputs) needed.add(a);
  }
  return { steps: kept.reverse(), evaluation: evaluationOptions({ skipFleet: !fleetVaries, lineSums: lineSums.run, skipReportSeries: true }) };
}

/**
 * `options` with every field present, in one order: all the evaluation options of a
 * simulation (a path's, a system's shared drivers', a company's again within a path) then
 * share one hidden class, so that the engine's reads of them stay monomorphic instead of
 * being compiled again as each new combination of fields turns up. An absent field reads
 * as what the engine takes it for (false, null, no stopAfter).
 */
export function evaluationOptions(options: EvaluationOptions): EvaluationOptions {
  return {
    skipFleet: options.skipFleet ?? false,
    lineSums: options.lineSums ?? null,
    sameFleet: options.sameFleet ?? false,
    stopAfter: options.stopAfter,
    skipReportSeries: options.skipReportSeries ?? false,
    pathItemsOnly: options.pathItemsOnly ?? false,
  };
}

function processStep(p: UncertainProcess, H: number, shocks: Float64Array): DriverStep {
  const x = p.series;
  const run = (): void => {
    switch (p.process) {
      case "randomWalk": {
        // Months before `from` (default: the first) keep the driver's own values.
        let s = 0;
        for (let t = p.fromIndex; t < H; t++) {
          s += p.drift + p.sigma * shocks[t];
          x[t] += s;
        }
        break;
      }
      case "gbm": {
        const dt = 1 / 12;
        const a = (p.drift - (p.sigma * p.sigma) / 2) * dt;
        const b = p.sigma * Math.sqrt(dt);
        let f = 1;
        for (let t = p.fromIndex; t < H; t++) {
          f *= Math.exp(a + b * shocks[t]);
          x[t] *= f;
        }
        break;
      }
      case "ou": {
        // Exact discretization of dY = θ(L − Y)dt + σ dW over a month; L is `longRun`
        // or the driver's own deterministic path.
        const dt = 1 / 12;
        const decay = Math.exp(-p.theta * dt);
        const sd = p.theta > 0 ? p.sigma * Math.sqrt((1 - decay * decay) / (2 * p.theta)) : p.sigma * Math.sqrt(dt);
        let y = x[p.fromIndex - 1];
        for (let t = p.fromIndex; t < H; t++) {
          const level = p.longRun ?? x[t];
          y = level + (y - level) * decay + sd * shocks[t];
          x[t] = y;
        }
        break;
      }
      case "jump": {
        let j = 1;
        for (let t = p.fromIndex; t < H; t++) {
          if (shocks[t] < p.probability) j *= 1 + p.size;
          x[t] *= j;
        }
        break;
      }
    }
  };
  return { run, inputs: [x], outputs: [x], slots: [] };
}

/**
 * Scratch for sampling: column-major values[input * size + i] of the block last sampled
 * (kept, so that consecutive chunks of one block sample it once).
 */
export interface BlockScratch {
  values: Float64Array;
  uniforms: Float64Array;
  rng: RandomStream;
  block: number;
  size: number;
  /** Latin hypercube's permutation of strata. */
  strata: Uint32Array;
  /** Iman–Conover's buffers, and what it computes once per target and block size. */
  correlation: ImanConoverScratch;
}

export function blockScratch(plan: SamplingPlan): BlockScratch {
  const d = Math.max(1, plan.spec.inputs.length);
  return { values: new Float64Array(plan.blockSize * d), uniforms: new Float64Array(plan.blockSize * d), rng: new RandomStream(), block: -1, size: 0, strata: new Uint32Array(plan.blockSize), correlation: new ImanConoverScratch() };
}

export function blockCount(plan: SimulationPlan, n: number): number {
  return Math.ceil(n / plan.blockSize);
}

/** Samples every input for the paths of one block (n paths). */
export function sampleBlock(plan: SamplingPlan, block: number, n: number, scratch: BlockScratch): Float64Array {
  const inputs = plan.spec.inputs;
  const d = inputs.length;
  scratch.block = block;
  scratch.size = n;
  if (d === 0) return scratch.values;
  const rng = scratch.rng.reset(plan.seed, block, BLOCK_STREAM);
  let u: Float64Array;
  if (plan.lhs) u = latinHypercube(n, d, rng, { out: scratch.uniforms, scratch: scratch.strata });
  else u = drawUniforms(rng, n * d, scratch.uniforms);
  const values = scratch.values;
  // Column by column through each distribution's own loop: one kind of call per loop, which
  // V8 can inline (one shared loop over all kinds calls through a megamorphic site).
  for (let k = 0; k < d; k++) inputs[k].distribution.quantiles(u.subarray(k * n, (k + 1) * n), values.subarray(k * n, (k + 1) * n));
  if (plan.correlation && n > 2) imanConoverPrepared(values, n, d, plan.correlation, rng, { out: values, scratch: scratch.correlation });
  return values;
}

/**
 * u[0..count) = the stream's next `count` uniforms, in order (column by column of the
 * block). A function of its own, so that the loop's code optimized on stack replacement
 * does not end in sampleBlock's code that has not run yet (which would deoptimize it in
 * every block).
 */
function drawUniforms(rng: RandomStream, count: number, u: Float64Array): Float64Array {
  for (let j = 0; j < count; j++) u[j] = rng.nextUniform();
  return u;
}

/**
 * Evaluates paths [from, to) of an n-path simulation in order, calling `visit` with each
 * one's projection (buffers reused: copy what you keep) and metrics. The params buffer
 * holds the path's sampled inputs during the call. With `pathItemsOnly`, `visit` reads no
 * statement item outside PATH_ITEMS (project.ts): the others are not written.
 */
export function forEachPath(
  plan: SimulationPlan,
  n: number,
  from: number,
  to: number,
  visit: (path: number, projection: Projection, metrics: Float64Array) => void,
  scratch: BlockScratch = blockScratch(plan),
  metrics: Float64Array = metricVector(),
  invalid?: (path: number, reason: InvalidReason) => void,
  pathItemsOnly = false,
): number {
  let invalidCount = 0;
  const validity = plan.validity;
  const c = plan.compiled;
  const inputs = plan.spec.inputs;
  const d = inputs.length;
  const params = c.params;
  const base = plan.base;
  const steps = plan.steps;
  const evaluation = pathItemsOnly ? plan.collectingEvaluation : plan.evaluation;
  const ws = plan.workspace;
  const floor = plan.cashFloor;
  const withGap = plan.fundingGap;
  const B = plan.blockSize;
  for (let path = from; path < Math.min(to, n); ) {
    const block = Math.floor(path / B);
    const start = block * B;
    const size = Math.min(B, n - start);
    if (scratch.block !== block || scratch.size !== size) sampleBlock(plan, block, size, scratch);
    const values = scratch.values;
    const end = Math.min(to, n, start + size);
    for (; path < end; path++) {
      const i = path - start;
      params.set(base);
      for (let k = 0; k < d; k++) applySample(params, inputs[k], values[k * size + i]);
      drawProcessShocks(plan, path);
      let reason = validity.inputs(params);
      if (reason === null) {
        let proj: Projection | null = null;
        try {
          proj = evaluate(c, null, ws, steps, evaluation);
        } catch (error) {
          // The engine refuses some states outright (a RangeError from an absurd input…).
          if (!(error instanceof RangeError || (error as Error)?.name === "EngineError")) throw error;
          reason = "nonFinite";
        }
        if (proj) {
          computeMetrics(proj, metrics, floor, 0, withGap);
          reason = validity.results(proj, metrics);
          if (reason === null) {
            visit(path, proj, metrics);
            continue;
          }
        }
      }
      invalidCount++;
      invalid?.(path, reason ?? "nonFinite");
    }
  }
  return invalidCount;
}

/**
 * Draws the monthly noise of every process of the plan for one path: process j uses
 * stream (seed, path, PROCESS_STREAM + j), so a path's noise does not depend on which
 * thread runs it. A system of companies passes its own first stream number (process j
 * then uses `firstStream + j`), so that processes of different companies never share a
 * stream.
 */
export function drawProcessShocks(plan: Pick<SimulationPlan, "processes" | "spec" | "seed" | "compiled">, path: number, firstStream: number = PROCESS_STREAM): void {
  const processes = plan.processes;
  const specs = plan.spec.processes;
  const H = plan.compiled.months;
  for (let j = 0; j < processes.length; j++) {
    const s = processes[j];
    const shocks = s.shocks;
    const rng = s.rng.reset(plan.seed, path, firstStream + j);
    // Month t's shock is the stream's draw t, but a process moves months from `fromIndex` on
    // only (processStep reads no earlier shock): the earlier draws are passed over, not
    // computed, and their entries stay 0.
    const from = Math.min(H, specs[j].fromIndex);
    rng.skipUniforms(from);
    if (specs[j].process === "jump") for (let t = from; t < H; t++) shocks[t] = rng.nextUniform();
    else {
      // the normals of nextNormal, the quantiles computed all together (normalQuantiles)
      const uniforms = s.uniforms;
      for (let t = from; t < H; t++) uniforms[t] = rng.nextUniform();
      normalQuantiles(uniforms, shocks, from, H);
    }
  }
}

/** First stream number of per-path process noise (block sampling uses stream 1). */
export const PROCESS_STREAM_BASE = PROCESS_STREAM;

/**
 * Evaluates the paths of blocks [fromBlock, toBlock) of an n-path simulation, calling
 * `visit` for each valid path with its projection (buffers reused: copy what you keep) and
 * metrics, and `invalid` for each path that is not an outcome (validity.ts): those never
 * reach `visit`, so every statistic leaves them out alike. Returns how many were invalid.
 */
export function runBlocks(
  plan: SimulationPlan,
  n: number,
  fromBlock: number,
  toBlock: number,
  visit: (path: number, projection: Projection, metrics: Float64Array, block: number) => void,
  scratch: BlockScratch = blockScratch(plan),
  invalid?: (path: number, reason: InvalidReason) => void,
): number {
  const B = plan.blockSize;
  return forEachPath(plan, n, fromBlock * B, toBlock * B, (path, proj, m) => visit(path, proj, m, Math.floor(path / B)), scratch, undefined, invalid);
}

/** The sampled input values of one block (for reports and sensitivity), by input order. */
export function samplesOfBlock(plan: SimulationPlan, block: number, n: number, scratch: BlockScratch = blockScratch(plan)): { start: number; size: number; values: Float64Array } {
  const start = block * plan.blockSize;
  const size = Math.min(plan.blockSize, n - start);
  return { start, size, values: sampleBlock(plan, block, size, scratch) };
}
