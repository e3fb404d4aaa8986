import { z } from "zod";

/**
 * The model file format. Every object may carry `source` (where its numbers come
 * from) or `assumption` (why a number is assumed); every number may be written as
 * `{ value: 12.5, source: "…" }`. Those wrappers are unwrapped before this schema
 * sees the data (see `citations.ts`).
 */
const citation = {
  source: z.string().optional().describe("Where the numbers in this object come from: `seed 000 ¶10`, or a publication, address and date."),
  assumption: z.string().optional().describe("Why the numbers in this object are assumed, when no source reports them."),
  derivation: z.string().optional().describe("How the numbers were derived from what `source` reports (a sum, a split, a unit change), when they are not the published figure itself."),
  note: z.string().optional().describe("Free text for readers of the file."),
};

const month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "expected a month as YYYY-MM, e.g. 2025-07")
  .describe("A month, YYYY-MM.");

const finite = z.number().refine(Number.isFinite, "expected a finite number");
const nonNegative = finite.refine((v) => v >= 0, "expected a number ≥ 0");
const positive = finite.refine((v) => v > 0, "expected a number > 0");
const fraction = finite.refine((v) => v >= 0 && v <= 1, "expected a fraction between 0 and 1");
const monthCount = z.number().int("expected a whole number of months").refine((v) => v >= 0, "expected a number of months ≥ 0");
const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const IDENTIFIER_RE = identifier;

/** A number, or a formula over drivers (a string). */
const valueOrFormula = z.union([finite, z.string().min(1)]).describe("A number, or a formula over drivers such as `gpus * price * hours`.");

export const metaSchema = z
  .strictObject({
    company: z.string().min(1).describe("Company name."),
    description: z.string().optional(),
    currency: z.string().min(1).default("USD").describe("ISO currency code of every amount."),
    unit: z
      .enum(["units", "thousands", "millions", "billions"])
      .default("millions")
      .describe("Scale of every amount (balances, flows, draws). Prices per physical unit (unitCost, powerPrice, costPerMw, price per GPU-hour) are in whole currency units."),
    start: month.describe("First month of the projection."),
    months: z.number().int().min(1).max(600).optional().describe("Horizon length in months (or give `end`)."),
    end: month.optional().describe("Last month of the projection (or give `months`)."),
    cashFloor: nonNegative.default(0).describe("Minimum cash the company wants to hold; the funding gap keeps cash at or above it."),
    fiscalYearStart: z.number().int().min(1).max(12).default(1).describe("Month (1–12) in which the fiscal year starts; fiscal years are named by the calendar year in which they end."),
    hoursPerMonth: z
      .union([z.literal("calendar"), z.literal(730)])
      .default("calendar")
      .describe("Hours in a month for capacity, power, contract billing and the formula built-in `hours`: calendar (days × 24: 672–744) or 730 every month (8,760 / 12, as many contracts and rental quotes count)."),
    ...citation,
  })
  .describe("Who and when: company, currency, unit, horizon.");

export const openingBalanceSchema = z
  .strictObject({
    cash: finite.describe("Cash at the start of the first month."),
    receivables: nonNegative.default(0),
    ppeNet: nonNegative.default(0).describe("Net PP&E not described by fleet cohorts bought before the start."),
    ppeRemainingLifeMonths: z.number().int().min(1).default(60).describe("Months over which the opening `ppeNet` is depreciated straight-line."),
    debt: nonNegative.optional().describe("Debt at the start; must equal the sum of the tranches' (and the revolver's) `openingBalance`."),
    payables: nonNegative.default(0),
    paidInCapital: finite.default(0),
    retainedEarnings: finite.default(0),
    lossCarryforward: nonNegative.optional().describe("Tax losses carried into the first month (overrides tax.openingLossCarryforward)."),
    ...citation,
  })
  .describe("Balance sheet at the start of the first month: assets = liabilities + equity.");

const yearlyValues = z.record(z.string().regex(/^\d{4}$/, "expected a year such as 2026"), finite);

