/**
 * The source register: the published figures models cite, by ID, with publisher,
 * address, date and confidence; how citations name them; and the checks that keep
 * citations and inputs honest (`burnrate check --strict`, `burnrate sources`).
 */
export { parseRegister, registerFromSource, entryAddressText, type RegisterEntry, type SourceRegister } from "./register.js";
export { registerFileSchema, registerEntrySchema, figureValueSchema, CONFIDENCE, CONFIDENCE_MEANING, REGISTER_ID_RE, type Confidence, type FigureValue } from "./schema.js";
export { citedIds, matchingFigure, figureText, resolveIds, type CitedIds } from "./cite.js";
export { checkCitations, checkCitedFigure, analyseInputs, hasMachinePath, type CitationStatus, type CitationAnalysis } from "./check.js";
