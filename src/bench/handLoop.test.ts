import { describe, it, expect } from "vitest";
import { loadModelText } from "../model/load.js";
import { compileModel } from "../engine/compile.js";
import { compileUncertainty, applySample } from "../uncertainty/spec.js";
import { evaluate } from "../engine/project.js";
import { computeMetrics, metricVector, METRIC_INDEX } from "../engine/metrics.js";
import { simulationBenchText, sampledInputs } from "./simulation.js";
import { runHandLoop, handLoopOutputs } from "./handLoop.js";

describe("the benchmark's hand-written loop", () => {
  it("computes the same cash, net income and metrics as burnrate on the same sampled inputs", () => {
    const text = simulationBenchText();
    const n = 60;
    const samples = sampledInputs(text, n, 7);
    const loaded = loadModelText(text, "bench.yaml");
    const compiled = compileModel(loaded.model, loaded.extensions);
    const spec = compileUncertainty(loaded, compiled);
    const out = handLoopOutputs(n);
    const metrics = metricVector();
    let checked = 0;
    const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
    runHandLoop(samples, n, out, (p, cash, netIncome) => {
      const params = Float64Array.from(compiled.baseParams);
      spec.inputs.forEach((input, k) => applySample(params, input, samples[k * n + p]));
      const proj = evaluate(compiled, params);
      computeMetrics(proj, metrics, params[compiled.slots.cashFloor]);
      for (let t = 0; t < compiled.months; t++) {
        close(cash[t], proj.items.endingCash[t]);
        close(netIncome[t], proj.items.netIncome[t]);
      }
      // The funding gap is solved to 1e-9 of its size by both (bisection here, the engine's own solver).
      expect(Math.abs(out.metrics[0][p] - metrics[METRIC_INDEX.fundingGap])).toBeLessThanOrEqual(1e-6 * Math.max(1, metrics[METRIC_INDEX.fundingGap]));
      close(out.metrics[3][p], metrics[METRIC_INDEX.cumulativeBurn]);
      close(out.metrics[4][p], metrics[METRIC_INDEX.minDscr]);
      checked++;
    });
    expect(checked).toBe(n);
    // The paths cover what the bench is about: some run out of cash (overdraft, funding gap), some do not.
    expect(out.metrics[0].some((g) => g > 0)).toBe(true);
    expect(out.metrics[0].some((g) => g === 0)).toBe(true);
    // The covenant count agrees too (every path breaches at least once in this model, or none does).
    const breaches = Array.from({ length: n }, (_, p) => {
      const params = Float64Array.from(compiled.baseParams);
      spec.inputs.forEach((input, k) => applySample(params, input, samples[k * n + p]));
      computeMetrics(evaluate(compiled, params), metrics, params[compiled.slots.cashFloor]);
      return metrics[METRIC_INDEX.covenantBreaches] > 0 ? 1 : 0;
    }).reduce<number>((a, b) => a + b, 0);
    expect(out.anyCovenantBreach).toBe(breaches);
  });
});
