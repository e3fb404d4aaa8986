import type { Command } from "commander";
import type { BuildVsRentResult } from "../../gpu/index.js";
import { TERMINALS } from "../../commands/defaults.js";
import { formatAmount, formatPercent, renderTable, type Column } from "../format.js";
import type { CliIO } from "../io.js";
import { loadCsv, type CsvModule } from "../csv.js";
import { emit, unitLabel, parsePrecision } from "./run.js";
import { choice, parseNonNegative, parseRate, MAX_PRICE_PER_GPU_HOUR, TAX_RATE_RANGE } from "../options.js";
import { DEFAULT_DISCOUNT_RATE } from "../../commands/defaults.js";

const FORMATS = ["table", "json", "csv"] as const;

export function registerBuildVsRent(program: Command, io: CliIO): void {
  program
    .command("build-vs-rent")
    .description("own the model's GPU fleet and sites (capex, debt, power, depreciation) or rent the same GPU-hours: NPV, cash peak, break-even rent")
    .argument("<file>", "model file with GPU sections (.yaml or .json)")
    .option("--rent-price <price>", "flat rent per GPU-hour (default: the model's rental.price, else each generation's pricing curve)")
    .option("-r, --discount-rate <rate>", "annual discount rate (0.10 or 10%)", String(DEFAULT_DISCOUNT_RATE))
    .option("--tax-rate <rate>", "tax rate for the tax shields (default: the model's tax.rate)")
    .option("--no-financing", "leave debt draws, repayments and interest out of owning (unlevered)")
    .option("--terminal <kind>", "book | none: value of the owned GPUs and sites (less debt) at the horizon's end", "book")
    .option("-s, --scenario <name>", "apply a scenario defined in the model")
    .option("-f, --format <format>", "table | json | csv", "table")
    .option("--precision <digits>", "csv: decimals kept (default 6), or full", "6")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action(async (file: string, options: { precision: string; rentPrice?: string; discountRate: string; taxRate?: string; financing: boolean; terminal: string; scenario?: string; format: string; out?: string }) => {
      const [{ readModel }, { buildVsRentCommand }] = await Promise.all([import("../../node/loadFile.js"), import("../../commands/buildVsRent.js")]);
      const format = choice(options.format, FORMATS, "--format");
      const terminal = choice(options.terminal, TERMINALS, "--terminal");
      const output = buildVsRentCommand(
        readModel(file),
        {
          discountRate: parseRate(options.discountRate, "--discount-rate"),
          rentPrice: options.rentPrice !== undefined ? parseNonNegative(options.rentPrice, "--rent-price", MAX_PRICE_PER_GPU_HOUR) : undefined,
          taxRate: options.taxRate !== undefined ? parseRate(options.taxRate, "--tax-rate", TAX_RATE_RANGE) : undefined,
          financing: options.financing,
          terminal,
          scenario: options.scenario,
        },
      );
      emit(io, format === "json" ? JSON.stringify(output, null, 2) + "\n" : format === "csv" ? buildVsRentCsv(await loadCsv(), output, parsePrecision(options.precision)) : buildVsRentTable(output, output), options.out);
    });
}

const SOURCE_TEXT: Record<BuildVsRentResult["rentPriceSource"], string> = {
  option: "--rent-price",
  rental: "the model's rental.price",
  pricing: "each generation's pricing curve",
};

