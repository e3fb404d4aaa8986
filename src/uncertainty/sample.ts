import type { CompiledModel } from "../engine/compile.js";
import type { ModelIssue } from "../model/issues.js";
import { makeDistribution, type Distribution, type DistributionSpec } from "./math/distributions.js";

/**
 * What a simulation samples, as compiled by spec.ts (which validates the `uncertain:` and
 * `correlation:` sections). Kept apart from the validation so that worker threads load
 * neither zod nor the section schemas: they rebuild the spec from plain data.
 */
export type ApplyMode = "set" | "add" | "multiply";

/** One input a sample moves. */
export interface SampleTarget {
  path: string;
  slot: number;
  apply: ApplyMode;
  isMonth: boolean;
  base: number;
}

export interface UncertainInput extends SampleTarget {
  name: string;
  distribution: Distribution;
  /** The parameters the distribution was made from (to rebuild it in a worker). */
  distributionSpec: DistributionSpec;
  /** Every input the sample moves (the first is the one named by `path`, `slot`, …). */
  targets: SampleTarget[];
}

export interface UncertainProcess {
  name: string;
  driver: string;
  process: "randomWalk" | "gbm" | "ou" | "jump";
  series: Float64Array;
  sigma: number;
  drift: number;
  theta: number;
  longRun: number | null;
  probability: number;
  size: number;
  /** First month index the process moves (≥ 1). */
  fromIndex: number;
}

export interface UncertaintySpec {
  inputs: UncertainInput[];
  processes: UncertainProcess[];
  /** Rank-correlation target over `inputs` (identity when none given), repaired if needed. */
  correlation: number[][] | null;
  /** The same target prepared for Iman–Conover (d×d, row-major), or null. */
  preparedCorrelation: Float64Array | null;
  warnings: ModelIssue[];
}

/**
 * The spec as plain data (structured-cloneable): what a worker thread needs to rebuild it
 * against its own compile of the same model, without validating the sections again.
 */
export interface UncertaintyDescription {
  inputs: (Omit<UncertainInput, "distribution">)[];
  processes: (Omit<UncertainProcess, "series">)[];
  correlation: number[][] | null;
  preparedCorrelation: Float64Array | null;
}

export function describeUncertainty(spec: UncertaintySpec): UncertaintyDescription {
  return {
    inputs: spec.inputs.map(({ distribution: _d, ...rest }) => rest),
    processes: spec.processes.map(({ series: _s, ...rest }) => rest),
    correlation: spec.correlation,
    preparedCorrelation: spec.preparedCorrelation,
  };
}

export function uncertaintyFromDescription(d: UncertaintyDescription, compiled: CompiledModel): UncertaintySpec {
  return {
    inputs: d.inputs.map((i) => ({ ...i, distribution: makeDistribution(i.distributionSpec) })),
    processes: d.processes.map((p) => ({ ...p, series: compiled.driverSeries.get(p.driver)! })),
    correlation: d.correlation,
    preparedCorrelation: d.preparedCorrelation,
    warnings: [],
  };
}

/** Writes one sampled value into a params vector, into every input it moves, by each one's mode. */
export function applySample(params: Float64Array, input: UncertainInput, value: number): void {
  const targets = input.targets;
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i];
    switch (target.apply) {
      case "set":
        params[target.slot] = value;
        break;
      case "add":
        params[target.slot] = target.base + value;
        break;
      case "multiply":
        params[target.slot] = target.base * value;
        break;
    }
  }
}

