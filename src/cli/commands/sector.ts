import type { Command } from "commander";
import type { SectorYear } from "../../gpu/index.js";
import type { SectorOutput } from "../../commands/sector.js";
import type { LabelledRun } from "../../commands/compare.js";
import { formatAmount, formatPercent, formatRatio, renderTable, UNIT_WORD, type Column } from "../format.js";
import type { CliIO } from "../io.js";
import { loadCsv } from "../csv.js";
import { emit, parsePrecision } from "./run.js";
import { choice } from "../options.js";
import { resolveCompareArgument } from "./compare.js";

export type { SectorOutput } from "../../commands/sector.js";

const FORMATS = ["table", "json", "csv"] as const;

export function registerSector(program: Command, io: CliIO): void {
  program
    .command("sector")
    .description("several companies side by side by fiscal year: capex / revenue, capacity vs contracted demand, leverage, rate exposure, with flags")
    .argument("<runs...>", "model files, each optionally followed by :SCENARIO")
    .option("-f, --format <format>", "table | json | csv", "table")
    .option("--precision <digits>", "csv: decimals kept (default 6), or full", "6")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action(async (runs: string[], options: { precision: string; format: string; out?: string }) => {
      const [{ sectorCommand }, { createModelLoader }] = await Promise.all([import("../../commands/sector.js"), import("../../commands/load.js")]);
      const format = choice(options.format, FORMATS, "--format");
      const load = createModelLoader();
      const resolved: LabelledRun[] = [];
      for (const arg of runs) resolved.push(await resolveCompareArgument(arg, load));
      const output = sectorCommand(
        resolved,
        {},
        { load },
      );
      emit(io, format === "json" ? JSON.stringify(output, null, 2) + "\n" : format === "csv" ? (await loadCsv()).recordsCsv(output.models.flatMap((m) => m.years.map((y) => ({ label: m.label, company: m.company, ...y, flags: y.flags.join("; ") }))), parsePrecision(options.precision)) : sectorTable(output), options.out);
    });
}

type Kind = "ratio" | "percent" | "amount";
const BLOCKS: { label: string; kind: Kind; value: (y: SectorYear) => number | null }[] = [
  { label: "Capex / revenue", kind: "ratio", value: (y) => y.capexToRevenue },
  { label: "Revenue growth", kind: "percent", value: (y) => y.revenueGrowth },
  { label: "Capex growth", kind: "percent", value: (y) => y.capexGrowth },
  { label: "Capacity growth (GPU-hours)", kind: "percent", value: (y) => y.capacityGrowth },
  { label: "Backlog growth (contracted value, year end)", kind: "percent", value: (y) => y.backlogGrowth },
  { label: "Debt / EBITDA", kind: "ratio", value: (y) => y.debtToEbitda },
  { label: "Interest / revenue", kind: "percent", value: (y) => y.interestToRevenue },
  { label: "Cumulative burn (each model's unit)", kind: "amount", value: (y) => y.cumulativeBurn },
  { label: "Extra interest at +100 bp (each model's unit)", kind: "amount", value: (y) => y.rateShock },
];

function cell(kind: Kind, v: number | null): string {
  if (v === null) return "";
  return kind === "percent" ? formatPercent(v) : kind === "ratio" ? formatRatio(v) : formatAmount(v);
}

export function sectorTable(o: SectorOutput): string {
  const out: string[] = [];
  out.push("Sector view by fiscal year (blank: not defined — no GPU sections, no contracts, no prior year, or EBITDA ≤ 0)");
  out.push(`Units: ${o.models.map((m) => `${m.label} = ${m.currency}${UNIT_WORD[m.unit] ? " " + UNIT_WORD[m.unit] : ""}`).join("; ")}`);
  const years = [...new Set(o.models.flatMap((m) => m.years.map((y) => y.year)))].sort();
  const columns: Column[] = [{ header: "Year", align: "left" }, ...o.models.map((m) => ({ header: m.label }))];
  for (const block of BLOCKS) {
    out.push("");
    out.push(block.label);
    out.push(
      renderTable(
        columns,
        years.map((year) => [
          year,
          ...o.models.map((m) => {
            const y = m.years.find((r) => r.year === year);
            if (!y) return "";
            return cell(block.kind, block.value(y)) + (y.months < 12 && block.kind !== "amount" ? "*" : "");
          }),
        ]),
      ),
    );
  }
  out.push("");
  out.push("Flags (seed 002 ¶2–¶3)");
  if (o.flags.length === 0) out.push("  none");
  for (const f of o.flags) out.push(`  ${f.label} ${f.year}: ${f.flag} (${f.detail})`);
  out.push("");
  out.push("* part of the fiscal year lies outside the model's horizon: growth uses annualized figures.");
  out.push("+100 bp: floating tranches reprice on their whole balance (floors respected); fixed tranches only on debt drawn within the horizon.");
  return out.join("\n") + "\n";
}
