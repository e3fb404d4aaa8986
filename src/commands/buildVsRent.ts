import { z } from "zod";
import { compileModel } from "../engine/compile.js";
import { evaluate } from "../engine/project.js";
import { buildVsRent, type BuildVsRentResult } from "../gpu/index.js";
import type { CommandContext, ModelText } from "./context.js";
import { loadFor, scenarioOption } from "./load.js";
import { scenarioField } from "./run.js";
import { MAX_PRICE_PER_GPU_HOUR, TAX_RATE_RANGE, inRateRange } from "../model/ranges.js";
import { DEFAULT_DISCOUNT_RATE, rateField } from "./cohorts.js";

import { TERMINALS } from "./defaults.js";
export { TERMINALS };

export const buildVsRentOptionsSchema = z
  .object({
    rentPrice: z.number().min(0).max(MAX_PRICE_PER_GPU_HOUR).optional().describe("flat rent per GPU-hour (default: the model's rental.price, else each generation's pricing curve)"),
    discountRate: rateField.default(DEFAULT_DISCOUNT_RATE).describe("annual discount rate as a decimal (0.10 = 10 %)"),
    taxRate: z.number().refine((v) => inRateRange(v, TAX_RATE_RANGE), "must be a tax rate as a decimal from 0 to 1").optional().describe("tax rate for the tax shields, as a decimal (default: the model's tax.rate)"),
    financing: z.boolean().default(true).describe("false leaves debt draws, repayments and interest out of owning (unlevered)"),
    terminal: z.enum(TERMINALS).default("book").describe("book | none: value of the owned GPUs and sites (less debt) at the horizon's end"),
    scenario: scenarioField,
  })
  .strict()
  .describe("Options of `burnrate build-vs-rent`");
export type BuildVsRentOptions = z.input<typeof buildVsRentOptionsSchema>;

/** The model, scenario and units the comparison is written in. */
export interface BuildVsRentHead {
  model: string;
  scenario: string | null;
  currency: string;
  unit: string;
}

/** What `burnrate build-vs-rent --format json` prints. */
export type BuildVsRentOutput = BuildVsRentHead & BuildVsRentResult;

/** Owning the model's GPU fleet and sites versus renting the same GPU-hours: NPVs, cash peaks, break-even rent. */
export function buildVsRentCommand(model: ModelText, options: BuildVsRentOptions = {}, context: CommandContext = {}): BuildVsRentOutput {
  const loaded = loadFor(model, scenarioOption(options.scenario), context);
  const proj = evaluate(compileModel(loaded.model, loaded.extensions));
  const result = buildVsRent(proj, {
    discountRate: options.discountRate ?? DEFAULT_DISCOUNT_RATE,
    rentPrice: options.rentPrice,
    taxRate: options.taxRate,
    financing: options.financing ?? true,
    terminal: (options.terminal ?? "book") === "book" ? "bookValue" : "none",
  });
  const head: BuildVsRentHead = { model: loaded.model.meta.company, scenario: loaded.scenario, currency: loaded.model.meta.currency, unit: loaded.model.meta.unit };
  return { ...head, ...result };
}
