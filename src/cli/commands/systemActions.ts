import { statSync } from "node:fs";
import { loadSystemFile } from "../../system/node.js";
import { runSystem, type SystemRunResult, type LinkEffect } from "../../system/run.js";
import { compareSystems, type SystemComparison } from "../../system/compare.js";
import { UsageError, formatIssue } from "../../model/issues.js";
import { didYouMean } from "../../model/suggest.js";
import { readModelText } from "../../node/loadFile.js";
import { parseSourceText } from "../../model/source.js";
import { formatAmount, formatPercent, formatRatio, renderTable, toCsv, UNIT_WORD, type Column } from "../format.js";
import type { SystemSectorResult } from "../../system/sector.js";
import type { SystemSimulationResult } from "../../system/summary.js";
import { simulationTable } from "./simulate.js";
import { sensitivityTable, sensitivityCsv, parseQuantilePair } from "./sensitivity.js";
import { systemSensitivity } from "../../system/sensitivity.js";
import { SIMULATED_SERIES } from "../../uncertainty/aggregate.js";
import type { CliIO } from "../io.js";
import { pathProgress } from "../progress.js";
import { choice, parseWhole, parseShare } from "../options.js";
import { INVALID_REASONS, INVALID_REASON_TEXT } from "../../uncertainty/invalidReasons.js";
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

export async function systemSimulateCommand(
  io: CliIO,
  file: string,
  options: { paths: string; seed: string; threads: string; lhs?: boolean; scenario?: string; cut?: string[]; attribution?: boolean; period: string; format: string; keepPaths: string; maxInvalidPaths?: string; out?: string },
): Promise<boolean> {
  const format = choice(options.format, ["table", "json", "csv"] as const, "--format");
  const period = choice(options.period, ["month", "year"] as const, "--period");
  const n = parseWhole(options.paths, "-n");
  const seed = parseWhole(options.seed, "--seed");
  const threads = options.threads === "auto" ? "auto" : parseWhole(options.threads, "--threads");
  const keepPaths = parseWhole(options.keepPaths, "--keep-paths");
  const maxInvalid = parseShare(options.maxInvalidPaths ?? "0", "--max-invalid-paths");
  const { simulateSystem, prestartSystemWorkers } = await import("../../system/simulateSystem.js");
  prestartSystemWorkers(n, threads);
  const loaded = loadSystemFile(file, { scenario: options.scenario, cut: options.cut });
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once("SIGINT", onInterrupt);
  const progress = pathProgress(io);
  let result: SystemSimulationResult;
  try {
    result = await simulateSystem(loaded, { paths: n, seed, threads, lhs: options.lhs, keepPaths, detail: period, attribution: options.attribution !== false, onProgress: progress, signal: controller.signal });
  } finally {
    process.removeListener("SIGINT", onInterrupt);
    if (progress) io.err("\r\x1b[K");
  }
  for (const w of result.warnings) io.err(`${w}\n`);
  const text = format === "json" ? JSON.stringify(result, null, 2) + "\n" : format === "csv" ? systemSimulationCsv(result, period) : systemSimulationTable(result, period);
  emit(io, text, options.out);
  const invalid = result.invalidPaths;
  if (invalid.count > 0 && invalid.share > maxInvalid) {
    io.err(`burnrate: ${invalid.count.toLocaleString("en-US")} of ${result.paths.toLocaleString("en-US")} paths (${formatPercent(invalid.share, 2)}) are invalid for some company, more than --max-invalid-paths ${formatPercent(maxInvalid, 2)} allows; they are left out of every figure above (${systemInvalidSummary(result)}). Fix the uncertain inputs (or the formulas they feed) so that every path is a possible outcome, or raise --max-invalid-paths.\n`);
    return false;
  }
  return true;
}

/** "3 a sampled input outside …; first: path 17 (xai)". */
function systemInvalidSummary(r: SystemSimulationResult): string {
  const parts = INVALID_REASONS.filter((reason) => r.invalidPaths.byReason[reason] > 0).map((reason) => `${r.invalidPaths.byReason[reason].toLocaleString("en-US")} ${INVALID_REASON_TEXT[reason]}`);
  const first = r.companies[0]?.result.invalidPaths.examples[0];
  return `${parts.join("; ")}${first ? `; first: path ${first.path}` : ""}`;
}

const percent = (v: number | null | undefined) => (v === null || v === undefined ? "–" : formatPercent(v));

