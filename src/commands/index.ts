/**
 * One pure function per CLI command: model text(s) and typed options in, exactly the
 * object `--format json` prints out. The CLI renders these objects as tables and CSV;
 * the server returns them as JSON; both share the options' zod schemas (the API's
 * request schemas and its OpenAPI document). Bad input throws the core's typed errors:
 * ModelError (positioned issues), UsageError (a code and a message), EngineError.
 *
 * No command reads or writes files. Every module here except `simulate` (worker threads)
 * runs in a browser too; import a command's own module there.
 */
import type { z } from "zod";
import { checkCommand, checkOptionsSchema } from "./check.js";
import { runCommand, runOptionsSchema } from "./run.js";
import { verifyCommand, verifyOptionsSchema } from "./verify.js";
import { sourcesCommand, sourcesOptionsSchema } from "./sources.js";
import { compareCommand, compareOptionsSchema, type LabelledRun } from "./compare.js";
import { sensitivityCommand, sensitivityOptionsSchema } from "./sensitivity.js";
import { solveCommand, solveOptionsSchema } from "./solve.js";
import { simulateCommand, simulateOptionsSchema } from "./simulate.js";
import { cohortsCommand, cohortsOptionsSchema } from "./cohorts.js";
import { buildVsRentCommand, buildVsRentOptionsSchema } from "./buildVsRent.js";
import { sectorCommand, sectorOptionsSchema } from "./sector.js";
import { actualsCommand, actualsOptionsSchema } from "./actuals.js";
import type { CommandContext, ModelText } from "./context.js";

export type { CommandContext, ModelText, Notice, Progress } from "./context.js";
export { issueJson, issueFromJson, type IssueJson } from "./issues.js";
export { loadFor, DEFAULT_FILE_NAME } from "./load.js";
export { checkCommand, checkOptionsSchema, type CheckOptions, type CheckReport } from "./check.js";
export { runCommand, runOptionsSchema, scenarioField, type RunOptions } from "./run.js";
export { verifyCommand, verifyReport, verifyOutput, verifyOptionsSchema, type VerifyOptions, type VerifyOutput } from "./verify.js";
export { sourcesCommand, sourcesOptionsSchema, type SourcesOptions } from "./sources.js";
export { compareCommand, compareOptionsSchema, type CompareOptions, type LabelledRun } from "./compare.js";
export { sensitivityCommand, sensitivityOptionsSchema, wantsGlobalSensitivity, DEFAULT_SENSITIVITY_METRIC, DEFAULT_TORNADO_AT, type SensitivityOptions } from "./sensitivity.js";
export { solveCommand, solveOptionsSchema, isStatisticalTarget, type SolveOptions } from "./solve.js";
export { simulateCommand, simulateOptionsSchema, DEFAULT_SIMULATION_PATHS, DEFAULT_SIMULATION_SEED, type SimulateOptions } from "./simulate.js";
export { cohortsCommand, cohortsOptionsSchema, DEFAULT_DISCOUNT_RATE, type CohortsOptions, type CohortsOutput } from "./cohorts.js";
export { buildVsRentCommand, buildVsRentOptionsSchema, TERMINALS, type BuildVsRentOptions, type BuildVsRentOutput, type BuildVsRentHead } from "./buildVsRent.js";
export { sectorCommand, sectorOutput, sectorOptionsSchema, type SectorOptions, type SectorOutput } from "./sector.js";
export { actualsCommand, actualsReport, actualsOutput, actualsOptionsSchema, type ActualsOptions, type ActualsOutput } from "./actuals.js";

export const COMMAND_NAMES = ["check", "run", "verify", "sources", "compare", "sensitivity", "solve", "simulate", "cohorts", "build-vs-rent", "sector", "actuals"] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

interface CommandSpecBase {
  name: CommandName;
  summary: string;
  options: z.ZodObject;
  /** Long-running: the server runs it as a job in a worker thread (progress, cancel, time limit). */
  job: boolean;
}
/** A command on one model. */
export interface ModelCommandSpec extends CommandSpecBase {
  input: "model";
  run(model: ModelText, options: never, context: CommandContext): unknown;
}
/** A command on several labelled models (compare, sector). */
export interface RunsCommandSpec extends CommandSpecBase {
  input: "runs";
  run(runs: LabelledRun[], options: never, context: CommandContext): unknown;
}
export type CommandSpec = ModelCommandSpec | RunsCommandSpec;

/** Every command, with its options schema and how it runs. */
export const COMMANDS: Record<CommandName, CommandSpec> = {
  check: { name: "check", summary: "validate a model and every scenario in it; every problem with its position", options: checkOptionsSchema, job: false, input: "model", run: checkCommand },
  run: { name: "run", summary: "project a model: income statement, cash flow, balance sheet and metrics", options: runOptionsSchema, job: false, input: "model", run: runCommand },
  verify: { name: "verify", summary: "compare a model with its calibration targets (reported figures)", options: verifyOptionsSchema, job: false, input: "model", run: verifyCommand },
  sources: { name: "sources", summary: "every input with its source or assumption, flagging those with neither", options: sourcesOptionsSchema, job: false, input: "model", run: sourcesCommand },
  compare: { name: "compare", summary: "models, or scenarios of one model, side by side by fiscal year", options: compareOptionsSchema, job: false, input: "runs", run: compareCommand },
  sensitivity: { name: "sensitivity", summary: "tornado, spider and Monte Carlo rank correlations of the uncertain inputs against a metric", options: sensitivityOptionsSchema, job: true, input: "model", run: sensitivityCommand },
  solve: { name: "solve", summary: "goal seek: the value of one input at which a target just holds", options: solveOptionsSchema, job: true, input: "model", run: solveCommand },
  simulate: { name: "simulate", summary: "Monte Carlo over the uncertain inputs: percentiles, odds of running out of cash, funding gap", options: simulateOptionsSchema, job: true, input: "model", run: simulateCommand },
  cohorts: { name: "cohorts", summary: "GPU cohort economics: IRR, NPV, payback, break-even GPU-hour price; sites, contracts, site delays", options: cohortsOptionsSchema, job: false, input: "model", run: cohortsCommand },
  "build-vs-rent": { name: "build-vs-rent", summary: "own the GPU fleet and sites or rent the same GPU-hours: NPVs, cash peaks, break-even rent", options: buildVsRentOptionsSchema, job: false, input: "model", run: buildVsRentCommand },
  actuals: { name: "actuals", summary: "reported figures against the plan: variance, flags, what the miss does to the forward metrics; optionally the plan rolled forward from them", options: actualsOptionsSchema, job: false, input: "model", run: actualsCommand },
  sector: { name: "sector", summary: "several companies side by side by fiscal year, with flags", options: sectorOptionsSchema, job: false, input: "runs", run: sectorCommand },
};

export function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}
