/**
 * Months are addressed as `YYYY-MM` strings in files and as 0-based indices from the
 * model's first month inside the engine.
 */
const MONTH_RE = /^(\d{4})-(\d{2})$/;

export interface YearMonth {
  year: number;
  month: number; // 1..12
}

export function parseMonth(text: string): YearMonth | null {
  const m = MONTH_RE.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12) return null;
  return { year, month };
}

export function monthSerial(ym: YearMonth): number {
  return ym.year * 12 + (ym.month - 1);
}

export function serialToMonth(serial: number): YearMonth {
  const year = Math.floor(serial / 12);
  return { year, month: serial - year * 12 + 1 };
}

export function formatMonth(ym: YearMonth): string {
  return `${String(ym.year).padStart(4, "0")}-${String(ym.month).padStart(2, "0")}`;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Calendar facts for each month of a horizon, precomputed once per compiled model.
 * Fiscal years are named by the calendar year in which they end (Microsoft's FY2026
 * runs July 2025 – June 2026), the common convention.
 */
export interface Calendar {
  length: number;
  startSerial: number;
  fiscalYearStart: number;
  labels: string[];
  year: Int32Array;
  month: Int32Array;
  days: Float64Array;
  hours: Float64Array;
  fiscalYear: Int32Array;
  fiscalQuarter: Int32Array; // 1..4
}

export function makeCalendar(start: YearMonth, length: number, fiscalYearStart = 1): Calendar {
  const startSerial = monthSerial(start);
  const cal: Calendar = {
    length,
    startSerial,
    fiscalYearStart,
    labels: new Array(length),
    year: new Int32Array(length),
    month: new Int32Array(length),
    days: new Float64Array(length),
    hours: new Float64Array(length),
    fiscalYear: new Int32Array(length),
    fiscalQuarter: new Int32Array(length),
  };
  for (let t = 0; t < length; t++) {
    const ym = serialToMonth(startSerial + t);
    cal.labels[t] = formatMonth(ym);
    cal.year[t] = ym.year;
    cal.month[t] = ym.month;
    cal.days[t] = daysInMonth(ym.year, ym.month);
    cal.hours[t] = cal.days[t] * 24;
    const fiscal = fiscalOf(ym, fiscalYearStart);
    cal.fiscalYear[t] = fiscal.year;
    cal.fiscalQuarter[t] = fiscal.quarter;
  }
  return cal;
}

/** The fiscal year (named by the calendar year in which it ends) and fiscal quarter of a month. */
export function fiscalOf(ym: YearMonth, fiscalYearStart: number): { year: number; quarter: number } {
  const offset = (ym.month - fiscalYearStart + 12) % 12; // months into the fiscal year
  return { year: fiscalYearStart === 1 ? ym.year : ym.month >= fiscalYearStart ? ym.year + 1 : ym.year, quarter: Math.floor(offset / 3) + 1 };
}

/** The label of the fiscal period holding a month `YYYY-MM`: the month itself, `2025-Q3` or `2025`. */
export function fiscalPeriodOf(month: string, period: "month" | "quarter" | "year", fiscalYearStart: number): string {
  if (period === "month") return month;
  const ym = parseMonth(month);
  if (!ym) return month;
  const f = fiscalOf(ym, fiscalYearStart);
  return period === "year" ? String(f.year) : `${f.year}-Q${f.quarter}`;
}

/** Label of a fiscal period: `2025` for a year, `2025-Q3` for a quarter (fiscal). */
export function periodLabel(cal: Calendar, t: number, period: "month" | "quarter" | "year"): string {
  if (period === "month") return cal.labels[t];
  if (period === "year") return String(cal.fiscalYear[t]);
  return `${cal.fiscalYear[t]}-Q${cal.fiscalQuarter[t]}`;
}
