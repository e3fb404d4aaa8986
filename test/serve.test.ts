import { describe, it, expect } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
// @ts-expect-error: a plain JavaScript helper shared with the scripts
import { startServe, exited } from "../scripts/serve-process.mjs";

const root = join(import.meta.dirname, "..");
const run = promisify(execFile);

describe("burnrate serve (the real process)", () => {
  it("starts on a free port with a new store, seeds the shipped models, answers, backs up and stops on SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-e2e-"));
    const db = join(dir, "data", "burnrate.db");
    try {
      const server = await startServe(["--db", db, "--log-level", "warn"]);
      expect(server.output()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ \(store .*burnrate\.db; 5 models\)/);
      const models = await (await fetch(`${server.url}/api/models`)).json();
      expect(models.models.map((m: { id: string }) => m.id).sort()).toEqual(["coreweave", "example", "gpu-cloud-example", "openai", "xai"]);
      const xai = models.models.find((m: { id: string }) => m.id === "xai");
      const cli = JSON.parse((await run(process.execPath, [join(root, "bin/burnrate.cjs"), "run", "models/xai.yaml", "--format", "json"], { cwd: root, maxBuffer: 1 << 26 })).stdout);
      expect(xai.headline.fundingGap).toBe(cli.metrics.fundingGap);
      expect(xai.headline.cashOut).toBe(cli.metrics.cashOut);
      const backup = join(dir, "copy.db");
      await run(process.execPath, [join(root, "bin/burnrate.cjs"), "serve", "--db", db, "--backup", backup], { cwd: root });
      const copy = new Database(backup, { readonly: true });
      expect(copy.prepare("SELECT COUNT(*) AS n FROM models").get()).toEqual({ n: 5 });
      expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
      copy.close();
      server.child.kill("SIGTERM");
      await exited(server.child);
      expect(server.child.exitCode).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("generates a token when it listens beyond loopback and then refuses calls without it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-e2e-"));
    try {
      const server = await startServe(["--db", join(dir, "b.db"), "--host", "0.0.0.0", "--no-seed", "--log-level", "warn"]);
      const tokenLine = /token \(shown once[^)]*\): (\S+)/;
      for (let i = 0; i < 100 && !tokenLine.test(server.output()); i++) await new Promise((r) => setTimeout(r, 50));
      const token = tokenLine.exec(server.output())![1];
      const port = new URL(server.url).port;
      expect((await fetch(`http://127.0.0.1:${port}/api/models`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/api/models`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      server.child.kill("SIGTERM");
      await exited(server.child);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("survives SIGKILLs while saving and running jobs: every acknowledged save intact, integrity check ok, no job left running (20 kills)", async () => {
    const { stdout } = await run(process.execPath, [join(root, "scripts/crash-test.mjs"), "--kills", "20", "--seed", String(Date.now() % 1000)], { cwd: root, timeout: 150_000 });
    expect(stdout).toMatch(/crash test: 20 SIGKILLs/);
    expect(stdout).toMatch(/integrity_check ok 21\/21/);
  }, 160_000);
});

/** Static imports of a module, transitively (dynamic `import()` is what keeps heavy modules out). */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)) {
    const spec = m[1];
    if (/^import\s+type\s/.test(m[0].trim()) || /^export\s+type\s/.test(m[0].trim())) continue;
    if (spec.startsWith(".")) {
      const ts = resolve(dirname(file), spec.replace(/\.js$/, ".ts"));
      if (existsSync(ts)) staticImports(ts, seen);
    } else seen.add(spec);
  }
  return seen;
}

describe("CLI start-up", () => {
  it("loads no server module (fastify, better-sqlite3, the server) for `burnrate --help`", () => {
    const loaded = [...staticImports(join(root, "src/cli/main.ts"))];
    expect(loaded.filter((m) => /fastify|better-sqlite3|src\/server\/|src\/store\//.test(m))).toEqual([]);
    expect(loaded.some((m) => m.endsWith("src/cli/commands/serve.ts"))).toBe(true);
  });
});
