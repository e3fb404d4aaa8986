import { z } from "zod";

/**
 * The GPU-cloud sections of a model file: `sites`, `pricing`, `utilization`,
 * `contracts` and `rental`. They are extension sections (see engine/extensions.ts):
 * the core carries them and this folder validates, compiles and analyses them.
 * Amounts are in the model unit (meta.unit); prices per physical unit (cost per MW,
 * power price per kWh, price per GPU-hour) in whole currency units, as in the core.
 */
const citation = {
  source: z.string().optional().describe("Where the numbers in this object come from."),
  assumption: z.string().optional().describe("Why the numbers in this object are assumed."),
  derivation: z.string().optional().describe("How the numbers were derived from what `source` reports."),
  note: z.string().optional(),
  description: z.string().optional(),
};

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "expected a month as YYYY-MM, e.g. 2025-07");
const finite = z.number().refine(Number.isFinite, "expected a finite number");
const nonNegative = finite.refine((v) => v >= 0, "expected a number ≥ 0");
const positive = finite.refine((v) => v > 0, "expected a number > 0");
const fraction = finite.refine((v) => v >= 0 && v <= 1, "expected a fraction between 0 and 1");
const months = z.number().int("expected a whole number of months").min(1, "at least 1 month");
const valueOrFormula = z.union([finite, z.string().min(1)]).describe("A number, or a formula over drivers.");

export const siteSchema = z
  .strictObject({
    powerMw: positive.describe("Power the site can deliver, MW (total facility power: GPUs × kW × PUE must fit in it)."),
    costPerMw: nonNegative.describe("Construction cost per MW, whole currency units (e.g. 11700000)."),
    buildStart: month.describe("First month of construction spend."),
    goLive: month.describe("Planned go-live month; construction spend is spread evenly from buildStart to the month before it."),
    delayMonths: nonNegative.default(0).describe("Months the go-live slips (rounded to whole months); capacity and the site's contracts move with it, construction spend does not."),
    lifeMonths: months.describe("Straight-line depreciation life of the construction cost, months (e.g. 144–180 for buildings)."),
    pue: finite.refine((v) => v >= 1, "PUE is total facility power ÷ IT power, so at least 1").describe("Power usage effectiveness of the site."),
    powerPrice: valueOrFormula.describe("Electricity price per kWh, whole currency units (number or formula)."),
    debt: z.string().min(1).optional().describe("A financing.debt tranche whose draws fund the construction (for reporting carry cost while the site is late)."),
    ...citation,
  })
  .describe("A data centre: power, construction cost and schedule, PUE and power price.");

export const priceCurveSchema = z.union([
  valueOrFormula,
  z.strictObject({ price: valueOrFormula.describe("Price per GPU-hour by calendar month: a number or formula over drivers."), ...citation }),
  z.strictObject({
    start: positive.describe("Price per GPU-hour when a cohort of this generation enters service."),
    declinePerYear: finite.refine((v) => v >= 0 && v < 1, "expected a yearly decline between 0 and 1 (0.2 = −20% a year)").describe("Compound yearly decline with the cohort's age: start × (1 − declinePerYear)^(age in years)."),
    ...citation,
  }),
]);

export const renewalSchema = z.union([
  z.literal("none"),
  z.strictObject({
    priceFactor: positive.describe("Renewal price as a multiple of the expiring price (0.8 = 20% lower)."),
    termMonths: months.optional().describe("Length of each renewal (default: the original term)."),
    times: z.number().int().min(1).default(1).describe("How many times the contract renews (each at priceFactor × the previous price)."),
    ...citation,
  }),
]);

export const contractSchema = z
  .strictObject({
    customer: z.string().min(1).describe("Customer name; revenue lines are per customer (\"revenue: NAME\")."),
    site: z.string().min(1).optional().describe("The site whose capacity serves the contract; revenue starts only once it is live (a key of sites:). Without it the contract is served by cohorts that have no site."),
    start: month.describe("Planned first month of service."),
    termMonths: months.describe("Contract term, months; a site delay shifts the start and the end."),
    gpus: positive.optional().describe("Committed GPUs (reserved for the customer)."),
    value: positive.optional().describe("Committed total contract value over the term, model unit."),
    pricePerGpuHour: positive.optional().describe("Price per committed GPU-hour, whole currency units."),
    takeOrPay: fraction.default(1).describe("Share of the committed value the customer still pays after an exit."),
    signed: month.optional().describe("Month the contract was signed (it counts in backlog from then; default: before the start of the model)."),
    exit: month.optional().describe("Month the customer walks away: from then it pays takeOrPay × the committed price for the rest of the term and its GPUs go back to spot sales."),
    renewal: renewalSchema.default("none"),
    ...citation,
  })
  .describe("A committed capacity contract: give two of gpus, value and pricePerGpuHour.");

export const rentalSchema = z.strictObject({
  price: valueOrFormula.describe("Price per GPU-hour of renting capacity instead of owning it (build-vs-rent)."),
  ...citation,
});

/** The sections this extension owns, as they stand at the top of a model file. */
export const gpuSectionsSchema = z.object({
  sites: z.record(z.string(), siteSchema).optional(),
  pricing: z.record(z.string(), priceCurveSchema).optional().describe("Price per GPU-hour by generation (spot / uncontracted hours)."),
  utilization: valueOrFormula.optional().describe("Share of uncontracted available GPU-hours sold (0–1): number or formula."),
  contracts: z.record(z.string(), contractSchema).optional(),
  rental: rentalSchema.optional(),
});

export const GPU_SECTIONS = ["sites", "pricing", "utilization", "contracts", "rental"] as const;

export type Site = z.output<typeof siteSchema>;
export type PriceCurve = z.output<typeof priceCurveSchema>;
export type Contract = z.output<typeof contractSchema>;
export type Renewal = z.output<typeof renewalSchema>;
export type GpuSections = z.output<typeof gpuSectionsSchema>;

/** Hours per month used where the calendar does not reach (contract value ↔ price, months beyond the horizon): 8,760 / 12. */
export const AVERAGE_MONTH_HOURS = 730;

export function hasGpuSections(extensions: Record<string, unknown>): boolean {
  return GPU_SECTIONS.some((k) => extensions[k] !== undefined);
}
