import type { CompiledModel, DriverStep } from "./compile.js";
import { ITEM_NAMES, RATIO_NAMES, type RatioName, type StatementItem } from "./items.js";

export interface TrancheSeries {
  balance: Float64Array;
  interest: Float64Array;
  principal: Float64Array;
  rate: Float64Array;
}

export interface CohortSeries {
  capex: Float64Array;
  capacity: Float64Array;
  powerCost: Float64Array;
  depreciation: Float64Array;
  netBookValue: Float64Array;
}

/** Buffers of one evaluation. Owned by a workspace and overwritten by the next evaluation. */
export interface Projection {
  compiled: CompiledModel;
  items: Record<StatementItem, Float64Array>;
  ratios: Record<RatioName, Float64Array>;
  opexByCategory: Float64Array[];
  lineValues: Float64Array[];
  tranches: TrancheSeries[];
  cohorts: CohortSeries[];
  /** Per round: month index, amount, pre- and post-money, dilution of existing holders. */
  rounds: Float64Array; // 5 numbers per round
}

/** Scratch arrays reused across evaluations: evaluation allocates nothing. */
export interface Workspace {
  projection: Projection;
  capexCumulative: Float64Array[];
  trancheDraw: Float64Array[];
  trancheRepay: Float64Array[];
  /** Repayments paid from new money raised for them: not debt service. */
  trancheRefinanced: Float64Array[];
  trancheFees: Float64Array[];
  equityByMonth: Float64Array;
  refundDepreciation: Float64Array;
  recurringRevenue: Float64Array;
  /** Operating expenses settled in shares: added back to cash, credited to paid-in capital. */
  nonCashExpense: Float64Array;
}

export function createWorkspace(c: CompiledModel): Workspace {
  const H = c.months;
  const arr = () => new Float64Array(H);
  const items = Object.fromEntries(ITEM_NAMES.map((n) => [n, arr()])) as Record<StatementItem, Float64Array>;
  const ratios = Object.fromEntries(RATIO_NAMES.map((n) => [n, arr()])) as Record<RatioName, Float64Array>;
  return {
    projection: {
      compiled: c,
      items,
      ratios,
      opexByCategory: c.categories.map(arr),
      lineValues: c.lines.map(arr),
      tranches: c.tranches.map(() => ({ balance: arr(), interest: arr(), principal: arr(), rate: arr() })),
      cohorts: c.cohorts.map(() => ({ capex: arr(), capacity: arr(), powerCost: arr(), depreciation: arr(), netBookValue: arr() })),
      rounds: new Float64Array(c.rounds.length * 5),
    },
    capexCumulative: c.lines.map(arr),
    trancheDraw: c.tranches.map(arr),
    trancheRepay: c.tranches.map(arr),
    trancheRefinanced: c.tranches.map(arr),
    trancheFees: c.tranches.map(arr),
    equityByMonth: arr(),
    refundDepreciation: arr(),
    recurringRevenue: arr(),
    nonCashExpense: arr(),
  };
}

const monthOf = (x: number) => Math.round(x);

/**
 * Projects the statements month by month. Conventions (see README, model reference):
 * interest accrues on the opening balance of the month at the month's annual rate / 12
 * and is paid in cash that month; depreciation is straight-line and starts in the
 * in-service month (capex lines: the month of spend) with a full month; taxes are paid
 * in the month they arise; cash earns no interest.
 */
export function evaluate(c: CompiledModel, params: Float64Array | null = null, ws: Workspace = defaultWorkspace(c), steps: readonly DriverStep[] | null = null): Projection {
  if (params && params !== c.params) c.params.set(params);
  const p = c.params;
  const out = ws.projection;

  // 1. Drivers, lines and prices: whole series, or month by month where prev() recurses.
  const order = steps ?? c.order;
  for (let k = 0; k < order.length; k++) order[k].run();

  scheduleInputs(c, ws, out);
  maskLines(c, ws, out, false);
  // 3. Extensions that decide when fleet cohorts can run (e.g. a site's go-live).
  for (const stage of c.stages) stage.beforeFleet?.(p, out);
  evaluateFleet(c, out);
  // 4. Extensions that turn capacity into revenue and costs (contracts, spot sales).
  for (const stage of c.stages) stage.afterFleet?.(p, out);
  maskLines(c, ws, out, true);
  // 5. Operating lines summed by kind, series by series (tight loops, no month-major work).
  sumLines(c, ws, out);
  statements(c, ws, out);
  computeRatios(out);
  return out;
}

