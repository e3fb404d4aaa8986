import type { CompiledModel } from "../engine/compile.js";
import type { Projection } from "../engine/project.js";
import { METRIC_INDEX } from "../engine/metrics.js";
import { BALANCE_TOLERANCE, rangeProblem, extensionRangeProblem } from "../engine/checks.js";
import type { UncertaintySpec } from "./spec.js";

/**
 * Which simulated paths are outcomes at all. A path is invalid — counted, reported and left
 * out of every statistic — when:
 *
 * - `input`: a sampled input is outside the range `check` accepts for that key (a negative
 *   GPU count or price, a tax rate above 1, a PUE below 1, a fractional life in months, a
 *   rate at or below −100 %…);
 * - `months`: sampled months break an order `check` enforces (a cohort in service before it
 *   is bought; a purchase moved across the model's start, which the opening balance sheet
 *   cannot follow);
 * - `formula`: a value computed from a formula is outside the range its key allows
 *   (utilization outside 0–1, a floating rate at or below −100 %);
 * - `nonFinite`: NaN or ±∞ in a reported series or metric (a division by zero, an overflow);
 * - `unbalanced`: the balance sheet or the cash-flow tie fails in some month.
 *
 * Sampled months may fall outside the horizon: that is an outcome (the round comes too late
 * to count), not an invalid path.
 */
export { INVALID_REASONS, INVALID_REASON_TEXT, emptyInvalidCounts, type InvalidReason } from "./invalidReasons.js";
import type { InvalidReason } from "./invalidReasons.js";

interface Rule {
  ok: (v: number) => boolean;
}

const nonNegative: Rule = { ok: (v) => v >= 0 };
const positive: Rule = { ok: (v) => v > 0 };
const fraction: Rule = { ok: (v) => v >= 0 && v <= 1 };
const belowOne: Rule = { ok: (v) => v >= 0 && v < 1 };
const atLeastOne: Rule = { ok: (v) => v >= 1 };
const aboveMinusOne: Rule = { ok: (v) => v > -1 };
const wholeFrom = (min: number): Rule => ({ ok: (v) => Number.isInteger(v) && v >= min });
const anyFinite: Rule = { ok: (v) => Number.isFinite(v) };

/** The ranges of the schema and of `check`, by key path (months are handled as orders). */
const RULES: [RegExp, Rule][] = [
  [/^fleet\.[^.]+\.(count|unitCost|salvagePerUnit|capacityPerUnitHour|powerKw)$/, nonNegative],
  [/^fleet\.[^.]+\.pue$/, atLeastOne],
  [/^(fleet|sites)\.[^.]+\.lifeMonths$/, wholeFrom(1)],
  [/^financing\.debt\.[^.]+\.interestOnlyMonths$/, wholeFrom(0)],
  [/^financing\.debt\.[^.]+\.upfrontFee$/, fraction],
  [/^financing\.debt\.[^.]+\.(draws|repayments)\.\d+\.amount$/, nonNegative],
  [/^financing\.(debt\.[^.]+|revolver)\.(rate|spread)$/, aboveMinusOne],
  [/^financing\.cash\.(interestRate|overdraftRate)$/, aboveMinusOne],
  [/^financing\.(debt\.[^.]+|revolver)\.openingBalance$/, nonNegative],
  [/^financing\.revolver\.(limit|commitmentFee)$/, nonNegative],
  [/^openingBalance\.(receivables|ppeNet|payables|lossCarryforward|debt)$/, nonNegative],
  [/^openingBalance\.ppeRemainingLifeMonths$/, wholeFrom(1)],
  [/^financing\.equity\.[^.]+\.(amount|preMoney)$/, nonNegative],
  [/^tax\.rate$/, fraction],
  [/^(tax\.openingLossCarryforward|meta\.cashFloor|workingCapital\.(receivableDays|payableDays))$/, nonNegative],
  [/^drivers\.[^.]+\.growth\.(annualRate|monthlyRate)$/, aboveMinusOne],
  [/^sites\.[^.]+\.(costPerMw|delayMonths)$/, nonNegative],
  [/^sites\.[^.]+\.powerMw$/, positive],
  [/^sites\.[^.]+\.pue$/, atLeastOne],
  [/^pricing\.[^.]+\.start$/, positive],
  [/^pricing\.[^.]+\.declinePerYear$/, belowOne],
  [/^utilization$/, fraction],
  [/^contracts\.[^.]+\.(gpus|value|pricePerGpuHour|renewal\.priceFactor)$/, positive],
  [/^contracts\.[^.]+\.takeOrPay$/, fraction],
  [/^contracts\.[^.]+\.(termMonths|renewal\.termMonths)$/, wholeFrom(1)],
  // 0 renewals is a meaningful outcome (a Bernoulli on whether the customer renews).
  [/^contracts\.[^.]+\.renewal\.times$/, wholeFrom(0)],
];

