import type { CompiledModel } from "./compile.js";
import type { Projection, TrancheSeries } from "./projection.js";
import type { Workspace } from "./workspace.js";
import { monthOf, sameNumber } from "./numbers.js";
import { exactShortcuts } from "./shortcuts.js";

// Interest capitalised on assets before they go into service (`financing.capitalizeInterest`).
// The month loop (statements.ts) computes it month by month when it depends on cash (a
// revolver or an overdraft rate); otherwise `capitalizeAhead` writes it into the debt
// schedule before the loop, or the schedule keeps the last run's while its inputs are
// unchanged (`capitalizationUnchanged`). Tests pin the two routines equal (debtSchedule.test.ts).

/**
 * The interest an asset whose cost carried so far is `base` asks to capitalise in month t,
 * before the month's cap (never more than the interest incurred): the funding tranche k's
 * rate on what the tranche can fund (its opening balance), the average rate on the rest; no
 * tranche when k < 0. Shared by the month loop and `capitalizeAhead`, which must agree.
 */
export function interestWanted(base: number, k: number, trancheOpen: Float64Array[], trancheRates: TrancheSeries[], t: number, averageRate: number): number {
  if (!(base > 0)) return 0;
  const specific = k >= 0 ? Math.min(base, trancheOpen[k][t]) : 0;
  return Math.max(0, (specific * (k >= 0 ? trancheRates[k].rate[t] : 0) + (base - specific) * averageRate) / 12);
}

/**
 * The assets that capitalise interest, for this evaluation: GPU sites (their spend and
 * go-live month) and fleet cohorts (their cost, from purchase to going into service; a
 * cohort bought before the start and not yet in service starts with its cost). Returns
 * how many.
 */
export function setUpQualifyingAssets(c: CompiledModel, ws: Workspace, src: Projection): number {
  const n = ws.assetLive.length;
  if (n === 0) return 0;
  const p = c.params;
  let a = 0;
  ws.assetSpend.length = n;
  if (c.capitalizeInterest.sites) {
    for (const con of c.constructions) {
      ws.assetLive[a] = monthOf(con.live[0]);
      ws.assetDepMonths[a] = con.lifeMonths;
      ws.assetRetire[a] = Infinity;
      ws.assetTranche[a] = con.tranche;
      ws.assetAccum[a] = 0;
      ws.assetSpend[a] = con.spend;
      a++;
    }
  }
  if (c.capitalizeInterest.fleet) {
    for (let k = 0; k < c.cohorts.length; k++) {
      const co = c.cohorts[k];
      const live = src.cohortService[2 * k];
      const retire = src.cohortService[2 * k + 1];
      ws.assetLive[a] = live;
      ws.assetDepMonths[a] = Math.max(1, Math.min(p[co.slots.lifeMonths], retire - live + 1));
      ws.assetRetire[a] = retire;
      ws.assetTranche[a] = -1;
      ws.assetAccum[a] = co.preStart && live > 0 ? (p[co.slots.count] * p[co.slots.unitCost]) / c.unitScale : 0;
      ws.assetSpend[a] = src.cohorts[k].capex;
      a++;
    }
  }
  ws.assetBook.fill(0);
  ws.assetTotal.fill(0);
  return n;
}

export function capitalizationUnchanged(ws: Workspace, nA: number): boolean {
  const key = ws.capitalizationKey;
  if (!key.current || key.debtVersion !== ws.debt.version) return false;
  const setup = key.setup;
  for (let a = 0; a < nA; a++) {
    const live = ws.assetLive[a];
    if (!sameNumber(live, setup[5 * a]) || !sameNumber(ws.assetDepMonths[a], setup[5 * a + 1]) || !sameNumber(ws.assetRetire[a], setup[5 * a + 2]) || !sameNumber(ws.assetTranche[a], setup[5 * a + 3]) || !sameNumber(ws.assetAccum[a], setup[5 * a + 4])) return false;
    // Only the spend of the months before it goes live is capitalised on.
    const spend = ws.assetSpend[a];
    const kept = key.spend[a];
    for (let t = 0; t < spend.length && t < live; t++) if (!Object.is(spend[t], kept[t])) return false;
  }
  return true;
}

/**
 * `capitalizationUnchanged` known without setting the assets up: the assets are fleet
 * cohorts only (no sites), and since the schedule recorded the capitalisation neither the
 * debt's totals nor any cohort's capex, book value or months of service were written. What
 * it would compare comes from those and from the cohorts' params, which change only with a
 * new evaluation of the fleet (a caller that skips it, `skipFleet` or `sameFleet`, has not
 * changed them).
 */
