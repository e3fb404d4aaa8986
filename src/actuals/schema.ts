import { z } from "zod";

/**
 * Reported figures by period, each with its source: what the company reported after
 * the plan was made. `burnrate actuals` compares them with the plan and rolls the
 * plan forward from them. Kept as data with addresses and dates, so that figures
 * proposed from news articles can be added the same way.
 *
 *   actuals:
 *     revenue-q3-2025:
 *       metric: revenue
 *       period: 2025-Q3
 *       value: 1364.7
 *       source: "[CW-22]"
 */
const finite = z.number().refine(Number.isFinite, "expected a finite number");
const dateText = z.string().regex(/^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/, "expected a date as YYYY-MM-DD");

export const actualSchema = z
  .strictObject({
    name: z.string().min(1).optional().describe("Name (list form only; in the mapping form the key is the name)."),
    metric: z.string().min(1).describe("A statement line item (revenue, ebitda, netIncome, interestExpense, endingCash, debt, …), a derived measure (cashBurn, averageMonthlyBurn, grossMargin, …) or one of the model's own lines."),
    period: z.union([z.string().min(1), z.number()]).describe('Fiscal year "2025", quarter "2025-Q3", month "2025-06" or range "2025-01..2025-09".'),
    value: finite.describe("The reported figure, in the model's currency and unit (ratios as decimals)."),
    source: z.string().min(1).optional().describe("Register IDs in brackets ([CW-22]), or publisher and title when the figure is not in the register (then give address and published)."),
    address: z.string().regex(/^https?:\/\/\S+$/, "expected a web address").optional().describe("Where the figure was read, when the source is not a register entry."),
    published: dateText.optional().describe("Publication date of what was read, when the source is not a register entry."),
    measure: z.string().min(1).optional().describe("What kind of figure it is when that differs from the model's line (e.g. 'GAAP, includes stock compensation')."),
    assumption: z.string().min(1).optional(),
    derivation: z.string().min(1).optional().describe("How the value was derived from the cited figures, when it is not one of them."),
    note: z.string().optional(),
  })
  .describe("A reported figure for one period.");

export const actualsListSchema = z.union([z.record(z.string(), actualSchema), z.array(actualSchema)]);

export const actualsFileSchema = z
  .strictObject({
    company: z.string().min(1).optional().describe("The company the figures are for (checked against the model's meta.company)."),
    description: z.string().optional(),
    threshold: finite.refine((v) => v >= 0, "expected a fraction ≥ 0").optional().describe("Variance beyond which a figure is flagged, as a fraction of the plan (default 0.10)."),
    actuals: actualsListSchema,
  })
  .describe("A file of actuals for `burnrate actuals --actuals FILE`.");

export type RawActual = z.output<typeof actualSchema>;
