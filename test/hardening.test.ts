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
const bin = join(root, "bin", "burnrate.js");
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
