import type { Command } from "commander";
import type { CliIO } from "../io.js";

/**
 * `burnrate system run|simulate|sensitivity|compare|sector SYSTEM.yaml`. Only the options
 * are declared here; each action loads its implementation when it runs, so that start-up
 * does not pay for the system code.
 */
const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(",").map((s) => s.trim()).filter(Boolean)];

export function registerSystem(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const system = program
    .command("system")
    .description("several companies' models linked together (contracts, funding, shared drivers): run, simulate, sensitivity, compare, sector")
    .addHelpText("after", "\nA system file lists company models and the links between them; see docs/system.md and `burnrate schema --system`.");

  system
    .command("run")
    .description("project every company with the links acting: statements, metrics, each link's effect by year")
    .argument("<system>", "system file (.yaml or .json)")
    .option("-s, --scenario <name>", "apply a system scenario")
    .option("--cut <links>", "cut these links (comma-separated, repeatable): the system as if they did not exist", collect)
    .option("-p, --period <period>", "month | year (table and csv)", "year")
    .option("-f, --format <format>", "table | json | csv", "table")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action(async (file: string, options: { scenario?: string; cut?: string[]; period: string; format: string; out?: string }) => {
      const { systemRunCommand } = await import("./systemActions.js");
      systemRunCommand(io, file, options);
    });

  system
    .command("compare")
    .description("systems side by side (FILE or FILE:SCENARIO): each company by fiscal year and each link's effect")
    .argument("<runs...>", "system files, each optionally followed by :SCENARIO")
    .option("--without <links>", "add, for each run, the same run with these links cut (comma-separated, repeatable)", collect)
    .option("-f, --format <format>", "table | json | csv", "table")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action(async (runs: string[], options: { without?: string[]; format: string; out?: string }) => {
      const { systemCompareCommand } = await import("./systemActions.js");
      systemCompareCommand(io, runs, options);
      setExit(0);
    });

  for (const command of system.commands) command.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
}
