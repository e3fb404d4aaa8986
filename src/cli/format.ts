import { oneLine } from "../model/text.js";

/**
 * Plain-text tables for the terminal: right-aligned numbers with thousands
 * separators, negatives in parentheses as in financial statements.
 */
export function formatAmount(value: number | null | undefined, decimals = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "-∞";
  const abs = Math.abs(value);
  const text = groupedFixed(abs, decimals);
  const rounded = Number(abs.toFixed(decimals));
  return value < 0 && rounded !== 0 ? `(${text})` : text;
}

/**
 * `x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d })` for a
 * finite x ≥ 0, without Intl: building a number format costs ~30 µs a call and ~14 ms for the
 * first (ICU's data), which a table of a few hundred figures paid at every start. ICU rounds the
 * shortest decimal that reads back as x (what toExponential() prints), half away from zero —
 * not x's exact binary value as toFixed does (1.15 → "1.2", where (1.15).toFixed(1) is "1.1");
 * so does this. format.test.ts checks it against toLocaleString on generated values and ties.
 */
export function groupedFixed(x: number, decimals: number): string {
  const [mantissa, exponent] = x.toExponential().split("e");
  const digits = mantissa.replace(".", "");
  // x = 0.d1d2… × 10^point: `point` digits before the decimal point.
  const point = Number(exponent) + 1;
  // The digits kept: those before the point and `decimals` after it (zeros added as needed).
  const keep = point + decimals;
  // keep ≤ 0: every digit lies right of those kept (0.004 → 0.0; 0.05 → 0.1 by rounding).
  let kept = "";
  if (keep >= 0) {
    kept = keep <= digits.length ? digits.slice(0, keep) : digits + "0".repeat(keep - digits.length);
    if (keep < digits.length && digits.charCodeAt(keep) >= 53 /* "5" */) kept = incrementDigits(kept);
  }
  const width = decimals + 1;
  if (kept.length < width) kept = "0".repeat(width - kept.length) + kept;
  const whole = kept.slice(0, kept.length - decimals);
  const fraction = kept.slice(kept.length - decimals);
  return decimals > 0 ? `${groupThousands(whole)}.${fraction}` : groupThousands(whole);
}

/** "0999" + 1 → "1000", "99" + 1 → "100": adds one in the last place of a digit string. */
function incrementDigits(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === "9") i--;
  if (i < 0) return "1" + "0".repeat(digits.length);
  return digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1) + "0".repeat(digits.length - i - 1);
}

function groupThousands(whole: string): string {
  let out = "";
  for (let end = whole.length; end > 0; end -= 3) out = (end > 3 ? "," : "") + whole.slice(Math.max(0, end - 3), end) + out;
  return out;
}

/** A whole number with thousands separators (`n.toLocaleString("en-US")` for an integer, without Intl). */
export function formatWhole(n: number): string {
  return (n < 0 ? "-" : "") + groupedFixed(Math.abs(n), 0);
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

/**
 * A line of prose fitted to the width set for this run: broken between words, the
 * following lines indented, so that it reads as one paragraph; a word longer than a line
 * (an address) is cut. Unchanged without a width. Text with several lines is wrapped line
 * by line.
 */
export function wrapLine(text: string, indent = "  "): string {
  const width = tableWidth;
  if (width === null) return text;
  if (text.includes("\n")) return text.split("\n").map((l) => wrapLine(l, indent)).join("\n");
  if (displayWidth(text) <= width) return text;
  const lead = /^\s*/.exec(text)![0];
  // A continuation indent that leaves less than a third of the width is shortened.
  const next = displayWidth(lead + indent) > (width * 2) / 3 ? lead.slice(0, Math.floor(width / 3)) : lead + indent;
  const words = text.slice(lead.length).split(" ");
  const lines: string[] = [];
  let line = lead;
  for (let word of words) {
    const sep = line.trim() === "" ? "" : " ";
    if (line.trim() !== "" && displayWidth(line + sep + word) > width) {
      lines.push(line);
      line = next;
    }
    // A word that fits no line on its own is cut at the width.
    while (displayWidth(line + (line.trim() === "" ? "" : " ") + word) > width) {
      const head = line.trim() === "" ? line : line + " ";
      const room = width - displayWidth(head);
      if (room < 1) {
        lines.push(line);
        line = next;
        continue;
      }
      lines.push(head + [...word].slice(0, room).join(""));
      word = [...word].slice(room).join("");
      line = next;
    }
    line += (line.trim() === "" ? "" : " ") + word;
  }
  lines.push(line);
  return lines.join("\n");
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

/** CSV with RFC 4180 quoting; numbers written in full precision (commands that round load the CSV library: src/cli/csv.ts). */
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
