import type { Command } from "commander";
import { loadModelFile } from "../../node/loadFile.js";
import { checkAllScenarios } from "../../model/load.js";
import { formatIssue, ModelError, type ModelIssue } from "../../model/issues.js";
import { compileModel } from "../../engine/compile.js";
import { evaluate } from "../../engine/project.js";
import { checkProjection } from "../../engine/checks.js";
import type { CliIO } from "../io.js";
import { EXIT_FAILURE, EXIT_OK } from "../errors.js";
import { uncitedInputs } from "../../model/sources.js";
import { checkTargets } from "../../targets/validate.js";
import { checkUncertainty } from "../../uncertainty/spec.js";

export function registerCheck(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("check")
    .description("validate a model file (and every scenario in it); print every problem as FILE:LINE:COL")
    .argument("<file>", "model file (.yaml or .json)")
    .option("--strict", "also fail when an input has neither a source nor an assumption")
    .action((file: string, options: { strict?: boolean }) => {
      const loaded = loadModelFile(file);
      const compiled = compileModel(loaded.model, loaded.extensions);
      const issues: ModelIssue[] = [...loaded.warnings, ...checkAllScenarios(loaded), ...checkTargets(loaded), ...checkUncertainty(loaded, compiled, Boolean(options.strict))];
      if (options.strict) {
        for (const input of uncitedInputs(loaded)) {
          issues.push({
            code: "uncited_input",
            path: input.path,
            severity: "error",
            message: `${input.path.join(".")} = ${JSON.stringify(input.value)} has neither a source nor an assumption; add \`source:\` (publication, address, date) or \`assumption:\` (why) to it or to the object around it`,
            position: loaded.source.valuePosition(input.path),
          });
        }
      }
      const errors = issues.filter((i) => i.severity === "error");
      if (errors.length > 0) throw new ModelError(issues);
      // A model that loads must also project: run the base case and the identities once.
      checkProjection(evaluate(compiled));
      for (const issue of issues) io.err(formatIssue(issue) + "\n");
      const scenarios = Object.keys(loaded.model.scenarios).length;
      io.out(`${loaded.file}: ok (${loaded.model.meta.company}; ${scenarios} scenario${scenarios === 1 ? "" : "s"}${options.strict ? "; every input sourced" : ""})\n`);
      setExit(EXIT_OK);
    });
  void EXIT_FAILURE;
}
