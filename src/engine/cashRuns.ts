import type { CompiledModel } from "./compile.js";
import { emptyProjection, qualifyingAssets, type Projection } from "./projection.js";
import { workspaceOf, type CashRunInputs, type Workspace } from "./workspace.js";
import { statements } from "./statements.js";
import { taxDueToDate, lossesCarriedForward } from "./tax.js";

// The statements re-run with extra opening cash, for the funding gap (fundingGap.ts): the
// month loop itself writing ending cash only, or where it applies the faster `cashRuns`.

/**
 * Whether extra opening cash changes anything but cash itself: it does when cash earns
 * or pays interest, or when a revolver would draw less. Otherwise the funding gap is
 * simply floor − minimum cash.
 */
export function cashReactsToExtraCash(c: CompiledModel): boolean {
  return c.revolver !== null || c.cashRates.income !== null || c.cashRates.overdraft !== null;
}

/** Lowest (ending cash − floor) over the horizon with `extra` more opening cash, all else as evaluated. */
export function lowestCashAboveFloor(proj: Projection, extra: number, floor: number): number {
  const cash = cashWithExtra(proj, extra);
  let low = Infinity;
  for (let t = 0; t < cash.length; t++) if (cash[t] < low) low = cash[t];
  return low - floor;
}

/** Ending cash by month with `extra` more opening cash (the statements re-run on scratch buffers). */
export function cashWithExtra(proj: Projection, extra: number): Float64Array {
  const ws = workspaceOf.get(proj);
  if (!ws) throw new Error("internal: a projection outside its workspace");
  const c = proj.compiled;
  ws.scratch ??= emptyProjection(c);
  if (cashRunsApply(c)) {
    cashRuns(c, ws, proj, extra, NaN, ws.scratch.items.endingCash, null);
    return ws.scratch.items.endingCash;
  }
  statements(c, ws, proj, ws.scratch, extra, true);
  return ws.scratch.items.endingCash;
}

const CASH_RUN_STRIDE = 13;

/** Whether `cashRuns` can stand for the month loop's re-runs (see CashRunInputs). */
export function cashRunsApply(c: CompiledModel): boolean {
  return c.revolver === null && (c.cashRates.overdraft === null || qualifyingAssets(c) === 0);
}

