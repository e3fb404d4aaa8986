import { describe, it, expect } from "vitest";
import { existsSync, readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./support/cli.js";

const root = join(import.meta.dirname, "..");
const two = join("test", "fixtures", "system", "two.yaml");

function golden(name: string, actual: string): void {
  const path = join(root, "test", "golden", name);
  if (process.env.UPDATE_GOLDEN || !existsSync(path)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

describe("burnrate system run", () => {
  it("prints every company, the projection order and each link's effect", async () => {
    const r = await runCli("system", "run", two);
    expect(r.code).toBe(0);
    golden("system-two-run.txt", r.stdout);
  });
  it("writes JSON with a normal run result per company and the links' effects by month", async () => {
    const r = await runCli("system", "run", two, "--format", "json");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.companies.map((c: { name: string }) => c.name)).toEqual(["lab", "cloud"]);
    for (const key of ["months", "years", "metrics", "checks"]) expect(json.companies[1].result).toHaveProperty(key);
    expect(json.links[0].months).toHaveLength(12);
    expect(json.links[0].totals.paymentsLost).toBe(160);
    expect(json.resolution.converged).toBe(true);
  });
  it("cuts a link with --cut and applies a system scenario with --scenario", async () => {
    const cut = JSON.parse((await runCli("system", "run", two, "--cut", "lab-pays-cloud", "-f", "json")).stdout);
    expect(cut.cut).toEqual(["lab-pays-cloud"]);
    expect(cut.companies[1].result.metrics.cashOut).toBeNull();
    const recovery = JSON.parse((await runCli("system", "run", two, "-s", "recovery", "-f", "json")).stdout);
    expect(recovery.links[0].totals.paymentsLost).toBe(120);
  });
  it("writes CSV in long form to a file", async () => {
    const r = await runCli("system", "run", two, "--format", "csv", "--period", "month", "--out", "s.csv");
    expect(r.code).toBe(0);
    const csv = r.files.get("s.csv")!;
    expect(csv.split("\n")[0]).toBe("section,company,link,period,measure,value");
    expect(csv).toContain("link,cloud,lab-pays-cloud,2025-05,paymentsLost,20");
  });
  it("says where a bad system file is wrong and exits 1 without a stack trace", async () => {
    const r = await runCli("system", "run", two, "--cut", "lab-pays-clod");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('burnrate: --cut lab-pays-clod: the system has no link of that name — did you mean "lab-pays-cloud"?\n');
    const model = await runCli("system", "run", "test/fixtures/system/lab.yaml");
    expect(model.code).toBe(1);
    expect(model.stderr).toContain("test/fixtures/system/lab.yaml:2:1: this looks like a model file");
  });
});

describe("burnrate system compare", () => {
  it("puts scenarios and cut links side by side per company and per link", async () => {
    const r = await runCli("system", "compare", two, `${two}:recovery`, "--without", "lab-pays-cloud", "--format", "json");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.runs.map((x: { label: string }) => x.label)).toEqual([two, `${two} without lab-pays-cloud`, `${two}:recovery`, `${two}:recovery without lab-pays-cloud`]);
    const cloud = json.companies.find((c: { name: string }) => c.name === "cloud").comparison;
    expect(cloud.yearly.find((b: { measure: string }) => b.measure === "revenue").values).toEqual({ [two]: [80], [`${two} without lab-pays-cloud`]: [240], [`${two}:recovery`]: [120], [`${two}:recovery without lab-pays-cloud`]: [240] });
    expect(json.links[0].values[`${two} without lab-pays-cloud`]).toBeNull();
    const table = await runCli("system", "compare", two, `${two}:recovery`);
    expect(table.stdout).toContain("══ cloud ══");
  });
});

describe("burnrate schema --system", () => {
  it("prints the JSON Schema of system files", async () => {
    const r = await runCli("schema", "--system");
    const schema = JSON.parse(r.stdout);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["system", "companies", "drivers", "links", "uncertain", "correlation", "scenarios", "sector"]));
  });
});

describe("burnrate system simulate and sensitivity", () => {
  const joint = join("test", "fixtures", "system", "joint.yaml");
  it("prints the joint odds, losses to lenders, each link's attribution and each company's distribution", async () => {
    const r = await runCli("system", "simulate", joint, "-n", "2000", "-t", "1");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Odds of running out of cash, by the end of each year");
    expect(r.stdout).toMatch(/lab and cloud\s+\d+\.\d%/);
    expect(r.stdout).toContain("Losses to lenders if a company runs out of cash");
    expect(r.stdout).toMatch(/lab-pays-cloud \(lab → cloud\): acts on \d+\.\d% of paths/);
    expect(r.stdout).toContain("══ cloud (2025-01 … 2025-12) ══");
    const json = JSON.parse((await runCli("system", "simulate", joint, "-n", "500", "-t", "1", "-f", "json", "--no-attribution")).stdout);
    expect(json.attribution).toBe(false);
    expect(json.links[0].attribution).toBeNull();
    expect(json.joint.years).toEqual([2025]);
    const csv = (await runCli("system", "simulate", joint, "-n", "500", "-t", "1", "-f", "csv")).stdout;
    expect(csv.split("\n")[0]).toBe("section,name,period,measure,value");
    expect(csv).toContain("attribution,lab-pays-cloud:cloud,,throughLink,");
  });
  it("ranks every company's inputs against one company's metric, with the links acting", async () => {
    const r = await runCli("system", "sensitivity", joint, "-m", "cloud:fundingGap", "-f", "json");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.reports).toHaveLength(1);
    // The lab's shock moves the cloud through the link: 50 of funding gap (70 − 8 × 15 = −50).
    expect(json.reports[0].tornado.find((t: { input: string }) => t.input === "lab.shock").swing).toBe(50);
    const bad = await runCli("system", "sensitivity", joint, "-m", "clod:fundingGap");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no company named "clod" — did you mean "cloud"?');
  });
});

describe("burnrate check on a system file", () => {
  it("checks the system with its company models and every scenario", async () => {
    const r = await runCli("check", two);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${two}: ok (Lab and cloud; 2 scenarios)\n`);
  });
  it("--strict wants a source or an assumption on every number of the system file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-system-check-"));
    for (const f of ["lab.yaml", "cloud.yaml"]) writeFileSync(join(dir, f), readFileSync(join(root, "test", "fixtures", "system", f), "utf8"));
    writeFileSync(join(dir, "s.yaml"), "system: { name: S, assumption: test }\ncompanies:\n  lab: { model: lab.yaml }\n  cloud: { model: cloud.yaml }\ndrivers:\n  price: 12\n");
    const r = await runCli("check", "--strict", join(dir, "s.yaml"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("s.yaml:6:10: drivers.price = 12 has neither a source nor an assumption");
  });
});

describe("burnrate system sector", () => {
  it("prints capacity vs contracted demand vs ability to pay, investment vs revenue, +100 bp and flags", async () => {
    const r = await runCli("system", "sector", two, "-n", "0");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Capacity being built vs contracted demand vs the customers' ability to pay");
    expect(r.stdout).toContain("lab: ability to pay what it owes the companies linked to it");
    expect(r.stdout).toContain("+100 bp for everyone at once");
    const json = JSON.parse((await runCli("system", "sector", two, "-n", "0", "-f", "json")).stdout);
    expect(json.customers[0].years[0]).toMatchObject({ due: 240, paid: 80 });
  });
});
