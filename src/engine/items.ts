/**
 * The line items of the three statements, in display order. `flow` items are summed
 * over a period; `balance` items are taken at the period's end. Items are only ever
 * added (the JSON of a run may gain keys, never lose them).
 *
 * Interest: grossInterest (interest on tranches, revolver and overdraft, commitment
 * fees, amortized debt costs) − capitalizedInterest = interestExpense (in the income
 * statement); interestExpense − interestIncome = netInterestExpense ("interest expense,
 * net" as companies report it). pretaxIncome = EBIT − netInterestExpense + otherIncome
 * + disposalGain (retired fleet: proceeds − book value).
 */
export const STATEMENT_ITEMS = [
  // income statement
  ["revenue", "flow", "Revenue"],
  ["costOfRevenue", "flow", "Cost of revenue"],
  ["grossProfit", "flow", "Gross profit"],
  ["operatingExpenses", "flow", "Operating expenses"],
  ["ebitda", "flow", "EBITDA"],
  ["depreciation", "flow", "Depreciation"],
  ["ebit", "flow", "EBIT"],
  ["grossInterest", "flow", "Interest cost, gross"],
  ["capitalizedInterest", "flow", "Less interest capitalised"],
  ["interestExpense", "flow", "Interest expense"],
  ["interestIncome", "flow", "Interest income"],
  ["netInterestExpense", "flow", "Interest expense, net"],
  ["otherIncome", "flow", "Other income"],
  ["disposalGain", "flow", "Gain (loss) on disposals"],
  ["pretaxIncome", "flow", "Pre-tax income"],
  ["taxes", "flow", "Taxes"],
  ["netIncome", "flow", "Net income"],
  // cash-flow statement (indirect)
  ["operatingCashFlow", "flow", "Operating cash flow"],
  ["capex", "flow", "Capital expenditure"],
  ["disposalProceeds", "flow", "Proceeds from disposals"],
  ["investingCashFlow", "flow", "Investing cash flow"],
  ["freeCashFlow", "flow", "Free cash flow"],
  ["equityRaised", "flow", "Equity raised"],
  ["debtDrawn", "flow", "Debt drawn"],
  ["debtRepaid", "flow", "Debt repaid"],
  ["financingFees", "flow", "Financing fees paid"],
  ["financingCashFlow", "flow", "Financing cash flow"],
  ["netCashFlow", "flow", "Net change in cash"],
  // balance sheet
  ["endingCash", "balance", "Cash"],
  ["receivables", "balance", "Receivables"],
  ["ppeNet", "balance", "Net PP&E"],
  ["totalAssets", "balance", "Total assets"],
  ["debt", "balance", "Debt (principal)"],
  ["revolverBalance", "balance", "of which revolver"],
  ["unamortizedFees", "balance", "Less unamortized debt costs"],
  ["payables", "balance", "Payables"],
  ["totalLiabilities", "balance", "Total liabilities"],
  ["paidInCapital", "balance", "Paid-in capital"],
  ["retainedEarnings", "balance", "Retained earnings"],
  ["equity", "balance", "Total equity"],
  // operating detail
  ["cashInterest", "flow", "Interest paid"],
  ["scheduledPrincipal", "flow", "Scheduled principal"],
  ["debtService", "flow", "Debt service"],
  ["commitmentFees", "flow", "Commitment fees"],
  ["revolverDrawn", "flow", "Revolver drawn"],
  ["revolverRepaid", "flow", "Revolver repaid"],
  ["powerCost", "flow", "Power cost"],
  ["capacity", "flow", "Capacity (units × hours)"],
  ["lossCarryforward", "balance", "Tax loss carry-forward"],
] as const;

export type StatementItem = (typeof STATEMENT_ITEMS)[number][0];
export const ITEM_NAMES: StatementItem[] = STATEMENT_ITEMS.map((i) => i[0]);
export const ITEM_KIND: Record<StatementItem, "flow" | "balance"> = Object.fromEntries(STATEMENT_ITEMS.map((i) => [i[0], i[1]])) as Record<StatementItem, "flow" | "balance">;
export const ITEM_LABEL: Record<StatementItem, string> = Object.fromEntries(STATEMENT_ITEMS.map((i) => [i[0], i[2]])) as Record<StatementItem, string>;

/** Monthly ratios; NaN where not defined (no debt service, EBITDA not positive…). */
export const RATIO_NAMES = ["dscr", "dscrLtm", "interestCoverageLtm", "netDebtToEbitdaLtm"] as const;
export type RatioName = (typeof RATIO_NAMES)[number];
