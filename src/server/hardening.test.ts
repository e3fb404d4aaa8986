import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { testServer, ROOT } from "../testing/server.js";
import { MAX_MODEL_BYTES, MAX_YAML_TOKENS } from "../model/source.js";

/**
 * Model text from a browser meets the same limits as a file on the command line (issue 9):
 * reserved names, the number cap, the YAML token cap, the text size cap, and invalid
 * simulation paths counted and reported in the JSON the API returns.
 */
const small = readFileSync(join(ROOT, "test/fixtures/small.yaml"), "utf8");
const nanPaths = readFileSync(join(ROOT, "test/fixtures/hardening/nan-paths.yaml"), "utf8");
const json = (body: string) => JSON.parse(body);
type Server = Awaited<ReturnType<typeof testServer>>;

describe("model text sent to the server", () => {
  let s: Server;
  beforeAll(async () => {
    s = await testServer({ seedFiles: ["test/fixtures/small.yaml"] });
  });
  afterAll(() => s.close());
  const command = (name: string, text: string, options?: Record<string, unknown>) => s.app.inject({ method: "POST", url: `/api/commands/${name}`, payload: { model: { text, file: "sent.yaml" }, ...(options ? { options } : {}) } });
  const codes = (body: string) => (json(body).issues as { code: string }[]).map((i) => i.code);

  it("answers a system file sent as a company model with 422 and the one message that says to use burnrate system", async () => {
    const system = readFileSync(join(ROOT, "test/fixtures/system/two.yaml"), "utf8");
    const r = await command("run", system);
    expect(r.statusCode).toBe(422);
    expect(codes(r.body)).toEqual(["system_file"]);
    expect(json(r.body).issues[0].line).toBeGreaterThan(0);
  });

  it("refuses a reserved name as a key with its position, and changes no prototype", async () => {
    const text = small.replace(/^lines:\n/m, "lines:\n  constructor: { type: revenue, value: 1 }\n");
    expect(text).not.toBe(small);
    const r = await command("run", text);
    expect(r.statusCode).toBe(422);
    const issue = json(r.body).issues.find((i: { code: string }) => i.code === "reserved_key");
    expect(issue).toMatchObject({ path: ["lines", "constructor"] });
    expect(issue.line).toBeGreaterThan(1);
    const check = json((await command("check", text)).body);
    expect(check.valid).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses an override path through __proto__ in a saved model and stores nothing", async () => {
    const text = `${small}\nscenarios:\n  evil:\n    overrides:\n      - { path: __proto__.polluted, set: 1 }\n`.replace(/^scenarios:[\s\S]*?(?=^scenarios:\n  evil)/m, "");
    const r = await s.app.inject({ method: "POST", url: "/api/models", payload: { text } });
    expect(r.statusCode).toBe(422);
    expect(codes(r.body)).toContain("reserved_override_path");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const list = json((await s.app.inject({ method: "GET", url: "/api/models" })).body).models as { id: string }[];
    expect(list.map((m) => m.id)).toEqual(["small"]);
  });

  it("refuses numbers beyond 1e15 where they are written", async () => {
    const r = await command("run", small.replace(/cash: \d+/, "cash: 1e300"));
    expect(r.statusCode).toBe(422);
    const issue = json(r.body).issues.find((i: { code: string }) => i.code === "number_too_large");
    expect(issue).toMatchObject({ path: ["openingBalance", "cash"] });
  });

  it("refuses text with more YAML tokens than the cap before building it", async () => {
    const text = `${small}\nextra: [${Array(MAX_YAML_TOKENS / 2 + 10).fill("1").join(",")}]\n`;
    expect(text.length).toBeLessThan(MAX_MODEL_BYTES);
    const r = await command("check", text);
    expect(r.statusCode).toBe(200);
    expect(json(r.body).valid).toBe(false);
    expect(json(r.body).issues.map((i: { code: string }) => i.code)).toContain("too_many_values");
  });

  it("refuses model text over the size cap with 400 (or 413 past the body limit)", async () => {
    const r = await command("check", `# ${"x".repeat(MAX_MODEL_BYTES)}\n${small}`);
    expect([400, 413]).toContain(r.statusCode);
    expect(r.body).not.toContain("stack");
  });

  it("reports invalid simulation paths in the JSON, failed unless the caller allows them", async () => {
    const r = await command("simulate", nanPaths, { paths: 400, seed: 7, detail: "year" });
    expect(r.statusCode).toBe(200);
    const result = json(r.body);
    expect(result.invalidPaths.count).toBeGreaterThan(100);
    expect(result.invalidPaths.count).toBeLessThan(300);
    expect(result.validPaths + result.invalidPaths.count).toBe(result.paths);
    expect(result.invalidPaths.byReason.nonFinite).toBe(result.invalidPaths.count);
    expect(result.invalidPaths).toMatchObject({ limit: 0, exceeded: true });
    // Every figure is over the valid paths: no NaN anywhere in the answer.
    expect(r.body.replace(/"text":"[^"]*"/g, "")).not.toMatch(/NaN|Infinity/);
    for (const v of [result.years[0].endingCash.mean, result.years[0].revenue.p50, result.fundingGap.p90, result.probabilities.cashOut]) expect(Number.isFinite(v)).toBe(true);
    const allowed = json((await command("simulate", nanPaths, { paths: 400, seed: 7, detail: "year", maxInvalidPaths: 0.9 })).body);
    expect(allowed.invalidPaths).toMatchObject({ count: result.invalidPaths.count, limit: 0.9, exceeded: false });
    expect(allowed.probabilities).toEqual(result.probabilities);
    const bad = await command("simulate", nanPaths, { paths: 40, maxInvalidPaths: 2 });
    expect(bad.statusCode).toBe(400);
  });
});
