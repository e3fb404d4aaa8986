import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadModelText } from "../model/load.js";
import { ModelError, type ModelIssue } from "../model/issues.js";
import { compileModel } from "../engine/compile.js";
import { evaluate } from "../engine/project.js";
import { checkProjection } from "../engine/checks.js";
import { createTranslator } from "../i18n/index.js";
import { issueMessage } from "../i18n/issues.js";
import { simulateCommand } from "../commands/simulate.js";
import { projectModel } from "../projectModel.js";
import "./extension.js";

/**
 * Formulas that read fleet and site series (item 9 of issue 14): the small GPU cloud of
 * test/fixtures/gpu/small-cloud.yaml — 4,000 H100s in site alpha (10 MW, live 2025-05,
 * month index 4), in service for 60 months, capacity 1 GPU-hour per unit-hour.
 */
const SMALL = readFileSync(join(import.meta.dirname, "..", "..", "test", "fixtures", "gpu", "small-cloud.yaml"), "utf8");

function withFormulas(extra: string): string {
  return SMALL.replace("drivers:\n  sofr: 0.04\n", `drivers:\n  sofr: 0.04\n${extra}`);
}

function issuesOf(text: string): ModelIssue[] {
  try {
    loadModelText(text, "cloud.yaml");
  } catch (error) {
    if (error instanceof ModelError) return error.issues;
    throw error;
  }
  return [];
}

const FORMULAS = `  units: 'fleetUnits("h100")'
  allUnits: "fleetUnits()"
  gpuHours: 'fleetCapacity("h100")'
  live: 'siteLive("alpha")'
  mw: "siteMw()"
  techs: "ceil(fleetUnits() / 500) + 2 * siteMw(\\"alpha\\")"
`;

describe("formulas read fleet and site series", () => {
  const loaded = loadModelText(withFormulas(FORMULAS), "cloud.yaml");
  const compiled = compileModel(loaded.model, loaded.extensions);
  const proj = evaluate(compiled);
  const s = (name: string) => Array.from(compiled.driverSeries.get(name)!);

  it("units and capacity of a cohort and of the fleet, from the month it runs (its site's go-live)", () => {
    expect(s("units").slice(0, 6)).toEqual([0, 0, 0, 0, 4000, 4000]);
    expect(s("allUnits")).toEqual(s("units"));
    // The same capacity the projection sells: count × capacity per unit-hour × hours.
    expect(s("gpuHours")).toEqual(Array.from(proj.cohorts[0].capacity));
    expect(s("gpuHours")[4]).toBe(4000 * 31 * 24);
  });

  it("a site is live (1) and gives its MW from its go-live month", () => {
    expect(s("live").slice(0, 6)).toEqual([0, 0, 0, 0, 1, 1]);
    expect(s("mw").slice(0, 6)).toEqual([0, 0, 0, 0, 10, 10]);
    // 4,000 GPUs need 8 teams of 500, plus 2 per MW live.
    expect(s("techs").slice(3, 5)).toEqual([0, 8 + 20]);
  });

  it("follow a site delay given as a param (scenario, solver or Monte Carlo path) in step with the fleet", () => {
    const params = Float64Array.from(compiled.baseParams);
    const delay = compiled.table.slot("sites.alpha.delayMonths")!;
    params[delay] = 3;
    const late = evaluate(compiled, params);
    const first = (a: number[]) => a.findIndex((v) => v > 0);
    expect(first(s("live"))).toBe(7);
    expect(first(s("units"))).toBe(7);
    expect(late.cohortService[0]).toBe(7);
    expect(s("gpuHours")).toEqual(Array.from(late.cohorts[0].capacity));
    // A simulation re-runs the step that fills a fleet series when the delay is sampled.
    const step = compiled.order.find((st) => st.outputs.includes(compiled.driverSeries.get("live")!));
    const fill = compiled.order.filter((st) => step!.inputs.includes(st.outputs[0]));
    expect(fill.some((st) => st.slots.includes(delay))).toBe(true);
    evaluate(compiled);
  });

  it("can feed the statements (a line reading them) without breaking an identity", () => {
    const text = withFormulas(FORMULAS).replace("fleet:\n", "lines:\n  siteOps:\n    type: operatingExpense\n    value: 'siteMw(\"alpha\") * 0.05 + fleetUnits() / 100000'\nfleet:\n");
    const l = loadModelText(text, "cloud.yaml");
    const c = compileModel(l.model, l.extensions);
    const p = evaluate(c);
    expect(p.lineValues[c.lines.findIndex((x) => x.name === "siteOps")].slice(3, 5)).toEqual(Float64Array.from([0, 0.5 + 0.04]));
    expect(checkProjection(p).balanced).toBe(true);
  });
});

describe("fleet series in a simulation", () => {
  it("a sampled site delay moves them on every path exactly as the same delay in a scenario", async () => {
    const text = withFormulas(`  crew: 'ceil(fleetUnits("h100") / 1000) * 0.3'\n`).replace("fleet:\n", "lines:\n  siteOps:\n    type: operatingExpense\n    value: 'siteLive(\"alpha\") * 2 + crew + siteMw() * 0.1'\nfleet:\n") +
      "uncertain:\n  delay: { path: sites.alpha.delayMonths, distribution: discrete, values: [3], probabilities: [1], assumption: test }\n";
    const late = projectModel(loadModelText(text, "cloud.yaml", { scenario: "late" })).metrics.minCash;
    const onTime = projectModel(loadModelText(text, "cloud.yaml")).metrics.minCash;
    expect(late).not.toBe(onTime);
    const sim = await simulateCommand({ text, file: "cloud.yaml" }, { paths: 64, seed: 1, threads: 1 });
    expect(sim.metrics.minCash.p5).toBe(late);
    expect(sim.metrics.minCash.p95).toBe(late);
  });
});

describe("fleet functions called the wrong way", () => {
  it("an unknown cohort or site: which, and the name it is close to, in English and Arabic", () => {
    const [cohort] = issuesOf(withFormulas("  units: 'fleetUnits(\"h10\")'\n"));
    expect(cohort.code).toBe("formula_unknown_name");
    expect(cohort.position).toMatchObject({ file: "cloud.yaml", line: 15 });
    expect(cohort.message).toContain('unknown fleet cohort "h10"');
    expect(cohort.params).toMatchObject({ name: "h10", suggestion: "h100", variant: "cohort_suggest" });
    expect(issueMessage(cohort, createTranslator("ar"))).toContain("دفعة أسطول غير معروفة");
    const [site] = issuesOf(withFormulas("  live: 'siteLive(\"beta\")'\n"));
    expect(site.message).toContain('unknown site "beta"');
    expect(site.message).toContain("the model has: alpha");
    expect(site.params).toMatchObject({ name: "beta", variant: "site" });
    expect(issueMessage(site, createTranslator("ar"))).toContain("موقع غير معروف");
  });

  it("a name not in quotes, or missing where one is needed", () => {
    const [bare] = issuesOf(withFormulas("  units: fleetUnits(sofr)\n"));
    expect(bare.code).toBe("formula_bad_call");
    expect(bare.message).toContain("fleetUnits takes the name of a fleet cohort in quotes");
    expect(bare.params).toMatchObject({ variant: "name_arg", name: "fleetUnits" });
    const [none] = issuesOf(withFormulas("  live: siteLive()\n"));
    expect(none.params).toMatchObject({ variant: "arity", name: "siteLive", min: 1, count: 0 });
  });
});
