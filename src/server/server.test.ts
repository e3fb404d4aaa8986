import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { connect } from "node:net";
import { testServer, ROOT } from "../testing/server.js";
import { runCommand, checkCommand, compareCommand } from "../commands/index.js";

const small = readFileSync(join(ROOT, "test/fixtures/small.yaml"), "utf8");
const json = (body: string) => JSON.parse(body);
type Server = Awaited<ReturnType<typeof testServer>>;

describe("models and versions", () => {
  let s: Server;
  beforeAll(async () => {
    s = await testServer({ seedFiles: ["test/fixtures/small.yaml"] });
  });
  afterAll(() => s.close());

  it("seeds the shipped models on first start and lists them with headline figures", async () => {
    const r = await s.app.inject({ method: "GET", url: "/api/models" });
    expect(r.statusCode).toBe(200);
    const [m] = json(r.body).models;
    const run = runCommand({ text: small, file: "small.yaml" });
    expect(m).toMatchObject({ id: "small", name: "Small Co", latestVersion: 1, company: "Small Co", start: run.months[0].period, scenarios: ["slow"] });
    expect(m.headline).toEqual({
      cashOut: run.metrics.cashOut,
      runwayMonths: run.metrics.runwayMonths,
      runwayBeyondHorizon: run.metrics.runwayBeyondHorizon,
      fundingGap: run.metrics.fundingGap,
      minCash: run.metrics.minCash,
      breakeven: run.metrics.breakeven,
      firstPositiveFreeCashFlow: run.metrics.firstPositiveFreeCashFlow,
    });
  });

  it("saves versions, diffs their inputs, restores an old one and keeps the history", async () => {
    const created = await s.app.inject({ method: "POST", url: "/api/models", payload: { text: small, message: "first" } });
    expect(created.statusCode).toBe(201);
    const id = json(created.body).model.id;
    expect(id).toBe("small-co");
    const edited = small.replace("costShare: 0.4", "costShare: 0.45");
    expect(edited).not.toBe(small);
    const saved = await s.app.inject({ method: "PUT", url: `/api/models/${id}`, payload: { text: edited, message: "more cash", baseVersion: 1 } });
    expect(saved.statusCode).toBe(201);
    expect(json(saved.body).version).toMatchObject({ version: 2, message: "more cash" });
    const same = await s.app.inject({ method: "PUT", url: `/api/models/${id}`, payload: { text: edited } });
    expect(same.statusCode).toBe(200);
    expect(json(same.body)).toMatchObject({ unchanged: true, version: { version: 2 } });
    const stale = await s.app.inject({ method: "PUT", url: `/api/models/${id}`, payload: { text: small, baseVersion: 1 } });
    expect(stale.statusCode).toBe(409);
    expect(json(stale.body)).toMatchObject({ code: "version_conflict", latestVersion: 2 });
    const diff = json((await s.app.inject({ method: "GET", url: `/api/models/${id}/diff?from=1&to=2` })).body);
    expect(diff.inputs).toEqual([{ path: "drivers.costShare", change: "changed", before: expect.objectContaining({ value: 0.4 }), after: expect.objectContaining({ value: 0.45 }) }]);
    expect(diff.patch).toContain("-  costShare: 0.4");
    expect(diff.patch).toContain("+  costShare: 0.45");
    expect(diff.lines).toEqual({ added: 1, removed: 1 });
    const restored = await s.app.inject({ method: "POST", url: `/api/models/${id}/versions/1/restore`, payload: {} });
    expect(restored.statusCode).toBe(201);
    expect(json(restored.body).version).toMatchObject({ version: 3, restoredFrom: 1, message: "Restored version 1", text: small });
    const versions = json((await s.app.inject({ method: "GET", url: `/api/models/${id}/versions` })).body).versions;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    const text = await s.app.inject({ method: "GET", url: `/api/models/${id}/versions/2/text` });
    expect(text.headers["content-type"]).toMatch(/application\/yaml/);
    expect(text.body).toBe(edited);
  });

  it("takes model text as YAML, with the message in the query", async () => {
    const r = await s.app.inject({ method: "POST", url: "/api/models?id=yaml-one&message=from%20curl", headers: { "content-type": "application/yaml" }, payload: small });
    expect(r.statusCode).toBe(201);
    expect(json(r.body).version).toMatchObject({ modelId: "yaml-one", message: "from curl", file: "yaml-one.yaml" });
  });

  it("refuses an invalid model with 422 and the issues of `burnrate check`, and stores nothing", async () => {
    const bad = small.replace("company: Small Co", "compny: Small Co").replace("rate: 0.25", "rate: high");
    const r = await s.app.inject({ method: "PUT", url: "/api/models/small", payload: { text: bad } });
    expect(r.statusCode).toBe(422);
    const body = json(r.body);
    expect(body.code).toBe("invalid_model");
    expect(body.issues).toEqual(checkCommand({ text: bad, file: "small.yaml" }).issues);
    for (const issue of body.issues) expect(issue).toEqual(expect.objectContaining({ code: expect.any(String), path: expect.any(Array), line: expect.any(Number), column: expect.any(Number), message: expect.any(String) }));
    expect(json((await s.app.inject({ method: "GET", url: "/api/models/small/versions" })).body).versions).toHaveLength(1);
    const created = await s.app.inject({ method: "POST", url: "/api/models", payload: { id: "never", text: bad } });
    expect(created.statusCode).toBe(422);
    expect((await s.app.inject({ method: "GET", url: "/api/models/never" })).statusCode).toBe(404);
  });

  it("deletes softly, restores, and purges only when asked", async () => {
    await s.app.inject({ method: "POST", url: "/api/models", payload: { id: "temp", text: small } });
    expect((await s.app.inject({ method: "DELETE", url: "/api/models/temp" })).statusCode).toBe(200);
    expect((await s.app.inject({ method: "GET", url: "/api/models/temp" })).statusCode).toBe(404);
    const deleted = json((await s.app.inject({ method: "GET", url: "/api/models?deleted=only" })).body).models;
    expect(deleted.map((m: { id: string }) => m.id)).toEqual(["temp"]);
    expect((await s.app.inject({ method: "POST", url: "/api/models/temp/undelete" })).statusCode).toBe(200);
    expect((await s.app.inject({ method: "GET", url: "/api/models/temp" })).statusCode).toBe(200);
    expect((await s.app.inject({ method: "DELETE", url: "/api/models/temp?purge=true" })).statusCode).toBe(204);
    expect((await s.app.inject({ method: "POST", url: "/api/models/temp/undelete" })).statusCode).toBe(404);
  });

  it("answers unknown models and versions with 404 and bad ids with 400", async () => {
    expect(json((await s.app.inject({ method: "GET", url: "/api/models/nope" })).body)).toMatchObject({ code: "model_not_found" });
    expect(json((await s.app.inject({ method: "GET", url: "/api/models/small/versions/9" })).body)).toMatchObject({ code: "version_not_found" });
    const bad = await s.app.inject({ method: "GET", url: "/api/models/..%2F..%2Fetc%2Fpasswd" });
    expect(bad.statusCode).toBe(400);
    expect(json(bad.body).issues[0].path).toEqual(["id"]);
  });
});

