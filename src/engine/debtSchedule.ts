import type { CompiledModel } from "./compile.js";
import type { Projection } from "./projection.js";
import { monthOf, sameNumber } from "./numbers.js";
import { exactShortcuts } from "./shortcuts.js";

// The term-debt tranches, walked apart from the month loop: they do not depend on cash, so
// each is walked again only from the first month its inputs changed (see `refreshDebt`), and
// the month loop (statements.ts) reads their monthly totals from the schedule.

/**
 * The parts of an evaluation's workspace (see workspace.ts) the debt schedule reads and
 * writes: its cache, and each tranche's draws, repayments and maturities by month.
 */
export interface DebtWorkspace {
  trancheDraw: Float64Array[];
  trancheRepay: Float64Array[];
  trancheRefinanced: Float64Array[];
  trancheMaturityDue: Float64Array[];
  debt: DebtCache;
}

/** The tranches' monthly totals (see `statements`), and what the last full run capitalised. */
export interface DebtSchedule {
  interest: Float64Array;
  feeAmortization: Float64Array;
  drawn: Float64Array;
  repaid: Float64Array;
  scheduled: Float64Array;
  feesPaid: Float64Array;
  openDebt: Float64Array;
  rateTimesDebt: Float64Array;
  feesTotal: Float64Array;
  capitalized: Float64Array;
  capDepreciation: Float64Array;
  capWrittenOff: Float64Array;
}

/**
 * Each tranche's walk by month — its opening balance, opening balance × rate, cash
 * interest, fee amortisation, debt service, fees paid and fees left to amortise — with
 * the params and base rates it ran with, and the totals over tranches. A tranche's walk
 * reads nothing but its own params and base rate series, so while those are unchanged
 * (compared value by value, sign of zero and NaN included) its series are exactly what a
 * new walk would write, and a simulation that samples no debt input walks no tranche.
 */
export interface DebtCache {
  slots: Int32Array[];
  key: Float64Array[];
  base: (Float64Array | null)[];
  /** 1 once tranche k's series and key belong together. */
  walked: Uint8Array;
  /**
   * Per tranche: months [lo, hi) outside which all nine of its series that the totals add
   * are zero (2 numbers per tranche; a wider span is as good).
   */
  span: Int32Array;
  /** The totals were summed from the walks as they are now before this month (the horizon: all months). */
  totalsFrom: number;
  /** The model's `driverStepsRun` when the base rates were last compared (all snapshots equal the rates then). */
  driverStepsSeen: number;
  /** The same for the two totals that read the rates (opening debt × rate, cash interest): walks that changed only them. */
  rateTotalsFrom: number;
  /** Counts the times the totals were summed: what was computed from them is current while it is unchanged. */
  version: number;
  /**
   * For the last CHANGES versions (version v at v % CHANGES): the first month whose totals
   * that summing may have changed (the months before kept the previous version's values).
   */
  changedFrom: Int32Array;
  open: Float64Array[];
  rateTimesOpen: Float64Array[];
  cashInterest: Float64Array[];
  feeAmortization: Float64Array[];
  scheduled: Float64Array[];
  feesPaid: Float64Array[];
  feesLeft: Float64Array[];
  schedule: DebtSchedule;
}

/** How many versions back `changedSince` can tell from which month the totals changed. */
const CHANGES = 8;

export function createDebtCache(c: CompiledModel): DebtCache {
  const H = c.months;
  const arr = () => new Float64Array(H);
  const each = () => c.tranches.map(arr);
  const slots = c.tranches.map((tr) => {
    const s = tr.slots;
    const list = [s.openingBalance, s.rate, s.spread, s.floor, s.interestOnly, s.maturity, s.fee];
    for (const d of tr.draws) list.push(d.month, d.amount);
    for (const r of tr.repayments) list.push(r.month, r.amount);
    for (const part of tr.partialMaturities) list.push(part.month, part.share, part.amount);
    return Int32Array.from(list.filter((slot) => slot >= 0));
  });
  return {
    slots,
    key: slots.map((list) => new Float64Array(list.length)),
    base: c.tranches.map((tr) => (tr.base ? new Float64Array(H) : null)),
    walked: new Uint8Array(c.tranches.length),
    span: new Int32Array(2 * c.tranches.length),
    totalsFrom: 0,
    driverStepsSeen: -1,
    rateTotalsFrom: 0,
    version: 0,
    changedFrom: new Int32Array(CHANGES),
    open: each(),
    rateTimesOpen: each(),
    cashInterest: each(),
    feeAmortization: each(),
    scheduled: each(),
    feesPaid: each(),
    feesLeft: each(),
    schedule: { interest: arr(), feeAmortization: arr(), drawn: arr(), repaid: arr(), scheduled: arr(), feesPaid: arr(), openDebt: arr(), rateTimesDebt: arr(), feesTotal: arr(), capitalized: arr(), capDepreciation: arr(), capWrittenOff: arr() },
  };
}

