import { parse as parseCsv } from "csv-parse/sync";
import type { LoadedModel } from "../model/load.js";
import { parseSourceText } from "../model/source.js";
import { ModelError, type ModelIssue } from "../model/issues.js";
import { parseActuals, type ActualsSet } from "./read.js";

export const ACTUALS_CSV_COLUMNS = ["name", "metric", "period", "value", "source", "address", "published", "measure", "assumption", "derivation", "note"] as const;

/**
 * Reads actuals for a model from text: YAML/JSON ({company, threshold, actuals: […]}) or CSV
 * (a header row with metric, period, value, source and optionally name, address, published,
 * measure, assumption, derivation, note). `file` names it in positions; a name ending in
 * .csv (or `format: "csv"`) is read as CSV. Problems are a ModelError positioned in it.
 */
export function parseActualsText(text: string, file: string, loaded: Pick<LoadedModel, "model">, format?: "yaml" | "csv"): ActualsSet {
  const csv = format ? format === "csv" : /\.csv$/i.test(file);
  if (csv) return fromCsv(text, file, loaded);
  const source = parseSourceText(text, file);
  const { set, issues } = parseActuals(source.data, loaded, file, { fileForm: true });
  if (issues.some((i) => i.severity === "error")) throw new ModelError(issues.map((i) => ({ ...i, position: source.valuePosition(i.path) })));
  return set;
}

function fromCsv(text: string, path: string, loaded: Pick<LoadedModel, "model">): ActualsSet {
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
    if (!(ACTUALS_CSV_COLUMNS as readonly string[]).includes(h)) issues.push({ code: "unknown_column", path: [], severity: "error", message: `unknown column "${h}"; the columns are ${ACTUALS_CSV_COLUMNS.join(", ")}`, position: { file: path, line: 1, col: i + 1 }, params: { column: h } });
  });
  for (const required of ["metric", "period", "value"]) if (!header.includes(required)) issues.push({ code: "missing_column", path: [], severity: "error", message: `the CSV needs a "${required}" column`, position: { file: path, line: 1, col: 1 } });
  if (issues.length) throw new ModelError(issues);
  const rows = records.slice(1).map((r, i) => {
    const obj: Record<string, unknown> = {};
    header.forEach((h, j) => {
      const cell = r[j];
      if (cell === undefined || cell === "") return;
      const plain = cell.replace(/,/g, "");
      obj[h] = h === "value" && /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(plain) ? Number(plain) : cell;
    });
    return { obj, line: i + 2 };
  });
  const { set, issues: found } = parseActuals(rows.map((r) => r.obj), loaded, path);
  if (found.some((i) => i.severity === "error")) {
    throw new ModelError(found.map((i) => ({ ...i, position: { file: path, line: rows[Number(i.path[1])]?.line ?? 1, col: 1 } })));
  }
  return set;
}
