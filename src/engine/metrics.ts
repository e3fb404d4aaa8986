import { fundingGapOf, type Projection } from "./project.js";

/**
 * The figures an analyst asks for first, as numbers in a fixed layout so that Monte
 * Carlo can compute them per path without allocating. Month-valued metrics are month
 * indices (-1 = none).
 */
export const METRIC_FIELDS = [
  "cashOutIndex",
  "runwayMonths",
  "minCash",
  "minCashIndex",
  "fundingGap",
  "breakevenIndex",
  "cumulativeBurn",
  "minDscr",
  "minDscrIndex",
  "interestCoverage",
  "netDebtToEbitda",
  "maxNetDebtToEbitda",
  "covenantBreaches",
  "firstPositiveFcfIndex",
  "endingCash",
] as const;
export type MetricField = (typeof METRIC_FIELDS)[number];
export const METRIC_INDEX = Object.fromEntries(METRIC_FIELDS.map((f, i) => [f, i])) as Record<MetricField, number>;

export function metricVector(): Float64Array {
  return new Float64Array(METRIC_FIELDS.length);
}

/**
 * cashOut: first month whose ending cash is below zero. runwayMonths: months of
 * non-negative cash before it (the horizon length when cash never runs out).
 * fundingGap: the smallest extra opening cash that keeps every month's ending cash at
 * or above the floor (beyond what a revolver draws; see fundingGapOf). breakeven: first
 * month from which net income stays ≥ 0 to the horizon's end. cumulativeBurn: the sum
 * of negative free cash flow over the horizon, a positive number. Ties go to the
 * earliest month (minCash, minDscr). With `fundingGap` false the gap is left NaN: when
 * cash earns or pays interest or a revolver draws, it re-runs the statements, which a
 * caller that never reads it (sensitivity of another metric) need not pay for.
 */
export function computeMetrics(proj: Projection, out: Float64Array, cashFloor: number, extraCash = 0, fundingGap = true): Float64Array {
  const it = proj.items;
  const H = it.endingCash.length;
  let cashOut = -1;
  let minCash = Infinity;
  let minCashIndex = -1;
  let burn = 0;
  let firstPositiveFcf = -1;
  for (let t = 0; t < H; t++) {
    const cash = it.endingCash[t] + extraCash;
    if (cash < 0 && cashOut < 0) cashOut = t;
    if (cash < minCash) {
      minCash = cash;
      minCashIndex = t;
    }
    const fcf = it.freeCashFlow[t];
    if (fcf < 0) burn -= fcf;
    else if (firstPositiveFcf < 0 && fcf > 0) firstPositiveFcf = t;
  }
  let breakeven = -1;
  for (let t = H - 1; t >= 0; t--) {
    if (it.netIncome[t] >= 0) breakeven = t;
    else break;
  }
  let minDscr = Infinity;
  let minDscrIndex = -1;
  let coverage = Infinity;
  let maxLeverage = -Infinity;
  const r = proj.ratios;
  for (let t = 0; t < H; t++) {
    const d = r.dscr[t];
    if (d === d && d < minDscr) {
      minDscr = d;
      minDscrIndex = t;
    }
    const ic = r.interestCoverageLtm[t];
    if (ic === ic && ic < coverage) coverage = ic;
    const lev = r.netDebtToEbitdaLtm[t];
    if (lev === lev && lev > maxLeverage) maxLeverage = lev;
  }
  out[0] = cashOut;
  out[1] = cashOut < 0 ? H : cashOut;
  out[2] = minCash;
  out[3] = minCashIndex;
  out[4] = !fundingGap ? NaN : extraCash === 0 ? fundingGapOf(proj, cashFloor, minCash) : Math.max(0, cashFloor - minCash);
  out[5] = breakeven;
  out[6] = burn;
  out[7] = minDscrIndex < 0 ? NaN : minDscr;
  out[8] = minDscrIndex;
  out[9] = coverage === Infinity ? NaN : coverage;
  out[10] = r.netDebtToEbitdaLtm[H - 1];
  out[11] = maxLeverage === -Infinity ? NaN : maxLeverage;
  out[12] = countCovenantBreaches(proj);
  out[13] = firstPositiveFcf;
  out[14] = it.endingCash[H - 1] + extraCash;
  return out;
}

export interface CovenantBreach {
  covenant: string;
  metric: string;
  period: string;
  /** null when the ratio is undefined in a way that fails the test (EBITDA not positive with net debt). */
  value: number | null;
  limit: number;
  bound: "min" | "max";
}

function isTestMonth(proj: Projection, t: number, quarterly: boolean): boolean {
  if (!quarterly) return true;
  const cal = proj.compiled.calendar;
  return t === cal.length - 1 || cal.fiscalQuarter[t + 1] !== cal.fiscalQuarter[t];
}