export function systemSimulationTable(r: SystemSimulationResult, period: "month" | "year"): string {
  const out: string[] = [];
  const unit = unitWord(r.currency, r.unit);
  out.push(`${r.system} — ${r.companies.length} companies${r.scenario ? ` — scenario: ${r.scenario}` : ""}${r.cut.length ? ` — links cut: ${r.cut.join(", ")}` : ""}`);
  out.push(
    `${r.paths.toLocaleString("en-US")} paths${r.partial ? ` of ${r.requestedPaths.toLocaleString("en-US")} (PARTIAL: stopped early)` : ""}, ${r.sampling}, seed ${r.seed}, ${r.threads} thread${r.threads === 1 ? "" : "s"}; every company's and the shared inputs sampled together (${r.inputs.length} inputs)`,
  );
  if (r.invalidPaths.count > 0) out.push(`Invalid paths: ${r.invalidPaths.count.toLocaleString("en-US")} (${formatPercent(r.invalidPaths.share, 2)}), not outcomes for some company and left out of every figure below, each company's and the joint ones — ${systemInvalidSummary(r)}`);
  out.push(`Links resolved on every path: ${r.resolution.meanIterations.toFixed(2)} passes on average, at most ${r.resolution.maxIterations}${r.resolution.notConverged ? `; ${r.resolution.notConverged} paths DID NOT SETTLE` : ""}; ${r.resolution.projectionsPerPath.toFixed(2)} company projections per path${r.attribution ? " (attribution reruns included)" : ""}`);
  out.push("");
  out.push("Odds of running out of cash, by the end of each year");
  const years = r.joint.years.map(String);
  const cols: Column[] = [{ header: "", align: "left" }, ...years.map((y) => ({ header: y })), { header: "any time" }];
  const rows: string[][] = r.joint.cashOut.map((c) => [`  ${c.company}`, ...c.byYear.map((v) => percent(v)), percent(c.total)]);
  for (const pair of r.joint.pairs) rows.push([`  ${pair.companies[0]} and ${pair.companies[1]}`, ...pair.byYear.map((v) => percent(v)), percent(pair.total)]);
  if (r.companies.length > 2) rows.push(["  all of them", ...r.joint.all.map((v) => percent(v)), percent(r.joint.all.at(-1))]);
  rows.push(["  at least one", ...r.joint.any.map((v) => percent(v)), percent(r.joint.any.at(-1))]);
  out.push(renderTable(cols, rows));
  const conditional = r.joint.pairs.flatMap((p) => p.conditional.filter((c) => c.probability !== null).map((c) => `P(${p.companies.find((x) => x !== c.given)} | ${c.given} runs out) ${percent(c.probability)}`));
  if (conditional.length) out.push(`  ${conditional.join("; ")}`);
  out.push("");
  out.push(`Losses to lenders if a company runs out of cash (debt outstanding then × (1 − recovery)), ${unit}`);
  out.push(
    renderTable(
      [{ header: "", align: "left" }, { header: "recovery" }, { header: "P(loss)" }, { header: "mean" }, { header: "p50" }, { header: "p90" }, { header: "p95" }],
      [
        ...r.lenders.companies.map((c) => [`  ${c.name}`, formatPercent(c.lenderRecovery, 0), percent(c.probability), formatAmount(c.loss.mean), formatAmount(c.loss.p50), formatAmount(c.loss.p90), formatAmount(c.loss.p95)]),
        ["  system", "", percent(r.lenders.total.probability), formatAmount(r.lenders.total.mean), formatAmount(r.lenders.total.p50), formatAmount(r.lenders.total.p90), formatAmount(r.lenders.total.p95)],
      ],
    ),
  );
  if (r.links.length) {
    out.push("");
    if (!r.attribution) out.push("Links: attribution skipped (--no-attribution).");
    else {
      out.push(`Links: what each costs the company it affects (whole horizon, ${unit}) and how much of each company's odds arrive through it (each path rerun with the link cut)`);
      for (const l of r.links) {
        out.push("");
        out.push(`${l.name} (${l.counterparty} → ${l.company}): acts on ${percent(l.acted)} of paths`);
        out.push(`  payments lost: mean ${formatAmount(l.paymentsLost!.mean)}, p50 ${formatAmount(l.paymentsLost!.p50)}, p90 ${formatAmount(l.paymentsLost!.p90)}; revenue change: mean ${formatAmount(l.revenueChange!.mean)}, p10 ${formatAmount(l.revenueChange!.p10)}, p50 ${formatAmount(l.revenueChange!.p50)}`);
        out.push(
          renderTable(
            [{ header: "  company", align: "left" }, { header: "P(out) with the link" }, { header: "without it" }, { header: "out only through it" }, { header: "share of the odds" }],
            l.attribution!.map((a) => [`  ${a.company}`, percent(a.withLink), percent(a.withoutLink), percent(a.throughLink), percent(a.shareOfOdds)]),
          ),
        );
        out.push(
          renderTable(
            [{ header: "  out of cash by the end of", align: "left" }, ...r.joint.years.map((y) => ({ header: String(y) }))],
            l.attribution!.flatMap((a) => [
              [`  ${a.company} with the link`, ...a.withLinkByYear.map((v) => percent(v))],
              [`  ${a.company} without it`, ...a.withoutLinkByYear.map((v) => percent(v))],
            ]),
          ),
        );
      }
    }
  }
  for (const c of r.companies) {
    out.push("");
    out.push(`══ ${c.name} (${c.horizon.start} … ${c.horizon.end}) ══`);
    out.push(simulationTable(c.result, period).split("\n").slice(2).join("\n").trimEnd());
  }
  const notes = [...r.notes];
  if (notes.length) {
    out.push("");
    out.push("Notes");
    for (const n of notes) out.push(`  - ${n}`);
  }
  return out.join("\n") + "\n";
}

