/**
 * The benchmark model (benchModel.ts: 50 lines, 8 sampled factors, a sampled opening cash
 * and launch month) written by hand as a plain single-threaded Float64Array loop: the
 * anchor `npm run bench` measures burnrate's Monte Carlo against. It is what a careful
 * engineer would write for this one model with no engine at all: the series no input
 * moves (demand, price, users, headcount, SOFR, the fleet) are computed once; each path
 * then computes the lines from its factors and launch month, the three statements month
 * by month (debt, fees, interest on cash and overdraft, tax with loss carry-forward,
 * working capital), the funding gap (re-running the months with extra cash, as interest
 * makes it more than the shortfall), the metrics and the same outputs `simulate` reports by
 * default (fiscal-year ending cash, revenue, net income, free cash flow and debt; funding
 * gap, runway, minimum cash, cumulative burn, minimum DSCR, ending cash; cash-out and
 * breakeven months; covenant breaches), and finally their mean and percentiles.
 *
 * handLoop.test.ts checks that it computes the same numbers as burnrate's engine, so the
 * comparison is between two programs doing the same work.
 */
export const HAND_LOOP_MONTHS = 120;
const H = HAND_LOOP_MONTHS;
const YEARS = H / 12;
const LINES = 50;
const FACTORS = 8;
const KINDS = ["revenue", "costOfRevenue", "operatingExpense", "operatingExpense", "capex"] as const;

/** Per-path outputs, column by column (one Float64Array of n values per output). */
export interface HandLoopOutputs {
  /** [series][year]: endingCash, revenue, netIncome, freeCashFlow, debt. */
  yearly: Float64Array[][];
  /** fundingGap, runwayMonths, minCash, cumulativeBurn, minDscr, endingCash. */
  metrics: Float64Array[];
  cashOutMonth: Float64Array;
  breakevenMonth: Float64Array;
  anyCovenantBreach: number;
}

interface Fixed {
  days: Float64Array;
  sofr: Float64Array;
  demandPrice: Float64Array;
  users: Float64Array;
  headcount: Float64Array;
  fleetCapex: Float64Array;
  fleetDepreciation: Float64Array;
  fleetPower: Float64Array;
  quarterEnd: Uint8Array;
}

function linearYearly(values: number[]): Float64Array {
  const out = new Float64Array(H);
  for (let t = 0; t < H; t++) {
    const y = Math.floor(t / 12);
    const v = values[y];
    out[t] = y + 1 < values.length ? v + ((values[y + 1] - v) * (t % 12)) / 12 : v;
  }
  return out;
}

/** The series that do not depend on any sampled input, computed once. */
function fixedSeries(): Fixed {
  const days = new Float64Array(H);
  for (let t = 0; t < H; t++) days[t] = new Date(Date.UTC(2025 + Math.floor(t / 12), (t % 12) + 1, 0)).getUTCDate();
  const sofr = linearYearly([0.043, 0.038, 0.035, 0.035, 0.035, 0.035, 0.035, 0.035, 0.035, 0.035]);
  const headcount = linearYearly([500, 800, 1000, 1200, 1300, 1400, 1500, 1600, 1700, 1800]);
  const demandPrice = new Float64Array(H);
  const users = new Float64Array(H);
  let u = 1000;
  for (let t = 0; t < H; t++) {
    demandPrice[t] = 100 * Math.pow(1.6, t / 12) * (2.5 * Math.pow(0.85, t / 12));
    u *= 1.02;
    users[t] = u;
  }
  const fleetCapex = new Float64Array(H);
  const fleetDepreciation = new Float64Array(H);
  const fleetPower = new Float64Array(H);
  for (let i = 0; i < 4; i++) {
    const count = 10000 + i * 5000;
    const cost = (count * 50000) / 1e6;
    const purchase = 12 * i + 2;
    const inService = 12 * i + 5;
    const kw = (count * 1.3 * 1.3) / 1e6;
    fleetCapex[purchase] += cost;
    for (let t = inService; t < Math.min(H, inService + 72); t++) {
      fleetDepreciation[t] += cost / 72;
      fleetPower[t] += kw * days[t] * 24 * 0.08;
    }
  }
  const quarterEnd = new Uint8Array(H);
  for (let t = 0; t < H; t++) quarterEnd[t] = t % 3 === 2 || t === H - 1 ? 1 : 0;
  return { days, sofr, demandPrice, users, headcount, fleetCapex, fleetDepreciation, fleetPower, quarterEnd };
}

