import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { loadModelText } from "../model/load.js";
import { compileModel, type CompiledModel } from "./compile.js";
import { evaluate, createWorkspace, exactShortcuts, PATH_ITEMS, type EvaluationOptions, type Projection } from "./project.js";
import { computeMetrics, metricVector } from "./metrics.js";
import { ITEM_NAMES, RATIO_NAMES } from "./items.js";
import { arbitraryModel } from "../testing/arbitraryModel.js";

/**
 * The month loop resumes where its inputs first differ from the last run's in the same
 * workspace (resume.ts), as a system's reruns do when a cut link changes a line's scale or a
 * contract from a trigger month on. Whatever changed, and with whichever options, the
 * statements must be, to the last bit, those of a whole evaluation in a new workspace.
 */
const step = fc.record({
  kind: fc.constantFrom("scale", "scale", "param", "none"),
  pick: fc.nat(),
  month: fc.nat(),
  factor: fc.constantFrom(0, 0.5, 1.5, -0),
  scale: fc.double({ min: 0.5, max: 1.5, noNaN: true }),
  pathItemsOnly: fc.boolean(),
  stopAfter: fc.constantFrom(undefined, undefined, "statements" as const),
});
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function apply(c: CompiledModel, params: Float64Array, s: Step): void {
  const H = c.months;
  if (s.kind === "scale" && c.lines.length > 0) {
    // As a system's line effect: the factor from a trigger month on.
    const scale = c.lines[s.pick % c.lines.length].scale!;
    const m = s.month % (H + 1);
    scale.fill(1, 0, m);
    scale.fill(s.factor, m, H);
  } else if (s.kind === "param") {
    // Half of the picks among what the loop reads once per run (opening balances, tax, working capital).
    const all = c.table.paths.map((_, slot) => slot);
    const once = all.filter((slot) => /^(openingBalance|tax|workingCapital)\./.test(c.table.paths[slot]));
    const among = s.pick % 2 === 0 && once.length > 0 ? once : all;
    const slot = among[(s.pick >> 1) % among.length];
    if (c.table.kinds[slot] === "month") params[slot] += (s.month % 7) - 3;
    else params[slot] = params[slot] === 0 ? s.scale - 0.5 : params[slot] * s.scale;
  }
}

/** What a whole evaluation with these options writes: every item, or PATH_ITEMS; the ratios unless it stops after the statements. */
function written(proj: Projection, options: EvaluationOptions): [string, number[]][] {
  const names = options.pathItemsOnly ? PATH_ITEMS : ITEM_NAMES;
  const out: [string, number[]][] = names.map((n) => [n, Array.from(proj.items[n])]);
  if (!options.stopAfter) for (const n of RATIO_NAMES) out.push([`ratios.${n}`, Array.from(proj.ratios[n])]);
  if (proj.checks.current) out.push(["checks", [proj.checks.nonFinite, proj.checks.unbalanced]]);
  out.push(["opening", Object.values(proj.opening)]);
  return out;
}

function firstDifference(a: number[], b: number[]): number {
  for (let t = 0; t < Math.max(a.length, b.length); t++) if (!Object.is(a[t], b[t])) return t;
  return -1;
}

function resumedEqualsWhole(data: unknown, steps: Step[]): void {
  const loaded = loadModelText(JSON.stringify(data), "generated.json");
  const c = compileModel(loaded.model, loaded.extensions);
  for (const line of c.lines) line.scale = new Float64Array(c.months).fill(1);
  const reused = createWorkspace(c);
  const params = Float64Array.from(c.baseParams);
  for (const s of steps) {
    apply(c, params, s);
    const options: EvaluationOptions = { pathItemsOnly: s.pathItemsOnly, stopAfter: s.stopAfter };
    let whole: [string, number[]][] | string;
    let again: [string, number[]][] | string;
    let wholeMetrics: number[] = [];
    let againMetrics: number[] = [];
    try {
      const proj = evaluate(c, params, createWorkspace(c), null, options);
      whole = written(proj, options);
      if (!options.stopAfter) wholeMetrics = Array.from(computeMetrics(proj, metricVector(), c.params[c.slots.cashFloor]));
    } catch (error) {
      whole = String((error as Error).message);
    }
    try {
      const proj = evaluate(c, params, reused, null, options);
      again = written(proj, options);
      if (!options.stopAfter) againMetrics = Array.from(computeMetrics(proj, metricVector(), c.params[c.slots.cashFloor]));
    } catch (error) {
      again = String((error as Error).message);
    }
    if (typeof whole === "string" || typeof again === "string") {
      expect(again).toEqual(whole);
      continue;
    }
    for (let k = 0; k < whole.length; k++) {
      const [name, values] = whole[k];
      expect({ name, at: firstDifference(again[k][1], values) }).toEqual({ name, at: -1 });
    }
    expect(firstDifference(againMetrics, wholeMetrics)).toBe(-1);
  }
}

describe("statements evaluated again in the same workspace", () => {
  it("are exactly a whole evaluation's when a line's scale or a param changed from some month on", () => {
    expect(exactShortcuts.resumeMonthLoop).toBe(true);
    fc.assert(
      fc.property(arbitraryModel(), fc.array(step, { minLength: 2, maxLength: 10 }), ({ data }, steps) => resumedEqualsWhole(data, steps)),
      { numRuns: 150, seed: 20261204 },
    );
  });

  it("are exactly a whole evaluation's when every run records what the next may resume from", () => {
    exactShortcuts.monthLoopAlwaysRecords = true;
    try {
      fc.assert(
        fc.property(arbitraryModel(), fc.array(step, { minLength: 2, maxLength: 10 }), ({ data }, steps) => resumedEqualsWhole(data, steps)),
        { numRuns: 150, seed: 20261205 },
      );
    } finally {
      exactShortcuts.monthLoopAlwaysRecords = false;
    }
  });
});