/** Long form: section, company, period, measure, value. */
export function systemSimulationCsv(r: SystemSimulationResult, period: "month" | "year"): string {
  const rows: (string | number | null)[][] = [];
  rows.push(["paths", "valid", null, "count", r.paths - r.invalidPaths.count], ["paths", "invalid", null, "count", r.invalidPaths.count]);
  for (const reason of INVALID_REASONS) if (r.invalidPaths.byReason[reason] > 0) rows.push(["paths", `invalid.${reason}`, null, "count", r.invalidPaths.byReason[reason]]);
  for (const c of r.joint.cashOut) c.byYear.forEach((v, y) => rows.push(["odds", c.company, String(r.joint.years[y]), "cashOutBy", v]));
  for (const p of r.joint.pairs) p.byYear.forEach((v, y) => rows.push(["odds", `${p.companies[0]}+${p.companies[1]}`, String(r.joint.years[y]), "bothOutBy", v]));
  r.joint.any.forEach((v, y) => rows.push(["odds", "any", String(r.joint.years[y]), "anyOutBy", v]));
  for (const c of r.lenders.companies) for (const q of ["mean", "p50", "p90", "p95"] as const) rows.push(["lenders", c.name, null, `loss.${q}`, c.loss[q]]);
  for (const l of r.links) {
    if (!l.attribution) continue;
    rows.push(["link", l.name, null, "acted", l.acted]);
    for (const q of ["mean", "p10", "p50", "p90"] as const) rows.push(["link", l.name, null, `paymentsLost.${q}`, l.paymentsLost![q]]);
    for (const a of l.attribution) {
      rows.push(["attribution", `${l.name}:${a.company}`, null, "withLink", a.withLink]);
      rows.push(["attribution", `${l.name}:${a.company}`, null, "withoutLink", a.withoutLink]);
      rows.push(["attribution", `${l.name}:${a.company}`, null, "throughLink", a.throughLink]);
    }
  }
  for (const c of r.companies) {
    for (const { label, row } of period === "month" ? c.result.months.map((m) => ({ label: m.period, row: m })) : c.result.years.map((y) => ({ label: String(y.year), row: y }))) {
      for (const series of SIMULATED_SERIES) {
        const d = row[series];
        for (const q of ["mean", "p5", "p10", "p25", "p50", "p75", "p90", "p95"] as const) rows.push(["series", c.name, label, `${series}.${q}`, d[q]]);
      }
    }
  }
  return toCsv(["section", "name", "period", "measure", "value"], rows);
}

