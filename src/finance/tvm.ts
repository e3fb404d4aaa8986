/**
 * Time value of money: Excel's annuity functions PV, FV, PMT, IPMT, PPMT and RATE.
 *
 * They all rest on the one equation Excel documents under PV:
 *
 *   pv·(1+rate)^nper + pmt·(1+rate·type)·((1+rate)^nper − 1)/rate + fv = 0
 *
 * and, at rate = 0, its limit pv + pmt·nper + fv = 0. Money paid out is negative and
 * money received positive, so a loan taken (pv > 0) has payments pmt < 0. `type` 0 puts
 * each payment at the end of its period, 1 at the beginning.
 */
import { FinanceError, finiteResult, requireFinite, requireTiming } from "./errors.js";
import { type RateEquation, solveRate } from "./solver.js";

/** Payment timing: 0 = end of each period (Excel's default), 1 = beginning. */
export type PaymentTiming = 0 | 1;

interface Growth {
  /** (1+rate)^nper */
  g: number;
  /** ((1+rate)^nper − 1)/rate, which tends to nper as rate → 0. */
  a: number;
}

function growth(rate: number, nper: number): Growth {
  // rate = 0 is the limit Excel documents: pv + pmt·nper + fv = 0.
  if (rate === 0) return { g: 1, a: nper };
  if (rate > -1) {
    // expm1/log1p keep ((1+rate)^nper − 1)/rate accurate for tiny rates, so results run
    // smoothly into the rate = 0 limit instead of dissolving into rounding noise.
    const l = nper * Math.log1p(rate);
    return { g: Math.exp(l), a: Math.expm1(l) / rate };
  }
  // rate <= -1: only whole nper give a real (1+rate)^nper; anything else becomes NaN and
  // is reported as #NUM! by the caller.
  const g = Math.pow(1 + rate, nper);
  return { g, a: (g - 1) / rate };
}

function fvCore(rate: number, nper: number, pmt: number, pv: number, type: PaymentTiming): number {
  const { g, a } = growth(rate, nper);
  return -(pv * g + pmt * (1 + rate * type) * a);
}

function pmtCore(rate: number, nper: number, pv: number, fv: number, type: PaymentTiming): number {
  const k = 1 + rate * type;
  if (rate > -1 && rate !== 0) {
    const l = nper * Math.log1p(rate);
    if (l > 0) {
      // Excel's formula divided through by (1+rate)^nper, so a high rate over many
      // periods does not turn into Infinity / Infinity.
      return -(fv * Math.exp(-l) + pv) / (k * (-Math.expm1(-l) / rate));
    }
  }
  const { g, a } = growth(rate, nper);
  return -(fv + pv * g) / (k * a);
}

function pvCore(rate: number, nper: number, pmt: number, fv: number, type: PaymentTiming): number {
  const k = 1 + rate * type;
  if (rate > -1 && rate !== 0) {
    // Excel's formula with the division by (1+rate)^nper carried into each term, so a
    // high rate over many periods does not turn into Infinity / Infinity.
    const l = nper * Math.log1p(rate);
    return -(fv * Math.exp(-l) + pmt * k * (-Math.expm1(-l) / rate));
  }
  const { g, a } = growth(rate, nper);
  return -(fv + pmt * k * a) / g;
}

/**
 * Excel's IPMT: the interest inside payment `per` is the rate applied to the balance that
 * payment settles. With payments in advance (type 1) the first payment falls before any
 * interest has accrued, so IPMT of period 1 is 0.
 */
function ipmtCore(
  rate: number,
  per: number,
  nper: number,
  pv: number,
  fv: number,
  type: PaymentTiming,
): number {
  const payment = pmtCore(rate, nper, pv, fv, type);
  // Excel's FV(rate, m, pmt, pv, type): the balance after m periods, negated. At positive
  // rates it is computed as the equal value of what is still to come, -PV(rate, nper - m,
  // pmt, fv, type): the same number, but built from discounted amounts, where growing pv
  // forward would subtract two nearly equal (or infinite) amounts over a long loan.
  const fvAfter = (m: number) =>
    rate > 0 ? -pvCore(rate, nper - m, payment, fv, type) : fvCore(rate, m, payment, pv, type);
  let balance: number;
  if (per === 1) {
    balance = type === 1 ? 0 : -pv;
  } else if (type === 1) {
    balance = fvAfter(per - 2) - payment;
  } else {
    balance = fvAfter(per - 1);
  }
  return balance * rate;
}

