import type { Command } from "commander";
import { mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { UsageError } from "../../model/issues.js";
import type { CliIO } from "../io.js";
import { terminalSafe } from "../../model/text.js";
import { choice, parseWhole } from "../options.js";

const FORMATS = ["xlsx", "csv", "html", "pdf"] as const;
const LANGS = ["en", "ar"] as const;
const PERIODS = ["month", "quarter", "year"] as const;

interface ExportOptions {
  format: string;
  scenario: string[];
  simulate?: string;
  seed: string;
  lang: string;
  out?: string;
  precision: string;
  tidy?: boolean;
  period: string;
  metric?: string;
}

export function registerExport(program: Command, io: CliIO): void {
  program
    .command("export")
    .description("write a model as an Excel workbook with live formulas, CSV tables, or a report (HTML or PDF, English or Arabic)")
    .argument("<file>", "model file (.yaml or .json)")
    .requiredOption("-f, --format <format>", "xlsx | csv | html | pdf")
    .option("-s, --scenario <name>", "a scenario; repeat to compare several with the base case (the first one's statements are shown)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--simulate <n>", "add a Monte Carlo run of N paths (odds, cash fan) — the model needs an `uncertain:` section")
    .option("--seed <seed>", "random seed for --simulate", "1")
    .option("--metric <metric>", "tornado of this metric: a Sensitivity sheet in xlsx; in the report (default minCash) for models with uncertain inputs")
    .option("--lang <lang>", "report language: en | ar", "en")
    .option("-p, --period <period>", "csv: month | quarter | year", "month")
    .option("--precision <digits>", "csv: decimals kept (default 6), or full", "6")
    .option("--tidy", "csv: one long file (period, item, value, unit, scenario) instead of one file per block")
    .option("-o, --out <path>", "file to write (a folder for csv without --tidy); default: the model's name with the format's extension")
    .action(async (file: string, options: ExportOptions) => {
      const format = choice(options.format, FORMATS, "--format");
      const lang = choice(options.lang, LANGS, "--lang");
      const period = choice(options.period, PERIODS, "--period");
      const precision = options.precision === "full" ? "full" : parseWhole(options.precision, "--precision");
      if (precision !== "full" && (precision < 0 || precision > 15)) throw new UsageError("bad_option", `--precision takes 0 to 15 decimals, or full (got "${options.precision}")`);
      const paths = options.simulate !== undefined ? parseWhole(options.simulate, "--simulate") : null;
      if (paths !== null && paths < 1) throw new UsageError("bad_option", `--simulate takes a number of paths ≥ 1 (got "${options.simulate}")`);
      const seed = parseWhole(options.seed, "--seed");
      const { readModelText } = await import("../../node/loadFile.js");
      const text = readModelText(file);
      const stem = basename(file).replace(/\.(ya?ml|json)$/i, "") + (options.scenario.length === 1 ? `-${options.scenario[0]}` : "");
      // Exports load exceljs, csv-stringify or playwright: only here, never at start-up.
      const exporter = await import("../../export/index.js");
      const data = await exporter.prepareExport(text, file, {
        scenarios: options.scenario,
        simulate: paths !== null ? { paths, seed } : null,
        sensitivityMetric: format === "html" || format === "pdf" ? (options.metric ?? "minCash") : format === "xlsx" ? (options.metric ?? null) : null,
      });
      const write = (path: string, bytes: Uint8Array) => io.writeFile(path, bytes);
      switch (format) {
        case "xlsx": {
          const out = options.out ?? `${stem}.xlsx`;
          write(out, await exporter.exportWorkbook(data));
          io.err(`burnrate: wrote ${out}\n`);
          return;
        }
        case "csv": {
          const files = exporter.exportCsv(data, { precision, tidy: Boolean(options.tidy), period });
          if (options.tidy) {
            const out = options.out ?? `${stem}.csv`;
            if (out === "-") io.out(terminalSafe(files[0].text));
            else {
              io.writeFile(out, files[0].text);
              io.err(`burnrate: wrote ${out}\n`);
            }
            return;
          }
          const folder = options.out ?? `${stem}-csv`;
          mkdirSync(folder, { recursive: true });
          for (const f of files) io.writeFile(join(folder, f.name), f.text);
          io.err(`burnrate: wrote ${files.length} files to ${folder}/ (${files.map((f) => f.name).join(", ")})\n`);
          return;
        }
        case "html":
        case "pdf": {
          const { renderReportHtml } = await import("../../export/report/html.js");
          const html = renderReportHtml(data, { lang });
          const out = options.out ?? `${stem}${lang === "en" ? "" : `.${lang}`}.${format}`;
          if (format === "html") io.writeFile(out, html);
          else {
            const { printPdf } = await import("../../export/report/pdf.js");
            write(out, await printPdf(html, { footer: data.main.result.model }));
          }
          io.err(`burnrate: wrote ${out}\n`);
          return;
        }
      }
    });
}