export const driverObjectSchemas = {
  constant: z.strictObject({ constant: finite, unit: z.string().optional(), description: z.string().optional(), ...citation }),
  yearly: z.strictObject({
    yearly: yearlyValues.describe("Values per calendar year, e.g. {2025: 500, 2026: 2000}."),
    fill: z
      .enum(["flat", "linear", "growth", "smooth"])
      .default("flat")
      .describe("How months are filled: flat, linear toward next year's figure, compound growth toward it, or smooth (compound growth between mid-year points, continuous across year ends)."),
    sumToYear: z.boolean().default(false).describe("When true the year's figure is an annual total and its months sum to it."),
    unit: z.string().optional(),
    description: z.string().optional(),
    ...citation,
  }),
  monthly: z.strictObject({
    monthly: z.array(finite).min(1).describe("One value per month."),
    from: month.optional().describe("Month of the first value (default: the model's start)."),
    after: z.enum(["hold", "zero"]).optional().describe("What happens after the list ends: hold the last value or zero. Without it the list must cover the horizon."),
    unit: z.string().optional(),
    description: z.string().optional(),
    ...citation,
  }),
  growth: z.strictObject({
    growth: z.strictObject({
      start: finite.describe("Value in the first month (or in `from`)."),
      annualRate: finite.optional().describe("Annual growth rate as a decimal, compounded monthly: value × (1+rate)^(months/12)."),
      monthlyRate: finite.optional().describe("Monthly growth rate as a decimal."),
      from: month.optional().describe("Month in which the value equals `start` (default: the model's start); earlier months hold `start`."),
    }),
    unit: z.string().optional(),
    description: z.string().optional(),
    ...citation,
  }),
  month: z.strictObject({
    month: month.describe("A month (YYYY-MM), held as a month index: months from the model's first month, as `t` counts. Formulas compare it with t and pass it to after, before, between, monthsSince and ramp; a simulation can sample it (discreteUniform with months, or a delay added in months)."),
    unit: z.string().optional(),
    description: z.string().optional(),
    ...citation,
  }),
  formula: z.strictObject({
    formula: z.string().min(1).describe("Expression over drivers and built-ins (t, month, year, days, hours, prev(x), min, max, if, …)."),
    unit: z.string().optional(),
    description: z.string().optional(),
    ...citation,
  }),
};

export const driverSchema = z
  .union([
    finite.describe("A constant."),
    z.string().min(1).describe("A formula."),
    driverObjectSchemas.constant,
    driverObjectSchemas.yearly,
    driverObjectSchemas.monthly,
    driverObjectSchemas.growth,
    driverObjectSchemas.month,
    driverObjectSchemas.formula,
  ])
  .describe("A named monthly time series.");

export const lineTypes = ["revenue", "costOfRevenue", "operatingExpense", "capex"] as const;

export const lineSchema = z.strictObject({
  type: z.enum(lineTypes).describe("Where the line lands: revenue, costOfRevenue, operatingExpense or capex."),
  value: valueOrFormula.describe("Amount per month in the model unit: a number or a formula over drivers."),
  category: z.string().min(1).optional().describe("Operating-expense category, e.g. R&D, SG&A (default: Other)."),
  lifeMonths: z.number().int().min(1).optional().describe("Capex only: straight-line depreciation life in months (default 60)."),
  nonCash: z.boolean().default(false).describe("Operating expenses only: a non-cash expense settled in shares (stock-based compensation): in the income statement, added back in operating cash flow, credited to paid-in capital."),
  from: month.optional().describe("First month in which the line applies."),
  until: month.optional().describe("Last month in which the line applies."),
  description: z.string().optional(),
  ...citation,
});

