import { describe, it, expect, beforeAll } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = join(import.meta.dirname, "..");
const bundleDir = join(root, "dist", "cli-bundle");

/**
 * The modules a command loads: the files Node resolves (a loader hook lists every import),
 * each chunk of the command-line bundle standing for the modules it holds (its
 * modules.json, written by scripts/bundle-cli.mjs). Start-up time is measured by
 * `npm run bench`; this keeps what start-up pays for from growing by accident: heavy
 * libraries load only in the command that uses them.
 */
function modulesLoaded(args: string[]): { files: string[]; modules: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "burnrate-startup-"));
  writeFileSync(join(dir, "hooks.mjs"), `export async function resolve(s, c, next) { const r = await next(s, c); if (!r.url.startsWith("node:")) process.stderr.write("LOADED " + r.url + "\\n"); return r; }\n`);
  writeFileSync(join(dir, "register.mjs"), `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});\n`);
  const run = spawnSync(process.execPath, ["--import", pathToFileURL(join(dir, "register.mjs")).href, join(root, "bin", "burnrate.js"), ...args], { cwd: root, encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  const files = [...new Set(run.stderr.split("\n").filter((l) => l.startsWith("LOADED ")).map((l) => l.slice(7).replace(/^.*\/(node_modules|dist)\//, "$1/")))];
  const chunks = existsSync(join(bundleDir, "modules.json")) ? (JSON.parse(readFileSync(join(bundleDir, "modules.json"), "utf8")) as Record<string, string[]>) : {};
  const modules = files.flatMap((f) => (f.startsWith("dist/cli-bundle/") ? (chunks[f.slice("dist/cli-bundle/".length)] ?? [f]) : [f]));
  return { files, modules };
}

const packageOf = (m: string) => (m.startsWith("node_modules/") ? m.split("/")[1] : null);

describe("command-line start-up", () => {
  beforeAll(() => {
    if (!existsSync(join(root, "dist", "cli", "main.js"))) execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "ignore" });
    // `npm test` builds the bundle as `npm run build` does; after a plain tsc it is built here.
    const fresh = existsSync(join(bundleDir, "main.js")) && statSync(join(bundleDir, "main.js")).mtimeMs >= statSync(join(root, "dist", "cli", "main.js")).mtimeMs;
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

  it("runs the files tsc wrote when they are newer than the bundle (no stale bundle after a plain tsc)", () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-bin-"));
    mkdirSync(join(dir, "bin"));
    mkdirSync(join(dir, "dist", "cli"), { recursive: true });
    mkdirSync(join(dir, "dist", "cli-bundle"));
    copyFileSync(join(root, "bin", "burnrate.js"), join(dir, "bin", "burnrate.js"));
    writeFileSync(join(dir, "package.json"), `{"type": "module"}\n`);
    for (const which of ["cli", "cli-bundle"]) writeFileSync(join(dir, "dist", which, "main.js"), `export async function main() { process.stdout.write(${JSON.stringify(which)}); return 0; }\n`);
    const started = () => spawnSync(process.execPath, [join(dir, "bin", "burnrate.js")], { encoding: "utf8" }).stdout;
    const at = (file: string, seconds: number) => utimesSync(join(dir, "dist", file, "main.js"), seconds, seconds);
    const now = Math.floor(statSync(dir).mtimeMs / 1000);
    at("cli", now - 10);
    at("cli-bundle", now);
    expect(started()).toBe("cli-bundle");
    at("cli", now + 10);
    expect(started()).toBe("cli");
  });
});
