import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadModelText } from "../model/load.js";
import { compileModel, type CompiledModel } from "../engine/compile.js";
import { evaluate, createWorkspace, type EvaluationOptions, type Projection, type Workspace } from "../engine/project.js";
import "./extension.js";
import { gpuData } from "./compile.js";

/**
 * A GPU cloud's workspace and GPU stage keep what they computed from inputs that did not
 * change since the last evaluation (a cohort's series, or the parts of them its changed
 * inputs reach; the fleet's totals; the sites' and pools' sums): evaluating a sequence of
 * params in one workspace must give, to the last bit, what a whole evaluation gives for each.
 */
const root = join(import.meta.dirname, "..", "..");
const COREWEAVE = readFileSync(join(root, "models", "coreweave.yaml"), "utf8");
const SMALL = readFileSync(join(root, "test", "fixtures", "gpu", "small-cloud.yaml"), "utf8");

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let t = 0; t < a.length; t++) if (!Object.is(a[t], b[t])) return t;
  return a.length === b.length ? -1 : a.length;
}

/** Every series of a projection and of the GPU stage, named and copied. */
function seriesOf(c: CompiledModel, proj: Projection, report: boolean): [string, number[]][] {
  const out: [string, number[]][] = [];
  const add = (name: string, v: ArrayLike<number>) => out.push([name, Array.from(v)]);
  for (const [name, v] of Object.entries(proj.items)) add(`items.${name}`, v);
  for (const [name, v] of Object.entries(proj.ratios)) add(`ratios.${name}`, v);
  proj.cohorts.forEach((co, k) => Object.entries(co).forEach(([name, v]) => add(`cohort${k}.${name}`, v as Float64Array)));
  proj.tranches.forEach((tr, k) => Object.entries(tr).forEach(([name, v]) => add(`tranche${k}.${name}`, v as Float64Array)));
  add("cohortService", proj.cohortService);
  add("opening", Object.values(proj.opening));
  const g = gpuData(c)!;
  g.customerLines.forEach((v, l) => add(`gpu.customer${l}`, v));
  if (g.spotLine) add("gpu.spot", g.spotLine);
  if (report) {
    for (const [name, v] of Object.entries(g.series)) {
      if (Array.isArray(v)) v.forEach((s: Float64Array, i: number) => add(`gpu.${name}${i}`, s));
      else add(`gpu.${name}`, v as Float64Array);
    }
  }
  return out;
}

/** One input moved: a number scaled (or set, if zero), a month or a count of months shifted by whole months. */
const change = fc.record({ pick: fc.nat(), scale: fc.double({ min: 0.5, max: 1.5, noNaN: true }), shift: fc.integer({ min: -3, max: 3 }), report: fc.boolean() });
type Change = typeof change extends fc.Arbitrary<infer T> ? T : never;

function move(c: CompiledModel, params: Float64Array, slots: number[], { pick, scale, shift }: Change): void {
  const slot = slots[pick % slots.length];
  const path = c.table.paths[slot];
  if (c.table.kinds[slot] === "month" || /Months$|\.times$/.test(path)) params[slot] = Math.max(0, params[slot] + shift);
  else params[slot] = params[slot] === 0 ? scale - 0.5 : params[slot] * scale;
}

/**
 * The params moved one at a time, each evaluated twice in one workspace (the second time
 * with nothing changed, with or without the report series), against an evaluation of the
 * same params in a new workspace after one of the file's params (so that nothing is kept
 * from the previous params).
 */
function sameAsWholeEvaluations(reused: CompiledModel, whole: CompiledModel, slots: number[], changes: Change[]): void {
  const ws = createWorkspace(reused);
  const params = Float64Array.from(reused.baseParams);
  const other: Workspace = createWorkspace(whole);
  for (let i = 0; i <= changes.length; i++) {
    if (i > 0) move(reused, params, slots, changes[i - 1]);
    const report = i === 0 || changes[i - 1].report;
    evaluate(whole, whole.baseParams, other);
    const wholeProjection = evaluate(whole, params, createWorkspace(whole));
    const expected = seriesOf(whole, wholeProjection, report);
    const expectedWithReport = seriesOf(whole, wholeProjection, true);
    const options: EvaluationOptions = report ? {} : { skipReportSeries: true };
    for (let twice = 0; twice < 2; twice++) sameSeries(seriesOf(reused, evaluate(reused, params, ws, null, options), report), expected);
    // The report series left out are filled when an evaluation keeping the fleet reads them.
    if (!report) sameSeries(seriesOf(reused, evaluate(reused, params, ws, [], { sameFleet: true }), true), expectedWithReport);
  }
}

/**
 * The params moved one at a time and evaluated once each in one workspace, mostly without
 * the report series (as a simulation's paths follow each other), against a whole evaluation.
 */
function samePathAfterPath(reused: CompiledModel, whole: CompiledModel, slots: number[], changes: Change[]): void {
  const ws = createWorkspace(reused);
  const params = Float64Array.from(reused.baseParams);
  evaluate(reused, params, ws, null, { skipReportSeries: true });
  for (const c of changes) {
    move(reused, params, slots, c);
    const report = c.report && c.pick % 4 === 0;
    const expected = seriesOf(whole, evaluate(whole, params, createWorkspace(whole)), report);
    sameSeries(seriesOf(reused, evaluate(reused, params, ws, null, { skipReportSeries: !report }), report), expected);
  }
}

