/**
 * Excel-compatible financial functions, in pure TypeScript (no dependencies, no Node
 * APIs, so they run in a browser too).
 *
 * Every function follows Excel's definition, argument order, defaults and sign
 * convention: cash paid out is negative, cash received positive; `type` 0 means payments
 * at the end of each period, 1 at the beginning. Where Excel would show #NUM!, #DIV/0! or
 * #VALUE!, a {@link FinanceError} with code "NUM", "DIV0" or "VALUE" is thrown.
 *
 * | function                                   | Excel                                   |
 * | ------------------------------------------ | --------------------------------------- |
 * | npv(rate, values)                          | NPV — first value discounted one period |
 * | xnpv(rate, values, dates)                  | XNPV — actual days / 365 from dates[0]  |
 * | irr(values, guess = 0.1)                   | IRR                                     |
 * | xirr(values, dates, guess = 0.1)           | XIRR                                    |
 * | pmt(rate, nper, pv, fv = 0, type = 0)      | PMT                                     |
 * | ipmt(rate, per, nper, pv, fv = 0, type = 0)| IPMT                                    |
 * | ppmt(rate, per, nper, pv, fv = 0, type = 0)| PPMT                                    |
 * | pv(rate, nper, pmt, fv = 0, type = 0)      | PV                                      |
 * | fv(rate, nper, pmt, pv = 0, type = 0)      | FV                                      |
 * | rate(nper, pmt, pv, fv = 0, type = 0, guess = 0.1) | RATE                            |
 * | sln(cost, salvage, life)                   | SLN                                     |
 *
 * Each function's own doc comment states its Excel definition.
 */
export { FinanceError, type FinanceErrorCode } from "./errors.js";
export { type DateInput, toExcelSerial, MAX_EXCEL_SERIAL } from "./dates.js";
export { npv, xnpv, irr, xirr } from "./cashflows.js";
export { type PaymentTiming, pmt, ipmt, ppmt, pv, fv, rate } from "./tvm.js";
export { sln } from "./depreciation.js";