function covenantValue(proj: Projection, metric: string, ltm: boolean, t: number): number {
  const r = proj.ratios;
  const it = proj.items;
  switch (metric) {
    case "dscr":
      return ltm ? r.dscrLtm[t] : r.dscr[t];
    case "interestCoverage":
      return ltm ? r.interestCoverageLtm[t] : it.cashInterest[t] > 1e-12 ? it.ebitda[t] / it.cashInterest[t] : NaN;
    case "netDebtToEbitda": {
      if (ltm) return r.netDebtToEbitdaLtm[t];
      const e = it.ebitda[t] * 12;
      return e > 1e-12 ? (it.debt[t] - it.endingCash[t]) / e : NaN;
    }
    case "minCash":
      return it.endingCash[t];
  }
  return NaN;
}

/** Each failed covenant test: with a quarterly test, only fiscal quarter ends count. */
export function covenantBreaches(proj: Projection, limit = Infinity): CovenantBreach[] {
  const out: CovenantBreach[] = [];
  forEachBreach(proj, (cov, t, v, lim) => {
    if (out.length >= limit) return false;
    out.push({ covenant: cov.name, metric: cov.metric, period: proj.compiled.calendar.labels[t], value: v === v ? v : null, limit: lim, bound: cov.bound });
    return true;
  });
  return out;
}

/**
 * Counts failed tests without building objects (Monte Carlo calls this per path): the
 * same values and comparisons as `forEachBreach`, with the covenant's series chosen once
 * instead of month by month.
 */
function countCovenantBreaches(proj: Projection): number {
  const c = proj.compiled;
  const covenants = c.covenants;
  if (covenants.length === 0) return 0;
  const H = c.months;
  const r = proj.ratios;
  const it = proj.items;
  const quarter = c.calendar.fiscalQuarter;
  const debt = it.debt;
  const cash = it.endingCash;
  const ebitda = it.ebitda;
  const interest = it.cashInterest;
  let n = 0;
  for (let i = 0; i < covenants.length; i++) {
    const cov = covenants[i];
    const lim = c.params[cov.limitSlot];
    const min = cov.bound === "min";
    const leverage = cov.metric === "netDebtToEbitda";
    // The covenant's value by month is a series as it is, or (month by month) interest
    // coverage or leverage of the month alone.
    let series: Float64Array | null = null;
    let monthly = 0;
    switch (cov.metric) {
      case "dscr":
        series = cov.ltm ? r.dscrLtm : r.dscr;
        break;
      case "interestCoverage":
        if (cov.ltm) series = r.interestCoverageLtm;
        else monthly = 1;
        break;
      case "netDebtToEbitda":
        if (cov.ltm) series = r.netDebtToEbitdaLtm;
        else monthly = 2;
        break;
      case "minCash":
        series = cash;
        break;
      default:
        n += countBreachesOf(proj, cov);
        continue;
    }
    for (let t = cov.fromIndex; t < H; t++) {
      if (cov.quarterly && t !== H - 1 && quarter[t + 1] === quarter[t]) continue;
      let v: number;
      if (series !== null) v = series[t];
      else if (monthly === 1) v = interest[t] > 1e-12 ? ebitda[t] / interest[t] : NaN;
      else {
        const e = ebitda[t] * 12;
        v = e > 1e-12 ? (debt[t] - cash[t]) / e : NaN;
      }
      if (v !== v) {
        // Leverage is undefined when EBITDA is not positive: a breach if there is net debt.
        if (leverage && debt[t] - cash[t] > 1e-9) n++;
      } else if (min ? v < lim : v > lim) n++;
    }
  }
  return n;
}

function countBreachesOf(proj: Projection, only: Projection["compiled"]["covenants"][number]): number {
  let n = 0;
  forEachBreach(proj, (cov) => (cov === only && n++, true));
  return n;
}

function forEachBreach(proj: Projection, visit: (cov: Projection["compiled"]["covenants"][number], t: number, value: number, limit: number) => boolean): void {
  const c = proj.compiled;
  const H = c.months;
  for (const cov of c.covenants) {
    const lim = c.params[cov.limitSlot];
    for (let t = cov.fromIndex; t < H; t++) {
      if (!isTestMonth(proj, t, cov.quarterly)) continue;
      const v = covenantValue(proj, cov.metric, cov.ltm, t);
      let breached: boolean;
      if (v !== v) {
        // Leverage is undefined when EBITDA is not positive: a breach if there is net debt.
        breached = cov.metric === "netDebtToEbitda" && proj.items.debt[t] - proj.items.endingCash[t] > 1e-9;
      } else breached = cov.bound === "min" ? v < lim : v > lim;
      if (breached && !visit(cov, t, v, lim)) return;
    }
  }
}
