import { oneLine } from "../model/text.js";

/**
 * Plain-text tables for the terminal: right-aligned numbers with thousands
 * separators, negatives in parentheses as in financial statements.
 */
export function formatAmount(value: number | null | undefined, decimals = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "-∞";
  const abs = Math.abs(value);
  const text = abs.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  const rounded = Number(abs.toFixed(decimals));
  return value < 0 && rounded !== 0 ? `(${text})` : text;
}

export function formatRatio(value: number | null | undefined, decimals = 2): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return formatAmount(value, decimals);
}

export function formatPercent(value: number | null | undefined, decimals = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return `${(value * 100).toFixed(decimals)}%`;
}

export interface Column {
  header: string;
  align?: "left" | "right";
}

/**
 * The width tables must fit (`--width N`, else the terminal's width when standard output
 * is a terminal; null: no limit, e.g. when output goes to a file or a pipe). Set once per
 * command run by the CLI (main.ts).
 */
let tableWidth: number | null = null;
export function setTableWidth(width: number | null): void {
  tableWidth = width;
}
export function currentTableWidth(): number | null {
  return tableWidth;
}

export interface TableOptions {
  /** Maximum line width; default: the width set for this run. */
  width?: number | null;
  /** Leading columns repeated in every column group (labels). Default 1. */
  fixed?: number;
}

/**
 * Renders rows under headers; a row of `null` draws a rule. A table wider than the width
 * is split into column groups, one under the other, each repeating the label columns.
 * Cells are one line each, control characters escaped (text.ts).
 */
export function renderTable(columns: Column[], cellRows: (string[] | null)[], options: TableOptions = {}): string {
  const rows = cellRows.map((r) => (r ? r.map(oneLine) : null));
  const width = options.width === undefined ? tableWidth : options.width;
  const fixed = Math.min(options.fixed ?? 1, columns.length);
  const widths = columnWidths(columns, rows);
  const total = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  if (width === null || total <= width || columns.length <= fixed + 1) return renderColumns(columns, rows, widths, columns.map((_, i) => i));
  const fixedWidth = widths.slice(0, fixed).reduce((a, b) => a + b + 2, 0);
  const groups: number[][] = [];
  let current: number[] = [];
  let used = fixedWidth;
  for (let c = fixed; c < columns.length; c++) {
    if (current.length > 0 && used + widths[c] > width) {
      groups.push(current);
      current = [];
      used = fixedWidth;
    }
    current.push(c);
    used += widths[c] + 2;
  }
  if (current.length) groups.push(current);
  const lead = Array.from({ length: fixed }, (_, i) => i);
  return groups.map((g) => renderColumns(columns, rows, widths, [...lead, ...g])).join("\n\n");
}

function columnWidths(columns: Column[], rows: (string[] | null)[]): number[] {
  return columns.map((c, i) => Math.max(displayWidth(c.header), ...rows.map((r) => (r ? displayWidth(r[i] ?? "") : 0))));
}

function renderColumns(columns: Column[], rows: (string[] | null)[], widths: number[], pick: number[]): string {
  const pad = (text: string, i: number) => {
    const gap = " ".repeat(Math.max(0, widths[i] - displayWidth(text)));
    return (columns[i].align ?? "right") === "left" ? text + gap : gap + text;
  };
  const lines: string[] = [];
  lines.push(pick.map((i) => pad(columns[i].header, i)).join("  ").trimEnd());
  const rule = pick.map((i) => "─".repeat(widths[i])).join("  ");
  lines.push(rule);
  for (const row of rows) lines.push(row ? pick.map((i) => pad(row[i] ?? "", i)).join("  ").trimEnd() : rule);
  return lines.join("\n");
}

/**
 * Periods as rows: the first column's labels become headers. Rows whose value cells are all
 * empty (section titles) and rules are left out.
 */
export function transposeTable(columns: Column[], rows: (string[] | null)[], corner = ""): { columns: Column[]; rows: string[][] } {
  const kept = rows.filter((r): r is string[] => r !== null && r.slice(1).some((c) => c !== ""));
  return {
    columns: [{ header: corner, align: "left" }, ...kept.map((r) => ({ header: r[0].trim() }))],
    rows: columns.slice(1).map((c, i) => [c.header, ...kept.map((r) => r[i + 1] ?? "")]),
  };
}

function displayWidth(text: string): number {
  return [...text].length;
}

/** CSV with RFC 4180 quoting; numbers written in full precision. */
export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  const cell = (v: string | number | null) => {
    if (v === null) return "";
    const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : v;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(",")).join("\n") + "\n";
}

/** One wording, in every command, for an event that does not happen before the horizon ends. */
export const NOT_WITHIN_HORIZON = "not within the horizon";

export const UNIT_WORD: Record<string, string> = { units: "", thousands: "thousands", millions: "millions", billions: "billions" };
