import type { Command } from "commander";
import type { CohortEconomics } from "../../gpu/index.js";
import type { CohortsOutput } from "../../commands/cohorts.js";
import { DEFAULT_DISCOUNT_RATE } from "../../commands/defaults.js";
import { formatAmount, formatPercent, formatRatio, renderTable, type Column, NOT_WITHIN_HORIZON } from "../format.js";
import type { CliIO } from "../io.js";
import { loadCsv } from "../csv.js";
import { emit, unitLabel, parsePrecision } from "./run.js";
import { choice, parseRate } from "../options.js";

const FORMATS = ["table", "json", "csv"] as const;
export { DEFAULT_DISCOUNT_RATE, type CohortsOutput };

export function registerCohorts(program: Command, io: CliIO): void {
  program
    .command("cohorts")
    .description("GPU cohort economics: IRR, NPV, payback and break-even GPU-hour price per cohort; sites, contracts and what site delays cost")
    .argument("<file>", "model file with GPU sections (.yaml or .json)")
    .option("-r, --discount-rate <rate>", "annual discount rate for NPV and the break-even price (0.10 or 10%)", String(DEFAULT_DISCOUNT_RATE))
    .option("-s, --scenario <name>", "apply a scenario defined in the model")
    .option("--without-site", "leave the cohorts' share of site construction out of their cash flows")
    .option("--flows", "json: include each cohort's monthly cash flows")
    .option("-f, --format <format>", "table | json | csv", "table")
    .option("--precision <digits>", "csv: decimals kept (default 6), or full", "6")
    .option("-o, --out <path>", "write to a file instead of standard output")
    .action(async (file: string, options: { precision: string; discountRate: string; scenario?: string; withoutSite?: boolean; flows?: boolean; format: string; out?: string }) => {
      const [{ readModel }, { cohortsCommand }] = await Promise.all([import("../../node/loadFile.js"), import("../../commands/cohorts.js")]);
      const format = choice(options.format, FORMATS, "--format");
      const rate = parseRate(options.discountRate, "--discount-rate");
      const output = cohortsCommand(readModel(file), { discountRate: rate, scenario: options.scenario, withoutSite: options.withoutSite, flows: options.flows });
      emit(io, format === "json" ? JSON.stringify(output, null, 2) + "\n" : format === "csv" ? (await loadCsv()).recordsCsv((output.cohorts as Record<string, unknown>[]).map(({ flows, ...rest }) => (void flows, rest)), parsePrecision(options.precision)) : cohortsTable(output, output.cohorts), options.out);
    });
}

const price = (v: number | null) => (v === null ? "–" : formatAmount(v, 2));

export function cohortsTable(o: CohortsOutput, cohorts: Omit<CohortEconomics, "flows">[]): string {
  const unit = unitLabel(o);
  const out: string[] = [];
  out.push(`${o.model} — ${unit}${o.scenario ? ` — scenario: ${o.scenario}` : ""}`);
  if (o.sites.length > 0) {
    out.push("");
    out.push("Sites");
    const columns: Column[] = ["Site", "MW used / available", "GPUs", "PUE", "Planned go-live", "Delay", "Live", "Construction", "Debt"].map((h, i) => ({ header: h, align: i === 0 ? "left" : "right" }));
    out.push(renderTable(columns, o.sites.map((s) => [s.name, `${formatAmount(s.usedMw)} / ${formatAmount(s.powerMw)}`, formatAmount(s.gpus, 0), formatRatio(s.pue), s.plannedGoLive, `${s.delayMonths} mo`, s.live, formatAmount(s.constructionCost), s.debt ?? "–"])));
  }
  if (o.siteDelays.length > 0) {
    out.push("");
    out.push("Site delays — against the same model with the delay at 0, within the horizon");
    const columns: Column[] = ["Site", "Delay", "Revenue lost", "of which contracts", "spot", "GPU-hours lost (m)", "Interest while late", "Net income lost", "Ending cash lost"].map((h, i) => ({ header: h, align: i === 0 ? "left" : "right" }));
    out.push(
      renderTable(
        columns,
        o.siteDelays.map((d) => [d.site, `${d.delayMonths} mo`, formatAmount(d.revenueLost), formatAmount(d.contractRevenueLost), formatAmount(d.spotRevenueLost), formatAmount(d.gpuHoursLost / 1e6), d.interestWhileLate === null ? "–" : formatAmount(d.interestWhileLate), formatAmount(d.netIncomeLost), formatAmount(d.endingCashLost)]),
      ),
    );
    out.push("Contracts keep their full term: contract revenue lost here moves later (past the horizon, in part); spot revenue is lost.");
  }
  if (o.contracts.length > 0) {
    out.push("");
    out.push("Contracts");
    const columns: Column[] = ["Contract", "Customer", "Site", "Planned start", "Start", "End of term", "GPUs", "$/GPU-h", "Value"].map((h, i) => ({ header: h, align: i < 3 ? "left" : "right" }));
    out.push(renderTable(columns, o.contracts.map((c) => [c.name, c.customer, c.site ?? "–", c.plannedStart, c.start, c.end, formatAmount(c.gpus, 0), price(c.pricePerGpuHour), formatAmount(c.value)])));
  }
  out.push("");
  out.push(`Cohort economics — before financing and tax, discount rate ${formatPercent(o.discountRate)} a year${o.includeSite ? "" : ", without site construction"}`);
  const columns: Column[] = ["Cohort", "Gen", "GPUs", "In service", "End of life", "Capex", "Site share", "Revenue", "Power", "NPV", "IRR", "Payback", "Break-even $/GPU-h", "Realized $/h", "Curve $/h start → end"].map((h, i) => ({ header: h, align: i < 2 ? "left" : "right" }));
  out.push(
    renderTable(
      columns,
      cohorts.map((c) => [
        c.name + (c.basis === "bookValueAtStart" ? "*" : ""),
        c.generation ?? "–",
        formatAmount(c.count, 0),
        c.inService,
        c.endOfLife + (c.monthsBeyondHorizon > 0 ? "†" : ""),
        formatAmount(c.capex),
        c.siteShare > 0 ? `${formatAmount(c.siteCost)} (${formatPercent(c.siteShare, 0)})` : "–",
        formatAmount(c.revenue),
        formatAmount(c.power),
        formatAmount(c.npv),
        c.irr === null ? "–" : formatPercent(c.irr),
        c.payback ?? NOT_WITHIN_HORIZON,
        price(c.breakEvenPrice),
        price(c.averagePrice),
        c.curvePriceAtInService === null ? "–" : `${price(c.curvePriceAtInService)} → ${price(c.curvePriceAtEnd)}`,
      ]),
    ),
  );
  const notes: string[] = [];
  notes.push("Cash flows: −capex at purchase; +revenue of its sold GPU-hours (its spot sales and its share of its site's contracts); −power; +salvage at end of life.");
  if (o.includeSite) notes.push("Site share: the cohort's share of its site's power (count × kW × PUE ÷ MW) of the construction spend, paid as built; its book value comes back at the end of the cohort's life.");
  notes.push("Break-even: the flat price per sold GPU-hour over the cohort's life at which its NPV is zero; compare it with the realized price and the pricing curve.");
  if (cohorts.some((c) => c.monthsBeyondHorizon > 0)) notes.push("† life runs past the horizon: the last projected month's sold share, price per hour (falling at the generation's yearly decline) and power cost are held.");
  if (cohorts.some((c) => c.basis === "bookValueAtStart")) notes.push("* bought before the model starts: valued from the start, entering at its net book value.");
  out.push(notes.join("\n"));
  return out.join("\n") + "\n";
}
