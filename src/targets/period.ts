import { parseMonth, monthSerial, serialToMonth, formatMonth } from "../model/months.js";

/**
 * A target's period as a span of calendar months (serials: year × 12 + month − 1).
 * Years and quarters are fiscal: with `fiscalYearStart: 7`, "2026" runs 2025-07 …
 * 2026-06 and "2026-Q1" is 2025-07 … 2025-09, as the model's rolled-up rows.
 */
export interface PeriodSpan {
  /** The period as written, normalised to text ("2025", "2025-Q3", "2025-06", "2025-07..2025-09"). */
  text: string;
  kind: "year" | "quarter" | "month" | "range";
  firstSerial: number;
  lastSerial: number;
}

const YEAR_RE = /^(\d{4})$/;
const QUARTER_RE = /^(\d{4})-Q([1-4])$/i;
const MONTH_RE = /^\d{4}-\d{2}$/;

export const PERIOD_HELP = 'a fiscal year "2025", a fiscal quarter "2025-Q3", a month "2025-06", or a range "2025-07..2025-09"';

function fiscalYearFirstSerial(year: number, fiscalYearStart: number): number {
  // Fiscal years are named by the calendar year in which they end.
  return fiscalYearStart === 1 ? year * 12 : (year - 1) * 12 + (fiscalYearStart - 1);
}

function single(text: string, fiscalYearStart: number): { kind: "year" | "quarter" | "month"; first: number; last: number } | string {
  let m = YEAR_RE.exec(text);
  if (m) {
    const first = fiscalYearFirstSerial(Number(m[1]), fiscalYearStart);
    return { kind: "year", first, last: first + 11 };
  }
  m = QUARTER_RE.exec(text);
  if (m) {
    const first = fiscalYearFirstSerial(Number(m[1]), fiscalYearStart) + (Number(m[2]) - 1) * 3;
    return { kind: "quarter", first, last: first + 2 };
  }
  if (MONTH_RE.test(text)) {
    const ym = parseMonth(text);
    if (!ym) return `"${text}" is not a month: months run 01 to 12`;
    const s = monthSerial(ym);
    return { kind: "month", first: s, last: s };
  }
  return `"${text}" is not a period; expected ${PERIOD_HELP}`;
}

/** Parses a period; returns a message when it cannot. A bare number is a fiscal year. */
export function parsePeriod(raw: string | number, fiscalYearStart: number): PeriodSpan | string {
  if (typeof raw === "number") {
    if (!Number.isInteger(raw) || raw < 1000 || raw > 9999) return `${raw} is not a period; expected ${PERIOD_HELP}`;
    raw = String(raw);
  }
  const text = raw.trim();
  const parts = text.split("..");
  if (parts.length > 2) return `"${text}" is not a period; a range has one "..", e.g. "2025-07..2025-09"`;
  if (parts.length === 2) {
    const a = single(parts[0].trim(), fiscalYearStart);
    if (typeof a === "string") return `in the range "${text}": ${a}`;
    const b = single(parts[1].trim(), fiscalYearStart);
    if (typeof b === "string") return `in the range "${text}": ${b}`;
    if (b.last < a.first) return `the range "${text}" ends before it starts`;
    return { text: `${parts[0].trim()}..${parts[1].trim()}`, kind: "range", firstSerial: a.first, lastSerial: b.last };
  }
  const s = single(text, fiscalYearStart);
  if (typeof s === "string") return s;
  return { text: s.kind === "quarter" ? text.toUpperCase() : text, kind: s.kind, firstSerial: s.first, lastSerial: s.last };
}

export function serialLabel(serial: number): string {
  return formatMonth(serialToMonth(serial));
}

/** "2025-07 … 2025-09" (or one month). */
export function spanLabel(span: { firstSerial: number; lastSerial: number }): string {
  return span.firstSerial === span.lastSerial ? serialLabel(span.firstSerial) : `${serialLabel(span.firstSerial)} … ${serialLabel(span.lastSerial)}`;
}
