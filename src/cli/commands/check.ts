import type { Command } from "commander";
import { formatIssue, ModelError } from "../../model/issues.js";
import type { CheckReport } from "../../commands/check.js";
import type { CliIO } from "../io.js";
import { EXIT_FAILURE, EXIT_OK } from "../errors.js";
import { choice } from "../options.js";
import { emit } from "./run.js";
import { isSystemText } from "../../system/detect.js";

const FORMATS = ["text", "json"] as const;

export function registerCheck(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("check")
    .description("validate a model file or a system file (and every scenario in it); print every problem as FILE:LINE:COL")
    .argument("<file>", "model file (.yaml or .json)")
    .option("--strict", "also fail when an input has neither a source nor an assumption, a citation names no entry of the source register (or one it lacks), an input is not the figure it cites and does not say how it was derived, or a target has no kind")
    .option("-f, --format <format>", "text | json (every issue with code, path, line, column, message)", "text")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action(async (file: string, options: { strict?: boolean; format: string; out?: string }) => {
      const [{ readModel }, { checkCommand }, { issueFromJson }, { loadRegisterFor }] = await Promise.all([import("../../node/loadFile.js"), import("../../commands/check.js"), import("../../commands/issues.js"), import("../../node/loadRegister.js")]);
      const format = choice(options.format, FORMATS, "--format");
      const model = readModel(file);
      // A system file (companies linked together) is checked with its company models.
      const report = isSystemText(model.text) ? (await import("../../system/checkFile.js")).checkSystemFile(model, { strict: options.strict }) : checkCommand(model, { strict: options.strict }, { register: loadRegisterFor });
      if (format === "json") {
        emit(io, JSON.stringify(report, null, 2) + "\n", options.out);
        setExit(report.valid ? EXIT_OK : EXIT_FAILURE);
        return;
      }
      if (!report.valid) throw new ModelError(report.issues.map(issueFromJson));
      for (const issue of report.issues) io.err(formatIssue(issueFromJson(issue)) + "\n");
      emit(io, checkText(report), options.out);
      setExit(EXIT_OK);
    });
}

export function checkText(report: CheckReport): string {
  const scenarios = report.scenarios ?? 0;
  return `${report.file}: ok (${report.model}; ${scenarios} scenario${scenarios === 1 ? "" : "s"}${report.strict ? "; every input sourced" : ""})\n`;
}
