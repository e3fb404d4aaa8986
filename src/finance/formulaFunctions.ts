/**
 * The Excel finance functions a model formula may call, month by month, with Excel's
 * names and argument order. Each month's call is an ordinary scalar call: PMT, IPMT,
 * PPMT, PV, FV, RATE, NPV (its cash flows given as arguments, as Excel allows) and SLN.
 * IRR, XIRR and XNPV take a whole range of cash flows (and dates), which a per-month
 * formula does not have; they are in the library and behind `cohorts`.
 *
 * Where Excel shows #NUM!, #DIV/0! or #VALUE!, the formula's value that month is NaN,
 * which the engine reports as an error naming the line item and month (a number is
 * never printed silently).
 */
import { FinanceError } from "./errors.js";
import { pmt, ipmt, ppmt, pv, fv, rate } from "./tvm.js";
import { sln } from "./depreciation.js";

/** Excel's `type`: 0 (end of period) unless the argument is non-zero. */
const timing = (type: number | undefined) => (type ? 1 : 0);

/** NaN in any argument (an error upstream) is NaN out, as an error value propagates in Excel. */
function orNaN<A extends number[]>(fn: (...args: A) => number): (...args: A) => number {
  return (...args: A) => {
    for (let i = 0; i < args.length; i++) if (args[i] !== args[i]) return NaN;
    try {
      return fn(...args);
    } catch (error) {
      if (error instanceof FinanceError) return NaN;
      throw error;
    }
  };
}

/**
 * NPV over arguments: Σ vᵢ / (1 + rate)^i, i = 1…n (Excel's NPV), term by term as the
 * library's `npv` computes it (the same digits), NaN where that reports an Excel error.
 */
export function npvOf(rate: number, ...values: number[]): number {
  if (!Number.isFinite(rate) || rate === -1) return NaN;
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i] / Math.pow(1 + rate, i + 1);
  return Number.isFinite(total) ? total : NaN;
}

export interface FormulaFinanceFunction {
  min: number;
  max: number;
  doc: string;
  fn: (...args: number[]) => number;
}

/** By Excel name. Rates are per period: a model's annual rates become monthly as `rate / 12`. */
export const FORMULA_FINANCE_FUNCTIONS: Record<string, FormulaFinanceFunction> = Object.assign(Object.create(null) as Record<string, FormulaFinanceFunction>, {
  PMT: { min: 3, max: 5, doc: "PMT(rate, nper, pv, [fv], [type]) payment per period of an annuity (Excel)", fn: orNaN((r: number, n: number, p: number, f?: number, t?: number) => pmt(r, n, p, f ?? 0, timing(t))) },
  IPMT: { min: 4, max: 6, doc: "IPMT(rate, per, nper, pv, [fv], [type]) interest part of payment number per (Excel)", fn: orNaN((r: number, per: number, n: number, p: number, f?: number, t?: number) => ipmt(r, per, n, p, f ?? 0, timing(t))) },
  PPMT: { min: 4, max: 6, doc: "PPMT(rate, per, nper, pv, [fv], [type]) principal part of payment number per (Excel)", fn: orNaN((r: number, per: number, n: number, p: number, f?: number, t?: number) => ppmt(r, per, n, p, f ?? 0, timing(t))) },
  PV: { min: 3, max: 5, doc: "PV(rate, nper, pmt, [fv], [type]) present value of an annuity (Excel)", fn: orNaN((r: number, n: number, m: number, f?: number, t?: number) => pv(r, n, m, f ?? 0, timing(t))) },
  FV: { min: 3, max: 5, doc: "FV(rate, nper, pmt, [pv], [type]) future value of an annuity (Excel)", fn: orNaN((r: number, n: number, m: number, p?: number, t?: number) => fv(r, n, m, p ?? 0, timing(t))) },
  RATE: { min: 3, max: 6, doc: "RATE(nper, pmt, pv, [fv], [type], [guess]) rate per period of an annuity (Excel)", fn: orNaN((n: number, m: number, p: number, f?: number, t?: number, g?: number) => rate(n, m, p, f ?? 0, timing(t), g ?? 0.1)) },
  NPV: { min: 2, max: 64, doc: "NPV(rate, value1, [value2], …) value one period before the first cash flow (Excel)", fn: npvOf },
  SLN: { min: 3, max: 3, doc: "SLN(cost, salvage, life) straight-line depreciation per period (Excel)", fn: orNaN((c: number, s: number, l: number) => sln(c, s, l)) },
});
