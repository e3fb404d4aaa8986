import { EngineError } from "../model/issues.js";
import { ITEM_NAMES, ITEM_LABEL } from "./items.js";
import type { Projection } from "./project.js";

/** Largest imbalance tolerated: one millionth of the model's unit. */
export const BALANCE_TOLERANCE = 1e-6;

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
      throw new EngineError("unbalanced", "totalAssets", labels[t], `the balance sheet does not balance in ${labels[t]}: assets ${it.totalAssets[t]} − liabilities ${it.totalLiabilities[t]} − equity ${it.equity[t]} = ${imbalance}; this is a bug in burnrate — please report it with the model`);
    }
    if (Math.abs(tie) > BALANCE_TOLERANCE) {
      throw new EngineError("cash_does_not_tie", "endingCash", labels[t], `the cash-flow statement does not tie to the change in cash in ${labels[t]} (off by ${tie}); this is a bug in burnrate — please report it with the model`);
    }
  }
  return { balanced: true, maxImbalance, maxImbalancePeriod: maxPeriod, cashTies: true, maxCashTieError: maxTie };
}