function prepareCashRuns(c: CompiledModel, ws: Workspace, src: Projection): CashRunInputs {
  const H = c.months;
  let run = ws.cashRun;
  if (!run) {
    const yearStarts = new Uint8Array(H);
    for (let t = 0; t < H; t++) yearStarts[t] = t === 0 || c.calendar.fiscalYear[t] !== c.calendar.fiscalYear[t - 1] ? 1 : 0;
    run = ws.cashRun = { ready: false, perMonth: new Float64Array(H * CASH_RUN_STRIDE), yearStarts, second: new Float64Array(H) };
  }
  if (run.ready) return run;
  const p = c.params;
  const inp = src.items;
  const schedule = ws.debt.schedule;
  const dso = p[c.slots.receivableDays];
  const dpo = p[c.slots.payableDays];
  // As in `statements`: capitalised interest comes from the schedule when no overdraft
  // rate makes it depend on cash, and is zero when no asset qualifies.
  const capFromSchedule = c.cashRates.overdraft === null;
  const revenueLines = inp.revenue;
  const corLines = inp.costOfRevenue;
  const opexLines = inp.operatingExpenses;
  const otherIncomeSeries = inp.otherIncome;
  const proceedsSeries = inp.disposalProceeds;
  const scheduledInterest = schedule.interest;
  const feeAmortizationBy = schedule.feeAmortization;
  const capitalizedBy = schedule.capitalized;
  const capDepreciationBy = schedule.capDepreciation;
  const capWrittenOffBy = schedule.capWrittenOff;
  const drawnBy = schedule.drawn;
  const repaidBy = schedule.repaid;
  const feesPaidBy = schedule.feesPaid;
  const capexLines = ws.capexBase;
  const depLines = ws.depreciationBase;
  const gainSeries = ws.disposalGainBase;
  const recurring = ws.recurringRevenue;
  const nonCash = ws.nonCashExpense;
  const equityByMonth = ws.equityByMonth;
  const daysBy = c.calendar.days;
  let receivables = p[c.openingSlots.receivables];
  let payables = p[c.openingSlots.payables];
  const k = run.perMonth;
  for (let t = 0, o = 0; t < H; t++, o += CASH_RUN_STRIDE) {
    const revenue = revenueLines[t];
    const costOfRevenue = corLines[t];
    const opex = opexLines[t];
    const grossProfit = revenue - costOfRevenue;
    const ebitda = grossProfit - opex;
    const cashInterest = scheduledInterest[t];
    const feeAmortization = feeAmortizationBy[t];
    let capitalized = 0;
    let capDepreciation = 0;
    let capWrittenOff = 0;
    if (capFromSchedule) {
      capitalized = capitalizedBy[t];
      capDepreciation = capDepreciationBy[t];
      capWrittenOff = capWrittenOffBy[t];
    }
    const capex = capexLines[t] + capitalized;
    const depreciation = depLines[t] + capDepreciation;
    const disposalGain = gainSeries[t] - capWrittenOff;
    const ebit = ebitda - depreciation;
    const days = daysBy[t];
    const newReceivables = (recurring[t] / days) * dso;
    const shareSettled = nonCash[t];
    const newPayables = ((costOfRevenue + opex - shareSettled) / days) * dpo;
    k[o] = ebit;
    // EBIT less interest expense when cash earns (no overdraft interest): the same three operations.
    k[o + 1] = ebit - (cashInterest + feeAmortization - capitalized);
    k[o + 2] = cashInterest;
    k[o + 3] = feeAmortization;
    k[o + 4] = capitalized;
    k[o + 5] = otherIncomeSeries[t];
    k[o + 6] = disposalGain;
    k[o + 7] = depreciation;
    k[o + 8] = shareSettled;
    k[o + 9] = newReceivables - receivables;
    k[o + 10] = newPayables - payables;
    k[o + 11] = proceedsSeries[t] - capex;
    k[o + 12] = equityByMonth[t] + drawnBy[t] - repaidBy[t] - feesPaidBy[t];
    receivables = newReceivables;
    payables = newPayables;
  }
  run.ready = true;
  return run;
}

/**
 * Ending cash by month with `extraA` more opening cash into `outA`, and with `extraB` into
 * `outB` when it is given: the month loop's operations on cash (see CashRunInputs), both
 * re-runs in one pass — they are independent chains of dependent operations, so the
 * second costs little more than the first.
 */
