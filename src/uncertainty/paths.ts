import type { CompiledModel, DriverStep } from "../engine/compile.js";
import { evaluate, createWorkspace, type Projection, type Workspace } from "../engine/project.js";
import { computeMetrics, metricVector } from "../engine/metrics.js";
import { RandomStream, latinHypercube, imanConover } from "./math/index.js";
import type { UncertaintySpec, UncertainProcess } from "./spec.js";
import { applySample } from "./spec.js";
import { UsageError } from "../model/issues.js";

/** Paths per sampling block: LHS strata and Iman–Conover act within a block. */
export const DEFAULT_BLOCK_SIZE = 8192;

/** Stream ids: block sampling and per-path process noise never share a generator. */
const BLOCK_STREAM = 1;
const PROCESS_STREAM = 16;

export interface SimulationOptions {
  seed: number;
  lhs: boolean;
  blockSize?: number;
  /**
   * Params the caller changes per path besides the sampled inputs (a system of linked
   * companies writes its shared drivers here): the driver steps reading them re-run too.
   */
  varyingSlots?: readonly number[];
}

/** What sampling a block needs: the inputs, their correlation, the seed and the layout. */
export type SamplingPlan = Pick<SimulationPlan, "spec" | "seed" | "lhs" | "blockSize">;

/**
 * Everything needed to evaluate paths: a pure function of (compiled model, seed, path
 * range). Paths are sampled in fixed blocks, block b from its own stream (seed, b), so a
 * path's inputs do not depend on which worker evaluates it or how many there are.
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
  workspace: Workspace;
  cashFloor: number;
}

export function planSimulation(compiled: CompiledModel, spec: UncertaintySpec, options: SimulationOptions, base: Float64Array = compiled.baseParams): SimulationPlan {
  if (!Number.isSafeInteger(options.seed) || options.seed < 0) throw new UsageError("bad_seed", `--seed must be a whole number ≥ 0 (got ${options.seed})`);
  const workspace = createWorkspace(compiled);
  // One full evaluation fills every series; later paths re-run only what varies.
  evaluate(compiled, base, workspace);
  const steps = varyingSteps(compiled, spec, options.varyingSlots ?? []);
  return { compiled, spec, seed: options.seed, lhs: options.lhs, blockSize: options.blockSize ?? DEFAULT_BLOCK_SIZE, base: Float64Array.from(base), steps, workspace, cashFloor: base[compiled.slots.cashFloor] };
}

/**
 * The driver steps to re-run per path: those reading a sampled param, or a series that
 * varies, or producing a series a stochastic process moves (followed by the process).
 */
function varyingSteps(c: CompiledModel, spec: UncertaintySpec, extraSlots: readonly number[]): DriverStep[] {
  const slots = new Set([...spec.inputs.flatMap((i) => i.targets.map((target) => target.slot)), ...extraSlots]);
  const processBySeries = new Map<Float64Array, UncertainProcess[]>();
  for (const p of spec.processes) processBySeries.set(p.series, [...(processBySeries.get(p.series) ?? []), p]);
  const dirty = new Set<Float64Array>();
  const out: DriverStep[] = [];
  const lastWriter = new Map<Float64Array, number>();
  c.order.forEach((step, i) => step.outputs.forEach((o) => lastWriter.set(o, i)));
  for (const [series, list] of processBySeries) {
    const i = lastWriter.get(series);
    if (i !== undefined && c.order[i].outputs.length > 1) {
      throw new UsageError("process_on_recursive_driver", `the process on driver "${list[0].driver}" cannot apply: that driver depends on its own past through prev(); put the process on a driver it reads instead`);
    }
    if (i === undefined) {
      // A series fixed at compile time (a formula of constants): restore it before each path.
      const snapshot = Float64Array.from(series);
      out.push({ run: () => series.set(snapshot), inputs: [], outputs: [series], slots: [] });
      dirty.add(series);
      for (const p of list) out.push(processStep(p, c.months));
    }
  }
  c.order.forEach((step, i) => {
    const isProcessTarget = step.outputs.some((o) => processBySeries.has(o) && lastWriter.get(o) === i);
    const varies = isProcessTarget || step.slots.some((s) => slots.has(s)) || step.inputs.some((a) => dirty.has(a));
    if (!varies) return;
    out.push(step);
    for (const o of step.outputs) dirty.add(o);
    if (isProcessTarget) {
      for (const o of step.outputs) for (const p of processBySeries.get(o) ?? []) out.push(processStep(p, c.months));
    }
  });
  return out;
}

/** Per-path noise is drawn into this stream before the driver steps run. */
const processRng = new WeakMap<UncertainProcess, { rng: RandomStream; shocks: Float64Array }>();

