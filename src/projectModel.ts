import { loadModelText, type LoadOptions, type LoadedModel } from "./model/load.js";
import { compileModel } from "./engine/compile.js";
import { evaluate } from "./engine/project.js";
import { buildResult, type RunResult } from "./engine/result.js";
// Registers the GPU-cloud sections (sites, pricing, utilization, contracts, rental) with the engine.
import { gpuReport, type GpuReport } from "./gpu/index.js";

/**
 * Load, compile, project: what `burnrate run` needs and no more (the facade, index.ts,
 * re-exports it with everything else; commands import it from here so that a run does
 * not load the uncertainty stack, targets or finance functions).
 */

/** Loads, compiles and projects a model in one call. */
export function projectModel(loaded: LoadedModel): ModelRunResult {
  const compiled = compileModel(loaded.model, loaded.extensions);
  const projection = evaluate(compiled);
  const result: ModelRunResult = buildResult(loaded, projection);
  const gpu = gpuReport(projection);
  if (gpu) result.gpu = gpu;
  return result;
}

/** A run's result; `gpu` holds the GPU-cloud detail when the model has GPU sections. */
export type ModelRunResult = RunResult & { gpu?: GpuReport };

/** Parses model text and projects it (a scenario may be chosen). */
export function runModelText(text: string, file = "<model>", options: LoadOptions = {}): ModelRunResult {
  return projectModel(loadModelText(text, file, options));
}
