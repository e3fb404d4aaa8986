import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadModelText, type LoadedModel } from "../model/load.js";
import { projectModel } from "../index.js";
import { ModelError } from "../model/issues.js";
import { evaluateTargets, checkTargets, type TargetOutcome, type TargetReport } from "./index.js";

const fixture = (name: string) => fileURLToPath(new URL(`../../test/fixtures/targets/${name}`, import.meta.url));

/**
 * The company of test/fixtures/targets/pass.yaml: revenue 10 a month in 2025 and 15 in
 * 2026, staff 12 a month, cash 30 → net income and free cash flow −2 a month in 2025,
 * +3 a month in 2026; cash 6 at 2025-12 (its minimum); breakeven 2026-01; cash never
 * runs out. Scenario slow (2026 revenue 11): cash runs out in 2026-07.
 */
const BASE = `
meta: { company: Target Co, start: 2025-01, months: 24, assumption: test }
openingBalance: { cash: 30, paidInCapital: 30, assumption: test }
drivers:
  sales: { yearly: { 2025: 10, 2026: 15 }, assumption: test }
lines:
  sales: { type: revenue, value: sales, assumption: test }
  staff: { type: operatingExpense, value: 12, assumption: test }
scenarios:
  slow:
    overrides:
      - { path: drivers.sales.yearly.2026, set: 11 }
`;

function run(targets: string, options: { scenario?: string; base?: string } = {}): TargetReport {
  const loaded = loadModelText(`${options.base ?? BASE}\ntargets:\n${targets}`, "model.yaml", { scenario: options.scenario });
  return evaluateTargets(loaded, projectModel(loaded));
}

/** One target written as a flow mapping, e.g. `metric: revenue, period: 2025, value: 120`. */
function one(fields: string, options: { scenario?: string; base?: string } = {}): TargetOutcome {
  const report = run(`  t: { ${fields}, source: test }`, options);
  expect(report.targets).toHaveLength(1);
  return report.targets[0];
}

describe("evaluateTargets on the passing fixture", () => {
  const text = readFileSync(fixture("pass.yaml"), "utf8");
  const base = loadModelText(text, "pass.yaml");
  const report = evaluateTargets(base, projectModel(base));

  it("passes every base-case target and leaves the scenario's target out", () => {
    expect(report.failed).toBe(0);
    expect(report.passed).toBe(11);
    expect(report.targets.every((t) => t.pass)).toBe(true);
    expect(report.skipped).toEqual([{ name: "slow-cash-out", scenarios: ["slow"] }]);
    expect(report.scenario).toBeNull();
    expect(report.model).toBe("Target Co");
  });

  it("reports the model's figures, differences and citations", () => {
    const byName = Object.fromEntries(report.targets.map((t) => [t.name, t]));
    expect(byName["revenue-2025"]).toMatchObject({ metric: "revenue", period: "2025", reported: 120, difference: 0, relativeDifference: 0, tolerance: { relative: 0.02 }, compare: "approx", note: "reported calendar-year revenue" });
    expect(byName["revenue-2025"].model).toBeCloseTo(120, 9);
    expect(byName["revenue-2025"].source).toMatch(/^Target Co annual report 2025/);
    expect(byName["revenue-q3"].model).toBeCloseTo(30, 9);
    expect(byName["revenue-q3"].relativeDifference).toBeCloseTo(-0.5 / 30.5, 9);
    expect(byName["revenue-june"].difference).toBeCloseTo(-0.4, 9);
    expect(byName["cash-2025"].model).toBeCloseTo(6, 9);
    expect(byName["burn-2025"].model).toBeCloseTo(24, 9);
    expect(byName["average-burn-2025"].model).toBeCloseTo(2, 9);
    expect(byName["breakeven"]).toMatchObject({ kind: "month", reported: "2026-02", model: "2026-01", difference: -1, tolerance: { months: 1 } });
    expect(byName["cash-never-out"]).toMatchObject({ reported: null, model: null, pass: true });
    expect(byName["min-cash"]).toMatchObject({ compare: "gte", tolerance: null, source: null, assumption: "the company keeps at least 5 in cash" });
  });

  it("checks only the scenario's own targets under a scenario", () => {
    const slow = loadModelText(text, "pass.yaml", { scenario: "slow" });
    const r = evaluateTargets(slow, projectModel(slow));
    expect(r.scenario).toBe("slow");
    expect(r.targets.map((t) => [t.name, t.model, t.pass])).toEqual([["slow-cash-out", "2026-07", true]]);
    expect(r.skipped).toHaveLength(11);
  });
});

