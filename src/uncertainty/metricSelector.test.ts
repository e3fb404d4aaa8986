import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadModelText } from "../model/load.js";
import { compileModel } from "../engine/compile.js";
import { evaluate } from "../engine/project.js";
import { computeMetrics, metricVector } from "../engine/metrics.js";
import { rollUp } from "../engine/result.js";
import { UsageError } from "../model/issues.js";
import { parseMetricSelector, metricJson, monthIndexOf, monthLabel } from "./metricSelector.js";

const small = readFileSync(fileURLToPath(new URL("../../test/fixtures/small.yaml", import.meta.url)), "utf8");

function setup(text = small) {
  const loaded = loadModelText(text, "model.yaml");
  const compiled = compileModel(loaded.model, loaded.extensions);
  const proj = evaluate(compiled);
  const metrics = computeMetrics(proj, metricVector(), compiled.baseParams[compiled.slots.cashFloor]);
  return { compiled, proj, metrics, read: (text: string) => parseMetricSelector(text, compiled).read(proj, metrics) };
}

describe("metric selectors over periods", () => {
  const { compiled, proj, read } = setup();
  const years = rollUp(proj, "year");
  const quarters = rollUp(proj, "quarter");
  const months = rollUp(proj, "month");

  it("sums flows over a fiscal year, quarter or month, as rollUp does", () => {
    expect(read("revenue@2025")).toBeCloseTo(years[0].revenue, 9);
    expect(read("netIncome@2026")).toBeCloseTo(years[1].netIncome, 9);
    expect(read("freeCashFlow@2025-Q3")).toBeCloseTo(quarters.find((q) => q.period === "2025-Q3")!.freeCashFlow, 9);
    expect(read("capex@2025-03")).toBeCloseTo(months[2].capex, 9);
    // A range sums its months.
    expect(read("revenue@2025-01..2025-03")).toBeCloseTo(months[0].revenue + months[1].revenue + months[2].revenue, 9);
  });

  it("takes balances at the period's end", () => {
    expect(read("endingCash@2025")).toBe(proj.items.endingCash[11]);
    expect(read("debt@2026-Q1")).toBe(proj.items.debt[14]);
    expect(read("endingCash@2026-06")).toBe(proj.items.endingCash[17]);
  });

  it("computes a period's DSCR from its summed flows", () => {
    expect(read("dscr@2026")).toBeCloseTo(years[1].dscr!, 12);
  });

  it("labels and normalises the selector", () => {
    const s = parseMetricSelector(" revenue@2025-q3 ", compiled);
    expect(s.text).toBe("revenue@2025-Q3");
    expect(s.kind).toBe("amount");
    expect(s.label).toBe("Revenue in 2025-Q3");
    expect(parseMetricSelector("endingCash@2025", compiled).label).toBe("Cash at the end of 2025");
  });

  it("uses fiscal years named by the year they end in, and refuses a period the horizon covers in part", () => {
    const fy = setup(small.replace("cashFloor: 10", "cashFloor: 10\n  fiscalYearStart: 7"));
    // FY2026 runs 2025-07 … 2026-06.
    let sum = 0;
    for (let t = 6; t <= 17; t++) sum += fy.proj.items.revenue[t];
    expect(fy.read("revenue@2026")).toBeCloseTo(sum, 9);
    expect(() => fy.read("revenue@2025")).toThrow(/covers only part of it/);
    expect(() => fy.read("revenue@2028")).toThrow(/does not reach it/);
  });
});

describe("whole-horizon metrics", () => {
  const { compiled, metrics, read } = setup();
  it("reads the metrics vector", () => {
    expect(read("minCash")).toBe(metrics[2]);
    expect(read("runway")).toBe(compiled.months); // alias; cash never runs out in small.yaml
    expect(read("covenantBreach")).toBe(metrics[12]);
  });

  it("turns a month that never comes into the horizon length, and back into null / never", () => {
    const s = parseMetricSelector("cashOut", compiled);
    expect(s.kind).toBe("month");
    expect(s.never).toBe(24);
    expect(read("cashOut")).toBe(24);
    expect(metricJson(s, compiled, 24)).toBeNull();
    expect(metricJson(s, compiled, 3)).toBe("2025-04");
    expect(monthLabel(compiled, 24)).toBe("never");
  });

  it("converts months to indices from the first month, inside the horizon or not", () => {
    expect(monthIndexOf(compiled, "2025-01")).toBe(0);
    expect(monthIndexOf(compiled, "2027-12")).toBe(35);
    expect(monthIndexOf(compiled, "2024-12")).toBe(-1);
    expect(monthIndexOf(compiled, "2025-13")).toBeNull();
  });
});

describe("bad selectors", () => {
  const { compiled } = setup();
  const error = (text: string) => {
    try {
      parseMetricSelector(text, compiled);
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      return (e as Error).message;
    }
    throw new Error(`no error for ${text}`);
  };
  it("suggests the metric meant", () => {
    expect(error("minCsh")).toMatch(/unknown metric "minCsh" — did you mean "minCash"\?/);
    expect(error("revnue@2025")).toMatch(/did you mean "revenue"\?/);
    expect(error("nonsense")).toMatch(/expected a run metric \(runwayMonths, minCash/);
  });
  it("asks for a period for line items and none for horizon metrics", () => {
    expect(error("revenue")).toMatch(/"revenue" is a line item: say in which period, e.g. revenue@2026/);
    expect(error("minCash@2025")).toMatch(/whole-horizon metric and takes no period/);
    expect(error("revenue@2025-Q5")).toMatch(/is not a period/);
    expect(error("")).toMatch(/no metric given/);
  });
});
