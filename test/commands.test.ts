import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "./support/cli.js";
import { ModelError, UsageError } from "../src/model/issues.js";
import {
  COMMANDS,
  COMMAND_NAMES,
  checkCommand,
  runCommand,
  verifyCommand,
  sourcesCommand,
  compareCommand,
  sensitivityCommand,
  solveCommand,
  simulateCommand,
  cohortsCommand,
  buildVsRentCommand,
  sectorCommand,
  type Notice,
  type Progress,
} from "../src/commands/index.js";
import { createModelLoader } from "../src/commands/load.js";

const root = join(import.meta.dirname, "..");
const read = (path: string) => ({ text: readFileSync(join(root, path), "utf8"), file: path });
const small = "test/fixtures/small.yaml";
const linear = "test/fixtures/uncertainty/sens-linear.yaml";
const odds = "test/fixtures/uncertainty/solve-stat.yaml";
const cloud = "models/gpu-cloud-example.yaml";
/** What the CLI prints with --format json, parsed. */
const cliJson = async (...args: string[]) => JSON.parse((await runCli(...args, "--format", "json")).stdout);
/** A command's result as the CLI would print it (JSON drops undefined keys). */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value));

describe("commands return exactly what --format json prints", () => {
  it("run, verify, sources", async () => {
    expect(asJson(runCommand(read(small), { scenario: "slow" }))).toEqual(await cliJson("run", small, "--scenario", "slow"));
    expect(asJson(verifyCommand(read("models/xai.yaml")))).toEqual(await cliJson("verify", "models/xai.yaml"));
    expect(asJson(sourcesCommand(read(small)))).toEqual(await cliJson("sources", small));
  });
  it("compare and sector, with scenarios and labels", async () => {
    const runs = [
      { label: small, model: read(small) },
      { label: `${small}:slow`, model: read(small), scenario: "slow" },
    ];
    expect(asJson(compareCommand(runs))).toEqual(await cliJson("compare", small, `${small}:slow`));
    const gpu = [{ label: cloud, model: read(cloud) }, { label: small, model: read(small) }];
    expect(asJson(sectorCommand(gpu))).toEqual(await cliJson("sector", cloud, small));
  });
  it("cohorts and build-vs-rent with their options", async () => {
    expect(asJson(cohortsCommand(read(cloud), { discountRate: 0.12, withoutSite: true, flows: true }))).toEqual(await cliJson("cohorts", cloud, "--discount-rate", "12%", "--without-site", "--flows"));
    expect(asJson(buildVsRentCommand(read(cloud), { rentPrice: 2.5, financing: false, terminal: "none" }))).toEqual(await cliJson("build-vs-rent", cloud, "--rent-price", "2.5", "--no-financing", "--terminal", "none"));
  });
  it("sensitivity, solve and simulate", async () => {
    expect(asJson(sensitivityCommand(read(linear), { metric: "endingCash", paths: 300, seed: 2 }))).toEqual(await cliJson("sensitivity", linear, "--metric", "endingCash", "-n", "300", "--seed", "2"));
    const solveArgs = ["solve", odds, "--vary", "financing.equity.seed.amount", "--target", "P(cashOut) <= 0.1", "-n", "200"];
    const cli = await runCli(...solveArgs, "--format", "json");
    const report = solveCommand(read(odds), { vary: "financing.equity.seed.amount", target: "P(cashOut) <= 0.1", paths: 200 });
    expect(asJson(report)).toEqual(JSON.parse(cli.stdout));
    const sim = await simulateCommand(read(linear), { paths: 500, seed: 4, keepPaths: 2 });
    expect(asJson(sim)).toEqual(await cliJson("simulate", linear, "-n", "500", "--seed", "4", "--keep-paths", "2"));
  });
  it("lists every CLI command with an options schema", () => {
    expect([...COMMAND_NAMES].sort()).toEqual(Object.keys(COMMANDS).sort());
    expect(COMMAND_NAMES.filter((name) => COMMANDS[name].job)).toEqual(["sensitivity", "solve", "simulate"]);
    for (const name of COMMAND_NAMES) expect(COMMANDS[name].options.safeParse({}).success || name === "solve").toBe(true);
  });
});