const DOMAIN_HINT = "rate must be greater than -1 (-100%) unless nper is a whole number";

function checkAnnuityArgs(fn: string, args: Record<string, number>): void {
  // for…in, not Object.entries: formulas call these once per month, and the entry arrays
  // cost more than the arithmetic.
  for (const name in args) requireFinite(fn, name, args[name]);
}

function requireNonZeroNper(fn: string, rate: number, nper: number): void {
  if (nper !== 0) return;
  // Excel's rate-0 form divides by nper outright (#DIV/0!); the general form produces a
  // non-finite result, which Excel reports as #NUM!.
  throw new FinanceError(
    rate === 0 ? "DIV0" : "NUM",
    `${fn}: nper must not be 0; an annuity needs at least one payment period`,
  );
}

/**
 * PMT(rate, nper, pv, [fv], [type]) — the constant payment per period that takes a
 * balance from pv to fv over nper periods at `rate` per period.
 *
 * Definition (Excel): pmt = −(fv + pv·(1+rate)^nper)·rate / ((1+rate·type)·((1+rate)^nper − 1)),
 * and −(pv + fv)/nper at rate = 0. Sign convention: cash paid out is negative, so a loan
 * received (pv > 0) gives a negative payment. type 0 = payments at the end of each
 * period, 1 = at the beginning.
 *
 * @example pmt(0.08 / 12, 10, 10000) // ≈ -1037.03
 * @throws FinanceError DIV0/NUM when nper is 0, NUM when the result is not finite,
 *   VALUE for a non-finite argument.
 */
export function pmt(rate: number, nper: number, pv: number, fv = 0, type: PaymentTiming = 0): number {
  const fn = "PMT";
  checkAnnuityArgs(fn, { rate, nper, pv, fv });
  const t = requireTiming(fn, type);
  requireNonZeroNper(fn, rate, nper);
  if (rate === -1 && t === 1) {
    throw new FinanceError("DIV0", `${fn}: rate -1 (-100%) with type 1 divides by zero; use a rate above -1`);
  }
  return finiteResult(fn, pmtCore(rate, nper, pv, fv, t), DOMAIN_HINT);
}

/**
 * FV(rate, nper, pmt, [pv], [type]) — the balance after nper periods of payment `pmt`
 * starting from pv, at `rate` per period.
 *
 * Definition (Excel): fv = −(pv·(1+rate)^nper + pmt·(1+rate·type)·((1+rate)^nper − 1)/rate),
 * and −(pv + pmt·nper) at rate = 0. Sign convention: cash paid out is negative, so
 * deposits (pmt < 0) grow into a positive future value you receive. type 0 = payments at
 * the end of each period, 1 = at the beginning.
 *
 * @example fv(0.06 / 12, 10, -200, -500, 1) // ≈ 2581.40
 * @throws FinanceError NUM when the result is not finite, VALUE for a non-finite argument.
 */
export function fv(rate: number, nper: number, pmt: number, pv = 0, type: PaymentTiming = 0): number {
  const fn = "FV";
  checkAnnuityArgs(fn, { rate, nper, pmt, pv });
  const t = requireTiming(fn, type);
  return finiteResult(fn, fvCore(rate, nper, pmt, pv, t), DOMAIN_HINT);
}

/**
 * PV(rate, nper, pmt, [fv], [type]) — what a series of nper payments `pmt` (plus a final
 * balance fv) is worth now at `rate` per period.
 *
 * Definition (Excel): pv = −(fv + pmt·(1+rate·type)·((1+rate)^nper − 1)/rate) / (1+rate)^nper,
 * and −(fv + pmt·nper) at rate = 0. Sign convention: cash paid out is negative, so
 * receiving payments (pmt > 0) is worth a negative pv — the price you pay for them. type
 * 0 = payments at the end of each period, 1 = at the beginning.
 *
 * @example pv(0.08 / 12, 12 * 20, 500) // ≈ -59777.15
 * @throws FinanceError NUM when the result is not finite, VALUE for a non-finite argument.
 */