describe("a failing target", () => {
  it("fails with the difference and a failure count", () => {
    const loaded = loadModelText(readFileSync(fixture("fail.yaml"), "utf8"), "fail.yaml");
    const report = evaluateTargets(loaded, projectModel(loaded));
    expect(report.passed).toBe(1);
    expect(report.failed).toBe(1);
    const t = report.targets.find((x) => !x.pass)!;
    expect(t.name).toBe("revenue-2026-claimed");
    expect(t.model).toBeCloseTo(180, 9);
    expect(t.difference).toBeCloseTo(30, 9);
    expect(t.relativeDifference).toBeCloseTo(0.2, 9);
  });
});

describe("tolerances", () => {
  it("uses 2% relative by default", () => {
    expect(one("metric: revenue, period: 2025, value: 122.4").pass).toBe(true); // 120 is 1.96% below
    expect(one("metric: revenue, period: 2025, value: 122.5").pass).toBe(false); // 2.04% below
  });

  it("takes a relative tolerance as a fraction of the reported figure", () => {
    expect(one("metric: revenue, period: 2025, value: 100, tolerance: { relative: 0.2 }").pass).toBe(true);
    expect(one("metric: revenue, period: 2025, value: 100, tolerance: { relative: 0.19 }").pass).toBe(false);
  });

  it("takes an absolute tolerance in the model unit", () => {
    expect(one("metric: revenue, period: 2025, value: 100, tolerance: { absolute: 20 }").pass).toBe(true);
    expect(one("metric: revenue, period: 2025, value: 100, tolerance: { absolute: 19.9 }").pass).toBe(false);
    expect(one("metric: netIncome, period: 2025, value: -25, tolerance: { absolute: 1 }").pass).toBe(true);
  });

  it("compares counts exactly by default", () => {
    expect(one("metric: covenantBreaches, value: 0")).toMatchObject({ pass: true, tolerance: { absolute: 0 } });
    expect(one("metric: runwayMonths, value: 23").pass).toBe(false);
    expect(one("metric: runwayMonths, value: 23, tolerance: { absolute: 1 }").pass).toBe(true);
  });

  it("takes a tolerance in months for month-valued metrics, exact by default", () => {
    expect(one("metric: breakeven, value: 2026-01").pass).toBe(true);
    expect(one("metric: breakeven, value: 2026-02").pass).toBe(false);
    expect(one("metric: breakeven, value: 2026-03, tolerance: { months: 2 }").pass).toBe(true);
    expect(one("metric: breakeven, value: 2026-03, tolerance: { months: 1 }").pass).toBe(false);
    expect(one("metric: breakeven, value: 2025-11, tolerance: { months: 2 }")).toMatchObject({ pass: true, difference: 2 });
  });
});

