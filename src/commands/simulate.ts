import { z } from "zod";
import { simulate, MAX_PATHS } from "../uncertainty/simulate.js";
import type { SimulationResult } from "../uncertainty/summary.js";
import type { CommandContext, ModelText } from "./context.js";
import { loadFor, scenarioOption, DEFAULT_FILE_NAME } from "./load.js";
import { scenarioField } from "./run.js";
import { seedField } from "./sensitivity.js";

import { DEFAULT_SIMULATION_PATHS, DEFAULT_SIMULATION_SEED } from "./defaults.js";
export { DEFAULT_SIMULATION_PATHS, DEFAULT_SIMULATION_SEED };
export const MAX_KEEP_PATHS = 10_000;

export const simulateOptionsSchema = z
  .object({
    paths: z.number().int().min(1).max(MAX_PATHS).default(DEFAULT_SIMULATION_PATHS).describe("number of paths"),
    seed: seedField.default(DEFAULT_SIMULATION_SEED).describe("random seed (same model + seed = same results)"),
    threads: z.union([z.number().int().min(1).max(256), z.literal("auto")]).default(1).describe("worker threads, or auto (results are the same whatever the number)"),
    lhs: z.boolean().optional().describe("Latin hypercube sampling instead of plain Monte Carlo"),
    scenario: scenarioField.describe("apply a scenario first"),
    keepPaths: z.number().int().min(0).max(MAX_KEEP_PATHS).default(0).describe("keep the first K sampled paths (for fan charts)"),
    detail: z.enum(["year", "month"]).default("month").describe("periods reported: fiscal years, or months too (month; 600 more numbers collected per path)"),
    maxInvalidPaths: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe("share of invalid paths (NaN, or a sampled input or formula value outside its key's range) above which the run counts as failed: invalidPaths.exceeded (the CLI exits 1); default 0, any"),
  })
  .strict()
  .describe("Options of `burnrate simulate`");
export type SimulateOptions = z.input<typeof simulateOptionsSchema>;

/**
 * Monte Carlo over the model's uncertain inputs: what `burnrate simulate --format json`
 * prints. On `context.signal` it stops between blocks and returns the paths done
 * (`partial: true`), as the CLI does on Ctrl-C.
 */
export async function simulateCommand(model: ModelText, options: SimulateOptions = {}, context: CommandContext = {}): Promise<SimulationResult> {
  const file = model.file ?? DEFAULT_FILE_NAME;
  const loaded = loadFor(model, scenarioOption(options.scenario), context);
  const onProgress = context.onProgress;
  const result = await simulate(loaded, {
    paths: options.paths ?? DEFAULT_SIMULATION_PATHS,
    seed: options.seed ?? DEFAULT_SIMULATION_SEED,
    threads: options.threads ?? 1,
    lhs: options.lhs,
    keepPaths: options.keepPaths ?? 0,
    detail: options.detail ?? "month",
    onProgress: onProgress ? (done, total) => onProgress({ done, total, unit: "paths" }) : undefined,
    signal: context.signal,
  });
  const limit = options.maxInvalidPaths ?? 0;
  result.invalidPaths.limit = limit;
  result.invalidPaths.exceeded = result.invalidPaths.count > 0 && result.invalidPaths.share > limit;
  return result;
}