function sameSeries(got: [string, number[]][], expected: [string, number[]][]): void {
  expect(got.length).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) {
    const [name, values] = expected[k];
    expect({ name, at: firstDifference(got[k][1], values) }).toEqual({ name, at: -1 });
  }
}

function compile(text: string): CompiledModel {
  const loaded = loadModelText(text, "cloud.yaml");
  return compileModel(loaded.model, loaded.extensions);
}

/** The params of the fleet, its sites and prices, utilization and contracts, and the drivers feeding them. */
function gpuSlots(c: CompiledModel, drivers: RegExp): number[] {
  return c.table.paths.map((_, slot) => slot).filter((slot) => /^(fleet|sites|pricing|utilization|contracts)\./.test(c.table.paths[slot]) || drivers.test(c.table.paths[slot]));
}

/**
 * A small cloud: site alpha with the fixture's cohort, a second site with a cohort priced by
 * a series, and a cohort with no site that pays its own power price.
 */
const SMALL_MORE = SMALL.replace(
  "fleet:\n",
  `  beta:
    powerMw: 5
    costPerMw: 0
    buildStart: 2025-01
    goLive: 2025-09
    delayMonths: 1
    lifeMonths: 120
    pue: 1.2
    powerPrice: "0.08 + 0.001 * t"
    assumption: test fixture
fleet:
  b200:
    count: 2000
    unitCost: 60000
    purchase: 2025-06
    inService: 2025-08
    lifeMonths: 48
    powerKw: 1.2
    site: beta
    generation: B200
    assumption: test fixture
  owned:
    count: 500
    unitCost: 30000
    purchase: 2025-02
    inService: 2025-03
    lifeMonths: 36
    salvagePerUnit: 2000
    powerKw: 0.7
    pue: 1.4
    powerPrice: 0.09
    generation: H100
    assumption: test fixture
`,
).replace("pricing:\n  H100: { start: 2.0, declinePerYear: 0.2 }\n", 'pricing:\n  H100: { start: 2.0, declinePerYear: 0.2 }\n  B200: "3 - 0.01 * t"\n');

