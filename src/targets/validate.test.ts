import { describe, it, expect } from "vitest";
import { loadModelText } from "../model/load.js";
import type { ModelIssue } from "../model/issues.js";
import { readTargets, checkTargets } from "./index.js";

const BASE = `meta: { company: V Co, start: 2025-01, months: 24, assumption: test }
openingBalance: { cash: 30, paidInCapital: 30, assumption: test }
lines:
  sales: { type: revenue, value: 10, assumption: test }
scenarios:
  short:
    overrides:
      - { path: meta.months, set: 12 }
  shorter:
    overrides:
      - { path: meta.months, set: 6 }
`;
// BASE has 11 lines; `targets:` is line 12, the first target line 13.

function issues(targets: string, scenario?: string): ModelIssue[] {
  return readTargets(loadModelText(`${BASE}targets:\n${targets}`, "m.yaml", { scenario })).issues;
}

function only(targets: string): ModelIssue {
  const found = issues(targets);
  expect(found.map((i) => i.message)).toHaveLength(1);
  return found[0];
}

describe("target validation", () => {
  it("suggests the metric meant by a misspelt one, at the metric's position", () => {
    const issue = only("  r:\n    metric: netIncom\n    period: 2025\n    value: 1\n    source: s\n");
    expect(issue).toMatchObject({ code: "unknown_metric", path: ["targets", "r", "metric"], severity: "error", position: { file: "m.yaml", line: 14, col: 13 } });
    expect(issue.message).toBe('unknown metric "netIncom" — did you mean "netIncome"?');
  });

  it("lists the kinds of metric when nothing is close", () => {
    const issue = only("  r: { metric: happiness, period: 2025, value: 1, source: s }\n");
    expect(issue.message).toMatch(/^unknown metric "happiness"; use a line item of the run .* a derived measure \(cashBurn, averageMonthlyBurn.*\) or a whole-horizon metric \(cashOut, breakeven/);
  });

  it("reports a bad period at the period's position", () => {
    const issue = only("  r:\n    metric: revenue\n    period: 2025-Q5\n    value: 1\n    source: s\n");
    expect(issue).toMatchObject({ code: "bad_period", path: ["targets", "r", "period"], position: { line: 15, col: 13 } });
    expect(issue.message).toMatch(/"2025-Q5" is not a period; expected a fiscal year "2025", a fiscal quarter "2025-Q3", a month "2025-06", or a range/);
  });

  it("needs a period for period measures and refuses one for whole-horizon metrics", () => {
    expect(only("  r: { metric: revenue, value: 1, source: s }\n")).toMatchObject({ code: "missing_key", path: ["targets", "r"] });
    expect(only("  r: { metric: fundingGap, period: 2025, value: 1, source: s }\n")).toMatchObject({ code: "period_not_allowed", path: ["targets", "r", "period"] });
  });

  it("checks that the value fits the metric", () => {
    expect(only("  r: { metric: cashOut, value: 2027, source: s }\n").message).toMatch(/cashOut is a month; write the reported month as "YYYY-MM"/);
    expect(only("  r: { metric: cashOut, value: 2027-13, source: s }\n").message).toMatch(/"2027-13" is not a month/);
    expect(only("  r: { metric: revenue, period: 2025, value: lots, source: s }\n").message).toMatch(/revenue is a number; write the reported figure in the model unit \(USD millions\)/);
    expect(only("  r: { metric: revenue, period: 2025, value: never, source: s }\n").code).toBe("bad_target_value");
    expect(only("  r: { metric: cashOut, value: never, compare: gt, source: s }\n").message).toMatch(/"never" can only be compared with approx/);
    expect(only("  r: { metric: minCashPeriod, value: never, source: s }\n").message).toMatch(/"never" does not apply/);
  });

  it("checks tolerances: one kind, and the kind that fits the metric", () => {
    expect(only("  r: { metric: revenue, period: 2025, value: 1, tolerance: { relative: 0.1, absolute: 2 }, source: s }\n").message).toBe("give exactly one of relative, absolute or months (found relative, absolute)");
    expect(only("  r: { metric: revenue, period: 2025, value: 1, tolerance: { months: 2 }, source: s }\n").message).toMatch(/revenue is not a month; give its tolerance as \{ relative: 0.02 \} or \{ absolute: N \}/);
    expect(only("  r: { metric: breakeven, value: 2026-01, tolerance: { relative: 0.1 }, source: s }\n").message).toMatch(/breakeven is a month; give its tolerance as \{ months: N \}/);
    expect(only("  r: { metric: revenue, period: 2025, value: 1, tolerance: { relative: -0.1 }, source: s }\n").path).toEqual(["targets", "r", "tolerance", "relative"]);
    expect(only("  r: { metric: breakeven, value: 2026-01, tolerance: { months: 1.5 }, source: s }\n").message).toMatch(/expected a whole number, got number 1.5/);
  });

  it("warns that a tolerance does nothing with an ordered comparison", () => {
    const issue = only("  r: { metric: revenue, period: 2025, value: 1, compare: gte, tolerance: { relative: 0.1 }, source: s }\n");
    expect(issue).toMatchObject({ code: "tolerance_ignored", severity: "warning" });
  });

  it("warns about a relative tolerance around a reported 0, not about the default", () => {
    expect(only("  r: { metric: netIncome, period: 2025, value: 0, tolerance: { relative: 0.1 }, source: s }\n")).toMatchObject({ code: "relative_tolerance_of_zero", severity: "warning", path: ["targets", "r", "tolerance", "relative"] });
    expect(issues("  r: { metric: covenantBreaches, value: 0, source: s }\n")).toEqual([]);
  });

  it("suggests the right key for a misspelt one and the operators for a bad compare", () => {
    const issue = only("  r: { metric: revenue, period: 2025, value: 1, tolerence: { relative: 0.1 }, source: s }\n");
    expect(issue.message).toBe('unknown key "tolerence" — did you mean "tolerance"?');
    expect(issue.path).toEqual(["targets", "r", "tolerence"]);
    expect(only("  r: { metric: revenue, period: 2025, value: 1, compare: gtx, source: s }\n").message).toMatch(/is not one of: approx, gt, gte, lt, lte — did you mean "gt"\?/);
  });

  it("needs a source or an assumption", () => {
    expect(only("  r: { metric: revenue, period: 2025, value: 1 }\n")).toMatchObject({ code: "uncited_target", path: ["targets", "r"] });
    expect(issues("  r: { metric: revenue, period: 2025, value: 120, assumption: a bound we impose }\n")).toEqual([]);
  });

  it("knows the model's scenarios", () => {
    const issue = only("  r: { metric: revenue, period: 2025, value: 1, source: s, scenario: shrt }\n");
    expect(issue.message).toBe('no scenario named "shrt" — did you mean "short"?');
    expect(only("  r: { metric: revenue, period: 2025, value: 1, source: s, scenario: [short, nope] }\n").path).toEqual(["targets", "r", "scenario", 1]);
  });

  it("accepts the list form, naming targets by `name` or by metric and period", () => {
    const loaded = loadModelText(`${BASE}targets:\n  - { name: rev, metric: revenue, period: 2025, value: 120, source: s }\n  - { metric: endingCash, period: 2025-Q2, value: 1, source: s }\n`, "m.yaml");
    const { targets, issues: found } = readTargets(loaded);
    expect(found).toEqual([]);
    expect(targets.map((t) => [t.name, t.path])).toEqual([
      ["rev", ["targets", 0]],
      ["endingCash 2025-Q2", ["targets", 1]],
    ]);
    const dup = issues("  - { name: a, metric: revenue, period: 2025, value: 1, source: s }\n  - { name: a, metric: revenue, period: 2026, value: 1, source: s }\n");
    expect(dup.map((i) => [i.code, i.path])).toEqual([["duplicate_target", ["targets", 1, "name"]]]);
  });

  it("refuses a section that is not a mapping or list of targets", () => {
    expect(issues("  17\n")[0]).toMatchObject({ code: "invalid_type", path: ["targets"] });
    expect(issues("  r: 17\n")[0]).toMatchObject({ code: "invalid_type", path: ["targets", "r"] });
    expect(issues("  r: { name: x, metric: revenue, period: 2025, value: 1, source: s }\n")[0].message).toMatch(/`name` is only for the list form/);
  });

  it("reports every problem of every target, in the order of the file", () => {
    const found = issues("  b: { metric: revnue, period: 2025, value: 1, source: s }\n  a: { metric: revenue, period: 2025-13, value: 1 }\n");
    expect(found.map((i) => [i.position?.line, i.code])).toEqual([
      [13, "unknown_metric"],
      [14, "uncited_target"], // at the target's mapping, before its period
      [14, "bad_period"],
    ]);
  });
});

describe("targets against the horizon", () => {
  it("checks the period against the horizon of the run it applies to", () => {
    const target = (scenario: string) => `  r: { metric: revenue, period: 2026, value: 1, source: s${scenario} }\n`;
    expect(issues(target(""))).toEqual([]);
    // Under `short` the horizon ends 2025-12, so 2026 revenue cannot be summed.
    const found = issues(target(", scenario: short"), "short");
    expect(found.map((i) => i.code)).toEqual(["period_outside_horizon"]);
    expect(found[0].message).toMatch(/the period 2026 \(2026-01 … 2026-12\) is not wholly inside the horizon 2025-01 … 2025-12/);
  });

  it("lets `check` see every scenario's targets at once, without repeating a problem", () => {
    const text = `${BASE}targets:\n  ok: { metric: revenue, period: 2026, value: 1, source: s }\n  bad: { metric: revenue, period: 2025-Q4, value: 1, source: s, scenario: [short, shorter] }\n  worse: { metric: revenue, period: 2026, value: 1, source: s, scenario: short }\n`;
    const found = checkTargets(loadModelText(text, "m.yaml"));
    expect(found.map((i) => [i.code, i.path.join(".")])).toEqual([
      ["period_outside_horizon", "targets.bad.period"],
      ["period_outside_horizon", "targets.worse.period"],
    ]);
    expect(found[0].position).toEqual({ file: "m.yaml", line: 14, col: 35 });
  });

  it("warns when a reported month lies outside the horizon", () => {
    const issue = only("  r: { metric: cashOut, value: 2031-01, compare: gt, source: s }\n");
    expect(issue).toMatchObject({ code: "month_outside_horizon", severity: "warning" });
  });
});
