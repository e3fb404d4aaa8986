import { FinanceError } from "./errors.js";

/**
 * A date as XNPV/XIRR accept it: a JS Date, an ISO calendar date "YYYY-MM-DD", or an
 * Excel serial day number (1900 date system; 1 = 1900-01-01, 39448 = 2008-01-01).
 */
export type DateInput = Date | string | number;

const MS_PER_DAY = 86_400_000;
// Excel's serial 0 sits at 1899-12-30 for every date from 1900-03-01 on, because Excel
// keeps Lotus 1-2-3's phantom 1900-02-29 (serial 60).
const SERIAL_EPOCH_MS = Date.UTC(1899, 11, 30);
const PHANTOM_LEAP_DAY = 60;
/** 9999-12-31, the last date Excel can represent. */
export const MAX_EXCEL_SERIAL = 2_958_465;
const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function serialFromCalendar(year: number, month: number, day: number): number {
  const days = Math.round((Date.UTC(year, month - 1, day) - SERIAL_EPOCH_MS) / MS_PER_DAY);
  // Before the phantom leap day Excel's serials are one lower than a true day count.
  return days <= PHANTOM_LEAP_DAY ? days - 1 : days;
}

function invalid(fn: string, label: string, detail: string): FinanceError {
  return new FinanceError("VALUE", `${fn}: ${label} ${detail}`);
}

function checkYear(fn: string, label: string, year: number): void {
  if (year < 1900 || year > 9999) {
    throw invalid(fn, label, `is outside Excel's date range 1900-01-01..9999-12-31 (year ${year})`);
  }
}

/**
 * Converts a date to its Excel serial day number. Throws FinanceError VALUE (Excel's
 * #VALUE! for an invalid date) when the input is not a valid date in Excel's range.
 *
 * A Date is read by the calendar day it names: one at exactly UTC midnight (what
 * `new Date("2008-01-01")` and `Date.UTC` produce) by its UTC date, any other by its
 * local date (what `new Date(2008, 0, 1)` produces). That way both usual ways of writing
 * a date give the day the author meant, in every time zone. Numbers are truncated to
 * whole days, as Excel truncates the serials it is given.
 */
export function toExcelSerial(date: DateInput): number {
  return excelSerialOf(date, "toExcelSerial", "date");
}

/** toExcelSerial, with errors naming the calling function and argument. */
export function excelSerialOf(date: DateInput, fn: string, label: string): number {
  if (typeof date === "number") {
    if (!Number.isFinite(date)) throw invalid(fn, label, `must be a finite serial number (got ${date})`);
    const serial = Math.trunc(date);
    if (serial < 0 || serial > MAX_EXCEL_SERIAL) {
      throw invalid(fn, label, `serial ${date} is outside Excel's date range 0..${MAX_EXCEL_SERIAL}`);
    }
    return serial;
  }
  if (typeof date === "string") {
    const m = ISO_DATE_RE.exec(date);
    if (!m) throw invalid(fn, label, `"${date}" is not an ISO date; write it as YYYY-MM-DD`);
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    const check = new Date(Date.UTC(year, month - 1, day));
    if (month < 1 || month > 12 || check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) {
      throw invalid(fn, label, `"${date}" is not a real calendar date`);
    }
    checkYear(fn, label, year);
    return serialFromCalendar(year, month, day);
  }
  if (date instanceof Date) {
    const ms = date.getTime();
    if (Number.isNaN(ms)) throw invalid(fn, label, "is an invalid Date");
    const atUtcMidnight = ((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY === 0;
    const year = atUtcMidnight ? date.getUTCFullYear() : date.getFullYear();
    const month = (atUtcMidnight ? date.getUTCMonth() : date.getMonth()) + 1;
    const day = atUtcMidnight ? date.getUTCDate() : date.getDate();
    checkYear(fn, label, year);
    return serialFromCalendar(year, month, day);
  }
  throw invalid(fn, label, "must be a Date, a YYYY-MM-DD string or an Excel serial number");
}
