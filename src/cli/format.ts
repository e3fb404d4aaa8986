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

/** Renders rows under headers; a row of `null` draws a rule. Cells are one line each (text.ts). */
export function renderTable(columns: Column[], cellRows: (string[] | null)[]): string {
  const rows = cellRows.map((r) => (r ? r.map(oneLine) : null));
  const widths = columns.map((c, i) => Math.max(displayWidth(c.header), ...rows.map((r) => (r ? displayWidth(r[i] ?? "") : 0))));
  const pad = (text: string, i: number) => {
    const gap = " ".repeat(Math.max(0, widths[i] - displayWidth(text)));
    return (columns[i].align ?? "right") === "left" ? text + gap : gap + text;
  };
  const lines: string[] = [];
  lines.push(columns.map((c, i) => pad(c.header, i)).join("  ").trimEnd());
  const rule = widths.map((w) => "─".repeat(w)).join("  ");
  lines.push(rule);
  for (const row of rows) lines.push(row ? row.map((cell, i) => pad(cell, i)).join("  ").trimEnd() : rule);
  return lines.join("\n");
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

export const UNIT_WORD: Record<string, string> = { units: "", thousands: "thousands", millions: "millions", billions: "billions" };
