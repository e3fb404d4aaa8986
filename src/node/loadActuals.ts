import { extname } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import type { LoadedModel } from "../model/load.js";
import { parseSourceText } from "../model/source.js";
import { ModelError, type ModelIssue } from "../model/issues.js";
import { parseActuals, type ActualsSet } from "../actuals/index.js";
import { readModelText } from "./loadFile.js";

const CSV_COLUMNS = ["name", "metric", "period", "value", "source", "address", "published", "measure", "assumption", "derivation", "note"];

/**
 * Reads actuals for a model from a YAML/JSON file ({company, threshold, actuals: […]})
 * or a CSV file (a header row with metric, period, value, source and optionally name,
 * address, published, measure, derivation, note). Problems are a ModelError positioned
 * in that file.
 */
export function loadActualsFile(path: string, loaded: LoadedModel): ActualsSet {
  const text = readModelText(path);
  if (extname(path).toLowerCase() === ".csv") return fromCsv(text, path, loaded);
  const source = parseSourceText(text, path);
  const { set, issues } = parseActuals(source.data, loaded, path, { fileForm: true });
  const errors = issues.filter((i) => i.severity === "error");
  if (errors.length) throw new ModelError(issues.map((i) => ({ ...i, position: source.valuePosition(i.path) })));
  return set;
}

function fromCsv(text: string, path: string, loaded: LoadedModel): ActualsSet {
  let records: string[][];
  try {
    records = parseCsv(text, { relax_column_count: false, skip_empty_lines: true, trim: true }) as string[][];
  } catch (error) {
    throw new ModelError([{ code: "csv_syntax", path: [], severity: "error", message: `CSV could not be read: ${(error as Error).message}`, position: { file: path, line: 1, col: 1 } }]);
  }
  if (records.length === 0) throw new ModelError([{ code: "empty_file", path: [], severity: "error", message: "the CSV file is empty; give a header row (metric,period,value,source,…) and one row per reported figure", position: { file: path, line: 1, col: 1 } }]);
  const header = records[0].map((h) => h.trim());
  const issues: ModelIssue[] = [];
  header.forEach((h, i) => {
    if (!CSV_COLUMNS.includes(h)) issues.push({ code: "unknown_column", path: [], severity: "error", message: `unknown column "${h}"; the columns are ${CSV_COLUMNS.join(", ")}`, position: { file: path, line: 1, col: i + 1 } });
  });
  for (const required of ["metric", "period", "value"]) if (!header.includes(required)) issues.push({ code: "missing_column", path: [], severity: "error", message: `the CSV needs a "${required}" column`, position: { file: path, line: 1, col: 1 } });
  if (issues.length) throw new ModelError(issues);
  const rows = records.slice(1).map((r, i) => {
    const obj: Record<string, unknown> = {};
    header.forEach((h, j) => {
      const cell = r[j];
      if (cell === undefined || cell === "") return;
      obj[h] = h === "value" && /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(cell.replace(/,/g, "")) ? Number(cell.replace(/,/g, "")) : cell;
    });
    return { obj, line: i + 2 };
  });
  const { set, issues: found } = parseActuals(rows.map((r) => r.obj), loaded, path);
  const errors = found.filter((i) => i.severity === "error");
  if (errors.length) {
    throw new ModelError(found.map((i) => ({ ...i, position: { file: path, line: rows[Number(i.path[1])]?.line ?? 1, col: 1 } })));
  }
  return set;
}