export function buildVsRentTable(head: { model: string; scenario: string | null; currency: string; unit: string }, r: BuildVsRentResult): string {
  const unit = unitLabel(head);
  const out: string[] = [];
  out.push(`${head.model} — build vs rent — ${unit}${head.scenario ? ` — scenario: ${head.scenario}` : ""}`);
  out.push(`Discount rate ${formatPercent(r.discountRate)} a year; tax rate ${formatPercent(r.taxRate)}; financing ${r.financing ? "included (all tranches)" : "left out"}; terminal ${r.terminal === "bookValue" ? "book value less debt" : "none"}; rent from ${SOURCE_TEXT[r.rentPriceSource]}`);
  out.push("");
  const columns: Column[] = [{ header: "", align: "left" }, ...r.years.map((y) => ({ header: y.year }))];
  const row = (label: string, f: (y: BuildVsRentResult["years"][number]) => string) => [label, ...r.years.map(f)];
  out.push(
    renderTable(columns, [
      row("GPU-hours (millions)", (y) => formatAmount(y.gpuHours / 1e6)),
      row("Rent $/GPU-hour", (y) => (y.rentPrice === null ? "–" : formatAmount(y.rentPrice, 2))),
      row("GPU revenue (either way)", (y) => formatAmount(y.gpuRevenue)),
      null,
      row("Own: capex", (y) => formatAmount(y.ownCapex)),
      row("  power", (y) => formatAmount(y.ownPower)),
      row("  financing", (y) => formatAmount(y.ownFinancing)),
      row("  tax shield", (y) => formatAmount(y.ownTaxShield)),
      row("  opening / terminal value", (y) => formatAmount(y.ownTerminal)),
      row("  own, net", (y) => formatAmount(y.own)),
      row("Rent, net of tax", (y) => formatAmount(y.rent)),
    ]),
  );
  out.push("");
  const lines: [string, string][] = [
    ["NPV of owning", formatAmount(r.own.npv)],
    ["NPV of renting", formatAmount(r.rent.npv)],
    ["Owning minus renting", `${formatAmount(r.npvAdvantageOfOwning)} (${r.npvAdvantageOfOwning >= 0 ? "owning costs less" : "renting costs less"})`],
    ["Cash peak, owning", `${formatAmount(r.own.cashPeak)}${r.own.cashPeakPeriod ? ` in ${r.own.cashPeakPeriod}` : ""}`],
    ["Cash peak, renting", `${formatAmount(r.rent.cashPeak)}${r.rent.cashPeakPeriod ? ` in ${r.rent.cashPeakPeriod}` : ""}`],
    ["Extra cash peak from owning", formatAmount(r.cashPeakDifference)],
    ["Average rent $/GPU-hour", r.averageRentPrice === null ? "–" : formatAmount(r.averageRentPrice, 2)],
    ["Break-even rent $/GPU-hour", r.breakEvenRentPrice === null ? "–" : `${formatAmount(r.breakEvenRentPrice, 2)} (flat; above it owning is cheaper)`],
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  out.push(["Summary", ...lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join("\n"));
  out.push("");
  out.push("Revenue is the same either way: left out of the NPVs, counted (after tax) in the cash peaks. Rent covers the GPU-hours the owned fleet makes available; power and sites are in the rent.");
  return out.join("\n") + "\n";
}

/** Years and the summary as one long table: period, item, value, unit. */
export function buildVsRentCsv(csv: CsvModule, head: { currency: string; unit: string } & BuildVsRentResult, precision: number | "full"): string {
  const money = unitLabel(head);
  const rows: (string | number | null)[][] = [];
  for (const y of head.years) for (const [k, v] of Object.entries(y)) if (k !== "year") rows.push([y.year, k, v as number | null, k === "gpuHours" ? "GPU-hours" : k === "rentPrice" ? `${head.currency} per GPU-hour` : money]);
  const summary: [string, number | null, string][] = [
    ["ownNpv", head.own.npv, money],
    ["rentNpv", head.rent.npv, money],
    ["npvAdvantageOfOwning", head.npvAdvantageOfOwning, money],
    ["ownCashPeak", head.own.cashPeak, money],
    ["rentCashPeak", head.rent.cashPeak, money],
    ["cashPeakDifference", head.cashPeakDifference, money],
    ["averageRentPrice", head.averageRentPrice, `${head.currency} per GPU-hour`],
    ["breakEvenRentPrice", head.breakEvenRentPrice, `${head.currency} per GPU-hour`],
    ["discountRate", head.discountRate, "annual decimal"],
    ["taxRate", head.taxRate, "decimal"],
  ];
  for (const [k, v, u] of summary) rows.push(["", k, v, u]);
  return csv.toCsvText(["period", "item", "value", "unit"], rows, precision);
}