/** Schedules whose months are inputs (so that a delay can be sampled). */
function scheduleInputs(c: CompiledModel, ws: Workspace, out: Projection): void {
  const p = c.params;
  const H = c.months;
  ws.equityByMonth.fill(0);
  for (let r = 0; r < c.rounds.length; r++) {
    const s = c.rounds[r].slots;
    const m = monthOf(p[s.month]);
    const amount = p[s.amount];
    const pre = p[s.preMoney];
    if (m >= 0 && m < H) ws.equityByMonth[m] += amount;
    const post = pre + amount;
    out.rounds[r * 5] = m;
    out.rounds[r * 5 + 1] = amount;
    out.rounds[r * 5 + 2] = pre;
    out.rounds[r * 5 + 3] = post;
    out.rounds[r * 5 + 4] = post > 0 ? amount / post : NaN;
  }
  for (let k = 0; k < c.tranches.length; k++) {
    const tr = c.tranches[k];
    const draw = ws.trancheDraw[k];
    const repay = ws.trancheRepay[k];
    const refinanced = ws.trancheRefinanced[k];
    draw.fill(0);
    repay.fill(0);
    refinanced.fill(0);
    for (const d of tr.draws) {
      const m = monthOf(p[d.month]);
      if (m >= 0 && m < H) draw[m] += p[d.amount];
    }
    for (const r of tr.repayments) {
      const m = monthOf(p[r.month]);
      if (m >= 0 && m < H) {
        repay[m] += p[r.amount];
        if (r.refinancing) refinanced[m] += p[r.amount];
      }
    }
  }
  const refundDep = ws.refundDepreciation;
  refundDep.fill(0);
  for (const o of c.oneOffs) {
    if (o.lands !== "capex") continue;
    const m = monthOf(p[o.slots.month]);
    const perMonth = p[o.slots.amount] / o.lifeMonths;
    for (let t = Math.max(0, m); t < Math.min(H, m + o.lifeMonths); t++) refundDep[t] += perMonth;
  }
}

/** Applies each line's from/until months (and its scale, if a caller set one) and keeps running capex totals for depreciation. */
function maskLines(c: CompiledModel, ws: Workspace, out: Projection, computed: boolean): void {
  const H = c.months;
  for (let l = 0; l < c.lines.length; l++) {
    const line = c.lines[l];
    if (line.computed !== computed) continue;
    const v = out.lineValues[l];
    const src = line.series;
    if (line.fromIndex <= 0 && line.untilIndex >= H - 1) v.set(src);
    else for (let t = 0; t < H; t++) v[t] = t >= line.fromIndex && t <= line.untilIndex ? src[t] : 0;
    const scale = line.scale;
    if (scale) for (let t = 0; t < H; t++) v[t] *= scale[t];
    if (line.type === "capex") {
      const cum = ws.capexCumulative[l];
      let acc = 0;
      for (let t = 0; t < H; t++) cum[t] = acc += v[t];
    }
  }
}