export function cashRuns(c: CompiledModel, ws: Workspace, src: Projection, extraA: number, extraB: number, outA: Float64Array, outB: Float64Array | null): void {
  const run = prepareCashRuns(c, ws, src);
  const p = c.params;
  const H = c.months;
  const k = run.perMonth;
  const yearStarts = run.yearStarts;
  const taxRate = p[c.slots.taxRate];
  const lossLimit = p[c.slots.lossOffsetLimit];
  const incomeRate = c.cashRates.income;
  const overdraftRate = c.cashRates.overdraft;
  const pair = outB !== null;
  const openingCash = p[c.openingSlots.cash];
  const openingLosses = p[c.slots.lossCarryforward];
  let cashA = openingCash + extraA;
  let nolA = openingLosses;
  let nolAtYearStartA = nolA;
  let incomeYearToDateA = 0;
  let taxYearToDateA = 0;
  let cashB = pair ? openingCash + extraB : 0;
  let nolB = openingLosses;
  let nolAtYearStartB = nolB;
  let incomeYearToDateB = 0;
  let taxYearToDateB = 0;
  for (let t = 0, o = 0; t < H; t++, o += CASH_RUN_STRIDE) {
    const ebit = k[o];
    const ebitLessInterest = k[o + 1];
    const scheduledInterest = k[o + 2];
    const feeAmortization = k[o + 3];
    const capitalized = k[o + 4];
    const otherIncome = k[o + 5];
    const disposalGain = k[o + 6];
    const depreciation = k[o + 7];
    const shareSettled = k[o + 8];
    const receivablesChange = k[o + 9];
    const payablesChange = k[o + 10];
    const investing = k[o + 11];
    const financing = k[o + 12];
    const yearStart = yearStarts[t] === 1;
    {
      let pretax: number;
      if (cashA > 0) {
        const interestIncome = incomeRate !== null ? (cashA * incomeRate[t]) / 12 : 0;
        pretax = ebitLessInterest + interestIncome + otherIncome + disposalGain;
      } else {
        let cashInterest = scheduledInterest;
        if (overdraftRate !== null) cashInterest -= (cashA * overdraftRate[t]) / 12;
        pretax = ebit - (cashInterest + feeAmortization - capitalized) + 0 + otherIncome + disposalGain;
      }
      if (yearStart) {
        nolAtYearStartA = nolA;
        incomeYearToDateA = 0;
        taxYearToDateA = 0;
      }
      incomeYearToDateA += pretax;
      const taxDue = taxDueToDate(incomeYearToDateA, nolAtYearStartA, lossLimit, taxRate);
      const taxes = taxDue - taxYearToDateA;
      taxYearToDateA = taxDue;
      nolA = lossesCarriedForward(incomeYearToDateA, nolAtYearStartA, lossLimit);
      const netIncome = pretax - taxes;
      const operatingCashFlow = netIncome + depreciation + feeAmortization + shareSettled - disposalGain - receivablesChange + payablesChange;
      cashA += operatingCashFlow + investing + financing;
      outA[t] = cashA;
    }
    if (pair) {
      let pretax: number;
      if (cashB > 0) {
        const interestIncome = incomeRate !== null ? (cashB * incomeRate[t]) / 12 : 0;
        pretax = ebitLessInterest + interestIncome + otherIncome + disposalGain;
      } else {
        let cashInterest = scheduledInterest;
        if (overdraftRate !== null) cashInterest -= (cashB * overdraftRate[t]) / 12;
        pretax = ebit - (cashInterest + feeAmortization - capitalized) + 0 + otherIncome + disposalGain;
      }
      if (yearStart) {
        nolAtYearStartB = nolB;
        incomeYearToDateB = 0;
        taxYearToDateB = 0;
      }
      incomeYearToDateB += pretax;
      const taxDue = taxDueToDate(incomeYearToDateB, nolAtYearStartB, lossLimit, taxRate);
      const taxes = taxDue - taxYearToDateB;
      taxYearToDateB = taxDue;
      nolB = lossesCarriedForward(incomeYearToDateB, nolAtYearStartB, lossLimit);
      const netIncome = pretax - taxes;
      const operatingCashFlow = netIncome + depreciation + feeAmortization + shareSettled - disposalGain - receivablesChange + payablesChange;
      cashB += operatingCashFlow + investing + financing;
      outB![t] = cashB;
    }
  }
}

/**
 * Ending cash by month with `extraA` and with `extraB` more opening cash, as the funding
 * gap's solver computes a guess and the run just below it (copies; for checks).
 */
export function cashPathsWithExtra(proj: Projection, extraA: number, extraB: number): [Float64Array, Float64Array] {
  const ws = workspaceOf.get(proj);
  if (!ws) throw new Error("internal: a projection outside its workspace");
  const c = proj.compiled;
  if (!cashRunsApply(c)) return [Float64Array.from(cashWithExtra(proj, extraA)), Float64Array.from(cashWithExtra(proj, extraB))];
  const a = new Float64Array(c.months);
  const b = new Float64Array(c.months);
  cashRuns(c, ws, proj, extraA, extraB, a, b);
  return [a, b];
}
