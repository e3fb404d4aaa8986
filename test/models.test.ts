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
