import { EngineError } from "../model/issues.js";
import { ITEM_NAMES, ITEM_LABEL } from "./items.js";
import type { Projection } from "./projection.js";
import { ENGINE_EXTENSIONS, type RangeProblem } from "./extensions.js";

/** Largest imbalance tolerated: one millionth of the model's unit. */
export const BALANCE_TOLERANCE = 1e-6;

/**
 * Relative size of the rounding error double-precision sums of a month's lines can build
 * up. An imbalance above BALANCE_TOLERANCE but within this share of the amounts involved is
 * a limit of floating-point arithmetic at that size, not an accounting error.
 */
export const PRECISION_SHARE = 1e-9;

/**
 * Values computed from formulas that `check` refuses when they are written as constants:
 * a floating rate (base + spread) at or below −100 %, and what extensions report (a
 * utilization outside 0–1). burnrate fails on them rather than clamping silently.
 */
export function rangeProblem(proj: Projection): RangeProblem | null {
  const c = proj.compiled;
  const p = c.params;
  const labels = c.calendar.labels;
  const floating = [...c.tranches.map((tr) => ({ what: `tranche "${tr.name}"`, fixed: tr.fixed, base: tr.base, slots: tr.slots })), ...(c.revolver ? [{ what: "the revolver", ...c.revolver }] : [])];
  for (const tr of floating) {
    if (tr.fixed || !tr.base) continue;
    const floor = p[tr.slots.floor];
    const spread = p[tr.slots.spread];
    for (let t = 0; t < c.months; t++) {
      const rate = Math.max(tr.base[t], floor) + spread;
      if (!(rate > -1)) {
        return { lineItem: "interestExpense", period: labels[t], message: `the floating rate of ${tr.what} (base + spread) is ${formatRate(rate)} in ${labels[t]}; an interest rate must be above −100 % — check the base-rate driver` };
      }
    }
  }
  for (const [series, what] of [[c.cashRates.income, "financing.cash.interestRate"], [c.cashRates.overdraft, "financing.cash.overdraftRate"]] as const) {
    if (!series) continue;
    for (let t = 0; t < c.months; t++) {
      if (!(series[t] > -1)) return { lineItem: "interestIncome", period: labels[t], message: `${what} is ${formatRate(series[t])} in ${labels[t]}; an interest rate must be above −100 %` };
    }
  }
  return extensionRangeProblem(proj);
}

/** The first problem an extension reports in a projection's values (a utilization outside 0–1), or null. */
export function extensionRangeProblem(proj: Projection): RangeProblem | null {
  for (const extension of ENGINE_EXTENSIONS) {
    const problem = extension.rangeProblem?.(proj);
    if (problem) return problem;
  }
  return null;
}

function formatRate(rate: number): string {
  return Number.isFinite(rate) ? `${Number((rate * 100).toPrecision(6))} %` : String(rate);
}

/**
 * Largest magnitude among month t's line items (for the precision limit): two huge
 * components that cancel (paid-in capital and retained earnings) lose digits the totals
 * never show.
 */
function magnitude(proj: Projection, t: number): number {
  let max = 0;
  for (const name of ITEM_NAMES) {
    const v = Math.abs(proj.items[name][t]);
    if (v > max) max = v;
  }
  return max;
}

function precisionLimit(proj: Projection, t: number, what: string, off: number): EngineError {
  const size = magnitude(proj, t);
  return new EngineError(
    "precision_limit",
    "totalAssets",
    proj.compiled.calendar.labels[t],
    `${what} in ${proj.compiled.calendar.labels[t]} by ${off.toExponential(2)}: amounts reach ${size.toExponential(2)} in the model's unit, beyond what double-precision arithmetic keeps to ${BALANCE_TOLERANCE} — a precision limit, not an accounting result; write amounts in a larger unit (meta.unit: billions) or check for an input far too large`,
  );
}

export interface ProjectionChecks {
  balanced: boolean;
  maxImbalance: number;
  maxImbalancePeriod: string | null;
  cashTies: boolean;
  maxCashTieError: number;
}

/**
 * Every month: assets − liabilities − equity = 0 and the cash-flow statement explains
 * the change in cash; no line holds NaN or infinity. A failure is an error naming the
 * line item and month, never a number printed silently.
 */
/** Where a non-finite number first appears in month t: a line's or a driver's formula. */
function firstNonFinite(proj: Projection, t: number): string {
  const c = proj.compiled;
  for (let l = 0; l < c.lines.length; l++) {
    const v = c.lines[l].series[t];
    if (!Number.isFinite(v)) return ` (line "${c.lines[l].name}" is ${v} there)`;
  }
  for (const [name, series] of c.driverSeries) if (!Number.isFinite(series[t])) return ` (driver "${name}" is ${series[t]} there)`;
  return "";
}

export function checkProjection(proj: Projection): ProjectionChecks {
  const it = proj.items;
  const labels = proj.compiled.calendar.labels;
  const H = it.revenue.length;
  for (const name of ITEM_NAMES) {
    const series = it[name];
    for (let t = 0; t < H; t++) {
      if (!Number.isFinite(series[t])) {
        throw new EngineError("not_finite", name, labels[t], `${ITEM_LABEL[name]} (${name}) is ${series[t]} in ${labels[t]}${firstNonFinite(proj, t)}: an input makes the arithmetic undefined there (a division by zero in a formula, a finance function given arguments Excel rejects with #NUM! or #DIV/0!, or an overflowing growth rate); check the drivers that feed it`);
      }
    }
  }
  const range = rangeProblem(proj);
  if (range) throw new EngineError("out_of_range", range.lineItem, range.period, range.message);
  let maxImbalance = 0;
  let maxPeriod: string | null = null;
  let maxTie = 0;
  let previousCash = proj.opening.cash;
  for (let t = 0; t < H; t++) {
    const imbalance = it.totalAssets[t] - it.totalLiabilities[t] - it.equity[t];
    if (Math.abs(imbalance) > maxImbalance) {
      maxImbalance = Math.abs(imbalance);
      maxPeriod = labels[t];
    }
    const tie = it.endingCash[t] - previousCash - (it.operatingCashFlow[t] + it.investingCashFlow[t] + it.financingCashFlow[t]);
    maxTie = Math.max(maxTie, Math.abs(tie));
    previousCash = it.endingCash[t];
    if (Math.abs(imbalance) > BALANCE_TOLERANCE) {
      if (Math.abs(imbalance) <= PRECISION_SHARE * magnitude(proj, t)) throw precisionLimit(proj, t, "the balance sheet does not balance", Math.abs(imbalance));
      throw new EngineError("unbalanced", "totalAssets", labels[t], `the balance sheet does not balance in ${labels[t]}: assets ${it.totalAssets[t]} − liabilities ${it.totalLiabilities[t]} − equity ${it.equity[t]} = ${imbalance}; this is a bug in burnrate — please report it with the model`);
    }
    if (Math.abs(tie) > BALANCE_TOLERANCE) {
      if (Math.abs(tie) <= PRECISION_SHARE * Math.max(magnitude(proj, t), Math.abs(previousCash))) throw precisionLimit(proj, t, "the cash-flow statement does not tie to the change in cash", Math.abs(tie));
      throw new EngineError("cash_does_not_tie", "endingCash", labels[t], `the cash-flow statement does not tie to the change in cash in ${labels[t]} (off by ${tie}); this is a bug in burnrate — please report it with the model`);
    }
  }
  return { balanced: true, maxImbalance, maxImbalancePeriod: maxPeriod, cashTies: true, maxCashTieError: maxTie };
}
