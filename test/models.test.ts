import { describe, it, expect } from "vitest";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "./support/cli.js";

/**
 * The shipped models are part of the product: each must check strictly (every input
 * sourced), reproduce its reported figures, and run under every scenario.
 */
const root = join(import.meta.dirname, "..");
const models = readdirSync(join(root, "models")).filter((f) => f.endsWith(".yaml"));
const reference = ["xai.yaml", "openai.yaml", "coreweave.yaml"];

describe("shipped models", () => {
  it("include the three reference models", () => {
    expect(models).toEqual(expect.arrayContaining(reference));
  });

  for (const model of models) {
    const file = join("models", model);
    it(`${model}: check --strict passes (every input sourced, every scenario valid)`, async () => {
      const r = await runCli("check", "--strict", file);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    });
  }

  for (const model of reference) {
    const file = join("models", model);
    it(`${model}: verify passes every calibration target, and every independent check passes or has its gap explained in a caveat`, async () => {
      const r = await runCli("verify", file, "--format", "json");
      const json = JSON.parse(r.stdout);
      const failed = json.targets.filter((t: { status: string }) => t.status === "fail").map((t: { name: string }) => t.name);
      expect(failed).toEqual([]);
      expect(json.calibration.failed).toBe(0);
      expect(json.calibration.total).toBeGreaterThanOrEqual(10);
      // Independent checks exist, and every gap is explained by a caveat the target names.
      expect(json.checks.total).toBeGreaterThanOrEqual(4);
      for (const t of json.targets.filter((x: { status: string }) => x.status === "explained")) expect(t.caveats.length, t.name).toBeGreaterThan(0);
      expect(r.code).toBe(0);
    });

    it(`${model}: every scenario projects with balanced statements`, async () => {
      const base = JSON.parse((await runCli("run", file, "--format", "json")).stdout);
      expect(base.checks.balanced).toBe(true);
      const { loadModelFile } = await import("../src/node/index.js");
      const scenarios = Object.keys(loadModelFile(file).model.scenarios);
      expect(scenarios.length).toBeGreaterThanOrEqual(2);
      for (const scenario of scenarios) {
        const r = await runCli("run", file, "--scenario", scenario, "--format", "json");
        expect(r.code, `${model} --scenario ${scenario}: ${r.stderr}`).toBe(0);
        expect(JSON.parse(r.stdout).checks.balanced).toBe(true);
      }
    });
  }

  it("compare shows xAI's aimed positive cash flow in 2027 against OpenAI's 2029 (seed 000 ¶22)", async () => {
    const r = await runCli("compare", "models/xai.yaml", "models/openai.yaml", "--format", "json");
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout).summary as { measure: string; values: Record<string, unknown> }[];
    const month = summary.find((m) => m.measure === "firstPositiveFreeCashFlowMonth")!.values;
    expect(month["models/xai.yaml"]).toMatch(/^2027-/);
    expect(month["models/openai.yaml"]).toMatch(/^2029-/);
  });

  it("the xAI scenarios answer seed 000 ¶23: the plan runs dry in 2027, and in 2026 without the new equity", async () => {
    const base = JSON.parse((await runCli("run", "models/xai.yaml", "--format", "json")).stdout);
    const none = JSON.parse((await runCli("run", "models/xai.yaml", "--scenario", "no-new-equity", "--format", "json")).stdout);
    expect(base.metrics.cashOut).toMatch(/^2027-/);
    expect(none.metrics.cashOut).toMatch(/^2026-/);
    expect(none.metrics.fundingGap).toBeGreaterThan(base.metrics.fundingGap);
  });

  it("CoreWeave's rate scenarios move the funding gap in the expected direction", async () => {
    const gap = async (scenario?: string) => JSON.parse((await runCli("run", "models/coreweave.yaml", ...(scenario ? ["--scenario", scenario] : []), "--format", "json")).stdout).metrics.fundingGap;
    const [base, up, down] = [await gap(), await gap("rates-up"), await gap("rates-down")];
    expect(up).toBeGreaterThan(base);
    expect(down).toBeLessThan(base);
  });
});