export const cohortSchema = z.strictObject({
  count: nonNegative.describe("Number of units (e.g. GPUs)."),
  unitCost: nonNegative.describe("All-in cost per unit in whole currency units."),
  purchase: month.describe("Month the cohort is paid for (capex)."),
  inService: month.optional().describe("Month depreciation, capacity and power start (default: purchase month)."),
  lifeMonths: z.number().int().min(1).describe("Depreciation life in months (straight-line down to salvagePerUnit), from the in-service month."),
  serviceLifeMonths: z.number().int().min(1).optional().describe("Months the cohort runs (capacity, power, revenue) from its in-service month, then it is retired; default lifeMonths. Longer than lifeMonths: the units keep earning after they are fully depreciated; shorter: they are retired before."),
  salvagePerUnit: nonNegative.default(0).describe("Residual value per unit the depreciation runs down to, whole currency units; also the cash received per unit at retirement unless retirementProceedsPerUnit says otherwise."),
  retirementProceedsPerUnit: nonNegative.optional().describe("Cash received per unit when the cohort is retired at the end of its service (sale or scrap), whole currency units; default salvagePerUnit. The difference from its book value then is a gain or loss on disposal."),
  capacityPerUnitHour: nonNegative.default(1).describe("Capacity units per unit per hour (1 = GPU-hours)."),
  powerKw: nonNegative.default(0).describe("Power draw per unit in kW (at the IT load)."),
  pue: finite.refine((v) => v >= 1, "PUE is total facility power ÷ IT power, so at least 1").default(1),
  powerPrice: valueOrFormula.default(0).describe("Electricity price per kWh in whole currency units (number or formula)."),
  site: z.string().min(1).optional().describe("GPU clouds: the data centre (a key of `sites:`) the cohort runs in; it cannot run before the site is live, and the site's PUE and power price replace the cohort's."),
  generation: z.string().min(1).optional().describe("GPU clouds: the GPU generation (a key of `pricing:`) whose price per GPU-hour its spot hours sell at, e.g. H100."),
  delivery: month.optional().describe("GPU clouds: month the hardware arrives; the cohort cannot run before it (nor before its site is live)."),
  description: z.string().optional(),
  ...citation,
});

export const equityRoundSchema = z.strictObject({
  month: month,
  amount: nonNegative.describe("Cash raised, model unit."),
  preMoney: nonNegative.optional().describe("Pre-money valuation, model unit."),
  description: z.string().optional(),
  ...citation,
});

const drawSchema = z.strictObject({ month: month, amount: nonNegative, ...citation });
const repaymentSchema = z.strictObject({
  month: month,
  amount: nonNegative,
  refinancing: z.boolean().default(false).describe("True when the repayment is paid from new money raised for it (a refinancing, an IPO): still cash out, but not debt service for DSCR."),
  ...citation,
});

const maturityPartSchema = z.strictObject({
  month: month,
  share: fraction.optional().describe("Share of the tranche's principal — its opening balance plus its draws up to this month — repaid this month."),
  amount: nonNegative.optional().describe("Principal repaid this month, model unit."),
  refinancing: z.boolean().default(false).describe("True when this maturity is paid from new money raised for it: cash out, but not debt service."),
  ...citation,
});

export const trancheSchema = z.strictObject({
  openingBalance: nonNegative.default(0).describe("Principal outstanding at the start of the first month."),
  draws: z.array(drawSchema).default([]).describe("Draws: month and amount."),
  rate: finite.optional().describe("Fixed annual interest rate (decimal)."),
  base: z.string().optional().describe("Floating rate: name of a driver holding the base-rate curve (annual decimal), e.g. sofr."),
  spread: finite.optional().describe("Floating rate: spread over the base (annual decimal, 0.0725 = 725 bp)."),
  floor: finite.optional().describe("Floating rate: floor on the base rate."),
  interestOnlyMonths: monthCount.default(0).describe("Number of monthly interest payments before the first scheduled principal. The draw month does not count (a draw bears interest from the next month): drawn in 2025-01 with 12, interest only 2025-02 … 2026-01, principal from 2026-02. An opening balance pays interest in the first month, which counts."),
  amortization: z.enum(["bullet", "straightLine", "annuity", "schedule"]).default("bullet"),
  repayments: z.array(repaymentSchema).default([]).describe("Amortization `schedule`: repayments by month."),
  maturity: z
    .union([month, z.array(maturityPartSchema).min(1)])
    .describe("Month in which all remaining principal is repaid — or several maturities, in date order: `[{month: 2028-07, share: 0.5}, {month: 2030-07}]`; each but the last repays a `share` of the principal or an `amount`, the last repays whatever is left."),
  upfrontFee: fraction.default(0).describe("Fee or original-issue discount as a fraction of each draw, paid in cash at draw."),
  feeTreatment: z.enum(["amortize", "expense"]).default("amortize").describe("amortize (default): the upfront fee is carried as an unamortized debt cost and amortized straight-line into interest to the final maturity; expense: charged to interest in the month of the draw."),
  description: z.string().optional(),
  ...citation,
});