function sumLines(c: CompiledModel, ws: Workspace, out: Projection): void {
  const p = c.params;
  const H = c.months;
  const it = out.items;
  const refundDep = ws.refundDepreciation;
  const nonCash = ws.nonCashExpense;
  nonCash.fill(0);
  const revenueLines = it.revenue;
  const corLines = it.costOfRevenue;
  const opexLines = it.operatingExpenses;
  const capexLines = it.capex;
  const depLines = it.depreciation;
  revenueLines.fill(0);
  corLines.fill(0);
  opexLines.fill(0);
  capexLines.fill(0);
  const ob = c.opening;
  const openingPpeMonthly = ob.ppeNet / ob.ppeLife;
  for (let t = 0; t < H; t++) depLines[t] = (t < ob.ppeLife ? openingPpeMonthly : 0) - refundDep[t];
  for (let k = 0; k < c.categories.length; k++) out.opexByCategory[k].fill(0);
  for (let l = 0; l < c.lines.length; l++) {
    const line = c.lines[l];
    const v = out.lineValues[l];
    switch (line.type) {
      case "revenue":
        for (let t = 0; t < H; t++) revenueLines[t] += v[t];
        break;
      case "costOfRevenue":
        for (let t = 0; t < H; t++) corLines[t] += v[t];
        break;
      case "operatingExpense": {
        const cat = out.opexByCategory[line.categoryIndex];
        for (let t = 0; t < H; t++) {
          opexLines[t] += v[t];
          cat[t] += v[t];
        }
        if (line.nonCash) for (let t = 0; t < H; t++) nonCash[t] += v[t];
        break;
      }
      case "capex": {
        const cum = ws.capexCumulative[l];
        const L = line.lifeMonths;
        for (let t = 0; t < H; t++) {
          capexLines[t] += v[t];
          depLines[t] += (cum[t] - (t >= L ? cum[t - L] : 0)) / L;
        }
        break;
      }
    }
  }
  const powerCostSeries = it.powerCost;
  const capacitySeries = it.capacity;
  powerCostSeries.fill(0);
  capacitySeries.fill(0);
  for (let k = 0; k < c.cohorts.length; k++) {
    const series = out.cohorts[k];
    for (let t = 0; t < H; t++) {
      capexLines[t] += series.capex[t];
      depLines[t] += series.depreciation[t];
      capacitySeries[t] += series.capacity[t];
      powerCostSeries[t] += series.powerCost[t];
    }
  }
  for (let t = 0; t < H; t++) corLines[t] += powerCostSeries[t];
  // One-off items land in their month; recurring revenue (for receivables) excludes them.
  const recurring = ws.recurringRevenue;
  recurring.set(revenueLines);
  const otherIncomeSeries = it.otherIncome;
  otherIncomeSeries.fill(0);
  const equityByMonth = ws.equityByMonth;
  for (let k = 0; k < c.oneOffs.length; k++) {
    const o = c.oneOffs[k];
    const t = monthOf(p[o.slots.month]);
    if (t < 0 || t >= H) continue;
    const amount = p[o.slots.amount];
    switch (o.lands) {
      case "otherIncome":
        otherIncomeSeries[t] += amount;
        break;
      case "revenue":
        revenueLines[t] += amount;
        break;
      case "costOfRevenue":
        corLines[t] -= amount;
        break;
      case "operatingExpense":
        opexLines[t] -= amount;
        out.opexByCategory[o.categoryIndex][t] -= amount;
        break;
      case "capex":
        capexLines[t] -= amount;
        break;
      case "equity":
        equityByMonth[t] += amount;
        break;
    }
  }

}