function ruleFor(path: string): Rule {
  for (const [re, rule] of RULES) if (re.test(path)) return rule;
  return anyFinite;
}

/** Checks one path in the simulation's hot loop: precomputed rules, no allocation. */
export interface PathValidity {
  /** Before evaluation: the sampled params (`input`, `months`), or null. */
  inputs(params: Float64Array): InvalidReason | null;
  /** After evaluation: the results (`formula`, `nonFinite`, `unbalanced`), or null. */
  results(proj: Projection, metrics: Float64Array): InvalidReason | null;
}

/** Whole-path metrics a simulation collects (all finite on a valid path; minDscr may be NaN: no debt service). */
const COLLECTED_METRICS = [METRIC_INDEX.cashOutIndex, METRIC_INDEX.runwayMonths, METRIC_INDEX.minCash, METRIC_INDEX.fundingGap, METRIC_INDEX.breakevenIndex, METRIC_INDEX.cumulativeBurn, METRIC_INDEX.covenantBreaches, METRIC_INDEX.endingCash];

/**
 * `fundingGap` false: the paths do not compute the funding gap (sensitivity or solve of
 * another metric), so it is not checked — a path whose gap solver would fail (only with
 * negative interest rates) then counts for that metric.
 */
export function pathValidity(compiled: CompiledModel, spec: UncertaintySpec, fundingGap = true): PathValidity {
  const sampled = new Set<number>();
  const checks: { slot: number; rule: Rule }[] = [];
  for (const input of spec.inputs) {
    for (const target of input.targets) {
      if (sampled.has(target.slot)) continue;
      sampled.add(target.slot);
      if (!target.isMonth) checks.push({ slot: target.slot, rule: ruleFor(target.path) });
    }
  }
  // Cohorts whose purchase or in-service month is sampled: the orders `check` enforces.
  const cohortMonths = compiled.cohorts
    .filter((co) => sampled.has(co.slots.purchase) || sampled.has(co.slots.inService))
    .map((co) => ({ purchase: co.slots.purchase, inService: co.slots.inService, preStart: co.preStart }));
  const H = compiled.months;
  const collected = fundingGap ? COLLECTED_METRICS : COLLECTED_METRICS.filter((k) => k !== METRIC_INDEX.fundingGap);
  const hasRangeChecks = compiled.stages.length > 0 || compiled.tranches.some((t) => !t.fixed) || (compiled.revolver !== null && !compiled.revolver.fixed) || compiled.cashRates.income !== null || compiled.cashRates.overdraft !== null;
  // The rates rangeProblem (engine/checks.ts) checks, read here without allocating (it
  // builds its list of rates anew, as it also serves `check`): it is asked, for the same
  // answer, only when one is out of range; the extensions' own checks are asked directly.
  const floating = [...compiled.tranches, ...(compiled.revolver ? [compiled.revolver] : [])].filter((tr) => !tr.fixed && tr.base).map((tr) => ({ base: tr.base!, floor: tr.slots.floor, spread: tr.slots.spread }));
  const cashRates = [compiled.cashRates.income, compiled.cashRates.overdraft].filter((r): r is Float64Array => r !== null);
  const extensionChecks = compiled.stages.length > 0;
  const params = compiled.params;
  const ratesInRange = (): boolean => {
    for (let k = 0; k < floating.length; k++) {
      const { base, floor, spread } = floating[k];
      const f = params[floor];
      const s = params[spread];
      for (let t = 0; t < H; t++) if (!(Math.max(base[t], f) + s > -1)) return false;
    }
    for (let k = 0; k < cashRates.length; k++) {
      const r = cashRates[k];
      for (let t = 0; t < H; t++) if (!(r[t] > -1)) return false;
    }
    return true;
  };
  return {
    inputs(params) {
      for (let i = 0; i < checks.length; i++) if (!checks[i].rule.ok(params[checks[i].slot])) return "input";
      for (let i = 0; i < cohortMonths.length; i++) {
        const c = cohortMonths[i];
        const purchase = Math.round(params[c.purchase]);
        if (Math.round(params[c.inService]) < purchase || purchase < 0 !== c.preStart) return "months";
      }
      return null;
    },
    results(proj, metrics) {
      const it = proj.items;
      const cash = it.endingCash;
      const revenue = it.revenue;
      const netIncome = it.netIncome;
      const fcf = it.freeCashFlow;
      const debt = it.debt;
      const assets = it.totalAssets;
      const liabilities = it.totalLiabilities;
      const equity = it.equity;
      const operating = it.operatingCashFlow;
      const investing = it.investingCashFlow;
      const financing = it.financingCashFlow;
      // One pass over the months for both checks, without a branch per month: x − x is 0 for
      // a finite x and NaN for NaN or ±∞, so `finite` stays 0 only if every value of the
      // reported series and of the balance sheet's totals is finite; `unbalanced` counts the months whose
      // balance sheet or cash tie is off. Non-finite values come first, as reasons go.
      let finite = 0;
      let unbalanced = 0;
      // Opening balances may be sampled: the evaluation's own opening sheet when it has one.
      let previousCash = proj.opening.cash;
      // A simulated path's month loop counted them already, with these operations (Projection.checks).
      const counted = proj.checks.current;
      if (counted) {
        finite = proj.checks.nonFinite;
        unbalanced = proj.checks.unbalanced;
      }
      for (let t = 0; t < H && !counted; t++) {
        const c = cash[t];
        finite += c - c + (revenue[t] - revenue[t]) + (netIncome[t] - netIncome[t]) + (fcf[t] - fcf[t]) + (debt[t] - debt[t]) + (assets[t] - assets[t]) + (liabilities[t] - liabilities[t]) + (equity[t] - equity[t]);
        const imbalance = assets[t] - liabilities[t] - equity[t];
        const tie = c - previousCash - (operating[t] + investing[t] + financing[t]);
        previousCash = c;
        unbalanced += Math.abs(imbalance) <= BALANCE_TOLERANCE && Math.abs(tie) <= BALANCE_TOLERANCE ? 0 : 1;
      }
      if (finite !== 0) return "nonFinite";
      for (let k = 0; k < collected.length; k++) if (!Number.isFinite(metrics[collected[k]])) return "nonFinite";
      const dscr = metrics[METRIC_INDEX.minDscr];
      if (dscr === Infinity || dscr === -Infinity) return "nonFinite";
      if (unbalanced !== 0) return "unbalanced";
      if (hasRangeChecks && ((!ratesInRange() && rangeProblem(proj)) || (extensionChecks && extensionRangeProblem(proj)))) return "formula";
      return null;
    },
  };
}

/** Counts of invalid paths by reason, in INVALID_REASONS order. */