export function pv(rate: number, nper: number, pmt: number, fv = 0, type: PaymentTiming = 0): number {
  const fn = "PV";
  checkAnnuityArgs(fn, { rate, nper, pmt, fv });
  const t = requireTiming(fn, type);
  return finiteResult(fn, pvCore(rate, nper, pmt, fv, t), DOMAIN_HINT);
}

function checkPeriod(fn: string, per: number, nper: number): void {
  if (!(per >= 1 && per <= nper)) {
    throw new FinanceError("NUM", `${fn}: per must be between 1 and nper (${nper}), got ${per}`);
  }
}

/**
 * IPMT(rate, per, nper, pv, [fv], [type]) — the interest part of payment number `per`
 * (1..nper) of the annuity PMT(rate, nper, pv, fv, type).
 *
 * Definition (Excel): rate × the balance that payment settles, i.e.
 * rate·FV(rate, per−1, PMT, pv, 0) for type 0 and rate·(FV(rate, per−2, PMT, pv, 1) − PMT)
 * for type 1; for per = 1 it is −pv·rate (type 0) or 0 (type 1, paid before any interest
 * accrues). Sign convention: cash paid out is negative, so interest on a loan received
 * (pv > 0) is negative. type 0 = payments at the end of each period, 1 = at the beginning.
 *
 * @example ipmt(0.1 / 12, 1, 36, 8000) // ≈ -66.67
 * @throws FinanceError NUM when per is outside 1..nper or the result is not finite,
 *   VALUE for a non-finite argument.
 */
export function ipmt(
  rate: number,
  per: number,
  nper: number,
  pv: number,
  fv = 0,
  type: PaymentTiming = 0,
): number {
  const fn = "IPMT";
  checkAnnuityArgs(fn, { rate, per, nper, pv, fv });
  const t = requireTiming(fn, type);
  checkPeriod(fn, per, nper);
  if (rate === -1 && t === 1) {
    throw new FinanceError("DIV0", `${fn}: rate -1 (-100%) with type 1 divides by zero; use a rate above -1`);
  }
  return finiteResult(fn, ipmtCore(rate, per, nper, pv, fv, t), DOMAIN_HINT);
}

/**
 * PPMT(rate, per, nper, pv, [fv], [type]) — the principal part of payment number `per`
 * (1..nper) of the annuity PMT(rate, nper, pv, fv, type).
 *
 * Definition (Excel): PPMT = PMT − IPMT, so the two parts always add up to the payment.
 * Sign convention: cash paid out is negative, so repaying a loan received (pv > 0) gives
 * negative principal payments that sum to −pv (when fv = 0). type 0 = payments at the
 * end of each period, 1 = at the beginning.
 *
 * @example ppmt(0.1 / 12, 1, 24, 2000) // ≈ -75.62
 * @throws FinanceError NUM when per is outside 1..nper or the result is not finite,
 *   VALUE for a non-finite argument.
 */
export function ppmt(
  rate: number,
  per: number,
  nper: number,
  pv: number,
  fv = 0,
  type: PaymentTiming = 0,
): number {
  const fn = "PPMT";
  checkAnnuityArgs(fn, { rate, per, nper, pv, fv });
  const t = requireTiming(fn, type);
  checkPeriod(fn, per, nper);
  if (rate === -1 && t === 1) {
    throw new FinanceError("DIV0", `${fn}: rate -1 (-100%) with type 1 divides by zero; use a rate above -1`);
  }
  const payment = pmtCore(rate, nper, pv, fv, t);
  return finiteResult(fn, payment - ipmtCore(rate, per, nper, pv, fv, t), DOMAIN_HINT);
}