/** What depends on last month's balances: interest, tax, working capital, the balance sheet. */
function statements(c: CompiledModel, ws: Workspace, out: Projection): void {
  const p = c.params;
  const H = c.months;
  const cal = c.calendar;
  const it = out.items;
  const ob = c.opening;
  const revenueLines = it.revenue;
  const corLines = it.costOfRevenue;
  const opexLines = it.operatingExpenses;
  const capexLines = it.capex;
  const depLines = it.depreciation;
  const recurring = ws.recurringRevenue;
  const otherIncomeSeries = it.otherIncome;
  const equityByMonth = ws.equityByMonth;
  const taxRate = p[c.slots.taxRate];
  const dso = p[c.slots.receivableDays];
  const dpo = p[c.slots.payableDays];
  let cash = ob.cash;
  let receivables = ob.receivables;
  let payables = ob.payables;
  let ppe = ob.ppeNet + ob.fleetNbv;
  let paidIn = ob.paidInCapital;
  let retained = ob.retainedEarnings;
  let nol = p[c.slots.lossCarryforward];
  let debtTotal = 0;
  let feesTotal = 0;
  const balances = out.tranches;
  const nT = c.tranches.length;
  const trBal = trancheState(ws, nT);
  for (let k = 0; k < nT; k++) {
    trBal.balance[k] = c.tranches[k].openingBalance;
    trBal.fees[k] = 0;
    // Interest-only months count from the first draw (from the start for opening balances).
    trBal.amortStart[k] = (c.tranches[k].openingBalance > 0 ? 0 : firstDrawMonth(ws.trancheDraw[k])) + p[c.tranches[k].slots.interestOnly];
    debtTotal += c.tranches[k].openingBalance;
  }

  for (let t = 0; t < H; t++) {
    const revenue = revenueLines[t];
    const costOfRevenue = corLines[t];
    const opex = opexLines[t];
    const capex = capexLines[t];
    const depreciation = depLines[t];
    const otherIncome = otherIncomeSeries[t];
    const equity = equityByMonth[t];
    const recurringRevenue = recurring[t];
    const grossProfit = revenue - costOfRevenue;
    const ebitda = grossProfit - opex;
    const ebit = ebitda - depreciation;

    // Debt: interest on the opening balance; draws, then scheduled principal.
    let cashInterest = 0;
    let feeAmortization = 0;
    let drawn = 0;
    let repaid = 0;
    let scheduled = 0;
    let feesPaid = 0;
    for (let k = 0; k < nT; k++) {
      const tr = c.tranches[k];
      const s = tr.slots;
      const series = balances[k];
      const open = trBal.balance[k];
      const annualRate = tr.fixed ? p[s.rate] : Math.max(tr.base![t], p[s.floor]) + p[s.spread];
      const interest = (open * annualRate) / 12;
      const maturity = monthOf(p[s.maturity]);
      const draw = ws.trancheDraw[k][t];
      const fee = draw * p[s.fee];
      // Deferred costs amortize straight-line over the months left to maturity; whatever
      // is left (and a fee paid in the maturity month) is expensed at maturity.
      const monthsLeft = maturity - t + 1;
      let amort: number;
      if (monthsLeft <= 1) {
        amort = trBal.fees[k] + fee;
        trBal.fees[k] = 0;
      } else {
        amort = trBal.fees[k] / monthsLeft;
        trBal.fees[k] += fee - amort;
      }
      let principal = 0;
      const afterDraw = open + draw;
      if (t >= maturity) principal = afterDraw;
      else {
        const amortStart = trBal.amortStart[k];
        if (t >= amortStart && open > 0) {
          switch (tr.amortization) {
            case "straightLine":
              principal = open / monthsLeft;
              break;
            case "annuity": {
              const r = annualRate / 12;
              // Near zero the closed form loses all precision; the zero-rate limit is exact there.
              const payment = Math.abs(r) < 1e-12 ? open / monthsLeft : (open * r) / (1 - Math.pow(1 + r, -monthsLeft));
              principal = Math.min(open, payment - interest);
              break;
            }
            case "schedule":
              principal = Math.min(afterDraw, ws.trancheRepay[k][t]);
              break;
            case "bullet":
              break;
          }
        }
      }
      const end = afterDraw - principal;
      trBal.balance[k] = Math.abs(end) < 1e-12 ? 0 : end;
      series.balance[t] = trBal.balance[k];
      series.interest[t] = interest + amort;
      series.principal[t] = principal;
      series.rate[t] = annualRate;
      cashInterest += interest;
      feeAmortization += amort;
      drawn += draw;
      repaid += principal;
      // A repayment funded by a refinancing is cash out but not debt service (DSCR).
      scheduled += tr.amortization === "schedule" && t < maturity ? principal - Math.min(principal, ws.trancheRefinanced[k][t]) : principal;
      feesPaid += fee;
    }
    const interestExpense = cashInterest + feeAmortization;
    const pretax = ebit - interestExpense + otherIncome;
    let taxes = 0;
    if (pretax > 0) {
      const used = Math.min(nol, pretax);
      nol -= used;
      taxes = taxRate * (pretax - used);
    } else nol -= pretax;
    const netIncome = pretax - taxes;

    // Working capital on recurring revenue and cash costs (days of the month's flow).
    const days = cal.days[t];
    const newReceivables = (recurringRevenue / days) * dso;
    // Stock-based compensation is an expense paid in shares: no cash leaves, no payable
    // arises, equity grows.
    const shareSettled = ws.nonCashExpense[t];
    const newPayables = ((costOfRevenue + opex - shareSettled) / days) * dpo;
    const operatingCashFlow = netIncome + depreciation + feeAmortization + shareSettled - (newReceivables - receivables) + (newPayables - payables);
    const investingCashFlow = -capex;
    const financingCashFlow = equity + drawn - repaid - feesPaid;
    const netCashFlow = operatingCashFlow + investingCashFlow + financingCashFlow;
    cash += netCashFlow;
    receivables = newReceivables;
    payables = newPayables;
    ppe += capex - depreciation;
    debtTotal += drawn - repaid;
    feesTotal = 0;
    for (let k = 0; k < nT; k++) feesTotal += trBal.fees[k];
    paidIn += equity + shareSettled;
    retained += netIncome;

    it.grossProfit[t] = grossProfit;
    it.ebitda[t] = ebitda;
    it.ebit[t] = ebit;
    it.interestExpense[t] = interestExpense;
    it.pretaxIncome[t] = pretax;
    it.taxes[t] = taxes;
    it.netIncome[t] = netIncome;
    it.operatingCashFlow[t] = operatingCashFlow;
    it.investingCashFlow[t] = investingCashFlow;
    it.freeCashFlow[t] = operatingCashFlow - capex;
    it.equityRaised[t] = equity;
    it.debtDrawn[t] = drawn;
    it.debtRepaid[t] = repaid;
    it.financingFees[t] = feesPaid;
    it.financingCashFlow[t] = financingCashFlow;
    it.netCashFlow[t] = netCashFlow;
    it.endingCash[t] = cash;
    it.receivables[t] = receivables;
    it.ppeNet[t] = ppe;
    it.totalAssets[t] = cash + receivables + ppe;
    it.debt[t] = debtTotal;
    it.unamortizedFees[t] = feesTotal;
    it.payables[t] = payables;
    it.totalLiabilities[t] = debtTotal - feesTotal + payables;
    it.paidInCapital[t] = paidIn;
    it.retainedEarnings[t] = retained;
    it.equity[t] = paidIn + retained;
    it.cashInterest[t] = cashInterest;
    it.scheduledPrincipal[t] = scheduled;
    it.debtService[t] = cashInterest + scheduled;
    it.lossCarryforward[t] = nol;
  }
}

