import type { CompiledModel } from "./compile.js";
import type { Projection } from "./projection.js";
import type { MonthLoopMemory, Workspace } from "./workspace.js";
import { exactShortcuts } from "./shortcuts.js";

// Resuming the month loop (statements.ts) where its inputs first differ from the last run's.
//
// A month of the loop reads only what it carries from the month before (cash, balances,
// losses carried forward, the fiscal year's income and tax to date, the debt, the ratios'
// trailing sums and the validity counts: `MONTH_STATE`), a few numbers fixed for the run
// (rates, days, the opening balances it starts from) and that month's inputs. So when the
// fixed numbers and the inputs of months 0 … m−1 are bit for bit those of the last run that
// wrote this projection, months 0 … m−1 would be computed again to the same numbers: the
// loop restores what it carried into month m, as the last run recorded it, and starts there.
// A system's attribution rerun (a cut link changes contract exits and line scales from a
// trigger month on) and a model whose statements no sampled input reaches (the system's
// shared drivers) start late or not at all.
//
// Not with a revolver or interest capitalised in the loop (they carry more state), and
// only on top of a run that wrote the same items (`pathItemsOnly` alike). Extensions'
// `afterStatements` write report series, never what the loop writes. The debt schedule's
// totals are inputs of each month too: the months before the first one refreshDebt wrote
// since the recorded run are as that run read them (`changedSince`); interest capitalised
// ahead of the loop is compared month by month like the other inputs (capitalizeAhead
// writes every month), so a new path whose rates and assets move only from some month on
// resumes there.

/** The numbers the loop carries from one month into the next, in the order they are recorded. */
export const MONTH_STATE = 17;

/**
 * The run's fixed numbers the loop reads: tax rate, loss offset limit, receivable and
 * payable days, then the opening cash, receivables, payables, PP&E, paid-in capital,
 * retained earnings, losses carried forward and debt.
 */
const FIXED = 12;

export function createMonthLoopMemory(c: CompiledModel, ws: Workspace, src: Projection): MonthLoopMemory {
  const H = c.months;
  const inp = src.items;
  const sources = [inp.revenue, inp.costOfRevenue, inp.operatingExpenses, inp.otherIncome, inp.disposalProceeds, ws.capexBase, ws.depreciationBase, ws.disposalGainBase, ws.recurringRevenue, ws.equityByMonth, ws.nonCashExpense];
  if (c.cashRates.income) sources.push(c.cashRates.income);
  if (c.cashRates.overdraft) sources.push(c.cashRates.overdraft);
  // Last, what the loop reads only when capitalised interest comes from the schedule.
  const sc = ws.debt.schedule;
  sources.push(sc.capitalized, sc.capDepreciation, sc.capWrittenOff);
  const copies = sources.map(() => new Float64Array(H));
  const bits = (a: Float64Array) => new Int32Array(a.buffer, a.byteOffset, 2 * a.length);
  return {
    valid: false,
    runs: 0,
    lastUseful: -Infinity,
    pathItemsOnly: false,
    capFromSchedule: false,
    debtVersion: -1,
    fixed: new Float64Array(FIXED),
    fixedNow: new Float64Array(FIXED),
    sources,
    copies,
    sourceBits: sources.map(bits),
    copyBits: copies.map(bits),
    state: new Float64Array((H + 1) * MONTH_STATE),
  };
}

/**
 * The first month whose inputs may differ from those the last recorded run read (0 when
 * its fixed numbers differ, H when nothing does), and records this run's. `fixedNow` holds
 * this run's fixed numbers; all are compared bit for bit (so −0 is not +0). `debtFrom`: the
 * first month the debt schedule's totals may differ from those of `memory.debtVersion`
 * (see `changedSince`); `capFromSchedule`: the loop reads capitalised interest from the
 * schedule (compared then), else it reads none.
 */
export function firstChangedMonth(memory: MonthLoopMemory, pathItemsOnly: boolean, debtVersion: number, debtFrom: number, capFromSchedule: boolean): number {
  const fixed = memory.fixedNow;
  let from = memory.valid && memory.pathItemsOnly === pathItemsOnly && memory.capFromSchedule === capFromSchedule ? debtFrom : 0;
  const kept = memory.fixed;
  for (let i = 0; i < FIXED; i++) {
    if (!sameBits(fixed[i], kept[i])) from = 0;
    kept[i] = fixed[i];
  }
  const sources = memory.sources;
  const copies = memory.copies;
  const sourceBits = memory.sourceBits;
  const copyBits = memory.copyBits;
  const read = capFromSchedule ? sources.length : sources.length - CAPITALIZATION_ROWS;
  for (let s = 0; s < read; s++) {
    const a = sourceBits[s];
    const b = copyBits[s];
    // The months before `from` are equal so far. The copy takes this run's values (a whole
    // copy in one move: the months before the first that differs are the same bits).
    let m = 0;
    for (; m < from; m++) if (a[2 * m] !== b[2 * m] || a[2 * m + 1] !== b[2 * m + 1]) break;
    from = m;
    copies[s].set(sources[s]);
  }
  memory.pathItemsOnly = pathItemsOnly;
  memory.capFromSchedule = capFromSchedule;
  memory.debtVersion = debtVersion;
  return from;
}

/** The schedule's capitalised interest, its depreciation and write-offs: the last sources. */
const CAPITALIZATION_ROWS = 3;

/**
 * Whether run number `run` records what it reads and carries. Recording costs a little in
 * every run (the inputs copied, the carried numbers stored each month) and pays only where
 * runs resume late: a workspace whose runs resumed at half the horizon or later within its
 * last RECENT runs records every run; another records one run in PROBE, and the run after
 * it finds out whether resuming pays again. The results are the same either way: a run
 * that does not record leaves the memory invalid, and the next one runs whole.
 */
export function recording(memory: MonthLoopMemory, run: number): boolean {
  return exactShortcuts.monthLoopAlwaysRecords || run - memory.lastUseful <= RECENT || run % PROBE === 0;
}

const RECENT = 32;
const PROBE = 16;

const scratch = new Float64Array(2);
const scratchBits = new Int32Array(scratch.buffer);

function sameBits(a: number, b: number): boolean {
  scratch[0] = a;
  scratch[1] = b;
  return scratchBits[0] === scratchBits[2] && scratchBits[1] === scratchBits[3];
}
