import type { CompiledModel } from "./compile.js";
import type { Projection } from "./projection.js";
import type { MonthLoopMemory, Workspace } from "./workspace.js";
import { BALANCE_TOLERANCE } from "./checks.js";
import { monthOf } from "./numbers.js";
import { exactShortcuts } from "./shortcuts.js";
import { taxDueToDate, lossesCarriedForward } from "./tax.js";
import { createMonthLoopMemory, firstChangedMonth, recording, MONTH_STATE } from "./resume.js";
import { refreshDebt, changedSince } from "./debtSchedule.js";
import { interestWanted, capitalizationKeptAsIs, setUpQualifyingAssets, capitalizationUnchanged, keepCapitalizationInputs, capitalizeAhead, markRowsWritten } from "./capitalization.js";

/**
 * Projects the statements month by month. Conventions (see README, model reference):
 * interest accrues on the opening balance of the month at the month's annual rate / 12
 * and is paid in cash that month (so does interest on cash, when a rate is given);
 * depreciation is straight-line and starts in the in-service month (capex lines: the
 * month of spend) with a full month; taxes are paid in the month they arise.
 */

/**
 * What depends on last month's balances: interest, tax, working capital, the revolver,
 * the balance sheet. Reads the operating lines of `src` and writes the statements of
 * `dst` (the same projection, or the scratch copy the funding gap re-runs with
 * `extraCash` more opening cash).
 *
 * Order within a month:
 *   1. interest on the opening balances: each tranche and the revolver at the month's
 *      rate / 12; the revolver's commitment fee on (limit − opening balance); interest
 *      income on positive opening cash and overdraft interest on negative opening cash;
 *   2. tranche draws, fees and scheduled principal (maturity repays what is left);
 *   3. income statement, tax, working capital, equity: cash before the revolver;
 *   4. the revolver closes the month: a balance above this month's limit is repaid down
 *      to it; then, below the cash floor it draws the shortfall (up to the limit), above
 *      the floor it repays from the excess (down to zero). At its maturity it is repaid
 *      in full. Draws bear interest from next month, like tranche draws.
 *
 * The tranches (step 2 and their interest) do not depend on cash, so they are walked
 * apart from the month loop (`refreshDebt`), each tranche only when its inputs changed
 * since its last walk in this workspace, and the month loop reads their monthly totals
 * from the workspace's debt schedule — the same numbers, summed in the same order as one
 * loop over tranches inside the month would. The funding gap's re-runs (`cashOnly`) read
 * the same schedule and write only ending cash. A full run resumes where its inputs first
 * differ from the last run's (resume.ts); returns the first month it wrote (H: none).
 */