export const covenantSchema = z.strictObject({
  metric: z.enum(["dscr", "netDebtToEbitda", "interestCoverage", "minCash"]),
  min: finite.optional(),
  max: finite.optional(),
  basis: z.enum(["ltm", "month"]).default("ltm").describe("Trailing-twelve-months (ltm) or single-month figures."),
  test: z.enum(["monthly", "quarterly"]).default("quarterly").describe("Tested at every month end or at fiscal quarter ends."),
  from: month.optional(),
  description: z.string().optional(),
  ...citation,
});

export const revolverSchema = z
  .strictObject({
    limit: valueOrFormula.describe("Commitment: the most that may be drawn, model unit — a number, or a formula over drivers (a borrowing base). A balance above a lower limit is repaid down to it."),
    rate: finite.optional().describe("Fixed annual interest rate on the drawn balance (decimal)."),
    base: z.string().optional().describe("Floating rate: name of a driver holding the base-rate curve (annual decimal), e.g. sofr."),
    spread: finite.optional().describe("Floating rate: spread over the base (annual decimal)."),
    floor: finite.optional().describe("Floating rate: floor on the base rate."),
    commitmentFee: nonNegative.default(0).describe("Annual fee on the undrawn commitment (limit − the month's opening balance), decimal: 0.005 = 50 bp; part of interest cost."),
    openingBalance: nonNegative.default(0).describe("Drawn at the start of the first month (part of openingBalance.debt)."),
    from: month.optional().describe("First month the facility may be drawn (default: the start)."),
    maturity: month.optional().describe("Month the facility ends: what is drawn is repaid then (scheduled principal) and nothing is drawn from then on. Default: it outlives the horizon."),
    description: z.string().optional(),
    ...citation,
  })
  .describe("A revolving credit facility: each month it draws what keeps cash at meta.cashFloor, up to the limit, and is repaid from cash above the floor.");

export const cashSchema = z
  .strictObject({
    interestRate: valueOrFormula.optional().describe("Annual rate earned on positive cash, on each month's opening balance (decimal; a number or a formula over drivers, e.g. `sofr - 0.003`). Interest income is taxable and lands below EBIT."),
    overdraftRate: valueOrFormula.optional().describe("Annual rate charged on negative cash, on each month's opening balance: the simplest credit line (cash may go below zero and that shortfall bears this interest)."),
    ...citation,
  })
  .describe("Interest on the cash balance itself.");

export const capitalizeInterestSchema = z
  .strictObject({
    sites: z.boolean().default(false).describe("GPU sites: interest on construction spend is capitalised until the site is live."),
    fleet: z.boolean().default(false).describe("Fleet cohorts: interest on their cost is capitalised from the month after purchase until they go into service (e.g. GPUs waiting for their data centre)."),
    ...citation,
  })
  .describe("Interest capitalised on assets not yet in service (US GAAP ASC 835-20, IAS 23): added to their cost and depreciated once they are in service, instead of expensed.");

export const financingSchema = z.strictObject({
  equity: z.record(z.string(), equityRoundSchema).default({}),
  debt: z.record(z.string(), trancheSchema).default({}),
  revolver: revolverSchema.optional(),
  cash: cashSchema.optional(),
  capitalizeInterest: capitalizeInterestSchema.optional(),
  covenants: z.record(z.string(), covenantSchema).default({}),
  ...citation,
});