describe("the reference models tell the truth", () => {
  const json = async (...args: string[]) => {
    const r = await runCli(...args, "--format", "json");
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout);
  };

  it("CoreWeave's openai-stops-paying scenario defaults in the month the OpenAI model runs out of cash", async () => {
    const openai = await json("run", "models/openai.yaml");
    expect(openai.metrics.cashOut).not.toBeNull();
    const { loadModelFile } = await import("../src/node/index.js");
    const cw = loadModelFile("models/coreweave.yaml");
    const overrides = cw.model.scenarios["openai-stops-paying"].overrides;
    const exits = overrides.filter((o) => o.path.endsWith(".exit"));
    const openaiContracts = Object.entries(cw.extensions.contracts as Record<string, { customer: string }>).filter(([, c]) => c.customer === "OpenAI").map(([name]) => name);
    // Every OpenAI contract exits, in OpenAI's cash-out month, and pays nothing after.
    expect(exits.map((o) => o.path).sort()).toEqual(openaiContracts.map((n) => `contracts.${n}.exit`).sort());
    for (const o of exits) expect(o.set, o.path).toBe(openai.metrics.cashOut);
    for (const n of openaiContracts) expect(overrides.find((o) => o.path === `contracts.${n}.takeOrPay`)?.set, n).toBe(0);
    expect(cw.model.scenarios["openai-stops-paying"].description).toContain(new Date(`${openai.metrics.cashOut}-01`).toLocaleString("en-US", { month: "long", year: "numeric", timeZone: "UTC" }));
    const base = await json("run", "models/coreweave.yaml");
    const stops = await json("run", "models/coreweave.yaml", "--scenario", "openai-stops-paying");
    expect(stops.metrics.fundingGap).toBeGreaterThan(base.metrics.fundingGap);
  });

  it("the shipped actuals cite the register and are the figures they cite (or say how they were derived)", async () => {
    for (const model of ["xai", "coreweave"]) {
      const r = await runCli("actuals", `models/${model}.yaml`, "--actuals", `models/actuals/${model}.yaml`, "--format", "json");
      expect(r.stderr, model).toBe("");
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.rows.length).toBeGreaterThanOrEqual(8);
      expect(report.rows.every((row: { ids: string[] }) => row.ids.length > 0)).toBe(true);
      expect(report.sources.every((s: { address: string; confidence: string }) => /https?:\/\//.test(s.address) || (s.confidence === "derived" && /^derived from /.test(s.address)))).toBe(true);
    }
  });

  it("no model, register or doc points into one machine's folders", async () => {
    const { readFileSync } = await import("node:fs");
    const files = [...models.map((m) => join("models", m)), "models/actuals/xai.yaml", "models/actuals/coreweave.yaml", "sources/register.yaml", "docs/models.md", "docs/gpu-cloud.md", "README.md"];
    for (const f of files) expect(readFileSync(join(root, f), "utf8"), f).not.toMatch(/\/work\/|shared\/facts|\.\.\/shared\/|\[facts:/);
  });

  // Caveats quote figures; these pin each quoted figure to the run it describes, so that a
  // note cannot drift from its value again.
  const near = (actual: number, stated: number, rel: number) => expect(Math.abs(actual - stated), `${actual} vs stated ${stated}`).toBeLessThanOrEqual(rel * Math.abs(stated));
  const sum = (rows: Record<string, number>[], a: number, b: number, key: string) => rows.slice(a, b).reduce((s, r) => s + r[key], 0);

  it("xAI's caveats quote its own figures", async () => {
    const r = await json("run", "models/xai.yaml");
    const y = Object.fromEntries(r.years.map((row: { year: number }) => [row.year, row]));
    near(sum(r.months, 0, 9, "revenue"), 270, 0.01);
    near(sum(r.months, 0, 9, "ebitda") / 1000, -1.5, 0.05);
    near(-sum(r.months, 0, 9, "freeCashFlow") / 1000, 11.8, 0.01);
    near(y[2027].netIncome / 1000, -2.3, 0.03);
    near(-y[2027].freeCashFlow / 1000, 2.1, 0.03);
    near(y[2027].depreciation / 1000, 3.6, 0.03);
    near(y[2027].netInterestExpense / 1000, 0.6, 0.08);
    near(sum(r.months, 6, 24, "capex") / 1000, 12.25, 0.005);
    near(y[2027].ebitda / 2700 - 1, -0.3, 0.06);
    near(y[2029].ebitda / 13100 - 1, -0.3, 0.06);
    const seed = await json("run", "models/xai.yaml", "--scenario", "seed-net-profit-2027");
    near(seed.years[2].revenue / 1000, 10.04, 0.001);
  });

  it("OpenAI's and CoreWeave's caveats quote their own figures", async () => {
    const o = await json("run", "models/openai.yaml");
    const y2026 = o.years.find((row: { year: number }) => row.year === 2026);
    near(-y2026.netIncome / 1000 - 17, 1.3, 0.05);
    const cw = await json("verify", "models/coreweave.yaml");
    const target = (name: string) => cw.targets.find((t: { name: string }) => t.name === name);
    // interest-gaps: interest on debt within 1%, capitalised within 13% of Q2 2025's, ~$22M of
    // interest on cash in Q2, and the 2025 net line short by ~15–30% in each quarter.
    expect(Math.abs(target("interest-gross-q2-2025").relativeDifference)).toBeLessThanOrEqual(0.01);
    near(target("interest-gross-q2-2025").model, 276.8, 0.001);
    near(target("capitalized-interest-q2-2025").model, 26.1, 0.002);
    expect(Math.abs(target("capitalized-interest-q2-2025").relativeDifference)).toBeLessThanOrEqual(0.13);
    for (const q of ["q1", "q2", "q3"]) {
      const r = target(`interest-net-${q}-2025`).relativeDifference;
      expect(r, q).toBeLessThanOrEqual(-0.14);
      expect(r, q).toBeGreaterThanOrEqual(-0.3);
    }
    const quarters = (await json("run", "models/coreweave.yaml", "--period", "quarter")).quarters;
    near(quarters.find((q: { period: string }) => q.period === "2025-Q2").interestIncome, 22, 0.05);
    // …and Q3 2024 ~9% short, with ~$37M of interest on cash netted in that quarter.
    const r2024 = target("interest-net-q3-2024").relativeDifference;
    expect(r2024).toBeLessThanOrEqual(-0.06);
    expect(r2024).toBeGreaterThanOrEqual(-0.12);
    near(quarters.find((q: { period: string }) => q.period === "2024-Q3").interestIncome, 37, 0.05);
    const run = await json("run", "models/coreweave.yaml");
    near(run.months[0].endingCash - run.months[0].netCashFlow, 4030, 0.001);
    // thin-june-2028: ~$30M of cash in June 2028 (the 2028 cohort, $5.0B with $3.5B borrowed),
    // cash-out 2030-06 in the base and 2028-06 in denton-delay, whose gap is ~$0.1B larger.
    const june = run.months.find((m: { period: string }) => m.period === "2028-06");
    expect(june.endingCash).toBeGreaterThan(0);
    near(june.endingCash, 30, 0.2);
    near(june.capex, 5000, 0.01);
    near(june.debtDrawn, 3500, 0.001);
    expect(run.metrics.cashOut).toBe("2030-06");
    const delay = await json("run", "models/coreweave.yaml", "--scenario", "denton-delay");
    expect(delay.metrics.cashOut).toBe("2028-06");
    near(delay.metrics.fundingGap - run.metrics.fundingGap, 100, 0.5);
  });
});
