import { Command, CommanderError } from "commander";
import { processIO, type CliIO } from "./io.js";
import { reportError, EXIT_OK, EXIT_FAILURE } from "./errors.js";
import { terminalSafe } from "../model/text.js";
import { registerCheck } from "./commands/check.js";
import { registerRun } from "./commands/run.js";
import { registerSimulate } from "./commands/simulate.js";
import { registerSensitivity } from "./commands/sensitivity.js";
import { registerSolve } from "./commands/solve.js";
import { registerVerify } from "./commands/verify.js";
import { registerSources } from "./commands/sources.js";
import { registerCompare } from "./commands/compare.js";
import { registerCohorts } from "./commands/cohorts.js";
import { registerBuildVsRent } from "./commands/build-vs-rent.js";
import { registerSector } from "./commands/sector.js";
import { registerServe } from "./commands/serve.js";
import { registerExport } from "./commands/export.js";
import { registerActuals } from "./commands/actuals.js";
import { registerSystem } from "./commands/system.js";
import { setTableWidth } from "./format.js";
import { parseWhole } from "./options.js";
import { UsageError } from "../model/issues.js";

/** Commands that print tables: they take --width (default: the terminal's width). */
const TABLE_COMMANDS = new Set(["run", "simulate", "sensitivity", "verify", "sources", "compare", "cohorts", "build-vs-rent", "sector"]);

export const VERSION = "0.1.0";

/**
 * Commander's output: its messages quote the user's arguments (control characters escaped),
 * and help never has colours, whatever FORCE_COLOR says (stdout is the same everywhere).
 */
function output(io: CliIO) {
  return { writeOut: (s: string) => io.out(terminalSafe(s)), writeErr: (s: string) => io.err(terminalSafe(s)), getOutHasColors: () => false, getErrHasColors: () => false };
}

/** Builds the command-line program around an IO object (tests pass their own). */
export function createProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name("burnrate")
    .description("Model, stress-test and watch the finances of capital-hungry AI-infrastructure companies.")
    .version(VERSION)
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput(output(io));
  registerCheck(program, io, setExit);
  registerRun(program, io);
  registerSimulate(program, io, setExit);
  registerSensitivity(program, io);
  registerSolve(program, io, setExit);
  registerVerify(program, io, setExit);
  registerSources(program, io, setExit);
  registerCompare(program, io, setExit);
  registerCohorts(program, io);
  registerBuildVsRent(program, io);
  registerSector(program, io);
  registerServe(program, io);
  registerExport(program, io);
  registerActuals(program, io, setExit);
  registerSystem(program, io, setExit);
  program
    .command("schema")
    .description("print the JSON Schema of model files (for editor completion); --system: of system files")
    .option("--system", "the schema of system files (burnrate system …) instead of model files")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action(async (options: { system?: boolean; out?: string }) => {
      const schema = options.system ? (await import("../system/schema.js")).systemJsonSchema() : (await import("../fullSchema.js")).fullModelJsonSchema();
      const text = JSON.stringify(schema, null, 2) + "\n";
      if (options.out) io.writeFile(options.out, text);
      else io.out(text);
    });
  for (const command of program.commands) {
    command.exitOverride().configureOutput(output(io));
    if (TABLE_COMMANDS.has(command.name())) command.option("--width <columns>", "fit tables in this many columns, splitting them into column groups (default: the terminal's width; none when writing to a file or a pipe)");
  }
  program.hook("preAction", async (_program, action) => {
    // zod compiles a validator for each object schema on its first parse (new Function): it
    // pays off in a server that validates many times and costs a command that validates a
    // model once (xai.yaml: 35 → 17 ms). Same checks, same issues either way; the flag must
    // be set before the schemas are built, which happens in the action's lazy imports.
    if (action.name() !== "serve") (await import("zod")).config({ jitless: true });
    const width = action.opts().width as string | undefined;
    if (width === undefined) return setTableWidth(io.columns ?? null);
    const n = parseWhole(width, "--width");
    if (n < 20) throw new UsageError("bad_option", `--width must be at least 20 columns (got ${n})`);
    setTableWidth(n);
  });
  return program;
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let code = EXIT_OK;
  setTableWidth(null);
  const program = createProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (unknown option, missing argument, help).
      return error.exitCode === 0 ? EXIT_OK : EXIT_FAILURE;
    }
    return reportError(error, io);
  }
}
