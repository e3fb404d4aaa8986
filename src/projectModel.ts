import { loadModelText, type LoadOptions, type LoadedModel } from "./model/load.js";
import { compileModel } from "./engine/compile.js";
import { evaluate } from "./engine/project.js";
import { buildResult, type RunResult } from "./engine/result.js";
// Registers the GPU-cloud sections (sites, pricing, utilization, contracts, rental) with the engine.
import { gpuReport, type GpuReport } from "./gpu/index.js";
import { caveatsFor, covenantLevels, type Caveat, type CovenantLevel } from "./caveats/index.js";

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
  const levels = covenantLevels(loaded);
  if (levels.length) {
    result.covenants = levels;
    const assumed = new Set(levels.filter((l) => l.assumed).map((l) => l.name));
    for (const b of result.metrics.covenantBreaches) (b as typeof b & { assumedLevel?: boolean }).assumedLevel = assumed.has(b.covenant);
  }
  const caveats = caveatsFor(loaded);
  if (caveats.length) result.caveats = caveats;
  return result;
}

/**
 * A run's result; `gpu` holds the GPU-cloud detail when the model has GPU sections,
 * `covenants` each covenant's level and whether a source covers it (each breach then
 * says `assumedLevel`), `caveats` what a reader must know to read the figures.
 */
export type ModelRunResult = RunResult & { gpu?: GpuReport; covenants?: CovenantLevel[]; caveats?: Caveat[] };

/** Parses model text and projects it (a scenario may be chosen). */
export function runModelText(text: string, file = "<model>", options: LoadOptions = {}): ModelRunResult {
  return projectModel(loadModelText(text, file, options));
}
