/** The CSV writer (csv-stringify and the export blocks) loads only when a command writes CSV, so start-up stays light. */
export type CsvModule = typeof import("../export/csv.js");
export const loadCsv = (): Promise<CsvModule> => import("../export/csv.js");
