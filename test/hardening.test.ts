import { describe, it, expect, beforeAll } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync, mkdtempSync, mkdirSync, symlinkSync, readdirSync, lstatSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { runCli } from "./support/cli.js";

/**
 * Hardening (issue 9): what a hostile or careless user can do through the command line.
 * Library-level tests live beside the code (src/model/names.test.ts, src/cli/io.test.ts, …);
 * these run the real binary where exit codes, files and pipes are the contract.
 */
const root = join(import.meta.dirname, "..");
const bin = join(root, "bin", "burnrate.cjs");
const small = readFileSync(join(root, "test", "fixtures", "small.yaml"), "utf8");
const RESERVED = ["__proto__", "constructor", "prototype"];
const INHERITED = ["toString", "valueOf", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "__defineGetter__", "__lookupGetter__"];
const scratch = () => mkdtempSync(join(tmpdir(), "burnrate-hard-"));

function burnrate(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8", input: options.input, env: options.env ?? process.env, timeout: options.timeout ?? 30_000 });
}

beforeAll(() => {
  if (!existsSync(join(root, "dist", "cli", "main.js"))) execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "ignore" });
});

describe("class 1: names from the command line and the file never resolve to inherited properties", () => {
  it("--scenario __proto__ is an unknown scenario, not the base case under that label", async () => {
    for (const name of [...RESERVED, ...INHERITED]) {
      const r = await runCli("run", "test/fixtures/small.yaml", "--scenario", name);
      expect(r.code, name).toBe(1);
      expect(r.stderr).toContain(`no scenario named "${name}"`);
      expect(r.stdout).toBe("");
    }
  });
  it("a model with `constructor + 1` or `toString(1)` is exit 1 with a position, not an internal error", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "burnrate-names-"));
    for (const formula of ["constructor + 1", "toString(1)", "hasOwnProperty", "valueOf * 2"]) {
      const file = join(dir, "m.yaml");
      writeFileSync(file, small.replace("costShare: 0.4", `costShare: "${formula}"`));
      const r = await runCli("run", file);
      expect(r.code, formula).toBe(1);
      expect(r.stderr).toMatch(/m\.yaml:\d+:\d+: unknown (name|function)/);
      expect(r.stderr).not.toContain("internal error");
    }
  });
});

