import fc from "fast-check";
import { describe, it, expect } from "vitest";
import { loadModelText } from "../model/load.js";
import { compileModel, type CompiledModel } from "../engine/compile.js";
import { makeDistribution } from "./math/distributions.js";
import type { UncertaintySpec } from "./sample.js";
import { planSimulation } from "./paths.js";
import { RunShape, type ChunkResult } from "./aggregate.js";
import { runChunk } from "./chunks.js";
import { arbitraryModel } from "../testing/arbitraryModel.js";
import "../index.js";

/** Uncertain inputs on the chosen numeric params: each multiplied by a sample from 0.5 to 1.5. */
function multiplying(c: CompiledModel, picks: number[]): UncertaintySpec {
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
}

/** A chunk result's figures as plain numbers (NaN and −0 kept apart by Object.is below). */
function figures(r: ChunkResult): number[] {
  return [...r.values, ...r.cashOutMonth, ...r.breakevenMonth, r.anyCovenantBreach, r.invalid, ...r.invalidByReason, ...r.kept.flatMap((k) => Object.values(k.series).flat())];
}

describe("a pooled worker's plan", () => {
  it("gives a later job's chunks bit for bit as a fresh plan does (generated models, any inputs varied, any chunk order before)", () => {
    // worker.ts keeps the last job's plan for a job with the same model, inputs, seed and
    // sampling: the paths of the earlier job, in any order, must leave nothing behind.
    fc.assert(
      fc.property(arbitraryModel(), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.integer({ min: 5, max: 40 }), (generated, picks, firstJob, paths) => {
        const loaded = loadModelText(JSON.stringify(generated.data), "generated.json");
        const options = { seed: 9, lhs: false, blockSize: 8 };
        const kept = compileModel(loaded.model, loaded.extensions);
        const plan = planSimulation(kept, multiplying(kept, picks), options);
        const earlier = new RunShape(kept, "quarter", 48, 2, 4);
        for (const pick of firstJob) runChunk(plan, earlier, pick % earlier.chunks);
        const fresh = compileModel(loaded.model, loaded.extensions);
        const freshPlan = planSimulation(fresh, multiplying(fresh, picks), options);
        const shape = new RunShape(fresh, "quarter", paths, 3, 4);
        for (let c = shape.chunks - 1; c >= 0; c--) {
          const a = figures(runChunk(plan, new RunShape(kept, "quarter", paths, 3, 4), c));
          const b = figures(runChunk(freshPlan, shape, c));
          expect(a.length).toBe(b.length);
          for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect.fail(`chunk ${c}, figure ${i}: ${a[i]} from the kept plan, ${b[i]} from a fresh one`);
        }
      }),
      { numRuns: 40 },
    );
  });
});
