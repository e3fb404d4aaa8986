import type { Command } from "commander";
import type { SourceListing, SourcedInput } from "../../targets/index.js";
import { renderTable, toCsv, type Column } from "../format.js";
import { EXIT_OK } from "../errors.js";
import type { CliIO } from "../io.js";
import { emit } from "./run.js";
import { choice } from "../options.js";

const FORMATS = ["table", "json", "csv"] as const;

export function registerSources(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("sources")
    .description("list every input of a model with its source or assumption, and flag those with neither")
    .argument("<file>", "model file (.yaml or .json)")
    .option("-f, --format <format>", "table | json | csv", "table")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action(async (file: string, options: { format: string; out?: string }) => {
      const [{ readModel }, { sourcesCommand }, { loadRegisterFor }] = await Promise.all([import("../../node/loadFile.js"), import("../../commands/sources.js"), import("../../node/loadRegister.js")]);
      const format = choice(options.format, FORMATS, "--format");
      const listing = sourcesCommand(readModel(file), {}, { register: loadRegisterFor });
      const text = format === "json" ? JSON.stringify(listing, null, 2) + "\n" : format === "csv" ? sourcesCsv(listing) : sourcesTable(listing);
      emit(io, text, options.out);
      // A listing, not a check: uncited inputs are shown, `check --strict` fails on them.
      setExit(EXIT_OK);
    });
}

function truncate(text: string, width: number): string {
  const chars = [...text.replace(/\s+/g, " ")];
  return chars.length <= width ? chars.join("") : chars.slice(0, width - 1).join("") + "…";
}

function citedOnText(i: SourcedInput): string {
  if (i.citedOn === null) return "";
  if (i.citedOn === "value") return "(the value)";
  return i.citedOn === "" ? "(top of file)" : i.citedOn;
}

function citationText(i: SourcedInput): string {
  if (i.uncited) return "✗ UNCITED — neither source nor assumption";
  if (i.kind === "both") return `${i.source} | assumption: ${i.assumption}`;
  return i.kind === "source" ? i.source! : `assumption: ${i.assumption}`;
}

const STATUS_TEXT: Record<string, string> = {
  reported: "reported",
  derived: "derived",
  "assumed-from-source": "assumed (sourced range)",
  assumption: "assumption",
  covered: "covered",
  mismatch: "✗ NOT THE CITED FIGURE",
  uncited: "✗ uncited",
};

export function sourcesTable(listing: SourceListing): string {
  const out: string[] = [];
  out.push(`${listing.model} — inputs and their sources (${listing.file})`);
  out.push("");
  const withRegister = listing.register !== null;
  const columns: Column[] = [
    { header: "Input", align: "left" },
    { header: "Value" },
    ...(withRegister ? [{ header: "Status", align: "left" as const }, { header: "Cites", align: "left" as const }] : []),
    { header: "Cited on", align: "left" },
    { header: "Citation", align: "left" },
  ];
  out.push(
    renderTable(
      columns,
      listing.inputs.map((i) => [
        i.path,
        truncate(String(i.value), 24),
        ...(withRegister ? [STATUS_TEXT[i.status ?? "uncited"], truncate(i.ids.join(", "), 24)] : []),
        citedOnText(i),
        truncate(citationText(i), withRegister ? 56 : 72),
      ]),
    ),
  );
  out.push("");
  const c = listing.counts;
  out.push(`${c.inputs} input${c.inputs === 1 ? "" : "s"}: ${c.sourced} with a source, ${c.assumptionOnly} with an assumption only, ${c.uncited} uncited`);
  if (withRegister) {
    out.push(`Against the register: ${c.reported} the cited figure itself, ${c.derived} derived from cited figures (saying how), ${c.assumedFromSource} assumed within a cited range or from cited evidence, ${c.covered} covered by a citation over several inputs${c.mismatch ? `, ${c.mismatch} NOT the figure they cite` : ""}`);
    const reg = listing.register!;
    out.push("");
    out.push(`Register entries cited (${reg.file}):`);
    for (const e of reg.entries) {
      const where =
        e.confidence === "derived"
          ? `derived from ${e.derivedFrom.join(", ")}`
          : [e.publisher, e.address, e.date].filter(Boolean).join(", ") + (e.derivedFrom.length ? `; traces to ${e.derivedFrom.join(", ")}` : "");
      out.push(`  ${e.id}  ${truncate(e.figure, 90)}`);
      out.push(`  ${" ".repeat(e.id.length)}  ${e.measure}; ${e.confidence}; ${where}`);
    }
    const unknown = [...new Set(listing.inputs.flatMap((i) => i.unknownIds))];
    if (unknown.length) out.push(`Not in the register: ${unknown.join(", ")} — \`burnrate check --strict\` fails on them`);
  }
  const uncited = listing.inputs.filter((i) => i.uncited);
  if (uncited.length > 0) {
    out.push("");
    out.push("Uncited inputs — add `source:` (publication, address, date) or `assumption:` (why) to the value or to an object around it:");
    for (const i of uncited) {
      const at = i.position ? `${i.position.file}:${i.position.line}:${i.position.col}: ` : "";
      out.push(`  ${at}${i.path} = ${JSON.stringify(i.value)}`);
    }
  }
  return out.join("\n") + "\n";
}

export function sourcesCsv(listing: SourceListing): string {
  return toCsv(
    ["path", "value", "kind", "status", "ids", "cited_on", "source", "assumption", "derivation", "uncited", "line", "col"],
    listing.inputs.map((i) => [i.path, i.value, i.kind, i.status, i.ids.join(" "), i.citedOn, i.source, i.assumption, i.derivation, i.uncited ? "true" : "false", i.position?.line ?? null, i.position?.col ?? null]),
  );
}
