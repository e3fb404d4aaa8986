/**
 * Exports as library functions that return bytes or text (the CLI writes them to files; a
 * server can send them): a live Excel workbook, CSV tables, and a report as HTML or PDF.
 */
import { buildWorkbook } from "./workbook.js";
import { writeXlsx } from "./xlsx.js";
import { scenariosSheet, simulationSheet, sensitivitySheet } from "./sheets.js";
import type { ExportData } from "./data.js";
import type { Sheet } from "./grid.js";

export { prepareExport, caveatsOf, type ExportData, type ExportDataOptions, type ExportCaveat } from "./data.js";
export { exportCsv, runBlocks, simulationBlocks, sensitivityBlocks, comparisonBlocks, tidyCsv, blockCsv, toCsvText, roundValue, DEFAULT_PRECISION, type CsvBlock, type CsvValue, type Precision } from "./csv.js";
export { buildWorkbook, type BuiltWorkbook } from "./workbook.js";
export { toExcelFormula } from "./excelFormula.js";
export { listWorkbookInputs, type InputEntry } from "./inputs.js";

/** The workbook as .xlsx bytes: live statements, plus Scenarios / Simulation / Sensitivity sheets when the data has them. */
export async function exportWorkbook(data: ExportData): Promise<Uint8Array> {
  const extraSheets: Sheet[] = [];
  if (data.runs.length > 1) extraSheets.push(scenariosSheet(data));
  if (data.simulation) extraSheets.push(simulationSheet(data));
  if (data.sensitivity) extraSheets.push(sensitivitySheet(data));
  return writeXlsx(buildWorkbook(data.main.loaded, { extraSheets }));
}
