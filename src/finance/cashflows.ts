/**
 * Discounted cash flows: Excel's NPV, XNPV, IRR and XIRR. Cash paid out is negative and
 * cash received positive.
 */
import { type DateInput, excelSerialOf } from "./dates.js";
import { FinanceError, finiteResult, requireFinite, requireFiniteArray } from "./errors.js";
import { type RateEquation, solveRate } from "./solver.js";

/** XNPV and XIRR discount by actual days over a 365-day year, whatever the leap years. */
const DAYS_PER_YEAR = 365;

/**
 * NPV(rate, values) — net present value of cash flows at the end of successive periods.
 *
 * Definition (Excel): Σ values[i] / (1+rate)^(i+1), i = 0..n−1. Note Excel's convention:
 * the first value is discounted by one whole period, so an investment made today belongs
 * outside the call: `values0 + npv(rate, rest)`. Sign convention: cash paid out is
 * negative, cash received positive.
 *
 * @example npv(0.1, [-10000, 3000, 4200, 6800]) // ≈ 1188.44
 * @throws FinanceError DIV0 when rate is -1 (Excel's #DIV/0!), VALUE when values is empty
 *   or holds a non-finite number.
 */
export function npv(rate: number, values: readonly number[]): number {
  const fn = "NPV";
  requireFinite(fn, "rate", rate);
  requireFiniteArray(fn, "values", values);
  if (values.length === 0) {
    throw new FinanceError("VALUE", `${fn}: values is empty; give at least one cash flow`);
  }
  if (rate === -1) {
    throw new FinanceError("DIV0", `${fn}: rate -1 (-100%) divides by zero; use a rate other than -1`);
  }
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    total += values[i] / Math.pow(1 + rate, i + 1);
  }
  return finiteResult(fn, total, "the rate is too close to -1 for this many periods");
}

interface DatedFlows {
  values: readonly number[];
  /** Years from the first date, actual days / 365. */
  years: number[];
}

function datedFlows(fn: string, values: readonly number[], dates: readonly DateInput[]): DatedFlows {
  requireFiniteArray(fn, "values", values);
  if (!Array.isArray(dates)) {
    throw new FinanceError("VALUE", `${fn}: dates must be an array`);
  }
  if (values.length !== dates.length) {
    throw new FinanceError(
      "NUM",
      `${fn}: values and dates must have the same length (got ${values.length} values and ${dates.length} dates)`,
    );
  }
  if (values.length === 0) {
    throw new FinanceError("NUM", `${fn}: values is empty; give at least one dated cash flow`);
  }
  const serials = dates.map((d, i) => excelSerialOf(d, fn, `dates[${i}]`));
  // Excel measures every flow from the first date listed and refuses earlier ones
  // (#NUM!); the later dates may come in any order.
  const start = serials[0];
  const years = serials.map((s, i) => {
    if (s < start) {
      throw new FinanceError(
        "NUM",
        `${fn}: dates[${i}] is before dates[0]; the first date must be the earliest (the start of the schedule)`,
      );
    }
    return (s - start) / DAYS_PER_YEAR;
  });
  return { values, years };
}

/**
 * XNPV(rate, values, dates) — net present value of cash flows on arbitrary dates.
 *
 * Definition (Excel): Σ values[i] / (1+rate)^((dates[i] − dates[0]) / 365). Unlike NPV the
 * first flow is not discounted: everything is valued as at the first date, counting
 * actual days over a 365-day year. Sign convention: cash paid out is negative, cash
 * received positive. Dates may be Date objects, "YYYY-MM-DD" strings or Excel serial
 * day numbers.
 *
 * @example xnpv(0.09, [-10000, 2750, 4250, 3250, 2750],
 *   ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"]) // ≈ 2086.65
 * @throws FinanceError NUM when the lengths differ, values is empty, a date precedes the
 *   first date or rate <= -1; VALUE for an invalid date or non-finite number.
 */
export function xnpv(rate: number, values: readonly number[], dates: readonly DateInput[]): number {
  const fn = "XNPV";
  requireFinite(fn, "rate", rate);
  const flows = datedFlows(fn, values, dates);
  if (!(rate > -1)) {
    throw new FinanceError("NUM", `${fn}: rate must be greater than -1 (-100%), got ${rate}`);
  }
  let total = 0;
  for (let i = 0; i < flows.values.length; i++) {
    total += flows.values[i] / Math.pow(1 + rate, flows.years[i]);
  }
  return finiteResult(fn, total, "the rate is too close to -1 for dates this far apart");
}

function requireBothSigns(fn: string, values: readonly number[]): void {
  let positive = false;
  let negative = false;
  for (const v of values) {
    if (v > 0) positive = true;
    else if (v < 0) negative = true;
  }
  if (!positive || !negative) {
    throw new FinanceError(
      "NUM",
      `${fn} needs at least one positive and one negative cash flow (cash paid out is negative, cash received positive)`,
    );
  }
}

