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