export function systemSensitivityCommand(io: CliIO, file: string, options: { metric: string; at: string; scenario?: string; cut?: string[]; global?: boolean; paths?: string; seed?: string; format: string; out?: string }): void {
  const format = choice(options.format, ["table", "json", "csv"] as const, "--format");
  const at = parseQuantilePair(options.at);
  const wantsGlobal = Boolean(options.global || options.paths !== undefined || options.seed !== undefined);
  const n = options.paths !== undefined ? parseWhole(options.paths, "-n") : 2000;
  const seed = options.seed !== undefined ? parseWhole(options.seed, "--seed") : 1;
  const loaded = loadSystemFile(file, { scenario: options.scenario, cut: options.cut });
  for (const w of loaded.warnings) io.err(formatIssue(w) + "\n");
  const report = systemSensitivity(loaded, options.metric, { at, global: wantsGlobal ? { n, seed } : null });
  let text: string;
  if (format === "json") text = JSON.stringify(report, null, 2) + "\n";
  else if (format === "csv") {
    text = report.reports
      .map((r, i) =>
        sensitivityCsv(r)
          .trimEnd()
          .split("\n")
          .slice(i === 0 ? 0 : 1)
          .map((line, j) => (i === 0 && j === 0 ? `company,${line}` : `${r.company},${line}`))
          .join("\n"),
      )
      .join("\n") + "\n";
  } else {
    const head = `${report.system}${report.scenario ? ` — scenario: ${report.scenario}` : ""}${report.cut.length ? ` — links cut: ${report.cut.join(", ")}` : ""}: the links act in every measure`;
    text = [head, ...report.reports.map((r) => `\n══ ${r.company} ══\n${sensitivityTable(r).trimEnd()}`)].join("\n") + "\n";
  }
  emit(io, text, options.out);
}

export async function systemSectorCommand(io: CliIO, file: string, options: { scenario?: string; paths: string; seed: string; threads: string; format: string; out?: string }): Promise<void> {
  const format = choice(options.format, ["table", "json"] as const, "--format");
  const paths = parseWhole(options.paths, "-n");
  const seed = parseWhole(options.seed, "--seed");
  const threads = options.threads === "auto" ? "auto" : parseWhole(options.threads, "--threads");
  const loaded = loadSystemFile(file, { scenario: options.scenario });
  for (const w of loaded.warnings) io.err(formatIssue(w) + "\n");
  const { sectorOfSystem } = await import("../../system/sectorSystem.js");
  const result = await sectorOfSystem(loaded, { paths, seed, threads });
  emit(io, format === "json" ? JSON.stringify(result, null, 2) + "\n" : systemSectorTable(result), options.out);
}

