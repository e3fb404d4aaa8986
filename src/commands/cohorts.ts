import { z } from "zod";
import { compileModel } from "../engine/compile.js";
import { evaluate } from "../engine/project.js";
import { cohortEconomics, gpuReport, siteDelayImpact, type CohortEconomics, type GpuReport, type SiteDelayImpact } from "../gpu/index.js";
import type { CommandContext, ModelText } from "./context.js";
import { loadFor, scenarioOption } from "./load.js";
import { scenarioField } from "./run.js";
import { DISCOUNT_RATE_RANGE, inRateRange } from "../model/ranges.js";

import { DEFAULT_DISCOUNT_RATE } from "./defaults.js";
export { DEFAULT_DISCOUNT_RATE };

/** An annual rate as a decimal (0.1 = 10 %): above −100 % and at most 1,000 %. */
export const rateField = z.number().refine((v) => inRateRange(v, DISCOUNT_RATE_RANGE), "must be a rate as a decimal above −1 (−100 %) and at most 10 (1,000 %)");

export const cohortsOptionsSchema = z
  .object({
    discountRate: rateField.default(DEFAULT_DISCOUNT_RATE).describe("annual discount rate for NPV and the break-even price, as a decimal (0.10 = 10 %)"),
    scenario: scenarioField,
    withoutSite: z.boolean().optional().describe("leave the cohorts' share of site construction out of their cash flows"),
    flows: z.boolean().optional().describe("include each cohort's monthly cash flows"),
  })
  .strict()
  .describe("Options of `burnrate cohorts`");
export type CohortsOptions = z.input<typeof cohortsOptionsSchema>;

/** What `burnrate cohorts --format json` prints. */
export interface CohortsOutput {
  model: string;
  scenario: string | null;
  currency: string;
  unit: string;
  discountRate: number;
  includeSite: boolean;
  cohorts: Omit<CohortEconomics, "flows">[] | CohortEconomics[];
  sites: GpuReport["sites"];
  contracts: GpuReport["contracts"];
  siteDelays: SiteDelayImpact[];
}

/** GPU cohort economics (IRR, NPV, payback, break-even GPU-hour price), sites, contracts and what site delays cost. */
export function cohortsCommand(model: ModelText, options: CohortsOptions = {}, context: CommandContext = {}): CohortsOutput {
  const rate = options.discountRate ?? DEFAULT_DISCOUNT_RATE;
  const loaded = loadFor(model, scenarioOption(options.scenario), context);
  const compiled = compileModel(loaded.model, loaded.extensions);
  const delays = siteDelayImpact(compiled);
  const proj = evaluate(compiled);
  const report = gpuReport(proj);
  const cohorts = cohortEconomics(proj, { discountRate: rate, includeSite: !options.withoutSite });
  return {
    model: loaded.model.meta.company,
    scenario: loaded.scenario,
    currency: loaded.model.meta.currency,
    unit: loaded.model.meta.unit,
    discountRate: rate,
    includeSite: !options.withoutSite,
    cohorts: options.flows ? cohorts : cohorts.map(({ flows, ...rest }) => (void flows, rest)),
    sites: report?.sites ?? [],
    contracts: report?.contracts ?? [],
    siteDelays: delays,
  };
}