/**
 * Fleet cohorts: capex in the purchase month; capacity, power and depreciation from
 * the in-service month (or the month its site allows, if later) to the end of its life.
 */
function evaluateFleet(c: CompiledModel, out: Projection): void {
  const p = c.params;
  const H = c.months;
  const hours = c.calendar.hours;
  for (let k = 0; k < c.cohorts.length; k++) {
    const co = c.cohorts[k];
    const s = co.slots;
    const series = out.cohorts[k];
    const count = p[s.count];
    const cost = (count * p[s.unitCost]) / c.unitScale;
    const salvage = (count * p[s.salvage]) / c.unitScale;
    const purchase = monthOf(p[s.purchase]);
    const inService = Math.max(monthOf(p[s.inService]), c.cohortEarliestService[k]);
    const life = p[s.lifeMonths];
    const perMonth = (cost - salvage) / life;
    const capacityPerHour = count * p[s.capacity];
    const kw = (count * p[s.powerKw] * p[s.pue]) / c.unitScale;
    for (let t = 0; t < H; t++) {
      series.capex[t] = t === purchase && !co.preStart ? cost : 0;
      const active = t >= inService && t < inService + life;
      series.depreciation[t] = active ? perMonth : 0;
      series.capacity[t] = active ? capacityPerHour * hours[t] : 0;
      series.powerCost[t] = active ? kw * hours[t] * co.powerPrice[t] : 0;
      const bought = co.preStart || t >= purchase;
      const used = Math.min(life, Math.max(0, t - inService + 1));
      series.netBookValue[t] = bought ? cost - perMonth * used : 0;
    }
  }
}

function firstDrawMonth(draws: Float64Array): number {
  for (let t = 0; t < draws.length; t++) if (draws[t] > 0) return t;
  return draws.length;
}

const trancheStates = new WeakMap<Workspace, { balance: Float64Array; fees: Float64Array; amortStart: Float64Array }>();
function trancheState(ws: Workspace, n: number) {
  let s = trancheStates.get(ws);
  if (!s) {
    s = { balance: new Float64Array(n), fees: new Float64Array(n), amortStart: new Float64Array(n) };
    trancheStates.set(ws, s);
  }
  return s;
}

const defaultWorkspaces = new WeakMap<CompiledModel, Workspace>();
export function defaultWorkspace(c: CompiledModel): Workspace {
  let ws = defaultWorkspaces.get(c);
  if (!ws) {
    ws = createWorkspace(c);
    defaultWorkspaces.set(c, ws);
  }
  return ws;
}

/**
 * Debt ratios per month. Trailing-twelve-month (LTM) figures use the months available
 * at the start of the horizon; net debt / EBITDA annualizes them (× 12 / months) so that
 * a short window is not mistaken for a small EBITDA.
 */
function computeRatios(out: Projection): void {
  const it = out.items;
  const r = out.ratios;
  const H = it.revenue.length;
  let sumEbitda = 0;
  let sumTaxes = 0;
  let sumInterest = 0;
  let sumService = 0;
  for (let t = 0; t < H; t++) {
    const service = it.debtService[t];
    r.dscr[t] = service > 1e-12 ? (it.ebitda[t] - it.taxes[t]) / service : NaN;
    sumEbitda += it.ebitda[t];
    sumTaxes += it.taxes[t];
    sumInterest += it.cashInterest[t];
    sumService += service;
    if (t >= 12) {
      sumEbitda -= it.ebitda[t - 12];
      sumTaxes -= it.taxes[t - 12];
      sumInterest -= it.cashInterest[t - 12];
      sumService -= it.debtService[t - 12];
    }
    const n = Math.min(t + 1, 12);
    r.dscrLtm[t] = sumService > 1e-12 ? (sumEbitda - sumTaxes) / sumService : NaN;
    r.interestCoverageLtm[t] = sumInterest > 1e-12 ? sumEbitda / sumInterest : NaN;
    const annualEbitda = (sumEbitda * 12) / n;
    const netDebt = it.debt[t] - it.endingCash[t];
    r.netDebtToEbitdaLtm[t] = annualEbitda > 1e-12 ? netDebt / annualEbitda : NaN;
  }
}
