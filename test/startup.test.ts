import { describe, it, expect, beforeAll } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = join(import.meta.dirname, "..");
const bundleDir = join(root, "dist", "cli-bundle");
const bin = join(root, "bin", "burnrate.cjs");

/** Runs the CLI with `node NODE_ARGS bin/burnrate.cjs ARGS` in the package's folder; fails the test if it fails. */
function burnrate(nodeArgs: string[], args: string[]): { stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [...nodeArgs, bin, ...args], { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 });
  expect(run.status, run.stderr).toBe(0);
  return run;
}

/** A file in a new temporary folder, for `--require` or `--import`. */
function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "burnrate-startup-")), name);
  writeFileSync(file, text);
  return file;
}

/**
 * The modules a command loads: the files Node loaded (CommonJS: require.cache at exit,
 * printed by a preloaded script; ES modules: a loader hook lists every import), each chunk
 * of the command-line bundle standing for the modules it holds (its modules.json, written by
 * scripts/bundle-cli.mjs). Start-up time is measured by `npm run bench`; this keeps what
 * start-up pays for from growing by accident: heavy libraries load only in the command that
 * uses them.
 */
function modulesLoaded(args: string[]): { files: string[]; modules: string[] } {
  const required = tempFile("required.cjs", `process.on("exit", () => { for (const file of Object.keys(require.cache)) process.stderr.write("LOADED " + require("node:url").pathToFileURL(file).href + "\\n"); });\n`);
  const hooks = tempFile("hooks.mjs", `export async function resolve(s, c, next) { const r = await next(s, c); if (!r.url.startsWith("node:")) process.stderr.write("LOADED " + r.url + "\\n"); return r; }\n`);
  const register = tempFile("register.mjs", `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const run = burnrate(["--require", required, "--import", pathToFileURL(register).href], args);
  const files = [...new Set(run.stderr.split("\n").filter((l) => l.startsWith("LOADED ")).map((l) => l.slice(7).replace(/^.*\/(node_modules|dist)\//, "$1/")))];
  const chunks = existsSync(join(bundleDir, "modules.json")) ? (JSON.parse(readFileSync(join(bundleDir, "modules.json"), "utf8")) as Record<string, string[]>) : {};
  const modules = files.flatMap((f) => (f.startsWith("dist/cli-bundle/") ? (chunks[f.slice("dist/cli-bundle/".length)] ?? [f]) : [f]));
  return { files, modules };
}

/**
 * The scripts node:vm compiled while a command ran (bin/codeCache.cjs compiles the bundle's
 * chunks that have a code cache through it): a preloaded probe subclasses vm.Script to note
 * each one's file, whether it was given a cache and whether V8 rejected it.
 */
function scriptsCompiled(nodeArgs: string[], args: string[]): { stdout: string; scripts: { file: string; cached: boolean; rejected: boolean }[] } {
  const probe = tempFile(
    "probe.cjs",
    `const vm = require("node:vm");
const scripts = [];
vm.Script = class extends vm.Script {
  constructor(source, options) {
    super(source, options);
    scripts.push({ file: require("node:path").basename(options?.filename ?? ""), cached: options?.cachedData !== undefined, rejected: this.cachedDataRejected === true });
  }
};
process.on("exit", () => process.stderr.write("SCRIPTS " + JSON.stringify(scripts) + "\\n"));
`,
  );
  const run = burnrate([...nodeArgs, "--require", probe], args);
  const lines = run.stderr.split("\n").filter(Boolean);
  // Nothing else on stderr: no warning from node:vm or a rejected cache.
  expect(lines.filter((l) => !l.startsWith("SCRIPTS "))).toEqual([]);
  return { stdout: run.stdout, scripts: JSON.parse(lines.find((l) => l.startsWith("SCRIPTS "))!.slice(8)) };
}

/** The bundle's chunk holding `module` (a path as modules.json writes them). */
function chunkOf(module: string): string {
  const chunks = JSON.parse(readFileSync(join(bundleDir, "modules.json"), "utf8")) as Record<string, string[]>;
  const found = Object.entries(chunks).filter(([, modules]) => modules.some((m) => m.startsWith(module)));
  expect(found.length, module).toBe(1);
  return found[0][0];
}

const packageOf = (m: string) => (m.startsWith("node_modules/") ? m.split("/")[1] : null);

describe("command-line start-up", () => {
  beforeAll(() => {
    if (!existsSync(join(root, "dist", "cli", "main.js"))) execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "ignore" });
    // `npm test` builds the bundle as `npm run build` does; after a plain tsc it is built here.
    const fresh = existsSync(join(bundleDir, "main.cjs")) && statSync(join(bundleDir, "main.cjs")).mtimeMs >= statSync(join(root, "dist", "cli", "main.js")).mtimeMs;
    if (!fresh) execFileSync(process.execPath, [join(root, "scripts", "bundle-cli.mjs")], { cwd: root, stdio: "ignore" });
  });

  it("loads only commander and the command definitions for --help", () => {
    const { modules } = modulesLoaded(["--help"]);
    expect(modules.some((m) => m.includes("cli/main.js"))).toBe(true);
    expect([...new Set(modules.map(packageOf).filter(Boolean))]).toEqual(["commander"]);
    expect(modules.filter((m) => /dist\/(engine\/(compile|project)|model\/(load|schema|formula)|uncertainty\/(simulate|spec|paths)|gpu\/|targets\/index)/.test(m))).toEqual([]);
  });

  it("runs a model without the uncertainty stack, targets or ml-matrix", () => {
    const { modules } = modulesLoaded(["run", "models/xai.yaml"]);
    expect(modules.some((m) => m.includes("engine/project.js"))).toBe(true);
    const packages = new Set(modules.map(packageOf).filter(Boolean));
    expect(packages.has("ml-matrix")).toBe(false);
    expect(modules.filter((m) => /dist\/(uncertainty\/(simulate|spec|sensitivity|solve)|targets\/index|export|server)/.test(m))).toEqual([]);
  });

  it("starts from the bundle: a few files for --help and for run, none of tsc's", () => {
    for (const args of [["--help"], ["run", "models/xai.yaml"]]) {
      const { files } = modulesLoaded(args);
      expect(files.filter((f) => f.startsWith("dist/") && !f.startsWith("dist/cli-bundle/"))).toEqual([]);
      expect(files.filter((f) => f.startsWith("dist/cli-bundle/")).length).toBeLessThanOrEqual(args[0] === "run" ? 5 : 4);
    }
  });

  it("compiles the start-up and run chunks from the code caches saved when the bundle was built", () => {
    const startUp = [chunkOf("dist/cli/main.js"), readdirSync(bundleDir).find((f) => /^rolldown-runtime-.*\.cjs$/.test(f))];
    const cachedFor = (args: string[]) => scriptsCompiled([], args).scripts.filter((s) => s.cached);
    expect(cachedFor(["--help"])).toEqual(startUp.map((file) => ({ file, cached: true, rejected: false })));
    const run = cachedFor(["run", "models/xai.yaml"]);
    expect(run.map((s) => s.file).sort()).toEqual([...startUp, chunkOf("dist/node/loadFile.js"), chunkOf("node_modules/zod/")].sort());
    expect(run.filter((s) => s.rejected)).toEqual([]);
    // Only chunks named by their content's hash have a cache, and none that calls import() (node:vm would warn).
    const caches = readdirSync(bundleDir).filter((f) => f.endsWith(".v8cache"));
    expect(caches.length).toBeGreaterThanOrEqual(4);
    for (const cache of caches) {
      const chunk = cache.slice(0, -".v8cache".length);
      expect(chunk).toMatch(/-[\w-]{8,}\.cjs$/);
      expect(readFileSync(join(bundleDir, chunk), "utf8")).not.toContain("import(");
    }
    expect(caches).not.toContain("main.cjs.v8cache");
  });

  it("prints the same with and without the code caches", () => {
    const withoutCaches = tempFile("burnrate.cjs", `require(${JSON.stringify(join(bundleDir, "main.cjs"))}).main(process.argv).then((code) => (process.exitCode = code));\n`);
    for (const args of [["--help"], ["run", "models/xai.yaml"], ["simulate", "models/xai.yaml", "-n", "200", "--threads", "1", "--seed", "3"]]) {
      const withCaches = scriptsCompiled([], args);
      expect(withCaches.scripts.filter((s) => s.cached).length).toBeGreaterThan(0);
      // Under other V8 flags, V8 rejects every cache: each chunk is compiled from its source, silently.
      const rejected = scriptsCompiled(["--stack-size=2000"], args);
      expect(rejected.scripts.filter((s) => s.cached).every((s) => s.rejected)).toBe(true);
      expect(rejected.stdout).toBe(withCaches.stdout);
      // Without bin/codeCache.cjs: Node compiles every chunk itself.
      const plain = spawnSync(process.execPath, [withoutCaches, ...args], { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 });
      expect(plain.status, plain.stderr).toBe(0);
      expect(plain.stdout).toBe(withCaches.stdout);
    }
  });

  it("runs the files tsc wrote when they are newer than the bundle (no stale bundle after a plain tsc)", () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-bin-"));
    mkdirSync(join(dir, "bin"));
    mkdirSync(join(dir, "dist", "cli"), { recursive: true });
    mkdirSync(join(dir, "dist", "cli-bundle"));
    for (const file of ["burnrate.cjs", "codeCache.cjs"]) copyFileSync(join(root, "bin", file), join(dir, "bin", file));
    writeFileSync(join(dir, "package.json"), `{"type": "module"}\n`);
    writeFileSync(join(dir, "dist", "cli", "main.js"), `export async function main() { process.stdout.write("cli"); return 0; }\n`);
    writeFileSync(join(dir, "dist", "cli-bundle", "main.cjs"), `exports.main = async function main() { process.stdout.write("cli-bundle"); return 0; };\n`);
    const started = () => spawnSync(process.execPath, [join(dir, "bin", "burnrate.cjs")], { encoding: "utf8" }).stdout;
    const at = (file: string, seconds: number) => utimesSync(join(dir, "dist", file), seconds, seconds);
    const now = Math.floor(statSync(dir).mtimeMs / 1000);
    at("cli/main.js", now - 10);
    at("cli-bundle/main.cjs", now);
    expect(started()).toBe("cli-bundle");
    at("cli/main.js", now + 10);
    expect(started()).toBe("cli");
  });

  it("still starts from bin/burnrate.js, where links npx made before burnrate.cjs still point", () => {
    const run = spawnSync(process.execPath, [join(root, "bin", "burnrate.js"), "run", "models/xai.yaml", "--format", "json"], { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(burnrate([], ["run", "models/xai.yaml", "--format", "json"]).stdout);
  });
});
