import { loadModelText, type LoadedModel } from "../model/load.js";
import { projectModel, type ModelRunResult } from "../index.js";
import { compileModel } from "../engine/compile.js";
import { UsageError } from "../model/issues.js";
import type { SimulationResult } from "../uncertainty/summary.js";
import type { SensitivityReport } from "../uncertainty/sensitivity.js";

/** What every export format is made from: the runs, and what was asked on top of them. */
export interface ExportData {
  /** The run the statements show: the first scenario asked for, else the base case. */
  main: { loaded: LoadedModel; result: ModelRunResult };
  /** The base case and every scenario asked for, in that order (for the comparison). */
  runs: { scenario: string | null; result: ModelRunResult }[];
  simulation: SimulationResult | null;
  sensitivity: SensitivityReport | null;
  /** Caveats the model states about itself (`caveats:`), if any. */
  caveats: ExportCaveat[];
}

export interface ExportDataOptions {
  scenarios?: string[];
  simulate?: { paths: number; seed: number } | null;
  /** A metric for the tornado (runs when the model has uncertain inputs); null to skip. */
  sensitivityMetric?: string | null;
}

/**
 * Loads and runs a model for an export: the base case, the scenarios asked for, and a
 * simulation and a tornado when asked. Pure library code (no files): the CLI and the
 * server call it with the model's text.
 */
export async function prepareExport(text: string, file: string, options: ExportDataOptions = {}): Promise<ExportData> {
  const scenarios = options.scenarios ?? [];
  const base = loadModelText(text, file);
  const loadedRuns = [{ scenario: null as string | null, loaded: base }, ...scenarios.map((s) => ({ scenario: s, loaded: loadModelText(text, file, { scenario: s }) }))];
  const runs = loadedRuns.map(({ scenario, loaded }) => ({ scenario, result: projectModel(loaded) }));
  const mainIndex = scenarios.length > 0 ? 1 : 0;
  const main = { loaded: loadedRuns[mainIndex].loaded, result: runs[mainIndex].result };
  let simulation: SimulationResult | null = null;
  const hasUncertain = main.loaded.extensions.uncertain !== undefined;
  if (options.simulate) {
    if (!hasUncertain) throw new UsageError("nothing_uncertain", `${file} has no uncertain inputs; --simulate needs an \`uncertain:\` section (see the README, "Uncertainty")`);
    const { simulate } = await import("../uncertainty/simulate.js");
    simulation = await simulate(main.loaded, { paths: options.simulate.paths, seed: options.simulate.seed, threads: 1, source: { text, file } });
  }
  let sensitivity: SensitivityReport | null = null;
  if (options.sensitivityMetric && hasUncertain) {
    const { sensitivity: run } = await import("../uncertainty/sensitivity.js");
    const { compileUncertainty } = await import("../uncertainty/spec.js");
    const { parseMetricSelector } = await import("../uncertainty/metricSelector.js");
    const compiled = compileModel(main.loaded.model, main.loaded.extensions);
    const spec = compileUncertainty(main.loaded, compiled);
    if (spec.inputs.length > 0) sensitivity = run(main.loaded, compiled, spec, parseMetricSelector(options.sensitivityMetric, compiled), { at: [0.1, 0.9], global: null });
  }
  return { main, runs, simulation, sensitivity, caveats: caveatsOf(main.result) };
}

/** What the reader must know to read the figures (the model's `caveats:`, as the run resolves them). */
export interface ExportCaveat {
  id: string;
  text: string;
  /** Its source (register IDs) or, failing that, its assumption. */
  citation: string | null;
  /** The figures and periods it qualifies, e.g. "revenue, netIncome in 2027". */
  qualifies: string;
}

export function caveatsOf(result: ModelRunResult): ExportCaveat[] {
  return (result.caveats ?? []).map((c) => ({
    id: c.id,
    text: c.text,
    citation: c.source ?? (c.assumption ? `assumption: ${c.assumption}` : null),
    qualifies: [[...c.metrics, ...c.lines].join(", "), c.periods.length ? `in ${c.periods.join(", ")}` : ""].filter((x) => x).join(" "),
  }));
}
