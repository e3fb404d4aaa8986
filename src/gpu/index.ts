/**
 * GPU-cloud economics: data centres (sites), GPU generations and their prices,
 * utilization, customer contracts and backlog as model sections, and the analyses
 * built on them (cohort IRR and break-even price, build vs rent, site delays, sector
 * view). Importing this module registers the sections with the engine.
 */
import "./extension.js";

export { gpuSectionsSchema, siteSchema, contractSchema, priceCurveSchema, rentalSchema, GPU_SECTIONS, AVERAGE_MONTH_HOURS, type Site, type Contract, type PriceCurve, type GpuSections } from "./schema.js";
export { validateGpu, parseGpuSections, cohortSiteMw } from "./validate.js";
export { compileGpu, gpuData, GPU_DATA_KEY, type GpuCompiled, type GpuSeries, type GpuSite, type GpuContract, type CohortPrice } from "./compile.js";
export { gpuReport, monthLabel, type GpuReport, type GpuPeriodRow, type GpuSiteInfo, type GpuContractInfo } from "./report.js";
export { siteDelayImpact, type SiteDelayImpact } from "./delay.js";
export { cohortEconomics, presentValue, monthlyRate, type CohortEconomics, type CohortFlow, type CohortOptions } from "./cohorts.js";
export { buildVsRent, type BuildVsRentOptions, type BuildVsRentResult, type BuildVsRentYear } from "./buildVsRent.js";
export { sectorModel, rateShockByMonth, FLAG_INVESTMENT, FLAG_CAPACITY, type SectorModel, type SectorYear } from "./sector.js";