/**
 * The annuity equation as a function of the rate, for the solver. Once (1+r)^nper grows
 * large it is evaluated divided by (1+r)^nper — a positive factor, so the roots, Newton's
 * steps and the relative residual are unchanged — to keep high rates from overflowing.
 */
function annuityEquation(nper: number, pmt: number, pv: number, fv: number, type: PaymentTiming): RateEquation {
  // d/dr of ((1+r)^n − 1)/r near r = 0, from the binomial series, where the closed form
  // would cancel catastrophically.
  const slopeOfAAtZero = (nper * (nper - 1)) / 2;
  const curvatureOfAAtZero = (nper * (nper - 1) * (nper - 2)) / 3;
  return (r: number) => {
    const k = 1 + r * type;
    const l = nper * Math.log1p(r);
    if (r !== 0 && l > 1) {
      const shrink = Math.exp(-l); // 1/(1+r)^nper
      const aShrunk = -Math.expm1(-l) / r; // ((1+r)^nper − 1)/r / (1+r)^nper
      const daShrunk = (nper / (1 + r) - aShrunk) / r;
      return {
        value: pv + pmt * k * aShrunk + fv * shrink,
        slope: (pv * nper) / (1 + r) + pmt * (type * aShrunk + k * daShrunk),
        magnitude: Math.abs(pv) + Math.abs(pmt * k * aShrunk) + Math.abs(fv) * shrink,
      };
    }
    const { g, a } = growth(r, nper);
    const da = Math.abs(r) < 1e-6 ? slopeOfAAtZero + curvatureOfAAtZero * r : ((nper * g) / (1 + r) - a) / r;
    return {
      value: pv * g + pmt * k * a + fv,
      slope: (pv * nper * g) / (1 + r) + pmt * (type * a + k * da),
      magnitude: Math.abs(pv) * g + Math.abs(pmt * k * a) + Math.abs(fv),
    };
  };
}

/**
 * RATE(nper, pmt, pv, [fv], [type], [guess]) — the interest rate per period at which
 * nper payments `pmt` take a balance from pv to fv.
 *
 * Definition (Excel): the r > -1 that solves
 * pv·(1+r)^nper + pmt·(1+r·type)·((1+r)^nper − 1)/r + fv = 0 (pv + pmt·nper + fv = 0 at
 * r = 0), found by Newton's method from `guess` (default 10%) like Excel, falling back to
 * bracketing + Brent's method where Newton fails instead of returning #NUM!. Sign
 * convention: cash paid out is negative, so pmt and pv of a loan have opposite signs.
 * type 0 = payments at the end of each period, 1 = at the beginning.
 *
 * @example rate(4 * 12, -200, 8000) // ≈ 0.0077 per month
 * @throws FinanceError NUM when nper <= 0, guess <= -1 or no rate solves the equation,
 *   VALUE for a non-finite argument.
 */
export function rate(nper: number, pmt: number, pv: number, fv = 0, type: PaymentTiming = 0, guess = 0.1): number {
  const fn = "RATE";
  checkAnnuityArgs(fn, { nper, pmt, pv, fv, guess });
  const t = requireTiming(fn, type);
  if (!(nper > 0)) {
    throw new FinanceError("NUM", `${fn}: nper must be greater than 0 (got ${nper})`);
  }
  if (!(guess > -1)) {
    throw new FinanceError("NUM", `${fn}: guess must be greater than -1 (-100%), got ${guess}`);
  }
  if (pmt === 0 && pv === 0 && fv === 0) {
    throw new FinanceError("NUM", `${fn}: pmt, pv and fv are all 0, so every rate fits; give at least one amount`);
  }
  // Excel's RATE runs 20 Newton steps before giving up; we fall back instead.
  const root = solveRate(annuityEquation(nper, pmt, pv, fv, t), { guess, newtonIterations: 20 });
  if (root === undefined) {
    throw new FinanceError(
      "NUM",
      `${fn}: no interest rate makes these payments reach fv; check the signs (cash paid out is negative, ` +
        `so a loan's pv and pmt have opposite signs) or try a different guess`,
    );
  }
  return root === 0 ? 0 : root;
}