/**
 * What an earlier maturity in a tranche's list repays in month m: a share of what was drawn
 * up to that month (opening balance included) or a set amount. The month loop caps it at
 * what is outstanding; the workbook writes the same figure.
 */
export function maturityPartAmount(p: Float64Array, openingSlot: number, part: { share: number; amount: number }, draw: ArrayLike<number>, m: number): number {
  if (part.share < 0) return p[part.amount];
  let principal = p[openingSlot];
  for (let t = 0; t <= m; t++) principal += draw[t];
  return principal * p[part.share];
}

/** One tranche's draws, repayments and maturities by month, from this evaluation's params. */
function trancheInputs(c: CompiledModel, ws: DebtWorkspace, k: number): void {
  const p = c.params;
  const H = c.months;
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
  // Maturities before the final one: a share of the principal (opening balance plus
  // draws up to that month) or an amount; the loop caps it at what is outstanding.
  const due = ws.trancheMaturityDue[k];
  due.fill(0);
  for (const part of tr.partialMaturities) {
    const m = monthOf(p[part.month]);
    if (m < 0 || m >= H) continue;
    const amount = maturityPartAmount(p, tr.slots.openingBalance, part, draw, m);
    due[m] += amount;
    if (part.refinancing) refinanced[m] += amount;
  }
  if (tr.finalRefinancing) {
    const m = monthOf(p[tr.slots.maturity]);
    if (m >= 0 && m < H) refinanced[m] = Infinity;
  }
}

function firstDrawMonth(draws: Float64Array): number {
  for (let t = 0; t < draws.length; t++) if (draws[t] > 0) return t;
  return draws.length;
}

/**
 * The first month from which tranche k's walk must be redone: 0 when it was not walked or
 * one of its params changed (draws, repayments and maturities are then inputs anew), else
 * the first month its base rate differs from the last walk's (the horizon if none does).
 */
function trancheChangedFrom(c: CompiledModel, debt: DebtCache, k: number, basesAsSeen: boolean): number {
  if (debt.walked[k] === 0) return 0;
  const p = c.params;
  const slots = debt.slots[k];
  const key = debt.key[k];
  for (let i = 0; i < slots.length; i++) if (!sameNumber(p[slots[i]], key[i])) return 0;
  const base = c.tranches[k].base;
  const snapshot = debt.base[k];
  const H = c.months;
  if (!base || !snapshot || (basesAsSeen && exactShortcuts.basesAsSeen)) return H;
  for (let t = 0; t < H; t++) {
    const x = base[t];
    const y = snapshot[t];
    if (x !== y) {
      if (x === x || y === y) return t;
    } else if (x === 0 && 1 / x !== 1 / y) return t;
  }
  return H;
}

/** Adds x to sum over months [from, to). */
function addInto(sum: Float64Array, x: Float64Array, from: number, to: number): void {
  for (let t = from; t < to; t++) sum[t] += x[t];
}

/**
 * Walks every tranche whose inputs changed (into `out`'s tranche series), from the first
 * month they changed, and sums the monthly totals again from the first month any did.
 *
 * A month of a walk reads only the balance and fees left at the end of the month before
 * (both kept in its series, as they were carried) and that month's inputs, so a walk
 * resumed at month m from its own series writes what a walk from the start would. When
 * only the base rate changed and the tranche does not amortise as an annuity, its balance,
 * principal and fees do not read the rate: only the rate, the interest and opening
 * balance × rate are written again (`rewalkRates`), and only their two totals summed.
 * Each month's total is its own sum over tranches, so the months before the first changed
 * one keep theirs. A tranche is added only over its span: the totals start at +0 and
 * adding to +0 never gives −0, so adding +0 or −0 leaves any total as it is.
 */