export const oneOffSchema = z.strictObject({
  month: month,
  amount: finite.describe("Cash amount, model unit; positive = cash in."),
  lands: z
    .enum(["otherIncome", "revenue", "costOfRevenue", "operatingExpense", "capex", "equity"])
    .describe("Where it lands: otherIncome (below EBIT, taxable), revenue, costOfRevenue / operatingExpense (a positive amount reduces the cost), capex (a positive amount is a refund that lowers PP&E cost), equity (paid-in capital)."),
  category: z.string().optional(),
  lifeMonths: z.number().int().min(1).optional().describe("capex refunds: months over which the lower cost reduces depreciation (default 60)."),
  description: z.string().optional(),
  ...citation,
});

export const taxSchema = z.strictObject({
  rate: fraction.describe("Tax rate on the fiscal year's positive pre-tax income (to date, month by month) after loss carry-forward."),
  openingLossCarryforward: nonNegative.default(0),
  lossOffsetLimit: fraction.default(1).describe("Share of each fiscal year's taxable income that losses carried in from earlier years may offset: 1 (default) uses them without limit; 0.8 is the US rule for losses arising after 2017."),
  ...citation,
});

export const workingCapitalSchema = z.strictObject({
  receivableDays: nonNegative.default(0).describe("Days of revenue outstanding (DSO)."),
  payableDays: nonNegative.default(0).describe("Days of cash costs outstanding (DPO)."),
  ...citation,
});

export const overrideSchema = z.strictObject({
  path: z.string().min(1).describe("Dotted path of the value, e.g. drivers.revenue.yearly.2027."),
  set: z.union([finite, z.string(), z.boolean()]).optional(),
  add: finite.optional(),
  multiply: finite.optional(),
  ...citation,
});

export const scenarioSchema = z.strictObject({
  description: z.string().optional(),
  extends: z.string().optional().describe("Another scenario whose overrides apply first."),
  overrides: z.array(overrideSchema).default([]),
  ...citation,
});

export const modelSchema = z
  .strictObject({
    meta: metaSchema,
    openingBalance: openingBalanceSchema,
    drivers: z.record(z.string().regex(identifier, "driver names are identifiers: letters, digits and _, not starting with a digit"), driverSchema).default({}),
    lines: z.record(z.string(), lineSchema).default({}),
    fleet: z.record(z.string(), cohortSchema).default({}),
    financing: financingSchema.default({ equity: {}, debt: {}, covenants: {} }),
    oneOffs: z.record(z.string(), oneOffSchema).default({}),
    tax: taxSchema.optional(),
    workingCapital: workingCapitalSchema.optional(),
    scenarios: z.record(z.string(), scenarioSchema).default({}),
    ...citation,
  })
  .describe("A burnrate model: one company, monthly.");

export type ModelInput = z.input<typeof modelSchema>;
export type Model = z.output<typeof modelSchema>;
export type Driver = z.output<typeof driverSchema>;
export type Line = z.output<typeof lineSchema>;
export type Cohort = z.output<typeof cohortSchema>;
export type Tranche = z.output<typeof trancheSchema>;
export type MaturityPart = z.output<typeof maturityPartSchema>;

/** The month a tranche is finally repaid (its only maturity, or the last of several). */
export function finalMaturity(tranche: Pick<Tranche, "maturity">): string {
  return typeof tranche.maturity === "string" ? tranche.maturity : tranche.maturity[tranche.maturity.length - 1].month;
}
export type EquityRound = z.output<typeof equityRoundSchema>;
export type Covenant = z.output<typeof covenantSchema>;
export type Revolver = z.output<typeof revolverSchema>;
export type OneOff = z.output<typeof oneOffSchema>;
export type Scenario = z.output<typeof scenarioSchema>;

/** The JSON Schema editors use for completion (`burnrate schema`). */
export function modelJsonSchema(): unknown {
  // io: "input" so that keys with defaults are shown as optional, as users write them.
  return z.toJSONSchema(modelSchema, { io: "input", unrepresentable: "any" });
}
