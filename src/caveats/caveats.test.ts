import { describe, it, expect } from "vitest";
import { loadModelText } from "../model/load.js";
import { projectModel } from "../index.js";
import { checkCaveats, caveatsFor, caveatsQualifying, caveatNumbers, caveatMarkText, covenantLevels } from "./index.js";

const model = (extra: string) =>
  loadModelText(
    `meta: { company: C, start: 2025-01, months: 24, assumption: test }
openingBalance: { cash: 100, debt: 50, paidInCapital: 50, assumption: test }
drivers: { revenue: { constant: 10, assumption: test } }
lines: { sales: { type: revenue, value: revenue, assumption: test }, costs: { type: operatingExpense, value: 6, assumption: test } }
financing:
  debt: { loan: { openingBalance: 50, rate: 0.1, amortization: straightLine, maturity: 2026-12, assumption: test } }
  covenants:
    dscr: { metric: dscr, min: 2, assumption: "a typical lender minimum" }
    leverage: { metric: netDebtToEbitda, max: 3, source: "the loan agreement, s. 7" }
scenarios: { worse: { overrides: [{ path: drivers.revenue.constant, set: 8 }] } }
${extra}`,
    "c.yaml",
  );

describe("caveats", () => {
  it("are validated: figures, lines, periods, scenarios and covenants must exist, and each needs a source or an assumption", () => {
    const loaded = model(`caveats:
  a: { text: t, metrics: [fundngGap] }
  b: { text: t, assumption: x, lines: [salez], periods: ["2025-Q5"], scenarios: [wrose], covenants: [dscrr] }
`);
    const issues = checkCaveats(loaded);
    expect(issues.map((i) => [i.code, i.path.join(".")])).toEqual([
      ["uncited_caveat", "caveats.a"],
      ["unknown_metric", "caveats.a.metrics.0"],
      ["unknown_line", "caveats.b.lines.0"],
      ["unknown_scenario", "caveats.b.scenarios.0"],
      ["unknown_covenant", "caveats.b.covenants.0"],
      ["bad_period", "caveats.b.periods.0"],
    ]);
    expect(issues[1].message).toMatch(/did you mean "fundingGap"/);
    expect(issues[0].position).toMatchObject({ file: "c.yaml" });
  });

  it("apply to the runs they name, and an assumed covenant level always gets a caveat of its own", () => {
    const loaded = model(`caveats:
  gap: { text: the gap is large, assumption: x, metrics: [fundingGap], scenarios: [worse] }
  rev: { text: revenue is a projection, assumption: x, lines: [revenue], periods: ["2025"] }
`);
    expect(caveatsFor(loaded).map((c) => c.id)).toEqual(["rev", "assumed-covenant-levels"]);
    const worse = loadModelText(loaded.source.data ? JSON.stringify(loaded.source.data) : "", "c.json", { scenario: "worse" });
    expect(caveatsFor(worse).map((c) => c.id)).toEqual(["gap", "rev", "assumed-covenant-levels"]);
    const auto = caveatsFor(loaded).at(-1)!;
    expect(auto).toMatchObject({ automatic: true, covenants: ["dscr"], metrics: ["covenantBreaches"] });
    expect(auto.text).toMatch(/dscr \(dscr ≥ 2\) is not from a source/);
    expect(covenantLevels(loaded).map((c) => [c.name, c.assumed])).toEqual([["dscr", true], ["leverage", false]]);
    // Periods qualify overlapping periods only.
    const rev = caveatsFor(loaded).filter((c) => c.id === "rev");
    expect(caveatsQualifying(rev, { metric: "revenue", period: "2025-Q3" })).toHaveLength(1);
    expect(caveatsQualifying(rev, { metric: "revenue", period: "2026" })).toHaveLength(0);
    // The [n] marks number caveats in the run's list: a whole-horizon figure (no period) takes
    // every caveat naming it; a window of periods only those whose periods overlap it.
    const all = caveatsFor(loaded);
    const n = all.findIndex((c) => c.id === "rev") + 1;
    expect(caveatNumbers(all, { metric: "revenue" })).toEqual([n]);
    expect(caveatNumbers(all, { metric: "revenue", period: "2025-01..2025-12" })).toEqual([n]);
    expect(caveatNumbers(all, { metric: "revenue", period: "2026-01..2026-06" })).toEqual([]);
    expect(caveatNumbers(all, { metric: "covenantBreaches" })).toEqual([all.length]);
    expect(caveatMarkText([1, 3])).toBe(" [1,3]");
    expect(caveatMarkText([])).toBe("");
  });

  it("travel with the run: breaches against an assumed level say so", () => {
    const r = projectModel(model(""));
    expect(r.caveats?.map((c) => c.id)).toEqual(["assumed-covenant-levels"]);
    expect(r.covenants).toEqual([
      expect.objectContaining({ name: "dscr", assumed: true, limit: 2 }),
      expect.objectContaining({ name: "leverage", assumed: false, source: "the loan agreement, s. 7" }),
    ]);
    const dscr = r.metrics.covenantBreaches.filter((b) => b.covenant === "dscr");
    expect(dscr.length).toBeGreaterThan(0);
    expect(dscr.every((b) => (b as { assumedLevel?: boolean }).assumedLevel === true)).toBe(true);
  });
});