export function refreshDebt(c: CompiledModel, ws: DebtWorkspace, out: Projection): void {
  const debt = ws.debt;
  const H = c.months;
  const nT = c.tranches.length;
  // No driver step ran since the base rates were last compared: they are as they were.
  const basesAsSeen = debt.driverStepsSeen === c.driverStepsRun;
  for (let k = 0; k < nT; k++) {
    const from = trancheChangedFrom(c, debt, k, basesAsSeen);
    if (from >= H) continue;
    debt.walked[k] = 0;
    if (from > 0 && c.tranches[k].amortization !== "annuity") {
      if (from < debt.rateTotalsFrom) debt.rateTotalsFrom = from;
      rewalkRates(c, ws, out, k, from);
    } else {
      if (from < debt.totalsFrom) debt.totalsFrom = from;
      if (from === 0) trancheInputs(c, ws, k);
      walkTranche(c, ws, out, k, from);
    }
    // From a later month, its params were each the key's (sameNumber): the key stands.
    if (from === 0) {
      const p = c.params;
      const slots = debt.slots[k];
      const key = debt.key[k];
      for (let i = 0; i < slots.length; i++) key[i] = p[slots[i]];
    }
    const base = c.tranches[k].base;
    const snapshot = debt.base[k];
    if (base && snapshot) for (let t = from; t < H; t++) snapshot[t] = base[t];
    debt.walked[k] = 1;
  }
  const from = debt.totalsFrom;
  const ratesFrom = Math.min(from, debt.rateTotalsFrom);
  debt.driverStepsSeen = c.driverStepsRun;
  if (ratesFrom >= H) return;
  // Each month's total adds the tranches in their order to +0: the same additions as one
  // loop over tranches inside the month (a tranche at a time here, for contiguous reads).
  const sc = debt.schedule;
  sc.interest.fill(0, ratesFrom, H);
  sc.rateTimesDebt.fill(0, ratesFrom, H);
  if (from < H) {
    sc.feeAmortization.fill(0, from, H);
    sc.drawn.fill(0, from, H);
    sc.repaid.fill(0, from, H);
    sc.scheduled.fill(0, from, H);
    sc.feesPaid.fill(0, from, H);
    sc.openDebt.fill(0, from, H);
    sc.feesTotal.fill(0, from, H);
  }
  const spans = exactShortcuts.trancheSpans;
  for (let k = 0; k < nT; k++) {
    const spanFrom = spans ? debt.span[2 * k] : 0;
    const hi = spans ? debt.span[2 * k + 1] : H;
    const ratesLo = Math.max(ratesFrom, spanFrom);
    if (ratesLo >= hi) continue;
    addInto(sc.rateTimesDebt, debt.rateTimesOpen[k], ratesLo, hi);
    addInto(sc.interest, debt.cashInterest[k], ratesLo, hi);
    const lo = Math.max(from, spanFrom);
    if (lo >= hi) continue;
    addInto(sc.openDebt, debt.open[k], lo, hi);
    addInto(sc.feeAmortization, debt.feeAmortization[k], lo, hi);
    addInto(sc.drawn, ws.trancheDraw[k], lo, hi);
    addInto(sc.repaid, out.tranches[k].principal, lo, hi);
    addInto(sc.scheduled, debt.scheduled[k], lo, hi);
    addInto(sc.feesPaid, debt.feesPaid[k], lo, hi);
    addInto(sc.feesTotal, debt.feesLeft[k], lo, hi);
  }
  debt.totalsFrom = H;
  debt.rateTotalsFrom = H;
  debt.version++;
  debt.changedFrom[debt.version % CHANGES] = ratesFrom;
}

/**
 * The first month whose totals may differ from those of `version` (the horizon when they
 * are that version's; 0 when it is too old to tell): refreshDebt writes the totals only
 * from the month it notes, so each month before the earliest noted since is as it was.
 */
export function changedSince(debt: DebtCache, version: number, H: number): number {
  const now = debt.version;
  if (version === now) return H;
  if (!(version >= 0 && version < now && now - version <= CHANGES)) return 0;
  let from = H;
  for (let v = version + 1; v <= now; v++) from = Math.min(from, debt.changedFrom[v % CHANGES]);
  return from;
}

/**
 * Tranche k's rate, interest and opening balance × rate from month `from` on, after its
 * base rate changed there: the rest of its walk stays (see `refreshDebt`). The same
 * operations as `walkTranche`'s on the same opening balances and fee amortisation.
 */
function rewalkRates(c: CompiledModel, ws: DebtWorkspace, out: Projection, k: number, from: number): void {
  const p = c.params;
  const H = c.months;
  const debt = ws.debt;
  const tr = c.tranches[k];
  const s = tr.slots;
  const series = out.tranches[k];
  const openBy = debt.open[k];
  const rateTimesOpenBy = debt.rateTimesOpen[k];
  const cashInterestBy = debt.cashInterest[k];
  const feeAmortizationBy = debt.feeAmortization[k];
  const base = tr.base;
  const fixedRate = p[s.rate];
  const floor = p[s.floor];
  const spread = p[s.spread];
  const span = debt.span;
  for (let t = from; t < H; t++) {
    const open = openBy[t];
    const annualRate = tr.fixed ? fixedRate : Math.max(base![t], floor) + spread;
    rateTimesOpenBy[t] = open * annualRate;
    const interest = (open * annualRate) / 12;
    series.interest[t] = interest + feeAmortizationBy[t];
    series.rate[t] = annualRate;
    cashInterestBy[t] = interest;
    // No opening balance, yet a rate that makes 0 × rate NaN: outside the span, maybe.
    if (open === 0 && (open * annualRate !== 0 || interest !== 0)) {
      if (t < span[2 * k]) span[2 * k] = t;
      if (t >= span[2 * k + 1]) span[2 * k + 1] = t + 1;
    }
  }
}

