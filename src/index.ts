/**
 * burnrate's public API: load and validate a model, compile it once, project it
 * (with a scenario), and read statements and metrics as plain data. Everything here
 * runs in a browser too; Node-only file loading lives in the "burnrate/node" entry.
 */
import { loadModelText, type LoadOptions, type LoadedModel } from "./model/load.js";
import { compileModel } from "./engine/compile.js";
import { evaluate } from "./engine/project.js";
import { buildResult, type RunResult } from "./engine/result.js";
// Registers the GPU-cloud sections (sites, pricing, utilization, contracts, rental) with the engine.
import "./gpu/index.js";
import { gpuReport, type GpuReport } from "./gpu/index.js";
import { caveatsFor, covenantLevels, type Caveat, type CovenantLevel } from "./caveats/index.js";

export { loadModelText, loadModelSource, checkAllScenarios, type LoadOptions, type LoadedModel } from "./model/load.js";
export { ModelError, EngineError, UsageError, formatIssue, type ModelIssue, type SourcePosition } from "./model/issues.js";
export { modelSchema, modelJsonSchema, type Model } from "./model/schema.js";
export { compileModel, type CompiledModel } from "./engine/compile.js";
export { evaluate, createWorkspace, type Projection, type Workspace } from "./engine/project.js";
export { buildResult, rollUp, type RunResult, type Metrics, type PeriodRow, type PeriodKind } from "./engine/result.js";
export { computeMetrics, covenantBreaches, metricVector, METRIC_FIELDS, METRIC_INDEX } from "./engine/metrics.js";
export { checkProjection } from "./engine/checks.js";
export { STATEMENT_ITEMS, ITEM_NAMES } from "./engine/items.js";
export { listInputs } from "./model/citations.js";
export { caveatsFor, caveatsQualifying, covenantLevels, checkCaveats, caveatSchema, caveatsSectionSchema, type Caveat, type CovenantLevel } from "./caveats/index.js";
export { parseRegister, checkCitations, analyseInputs, citedIds, entryAddressText, type SourceRegister, type RegisterEntry, type CitationStatus } from "./register/index.js";
export { parseActuals, compareActuals, forwardMetrics, type ActualsReport, type ActualOutcome, type ActualsSet, type ForwardMetrics } from "./actuals/index.js";

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
export * as finance from "./finance/index.js";
export { npv, xnpv, irr, xirr, pmt, ipmt, ppmt, pv, fv, rate, sln, FinanceError } from "./finance/index.js";
export {
  evaluateTargets,
  readTargets,
  checkTargets,
  compareRuns,
  listSources,
  type TargetReport,
  type TargetOutcome,
  type Target,
  type Tolerance,
  type CompareInput,
  type Comparison,
  type SourceListing,
  type SourcedInput,
} from "./targets/index.js";
export {
  gpuReport,
  siteDelayImpact,
  cohortEconomics,
  buildVsRent,
  sectorModel,
  rateShockByMonth,
  type GpuReport,
  type SiteDelayImpact,
  type CohortEconomics,
  type BuildVsRentOptions,
  type BuildVsRentResult,
  type SectorModel,
  type SectorYear,
} from "./gpu/index.js";
export { parseMetricSelector, METRIC_HELP, type MetricSelector, type MetricValueKind } from "./uncertainty/metricSelector.js";
export { sensitivity, globalSensitivity, type SensitivityReport, type SensitivityOptions, type TornadoRow, type SpiderRow, type GlobalResult } from "./uncertainty/sensitivity.js";
export { solve, type SolveReport, type SolveOptions, type SolvePoint } from "./uncertainty/solve.js";
export { parseTarget, type SolveTarget, type CompareOp } from "./uncertainty/solveTarget.js";
