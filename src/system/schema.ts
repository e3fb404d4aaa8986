import { z } from "zod";
import { driverSchema, overrideSchema, IDENTIFIER_RE } from "../model/schema.js";
import { uncertainSectionSchema, correlationSectionSchema } from "../uncertainty/spec.js";

/**
 * The system file: several company models linked together (see docs/system.md).
 *
 *   system:    name, unit of system totals, iteration cap
 *   companies: each company's model file (relative to the system file), scenario, overrides
 *   drivers:   shared drivers, written as in a model; each replaces the same-named driver
 *              in every company (or the ones `share:` names)
 *   links:     counterparty links (a customer's payments stop, are partly recovered or are cut
 *              after it runs out of cash) and investment links (one company funds another's round)
 *   uncertain, correlation: uncertainty on the shared drivers; correlations across companies
 *   scenarios: overrides of shared drivers, links or any company's inputs
 *   sector:    which shared drivers are interest rates (the sector view's +100 bp)
 */
const citation = {
  source: z.string().optional().describe("Where the numbers in this object come from."),
  assumption: z.string().optional().describe("Why the numbers in this object are assumed."),
  derivation: z.string().optional().describe("How the numbers were derived from what `source` reports, when they are not the published figure itself."),
  note: z.string().optional(),
  description: z.string().optional(),
};

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "expected a month as YYYY-MM, e.g. 2026-01");
const finite = z.number().refine(Number.isFinite, "expected a finite number");
const fraction = finite.refine((v) => v >= 0 && v <= 1, "expected a fraction between 0 and 1");
const companyName = z.string().regex(IDENTIFIER_RE, "company names are identifiers: letters, digits and _, not starting with a digit");

export const systemMetaSchema = z
  .strictObject({
    name: z.string().min(1).describe("Name of the system (shown in reports)."),
    unit: z.enum(["units", "thousands", "millions", "billions"]).default("millions").describe("Unit of system totals (losses to lenders, revenue lost through links); each company's figures stay in its own unit."),
    maxIterations: z.number().int().min(1).max(1000).default(25).describe("Where links form a cycle, whole projections are repeated until every company's cash-out month is stable, at most this many times."),
    ...citation,
  })
  .describe("What the system is.");

export const companySchema = z
  .strictObject({
    model: z.string().min(1).describe("The company's model file, relative to the system file's folder (it may not lie outside that folder's tree)."),
    scenario: z.string().min(1).optional().describe("A scenario of the company's own model to apply first."),
    overrides: z.array(overrideSchema).default([]).describe("Overrides applied to the company's model in this system (after its scenario), e.g. to make its prices read a shared index."),
    lenderRecovery: fraction.default(0).describe("Share of the debt outstanding at the company's cash-out that its lenders recover; loss to lenders = debt × (1 − lenderRecovery). 0 reports the exposure before any recovery."),
    ignoreUncertain: z.array(z.string().min(1)).default([]).describe("Uncertain inputs of the company's model not sampled in the system (e.g. its own rate process, replaced by a shared one)."),
    ...citation,
  })
  .describe("A company of the system.");

export const counterpartyLinkSchema = z
  .strictObject({
    type: z.literal("counterparty"),
    company: companyName.describe("The company whose revenue (or cost) the other side pays."),
    counterparty: companyName.describe("The company on the other side: when it runs out of cash, its payments change."),
    contracts: z.array(z.string().min(1)).min(1).optional().describe("GPU-cloud contracts of `company` whose customer is the counterparty."),
    customer: z.string().min(1).optional().describe("Every GPU-cloud contract of `company` with this customer name."),
    lines: z.array(z.string().min(1)).min(1).optional().describe("Lines of `company` paid by the counterparty (any type; GPU customer lines are named \"revenue: NAME\")."),
    onCashOut: z.enum(["stop", "recovery", "priceCut"]).describe("From the month after the counterparty's cash-out: stop (payments stop), recovery (the share `share` of each payment is still paid), priceCut (the price is cut by `share`)."),
    share: fraction.optional().describe("recovery: the share still paid; priceCut: the share the price is cut by."),
    lagMonths: z.number().int().min(0).default(0).describe("Further months before the change applies."),
    trigger: z.enum(["cashOut", "cashFloor"]).default("cashOut").describe("cashOut: the counterparty's cash goes below zero; cashFloor: below its model's cash floor."),
    ...citation,
  })
  .describe("The counterparty's payments to `company` change after the counterparty runs out of cash.");