export function systemSectorTable(r: SystemSectorResult): string {
  const out: string[] = [];
  const unit = unitWord(r.currency, r.unit);
  out.push(`${r.system} — the sector by fiscal year, ${unit}${r.scenario ? ` — scenario: ${r.scenario}` : ""}${r.odds ? `; odds from ${r.odds.paths.toLocaleString("en-US")} paths (seed ${r.odds.seed})` : ""}`);
  const cols: Column[] = [{ header: "", align: "left" }, ...r.years.map((y) => ({ header: y.year + (y.partial.length ? "*" : "") }))];
  const amount = (v: number | null) => (v === null ? "" : formatAmount(v));
  const hours = (v: number) => formatAmount(v / 1e6, 0);
  out.push("");
  out.push("Capacity being built vs contracted demand vs the customers' ability to pay");
  out.push(
    renderTable(cols, [
      ["  GPU-hours the fleets can deliver (millions)", ...r.years.map((y) => hours(y.capacity))],
      ["    growth", ...r.years.map((y) => percent(y.capacityGrowth))],
      ["  Capex", ...r.years.map((y) => amount(y.capex))],
      ["  Contract revenue billed (GPU clouds)", ...r.years.map((y) => amount(y.contractRevenue))],
      ["  Backlog at year end", ...r.years.map((y) => amount(y.backlog))],
      ["    growth", ...r.years.map((y) => percent(y.backlogGrowth))],
      ["  Owed by linked customers in the year", ...r.years.map((y) => amount(y.linkedDue))],
      ["  … of which paid (links acting)", ...r.years.map((y) => amount(y.linkedPaid))],
      ["  Linked customers' cash at year end", ...r.years.map((y) => amount(y.customersCash))],
      ["  Their cash a year before ÷ what they owe", ...r.years.map((y) => (y.coverage === null ? "" : formatRatio(y.coverage)))],
    ]),
  );
  out.push("");
  out.push("Investment vs revenue (all companies)");
  out.push(
    renderTable(cols, [
      ["  Revenue", ...r.years.map((y) => amount(y.revenue))],
      ["  Capex", ...r.years.map((y) => amount(y.capex))],
      ["  Capex ÷ revenue", ...r.years.map((y) => (y.capexToRevenue === null ? "" : formatRatio(y.capexToRevenue)))],
      ["  Revenue growth", ...r.years.map((y) => percent(y.revenueGrowth))],
      ["  Capex growth", ...r.years.map((y) => percent(y.capexGrowth))],
    ]),
  );
  for (const c of r.companies) {
    out.push("");
    out.push(`${c.name} (${c.role})`);
    const cc: Column[] = [{ header: "", align: "left" }, ...c.years.map((y) => ({ header: y.year + (y.months < 12 ? "*" : "") }))];
    const rows: string[][] = [
      ["  Revenue", ...c.years.map((y) => amount(y.revenue))],
      ["  Capex", ...c.years.map((y) => amount(y.capex))],
      ["  Revenue growth", ...c.years.map((y) => percent(y.revenueGrowth))],
      ["  Capex growth", ...c.years.map((y) => percent(y.capexGrowth))],
    ];
    if (c.years.some((y) => y.capacity)) rows.push(["  GPU-hours (millions)", ...c.years.map((y) => hours(y.capacity ?? 0))]);
    if (c.years.some((y) => y.backlog !== null)) rows.push(["  Backlog at year end", ...c.years.map((y) => amount(y.backlog))]);
    rows.push(["  Debt ÷ EBITDA", ...c.years.map((y) => (y.debtToEbitda === null ? "" : formatRatio(y.debtToEbitda)))]);
    if (c.years.some((y) => y.pCashOutBy !== null)) rows.push(["  P(cash out by year end)", ...c.years.map((y) => percent(y.pCashOutBy))]);
    out.push(renderTable(cc, rows));
  }
  for (const cu of r.customers) {
    out.push("");
    out.push(`${cu.name}: ability to pay what it owes the companies linked to it`);
    out.push(
      renderTable([{ header: "", align: "left" }, ...cu.years.map((y) => ({ header: y.year }))], [
        ["  Owed to linked suppliers", ...cu.years.map((y) => amount(y.due))],
        ["  Paid (links acting)", ...cu.years.map((y) => amount(y.paid))],
        ["  Cash at year end", ...cu.years.map((y) => amount(y.cash))],
        ["  Free cash flow", ...cu.years.map((y) => amount(y.freeCashFlow))],
        ["  Cash a year before ÷ owed", ...cu.years.map((y) => (y.coverage === null ? "" : formatRatio(y.coverage)))],
        ...(cu.years.some((y) => y.pCashOutBy !== null) ? [["  P(cash out by year end)", ...cu.years.map((y) => percent(y.pCashOutBy))], ["  … at +100 bp", ...cu.years.map((y) => percent(y.pCashOutByAt100bp))]] : []),
      ]),
    );
  }
  out.push("");
  out.push(`+${r.rates.bp} bp for everyone at once${r.rates.from ? ` (from ${r.rates.from})` : ""}`);
  out.push(
    renderTable(
      [{ header: "", align: "left" }, { header: "Cash runs out" }, { header: `at +${r.rates.bp} bp` }, { header: "Funding gap" }, { header: `at +${r.rates.bp} bp` }, { header: "P(cash out)" }, { header: `at +${r.rates.bp} bp` }],
      r.rates.companies.map((c) => [`  ${c.name}`, c.cashOut.base ?? "not in horizon", r.rates.rerun ? (c.cashOut.shocked ?? "not in horizon") : "–", formatAmount(c.fundingGap.base), c.fundingGap.shocked === null ? "–" : formatAmount(c.fundingGap.shocked), percent(c.pCashOut.base), percent(c.pCashOut.shocked)]),
    ),
  );
  const years = [...new Set(r.rates.companies.flatMap((c) => c.years.map((y) => y.year)))].sort();
  out.push(
    renderTable(
      [{ header: "  Extra interest", align: "left" }, ...years.map((y) => ({ header: y }))],
      r.rates.companies.flatMap((c) => [
        [`  ${c.name}: whole system`, ...years.map((y) => amount(c.years.find((x) => x.year === y)?.extraInterest ?? null))],
        [`  ${c.name}: first-order`, ...years.map((y) => amount(c.years.find((x) => x.year === y)?.firstOrder ?? null))],
      ]),
    ),
  );
  out.push("");
  out.push("Flags (seed 002 ¶2–¶3)");
  if (r.flags.length === 0) out.push("  none");
  for (const f of r.flags) out.push(`  ${f.company} ${f.year}: ${f.flag} (${f.detail})`);
  if (r.notes.length) {
    out.push("");
    out.push("Notes");
    for (const n of r.notes) out.push(`  - ${n}`);
  }
  out.push("* part of the year lies outside a company's horizon (or the company has not started): growth compares the companies present in both years, annualized.");
  return out.join("\n") + "\n";
}
