import { z } from "zod";
import { projectModel } from "../projectModel.js";
import { compareRuns, type Comparison } from "../targets/index.js";
import type { CommandContext, ModelText } from "./context.js";
import { loadFor, scenarioOption } from "./load.js";

/** One model (optionally under a scenario) to put beside others, under a label. */
export interface LabelledRun {
  /** Column heading; must be unique among the runs. */
  label: string;
  model: ModelText;
  scenario?: string | null;
}

export const compareOptionsSchema = z.object({}).strict().describe("Options of `burnrate compare` (none)");
export type CompareOptions = z.input<typeof compareOptionsSchema>;

/** Models, or scenarios of one model, side by side by fiscal year: what `burnrate compare --format json` prints. */
export function compareCommand(runs: LabelledRun[], _options: CompareOptions = {}, context: CommandContext = {}): Comparison {
  const inputs = runs.map((run) => ({ label: run.label, result: projectModel(loadFor(run.model, scenarioOption(run.scenario), context)) }));
  const comparison = compareRuns(inputs);
  for (const message of comparison.warnings) context.onNotice?.({ kind: "warning", message });
  return comparison;
}
