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
    .command("simulate")
    .description("Monte Carlo over every company's uncertain inputs at once: each company's odds, joint odds, losses to lenders, revenue lost through links and how much of each company's odds arrive through each link")
    .argument("<system>", "system file")
    .option("-n, --paths <n>", "number of paths", "10000")
    .option("--seed <seed>", "random seed (same system + seed = same results)", "1")
    .option("-t, --threads <t>", "worker threads, or auto (results are the same for any number)", "auto")
    .option("--lhs", "Latin hypercube sampling instead of plain Monte Carlo")
    .option("-s, --scenario <name>", "apply a system scenario")
    .option("--cut <links>", "cut these links (comma-separated, repeatable)", collect)
    .option("--no-attribution", "skip the reruns with each link cut (faster; no attribution, no revenue lost)")
    .option("-p, --period <period>", "month | year (per-company tables and csv)", "year")
    .option("-f, --format <format>", "table | json | csv", "table")
    .option("--keep-paths <k>", "keep the first K sampled paths of each company (json)", "0")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action(async (file: string, options: Record<string, unknown>) => {
      const { systemSimulateCommand } = await import("./systemActions.js");
      await systemSimulateCommand(io, file, options as never);
    });

  system
    .command("sensitivity")
    .description("which uncertain inputs (of any company, or shared) move a company's metric most, with the links acting")
    .argument("<system>", "system file")
    .option("-m, --metric <metric>", "COMPANY:METRIC (e.g. coreweave:runwayMonths, openai:cashOut, coreweave:endingCash@2027); without COMPANY: every company", "runwayMonths")
    .option("--at <quantiles>", "the two quantiles each input is swung between in the tornado", "p10,p90")
    .option("-s, --scenario <name>", "apply a system scenario")
    .option("--cut <links>", "cut these links (comma-separated, repeatable)", collect)
    .option("--global", "also rank inputs by Spearman correlation over a joint Monte Carlo run (-n paths; default 2000)")
    .option("-n, --paths <n>", "Monte Carlo paths for --global (giving it turns --global on)")
    .option("--seed <seed>", "random seed for --global (giving it turns --global on)")
    .option("-f, --format <format>", "table | json | csv", "table")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action(async (file: string, options: Record<string, unknown>) => {
      const { systemSensitivityCommand } = await import("./systemActions.js");
      systemSensitivityCommand(io, file, options as never);
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

  system
    .command("sector")
    .description("the sector over a system by year: capacity built vs contracted demand vs the customers' ability to pay, investment vs revenue, +100 bp for everyone at once")
    .argument("<system>", "system file")
    .option("-s, --scenario <name>", "apply a system scenario")
    .option("-n, --paths <n>", "Monte Carlo paths for the odds (0: none)", "2000")
    .option("--seed <seed>", "random seed", "1")
    .option("-t, --threads <t>", "worker threads, or auto", "1")
    .option("-f, --format <format>", "table | json", "table")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action(async (file: string, options: Record<string, unknown>) => {
      const { systemSectorCommand } = await import("./systemActions.js");
      await systemSectorCommand(io, file, options as never);
    });

  for (const command of system.commands) {
    command.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
    command.option("--width <columns>", "fit tables in this many columns, splitting them into column groups (default: the terminal's width; none when writing to a file or a pipe)");
  }
}
