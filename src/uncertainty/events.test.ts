import { describe, it, expect } from "vitest";
import { loadModelText } from "../model/load.js";
import { compileModel } from "../engine/compile.js";
import { evaluate } from "../engine/project.js";
import { ModelError } from "../model/issues.js";
import { compileUncertainty } from "./spec.js";
import { simulate } from "./simulate.js";

/** A launch month that is a driver, sampled from a window of months. */
const model = (uncertain: string) => `
meta: { company: Launch Co, start: 2026-01, months: 24, assumption: test }
openingBalance: { cash: 100, paidInCapital: 100, assumption: test }
drivers:
  launch: { month: 2026-03, assumption: test }
  delay: { constant: 0, assumption: test }
lines:
  sales: { type: revenue, value: "10 * after(launch)", assumption: test }
  rampUp: { type: revenue, value: "6 * ramp(launch, launch + 6)", assumption: test }
  prep: { type: operatingExpense, value: "2 + between(launch - 2, launch - 1) + 0 * monthsSince(launch) + before(\\"2026-02\\")", assumption: test }
${uncertain}`;

const WINDOW = `uncertain:
  opening: { path: drivers.launch.month, distribution: discreteUniform, min: 2026-03, max: 2026-09, assumption: any month from March to September }
`;

describe("events at a month that is a driver or sampled", () => {
  it("switches lines on at a driver's month: after, before, between, monthsSince and ramp take months as values", () => {
    const loaded = loadModelText(model(""), "launch.yaml");
    const proj = evaluate(compileModel(loaded.model, loaded.extensions));
    expect(Array.from(proj.items.revenue.subarray(0, 4))).toEqual([0, 0, 10, 11]);
    // ramp from March to September: 1/6 of 6 a month more each month, full from September.
    expect(proj.items.revenue[8]).toBe(16);
    // Preparation costs in the two months before launch, and a January-only item.
    expect(Array.from(proj.items.operatingExpenses.subarray(0, 4))).toEqual([4, 3, 2, 2]);
  });

  it("samples the month from a window with discreteUniform: every month of the window equally often", async () => {
    const result = await simulate(loadModelText(model(WINDOW), "launch.yaml"), { paths: 7000, seed: 4, keepPaths: 7000, detail: "year" });
    const firstSale = new Map<number, number>();
    for (const path of result.keptPaths) {
      const t = path.series.revenue.findIndex((v) => v >= 10);
      firstSale.set(t, (firstSale.get(t) ?? 0) + 1);
    }
    expect([...firstSale.keys()].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    for (const count of firstSale.values()) expect(Math.abs(count / 7000 - 1 / 7)).toBeLessThan(0.02);
    expect(result.inputs[0]).toMatchObject({ distribution: "discreteUniform" });
  });

  it("adds a sampled number of months as a delay when min and max are numbers", async () => {
    const delay = `uncertain:
  slip: { path: drivers.launch.month, distribution: discreteUniform, min: 0, max: 2, assumption: up to two months late }
`;
    const result = await simulate(loadModelText(model(delay), "launch.yaml"), { paths: 600, seed: 2, keepPaths: 600, detail: "year" });
    const starts = new Set(result.keptPaths.map((p) => p.series.revenue.findIndex((v) => v >= 10)));
    expect([...starts].sort()).toEqual([2, 3, 4]);
  });

  it("refuses months where they cannot apply, saying where", () => {
    const cases: [string, RegExp][] = [
      ["uncertain:\n  x: { path: drivers.delay.constant, distribution: discreteUniform, min: 2026-03, max: 2026-05, assumption: t }\n", /launch\.yaml:\d+:\d+: drivers\.delay\.constant is not a month/],
      ["uncertain:\n  x: { path: drivers.launch.month, distribution: uniform, min: 2026-03, max: 2026-05, assumption: t }\n", /only with distribution: discreteUniform/],
      ["uncertain:\n  x: { path: drivers.launch.month, distribution: discreteUniform, min: 2026-03, max: 4, assumption: t }\n", /both min and max as months/],
      ["uncertain:\n  x: { path: drivers.launch.month, distribution: discreteUniform, min: 2026-03, max: 2026-05, apply: add, assumption: t }\n", /the sample is the month itself \(apply: set\)/],
      ["uncertain:\n  x: { path: drivers.launch.month, distribution: discreteUniform, min: 0.5, max: 3, assumption: t }\n", /min must be a whole number/],
    ];
    for (const [section, pattern] of cases) {
      const loaded = loadModelText(model(section), "launch.yaml");
      expect(() => compileUncertainty(loaded, compileModel(loaded.model, loaded.extensions)), section).toThrow(ModelError);
      try {
        compileUncertainty(loaded, compileModel(loaded.model, loaded.extensions));
      } catch (error) {
        expect((error as ModelError).message, section).toMatch(pattern);
      }
    }
    expect(() => loadModelText(model("").replace("after(launch)", 'after(\\"2026-13\\")'), "launch.yaml")).toThrow(/months written as "YYYY-MM"/);
  });
});