function processStep(p: UncertainProcess, H: number): DriverStep {
  const state = { rng: new RandomStream(), shocks: new Float64Array(H) };
  processRng.set(p, state);
  const x = p.series;
  const shocks = state.shocks;
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

/** Scratch for one block of samples: column-major values[input * n + i]. */
export interface BlockScratch {
  values: Float64Array;
  uniforms: Float64Array;
  rng: RandomStream;
}

export function blockScratch(plan: SamplingPlan): BlockScratch {
  const d = Math.max(1, plan.spec.inputs.length);
  return { values: new Float64Array(plan.blockSize * d), uniforms: new Float64Array(plan.blockSize * d), rng: new RandomStream() };
}

export function blockCount(plan: SimulationPlan, n: number): number {
  return Math.ceil(n / plan.blockSize);
}

/** Samples every input for the paths of one block (n paths). */
export function sampleBlock(plan: SamplingPlan, block: number, n: number, scratch: BlockScratch): Float64Array {
  const inputs = plan.spec.inputs;
  const d = inputs.length;
  if (d === 0) return scratch.values;
  const rng = scratch.rng.reset(plan.seed, block, BLOCK_STREAM);
  let u: Float64Array;
  if (plan.lhs) u = latinHypercube(n, d, rng);
  else {
    u = scratch.uniforms;
    for (let k = 0; k < d; k++) for (let i = 0; i < n; i++) u[k * n + i] = rng.nextUniform();
  }
  const values = scratch.values;
  for (let k = 0; k < d; k++) {
    const dist = inputs[k].distribution;
    for (let i = 0; i < n; i++) values[k * n + i] = dist.quantile(u[k * n + i]);
  }
  if (plan.spec.correlation && n > 2) imanConover(values, n, d, plan.spec.correlation, rng, { out: values });
  return values;
}

/**
 * Evaluates the paths of blocks [fromBlock, toBlock) of an n-path simulation, calling
 * `visit` for each with its projection (buffers reused: copy what you keep) and metrics.
 */
export function runBlocks(
  plan: SimulationPlan,
  n: number,
  fromBlock: number,
  toBlock: number,
  visit: (path: number, projection: Projection, metrics: Float64Array, block: number) => void,
  scratch: BlockScratch = blockScratch(plan),
): void {
  const c = plan.compiled;
  const inputs = plan.spec.inputs;
  const d = inputs.length;
  const metrics = metricVector();
  const params = c.params;
  for (let block = fromBlock; block < toBlock; block++) {
    const start = block * plan.blockSize;
    const size = Math.min(plan.blockSize, n - start);
    if (size <= 0) break;
    const values = sampleBlock(plan, block, size, scratch);
    for (let i = 0; i < size; i++) {
      const path = start + i;
      params.set(plan.base);
      for (let k = 0; k < d; k++) applySample(params, inputs[k], values[k * size + i]);
      drawProcessShocks(plan, path);
      const proj = evaluate(c, null, plan.workspace, plan.steps);
      computeMetrics(proj, metrics, plan.cashFloor);
      visit(path, proj, metrics, block);
    }
  }
}

/**
 * Draws the monthly noise of every process of the plan for one path: process j uses
 * stream (seed, path, firstStream + j), so a path's noise does not depend on which worker
 * runs it. A system of companies passes its own stream numbers, so that processes of
 * different companies never share a stream and a shared process gives every company the
 * same path.
 */
export function drawProcessShocks(plan: SimulationPlan, path: number, firstStream = PROCESS_STREAM, streamOf?: (process: number) => number): void {
  const processes = plan.spec.processes;
  const H = plan.compiled.months;
  for (let j = 0; j < processes.length; j++) {
    const s = processRng.get(processes[j]);
    if (!s) continue;
    const rng = s.rng.reset(plan.seed, path, streamOf ? streamOf(j) : firstStream + j);
    if (processes[j].process === "jump") for (let t = 0; t < H; t++) s.shocks[t] = rng.nextUniform();
    else for (let t = 0; t < H; t++) s.shocks[t] = rng.nextNormal();
  }
}

/** First stream number of per-path process noise (block sampling uses stream 1). */
export const PROCESS_STREAM_BASE = PROCESS_STREAM;

/** The sampled input values of one path (for reports and sensitivity), by input order. */
export function samplesOfBlock(plan: SimulationPlan, block: number, n: number, scratch: BlockScratch = blockScratch(plan)): { start: number; size: number; values: Float64Array } {
  const start = block * plan.blockSize;
  const size = Math.min(plan.blockSize, n - start);
  return { start, size, values: sampleBlock(plan, block, size, scratch) };
}
