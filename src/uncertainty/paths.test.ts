import fc from "fast-check";
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadModelText, type LoadedModel } from "../model/load.js";
import { compileModel, type CompiledModel } from "../engine/compile.js";
import { evaluate, PATH_ITEMS, type Projection } from "../engine/project.js";
import { BALANCE_TOLERANCE } from "../engine/checks.js";
import { ITEM_NAMES, RATIO_NAMES, type StatementItem } from "../engine/items.js";
import { computeMetrics, metricVector } from "../engine/metrics.js";
import { SIMULATED_SERIES } from "./aggregate.js";
import { makeDistribution } from "./math/distributions.js";
import { compileUncertainty } from "./spec.js";
import type { UncertaintySpec } from "./sample.js";
import { planSimulation, forEachPath, drawProcessShocks, evaluationOptions, PROCESS_STREAM_BASE } from "./paths.js";
import type { EvaluationOptions } from "../engine/project.js";
import { RandomStream } from "./math/rng.js";
import { arbitraryModel } from "../testing/arbitraryModel.js";
import { simulationBenchText } from "../bench/simulation.js";
import "../index.js";

const root = join(import.meta.dirname, "..", "..");

/** Numbers equal bit for bit (NaN equal to NaN). */
function same(a: number, b: number): boolean {
  return Object.is(a, b) || (a !== a && b !== b);
}

/**
 * Every path of a simulation — evaluated with only the steps that vary, formulas compiled
 * again for the plan, lines summed in one loop, fleet skipped when nothing moves it — has
 * the statements of a full evaluation of the model with that path's inputs, bit for bit.
 */
function expectPathsMatchFullEvaluation(loaded: LoadedModel, spec: (c: CompiledModel) => UncertaintySpec, paths = 12, pathItemsOnly = false): void {
  const compiled = compileModel(loaded.model, loaded.extensions);
  const reference = compileModel(loaded.model, loaded.extensions);
  const plan = planSimulation(compiled, spec(compiled), { seed: 5, lhs: false, blockSize: 8 });
  let checked = 0;
  let invalid = 0;
  // A path that writes only what simulate reads: those items (and revenue, summed before the month loop), the ratios and the metrics.
  const items: readonly StatementItem[] = pathItemsOnly ? ["revenue", ...PATH_ITEMS] : ITEM_NAMES;
  const fullMetrics = metricVector();
  forEachPath(plan, paths, 0, paths, (path, proj, metrics) => {
    const full = evaluate(reference, compiled.params);
    for (const item of items) {
      const a = proj.items[item];
      const b = full.items[item];
      for (let t = 0; t < compiled.months; t++) if (!same(a[t], b[t])) expect.fail(`path ${path}, ${item} in month ${t}: ${a[t]} in the simulation, ${b[t]} evaluated in full`);
    }
    for (const ratio of RATIO_NAMES) {
      const a = proj.ratios[ratio];
      const b = full.ratios[ratio];
      for (let t = 0; t < compiled.months; t++) if (!same(a[t], b[t])) expect.fail(`path ${path}, ${ratio} in month ${t}: ${a[t]} in the simulation, ${b[t]} evaluated in full`);
    }
    // The floor of the plan's params (a sampled floor moves the paths' cash-floor covenant, not the gap's floor).
    computeMetrics(full, fullMetrics, plan.cashFloor);
    for (let k = 0; k < metrics.length; k++) if (!same(metrics[k], fullMetrics[k])) expect.fail(`path ${path}, metric ${k}: ${metrics[k]} in the simulation, ${fullMetrics[k]} evaluated in full`);
    if (pathItemsOnly) expectChecksCounted(proj, path);
    checked++;
  }, undefined, undefined, (path, reason) => {
    invalid++;
    const proj = plan.workspace.projection;
    if (pathItemsOnly && reason !== "input" && reason !== "months" && proj.checks.current) expectChecksCounted(proj, path);
  }, pathItemsOnly);
  // Paths whose sampled inputs `check` would reject (a fractional life, a PUE below 1…) are
  // not outcomes: they are counted apart and never visited (validity.ts).
  expect(checked + invalid).toBe(paths);
}

/**
 * What a path's month loop counted for validity.ts (Projection.checks) is what validity's
 * own pass over the written items counts: a value not finite, months off balance or tie.
 */
function expectChecksCounted(proj: Projection, path: number): void {
  const it = proj.items;
  let finite = 0;
  let unbalanced = 0;
  let previousCash = proj.opening.cash;
  for (let t = 0; t < proj.compiled.months; t++) {
    for (const item of ["endingCash", "revenue", "netIncome", "freeCashFlow", "debt", "totalAssets", "totalLiabilities", "equity"] as const) finite += it[item][t] - it[item][t];
    const imbalance = it.totalAssets[t] - it.totalLiabilities[t] - it.equity[t];
    const tie = it.endingCash[t] - previousCash - (it.operatingCashFlow[t] + it.investingCashFlow[t] + it.financingCashFlow[t]);
    previousCash = it.endingCash[t];
    if (!(Math.abs(imbalance) <= BALANCE_TOLERANCE && Math.abs(tie) <= BALANCE_TOLERANCE)) unbalanced++;
  }
  if (proj.compiled.stages.length > 0) return;
  expect({ path, current: proj.checks.current, finite: proj.checks.nonFinite === 0, unbalanced: proj.checks.unbalanced }).toEqual({ path, current: true, finite: finite === 0, unbalanced });
}

