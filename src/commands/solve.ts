import { z } from "zod";
import { compileModel } from "../engine/compile.js";
import { UsageError } from "../model/issues.js";
import { compileUncertainty } from "../uncertainty/spec.js";
import { parseTarget } from "../uncertainty/solveTarget.js";
import { solve, slotOfPath, parseBound, DEFAULT_SOLVE_PATHS, type SolveReport } from "../uncertainty/solve.js";
import { DEFAULT_SEED } from "../uncertainty/sensitivity.js";
import type { CommandContext, ModelText } from "./context.js";
import { loadFor, scenarioOption } from "./load.js";
import { scenarioField } from "./run.js";
import { pathsField, seedField } from "./sensitivity.js";

const bound = z.union([z.number().refine(Number.isFinite, "must be a finite number"), z.string().min(1).max(40)]);

export const solveOptionsSchema = z
  .object({
    vary: z.string().min(1).max(500).describe("dotted path of the input to change, e.g. financing.equity.seriesF.amount (month inputs take months YYYY-MM)"),
    target: z.string().min(1).max(500).describe("'minCash >= 0', 'breakeven <= 2027-12', 'revenue@2027 >= 5400', 'P(cashOut) <= 0.05', 'p90(fundingGap) <= 0'"),
    between: z.tuple([bound, bound]).optional().describe("search between A and B (numbers, or months YYYY-MM for month inputs); default: outward from the current value"),
    scenario: scenarioField,
    paths: pathsField.optional().describe(`Monte Carlo paths per trial for statistical targets (default ${DEFAULT_SOLVE_PATHS})`),
    seed: seedField.optional().describe(`random seed for statistical targets (default ${DEFAULT_SEED}); every trial uses the same samples`),
    lhs: z.boolean().optional().describe("Latin hypercube sampling instead of plain Monte Carlo (statistical targets)"),
    tolerance: z.number().positive().refine(Number.isFinite, "must be a finite number").optional().describe("stop when the bracket is this narrow (the input's unit)"),
  })
  .strict()
  .describe("Options of `burnrate solve`");
/** `between` may hold any number of values here (the CLI passes what it was given); two are needed. */
export type SolveOptions = Omit<z.input<typeof solveOptionsSchema>, "between"> & { between?: (number | string)[] };

/** Statistical targets (P(…), pNN(…), median(…), mean(…)) run Monte Carlo paths per trial: a long-running job. */
export function isStatisticalTarget(target: string): boolean {
  return /^\s*(P|median|mean|p\d+(\.\d+)?)\s*\(/.test(target);
}

/**
 * Goal seek: the value of one input at which a target just holds — what `burnrate solve
 * --format json` prints (`found: false` when no value in the range meets it; the CLI then
 * exits 1). Stops between trials on `context.signal` (the report is then `partial`).
 */
export function solveCommand(model: ModelText, options: SolveOptions, context: CommandContext = {}): SolveReport {
  const loaded = loadFor(model, scenarioOption(options.scenario), context);
  const compiled = compileModel(loaded.model, loaded.extensions);
  const slot = slotOfPath(compiled, options.vary);
  const isMonth = compiled.table.kinds[slot] === "month";
  let between: [number, number] | null = null;
  if (options.between) {
    const parts = options.between.map((b) => String(b).trim()).filter((s) => s !== "");
    if (parts.length !== 2) throw new UsageError("bad_between", `--between takes two values, A B or A,B (got ${parts.length})`);
    between = [parseBound(compiled, parts[0], isMonth, options.vary), parseBound(compiled, parts[1], isMonth, options.vary)];
  }
  const target = parseTarget(options.target, compiled);
  const statistical = target.kind !== "value";
  if (!statistical && (options.paths !== undefined || options.seed !== undefined)) {
    context.onNotice?.({ kind: "note", message: "-n and --seed apply to statistical targets (P(…), pNN(…), mean(…)); this target is deterministic" });
  }
  const spec = statistical ? compileUncertainty(loaded, compiled) : null;
  for (const issue of spec?.warnings ?? []) context.onNotice?.({ kind: "issue", issue });
  const onProgress = context.onProgress;
  return solve(loaded, compiled, spec, options.vary, target, {
    between,
    n: options.paths,
    seed: options.seed,
    tolerance: options.tolerance,
    lhs: Boolean(options.lhs),
    signal: context.signal,
    onProgress: onProgress ? (evaluations) => onProgress({ done: evaluations, total: null, unit: "trials" }) : undefined,
  });
}
