import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { loadModelText } from "../model/load.js";
import { compileModel, type CompiledModel } from "./compile.js";
import { evaluate, createWorkspace, type Projection } from "./project.js";
import { computeMetrics, metricVector } from "./metrics.js";
import { arbitraryModel } from "../testing/arbitraryModel.js";

/**
 * A workspace keeps what an evaluation computed from inputs that did not change since
 * the last one (the tranches' walks, the fleet cohorts): evaluating a sequence of params
 * in one workspace must give, to the last bit, what a new workspace gives for each.
 */
const sameNumber = (a: number, b: number) => Object.is(a, b);

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let t = 0; t < a.length; t++) if (!sameNumber(a[t], b[t])) return t;
  return a.length === b.length ? -1 : a.length;
}

/** Every series of a projection, named. */
function seriesOf(proj: Projection): [string, ArrayLike<number>][] {
  const out: [string, ArrayLike<number>][] = [];
  for (const [name, v] of Object.entries(proj.items)) out.push([`items.${name}`, v]);
  for (const [name, v] of Object.entries(proj.ratios)) out.push([`ratios.${name}`, v]);
  proj.tranches.forEach((tr, k) => Object.entries(tr).forEach(([name, v]) => out.push([`tranche${k}.${name}`, v as Float64Array])));
  proj.cohorts.forEach((co, k) => Object.entries(co).forEach(([name, v]) => out.push([`cohort${k}.${name}`, v as Float64Array])));
  proj.opexByCategory.forEach((v, k) => out.push([`category${k}`, v]));
  if (proj.revolver) Object.entries(proj.revolver).forEach(([name, v]) => out.push([`revolver.${name}`, v as Float64Array]));
  if (proj.capitalization) {
    proj.capitalization.interest.forEach((v, a) => out.push([`capitalized${a}`, v]));
    proj.capitalization.depreciation.forEach((v, a) => out.push([`capDepreciation${a}`, v]));
  }
  out.push(["cohortService", proj.cohortService], ["rounds", proj.rounds], ["opening", Object.values(proj.opening)]);
  return out;
}

/** The projection and metrics of params, or the error's message. */
function outcome(c: CompiledModel, params: Float64Array, ws = createWorkspace(c)): { series: [string, number[]][]; metrics: number[] } | string {
  try {
    const proj = evaluate(c, params, ws);
    const metrics = Array.from(computeMetrics(proj, metricVector(), c.params[c.slots.cashFloor]));
    return { series: seriesOf(proj).map(([name, v]) => [name, Array.from(v)]), metrics };
  } catch (error) {
    return String((error as Error).message);
  }
}

/** Params moved from the file's: some slots scaled, month slots shifted by whole months. */
const changes = fc.array(fc.record({ pick: fc.nat(), scale: fc.double({ min: 0.5, max: 1.5, noNaN: true }), shift: fc.integer({ min: -3, max: 3 }) }), { maxLength: 4 });

function moved(c: CompiledModel, list: { pick: number; scale: number; shift: number }[]): Float64Array {
  const params = Float64Array.from(c.baseParams);
  const n = params.length;
  if (n === 0) return params;
  for (const { pick, scale, shift } of list) {
    const slot = pick % n;
    if (c.table.kinds[slot] === "month") params[slot] += shift;
    else params[slot] *= scale;
  }
  return params;
}

describe("a workspace evaluated again", () => {
  it("gives exactly what a new workspace gives, whatever changed since its last evaluation", () => {
    fc.assert(
      fc.property(arbitraryModel(), fc.array(changes, { minLength: 2, maxLength: 5 }), ({ data }, steps) => {
        const loaded = loadModelText(JSON.stringify(data), "generated.json");
        const c = compileModel(loaded.model, loaded.extensions);
        const reused = createWorkspace(c);
        // Each params twice in a row (nothing changed), then the next.
        for (const list of [...steps, []].flatMap((s) => [s, s])) {
          const params = moved(c, list);
          const fresh = outcome(c, params);
          const again = outcome(c, params, reused);
          if (typeof fresh === "string" || typeof again === "string") {
            expect(again).toEqual(fresh);
            continue;
          }
          for (let i = 0; i < fresh.series.length; i++) {
            const [name, values] = fresh.series[i];
            expect({ name, at: firstDifference(again.series[i][1], values) }).toEqual({ name, at: -1 });
          }
          expect(firstDifference(again.metrics, fresh.metrics)).toBe(-1);
        }
      }),
      { numRuns: 120, seed: 20261202 },
    );
  });
});
