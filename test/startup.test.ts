import { describe, it, expect, beforeAll } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = join(import.meta.dirname, "..");

/**
 * The modules a command loads, as Node resolves them (a loader hook lists every import).
 * Start-up time is measured by `npm run bench`; this keeps what start-up pays for from
 * growing by accident: heavy libraries load only in the command that uses them.
 */
function modulesLoaded(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), "burnrate-startup-"));
  writeFileSync(join(dir, "hooks.mjs"), `export async function resolve(s, c, next) { const r = await next(s, c); if (!r.url.startsWith("node:")) process.stderr.write("LOADED " + r.url + "\\n"); return r; }\n`);
  writeFileSync(join(dir, "register.mjs"), `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});\n`);
  const run = spawnSync(process.execPath, ["--import", pathToFileURL(join(dir, "register.mjs")).href, join(root, "bin", "burnrate.js"), ...args], { cwd: root, encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  return run.stderr.split("\n").filter((l) => l.startsWith("LOADED ")).map((l) => l.slice(7).replace(/^.*\/(node_modules|dist)\//, "$1/"));
}

const packageOf = (m: string) => (m.startsWith("node_modules/") ? m.split("/")[1] : null);

describe("command-line start-up", () => {
  beforeAll(() => {
    if (!existsSync(join(root, "dist", "cli", "main.js"))) execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "ignore" });
  });

  it("loads only commander and the command definitions for --help", () => {
    const loaded = modulesLoaded(["--help"]);
    expect(loaded.some((m) => m.includes("cli/main.js"))).toBe(true);
    expect([...new Set(loaded.map(packageOf).filter(Boolean))]).toEqual(["commander"]);
    expect(loaded.filter((m) => /dist\/(engine\/(compile|project)|model\/(load|schema|formula)|uncertainty\/(simulate|spec|paths)|gpu\/|targets\/index)/.test(m))).toEqual([]);
  });

  it("runs a model without the uncertainty stack, targets or ml-matrix", () => {
    const loaded = modulesLoaded(["run", "models/xai.yaml"]);
    expect(loaded.some((m) => m.includes("engine/project.js"))).toBe(true);
    const packages = new Set(loaded.map(packageOf).filter(Boolean));
    expect(packages.has("ml-matrix")).toBe(false);
    expect(loaded.filter((m) => /dist\/(uncertainty\/(simulate|spec|sensitivity|solve)|targets\/index|export|server)/.test(m))).toEqual([]);
  });
});