describe("compare operators", () => {
  it("compares numbers: gt, gte, lt, lte against the model's figure", () => {
    const at = (compare: string, value: number) => one(`metric: revenue, period: 2025, value: ${value}, compare: ${compare}`).pass;
    expect([at("gt", 120), at("gte", 120), at("lt", 120), at("lte", 120)]).toEqual([false, true, false, true]);
    expect([at("gt", 119), at("gte", 119), at("lt", 119), at("lte", 119)]).toEqual([true, true, false, false]);
    expect([at("gt", 121), at("gte", 121), at("lt", 121), at("lte", 121)]).toEqual([false, false, true, true]);
  });

  it("compares months: later is greater", () => {
    const at = (compare: string, month: string) => one(`metric: breakeven, value: ${month}, compare: ${compare}`).pass;
    expect([at("gt", "2025-12"), at("gte", "2026-01"), at("lt", "2026-02"), at("lte", "2026-01")]).toEqual([true, true, true, true]);
    expect([at("gt", "2026-01"), at("gte", "2026-02"), at("lt", "2026-01"), at("lte", "2025-12")]).toEqual([false, false, false, false]);
  });

  it("treats an event outside the horizon as later than its last month, and no more", () => {
    // Cash never runs out within 2025-01 … 2026-12.
    expect(one("metric: cashOut, value: 2026-06, compare: gt")).toMatchObject({ pass: true, model: null, difference: null });
    expect(one("metric: cashOut, value: 2026-12, compare: gt").pass).toBe(true);
    const beyond = one("metric: cashOut, value: 2027-06, compare: gt");
    expect(beyond.pass).toBe(false);
    expect(beyond.explanation).toMatch(/extend the horizon/);
    expect(one("metric: cashOut, value: 2026-06, compare: lt").pass).toBe(false);
    expect(one("metric: cashOut, value: 2026-06").pass).toBe(false);
    expect(one("metric: cashOut, value: never").pass).toBe(true);
    // Under the slow scenario cash runs out in 2026-07, so "never" fails there.
    const slow = one("metric: cashOut, value: never, scenario: slow", { scenario: "slow" });
    expect(slow).toMatchObject({ pass: false, model: "2026-07" });
  });
});

describe("periods", () => {
  // FY runs July–June; revenue in month t (0-based from 2024-07) is t + 1.
  const FISCAL = `
meta: { company: Fiscal Co, start: 2024-07, months: 24, fiscalYearStart: 7, assumption: test }
openingBalance: { cash: 1000, paidInCapital: 1000, assumption: test }
lines:
  sales: { type: revenue, value: "t + 1", assumption: test }
`;
  const value = (period: string, metric = "revenue") => one(`metric: ${metric}, period: "${period}", value: 1`, { base: FISCAL }).model;

  it("sums flows over fiscal years, fiscal quarters, months and ranges", () => {
    expect(value("2025")).toBeCloseTo(78, 9); // 1 + … + 12
    expect(value("2026")).toBeCloseTo(222, 9); // 13 + … + 24
    expect(value("2025-Q1")).toBeCloseTo(6, 9); // Jul–Sep 2024
    expect(value("2025-Q3")).toBeCloseTo(24, 9); // Jan–Mar 2025: 7 + 8 + 9
    expect(value("2025-06")).toBeCloseTo(12, 9);
    expect(value("2024-08..2024-10")).toBeCloseTo(9, 9);
    expect(value("2025-Q4..2026-Q1")).toBeCloseTo(10 + 11 + 12 + 13 + 14 + 15, 9);
  });

  it("takes balances at the period's last month", () => {
    // Cash grows by revenue each month: 1000 + (1 + … + n).
    expect(value("2025", "endingCash")).toBeCloseTo(1078, 9);
    expect(value("2025-Q1", "endingCash")).toBeCloseTo(1006, 9);
    expect(value("2024-07..2024-08", "endingCash")).toBeCloseTo(1003, 9);
  });

  it("allows a balance whose period starts before the horizon but ends inside it, not a flow", () => {
    expect(value("2024-05..2024-08", "endingCash")).toBeCloseTo(1003, 9);
    expect(() => value("2024-05..2024-08", "revenue")).toThrow(/not wholly inside the horizon 2024-07 … 2026-06/);
    // FY2024 (2023-07 … 2024-06) ends before the horizon starts.
    expect(() => value("2024", "endingCash")).toThrow(/balance taken at the end of 2024 \(2024-06\), which is outside the horizon/);
  });
});

