/**
 * burnrate's public API: load and validate a model, compile it once, project it
 * (with a scenario), and read statements and metrics as plain data. Everything here
 * runs in a browser too; Node-only file loading lives in the "burnrate/node" entry.
 */
// Registers the GPU-cloud sections (sites, pricing, utilization, contracts, rental) with the engine.
import "./gpu/index.js";

export { projectModel, runModelText, type ModelRunResult } from "./projectModel.js";
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
