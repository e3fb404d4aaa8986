import { statSync } from "node:fs";
import { loadSystemFile } from "../../system/node.js";
import { runSystem, type SystemRunResult, type LinkEffect } from "../../system/run.js";
import { compareSystems, type SystemComparison } from "../../system/compare.js";
import { UsageError } from "../../model/issues.js";
import { didYouMean } from "../../model/suggest.js";
import { readModelText } from "../../node/loadFile.js";
import { parseSourceText } from "../../model/source.js";
import { formatAmount, renderTable, toCsv, UNIT_WORD, type Column } from "../format.js";
import type { CliIO } from "../io.js";
import { choice } from "../options.js";
import { emit, metricsBlock } from "./run.js";
import { compareTable, compareCsv } from "./compare.js";

const unitWord = (currency: string, unit: string) => `${currency}${UNIT_WORD[unit] ? ` ${UNIT_WORD[unit]}` : ""}`;

export function systemRunCommand(io: CliIO, file: string, options: { scenario?: string; cut?: string[]; period: string; format: string; out?: string }): void {
  const period = choice(options.period, ["month", "year"] as const, "--period");
  const format = choice(options.format, ["table", "json", "csv"] as const, "--format");
  const result = runSystem(loadSystemFile(file, { scenario: options.scenario, cut: options.cut }));
  for (const w of result.warnings) io.err(`${w}\n`);
  const text = format === "json" ? JSON.stringify(result, null, 2) + "\n" : format === "csv" ? systemRunCsv(result, period) : systemRunTable(result, period);
  emit(io, text, options.out);
}

/** "openai stops paying coreweave (contracts …) from the month after its cash-out". */
export function describeLink(l: Pick<LinkEffect, "type" | "company" | "counterparty" | "onCashOut" | "share" | "trigger">): string {
  const when = `from the month after ${l.counterparty} ${l.trigger === "cashFloor" ? "falls below its cash floor" : "runs out of cash"}`;
  if (l.type === "investment") return `${l.counterparty} funds a round of ${l.company}; a round due ${when} ${l.onCashOut === "stop" ? "does not come" : `comes at ${pct(l.share)}`}`;
  const what = l.onCashOut === "stop" ? "stop" : l.onCashOut === "recovery" ? `fall to ${pct(l.share)} (recovery)` : `are cut by ${pct(l.share)} (price cut)`;
  return `${l.counterparty}'s payments to ${l.company} ${what} ${when}`;
}

const pct = (v: number | null) => (v === null ? "–" : `${Math.round(v * 1000) / 10}%`);

function resolutionLine(r: SystemRunResult["resolution"]): string {
  const order = r.order.map((g) => (g.length > 1 ? `(${g.join(" ⇄ ")})` : g[0])).join(" → ");
  if (r.cycles.length === 0) return `Projected in order ${order}: ${r.evaluations} projections, no cycles.`;
  const cycles = r.cycles.map((c) => `${c.companies.join(" ⇄ ")} ${c.converged ? `settled after ${c.iterations} pass${c.iterations === 1 ? "" : "es"}` : `DID NOT SETTLE within ${c.iterations} passes (raise system.maxIterations, or look for links that undo each other)`}`).join("; ");
  return `Projected in order ${order}: ${r.evaluations} projections; cycles: ${cycles}.`;
}