describe("class 2: --out never follows or replaces what it did not create", () => {
  it("writes the output file and nothing else", () => {
    const dir = scratch();
    const r = burnrate(["run", "test/fixtures/small.yaml", "--format", "csv", "--out", join(dir, "run.csv")]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    expect(readFileSync(join(dir, "run.csv"), "utf8")).toMatch(/^period,revenue,/);
    expect(readdirSync(dir)).toEqual(["run.csv"]);
  });
  it("refuses a folder, a named pipe and a symbolic link with exit 1 and leaves them as they were", () => {
    const dir = scratch();
    mkdirSync(join(dir, "folder"));
    execFileSync("mkfifo", [join(dir, "pipe")]);
    writeFileSync(join(dir, "victim"), "secret\n");
    symlinkSync(join(dir, "victim"), join(dir, "link"));
    for (const [name, kind] of [["folder", "a folder"], ["pipe", "a named pipe"], ["link", "a symbolic link"]]) {
      const r = burnrate(["run", "test/fixtures/small.yaml", "--out", join(dir, name)], { timeout: 10_000 });
      expect(r.status, name).toBe(1);
      expect(r.stderr).toContain(`burnrate: cannot write ${join(dir, name)}: it is ${kind}`);
      expect(r.stderr).not.toContain("internal error");
    }
    expect(readFileSync(join(dir, "victim"), "utf8")).toBe("secret\n");
    expect(lstatSync(join(dir, "link")).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, "pipe")).isFIFO()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["folder", "link", "pipe", "victim"]);
  });
  it("a missing folder is exit 1 naming the path, for every command that writes", () => {
    const dir = scratch();
    const target = join(dir, "missing", "out.txt");
    for (const args of [["run", "test/fixtures/small.yaml"], ["sources", "test/fixtures/small.yaml"], ["compare", "test/fixtures/small.yaml"], ["cohorts", "models/gpu-cloud-example.yaml"]]) {
      const r = burnrate([...args, "--out", target]);
      expect(r.status, args[0]).toBe(1);
      expect(r.stderr).toBe(`burnrate: cannot write ${target}: the folder does not exist (ENOENT); nothing was written\n`);
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("class 3: reading input is bounded and refuses special files", () => {
  it("reads a model from standard input with -", () => {
    const r = burnrate(["check", "-"], { input: small });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("<stdin>: ok (Small Co; 1 scenario)\n");
    const bad = burnrate(["check", "-"], { input: small.replace("company: Small Co", "compny: Small Co") });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^<stdin>:\d+:\d+: unknown key "compny"/m);
  });
  it("standard input that goes on and on is cut at the cap: exit 1, not a hang", () => {
    const r = burnrate(["check", "-"], { input: "# ".padEnd(6 * 1024 * 1024, "x") });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("burnrate: <stdin>: more than 5 MB; a model file may be at most 5 MB — check that this is the right file\n");
  });
  it("/dev/zero and /dev/urandom are refused at once", () => {
    for (const device of ["/dev/zero", "/dev/urandom"]) {
      const r = burnrate(["run", device], { timeout: 20_000 });
      expect(r.signal, device).toBeNull();
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`burnrate: ${device} is a device, not a model file`);
    }
  });
});

describe("class 4: invalid simulation paths are reported and fail the run by default", () => {
  const nan = "test/fixtures/hardening/nan-paths.yaml";
  it("prints the report, names the invalid paths and exits 1 (default --max-invalid-paths 0)", async () => {
    const r = await runCli("simulate", nan, "-n", "1000");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Invalid paths: \d{3} \(\d+\.\d\d%\), left out of every figure below — \d{3} NaN or infinity in the results; first: path \d+$/m);
    expect(r.stdout).toContain("Cash runs out within the horizon   100.0%");
    expect(r.stderr).toMatch(/^burnrate: \d{3} of 1,000 paths \(\d+\.\d\d%\) are invalid, more than --max-invalid-paths 0\.00% allows/);
    // No figure is NaN or infinite (only the line explaining the invalid paths names them).
    expect(r.stdout.replace(/^Invalid paths:.*$/m, "")).not.toMatch(/NaN|Infinity|∞/);
  });
  it("a threshold above the share passes; JSON and CSV carry the counts", async () => {
    const ok = await runCli("simulate", nan, "-n", "1000", "--max-invalid-paths", "70%", "--format", "json");
    expect(ok.code).toBe(0);
    const json = JSON.parse(ok.stdout);
    expect(json.invalidPaths.count + json.validPaths).toBe(1000);
    expect(json.invalidPaths.byReason.nonFinite).toBe(json.invalidPaths.count);
    const csv = await runCli("simulate", nan, "-n", "1000", "--max-invalid-paths", "0.7", "--format", "csv");
    expect(csv.code).toBe(0);
    // The tidy CSV (period,item,value,unit,scenario) says how many paths were valid and invalid.
    const count = (item: string) => Number(csv.stdout.split("\n").find((l) => l.split(",")[1] === item)?.split(",")[2]);
    expect(count("simulation-paths:invalid:count")).toBe(json.invalidPaths.count);
    expect(count("simulation-paths:valid:count")).toBe(json.validPaths);
    expect(count("simulation-paths:invalid:nonFinite:count")).toBe(json.invalidPaths.count);
    expect(csv.stdout).not.toMatch(/NaN|Infinity/);
  });
  it("refuses a threshold that is not a share", async () => {
    const r = await runCli("simulate", nan, "-n", "10", "--max-invalid-paths", "2");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('burnrate: --max-invalid-paths takes a share from 0 to 1, such as 0.01 or 1% (got "2")\n');
  });
});

describe("class 6: exit codes and pipes mean what the README says", () => {
  /** A model whose every one of 1,000 targets fails: far more output than a pipe holds. */
  function failingTargets(): string {
    const dir = scratch();
    const file = join(dir, "fail.yaml");
    const targets = Array.from({ length: 1000 }, (_, i) => `  t${i}: { metric: revenue, period: 2025, value: ${1000 + i}, source: "made up for the test" }`).join("\n");
    writeFileSync(file, `${small}targets:\n${targets}\n`);
    return file;
  }
  it("a failing verify piped into head still exits 1, quietly", () => {
    const file = failingTargets();
    const r = spawnSync("bash", ["-c", `set -o pipefail; '${process.execPath}' '${bin}' verify '${file}' | head -n 2`], { cwd: root, encoding: "utf8", timeout: 30_000 });
    expect(r.stdout.split("\n").length).toBe(3);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
  });
  it("a successful run piped into head exits 0, quietly", () => {
    const r = spawnSync("bash", ["-c", `set -o pipefail; '${process.execPath}' '${bin}' run models/xai.yaml --period month | head -n 1`], { cwd: root, encoding: "utf8", timeout: 30_000 });
    expect(r.stdout).toMatch(/^xAI — USD millions\n$/);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
  it("huge but finite inputs that break the identities are a precision limit, exit 1, not a bug", async () => {
    const dir = scratch();
    const file = join(dir, "huge.yaml");
    // Numbers in the file are at most 1e15; a formula can still make amounts far larger.
    writeFileSync(file, small.replace("  staff: { type: operatingExpense, category: R&D, value: 3 }", '  staff: { type: operatingExpense, category: R&D, value: "1e15 * 1e5", nonCash: true }'));
    const r = await runCli("run", file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^burnrate: the (balance sheet does not balance|cash-flow statement does not tie to the change in cash) in 2025-\d\d by .*: amounts reach 1\.\d\de\+20 in the model's unit, beyond what double-precision arithmetic keeps to 0\.000001 — a precision limit, not an accounting result; write amounts in a larger unit/);
    writeFileSync(file, small.replace("cash: 100", "cash: 1e300"));
    expect((await runCli("check", file)).stderr).toMatch(/huge\.yaml:\d+:\d+: 1e\+300 is larger than 1e\+15 in absolute value/);
    expect(r.stderr).not.toMatch(/bug in burnrate|internal error/);
  });
  it("every rate option refuses 12 with a hint and accepts 12%", async () => {
    const gpu = "models/gpu-cloud-example.yaml";
    for (const [command, option] of [["cohorts", "--discount-rate"], ["build-vs-rent", "--discount-rate"], ["build-vs-rent", "--tax-rate"]]) {
      const r = await runCli(command, gpu, option, "12");
      expect(r.code, `${command} ${option}`).toBe(1);
      expect(r.stderr).toBe(`burnrate: ${option} 12 means 1200 %; write 0.12 or 12% (rates are decimals: 0.10 = 10 %)\n`);
    }
    expect((await runCli("cohorts", gpu, "--discount-rate", "12%")).code).toBe(0);
    const r = await runCli("build-vs-rent", gpu, "--tax-rate", "120%");
    expect(r.stderr).toBe("burnrate: --tax-rate must be at least 0 % and at most 100 % (got 120 %)\n");
    for (const bad of ["-100%", "-1.5", "1e400", "2000%", "ten", ""]) expect((await runCli("cohorts", gpu, "--discount-rate", bad)).code, bad).toBe(1);
  });
  it("a rent price of 1e308 is exit 1 with the range, not a crash", async () => {
    const r = await runCli("build-vs-rent", "models/gpu-cloud-example.yaml", "--rent-price", "1e308");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('burnrate: --rent-price takes a number from 0 to 10,000 (got "1e308")\n');
  });
});

describe("class 7: control characters from a model never reach the terminal raw", () => {
  const hostile = 'meta: { company: "Evil\\e[31mRED\\e]0;title\\a\\u202eoC\\u009b2J", start: 2025-01, months: 12 }\nopeningBalance: { cash: 10, paidInCapital: 10 }\nlines:\n  "x\\e[2Jy": { type: revenue, value: 1 }\n  z: { type: revnue, value: 1, note: "\\r\\e[1A" }\n';
  const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
  it("in error messages, tables and JSON (which keeps the text exactly)", async () => {
    const dir = scratch();
    const file = join(dir, "esc.yaml");
    writeFileSync(file, hostile);
    const bad = await runCli("check", file);
    expect(bad.code).toBe(1);
    expect(bad.stderr).not.toMatch(raw);
    writeFileSync(file, hostile.replace("revnue", "revenue").replace("type: revenue, value: 1 }\n  z", "type: revenue, value: 1 }\n  \"z\\e[1A\""));
    const table = await runCli("run", file);
    expect(table.code).toBe(0);
    expect(table.stdout).not.toMatch(raw);
    expect(table.stdout).toContain("Evil\\u001b[31mRED\\u001b]0;title\\u0007\\u202eoC\\u009b2J — USD millions");
    const json = await runCli("run", file, "--format", "json");
    expect(json.stdout).not.toMatch(raw);
    expect(JSON.parse(json.stdout).model).toBe("Evil\u001b[31mRED\u001b]0;title\u0007\u202eoC\u009b2J");
    const csv = await runCli("run", file, "--format", "csv");
    expect(csv.stdout).not.toMatch(raw);
    const sources = await runCli("sources", file);
    expect(sources.stdout).not.toMatch(raw);
  });
  it("in messages that quote the command line", async () => {
    const r = await runCli("run", "test/fixtures/small.yaml", "--scenario", "\u001b[31mx\u202e");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no scenario named "\\u001b[31mx\\u202e"');
    const unknown = await runCli("run", "test/fixtures/small.yaml", "--\u001b[2Jx");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).not.toMatch(raw);
  });
  it("the yaml package's debug switches and FORCE_COLOR do not change stdout", () => {
    const plain = burnrate(["run", "test/fixtures/small.yaml"]);
    const noisy = burnrate(["run", "test/fixtures/small.yaml"], { env: { ...process.env, LOG_TOKENS: "1", LOG_STREAM: "1" } });
    expect(plain.status).toBe(0);
    expect(noisy.stdout).toBe(plain.stdout);
    const help = burnrate(["run", "--help"]);
    const coloured = burnrate(["run", "--help"], { env: { ...process.env, FORCE_COLOR: "3" } });
    expect(coloured.stdout).toBe(help.stdout);
    expect(help.stdout).not.toMatch(raw);
  });
});

describe("class 8: no silent clamps; rates at or below −100 % refused", () => {
  const gpuText = readFileSync(join(root, "models", "gpu-cloud-example.yaml"), "utf8");
  it("utilization from a formula above 1 fails the run (it is not clamped), naming the month", async () => {
    const dir = scratch();
    const file = join(dir, "util.yaml");
    writeFileSync(file, gpuText.replace(/^utilization:\n  value: .*$/m, 'utilization:\n  value: "0.6 + 0.5 * ramp(\\"2025-01\\", \\"2026-12\\")"'));
    const r = await runCli("run", file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^burnrate: utilization is 1\.0\d* in 2026-\d\d; it is the share of uncontracted GPU-hours sold and must be between 0 and 1 — burnrate does not clamp it/);
    // The same value written as a constant is refused by check, at its position.
    writeFileSync(file, gpuText.replace(/^utilization:\n  value: .*$/m, "utilization:\n  value: 1.2"));
    expect((await runCli("check", file)).stderr).toMatch(/util\.yaml:\d+:\d+: utilization is a share of uncontracted GPU-hours sold, between 0 and 1 \(got 1\.2\)/);
  });
  it("a constant rate or spread of −100 % or less is refused where it is written", async () => {
    const dir = scratch();
    const file = join(dir, "rate.yaml");
    writeFileSync(file, small.replace("rate: 0.09", "rate: -1.2").replace("spread: 0.05", "spread: -1"));
    const r = await runCli("check", file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rate\.yaml:\d+:\d+: a rate of -1\.2 is −100 % or less; rates are annual decimals above −1 \(0\.05 = 5 %\) \(at financing\.debt\.term\.rate\)/);
    expect(r.stderr).toMatch(/rate\.yaml:\d+:\d+: a spread of -1 is −100 % or less; .* \(at financing\.debt\.floating\.spread\)/);
  });
  it("a floating rate that a base-rate driver takes below −100 % fails the run", async () => {
    const dir = scratch();
    const file = join(dir, "float.yaml");
    writeFileSync(file, small.replace("base: { constant: 0.04 }", 'base: "if(t >= 5, -1.5, 0.04)"'));
    const r = await runCli("run", file);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('burnrate: the floating rate of tranche "floating" (base + spread) is -145 % in 2025-06; an interest rate must be above −100 % — check the base-rate driver\n');
  });
});

describe("the README's Limits and safety section states the limits the code enforces", () => {
  it("every figure in it is the constant in the code", async () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    // Compared with line breaks as spaces: the text may be re-wrapped.
    const section = readme.slice(readme.indexOf("## Limits and safety"), readme.indexOf("## Library")).replace(/\s+/g, " ");
    const { MAX_MODEL_BYTES, MAX_NESTING_DEPTH, MAX_KEY_LENGTH, MAX_ALIAS_COUNT, MAX_YAML_TOKENS, MAX_NUMBER } = await import("../src/model/source.js");
    const { MAX_FORMULA_LENGTH, MAX_FORMULA_OPERATORS, MAX_FORMULA_NESTING } = await import("../src/model/formula.js");
    const { MAX_PRICE_PER_GPU_HOUR, DISCOUNT_RATE_RANGE } = await import("../src/model/ranges.js");
    const { MAX_PATHS } = await import("../src/uncertainty/simulate.js");
    const n = (v: number) => v.toLocaleString("en-US");
    expect(section).toContain(`at most ${MAX_MODEL_BYTES / 1024 / 1024} MB`);
    expect(section).toContain(`nest at most ${MAX_NESTING_DEPTH} levels`);
    expect(section).toContain(`a file has at most ${n(MAX_YAML_TOKENS)} YAML tokens`);
    expect(section).toContain(`a key is at most ${MAX_KEY_LENGTH} characters`);
    expect(section).toContain(`Every number in a model file is at most ${MAX_NUMBER.toExponential().replace("+", "")} in absolute value`);
    expect(section).toContain(`expand at most ${MAX_ALIAS_COUNT} times`);
    expect(section).toContain(`at most ${n(MAX_FORMULA_LENGTH)} characters, ${n(MAX_FORMULA_OPERATORS)} operators (commas included) and ${MAX_FORMULA_NESTING} levels`);
    expect(section).toContain(`\`--rent-price\` 0–${n(MAX_PRICE_PER_GPU_HOUR)} per GPU-hour, \`-n\` 1–${n(MAX_PATHS)} paths`);
    expect(section).toContain(`at most ${n(DISCOUNT_RATE_RANGE.max * 100)} %`);
    const { DEFAULTS } = await import("../src/server/config.js");
    expect(section).toContain(`a request body is at most ${DEFAULTS.bodyLimit / 1024 / 1024} MB`);
    const fuzzTest = readFileSync(join(root, "src/fuzz/fuzz.test.ts"), "utf8");
    expect(section).toContain(`a fixed-seed slice of ${n(Number(/const CASES = (\d+);/.exec(fuzzTest)![1]))} small cases (\`--seed ${/const SEED = (\d+);/.exec(fuzzTest)![1]} --small\``);
  });
});
