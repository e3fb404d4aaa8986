import { compareRuns, type Comparison } from "../targets/compare.js";
import { UsageError } from "../model/issues.js";
import type { LoadedSystem } from "./load.js";
import { runSystem, type SystemRunResult, type LinkEffect } from "./run.js";

/** One system run to compare: a label (`models/system.yaml:rates-up-200`) and the loaded system. */
export interface SystemCompareInput {
  label: string;
  system: LoadedSystem;
}

export interface SystemComparison {
  runs: { label: string; system: string; scenario: string | null; cut: string[]; converged: boolean; iterations: number }[];
  /** Per company: its runs side by side by fiscal year (as `compare` shows models). */
  companies: { name: string; comparison: Comparison }[];
  /** Per link: its totals in each run (null where the run cut it). */
  links: { name: string; company: string; counterparty: string; unit: string; values: Record<string, Pick<LinkEffect, "counterpartyOut" | "effectiveFrom" | "totals" | "cashOut"> | null> }[];
  warnings: string[];
}

/**
 * Puts runs of systems (scenarios of one system, or the system with and without links)
 * side by side: each company across the runs, and each link's effect in each run.
 */
export function compareSystems(inputs: SystemCompareInput[]): SystemComparison {
  if (inputs.length === 0) throw new UsageError("nothing_to_compare", "give at least one system to compare");
  const runs: { label: string; result: SystemRunResult }[] = inputs.map((i) => ({ label: i.label, result: runSystem(i.system) }));
  const names = [...new Set(runs.flatMap((r) => r.result.companies.map((c) => c.name)))];
  const warnings: string[] = [];
  const companies = names.map((name) => {
    const present = runs.filter((r) => r.result.companies.some((c) => c.name === name));
    const comparison = compareRuns(present.map((r) => ({ label: r.label, result: r.result.companies.find((c) => c.name === name)!.result })));
    warnings.push(...comparison.warnings.map((w) => `${name}: ${w}`));
    return { name, comparison };
  });
  const linkNames = [...new Set(inputs.flatMap((i) => Object.keys(i.system.system.links)))];
  const links = linkNames.map((name) => {
    const any = runs.flatMap((r) => r.result.links).find((l) => l.name === name);
    const spec = inputs.map((i) => i.system.system.links[name]).find((l) => l !== undefined)!;
    return {
      name,
      company: spec.company,
      counterparty: spec.type === "counterparty" ? spec.counterparty : spec.investor,
      unit: any?.unit ?? "",
      values: Object.fromEntries(
        runs.map((r) => {
          const l = r.result.links.find((x) => x.name === name);
          return [r.label, l ? { counterpartyOut: l.counterpartyOut, effectiveFrom: l.effectiveFrom, totals: l.totals, cashOut: l.cashOut } : null];
        }),
      ),
    };
  });
  return {
    runs: runs.map((r) => ({ label: r.label, system: r.result.system, scenario: r.result.scenario, cut: r.result.cut, converged: r.result.resolution.converged, iterations: r.result.resolution.iterations })),
    companies,
    links,
    warnings,
  };
}