/**
 * One tranche month by month: interest on the opening balance at the month's rate / 12;
 * the draw and its upfront fee; scheduled principal (the maturity repays what is left).
 * From month `from` on: the months before keep what the last walk wrote (see `refreshDebt`).
 */
function walkTranche(c: CompiledModel, ws: DebtWorkspace, out: Projection, k: number, from = 0): void {
  const p = c.params;
  const H = c.months;
  const debt = ws.debt;
  const tr = c.tranches[k];
  const s = tr.slots;
  const series = out.tranches[k];
  const drawBy = ws.trancheDraw[k];
  const repayBy = ws.trancheRepay[k];
  const dueBy = ws.trancheMaturityDue[k];
  const refinancedBy = ws.trancheRefinanced[k];
  const openBy = debt.open[k];
  const rateTimesOpenBy = debt.rateTimesOpen[k];
  const cashInterestBy = debt.cashInterest[k];
  const feeAmortizationBy = debt.feeAmortization[k];
  const scheduledBy = debt.scheduled[k];
  const feesPaidBy = debt.feesPaid[k];
  const feesLeftBy = debt.feesLeft[k];
  const base = tr.base;
  const fixedRate = p[s.rate];
  const floor = p[s.floor];
  const spread = p[s.spread];
  const feeRate = p[s.fee];
  const maturity = monthOf(p[s.maturity]);
  const opening = p[s.openingBalance];
  // Interest-only months are interest payments: an opening balance pays from the first
  // month, a draw from the month after it (the draw month bears no interest).
  const amortStart = (opening > 0 ? 0 : firstDrawMonth(drawBy) + 1) + p[s.interestOnly];
  let balance = from > 0 ? series.balance[from - 1] : opening;
  let fees = from > 0 ? feesLeftBy[from - 1] : 0;
  // The span of months in which a series the totals add is not zero: the last walk's
  // before `from` (as wide as it was, cut at `from`), this walk's after.
  const span = debt.span;
  let lo = H;
  let hi = 0;
  if (from > 0 && span[2 * k] < from) {
    lo = span[2 * k];
    hi = Math.min(span[2 * k + 1], from);
  }
  for (let t = from; t < H; t++) {
    const open = balance;
    const annualRate = tr.fixed ? fixedRate : Math.max(base![t], floor) + spread;
    openBy[t] = open;
    rateTimesOpenBy[t] = open * annualRate;
    const interest = (open * annualRate) / 12;
    const draw = drawBy[t];
    const fee = draw * feeRate;
    // Deferred costs amortize straight-line over the months left to maturity; whatever
    // is left (and a fee paid in the maturity month) is expensed at maturity.
    const monthsLeft = maturity - t + 1;
    let amort: number;
    if (monthsLeft <= 1 || tr.expenseFees) {
      amort = fees + fee;
      fees = 0;
    } else {
      amort = fees / monthsLeft;
      fees += fee - amort;
    }
    let principal = 0;
    const afterDraw = open + draw;
    if (t >= maturity) principal = afterDraw;
    else {
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
            principal = Math.min(afterDraw, repayBy[t]);
            break;
          case "bullet":
            break;
        }
      }
      const due = dueBy[t];
      if (due > 0) principal = Math.min(afterDraw, principal + due);
    }
    const end = afterDraw - principal;
    balance = Math.abs(end) < 1e-12 ? 0 : end;
    series.balance[t] = balance;
    series.interest[t] = interest + amort;
    series.principal[t] = principal;
    series.rate[t] = annualRate;
    cashInterestBy[t] = interest;
    feeAmortizationBy[t] = amort;
    // A repayment funded by a refinancing is cash out but not debt service (DSCR), in
    // any month — including the maturity month, where it is part of the final repayment.
    const scheduled = principal - Math.min(principal, refinancedBy[t]);
    scheduledBy[t] = scheduled;
    feesPaidBy[t] = fee;
    feesLeftBy[t] = fees;
    if (open !== 0 || open * annualRate !== 0 || interest !== 0 || amort !== 0 || draw !== 0 || principal !== 0 || scheduled !== 0 || fee !== 0 || fees !== 0) {
      if (t < lo) lo = t;
      hi = t + 1;
    }
  }
  span[2 * k] = lo;
  span[2 * k + 1] = hi;
}
