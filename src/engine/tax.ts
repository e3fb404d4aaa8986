// The tax rule, shared by the month loop (statements.ts) and the funding gap's re-runs
// (cashRuns.ts), which must compute the same numbers with the same operations. Tax is on
// the fiscal year's income to date: losses carried in from earlier years offset at most
// lossOffsetLimit of it; each month pays the year's tax so far less what the year's earlier
// months paid (so a later loss in the year reverses earlier payments); the year's own loss is
// carried forward. No carry-back to earlier years. Small enough for V8 to inline: the loops
// pay no call.

/** Losses carried in that offset the year's income to date. */
function lossesUsed(incomeYearToDate: number, lossesAtYearStart: number, lossLimit: number): number {
  return incomeYearToDate > 0 ? Math.min(lossesAtYearStart, lossLimit * incomeYearToDate) : 0;
}

/** The year's tax so far, on its income to date after the losses carried in that offset it. */
export function taxDueToDate(incomeYearToDate: number, lossesAtYearStart: number, lossLimit: number, taxRate: number): number {
  const used = lossesUsed(incomeYearToDate, lossesAtYearStart, lossLimit);
  return incomeYearToDate > used ? taxRate * (incomeYearToDate - used) : 0;
}

/** Losses carried forward after the month: those carried in and not used, plus the year's own loss so far. */
export function lossesCarriedForward(incomeYearToDate: number, lossesAtYearStart: number, lossLimit: number): number {
  return lossesAtYearStart - lossesUsed(incomeYearToDate, lossesAtYearStart, lossLimit) + (incomeYearToDate < 0 ? -incomeYearToDate : 0);
}