/**
 * Σ values[i]·(1+r)^−t[i] for the solver, evaluated multiplied by (1+r)^T, which is
 * positive and so leaves the roots, Newton's steps (value/slope) and the relative residual
 * unchanged. T is the latest flow's time when r < 0 and the earliest non-zero flow's
 * when r >= 0, so every term is at most |values[i]|: nothing overflows however close to
 * -100% or however high the rate, and the sum cannot fade to 0 at absurd rates merely
 * because the first flows are 0.
 */
function presentValueEquation(values: readonly number[], times: readonly number[]): RateEquation {
  const v: number[] = [];
  const t: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i] === 0) continue;
    v.push(values[i]);
    t.push(times[i]);
  }
  let earliest = Infinity;
  let latest = -Infinity;
  for (const ti of t) {
    earliest = Math.min(earliest, ti);
    latest = Math.max(latest, ti);
  }
  return (r: number) => {
    const logGrowth = Math.log1p(r);
    const reference = r < 0 ? latest : earliest;
    let value = 0;
    let slope = 0;
    let magnitude = 0;
    for (let i = 0; i < v.length; i++) {
      const term = v[i] * Math.exp((reference - t[i]) * logGrowth);
      value += term;
      magnitude += Math.abs(term);
      slope -= t[i] * term;
    }
    return { value, slope: slope / (1 + r), magnitude };
  };
}

function requireGuess(fn: string, guess: number): void {
  requireFinite(fn, "guess", guess);
  if (!(guess > -1)) {
    throw new FinanceError("NUM", `${fn}: guess must be greater than -1 (-100%), got ${guess}`);
  }
}

/**
 * IRR(values, [guess]) — internal rate of return of cash flows at regular periods.
 *
 * Definition (Excel): the rate r > -1 at which Σ values[i] / (1+r)^i = 0 (equivalently
 * NPV(r, values) = 0), found by Newton's method from `guess` (default 10%) like Excel, and
 * by bracketing + Brent's method where Newton fails instead of returning #NUM!. Where
 * several rates qualify, the result is the one reached from the guess (usually the
 * nearest), as in Excel. Sign convention: cash paid out is negative, cash received
 * positive.
 *
 * @example irr([-70000, 12000, 15000, 18000, 21000, 26000]) // ≈ 0.087
 * @throws FinanceError NUM without both a positive and a negative flow, for guess <= -1,
 *   or when no rate makes the NPV 0; VALUE for a non-finite number.
 */
export function irr(values: readonly number[], guess = 0.1): number {
  const fn = "IRR";
  requireFiniteArray(fn, "values", values);
  requireGuess(fn, guess);
  requireBothSigns(fn, values);
  const times = values.map((_, i) => i);
  // Excel's IRR gives up after 20 Newton steps; we fall back instead.
  const root = solveRate(presentValueEquation(values, times), { guess, newtonIterations: 20 });
  if (root === undefined) {
    throw new FinanceError(
      "NUM",
      `${fn}: no rate above -100% makes the NPV of these cash flows 0; check the signs and order of the flows`,
    );
  }
  return root === 0 ? 0 : root;
}

/**
 * XIRR(values, dates, [guess]) — internal rate of return of cash flows on arbitrary dates.
 *
 * Definition (Excel): the annual rate r > -1 at which
 * Σ values[i] / (1+r)^((dates[i] − dates[0]) / 365) = 0 (XNPV(r, values, dates) = 0),
 * found by Newton's method from `guess` (default 10%) like Excel, and by bracketing +
 * Brent's method where Newton fails. Sign convention: cash paid out is negative, cash
 * received positive. Dates may be Date objects, "YYYY-MM-DD" strings or Excel serials.
 *
 * @example xirr([-10000, 2750, 4250, 3250, 2750],
 *   ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"]) // ≈ 0.373362535
 * @throws FinanceError NUM without both a positive and a negative flow, when the lengths
 *   differ, a date precedes the first date, guess <= -1, or no rate solves the equation;
 *   VALUE for an invalid date or non-finite number.
 */
export function xirr(values: readonly number[], dates: readonly DateInput[], guess = 0.1): number {
  const fn = "XIRR";
  const flows = datedFlows(fn, values, dates);
  requireGuess(fn, guess);
  requireBothSigns(fn, values);
  // Excel's XIRR allows 100 Newton steps before giving up; we fall back instead.
  const root = solveRate(presentValueEquation(flows.values, flows.years), { guess, newtonIterations: 100 });
  if (root === undefined) {
    throw new FinanceError(
      "NUM",
      `${fn}: no rate above -100% makes the XNPV of these cash flows 0; check the signs and dates of the flows`,
    );
  }
  return root === 0 ? 0 : root;
}
