import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadModelText } from "../model/load.js";
import { projectModel } from "../index.js";
import { UsageError } from "../model/issues.js";
import { compareRuns } from "./index.js";

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../test/fixtures/targets/${name}`, import.meta.url)), "utf8");
const runOf = (name: string, scenario?: string) => projectModel(loadModelText(fixture(name), name, { scenario }));

describe("compareRuns", () => {
  const base = runOf("pass.yaml");
  const slow = runOf("pass.yaml", "slow");
  const later = runOf("later.yaml"); // 2026–2027, USD thousands
  const c = compareRuns([
    { label: "base", result: base },
    { label: "slow", result: slow },
    { label: "later", result: later },
  ]);

  it("lines up the union of the runs' fiscal years, blank where a run has none", () => {
    expect(c.years).toEqual([2025, 2026, 2027]);
    const revenue = c.yearly.find((b) => b.measure === "revenue")!;
    expect(revenue.values.base.map((v) => (v === null ? null : Math.round(v * 1e9) / 1e9))).toEqual([120, 180, null]);
    expect(revenue.values.slow[1]).toBeCloseTo(132, 9);
    expect(revenue.values.later[0]).toBeNull();
  });

  it("converts amounts written in another unit of the same currency", () => {
    expect(c.unit).toBe("millions");
    expect(c.currency).toBe("USD");
    // 1000 thousand a month = 12 million a year.
    expect(c.yearly.find((b) => b.measure === "revenue")!.values.later[1]).toBeCloseTo(12, 9);
    expect(c.summary.find((r) => r.measure === "minCash")!.values.later).toBeCloseTo(later.metrics.minCash / 1000, 9);
    expect(c.warnings.join(" ")).toMatch(/later is written in another unit; amounts are converted to millions/);
    expect(c.runs.map((r) => r.unit)).toEqual(["millions", "millions", "thousands"]);
  });

  it("runs cumulative burn month by month so that it ends at the whole-horizon figure", () => {
    const burn = c.yearly.find((b) => b.measure === "cumulativeBurn")!;
    expect(burn.values.base[0]).toBeCloseTo(24, 9);
    expect(burn.values.base[1]).toBeCloseTo(24, 9); // no burn once free cash flow turns positive
    expect(burn.values.slow[1]).toBeCloseTo(36, 9);
    expect(burn.values.slow[1]).toBeCloseTo(slow.metrics.cumulativeBurn, 9);
    expect(burn.values.later[2]).toBeCloseTo(later.metrics.cumulativeBurn / 1000, 9);
  });

  it("gives capex ÷ revenue, and nothing where there is no revenue", () => {
    const ratio = c.yearly.find((b) => b.measure === "capexToRevenue")!;
    expect(ratio.values.later[1]).toBeCloseTo(0.1, 9);
    expect(ratio.values.base[0]).toBe(0);
  });

  it("summarises each run over its whole horizon", () => {
    const row = (m: string) => c.summary.find((r) => r.measure === m)!.values;
    expect(row("cashOut")).toEqual({ base: null, slow: "2026-07", later: later.metrics.cashOut });
    expect(row("fundingGap").slow).toBeCloseTo(6, 9);
    expect(row("firstPositiveFreeCashFlowYear")).toEqual({ base: 2026, slow: null, later: null });
    expect(row("firstPositiveFreeCashFlowMonth")).toEqual({ base: "2026-01", slow: null, later: null });
    expect(row("minDscr")).toEqual({ base: null, slow: null, later: null });
    expect(row("covenantBreaches")).toEqual({ base: 0, slow: 0, later: 0 });
    expect(row("minCash").base).toBeCloseTo(6, 9);
  });

  it("marks fiscal years the horizon covers only in part", () => {
    const text = fixture("later.yaml").replace("start: 2026-01", "start: 2026-04");
    const r = compareRuns([{ label: "x", result: projectModel(loadModelText(text, "x.yaml")) }]);
    expect(r.years).toEqual([2026, 2027, 2028]);
    expect(r.runs[0].partialYears).toEqual([2026, 2028]);
  });

  it("refuses the same label twice and an empty list", () => {
    expect(() => compareRuns([{ label: "a", result: base }, { label: "a", result: slow }])).toThrow(UsageError);
    expect(() => compareRuns([])).toThrow(/at least one/);
  });
});