describe("derived and whole-horizon measures", () => {
  it("computes burn, margins and DSCR over the period", () => {
    const DEBT = `
meta: { company: Debt Co, start: 2025-01, months: 12, assumption: test }
openingBalance: { cash: 100, debt: 120, paidInCapital: -20, assumption: test }
lines:
  sales: { type: revenue, value: 20, assumption: test }
  cogs: { type: costOfRevenue, value: 5, assumption: test }
  rent: { type: operatingExpense, value: 5, assumption: test }
  kit: { type: capex, value: 2, lifeMonths: 10, assumption: test }
financing:
  debt:
    loan: { openingBalance: 120, rate: 0.1, amortization: straightLine, maturity: 2025-12, assumption: test }
`;
    const get = (metric: string) => one(`metric: ${metric}, period: 2025-Q1, value: 1`, { base: DEBT }).model as number;
    expect(get("grossMargin")).toBeCloseTo(0.75, 9);
    expect(get("ebitdaMargin")).toBeCloseTo(0.5, 9);
    expect(get("capexToRevenue")).toBeCloseTo(0.1, 9);
    // Debt service in Q1: principal 10 a month + interest on 120, 110, 100 at 10%/12.
    const service = 30 + (120 + 110 + 100) * (0.1 / 12);
    expect(get("dscr")).toBeCloseTo(30 / service, 9);
    const loaded = loadModelText(`${DEBT}\ntargets:\n  t: { metric: cashBurn, period: 2025-Q1, value: 1, source: test }`, "m.yaml");
    const result = projectModel(loaded);
    const fcf = result.months.slice(0, 3).reduce((s, r) => s + r.freeCashFlow, 0);
    expect(evaluateTargets(loaded, result).targets[0].model).toBeCloseTo(-fcf, 9);
  });

  it("reads whole-horizon metrics from the run", () => {
    const slow = (fields: string) => one(`${fields}, scenario: slow`, { scenario: "slow" });
    expect(slow("metric: runwayMonths, value: 18").pass).toBe(true);
    expect(slow("metric: fundingGap, value: 6").model).toBeCloseTo(6, 9);
    expect(slow("metric: minCash, value: -6").model).toBeCloseTo(-6, 9);
    expect(slow("metric: minCashPeriod, value: 2026-12").pass).toBe(true);
    expect(slow("metric: cumulativeBurn, value: 36").model).toBeCloseTo(36, 9);
    expect(one("metric: covenantBreaches, value: 0").pass).toBe(true);
    expect(one("metric: firstPositiveFreeCashFlow, value: 2026-01").pass).toBe(true);
    const dscr = one("metric: minDscr, value: 1.2");
    expect(dscr).toMatchObject({ pass: false, model: null });
    expect(dscr.explanation).toMatch(/no debt service/);
  });

  it("says when the runway is only a lower bound", () => {
    const t = one("metric: runwayMonths, value: 24");
    expect(t.pass).toBe(true);
    expect(t.explanation).toMatch(/24 months or more/);
  });
});

describe("malformed targets", () => {
  it("throws a ModelError with positions instead of evaluating", () => {
    const text = `${BASE}\ntargets:\n  bad: { metric: revnue, period: 2025, value: 1, source: test }\n`;
    const loaded: LoadedModel = loadModelText(text, "m.yaml");
    expect(() => evaluateTargets(loaded, projectModel(loaded))).toThrow(ModelError);
    try {
      evaluateTargets(loaded, projectModel(loaded));
    } catch (error) {
      const issue = (error as ModelError).issues[0];
      expect(issue.message).toBe('unknown metric "revnue" — did you mean "revenue"?');
      expect(issue.position).toEqual({ file: "m.yaml", line: 15, col: 18 });
    }
  });

  it("returns an empty report for a model without targets", () => {
    const loaded = loadModelText(BASE, "m.yaml");
    const report = evaluateTargets(loaded, projectModel(loaded));
    expect(report).toMatchObject({ targets: [], passed: 0, failed: 0, skipped: [] });
  });
});

