import { z } from "zod";
import { compileModel } from "../engine/compile.js";
import { evaluate } from "../engine/project.js";
import { sectorModel, type SectorModel } from "../gpu/index.js";
import { formatPercent } from "../cli/format.js";
import type { CommandContext } from "./context.js";
import type { LabelledRun } from "./compare.js";
import { loadFor, scenarioOption } from "./load.js";

export const sectorOptionsSchema = z.object({}).strict().describe("Options of `burnrate sector` (none)");
export type SectorOptions = z.input<typeof sectorOptionsSchema>;

/** What `burnrate sector --format json` prints. */
export interface SectorOutput {
  models: (SectorModel & { label: string })[];
  flags: { label: string; company: string; year: string; flag: string; detail: string }[];
}

// The flags' wording uses the CLI's percentages (one decimal, "–" when undefined).
const percent = (v: number | null) => formatPercent(v);

export function sectorOutput(models: { label: string; model: SectorModel }[]): SectorOutput {
  const flags: SectorOutput["flags"] = [];
  for (const { label, model } of models) {
    for (const y of model.years) {
      for (const flag of y.flags) {
        const detail = flag.startsWith("investment") ? `capex ${percent(y.capexGrowth)} vs revenue ${percent(y.revenueGrowth)}` : `capacity ${percent(y.capacityGrowth)} vs backlog ${percent(y.backlogGrowth)}`;
        flags.push({ label, company: model.company, year: y.year, flag, detail });
      }
    }
  }
  return { models: models.map(({ label, model }) => ({ label, ...model })), flags };
}

/** Several companies side by side by fiscal year, with flags (seed 002 ¶2–¶3). */
export function sectorCommand(runs: LabelledRun[], _options: SectorOptions = {}, context: CommandContext = {}): SectorOutput {
  return sectorOutput(
    runs.map((run) => {
      const loaded = loadFor(run.model, scenarioOption(run.scenario), context);
      return { label: run.label, model: sectorModel(evaluate(compileModel(loaded.model, loaded.extensions)), loaded.scenario) };
    }),
  );
}
