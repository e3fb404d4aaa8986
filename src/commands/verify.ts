import { z } from "zod";
import { projectModel } from "../projectModel.js";
import { evaluateTargets, readTargets, type TargetReport, type TargetKind, type TargetTally } from "../targets/index.js";
import type { Caveat } from "../caveats/index.js";
import { ModelError } from "../model/issues.js";
import type { CommandContext, ModelText } from "./context.js";
import { loadFor, scenarioOption } from "./load.js";
import { scenarioField } from "./run.js";

export const verifyOptionsSchema = z
  .object({ scenario: scenarioField.describe("run a scenario and check the targets written for it") })
  .strict()
  .describe("Options of `burnrate verify`");
export type VerifyOptions = z.input<typeof verifyOptionsSchema>;

/**
 * What `burnrate verify --format json` prints: {model, scenario, targets: [...], passed, failed,
 * explained, calibration, checks, skipped, caveats}. Each target says its `kind` (calibration:
 * an input was set from it; check: independent), `status` (pass, fail, or explained: a check
 * outside its tolerance whose gap a named caveat explains) and the caveats that qualify it.
 */
export interface VerifyOutput {
  model: string;
  file: string;
  scenario: string | null;
  currency: string;
  unit: string;
  targets: (Pick<TargetReport["targets"][number], "name" | "metric" | "period" | "compare" | "reported" | "model" | "difference" | "relativeDifference" | "tolerance" | "pass" | "status" | "calibrates" | "caveats" | "source" | "assumption" | "derivation" | "note" | "explanation"> & { kind: TargetKind })[];
  passed: number;
  failed: number;
  explained: number;
  calibration: TargetTally;
  checks: TargetTally;
  skipped: TargetReport["skipped"];
  caveats: Caveat[];
}

/** The documented JSON shape of a target report. */
export function verifyOutput(report: TargetReport): VerifyOutput {
  return {
    model: report.model,
    file: report.file,
    scenario: report.scenario,
    currency: report.currency,
    unit: report.unit,
    targets: report.targets.map((t) => ({
      name: t.name,
      metric: t.metric,
      period: t.period,
      compare: t.compare,
      reported: t.reported,
      model: t.model,
      difference: t.difference,
      relativeDifference: t.relativeDifference,
      tolerance: t.tolerance,
      pass: t.pass,
      status: t.status,
      kind: t.targetKind,
      calibrates: t.calibrates,
      caveats: t.caveats,
      source: t.source,
      assumption: t.assumption,
      derivation: t.derivation,
      note: t.note,
      explanation: t.explanation,
    })),
    passed: report.passed,
    failed: report.failed,
    explained: report.explained,
    calibration: report.calibration,
    checks: report.checks,
    skipped: report.skipped,
    caveats: report.caveats,
  };
}

/**
 * Compares a model with its calibration targets. Returns the full report (the CLI's
 * table reads its labels); `verifyOutput(report)` is the JSON shape. Malformed targets
 * throw a ModelError before anything is projected.
 */
export function verifyReport(model: ModelText, options: VerifyOptions = {}, context: CommandContext = {}): TargetReport {
  const loaded = loadFor(model, scenarioOption(options.scenario), context);
  const { issues } = readTargets(loaded);
  if (issues.some((i) => i.severity === "error")) throw new ModelError(issues);
  const report = evaluateTargets(loaded, projectModel(loaded));
  for (const issue of report.warnings) context.onNotice?.({ kind: "issue", issue });
  return report;
}

/** What `burnrate verify --format json` prints. A model without targets gives an empty list (the CLI then exits 1). */
export function verifyCommand(model: ModelText, options: VerifyOptions = {}, context: CommandContext = {}): VerifyOutput {
  return verifyOutput(verifyReport(model, options, context));
}
