/**
 * Systems of companies: company models linked by counterparty contracts, funding and shared
 * drivers, projected and simulated together (docs/system.md). Browser-safe; reading the
 * company files from disk is in ./node.ts.
 */
// The GPU-cloud sections must be registered before company models are loaded.
import "../gpu/index.js";

export { systemSchema, systemJsonSchema, type SystemFile, type SystemLink, type SystemCompany } from "./schema.js";
export { loadSystemText, textsReader, type LoadedSystem, type LoadedCompany, type LoadedLink, type LoadSystemOptions, type ReadCompany, type CompanySource } from "./load.js";
export { compileSystem, type CompiledSystem, type CompiledCompany } from "./compile.js";
export { runSystem, type SystemRunResult, type LinkEffect, type LinkPeriodEffect, type CompanyRunResult } from "./run.js";
export { compareSystems, type SystemComparison, type SystemCompareInput } from "./compare.js";
export { planSystemSimulation, runSystemPaths, runSystemChunk, simulateSystemRange, systemSetup, planFromSystemSetup, type SystemSimulationPlan, type SystemSetup, type SystemSimulateOptions, type SystemInput } from "./simulate.js";
export { SystemAggregate, SystemRunShape, encodeSystemChunk, decodeSystemChunk, type SystemChunkResult } from "./aggregate.js";
export { summarizeSystem, type SystemSimulationResult } from "./summary.js";
export { systemSensitivity, type SystemSensitivityReport, type SystemSensitivityOptions } from "./sensitivity.js";
export { systemSector, FLAG_CAPEX_LEVEL, FLAG_COVERAGE, type SystemSectorResult, type SystemSectorYear } from "./sector.js";
export { isSystemText } from "./detect.js";