describe("commands", () => {
  let s: Server;
  beforeAll(async () => {
    s = await testServer({ seedFiles: ["test/fixtures/small.yaml"] });
  });
  afterAll(() => s.close());

  it("runs a stored model with the CLI's JSON, then from the cache", async () => {
    const first = await s.app.inject({ method: "GET", url: "/api/models/small/run?scenario=slow" });
    expect(first.statusCode).toBe(200);
    expect(first.headers["x-burnrate-cache"]).toBe("miss");
    expect(json(first.body)).toEqual(JSON.parse(JSON.stringify(runCommand({ text: small, file: "small.yaml" }, { scenario: "slow" }))));
    const again = await s.app.inject({ method: "GET", url: "/api/models/small/run?scenario=slow" });
    expect(again.headers["x-burnrate-cache"]).toBe("hit");
    expect(again.body).toBe(first.body);
    expect((await s.app.inject({ method: "GET", url: "/api/models/small/run?scenario=slow", headers: { "if-none-match": first.headers.etag as string } })).statusCode).toBe(304);
    expect((await s.app.inject({ method: "GET", url: "/api/models/small/run?scenario=slow", headers: { "cache-control": "no-cache" } })).headers["x-burnrate-cache"]).toBe("miss");
  });

  it("takes model text in the request for every command, and several models for compare", async () => {
    const r = await s.app.inject({ method: "POST", url: "/api/commands/sources", payload: { model: { text: small, file: "mine.yaml" } } });
    expect(json(r.body)).toMatchObject({ model: "Small Co", file: "mine.yaml" });
    const c = await s.app.inject({ method: "POST", url: "/api/commands/compare", payload: { runs: [{ model: { id: "small" } }, { model: { id: "small" }, scenario: "slow" }] } });
    expect(c.statusCode).toBe(200);
    const expected = compareCommand([
      { label: "small", model: { text: small, file: "small.yaml" } },
      { label: "small:slow", model: { text: small, file: "small.yaml" }, scenario: "slow" },
    ]);
    expect(json(c.body)).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it("check answers 200 with the problems; run answers 422", async () => {
    const check = json((await s.app.inject({ method: "POST", url: "/api/commands/check", payload: { model: { text: "meta: 3\n" } } })).body);
    expect(check).toMatchObject({ valid: false, file: "request.yaml" });
    const run = await s.app.inject({ method: "POST", url: "/api/commands/run", payload: { model: { text: "meta: 3\n" } } });
    expect(run.statusCode).toBe(422);
    expect(json(run.body).issues[0]).toMatchObject({ path: ["meta"], line: 1, column: 7 });
  });

  it("refuses bad options and bodies with 400 and where the problem is", async () => {
    const r = await s.app.inject({ method: "POST", url: "/api/commands/cohorts", payload: { model: { id: "small" }, options: { discountRate: "ten", bogus: 1 } } });
    expect(r.statusCode).toBe(400);
    const issues = json(r.body).issues.map((i: { path: unknown[] }) => i.path.join("."));
    expect(issues).toEqual(expect.arrayContaining(["options.discountRate", "options"]));
    const scenario = await s.app.inject({ method: "POST", url: "/api/commands/run", payload: { model: { id: "small" }, options: { scenario: "nope" } } });
    expect(scenario.statusCode).toBe(422);
    const usage = await s.app.inject({ method: "POST", url: "/api/commands/sensitivity", payload: { model: { id: "small" }, options: { metric: "nonsense" } } });
    expect([400, 422]).toContain(usage.statusCode);
    const noModel = await s.app.inject({ method: "POST", url: "/api/commands/run", payload: { model: { id: "ghost" } } });
    expect(noModel.statusCode).toBe(404);
  });

  it("serves the OpenAPI document with every command and the reference page", async () => {
    const doc = json((await s.app.inject({ method: "GET", url: "/api/openapi.json" })).body);
    expect(doc.openapi).toBe("3.0.3");
    for (const name of ["check", "run", "verify", "sources", "compare", "sensitivity", "solve", "simulate", "cohorts", "build-vs-rent", "sector"]) expect(doc.paths).toHaveProperty([`/api/commands/${name}`]);
    for (const path of ["/api/models", "/api/models/{id}", "/api/models/{id}/diff", "/api/jobs", "/api/jobs/{id}/events"]) expect(doc.paths).toHaveProperty([path]);
    expect(doc.paths["/api/commands/simulate"].post.requestBody.content["application/json"].schema.properties.options.properties.paths).toMatchObject({ type: "integer", minimum: 1 });
    const ui = await s.app.inject({ method: "GET", url: "/api/docs/" });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain("swagger");
  });
});

describe("hostile requests", () => {
  let s: Server;
  beforeAll(async () => {
    s = await testServer({ seedFiles: ["test/fixtures/small.yaml"], requestTimeoutMs: 1500 });
  });
  afterAll(() => s.close());
  const post = (payload: string | Buffer, type = "application/json") => s.app.inject({ method: "POST", url: "/api/commands/run", headers: { "content-type": type }, payload });

  it("refuses deeply nested JSON before parsing it", async () => {
    const r = await post("[".repeat(100_000) + "]".repeat(100_000));
    expect(r.statusCode).toBe(400);
    expect(json(r.body).code).toBe("too_deep");
  });
  it("refuses __proto__ and constructor.prototype keys and pollutes nothing", async () => {
    for (const payload of ['{"model":{"text":"x"},"__proto__":{"polluted":1}}', '{"model":{"id":"small"},"options":{"constructor":{"prototype":{"polluted":1}}}}']) {
      const r = await post(payload);
      expect(r.statusCode).toBe(400);
      expect(r.body).not.toContain("stack");
    }
    const yaml = "__proto__:\n  polluted: 1\n" + small;
    const r = await s.app.inject({ method: "POST", url: "/api/commands/run", payload: { model: { text: yaml } } });
    expect(r.statusCode).toBeLessThan(500);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it("refuses a 100 MB body with 413", async () => {
    const r = await post(Buffer.alloc(100 * 1024 * 1024, 0x20));
    expect(r.statusCode).toBe(413);
    expect(json(r.body).code).toBe("body_too_large");
  });
  it("refuses invalid UTF-8 instead of guessing", async () => {
    const r = await post(Buffer.concat([Buffer.from('{"model":{"text":"meta: '), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}}')]));
    expect(r.statusCode).toBe(400);
    expect(json(r.body).code).toBe("invalid_utf8");
  });
  it("refuses bodies a page on another site could post (text/plain, forms)", async () => {
    expect((await post("x", "text/plain")).statusCode).toBe(415);
    expect((await post("a=b", "application/x-www-form-urlencoded")).statusCode).toBe(415);
  });
  it("answers malformed JSON, a huge formula and a model of NaN-producing formulas without a 500", async () => {
    expect(json((await post('{"model": ')).body).code).toBe("malformed_json");
    const huge = small.replace(/growth: [^\n]*/, `formula: ${"1+".repeat(200_000)}1`);
    expect((await s.app.inject({ method: "POST", url: "/api/commands/run", payload: { model: { text: huge } } })).statusCode).toBeLessThan(500);
    const nan = small.replace("rate: 0.25", "rate: 0");
    expect((await s.app.inject({ method: "POST", url: "/api/commands/run", payload: { model: { text: nan } } })).statusCode).toBeLessThan(500);
  });
  it("closes a connection that sends its body too slowly (slowloris)", async () => {
    await s.app.listen({ host: "127.0.0.1", port: 0 });
    const port = (s.app.server.address() as { port: number }).port;
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.write("POST /api/commands/run HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{");
      });
      let data = "";
      socket.on("data", (d) => (data += d));
      socket.on("close", () => resolve(data));
      socket.on("error", () => resolve(data));
    });
    expect(answer.startsWith("HTTP/1.1 408") || answer === "").toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe("access", () => {
  const token = "a-long-enough-test-token-123456";
  it("needs the token on every API call when one is set, compared in constant time", async () => {
    const s = await testServer({ token });
    try {
      const none = await s.app.inject({ method: "GET", url: "/api/models" });
      expect(none.statusCode).toBe(401);
      expect(json(none.body).code).toBe("unauthorized");
      expect((await s.app.inject({ method: "GET", url: "/api/models", headers: { authorization: "Bearer wrong" } })).statusCode).toBe(401);
      expect((await s.app.inject({ method: "GET", url: "/api/openapi.json" })).statusCode).toBe(401);
      expect((await s.app.inject({ method: "GET", url: "/api/models", headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
      const session = await s.app.inject({ method: "POST", url: "/api/session", payload: { token } });
      expect(session.statusCode).toBe(204);
      const cookie = String(session.headers["set-cookie"]).split(";")[0];
      expect(String(session.headers["set-cookie"])).toMatch(/HttpOnly; SameSite=Strict/);
      expect((await s.app.inject({ method: "GET", url: "/api/models", headers: { cookie } })).statusCode).toBe(200);
      const link = await s.app.inject({ method: "GET", url: `/?token=${token}&lang=ar` });
      expect(link.statusCode).toBe(303);
      expect(link.headers.location).toBe("/?lang=ar");
      expect((await s.app.inject({ method: "POST", url: "/api/session", payload: { token: "nope" } })).statusCode).toBe(401);
    } finally {
      await s.close();
    }
  });
  it("refuses to start off loopback without a token", async () => {
    await expect(testServer({ host: "0.0.0.0" })).rejects.toThrow(/needs a token/);
  });
  it("on loopback without a token, answers only requests addressed to localhost", async () => {
    const s = await testServer();
    try {
      expect((await s.app.inject({ method: "GET", url: "/api/health", headers: { host: "attacker.example" } })).statusCode).toBe(403);
      expect((await s.app.inject({ method: "GET", url: "/api/health", headers: { host: "127.0.0.1:8080" } })).statusCode).toBe(200);
      const cross = await s.app.inject({ method: "POST", url: "/api/models", headers: { origin: "https://attacker.example" }, payload: { text: small } });
      expect(cross.statusCode).toBe(403);
      expect((await s.app.inject({ method: "GET", url: "/api/health", headers: { origin: "https://attacker.example" } })).headers["access-control-allow-origin"]).toBeUndefined();
    } finally {
      await s.close();
    }
  });
  it("allows the origins it is told to (CORS)", async () => {
    const s = await testServer({ corsOrigins: ["https://app.example"] });
    try {
      const r = await s.app.inject({ method: "GET", url: "/api/health", headers: { origin: "https://app.example" } });
      expect(r.headers["access-control-allow-origin"]).toBe("https://app.example");
    } finally {
      await s.close();
    }
  });
});

describe("failures", () => {
  it("answers an unexpected failure with 500 and an error id the log shows with the stack", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const s = await testServer({ logger: { level: "error", stream } });
    try {
      s.app.burnrate.store.listModels = async () => {
        throw new Error("disk on fire");
      };
      const r = await s.app.inject({ method: "GET", url: "/api/models" });
      expect(r.statusCode).toBe(500);
      const body = json(r.body);
      expect(body).toMatchObject({ code: "internal", errorId: expect.any(String) });
      expect(r.body).not.toContain("disk on fire");
      expect(r.body).not.toMatch(/at \w+ \(/);
      const logged = lines.map((l) => JSON.parse(l)).find((l) => l.errorId === body.errorId);
      expect(logged.err.stack).toContain("disk on fire");
    } finally {
      await s.close();
    }
  });
});

describe("dashboard files", () => {
  it("serves the built app at / with a fallback for its routes, and nothing outside its folder", async () => {
    const s = await testServer();
    try {
      expect((await s.app.inject({ method: "GET", url: "/" })).body).toContain("has not been built");
    } finally {
      await s.close();
    }
    const t = await testServer({ seed: false });
    await t.app.close();
    const web = join(t.dir, "web");
    mkdirSync(join(web, "assets"), { recursive: true });
    writeFileSync(join(web, "index.html"), "<!doctype html><title>burnrate dashboard</title>");
    writeFileSync(join(web, "assets", "app.js"), "console.log(1)");
    const u = await testServer({ webDir: web });
    try {
      expect((await u.app.inject({ method: "GET", url: "/" })).body).toContain("burnrate dashboard");
      expect((await u.app.inject({ method: "GET", url: "/models/xai/overview" })).body).toContain("burnrate dashboard");
      const js = await u.app.inject({ method: "GET", url: "/assets/app.js" });
      expect(js.headers["content-type"]).toMatch(/javascript/);
      expect((await u.app.inject({ method: "GET", url: "/assets/missing.js" })).statusCode).toBe(404);
      const escape = await u.app.inject({ method: "GET", url: "/..%2F..%2Fpackage.json" });
      expect(escape.body).not.toContain('"name": "burnrate"');
      expect((await u.app.inject({ method: "GET", url: "/api/nothing" })).statusCode).toBe(404);
    } finally {
      await u.close();
    }
  });
});

describe("exports", () => {
  let s: Server;
  beforeAll(async () => {
    s = await testServer({ seedFiles: ["test/fixtures/small.yaml"] });
  });
  afterAll(() => s.close());

  it("sends a stored model as an Excel workbook, a CSV table and the HTML report", async () => {
    const xlsx = await s.app.inject({ method: "POST", url: "/api/export", payload: { model: { id: "small" }, format: "xlsx" } });
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers["content-type"]).toMatch(/spreadsheetml/);
    expect(xlsx.headers["content-disposition"]).toBe('attachment; filename="small.xlsx"');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe("PK");
    const csv = await s.app.inject({ method: "POST", url: "/api/export", payload: { model: { id: "small" }, format: "csv", tidy: true, scenarios: ["slow"] } });
    expect(csv.headers["content-type"]).toMatch(/text\/csv/);
    expect(csv.body.split("\n")[0]).toContain("period");
    const files = json((await s.app.inject({ method: "POST", url: "/api/export", payload: { model: { id: "small" }, format: "csv" } })).body).files;
    expect(files.length).toBeGreaterThan(1);
    const html = await s.app.inject({ method: "POST", url: "/api/export", payload: { model: { text: small, file: "mine.yaml" }, format: "html", lang: "ar" } });
    expect(html.headers["content-disposition"]).toBe('attachment; filename="mine.ar.html"');
    expect(html.body).toContain("Small Co");
  });

  it("keeps simulations in exports small (larger runs are jobs)", async () => {
    const r = await s.app.inject({ method: "POST", url: "/api/export", payload: { model: { id: "small" }, format: "xlsx", simulate: { paths: 1_000_000 } } });
    expect(r.statusCode).toBe(400);
    expect(json(r.body).issues[0].path).toEqual(["simulate", "paths"]);
  });
});
