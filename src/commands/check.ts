import { z } from "zod";
import { checkAllScenarios } from "../model/load.js";
import { ModelError, type ModelIssue } from "../model/issues.js";
import { compileModel } from "../engine/compile.js";
import { evaluate } from "../engine/project.js";
import { checkProjection } from "../engine/checks.js";
import { uncitedInputs } from "../model/sources.js";
import { checkTargets } from "../targets/validate.js";
import { checkUncertainty } from "../uncertainty/spec.js";
import { checkCitations } from "../register/check.js";
import { checkCaveats } from "../caveats/index.js";
import { checkActualsSection } from "../actuals/index.js";
import type { CommandContext, ModelText } from "./context.js";
import { issueJson, type IssueJson } from "./issues.js";
import { loadFor, DEFAULT_FILE_NAME } from "./load.js";

export const checkOptionsSchema = z
  .object({
    strict: z.boolean().optional().describe("also fail when an input has neither a source nor an assumption, a citation names no register entry (or one the register lacks), an input is not the figure it cites and does not say how it was derived, or a target has no kind"),
  })
  .strict()
  .describe("Options of `burnrate check`");
export type CheckOptions = z.input<typeof checkOptionsSchema>;

/** What `burnrate check --format json` prints. */
export interface CheckReport {
  file: string;
  /** No errors: the model loads under every scenario and its base case projects. */
  valid: boolean;
  strict: boolean;
  /** meta.company; null when the file does not load. */
  model: string | null;
  /** Number of scenarios; null when the file does not load. */
  scenarios: number | null;
  errors: number;
  warnings: number;
  /** Every problem found, errors and warnings, with positions. */
  issues: IssueJson[];
}

/**
 * Validates a model, every scenario in it, its targets and its uncertain inputs (and,
 * with `strict`, that every input is cited); a model that loads is also projected once
 * so that its accounting identities are checked. Problems are returned, not thrown.
 */
export function checkCommand(model: ModelText, options: CheckOptions = {}, context: CommandContext = {}): CheckReport {
  const strict = Boolean(options.strict);
  const file = model.file ?? DEFAULT_FILE_NAME;
  const report = (issues: ModelIssue[], company: string | null, scenarios: number | null): CheckReport => {
    const errors = issues.filter((i) => i.severity === "error").length;
    return { file, valid: errors === 0, strict, model: company, scenarios, errors, warnings: issues.length - errors, issues: issues.map(issueJson) };
  };
  let loaded;
  try {
    loaded = loadFor(model, {}, context);
  } catch (error) {
    if (error instanceof ModelError) return report(error.issues, null, null);
    throw error;
  }
  const compiled = compileModel(loaded.model, loaded.extensions);
  let register = null;
  try {
    register = context.register?.(loaded) ?? null;
  } catch (error) {
    if (error instanceof ModelError) return report(error.issues, loaded.model.meta.company, Object.keys(loaded.model.scenarios).length);
    throw error;
  }
  const issues: ModelIssue[] = [
    ...loaded.warnings,
    ...checkAllScenarios(loaded),
    ...checkTargets(loaded, strict),
    ...checkUncertainty(loaded, compiled, strict),
    ...checkCaveats(loaded),
    ...checkActualsSection(loaded),
    ...checkCitations(loaded, register, strict),
  ];
  if (strict) {
    for (const input of uncitedInputs(loaded)) {
      issues.push({
        code: "uncited_input",
        path: input.path,
        severity: "error",
        message: `${input.path.join(".")} = ${JSON.stringify(input.value)} has neither a source nor an assumption; add \`source:\` (publication, address, date) or \`assumption:\` (why) to it or to the object around it`,
        position: loaded.source.valuePosition(input.path),
        params: { path: input.path.join(".") },
      });
    }
  }
  const scenarios = Object.keys(loaded.model.scenarios).length;
  if (issues.some((i) => i.severity === "error")) return report(issues, loaded.model.meta.company, scenarios);
  // A model that loads must also project: run the base case and the identities once.
  checkProjection(evaluate(compiled));
  return report(issues, loaded.model.meta.company, scenarios);
}
