import { z } from "zod";
import { listSources, type SourceListing } from "../targets/index.js";
import type { CommandContext, ModelText } from "./context.js";
import { loadFor } from "./load.js";

export const sourcesOptionsSchema = z.object({}).strict().describe("Options of `burnrate sources` (none)");
export type SourcesOptions = z.input<typeof sourcesOptionsSchema>;

/** Every input with its citation, flagging those with neither a source nor an assumption: what `burnrate sources --format json` prints. */
export function sourcesCommand(model: ModelText, _options: SourcesOptions = {}, context: CommandContext = {}): SourceListing {
  const loaded = loadFor(model, {}, context);
  return listSources(loaded, context.register?.(loaded) ?? null);
}