export function capitalizationKeptAsIs(c: CompiledModel, ws: Workspace): boolean {
  const key = ws.capitalizationKey;
  return key.current && key.debtVersion === ws.debt.version && key.fleetVersion === ws.fleet.version && !(c.capitalizeInterest.sites && c.constructions.length > 0);
}

/** Records what this run's capitalisation starts from (it is current once the month loop ends). */
export function keepCapitalizationInputs(c: CompiledModel, ws: Workspace, nA: number, cashFree: boolean): void {
  const key = ws.capitalizationKey;
  key.current = false;
  if (!cashFree) return;
  // A cohort's spend is its capex series, written only with a new fleet version: the
  // copies made at this version stand (the sites' spend, first, is copied every time).
  const cohortsFrom = exactShortcuts.capitalizationKeptAsIs && key.fleetVersion === ws.fleet.version ? (c.capitalizeInterest.sites ? c.constructions.length : 0) : nA;
  key.debtVersion = ws.debt.version;
  key.fleetVersion = ws.fleet.version;
  const setup = key.setup;
  for (let a = 0; a < nA; a++) {
    setup[5 * a] = ws.assetLive[a];
    setup[5 * a + 1] = ws.assetDepMonths[a];
    setup[5 * a + 2] = ws.assetRetire[a];
    setup[5 * a + 3] = ws.assetTranche[a];
    setup[5 * a + 4] = ws.assetAccum[a];
    if (a < cohortsFrom) key.spend[a].set(ws.assetSpend[a]);
  }
}

/**
 * Interest capitalised, its depreciation and write-offs, written into the debt schedule
 * before the month loop, when they do not depend on cash (no revolver, no overdraft rate):
 * the month loop's interest incurred is then the schedule's interest plus fee amortisation
 * and its debt the schedule's. The same operations as the month loop's (`statements`),
 * but only where they can give something other than zero:
 *   - an asset earns interest only in the months before it goes live, from the first one
 *     it has a positive cost or spends (before, its cost is not positive and what it adds
 *     is zero, whose sign it never shows);
 *   - from its live month on it earns nothing (0 × a scale of at most 1), so its book
 *     value and total no longer depend on the other assets: it depreciates on its own,
 *     an asset at a time, until its book value is not positive (then nothing changes);
 *     the depreciation per month (total / months) is computed once, the same quotient;
 *   - the monthly sums add each asset's non-zero amounts in the assets' order to +0, as
 *     the month loop does (adding ±0 to a sum that started at +0 changes nothing).
 * A month that would scale the interest by NaN (none wanted and a negative interest
 * incurred: 0 / 0, which turns every asset's figures into NaN) is left to the month loop:
 * returns false, with the assets set up again.
 */
