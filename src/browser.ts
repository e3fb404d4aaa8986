/**
 * The browser entry: what the dashboard runs in the page. Everything the core exports
 * (load, validate, compile, project, metrics, sources, sensitivity), plus the checks
 * `burnrate check` runs (targets, uncertain inputs), the editor's JSON Schema and the
 * translations. It must never reach a `node:` module: simulations run on the server
 * (src/uncertainty/simulate.ts uses worker threads), so it is left out here.
 */
export * from "./index.js";
export { fullModelJsonSchema, fullModelSchema } from "./fullSchema.js";
export { checkTargets } from "./targets/validate.js";
export { checkUncertainty, compileUncertainty } from "./uncertainty/spec.js";
export { ITEM_KIND, ITEM_LABEL, type StatementItem } from "./engine/items.js";
export { pathToString, type IssuePath } from "./model/issues.js";
export { horizonOf } from "./model/check.js";
export type { SimulationResult, Distribution } from "./uncertainty/summary.js";
export type { CitedValue, Citation } from "./model/citations.js";
export type { GpuPeriodRow } from "./gpu/report.js";
export type { CovenantBreach } from "./engine/metrics.js";
export { createTranslator, formatNumberLocale, formatMonthLocale, isLang, LANGUAGES, RESOURCES, type Lang, type Translator, type DigitStyle } from "./i18n/index.js";
export { issueMessage, ISSUE_CODE_PREFIXES } from "./i18n/issues.js";
