import { z } from "zod";

/**
 * One calibration target: a figure a company reported (or a bound on one) that the
 * model should reproduce. The `targets:` section is a mapping of names to these; a
 * list of them (each with an optional `name`) is accepted too.
 */
const finite = z.number().refine(Number.isFinite, "expected a finite number");
const nonNegative = finite.refine((v) => v >= 0, "expected a number ≥ 0");

export const COMPARE_OPS = ["approx", "gt", "gte", "lt", "lte"] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

/**
 * calibration: an input was set (or sized) from this figure, so agreement is by
 * construction and shows only that the calibration holds; check: the figure was not
 * used to set any input, so agreement is evidence that the model is right.
 */
export const TARGET_KINDS = ["calibration", "check"] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const toleranceSchema = z
  .strictObject({
    relative: nonNegative.optional().describe("Largest allowed |model − reported| as a fraction of |reported| (0.02 = 2%)."),
    absolute: nonNegative.optional().describe("Largest allowed |model − reported| in the model unit."),
    months: z.number().int("expected a whole number of months").min(0).optional().describe("Month-valued metrics: largest allowed distance in months."),
  })
  .describe("How close `approx` must be: one of relative, absolute or months. Default: relative 0.02 (months 0 for month-valued metrics).");

export const targetSchema = z
  .strictObject({
    name: z.string().min(1).optional().describe("Name of the target (list form only; in the mapping form the key is the name)."),
    metric: z.string().min(1).describe("A line item of the run (revenue, netIncome, freeCashFlow, endingCash, debt, capex, …), a derived measure (cashBurn, averageMonthlyBurn, dscr, grossMargin, ebitdaMargin, netMargin, capexToRevenue), a GPU-cloud figure (backlog, contractRevenue, spotRevenue, availableHours, soldHours) or a whole-horizon metric (cashOut, breakeven, fundingGap, minCash, runwayMonths, minDscr, firstPositiveFreeCashFlow, …)."),
    period: z.union([z.string().min(1), z.number()]).optional().describe('Fiscal year "2025", fiscal quarter "2025-Q3", month "2025-06" or range "2025-07..2025-09"; omitted for whole-horizon metrics.'),
    value: z.union([finite, z.string().min(1)]).describe('The reported figure in the model unit, or a month "2027-01" (or "never") for month-valued metrics.'),
    tolerance: toleranceSchema.optional(),
    compare: z.enum(COMPARE_OPS).default("approx").describe("approx (within tolerance), gt, gte, lt or lte: how the model's figure must relate to the reported one."),
    kind: z
      .enum(TARGET_KINDS)
      .optional()
      .describe("calibration (an input was set from this figure: agreement is by construction) or check (independent: no input was set from it). `check --strict` requires it; without it a target counts as a check."),
    calibrates: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .describe("calibration targets: the input(s) set from this figure, as dotted paths (e.g. openingBalance.cash, drivers.utilHistory)."),
    caveat: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .describe("Name(s) of caveats (the `caveats:` section) that explain a gap between the model and this figure."),
    source: z.string().min(1).optional().describe("Where the reported figure comes from: register IDs in brackets, e.g. [CW-22]."),
    assumption: z.string().min(1).optional().describe("For a target that is a judgement rather than a reported figure: why."),
    derivation: z.string().min(1).optional().describe("How the value was derived from the cited figures, when it is not one of them (a difference, a sum, a unit change)."),
    note: z.string().optional().describe("Which reported figure this matches and why."),
    scenario: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .describe("The scenario (or scenarios) under which the target applies; default: the base case only."),
  })
  .describe("A calibration target: a reported figure the model should match.");

export type RawTarget = z.output<typeof targetSchema>;