export function capitalizeAhead(c: CompiledModel, ws: Workspace, src: Projection, dst: Projection, nA: number): boolean {
  const H = c.months;
  const schedule = ws.debt.schedule;
  const interestBy = schedule.interest;
  const feeAmortizationBy = schedule.feeAmortization;
  const openDebtBy = schedule.openDebt;
  const rateTimesDebtBy = schedule.rateTimesDebt;
  const trancheOpen = ws.debt.open;
  const trancheRates = src.tranches;
  const capitalizedBy = schedule.capitalized;
  const depreciationBy = schedule.capDepreciation;
  const writtenOffBy = schedule.capWrittenOff;
  const capOut = dst.capitalization!;
  const live = ws.assetLive;
  const depMonths = ws.assetDepMonths;
  const retireAt = ws.assetRetire;
  const trancheOf = ws.assetTranche;
  const accum = ws.assetAccum;
  const book = ws.assetBook;
  const total = ws.assetTotal;
  const wantedBy = ws.assetWanted;
  const spendOf = ws.assetSpend;
  const earnFrom = ws.assetEarnFrom;
  const earnTo = ws.assetEarnTo;
  const byStart = ws.assetsByStart;
  const earning = ws.assetsEarning;
  // The rows hold the last run's figures: only the months they may be non-zero in are cleared.
  const rowSpans = ws.assetRowSpans;
  let nStarting = 0;
  for (let a = 0; a < nA; a++) {
    const l = live[a];
    // Months t < live: live rounded up, within the horizon (none when live is NaN).
    const to = l > 0 ? (l < H ? Math.ceil(l) : H) : 0;
    let from = 0;
    if (!(accum[a] > 0)) {
      const spend = spendOf[a];
      while (from < to && spend[from] === 0) from++;
    }
    earnFrom[a] = from;
    earnTo[a] = to;
    const row = capOut.interest[a];
    for (let t = rowSpans[4 * a], hi = rowSpans[4 * a + 1]; t < hi; t++) row[t] = 0;
    rowSpans[4 * a] = from;
    rowSpans[4 * a + 1] = to;
    if (from >= to) continue;
    // Insertion by first earning month, after those that start with it (assets' order).
    let i = nStarting++;
    while (i > 0 && earnFrom[byStart[i - 1]] > from) {
      byStart[i] = byStart[i - 1];
      i--;
    }
    byStart[i] = a;
  }
  capitalizedBy.fill(0);
  let nEarning = 0;
  let next = 0;
  for (let t = 0; t < H; t++) {
    let kept = 0;
    for (let i = 0; i < nEarning; i++) if (earnTo[earning[i]] > t) earning[kept++] = earning[i];
    nEarning = kept;
    for (; next < nStarting && earnFrom[byStart[next]] === t; next++) {
      const a = byStart[next];
      let i = nEarning++;
      while (i > 0 && earning[i - 1] > a) {
        earning[i] = earning[i - 1];
        i--;
      }
      earning[i] = a;
    }
    const grossInterest = interestBy[t] + feeAmortizationBy[t];
    let wanted = 0;
    if (nEarning > 0) {
      const openDebt = openDebtBy[t];
      const averageRate = openDebt > 0 ? rateTimesDebtBy[t] / openDebt : 0;
      for (let i = 0; i < nEarning; i++) {
        const a = earning[i];
        const v = interestWanted(accum[a], trancheOf[a], trancheOpen, trancheRates, t, averageRate);
        accum[a] += spendOf[a][t];
        wantedBy[a] = v;
        wanted += v;
      }
    }
    // Never more than the interest incurred in the month.
    let scale = 1;
    if (wanted > grossInterest) {
      scale = Math.max(0, grossInterest) / wanted;
      if (scale !== scale) {
        setUpQualifyingAssets(c, ws, src);
        markRowsWritten(ws, nA, H);
        return false;
      }
    }
    if (nEarning === 0) continue;
    let capitalized = 0;
    for (let i = 0; i < nEarning; i++) {
      const a = earning[i];
      const v = wantedBy[a] * scale;
      if (v !== 0) {
        accum[a] += v;
        book[a] += v;
        total[a] += v;
        capitalized += v;
      }
      capOut.interest[a][t] = v;
    }
    capitalizedBy[t] = capitalized;
  }
  depreciationBy.fill(0);
  writtenOffBy.fill(0);
  for (let a = 0; a < nA; a++) {
    const row = capOut.depreciation[a];
    const l = live[a];
    let left = book[a];
    // Depreciation starts in the live month (t >= live), which NaN never is.
    const start = !(left > 0) || l !== l ? H : earnTo[a];
    let t = start;
    const months = depMonths[a];
    const end = l + months;
    const perMonth = total[a] / months;
    const retire = retireAt[a];
    for (; t < H; t++) {
      let d = 0;
      if (t < end) d = Math.min(left, perMonth);
      left -= d;
      // A cohort retired with capitalised interest not yet depreciated: part of its book value.
      if (t === retire) {
        writtenOffBy[t] += left;
        left = 0;
      }
      depreciationBy[t] += d;
      row[t] = d;
      if (!(left > 0)) {
        t++;
        break;
      }
      if (t + 1 >= end) {
        // Fully depreciated but for rounding: only a retirement still writes it off.
        for (t++; t < H; t++) {
          row[t] = 0;
          if (t === retire) {
            writtenOffBy[t] += left;
            left = 0;
            t++;
            break;
          }
        }
        break;
      }
    }
    book[a] = left;
    // Clear what the last run left outside the months written now.
    const lo = rowSpans[4 * a + 2];
    const hi = rowSpans[4 * a + 3];
    for (let m = lo, to = Math.min(hi, start); m < to; m++) row[m] = 0;
    for (let m = Math.max(lo, t); m < hi; m++) row[m] = 0;
    rowSpans[4 * a + 2] = start;
    rowSpans[4 * a + 3] = t;
  }
  ws.capitalizationKey.current = true;
  return true;
}

/** The month loop writes every month of every asset's rows: any may be non-zero. */
export function markRowsWritten(ws: Workspace, nA: number, H: number): void {
  const rowSpans = ws.assetRowSpans;
  for (let a = 0; a < nA; a++) {
    rowSpans[4 * a] = 0;
    rowSpans[4 * a + 1] = H;
    rowSpans[4 * a + 2] = 0;
    rowSpans[4 * a + 3] = H;
  }
}
