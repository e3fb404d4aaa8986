import { z } from "zod";
import { compileModel } from "../engine/compile.js";
import { compileUncertainty } from "../uncertainty/spec.js";
import { parseMetricSelector } from "../uncertainty/metricSelector.js";
import { sensitivity, DEFAULT_GLOBAL_PATHS, DEFAULT_SEED, MAX_PATHS, type SensitivityReport } from "../uncertainty/sensitivity.js";
import type { CommandContext, ModelText } from "./context.js";
import { loadFor, scenarioOption } from "./load.js";
import { scenarioField } from "./run.js";

import { DEFAULT_SENSITIVITY_METRIC } from "./defaults.js";
export { DEFAULT_SENSITIVITY_METRIC };
export const DEFAULT_TORNADO_AT: [number, number] = [0.1, 0.9];

export const pathsField = z.number().int().min(1).max(MAX_PATHS);
export const seedField = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const quantile = z.number().gt(0).lt(1);

export const sensitivityOptionsSchema = z
  .object({
    metric: z.string().min(1).max(200).default(DEFAULT_SENSITIVITY_METRIC).describe("runwayMonths, minCash, fundingGap, cashOut, breakeven, … or a line item in a period: revenue@2027, netIncome@2026-Q3, endingCash@2026-06"),
    at: z.tuple([quantile, quantile]).default(DEFAULT_TORNADO_AT).describe("the two quantiles (as fractions, lower first) each input is swung between in the tornado"),
    scenario: scenarioField,
    global: z.boolean().optional().describe(`also rank inputs by Spearman correlation over a Monte Carlo run (paths; default ${DEFAULT_GLOBAL_PATHS}); giving paths, seed or lhs turns it on`),
    paths: pathsField.optional().describe(`Monte Carlo paths for the global ranking (default ${DEFAULT_GLOBAL_PATHS})`),
    seed: seedField.optional().describe(`random seed for the global ranking (default ${DEFAULT_SEED})`),
    lhs: z.boolean().optional().describe("Latin hypercube sampling instead of plain Monte Carlo (global ranking)"),
  })
  .strict()
  .describe("Options of `burnrate sensitivity`");
export type SensitivityOptions = z.input<typeof sensitivityOptionsSchema>;

/** True when the options ask for the Monte Carlo ranking (a long-running job). */
export function wantsGlobalSensitivity(options: SensitivityOptions): boolean {
  return Boolean(options.global || options.paths !== undefined || options.seed !== undefined || options.lhs);
}

/**
 * Tornado, spider and (with `global`) Monte Carlo rank correlations of the uncertain
 * inputs against a metric: what `burnrate sensitivity --format json` prints. The global
 * run stops early on `context.signal` and then ranks the paths done (`global.partial`).
 */
export function sensitivityCommand(model: ModelText, options: SensitivityOptions = {}, context: CommandContext = {}): SensitivityReport {
  const wantsGlobal = wantsGlobalSensitivity(options);
  const n = options.paths ?? DEFAULT_GLOBAL_PATHS;
  const seed = options.seed ?? DEFAULT_SEED;
  const loaded = loadFor(model, scenarioOption(options.scenario), context);
  const compiled = compileModel(loaded.model, loaded.extensions);
  const spec = compileUncertainty(loaded, compiled);
  for (const issue of spec.warnings) context.onNotice?.({ kind: "issue", issue });
  const selector = parseMetricSelector(options.metric ?? DEFAULT_SENSITIVITY_METRIC, compiled);
  const onProgress = context.onProgress;
  return sensitivity(loaded, compiled, spec, selector, {
    at: options.at ?? DEFAULT_TORNADO_AT,
    global: wantsGlobal ? { n, seed, lhs: Boolean(options.lhs) } : null,
    signal: context.signal,
    onProgress: onProgress ? (done, total) => onProgress({ done, total, unit: "paths" }) : undefined,
  });
}
