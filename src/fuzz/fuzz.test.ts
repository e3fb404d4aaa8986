import { describe, it, expect, beforeAll } from "vitest";
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { runFuzz } from "./runner.js";
import { fuzzCase } from "./generate.js";
import { shippedModels } from "./runner.js";

const root = join(import.meta.dirname, "..", "..");

/**
 * The CI slice of the fuzzer (README, "Limits and safety"): a fixed seed and small cases
 * (copied sections up to 49 copies), so a failure here is reproducible with
 * `npm run fuzz -- --seed 20261202 --small --case I`. 1,000 cases cost about 55 s of CPU on
 * two worker threads (CI's time budget for it); the 100,000-case run is `npm run fuzz`. The
 * per-case timeout only catches hangs; how long cases take is reported by `npm run fuzz`,
 * not asserted.
 */
const SEED = 20261202;
const CASES = 1000;

beforeAll(() => {
  // Workers run the built JavaScript.
  if (!existsSync(join(root, "dist", "fuzz", "worker.js"))) execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "ignore" });
});

describe("fuzzing: no model file crashes, hangs, pollutes or prints NaN", () => {
  it(`${CASES.toLocaleString("en-US")} cases (seed ${SEED}) through check, run, simulate and sensitivity, a few through the real CLI`, async () => {
    const report = await runFuzz({ cases: CASES, seed: SEED, size: "small", workers: 2, timeoutMs: 120_000, cliCases: 6 });
    const failures = report.failures.map((f) => `case ${f.index} (${f.description}):\n  ${f.problems.join("\n  ")}`);
    expect(failures).toEqual([]);
    expect(report.cases).toBe(CASES);
    expect(report.cli.runs).toBe(12);
    // The cases reach deep: valid models that simulate, and every kind of refusal.
    for (const outcome of ["check:ok", "run:ok", "simulate:ok", "sensitivity:ok", "check:invalid:unknown_key", "check:invalid:reserved_key", "check:invalid:too_deep"]) expect(report.outcomes[outcome] ?? 0, outcome).toBeGreaterThan(0);
  }, 900_000);
  it("a case is the same whenever it is built (replayable by seed and number)", () => {
    const shipped = shippedModels();
    for (const index of [0, 17, 999]) expect(fuzzCase(SEED, index, shipped, "small")).toEqual(fuzzCase(SEED, index, shipped, "small"));
    expect(fuzzCase(SEED, 1, shipped).text).not.toBe(fuzzCase(SEED, 2, shipped).text);
    // Small cases start from the same model with the same mutations; only sections copied (and what later mutations pick among them) differ.
    const full = Array.from({ length: 40 }, (_, i) => fuzzCase(SEED, i, shipped));
    const small = Array.from({ length: 40 }, (_, i) => fuzzCase(SEED, i, shipped, "small"));
    full.forEach((c, i) => expect(small[i].description.split(";")[0]).toBe(c.description.split(";")[0]));
    full.forEach((c, i) => expect(small[i].file).toBe(c.file));
    expect(Math.max(...small.map((c) => c.text.length))).toBeLessThan(Math.max(...full.map((c) => c.text.length)));
  });
});