export function systemRunTable(r: SystemRunResult, period: "month" | "year"): string {
  const out: string[] = [];
  out.push(`${r.system} — ${r.companies.length} compan${r.companies.length === 1 ? "y" : "ies"}, ${r.horizon.start} … ${r.horizon.end}${r.scenario ? ` — scenario: ${r.scenario}` : ""}${r.cut.length ? ` — links cut: ${r.cut.join(", ")}` : ""}`);
  out.push(resolutionLine(r.resolution));
  out.push("");
  out.push("Companies (each in its own unit)");
  out.push(
    renderTable(
      [{ header: "", align: "left" }, { header: "Unit", align: "left" }, { header: "Cash runs out" }, { header: "Minimum cash" }, { header: "in" }, { header: "Funding gap" }, { header: "Cumulative burn" }, { header: "Breakeven" }],
      r.companies.map((c) => {
        const m = c.result.metrics;
        return [c.name, unitWord(c.result.currency, c.result.unit), m.cashOut ?? "not in horizon", formatAmount(m.minCash), m.minCashPeriod, formatAmount(m.fundingGap), formatAmount(m.cumulativeBurn), m.breakeven ?? "–"];
      }),
    ),
  );
  for (const c of r.companies) {
    out.push("");
    out.push(`${c.name} (${c.model}${c.scenario ? `, scenario ${c.scenario}` : ""}; ${c.file}) — ${unitWord(c.result.currency, c.result.unit)}${c.sharedDrivers.length ? `; shared drivers: ${c.sharedDrivers.map((s) => (s.driver === s.as ? s.driver : `${s.driver} → ${s.as}`)).join(", ")}` : ""}`);
    const rows = period === "month" ? c.result.months : c.result.years;
    const columns: Column[] = [{ header: "", align: "left" }, ...rows.map((row) => ({ header: row.period }))];
    const items = [
      ["Revenue", "revenue"],
      ["EBITDA", "ebitda"],
      ["Net income", "netIncome"],
      ["Free cash flow", "freeCashFlow"],
      ["Cash (period end)", "endingCash"],
      ["Debt (period end)", "debt"],
    ] as const;
    out.push(renderTable(columns, items.map(([label, key]) => [`  ${label}`, ...rows.map((row) => formatAmount(row[key]))])));
  }
  if (r.links.length) {
    out.push("");
    out.push("Links (each link's effect on the company it affects: with the link − if it were cut, everything else equal)");
    for (const l of r.links) {
      out.push("");
      out.push(`${l.name}: ${describeLink(l)}`);
      if (l.effectiveFrom === null) {
        out.push(`  ${l.counterparty} ${l.counterpartyOut ? `runs out in ${l.counterpartyOut}, after ${l.company}'s horizon` : "does not run out of cash within its horizon"}: the link changes nothing.`);
        continue;
      }
      out.push(`  ${l.counterparty} runs out in ${l.counterpartyOut}; ${l.company}'s figures change from ${l.effectiveFrom} (${unitWord(r.companies.find((c) => c.name === l.company)!.result.currency, l.unit)})`);
      const rows = (period === "month" ? l.months : l.years).filter((row) => row.paymentsLost !== 0 || row.revenueChange !== 0 || row.cashChange !== 0);
      out.push(
        renderTable(
          [{ header: "  Period", align: "left" }, { header: "Payments lost" }, { header: "Revenue change" }, { header: "Cash change (period end)" }],
          rows.map((row) => [`  ${row.period}`, formatAmount(row.paymentsLost), formatAmount(row.revenueChange), formatAmount(row.cashChange)]),
        ),
      );
      out.push(`  Total: payments lost ${formatAmount(l.totals.paymentsLost)}, revenue ${formatAmount(l.totals.revenueChange)}, cash at the horizon's end ${formatAmount(l.totals.cashChange)}, funding gap ${l.totals.fundingGapChange >= 0 ? "+" : ""}${formatAmount(l.totals.fundingGapChange)}`);
      out.push(`  ${l.company}'s cash runs out: ${l.cashOut.withLink ?? "not in horizon"} with the link, ${l.cashOut.withoutLink ?? "not in horizon"} without it`);
      for (const k of l.knockOn) out.push(`  knock-on: ${k.company} runs out ${k.cashOutWithLink ?? "not in horizon"} with the link, ${k.cashOutWithoutLink ?? "not in horizon"} without; funding gap ${k.fundingGapChange >= 0 ? "+" : ""}${formatAmount(k.fundingGapChange)}`);
    }
  }
  out.push("");
  out.push("Metrics by company");
  for (const c of r.companies) {
    out.push("");
    out.push(`${c.name}:`);
    out.push(metricsBlock(c.result).split("\n").slice(1).join("\n"));
  }
  return out.join("\n") + "\n";
}

/** Long form: section, company, link, period, measure, value. */
export function systemRunCsv(r: SystemRunResult, period: "month" | "year"): string {
  const rows: (string | number | null)[][] = [];
  const items = ["revenue", "ebitda", "netIncome", "freeCashFlow", "endingCash", "debt", "interestExpense", "capex"] as const;
  for (const c of r.companies) {
    for (const row of period === "month" ? c.result.months : c.result.years) for (const item of items) rows.push(["company", c.name, null, row.period, item, row[item]]);
  }
  for (const l of r.links) {
    for (const row of period === "month" ? l.months : l.years) {
      rows.push(["link", l.company, l.name, row.period, "paymentsLost", row.paymentsLost]);
      rows.push(["link", l.company, l.name, row.period, "revenueChange", row.revenueChange]);
      rows.push(["link", l.company, l.name, row.period, "cashChange", row.cashChange]);
    }
  }
  return toCsv(["section", "company", "link", "period", "measure", "value"], rows);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `FILE` or `FILE:SCENARIO` (a file name may itself contain ':'). */
function splitRunArgument(arg: string): { file: string; scenario?: string } {
  const colon = arg.lastIndexOf(":");
  if (colon > 0 && !isFile(arg) && isFile(arg.slice(0, colon))) {
    const file = arg.slice(0, colon);
    const scenario = arg.slice(colon + 1);
    if (scenario === "") throw new UsageError("bad_argument", `${arg}: nothing after ':'; write FILE or FILE:SCENARIO`);
    const known = scenariosOf(file);
    if (!known.includes(scenario)) {
      const s = didYouMean(scenario, known);
      throw new UsageError("unknown_scenario", `${arg}: ${file} has no scenario named "${scenario}"${s ? ` — did you mean "${s}"?` : known.length ? `; it has: ${known.join(", ")}` : "; it defines no scenarios"}`);
    }
    return { file, scenario };
  }
  return { file: arg };
}

function scenariosOf(file: string): string[] {
  const data = parseSourceText(readModelText(file), file).data as { scenarios?: unknown } | null;
  const scenarios = data && typeof data === "object" ? data.scenarios : undefined;
  return scenarios && typeof scenarios === "object" && !Array.isArray(scenarios) ? Object.keys(scenarios) : [];
}

export function systemCompareCommand(io: CliIO, runs: string[], options: { without?: string[]; format: string; out?: string }): void {
  const format = choice(options.format, ["table", "json", "csv"] as const, "--format");
  const inputs = runs.flatMap((arg) => {
    const { file, scenario } = splitRunArgument(arg);
    const base = { label: arg, system: loadSystemFile(file, { scenario }) };
    return options.without?.length ? [base, { label: `${arg} without ${options.without.join(", ")}`, system: loadSystemFile(file, { scenario, cut: options.without }) }] : [base];
  });
  const comparison = compareSystems(inputs);
  for (const w of comparison.warnings) io.err(`burnrate: warning: ${w}\n`);
  const text = format === "json" ? JSON.stringify(comparison, null, 2) + "\n" : format === "csv" ? systemCompareCsv(comparison) : systemCompareTable(comparison);
  emit(io, text, options.out);
}

export function systemCompareTable(c: SystemComparison): string {
  const out: string[] = [];
  out.push(`Systems compared: ${c.runs.map((r) => `${r.label}${r.converged ? "" : " (cycles did not settle)"}`).join("; ")}`);
  for (const company of c.companies) {
    out.push("");
    out.push(`══ ${company.name} ══`);
    out.push(compareTable(company.comparison).trimEnd());
  }
  if (c.links.length) {
    out.push("");
    out.push("══ Links ══ (with the link − without it, in the affected company's unit)");
    const labels = c.runs.map((r) => r.label);
    for (const l of c.links) {
      out.push("");
      out.push(`${l.name} (${l.counterparty} → ${l.company})`);
      const value = (label: string, f: (v: NonNullable<(typeof l.values)[string]>) => string) => (l.values[label] ? f(l.values[label]!) : "cut");
      out.push(
        renderTable(
          [{ header: "", align: "left" }, ...labels.map((label) => ({ header: label }))],
          [
            [`  ${l.counterparty} runs out`, ...labels.map((label) => value(label, (v) => v.counterpartyOut ?? "not in horizon"))],
            ["  Payments lost", ...labels.map((label) => value(label, (v) => formatAmount(v.totals.paymentsLost)))],
            ["  Revenue change", ...labels.map((label) => value(label, (v) => formatAmount(v.totals.revenueChange)))],
            ["  Funding gap change", ...labels.map((label) => value(label, (v) => formatAmount(v.totals.fundingGapChange)))],
            [`  ${l.company} runs out`, ...labels.map((label) => value(label, (v) => v.cashOut.withLink ?? "not in horizon"))],
            [`  … without the link`, ...labels.map((label) => value(label, (v) => v.cashOut.withoutLink ?? "not in horizon"))],
          ],
        ),
      );
    }
  }
  return out.join("\n") + "\n";
}

export function systemCompareCsv(c: SystemComparison): string {
  const parts = c.companies.map((company) =>
    compareCsv(company.comparison)
      .trimEnd()
      .split("\n")
      .slice(1)
      .map((line) => `${company.name},${line}`),
  );
  const rows = parts.flat();
  for (const l of c.links) {
    for (const [label, v] of Object.entries(l.values)) {
      if (!v) continue;
      const quoted = /[",\n]/.test(label) ? `"${label.replace(/"/g, '""')}"` : label;
      rows.push(`link:${l.name},${quoted},paymentsLost,,${v.totals.paymentsLost}`);
      rows.push(`link:${l.name},${quoted},fundingGapChange,,${v.totals.fundingGapChange}`);
    }
  }
  return ["company,label,measure,year,value", ...rows].join("\n") + "\n";
}