describe("calibration targets and independent checks", () => {
  const caveats = `caveats:\n  gap: { text: the model leaves out X, assumption: test, metrics: [revenue] }\n`;

  it("are counted apart; a check outside its tolerance whose gap a caveat explains is shown, not failed", () => {
    const report = run(
      `  cal: { kind: calibration, calibrates: drivers.sales.yearly.2025, metric: revenue, period: 2025, value: 120, source: test }
  chk: { kind: check, metric: revenue, period: 2026-Q1, value: 45, source: test }
  far: { kind: check, metric: revenue, period: 2026-Q2, value: 60, tolerance: { relative: 0.05 }, caveat: gap, source: test }
  bad: { kind: check, metric: revenue, period: 2026-Q3, value: 60, tolerance: { relative: 0.05 }, source: test }`,
      { base: BASE + caveats },
    );
    expect(report.targets.map((t) => [t.name, t.targetKind, t.status])).toEqual([
      ["cal", "calibration", "pass"],
      ["chk", "check", "pass"],
      ["far", "check", "explained"],
      ["bad", "check", "fail"],
    ]);
    expect(report.calibration).toEqual({ total: 1, passed: 1, failed: 0, explained: 0 });
    expect(report.checks).toEqual({ total: 3, passed: 1, failed: 1, explained: 1 });
    expect(report).toMatchObject({ passed: 2, failed: 1, explained: 1 });
    expect(report.targets[0].calibrates).toEqual(["drivers.sales.yearly.2025"]);
    // The caveat qualifies every revenue target; `far` names it.
    expect(report.targets[2].caveats).toEqual(["gap"]);
    expect(report.caveats.map((c) => c.id)).toEqual(["gap"]);
  });

  it("a calibration target outside its tolerance fails even with a caveat: the calibration is broken", () => {
    const report = run(`  cal: { kind: calibration, calibrates: drivers.sales, metric: revenue, period: 2026-Q2, value: 60, caveat: gap, source: test }`, { base: BASE + caveats });
    expect(report.targets[0].status).toBe("fail");
  });

  it("are validated: an unknown input path, an unknown caveat, calibrates on a check, and (strict) a missing kind", () => {
    const loaded = loadModelText(
      `${BASE}${caveats}targets:
  a: { kind: calibration, calibrates: drivers.salez, metric: revenue, period: 2025, value: 120, source: test }
  b: { kind: check, caveat: gapp, metric: revenue, period: 2025, value: 120, source: test }
  c: { kind: check, calibrates: drivers.sales, metric: revenue, period: 2025, value: 120, source: test }
  d: { metric: revenue, period: 2025, value: 120, source: test }
  e: { kind: calibration, metric: revenue, period: 2025, value: 120, source: test }
`,
      "m.yaml",
    );
    expect(checkTargets(loaded).map((i) => [i.code, i.path.join(".")])).toEqual([
      ["unknown_input_path", "targets.a.calibrates"],
      ["unknown_caveat", "targets.b.caveat"],
      ["calibrates_on_check", "targets.c.calibrates"],
    ]);
    expect(checkTargets(loaded, true).map((i) => i.code)).toEqual(["unknown_input_path", "unknown_caveat", "calibrates_on_check", "target_kind_missing", "calibration_without_inputs"]);
  });
});

describe("targets on the GPU-cloud report", () => {
  it("read the backlog at the period's end and sum contract revenue over it, and say so when a model has no GPU sections", async () => {
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(fileURLToPath(new URL("../../models/gpu-cloud-example.yaml", import.meta.url)), "utf8").replace(/\ntargets:[\s\S]*$/, "");
    const loaded = loadModelText(`${text}\ntargets:\n  b: { kind: check, metric: backlog, period: 2026-Q2, value: 1, source: test }\n  c: { kind: check, metric: contractRevenue, period: 2026, value: 1, source: test }\n`, "g.yaml");
    const result = projectModel(loaded);
    const report = evaluateTargets(loaded, result);
    const juneIndex = result.gpu!.months.findIndex((m) => m.period === "2026-06");
    expect(report.targets[0].model).toBeCloseTo(result.gpu!.months[juneIndex].backlog, 9);
    expect(report.targets[1].model).toBeCloseTo(result.gpu!.years.find((y) => y.period === "2026")!.contractRevenue, 6);
    const plain = run(`  b: { kind: check, metric: backlog, period: 2025, value: 1, source: test }`);
    expect(plain.targets[0]).toMatchObject({ model: null, status: "fail" });
    expect(plain.targets[0].explanation).toMatch(/no GPU-cloud sections/);
  });
});