describe("check", () => {
  it("returns the problems of a bad model with flattened positions instead of throwing", () => {
    const text = readFileSync(join(root, small), "utf8").replace("company: Small Co", "compny: Small Co");
    const report = checkCommand({ text, file: "bad.yaml" });
    expect(report.valid).toBe(false);
    expect(report.model).toBeNull();
    expect(report.errors).toBeGreaterThan(0);
    const issue = report.issues.find((i) => i.path.includes("compny"))!;
    expect(issue).toMatchObject({ severity: "error", file: "bad.yaml" });
    expect(issue.line).toBeGreaterThan(0);
    expect(issue.column).toBeGreaterThan(0);
  });
  it("prints the same report with check --format json and exits 1 on errors", async () => {
    const r = await runCli("check", small, "--format", "json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(asJson(checkCommand(read(small))));
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, model: "Small Co", scenarios: 1, errors: 0 });
  });
});

describe("typed errors and notices", () => {
  it("throws ModelError for an invalid model and UsageError for bad options", () => {
    expect(() => runCommand({ text: "meta: 3\n", file: "x.yaml" })).toThrow(ModelError);
    expect(() => runCommand(read(small), { scenario: "nope" })).toThrow(ModelError);
    expect(() => sensitivityCommand(read(linear), { metric: "nonsense" })).toThrow(UsageError);
    expect(() => solveCommand(read(odds), { vary: "financing.equity.seed.amount", target: "minCash >= 0", between: [1] })).toThrow(/--between takes two values/);
  });
  it("sends warnings and notes through onNotice, in order", () => {
    const notices: Notice[] = [];
    solveCommand(read(odds), { vary: "financing.equity.seed.amount", target: "minCash >= 0", paths: 10 }, { onNotice: (n) => notices.push(n) });
    expect(notices[0]).toMatchObject({ kind: "note" });
    expect((notices[0] as { message: string }).message).toContain("apply to statistical targets");
  });
});

describe("long-running commands stop on a signal and keep what they have", () => {
  it("simulate returns the paths done, marked partial", async () => {
    const controller = new AbortController();
    const seen: Progress[] = [];
    const result = await simulateCommand(read(linear), { paths: 100_000 }, {
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.done >= 16_384) controller.abort();
      },
    });
    expect(result.partial).toBe(true);
    expect(result.paths).toBe(16_384);
    // Progress comes chunk by chunk (512 paths each for 100,000 when every output is collected exactly).
    expect(seen[0]).toEqual({ done: 512, total: 100_000, unit: "paths" });
  });
  it("sensitivity's global ranking covers the blocks done", () => {
    const controller = new AbortController();
    const report = sensitivityCommand(read(linear), { metric: "endingCash", paths: 40_000 }, { signal: controller.signal, onProgress: () => controller.abort() });
    expect(report.global).toMatchObject({ partial: true, n: 8192, requestedPaths: 40_000 });
    expect(report.notes.some((n) => n.startsWith("stopped early"))).toBe(true);
    const whole = sensitivityCommand(read(linear), { metric: "endingCash", paths: 2000 }, { onProgress: () => {} });
    expect(whole.global!.partial).toBeUndefined();
    expect(asJson(whole)).toEqual(asJson(sensitivityCommand(read(linear), { metric: "endingCash", paths: 2000 })));
  });
  it("solve stops between trials and says so", () => {
    const controller = new AbortController();
    const trials: number[] = [];
    const report = solveCommand(read(odds), { vary: "financing.equity.seed.amount", target: "P(cashOut) <= 0.1", paths: 200 }, {
      signal: controller.signal,
      onProgress: (p) => {
        trials.push(p.done);
        if (p.done === 3) controller.abort();
      },
    });
    expect(report.partial).toBe(true);
    expect(report.evaluations).toBe(3);
    expect(report.message).toMatch(/^Stopped before the search finished/);
    expect(trials).toEqual([1, 2, 3]);
  });
});

describe("model loader", () => {
  it("parses each text once and gives the same results as a fresh load", () => {
    const load = createModelLoader();
    const model = read("models/xai.yaml");
    const first = asJson(runCommand(model, { scenario: "no-new-equity" }, { load }));
    const again = asJson(runCommand(model, { scenario: "no-new-equity" }, { load }));
    expect(again).toEqual(first);
    expect(first).toEqual(asJson(runCommand(model, { scenario: "no-new-equity" })));
    expect(load(model.text, model.file, {})).toBe(load(model.text, model.file, {}));
  });
});