export function handLoopOutputs(n: number): HandLoopOutputs {
  return {
    yearly: Array.from({ length: 5 }, () => Array.from({ length: YEARS }, () => new Float64Array(n))),
    metrics: Array.from({ length: 6 }, () => new Float64Array(n)),
    cashOutMonth: new Float64Array(H + 1),
    breakevenMonth: new Float64Array(H + 1),
    anyCovenantBreach: 0,
  };
}

/**
 * Runs n paths. `samples` holds the inputs column by column (samples[k * n + i] is input k
 * of path i), as burnrate samples them: the eight line factors, the opening cash, the
 * launch month (a month index). `keep`, when given, receives each path's monthly ending
 * cash and net income (for the equivalence test).
 */
export function runHandLoop(samples: Float64Array, n: number, out: HandLoopOutputs, keep?: (path: number, endingCash: Float64Array, netIncome: Float64Array) => void): void {
  const f = fixedSeries();
  const revenue = new Float64Array(H);
  const cor = new Float64Array(H);
  const opex = new Float64Array(H);
  const capex = new Float64Array(H);
  const capexCum = new Float64Array(H);
  const endingCash = new Float64Array(H);
  const netIncomeSeries = new Float64Array(H);
  const fcfSeries = new Float64Array(H);
  const debtSeries = new Float64Array(H);
  const ebitdaSeries = new Float64Array(H);
  const taxesSeries = new Float64Array(H);
  const serviceSeries = new Float64Array(H);
  const factor = new Float64Array(FACTORS);
  const revenueMultiple = new Float64Array(LINES);
  for (let i = 0; i < LINES; i++) revenueMultiple[i] = Number((1 + (i % 7) * 0.1).toFixed(1));
  const notesMaturity = 65;
  const tlbMaturity = 77;
  // Twelve interest-only payments after the month of the first draw.
  const tlbAmortStart = 6 + 1 + 12;
  const floor = 100;

  /**
   * The statements month by month with `extra` opening cash; returns the lowest cash.
   * With `record`, also the series and metrics the outputs need.
   */
  let openingCash = 0;
  let cashOut = -1;
  let burn = 0;
  let minDscr = Infinity;
  let breaches = 0;
  const months = (extra: number, record: boolean): number => {
    let cash = openingCash + extra;
    let receivables = 0;
    let payables = 0;
    let nol = 0;
    let notes = 2000;
    let tlb = 0;
    let tlbFees = 0;
    let minCash = Infinity;
    let sumEbitda = 0;
    let sumTaxes = 0;
    let sumService = 0;
    for (let t = 0; t < H; t++) {
      const lineDep = (capexCum[t] - (t >= 60 ? capexCum[t - 60] : 0)) / 60;
      const depreciation = (t < 60 ? 1000 / 60 : 0) + lineDep + f.fleetDepreciation[t];
      const ebitda = revenue[t] - cor[t] - opex[t];
      // Notes: fixed 9 %, bullet at maturity.
      const notesInterest = (notes * 0.09) / 12;
      const notesPrincipal = t >= notesMaturity ? notes : 0;
      notes -= notesPrincipal;
      // Term loan B: SOFR + 725 bp, 4 % fee amortized to maturity, annuity after the interest-only months.
      const draw = t === 6 ? 1000 : t === 18 ? 1500 : 0;
      const rate = f.sofr[t] + 0.0725;
      const tlbInterest = (tlb * rate) / 12;
      const fee = draw * 0.04;
      const monthsLeft = tlbMaturity - t + 1;
      let amort: number;
      if (monthsLeft <= 1) {
        amort = tlbFees + fee;
        tlbFees = 0;
      } else {
        amort = tlbFees / monthsLeft;
        tlbFees += fee - amort;
      }
      let tlbPrincipal = 0;
      if (t >= tlbMaturity) tlbPrincipal = tlb + draw;
      else if (t >= tlbAmortStart && tlb > 0) {
        const r = rate / 12;
        tlbPrincipal = Math.min(tlb, (tlb * r) / (1 - Math.pow(1 + r, -monthsLeft)) - tlbInterest);
      }
      tlb = tlb + draw - tlbPrincipal;
      if (Math.abs(tlb) < 1e-12) tlb = 0;
      // Cash earns 3 % when positive, pays 14 % when overdrawn (on the month's opening balance).
      const interestIncome = cash > 0 ? (cash * 0.03) / 12 : 0;
      const overdraft = cash > 0 ? 0 : (-cash * 0.14) / 12;
      const cashInterest = notesInterest + tlbInterest + overdraft;
      const pretax = ebitda - depreciation - cashInterest - amort + interestIncome;
      let taxes = 0;
      if (pretax > 0) {
        const used = Math.min(nol, pretax);
        nol -= used;
        taxes = 0.21 * (pretax - used);
      } else nol -= pretax;
      const netIncome = pretax - taxes;
      const newReceivables = (revenue[t] / f.days[t]) * 45;
      const newPayables = ((cor[t] + opex[t]) / f.days[t]) * 30;
      const operating = netIncome + depreciation + amort - (newReceivables - receivables) + (newPayables - payables);
      receivables = newReceivables;
      payables = newPayables;
      const repaid = notesPrincipal + tlbPrincipal;
      const equity = t === 12 ? 3000 : 0;
      cash += operating - capex[t] + equity + draw - repaid - fee;
      if (cash < minCash) minCash = cash;
      if (!record) continue;
      const fcf = operating - capex[t];
      const service = cashInterest + repaid;
      endingCash[t] = cash;
      netIncomeSeries[t] = netIncome;
      fcfSeries[t] = fcf;
      debtSeries[t] = notes + tlb;
      ebitdaSeries[t] = ebitda;
      taxesSeries[t] = taxes;
      serviceSeries[t] = service;
      if (cash < 0 && cashOut < 0) cashOut = t;
      if (fcf < 0) burn -= fcf;
      if (service > 1e-12) {
        const dscr = (ebitda - taxes) / service;
        if (dscr < minDscr) minDscr = dscr;
      }
      sumEbitda += ebitda;
      sumTaxes += taxes;
      sumService += service;
      if (t >= 12) {
        sumEbitda -= ebitdaSeries[t - 12];
        sumTaxes -= taxesSeries[t - 12];
        sumService -= serviceSeries[t - 12];
      }
      if (f.quarterEnd[t]) {
        // Covenants, tested at quarter ends on trailing twelve months: DSCR ≥ 1.25, net debt ÷ EBITDA ≤ 4.
        if (sumService > 1e-12 && (sumEbitda - sumTaxes) / sumService < 1.25) breaches++;
        const annualEbitda = (sumEbitda * 12) / Math.min(t + 1, 12);
        const netDebt = notes + tlb - cash;
        if (annualEbitda > 1e-12 ? netDebt / annualEbitda > 4 : netDebt > 1e-9) breaches++;
      }
    }
    return minCash;
  };

  for (let p = 0; p < n; p++) {
    for (let k = 0; k < FACTORS; k++) factor[k] = samples[k * n + p];
    openingCash = samples[FACTORS * n + p];
    const launch = samples[(FACTORS + 1) * n + p];
    // Lines.
    for (let t = 0; t < H; t++) {
      let rev = 0;
      let cost = f.fleetPower[t];
      let op = 0;
      let cap = 0;
      const opexBase = f.headcount[t] * 0.01 + f.users[t] * 0.00001 + (t % 12 === 11 ? 5 : 0);
      for (let i = 0; i < LINES; i++) {
        const x = factor[i % FACTORS];
        switch (KINDS[i % 5]) {
          case "revenue":
            rev += f.demandPrice[t] * revenueMultiple[i] * x;
            break;
          case "capex":
            cap += Math.max(0, 20 + 0.5 * t - (i % 5)) * x;
            break;
          case "costOfRevenue":
            cost += opexBase + (i % 3) * x;
            break;
          default:
            op += opexBase + (i % 3) * x;
        }
      }
      // The build-out spends until launch; launch sales ramp up over the following year.
      cap += t < launch ? 1000 : 0;
      rev += 1800 * (t <= launch ? 0 : t >= launch + 12 ? 1 : (t - launch) / 12);
      revenue[t] = rev;
      cor[t] = cost;
      opex[t] = op;
      capex[t] = cap + f.fleetCapex[t];
      capexCum[t] = (t > 0 ? capexCum[t - 1] : 0) + cap;
    }
    cashOut = -1;
    burn = 0;
    minDscr = Infinity;
    breaches = 0;
    const minCash = months(0, true);
    // Funding gap: the smallest extra opening cash that keeps cash at or above the floor.
    // Extra cash earns interest or saves overdraft interest, so the month loop is run
    // again: regula falsi on a bracket (exact where cash is linear in the extra cash),
    // checking the point just below each feasible guess.
    let gap = 0;
    if (minCash < floor) {
      let lo = 0;
      let glo = minCash - floor;
      let hi = floor - minCash;
      let ghi = months(hi, false) - floor;
      while (ghi < 0) {
        lo = hi;
        glo = ghi;
        hi *= 2;
        ghi = months(hi, false) - floor;
      }
      for (let i = 0; i < 60 && hi - lo > 1e-9 * Math.max(1, hi); i++) {
        let x = hi - (ghi * (hi - lo)) / (ghi - glo);
        if (!(x > lo && x < hi)) x = (lo + hi) / 2;
        const gx = months(x, false) - floor;
        if (gx < 0) {
          lo = x;
          glo = gx;
          continue;
        }
        hi = x;
        ghi = gx;
        const below = x - 1e-9 * Math.max(1, x);
        if (below <= lo) continue;
        const gb = months(below, false) - floor;
        if (gb < 0) {
          lo = below;
          glo = gb;
        } else {
          hi = below;
          ghi = gb;
        }
      }
      gap = hi;
    }
    let breakeven = -1;
    for (let t = H - 1; t >= 0 && netIncomeSeries[t] >= 0; t--) breakeven = t;
    // Outputs.
    for (let y = 0; y < YEARS; y++) {
      let r = 0;
      let ni = 0;
      let fcf = 0;
      for (let m = 12 * y; m < 12 * y + 12; m++) {
        r += revenue[m];
        ni += netIncomeSeries[m];
        fcf += fcfSeries[m];
      }
      out.yearly[0][y][p] = endingCash[12 * y + 11];
      out.yearly[1][y][p] = r;
      out.yearly[2][y][p] = ni;
      out.yearly[3][y][p] = fcf;
      out.yearly[4][y][p] = debtSeries[12 * y + 11];
    }
    out.metrics[0][p] = gap;
    out.metrics[1][p] = cashOut < 0 ? H : cashOut;
    out.metrics[2][p] = minCash;
    out.metrics[3][p] = burn;
    out.metrics[4][p] = minDscr === Infinity ? NaN : minDscr;
    out.metrics[5][p] = endingCash[H - 1];
    out.cashOutMonth[cashOut < 0 ? H : cashOut]++;
    out.breakevenMonth[breakeven < 0 ? H : breakeven]++;
    if (breaches > 0) out.anyCovenantBreach++;
    keep?.(p, endingCash, netIncomeSeries);
  }
}

/** Mean and the seven reported percentiles (lower empirical quantile, by selection) of one output. */
export function handLoopStatistics(values: Float64Array): number[] {
  let n = 0;
  let sum = 0;
  const a = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) {
      a[n++] = v;
      sum += v;
    }
  }
  const out = [n > 0 ? sum / n : NaN];
  for (const q of [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]) out.push(n > 0 ? select(a, n, Math.floor(q * (n - 1))) : NaN);
  return out;
}

/** Hoare's quickselect: the k-th smallest of a[0..n). */
function select(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const x = a[i];
        a[i] = a[j];
        a[j] = x;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
