import { z } from "zod";
import { projectModel } from "../projectModel.js";
import { compareActuals, parseActuals, type ActualsReport, type ActualsSet } from "../actuals/index.js";
import { parseActualsText } from "../actuals/text.js";
import { checkCitedFigure, entryAddressText } from "../register/index.js";
import { ModelError, UsageError } from "../model/issues.js";
import type { CommandContext, ModelText } from "./context.js";
import { loadFor, scenarioOption } from "./load.js";
import { scenarioField } from "./run.js";

export const actualsOptionsSchema = z
  .object({
    scenario: scenarioField,
    actuals: z
      .object({
        text: z.string().describe("the actuals: YAML/JSON ({actuals: [...]}) or CSV (metric,period,value,source,…)"),
        file: z.string().optional().describe("its name, for positions; a name ending in .csv is read as CSV"),
        format: z.enum(["yaml", "csv"]).optional(),
      })
      .strict()
      .optional()
      .describe("reported figures; default: the model's own `actuals:` section"),
    threshold: z.number().min(0).optional().describe("flag figures further than this fraction from plan (default 0.10, or the file's threshold)"),
    reforecast: z.boolean().optional().describe("roll the model forward from the last reported period: reported balances (cash, debt) at that month, the rest of the plan unchanged"),
  })
  .strict()
  .describe("Options of `burnrate actuals`");
export type ActualsOptions = z.input<typeof actualsOptionsSchema>;

/** What `burnrate actuals --format json` prints: the report, the reforecast's forward figures (not its whole run), and where each cited register entry can be read. */
export type ActualsOutput = Omit<ActualsReport, "reforecast"> & {
  reforecast: Omit<NonNullable<ActualsReport["reforecast"]>, "result"> | null;
  sources: { id: string; address: string; confidence: string }[];
};

/** The full report (the reforecast keeps its whole run) and the register entries the actuals cite. */
export function actualsReport(model: ModelText, options: ActualsOptions = {}, context: CommandContext = {}): { report: ActualsReport; sources: ActualsOutput["sources"] } {
  const loaded = loadFor(model, scenarioOption(options.scenario), context);
  let set: ActualsSet;
  if (options.actuals) set = parseActualsText(options.actuals.text, options.actuals.file ?? "<actuals>", loaded, options.actuals.format);
  else {
    if (loaded.extensions.actuals === undefined) throw new UsageError("no_actuals", `${loaded.file} has no \`actuals:\` section; give reported figures with --actuals FILE (YAML or CSV)`);
    const parsed = parseActuals(loaded.extensions.actuals, loaded, loaded.file);
    if (parsed.issues.some((i) => i.severity === "error")) throw new ModelError(parsed.issues.map((i) => ({ ...i, position: loaded.source.valuePosition(i.path) })));
    set = parsed.set;
  }
  if (set.actuals.length === 0) throw new UsageError("no_actuals", `${set.origin}: no reported figures to compare`);
  const register = context.register?.(loaded) ?? null;
  if (register) {
    for (const a of set.actuals) {
      const { unknown, mismatch } = checkCitedFigure(register, a, loaded.model.meta.unit);
      if (unknown.length) throw new UsageError("unknown_register_id", `${set.origin}: actual ${a.name} cites ${unknown.join(", ")}, which ${unknown.length === 1 ? "is" : "are"} not in the source register ${register.file}`);
      if (mismatch) context.onNotice?.({ kind: "warning", message: `${set.origin}: actual ${a.name}: ${mismatch}` });
    }
  }
  const report = compareActuals(loaded, projectModel(loaded), set, { threshold: options.threshold, reforecast: Boolean(options.reforecast), project: projectModel });
  for (const message of report.warnings) context.onNotice?.({ kind: "warning", message });
  const ids = [...new Set(report.rows.flatMap((r) => r.ids))];
  const sources = register
    ? ids.flatMap((id) => {
        const e = register.entries.get(id);
        return e ? [{ id, address: entryAddressText(e), confidence: e.confidence }] : [];
      })
    : [];
  return { report, sources };
}

/** The JSON shape of an actuals report. */
export function actualsOutput(report: ActualsReport, sources: ActualsOutput["sources"]): ActualsOutput {
  const { reforecast, ...rest } = report;
  return { ...rest, reforecast: reforecast ? { metrics: reforecast.metrics, adjustments: reforecast.adjustments, cash: reforecast.cash } : null, sources };
}

/** Reported figures against the plan: what `burnrate actuals --format json` prints. */
export function actualsCommand(model: ModelText, options: ActualsOptions = {}, context: CommandContext = {}): ActualsOutput {
  const { report, sources } = actualsReport(model, options, context);
  return actualsOutput(report, sources);
}