export const investmentLinkSchema = z
  .strictObject({
    type: z.literal("investment"),
    company: companyName.describe("The company whose equity round the investor funds."),
    investor: companyName.describe("The company that funds it."),
    round: z.string().min(1).describe("The round (a key of financing.equity in `company`'s model)."),
    onCashOut: z.enum(["stop", "recovery"]).default("stop").describe("A round due after the investor's cash-out: stop (it does not come) or recovery (only `share` of it comes)."),
    share: fraction.optional().describe("recovery: the share of the round still paid."),
    lagMonths: z.number().int().min(0).default(0),
    trigger: z.enum(["cashOut", "cashFloor"]).default("cashOut"),
    investorPays: z.boolean().default(false).describe("When true the investor's cash falls by the amount it pays in the round's month (booked against its paid-in capital: the engine has no investment asset). Leave false when the investor's own model already plans the payment."),
    ...citation,
  })
  .describe("One company funds another's equity round.");

export const linkSchema = z.discriminatedUnion("type", [counterpartyLinkSchema, investmentLinkSchema]);

export const systemScenarioOverrideSchema = z.strictObject({
  company: companyName.optional().describe("A company: `path` is a dotted path in its model (as in its own scenarios). Without it the path is in the system file (drivers.sofr.constant, links.x.share)."),
  path: z.string().min(1).optional(),
  scenario: z.string().min(1).optional().describe("With `company`: apply that company's own scenario."),
  set: z.union([finite, z.string(), z.boolean()]).optional(),
  add: finite.optional(),
  multiply: finite.optional(),
  ...citation,
});

export const systemScenarioSchema = z.strictObject({
  extends: z.string().optional().describe("Another system scenario whose overrides apply first."),
  overrides: z.array(systemScenarioOverrideSchema).default([]),
  ...citation,
});

export const shareSchema = z.union([
  z.array(companyName).describe("The companies whose same-named driver the shared driver replaces (added where a company has none)."),
  z.record(companyName, z.string().regex(IDENTIFIER_RE)).describe("Per company, the name of the driver the shared driver replaces (added where the company has none)."),
]);

export const systemSchema = z
  .strictObject({
    system: systemMetaSchema,
    register: z.string().min(1).optional().describe("The source register the system file's citations name (path relative to the system file, e.g. ../sources/register.yaml); `check --strict` resolves every [ID] in it."),
    companies: z.record(companyName, companySchema).refine((c) => Object.keys(c).length >= 1, "a system needs at least one company"),
    drivers: z.record(z.string().regex(IDENTIFIER_RE, "driver names are identifiers: letters, digits and _, not starting with a digit"), driverSchema).default({}).describe("Shared drivers, as in a model's drivers: section; each replaces the same-named driver in every company that has one, unless `share:` says otherwise."),
    share: z.record(z.string(), shareSchema).default({}).describe("Where a shared driver goes when names differ or a company lacks it."),
    links: z.record(z.string().min(1), linkSchema).default({}),
    uncertain: uncertainSectionSchema.optional().describe("Uncertain shared drivers (paths drivers.NAME…, processes on shared drivers); one draw per path for every company."),
    correlation: correlationSectionSchema.optional().describe("Rank correlations across companies: inputs named COMPANY.INPUT (a company's uncertain input) or NAME (a shared one)."),
    scenarios: z.record(z.string(), systemScenarioSchema).default({}),
    sector: z
      .strictObject({
        rates: z.array(z.string()).default([]).describe("Shared drivers that are annual interest rates: the sector view's +100 bp adds 0.01 to them."),
        shockFrom: month.optional().describe("First month of the +100 bp (default: the first month of the system's horizon)."),
        ...citation,
      })
      .optional(),
    ...citation,
  })
  .describe("A burnrate system: company models linked by contracts, funding and shared drivers.");

export type SystemFile = z.output<typeof systemSchema>;
export type SystemCompany = z.output<typeof companySchema>;
export type SystemLink = z.output<typeof linkSchema>;
export type CounterpartyLink = z.output<typeof counterpartyLinkSchema>;
export type InvestmentLink = z.output<typeof investmentLinkSchema>;
export type SystemScenario = z.output<typeof systemScenarioSchema>;

/** The JSON Schema of system files (`burnrate schema --system`). */
export function systemJsonSchema(): unknown {
  return z.toJSONSchema(systemSchema, { io: "input", unrepresentable: "any" });
}
