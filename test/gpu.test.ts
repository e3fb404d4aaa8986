import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { runCli } from "./support/cli.js";

const example = join("models", "gpu-cloud-example.yaml");
const fixture = (name: string) => join("test", "fixtures", "gpu", name);

describe("burnrate cohorts", () => {
  it("prints sites, contracts and per-cohort IRR, NPV, payback and break-even price", async () => {
    const r = await runCli("cohorts", example);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    for (const text of ["Sites", "Contracts", "Cohort economics — before financing and tax, discount rate 10.0% a year", "north-h200", "south-h200", "colo-h100*", "Break-even $/GPU-h", "Hyperscaler A"]) expect(r.stdout).toContain(text);
    expect(r.stdout).not.toContain("Site delays");
  });

  it("shows what a site delay costs under the site-delay scenario", async () => {
    const r = await runCli("cohorts", example, "--scenario", "site-delay");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Site delays — against the same model with the delay at 0");
    expect(r.stdout).toMatch(/south\s+2 mo\s+\d/);
  });

  it("writes JSON with the documented fields; --flows adds monthly cash flows; a percentage rate is accepted", async () => {
    const r = await runCli("cohorts", example, "--format", "json", "--discount-rate", "12%", "--flows");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.discountRate).toBeCloseTo(0.12, 12);
    expect(json.cohorts).toHaveLength(3);
    for (const key of ["name", "npv", "irr", "payback", "breakEvenPrice", "averagePrice", "curvePriceAtInService", "siteShare", "flows"]) expect(json.cohorts[1]).toHaveProperty(key);
    expect(json.cohorts[1].flows[0]).toHaveProperty("net");
    const without = JSON.parse((await runCli("cohorts", example, "--format", "json", "--without-site")).stdout);
    expect(without.cohorts[1].siteShare).toBe(0);
    expect(without.cohorts[1].npv).toBeGreaterThan(json.cohorts[1].npv);
  });

  it("rejects a bad discount rate and a model without GPU sections", async () => {
    const bad = await runCli("cohorts", example, "--discount-rate", "ten");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--discount-rate takes a rate such as 0.10 or 10% (got "ten")');
    const plain = await runCli("cohorts", join("test", "fixtures", "small.yaml"));
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain("has no GPU sections");
  });

  it("reports bad GPU input as FILE:LINE:COL lines, exit 1", async () => {
    const r = await runCli("cohorts", fixture("bad-site.yaml"));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const file = fixture("bad-site.yaml");
    expect(r.stderr).toContain(`${file}:7:14: site "north" has 5.0 MW but its cohorts need 6.5 MW (GPUs × kW × PUE 1.3: big 6.5 MW)`);
    expect(r.stderr).toContain(`${file}:25:11: unknown site "nrth" — did you mean "north"? (at contracts.anchor.site)`);
    expect(r.stderr).toContain("2 errors");
  });
});

describe("burnrate build-vs-rent", () => {
  it("prints NPVs, cash peaks and the break-even rent", async () => {
    const r = await runCli("build-vs-rent", example);
    expect(r.code).toBe(0);
    for (const text of ["NPV of owning", "NPV of renting", "Cash peak, owning", "Break-even rent $/GPU-hour", "rent from the model's rental.price"]) expect(r.stdout).toContain(text);
  });

  it("renting at the printed break-even price makes the NPVs equal", async () => {
    const first = JSON.parse((await runCli("build-vs-rent", example, "--format", "json", "--no-financing")).stdout);
    expect(first.financing).toBe(false);
    const again = JSON.parse((await runCli("build-vs-rent", example, "--format", "json", "--no-financing", "--rent-price", String(first.breakEvenRentPrice))).stdout);
    expect(again.rentPriceSource).toBe("option");
    expect(again.npvAdvantageOfOwning).toBeCloseTo(0, 6);
  });

  it("rejects a negative rent price", async () => {
    const r = await runCli("build-vs-rent", example, "--rent-price", "-1");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--rent-price takes a number from 0 to 10,000");
  });
});

describe("burnrate sector", () => {
  it("puts GPU and non-GPU models side by side with flags", async () => {
    const r = await runCli("sector", fixture("sector-overbuild.yaml"), join("test", "fixtures", "small.yaml"), `${example}:largest-customer-leaves`);
    expect(r.code).toBe(0);
    for (const text of ["Capex / revenue", "Capacity growth (GPU-hours)", "Backlog growth", "Debt / EBITDA", "Extra interest at +100 bp", "Flags (seed 002 ¶2–¶3)"]) expect(r.stdout).toContain(text);
    expect(r.stdout).toContain(`${fixture("sector-overbuild.yaml")} 2026: capacity outgrows contracted demand`);
    expect(r.stdout).toContain(`${fixture("sector-overbuild.yaml")} 2026: investment outgrows revenue`);
  });

  it("writes JSON with blank capacity and backlog for models without GPU sections", async () => {
    const r = await runCli("sector", join("test", "fixtures", "small.yaml"), example, "--format", "json");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.models).toHaveLength(2);
    expect(json.models[0].hasGpu).toBe(false);
    expect(json.models[0].years.every((y: { capacity: unknown; backlog: unknown }) => y.capacity === null && y.backlog === null)).toBe(true);
    expect(json.models[1].years[1].capacity).toBeGreaterThan(0);
    expect(json.models[1].years[0].backlog).toBeGreaterThan(0);
  });
});