describe("a GPU cloud evaluated again in one workspace", () => {
  it("gives exactly what a whole evaluation gives, whatever moved among the fleet, its sites, prices and contracts (small cloud)", () => {
    const reused = compile(SMALL_MORE);
    const whole = compile(SMALL_MORE);
    const slots = gpuSlots(reused, /^drivers\./);
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 10 }), (changes) => sameAsWholeEvaluations(reused, whole, slots, changes)),
      { numRuns: 150, seed: 20261202 },
    );
  });

  it("gives exactly what a whole evaluation gives, whatever moved among CoreWeave's fleet, sites, prices, utilization and contracts", () => {
    const reused = compile(COREWEAVE);
    const whole = compile(COREWEAVE);
    const slots = gpuSlots(reused, /^drivers\.(powerPriceFuture|utilFuture|h100Level2026|hopperDecline|blackwellDecline)\./);
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 6 }), (changes) => sameAsWholeEvaluations(reused, whole, slots, changes)),
      { numRuns: 40, seed: 20261203 },
    );
  });

  it("gives exactly what a whole evaluation gives, path after path without the report series, whatever moved among the fleet, its sites, prices and contracts (small cloud and CoreWeave)", () => {
    for (const [text, drivers, runs, seed] of [
      [SMALL_MORE, /^drivers\./, 100, 20261206],
      [COREWEAVE, /^drivers\.(powerPriceFuture|utilFuture|h100Level2026|hopperDecline|blackwellDecline)\./, 30, 20261207],
    ] as const) {
      const reused = compile(text);
      const whole = compile(text);
      const slots = gpuSlots(reused, drivers);
      fc.assert(
        fc.property(fc.array(change, { minLength: 1, maxLength: 12 }), (changes) => samePathAfterPath(reused, whole, slots, changes)),
        { numRuns: runs, seed },
      );
    }
  });

  it("gives exactly what a whole evaluation gives when a site's whole construction moved (build start and go-live by the same months, the same spend per month)", () => {
    const reused = compile(SMALL_MORE);
    const whole = compile(SMALL_MORE);
    const sites = gpuData(reused)!.sites;
    const moves = fc.array(fc.record({ site: fc.nat({ max: sites.length - 1 }), shift: fc.integer({ min: -4, max: 4 }), report: fc.boolean() }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(moves, (list) => {
        const ws = createWorkspace(reused);
        const params = Float64Array.from(reused.baseParams);
        evaluate(reused, params, ws, null, { skipReportSeries: true });
        for (const m of list) {
          const sl = sites[m.site].slots;
          params[sl.buildStart] += m.shift;
          params[sl.goLive] += m.shift;
          const expected = seriesOf(whole, evaluate(whole, params, createWorkspace(whole)), m.report);
          sameSeries(seriesOf(reused, evaluate(reused, params, ws, null, { skipReportSeries: !m.report }), m.report), expected);
        }
      }),
      { numRuns: 40, seed: 20261208 },
    );
  });

  it("gives exactly what a whole evaluation gives when only contract exits and take-or-pay moved, evaluated again keeping the fleet (a system's link acting)", () => {
    // The scenario gives OpenAI's four contracts an exit month for the moves to set.
    const loaded = loadModelText(COREWEAVE, "coreweave.yaml", { scenario: "openai-stops-paying" });
    const reused = compileModel(loaded.model, loaded.extensions);
    const whole = compileModel(loaded.model, loaded.extensions);
    const g = gpuData(reused)!;
    const movable = g.contracts.filter((ct) => ct.slots.exit >= 0);
    const moves = fc.array(fc.record({ contract: fc.nat({ max: movable.length - 1 }), exit: fc.option(fc.integer({ min: -2, max: reused.months + 2 }), { freq: 4 }), takeOrPay: fc.double({ min: 0, max: 1, noNaN: true }), report: fc.boolean() }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(fc.double({ min: 0.3, max: 0.8, noNaN: true }), moves, (utilization, list) => {
        const ws = createWorkspace(reused);
        const params = Float64Array.from(reused.baseParams);
        params[reused.table.slot("drivers.utilFuture.constant")!] = utilization;
        evaluate(reused, params, ws, null, { skipReportSeries: true });
        for (const m of list) {
          const sl = movable[m.contract].slots;
          params[sl.exit] = m.exit ?? Infinity;
          params[sl.takeOrPay] = m.takeOrPay;
          const expected = seriesOf(whole, evaluate(whole, params, createWorkspace(whole)), m.report);
          sameSeries(seriesOf(reused, evaluate(reused, params, ws, [], { sameFleet: true, skipReportSeries: !m.report }), m.report), expected);
        }
      }),
      { numRuns: 30, seed: 20261204 },
    );
  });

  it("gives exactly what a whole evaluation gives when any contract term moved, evaluated again keeping the fleet (only the months from the first one moved are billed again)", () => {
    // Exits, take-or-pay, GPUs, prices, values, starts, terms and renewals (any contract
    // param; exits and take-or-pay of OpenAI's contracts, which have an exit, and renewals of
    // Microsoft's, none, negative and NaN among them, on their own too), one or several at a time, with and without the report series, in one workspace
    // keeping the fleet.
    const loaded = loadModelText(COREWEAVE, "coreweave.yaml", { scenario: "openai-stops-paying" });
    const reused = compileModel(loaded.model, loaded.extensions);
    const whole = compileModel(loaded.model, loaded.extensions);
    const slots = reused.table.paths.map((_, slot) => slot).filter((slot) => /^contracts\./.test(reused.table.paths[slot]));
    const exiting = gpuData(reused)!.contracts.filter((ct) => ct.slots.exit >= 0);
    const pick = fc.nat({ max: exiting.length - 1 });
    const renewing = gpuData(reused)!.contracts.filter((ct) => ct.slots.renewTimes >= 0);
    const step = fc.record({
      changes: fc.array(change, { minLength: 0, maxLength: 3 }),
      exit: fc.option(fc.record({ which: pick, month: fc.integer({ min: -2, max: reused.months + 2 }) }), { freq: 2 }),
      takeOrPay: fc.option(fc.record({ which: pick, share: fc.double({ min: 0, max: 1, noNaN: true }) }), { freq: 2 }),
      renewals: fc.option(fc.record({ which: fc.nat({ max: renewing.length - 1 }), times: fc.constantFrom(-1, 0, 1, 2, 3, NaN), termMonths: fc.constantFrom(12, 24, 0, -3, NaN) }), { freq: 2 }),
      report: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.double({ min: 0.3, max: 0.8, noNaN: true }), fc.array(step, { minLength: 1, maxLength: 8 }), (utilization, steps) => {
        const ws = createWorkspace(reused);
        const params = Float64Array.from(reused.baseParams);
        params[reused.table.slot("drivers.utilFuture.constant")!] = utilization;
        evaluate(reused, params, ws, null, { skipReportSeries: true });
        for (const s of steps) {
          for (const c of s.changes) move(reused, params, slots, c);
          if (s.exit) params[exiting[s.exit.which].slots.exit] = s.exit.month;
          if (s.takeOrPay) params[exiting[s.takeOrPay.which].slots.takeOrPay] = s.takeOrPay.share;
          if (s.renewals) {
            const sl = renewing[s.renewals.which].slots;
            params[sl.renewTimes] = s.renewals.times;
            if (s.renewals.which % 2 === 0) params[sl.renewTerm] = s.renewals.termMonths;
          }
          const expected = seriesOf(whole, evaluate(whole, params, createWorkspace(whole)), s.report);
          sameSeries(seriesOf(reused, evaluate(reused, params, ws, [], { sameFleet: true, skipReportSeries: !s.report }), s.report), expected);
        }
      }),
      { numRuns: 40, seed: 20261205 },
    );
  });
});
