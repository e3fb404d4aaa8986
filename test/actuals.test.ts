import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { runCli } from "./support/cli.js";

const fixture = (name: string) => join("test", "fixtures", "actuals", name);

describe("burnrate actuals", () => {
  it("prints plan against actual with variance, flags, the forward metrics, the sources and caveats", async () => {
    const r = await runCli("actuals", fixture("target-co.yaml"));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Target Co — actuals against the plan \(base case\) — amounts in USD millions/);
    expect(r.stdout).toMatch(/revenue-q3\s+revenue\s+2025-Q3\s+26\.0\s+30\.0\s+−4\.0\s+−13\.3%\s+⚑\s+unfavourable\s+TC-04/);
    expect(r.stdout).toMatch(/cash-june \[1\]\s+endingCash\s+2025-06\s+10\.0\s+18\.0\s+−8\.0\s+−44\.4%\s+⚑\s+unfavourable\s+TC-02/);
    expect(r.stdout).toContain("2 figures, 2 flagged. Last reported month 2025-09");
    expect(r.stdout).toMatch(/Cash runs out\s+not in horizon\s+2025-12/);
    expect(r.stdout).toMatch(/Funding gap \(cash needed at the cut\)\s+0\.0\s+2\.0/);
    expect(r.stdout).toContain("[TC-02] Target Co half-year report, https://example.com/h1-2025, 2025-08-01 (confirmed)");
    expect(r.stdout).toMatch(/\[1\] unaudited \(endingCash in 2025-06\): the half-year figures are unaudited/);
  });

  it("reads a CSV of actuals, rolls the plan forward, and writes JSON", async () => {
    const r = await runCli("actuals", fixture("target-co.yaml"), "--actuals", fixture("target-co.csv"), "--reforecast", "--format", "json", "--threshold", "5%");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.threshold).toBe(0.05);
    expect(json.rows.map((x: { name: string; variance: number }) => [x.name, x.variance])).toEqual([
      ["revenue-q3", -4],
      ["staff-h1", 3],
    ]);
    expect(json.rows[1]).toMatchObject({ source: "Target Co payroll filing", address: "https://example.com/payroll", published: "2025-07-15", ids: [] });
    expect(json.lastReported).toBe("2025-09");
    expect(json.reforecast.metrics.from).toBe("2025-10");
    expect(json.sources).toEqual([{ id: "TC-04", address: "Target Co Q3 release, https://example.com/q3-2025, 2025-11-01", confidence: "confirmed" }]);
  });

  it("writes CSV, and rejects a CSV row that names an unknown figure at its line", async () => {
    const csv = await runCli("actuals", fixture("target-co.yaml"), "--format", "csv");
    expect(csv.stdout.split("\n")[0]).toBe("kind,name,metric,period,actual,plan,variance,variance_pct,flagged,reading,source,basis");
    expect(csv.stdout).toContain("actual,revenue-q3,revenue,2025-Q3,26,30,-4,");
    const bad = await runCli("actuals", fixture("target-co.yaml"), "--actuals", fixture("bad.csv"));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.csv:3:1: unknown figure "revnue" — did you mean "revenue"\?/);
  });

  it("says what to do when the model has no actuals and none are given", async () => {
    const r = await runCli("actuals", "test/fixtures/small.yaml");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/has no `actuals:` section; give reported figures with --actuals FILE/);
  });
});