/** Uncertain inputs on the chosen numeric params: each multiplied by a sample from 0.5 to 1.5. */
function multiplying(picks: number[]): (c: CompiledModel) => UncertaintySpec {
  return (c) => {
    const numeric = c.table.paths.map((path, slot) => ({ path, slot })).filter(({ slot }) => c.table.kinds[slot] === "number" && Number.isFinite(c.baseParams[slot]));
    const chosen = [...new Set(picks.map((p) => numeric[p % numeric.length]))];
    return {
      inputs: chosen.map(({ path, slot }) => {
        const target = { path, slot, apply: "multiply" as const, isMonth: false, base: c.baseParams[slot] };
        const distributionSpec = { kind: "uniform" as const, min: 0.5, max: 1.5 };
        return { name: path, ...target, targets: [target], distributionSpec, distribution: makeDistribution(distributionSpec) };
      }),
      processes: [],
      correlation: null,
      preparedCorrelation: null,
      warnings: [],
    };
  };
}

describe("a simulation's paths", () => {
  it("are the model evaluated in full with each path's inputs, bit for bit (generated models, any inputs varied)", () => {
    fc.assert(
      fc.property(arbitraryModel(), fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), (generated, picks) => {
        expectPathsMatchFullEvaluation(loadModelText(JSON.stringify(generated.data), "generated.json"), multiplying(picks), 6);
      }),
      { numRuns: 60 },
    );
  });

  it("that collect only what simulate reads have those items, the ratios and the metrics of a full evaluation, bit for bit", () => {
    // What a simulate path collects is among the items such a path writes.
    for (const name of SIMULATED_SERIES) expect(["revenue", ...PATH_ITEMS]).toContain(name);
    fc.assert(
      fc.property(arbitraryModel(), fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), (generated, picks) => {
        expectPathsMatchFullEvaluation(loadModelText(JSON.stringify(generated.data), "generated.json"), multiplying(picks), 6, true);
      }),
      { numRuns: 60, seed: 20261206 },
    );
    const bench = loadModelText(simulationBenchText(), "bench.yaml");
    expectPathsMatchFullEvaluation(bench, (c) => compileUncertainty(bench, c), 40, true);
    for (const file of ["models/xai.yaml", "models/coreweave.yaml", "models/openai.yaml"]) {
      const loaded = loadModelText(readFileSync(join(root, file), "utf8"), file);
      expectPathsMatchFullEvaluation(loaded, (c) => ({ ...compileUncertainty(loaded, c), processes: [] }), 6, true);
    }
  });

  it("are the model evaluated in full for the benchmark model and the shipped models", () => {
    const bench = loadModelText(simulationBenchText(), "bench.yaml");
    expectPathsMatchFullEvaluation(bench, (c) => compileUncertainty(bench, c));
    for (const file of ["models/xai.yaml", "models/coreweave.yaml", "models/openai.yaml"]) {
      const loaded = loadModelText(readFileSync(join(root, file), "utf8"), file);
      // Without the stochastic processes (a full evaluation has none to compare with).
      expectPathsMatchFullEvaluation(loaded, (c) => ({ ...compileUncertainty(loaded, c), processes: [] }), 6);
    }
  });
});

describe("a path's process noise", () => {
  it("is month t's draw of the path's own stream, for every month the process moves (earlier draws passed over)", () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(100000), fc.integer({ min: 1, max: 40 }), fc.array(fc.record({ jump: fc.boolean(), from: fc.integer({ min: 1, max: 45 }) }), { minLength: 1, maxLength: 3 }), (seed, path, months, specs) => {
        const processes = specs.map(() => ({ rng: new RandomStream(), shocks: new Float64Array(months), uniforms: new Float64Array(months) }));
        const plan = {
          seed,
          compiled: { months },
          processes,
          spec: { processes: specs.map((s) => ({ process: s.jump ? "jump" : "gbm", fromIndex: s.from })) },
        } as unknown as Parameters<typeof drawProcessShocks>[0];
        drawProcessShocks(plan, path);
        specs.forEach((s, j) => {
          const rng = new RandomStream(seed, path, PROCESS_STREAM_BASE + j);
          for (let t = 0; t < months; t++) {
            const draw = s.jump ? rng.nextUniform() : rng.nextNormal();
            if (t >= s.from) expect(Object.is(processes[j].shocks[t], draw)).toBe(true);
          }
        });
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * The simulation's evaluation options are all built in one shape (evaluationOptions), so
 * that the engine's reads of them see one hidden class: each field must read, the way the
 * engine and the extensions read it, as in the sparse options it was built from.
 */
describe("evaluation options in one shape", () => {
  const sparse = fc.record(
    {
      skipFleet: fc.boolean(),
      lineSums: fc.constantFrom(null, () => {}),
      sameFleet: fc.boolean(),
      stopAfter: fc.constantFrom("lines" as const, "statements" as const),
      skipReportSeries: fc.boolean(),
      pathItemsOnly: fc.boolean(),
    },
    { requiredKeys: [] },
  );
  const reads = (o: EvaluationOptions) => [!o.skipFleet, o.lineSums ?? null, !o.sameFleet, o.sameFleet === true, o.stopAfter === "lines", o.stopAfter === "statements", o.stopAfter === undefined, o.skipReportSeries === true, o.skipReportSeries !== true, o.pathItemsOnly === true];

  it("reads every option as the options it was built from, with the same fields in the same order", () => {
    fc.assert(
      fc.property(sparse, (options) => {
        const built = evaluationOptions(options);
        expect(reads(built)).toEqual(reads(options));
        expect(Object.keys(built)).toEqual(["skipFleet", "lineSums", "sameFleet", "stopAfter", "skipReportSeries", "pathItemsOnly"]);
      }),
    );
  });
});
