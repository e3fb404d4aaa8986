import { z } from "zod";
import { projectModel, type ModelRunResult } from "../projectModel.js";
import type { CommandContext, ModelText } from "./context.js";
import { loadFor, scenarioOption } from "./load.js";

/** A scenario defined in the model (its `extends` chain applies first). */
export const scenarioField = z.string().min(1).max(200).optional().describe("apply a scenario defined in the model");

export const runOptionsSchema = z
  .object({ scenario: scenarioField })
  .strict()
  .describe("Options of `burnrate run`");
export type RunOptions = z.input<typeof runOptionsSchema>;

/** Projects a model: what `burnrate run --format json` prints (statements by month, quarter and year; metrics; checks). */
export function runCommand(model: ModelText, options: RunOptions = {}, context: CommandContext = {}): ModelRunResult {
  return projectModel(loadFor(model, scenarioOption(options.scenario), context));
}