export function statements(c: CompiledModel, ws: Workspace, src: Projection, dst: Projection, extraCash: number, cashOnly = false, pathItemsOnly = false): number {
  const p = c.params;
  const H = c.months;
  const cal = c.calendar;
  const inp = src.items;
  const it = dst.items;
  const revenueLines = inp.revenue;
  const corLines = inp.costOfRevenue;
  const opexLines = inp.operatingExpenses;
  const capexLines = ws.capexBase;
  const depLines = ws.depreciationBase;
  const otherIncomeSeries = inp.otherIncome;
  const proceedsSeries = inp.disposalProceeds;
  const gainSeries = ws.disposalGainBase;
  const recurring = ws.recurringRevenue;
  const equityByMonth = ws.equityByMonth;
  const taxRate = p[c.slots.taxRate];
  const lossLimit = p[c.slots.lossOffsetLimit];
  const dso = p[c.slots.receivableDays];
  const dpo = p[c.slots.payableDays];
  const cashFloor = p[c.slots.cashFloor];
  const nT = c.tranches.length;
  if (!cashOnly) {
    refreshDebt(c, ws, src);
    if (ws.cashRun) ws.cashRun.ready = false;
  }
  const debt = ws.debt;
  const schedule = debt.schedule;
  let debtTotal = 0;
  for (let k = 0; k < nT; k++) debtTotal += p[c.tranches[k].slots.openingBalance];
  const rv = c.revolver;
  const rvOut = dst.revolver;
  let rvBalance = 0;
  let rvFrom = 0;
  let rvMaturity = Infinity;
  let rvFee = 0;
  if (rv) {
    rvBalance = p[rv.slots.openingBalance];
    rvFrom = monthOf(p[rv.slots.from]);
    rvMaturity = monthOf(p[rv.slots.maturity]);
    rvFee = p[rv.slots.commitmentFee];
    debtTotal += rvBalance;
  }
  const incomeRate = c.cashRates.income;
  const overdraftRate = c.cashRates.overdraft;
  // Without a revolver or an overdraft rate, interest incurred does not depend on cash, so
  // neither does what is capitalised: re-runs read it from the schedule too, and so does a
  // full run when the assets and the debt are those of the run that recorded it.
  const capCashFree = c.revolver === null && c.cashRates.overdraft === null;
  let capFromSchedule = cashOnly && capCashFree;
  if (!cashOnly && capCashFree && exactShortcuts.capitalizationKeptAsIs && capitalizationKeptAsIs(c, ws)) capFromSchedule = true;
  let nA = capFromSchedule ? 0 : setUpQualifyingAssets(c, ws, src);
  if (!cashOnly && nA > 0) {
    if (capCashFree && capitalizationUnchanged(ws, nA)) {
      capFromSchedule = true;
      nA = 0;
    } else {
      keepCapitalizationInputs(c, ws, nA, capCashFree);
      if (capCashFree && exactShortcuts.capitalizeAhead && capitalizeAhead(c, ws, src, dst, nA)) {
        capFromSchedule = true;
        nA = 0;
      } else markRowsWritten(ws, nA, H);
    }
  }
  const capOut = dst.capitalization;
  // Capitalisation reads each tranche's opening balance and rate (the walk's own series).
  const trancheOpen = debt.open;
  const trancheRates = src.tranches;

  // The opening balance sheet from this evaluation's params; retained earnings is the
  // plug, so a sampled opening cash (or any other opening balance) is balanced by equity.
  const os = c.openingSlots;
  let cash = p[os.cash] + extraCash;
  let receivables = p[os.receivables];
  let payables = p[os.payables];
  let ppe = p[os.ppeNet] + ws.openingFleetNbv;
  let paidIn = p[os.paidInCapital];
  let retained = cash + receivables + ppe - debtTotal - payables - paidIn;
  let nol = p[c.slots.lossCarryforward];
  let nolAtYearStart = nol;
  let incomeYearToDate = 0;
  let taxYearToDate = 0;
  const o = dst.opening;
  o.cash = cash;
  o.receivables = receivables;
  o.ppe = ppe;
  o.fleetNbv = ws.openingFleetNbv;
  o.debt = debtTotal;
  o.payables = payables;
  o.paidInCapital = paidIn;
  o.retainedEarnings = retained;
  o.lossCarryforward = nol;
  let feesTotal = 0;
  // The ratios, when the month loop computes them (see `computeRatios`).
  const withRatios = !cashOnly && ratiosInMonthLoop(c, pathItemsOnly);
  const r = dst.ratios;
  let sumEbitda = 0;
  let sumTaxes = 0;
  let sumInterest = 0;
  let sumService = 0;
  // validity.ts's checks, with its operations on the same values (see Projection.checks).
  let nonFinite = 0;
  let unbalanced = 0;
  let previousCash = cash;

  // Resume where this run's inputs first differ from the last run's (see resume.ts): not with
  // a revolver or capitalisation in the loop, whose state it does not record.
  let from = 0;
  let memory: MonthLoopMemory | null = null;
  if (!cashOnly) {
    if (rv === null && nA === 0 && exactShortcuts.resumeMonthLoop) {
      const m = (ws.monthLoop ??= createMonthLoopMemory(c, ws, src));
      const run = m.runs++;
      if (m.valid || recording(m, run)) {
        const f = m.fixedNow;
        f[0] = taxRate;
        f[1] = lossLimit;
        f[2] = dso;
        f[3] = dpo;
        f[4] = cash;
        f[5] = receivables;
        f[6] = payables;
        f[7] = ppe;
        f[8] = paidIn;
        f[9] = retained;
        f[10] = nol;
        f[11] = debtTotal;
        from = firstChangedMonth(m, pathItemsOnly, debt.version, changedSince(debt, m.debtVersion, H), capFromSchedule);
        if (2 * from >= H) m.lastUseful = run;
        if (from > 0) {
          const s = m.state;
          const at = from * MONTH_STATE;
          cash = s[at];
          receivables = s[at + 1];
          payables = s[at + 2];
          ppe = s[at + 3];
          paidIn = s[at + 4];
          retained = s[at + 5];
          nol = s[at + 6];
          nolAtYearStart = s[at + 7];
          incomeYearToDate = s[at + 8];
          taxYearToDate = s[at + 9];
          debtTotal = s[at + 10];
          sumEbitda = s[at + 11];
          sumTaxes = s[at + 12];
          sumInterest = s[at + 13];
          sumService = s[at + 14];
          nonFinite = s[at + 15];
          unbalanced = s[at + 16];
          previousCash = cash;
        }
        if (recording(m, run)) memory = m;
      }
      m.valid = false;
    } else if (ws.monthLoop) ws.monthLoop.valid = false;
  }
  const carried = memory !== null ? memory.state : null;

  for (let t = from; t <= H; t++) {
    if (carried !== null) {
      const at = t * MONTH_STATE;
      carried[at] = cash;
      carried[at + 1] = receivables;
      carried[at + 2] = payables;
      carried[at + 3] = ppe;
      carried[at + 4] = paidIn;
      carried[at + 5] = retained;
      carried[at + 6] = nol;
      carried[at + 7] = nolAtYearStart;
      carried[at + 8] = incomeYearToDate;
      carried[at + 9] = taxYearToDate;
      carried[at + 10] = debtTotal;
      carried[at + 11] = sumEbitda;
      carried[at + 12] = sumTaxes;
      carried[at + 13] = sumInterest;
      carried[at + 14] = sumService;
      carried[at + 15] = nonFinite;
      carried[at + 16] = unbalanced;
    }
    // Month H: only what the loop ended with is recorded.
    if (t === H) break;
    const revenue = revenueLines[t];
    const costOfRevenue = corLines[t];
    const opex = opexLines[t];
    const otherIncome = otherIncomeSeries[t];
    const disposalProceeds = proceedsSeries[t];
    const equity = equityByMonth[t];
    const recurringRevenue = recurring[t];
    const grossProfit = revenue - costOfRevenue;
    const ebitda = grossProfit - opex;

    // Debt: interest on the opening balance; draws, then scheduled principal (the walk's totals).
    let cashInterest = schedule.interest[t];
    const feeAmortization = schedule.feeAmortization[t];
    let drawn = schedule.drawn[t];
    let repaid = schedule.repaid[t];
    let scheduled = schedule.scheduled[t];
    const feesPaid = schedule.feesPaid[t];
    let openDebt = schedule.openDebt[t];
    let rateTimesDebt = schedule.rateTimesDebt[t];

    // The revolver's interest and commitment fee, on the month's opening balance.
    let rvLimit = 0;
    let rvInterest = 0;
    let rvCommitment = 0;
    const rvOpen = rvBalance;
    if (rv) {
      const s = rv.slots;
      const rate = rv.fixed ? p[s.rate] : Math.max(rv.base![t], p[s.floor]) + p[s.spread];
      const available = t >= rvFrom && t < rvMaturity;
      rvLimit = available ? Math.max(0, rv.limit[t]) : 0;
      rvInterest = (rvOpen * rate) / 12;
      if (available) rvCommitment = (Math.max(0, rvLimit - rvOpen) * rvFee) / 12;
      rvOut!.rate[t] = rate;
      rvOut!.limit[t] = rvLimit;
      cashInterest += rvInterest + rvCommitment;
      openDebt += rvOpen;
      rateTimesDebt += rvOpen * rate;
    }
    // Interest on cash itself: earned on a positive opening balance, charged on a negative one.
    let interestIncome = 0;
    if (cash > 0) {
      if (incomeRate !== null) interestIncome = (cash * incomeRate[t]) / 12;
    } else if (overdraftRate !== null) cashInterest -= (cash * overdraftRate[t]) / 12;

    const grossInterest = cashInterest + feeAmortization;
    // Interest capitalised on assets not yet in service, and its depreciation once they are.
    let capitalized = 0;
    let capDepreciation = 0;
    let capWrittenOff = 0;
    if (capFromSchedule) {
      capitalized = schedule.capitalized[t];
      capDepreciation = schedule.capDepreciation[t];
      capWrittenOff = schedule.capWrittenOff[t];
    } else if (nA > 0) {
      const averageRate = openDebt > 0 ? rateTimesDebt / openDebt : 0;
      let wanted = 0;
      for (let a = 0; a < nA; a++) {
        let v = 0;
        if (t < ws.assetLive[a]) {
          v = interestWanted(ws.assetAccum[a], ws.assetTranche[a], trancheOpen, trancheRates, t, averageRate);
          ws.assetAccum[a] += ws.assetSpend[a][t];
        }
        ws.assetWanted[a] = v;
        wanted += v;
      }
      // Never more than the interest incurred in the month.
      const scale = wanted > grossInterest ? Math.max(0, grossInterest) / wanted : 1;
      for (let a = 0; a < nA; a++) {
        const v = ws.assetWanted[a] * scale;
        if (v !== 0) {
          ws.assetAccum[a] += v;
          ws.assetBook[a] += v;
          ws.assetTotal[a] += v;
          capitalized += v;
        }
        let d = 0;
        const live = ws.assetLive[a];
        if (t >= live && ws.assetBook[a] > 0) {
          if (t < live + ws.assetDepMonths[a]) d = Math.min(ws.assetBook[a], ws.assetTotal[a] / ws.assetDepMonths[a]);
          ws.assetBook[a] -= d;
          // A cohort retired with capitalised interest not yet depreciated: part of its book value.
          if (t === ws.assetRetire[a]) {
            capWrittenOff += ws.assetBook[a];
            ws.assetBook[a] = 0;
          }
        }
        capDepreciation += d;
        capOut!.interest[a][t] = v;
        capOut!.depreciation[a][t] = d;
      }
    }
    if (!cashOnly && !capFromSchedule) {
      schedule.capitalized[t] = capitalized;
      schedule.capDepreciation[t] = capDepreciation;
      schedule.capWrittenOff[t] = capWrittenOff;
    }
    const capex = capexLines[t] + capitalized;
    const depreciation = depLines[t] + capDepreciation;
    const disposalGain = gainSeries[t] - capWrittenOff;
    const ebit = ebitda - depreciation;
    const interestExpense = grossInterest - capitalized;
    const pretax = ebit - interestExpense + interestIncome + otherIncome + disposalGain;
    // Tax on the fiscal year's income to date (tax.ts).
    if (t === 0 || cal.fiscalYear[t] !== cal.fiscalYear[t - 1]) {
      nolAtYearStart = nol;
      incomeYearToDate = 0;
      taxYearToDate = 0;
    }
    incomeYearToDate += pretax;
    const taxDue = taxDueToDate(incomeYearToDate, nolAtYearStart, lossLimit, taxRate);
    const taxes = taxDue - taxYearToDate;
    taxYearToDate = taxDue;
    nol = lossesCarriedForward(incomeYearToDate, nolAtYearStart, lossLimit);
    const netIncome = pretax - taxes;

    // Working capital on recurring revenue and cash costs (days of the month's flow).
    const days = cal.days[t];
    const newReceivables = (recurringRevenue / days) * dso;
    // Stock-based compensation is an expense paid in shares: no cash leaves, no payable
    // arises, equity grows.
    const shareSettled = ws.nonCashExpense[t];
    const newPayables = ((costOfRevenue + opex - shareSettled) / days) * dpo;
    // A gain on disposal is not cash: the proceeds are, in investing.
    const operatingCashFlow = netIncome + depreciation + feeAmortization + shareSettled - disposalGain - (newReceivables - receivables) + (newPayables - payables);
    const investingCashFlow = disposalProceeds - capex;
    let financingCashFlow = equity + drawn - repaid - feesPaid;

    // The revolver closes the month against the cash floor.
    let rvDraw = 0;
    let rvRepay = 0;
    if (rv) {
      if (t >= rvMaturity) {
        rvRepay = rvOpen;
        scheduled += rvOpen;
      } else if (t >= rvFrom) {
        const before = cash + operatingCashFlow + investingCashFlow + financingCashFlow;
        const excess = Math.max(0, rvOpen - rvLimit);
        const left = before - excess;
        const owed = rvOpen - excess;
        if (left < cashFloor) rvDraw = Math.max(0, Math.min(cashFloor - left, rvLimit - owed));
        else rvRepay = Math.min(left - cashFloor, owed);
        rvRepay += excess;
      }
      const end = rvOpen + rvDraw - rvRepay;
      rvBalance = Math.abs(end) < 1e-12 ? 0 : end;
      drawn += rvDraw;
      repaid += rvRepay;
      financingCashFlow += rvDraw - rvRepay;
      rvOut!.balance[t] = rvBalance;
      rvOut!.interest[t] = rvInterest;
      rvOut!.commitmentFee[t] = rvCommitment;
      rvOut!.drawn[t] = rvDraw;
      rvOut!.repaid[t] = rvRepay;
    }
    const netCashFlow = operatingCashFlow + investingCashFlow + financingCashFlow;
    cash += netCashFlow;
    receivables = newReceivables;
    payables = newPayables;
    ppe += capex - depreciation - (disposalProceeds - disposalGain);
    debtTotal += drawn - repaid;
    feesTotal = schedule.feesTotal[t];
    paidIn += equity + shareSettled;
    retained += netIncome;

    it.endingCash[t] = cash;
    if (cashOnly) continue;
    it.ebitda[t] = ebitda;
    it.taxes[t] = taxes;
    it.netIncome[t] = netIncome;
    it.operatingCashFlow[t] = operatingCashFlow;
    it.investingCashFlow[t] = investingCashFlow;
    const freeCashFlow = operatingCashFlow - capex;
    it.freeCashFlow[t] = freeCashFlow;
    it.financingCashFlow[t] = financingCashFlow;
    const totalAssets = cash + receivables + ppe;
    it.totalAssets[t] = totalAssets;
    it.debt[t] = debtTotal;
    const totalLiabilities = debtTotal - feesTotal + payables;
    it.totalLiabilities[t] = totalLiabilities;
    const totalEquity = paidIn + retained;
    it.equity[t] = totalEquity;
    it.cashInterest[t] = cashInterest;
    const service = cashInterest + scheduled;
    it.debtService[t] = service;
    if (withRatios) {
      r.dscr[t] = service > 1e-12 ? (ebitda - taxes) / service : NaN;
      sumEbitda += ebitda;
      sumTaxes += taxes;
      sumInterest += cashInterest;
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
      const netDebt = debtTotal - cash;
      r.netDebtToEbitdaLtm[t] = annualEbitda > 1e-12 ? netDebt / annualEbitda : NaN;
      nonFinite += cash - cash + (revenue - revenue) + (netIncome - netIncome) + (freeCashFlow - freeCashFlow) + (debtTotal - debtTotal) + (totalAssets - totalAssets) + (totalLiabilities - totalLiabilities) + (totalEquity - totalEquity);
      const imbalance = totalAssets - totalLiabilities - totalEquity;
      const tie = cash - previousCash - (operatingCashFlow + investingCashFlow + financingCashFlow);
      previousCash = cash;
      unbalanced += Math.abs(imbalance) <= BALANCE_TOLERANCE && Math.abs(tie) <= BALANCE_TOLERANCE ? 0 : 1;
    }
    if (pathItemsOnly) continue;
    it.grossProfit[t] = grossProfit;
    it.capex[t] = capex;
    it.depreciation[t] = depreciation;
    it.disposalGain[t] = disposalGain;
    it.ebit[t] = ebit;
    it.grossInterest[t] = grossInterest;
    it.capitalizedInterest[t] = capitalized;
    it.interestExpense[t] = interestExpense;
    it.interestIncome[t] = interestIncome;
    it.netInterestExpense[t] = interestExpense - interestIncome;
    it.pretaxIncome[t] = pretax;
    it.equityRaised[t] = equity;
    it.debtDrawn[t] = drawn;
    it.debtRepaid[t] = repaid;
    it.financingFees[t] = feesPaid;
    it.netCashFlow[t] = netCashFlow;
    it.receivables[t] = receivables;
    it.ppeNet[t] = ppe;
    it.revolverBalance[t] = rvBalance;
    it.unamortizedFees[t] = feesTotal;
    it.payables[t] = payables;
    it.paidInCapital[t] = paidIn;
    it.retainedEarnings[t] = retained;
    it.commitmentFees[t] = rvCommitment;
    it.scheduledPrincipal[t] = scheduled;
    it.revolverDrawn[t] = rvDraw;
    it.revolverRepaid[t] = rvRepay;
    it.lossCarryforward[t] = nol;
  }
  if (!cashOnly && nA > 0 && capCashFree) ws.capitalizationKey.current = true;
  if (memory !== null) memory.valid = true;
  if (withRatios) {
    dst.checks.nonFinite = nonFinite;
    dst.checks.unbalanced = unbalanced;
    dst.checks.current = true;
  }
  return from;
}

/**
 * A path that writes only PATH_ITEMS computes the ratios in the month loop, from the
 * values it writes, with `computeRatios`'s operations: the same numbers, without a second
 * pass. Not with extensions, whose stages run after the month loop and before the ratios.
 */
export function ratiosInMonthLoop(c: CompiledModel, pathItemsOnly: boolean): boolean {
  return pathItemsOnly && c.stages.length === 0;
}

/**
 * Debt ratios per month. Trailing-twelve-month (LTM) figures use the months available
 * at the start of the horizon; net debt / EBITDA annualizes them (× 12 / months) so that
 * a short window is not mistaken for a small EBITDA.
 */
export function computeRatios(out: Projection): void {
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
