import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { testServer, ROOT } from "../testing/server.js";
import { SqliteStore } from "../store/index.js";
import { simulateCommand } from "../commands/index.js";

// Jobs run in worker threads on the built JavaScript (dist/): `npm test` builds first.
const sim = readFileSync(join(ROOT, "test/fixtures/uncertainty/sens-linear.yaml"), "utf8");
const json = (body: string) => JSON.parse(body);
type Server = Awaited<ReturnType<typeof testServer>>;

/** Reads a job's Server-Sent Events until the stream ends. */
async function events(base: string, id: string): Promise<{ event: string; data: any }[]> {
  const res = await fetch(`${base}/api/jobs/${id}/events`);
  expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("event:"))
    .map((block) => {
      const [e, d] = block.split("\n");
      return { event: e.slice(7), data: JSON.parse(d.slice(6)) };
    });
}

describe("jobs", () => {
  let s: Server;
  let base: string;
  beforeAll(async () => {
    s = await testServer({ seedFiles: ["test/fixtures/uncertainty/sens-linear.yaml"], jobConcurrency: 1, maxJobPaths: 5_000_000 });
    await s.app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(s.app.server.address() as { port: number }).port}`;
  });
  afterAll(() => s.close());

  it("runs a simulation in a worker, streams its progress and stores the same result as the CLI's", async () => {
    const start = await s.app.inject({ method: "POST", url: "/api/jobs", payload: { command: "simulate", model: { id: "sens-linear" }, options: { paths: 40_000, seed: 3 } } });
    expect(start.statusCode).toBe(202);
    const { job } = json(start.body);
    expect(job).toMatchObject({ command: "simulate", status: "queued", modelId: "sens-linear", modelVersion: 1 });
    const stream = await events(base, job.id);
    expect(stream[0].event).toBe("status");
    const progress = stream.filter((e) => e.event === "progress").map((e) => e.data);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p, i) => p.total === 40_000 && p.unit === "paths" && (i === 0 || p.done >= progress[i - 1].done))).toBe(true);
    const done = stream[stream.length - 1];
    expect(done.event).toBe("done");
    expect(done.data.job.status).toBe("done");
    const expected = JSON.parse(JSON.stringify(await simulateCommand({ text: sim, file: "sens-linear.yaml" }, { paths: 40_000, seed: 3 })));
    expect(done.data.result).toEqual(expected);
    const result = await s.app.inject({ method: "GET", url: `/api/jobs/${job.id}/result` });
    expect(json(result.body)).toEqual(expected);
    // The same run again answers at once from the cache.
    const again = await s.app.inject({ method: "POST", url: "/api/jobs", payload: { command: "simulate", model: { id: "sens-linear" }, options: { seed: 3, paths: 40_000 } } });
    expect(again.statusCode).toBe(200);
    expect(json(again.body).job).toMatchObject({ status: "done", stopReason: "cached" });
  });

  it("cancels a running job and keeps its partial result, marked partial", async () => {
    const { job } = json((await s.app.inject({ method: "POST", url: "/api/jobs", payload: { command: "simulate", model: { text: sim }, options: { paths: 5_000_000 } } })).body);
    const res = await fetch(`${base}/api/jobs/${job.id}/events`);
    const reader = res.body!.getReader();
    let seen = "";
    while (!seen.includes("event: progress")) seen += new TextDecoder().decode((await reader.read()).value);
    expect((await s.app.inject({ method: "POST", url: `/api/jobs/${job.id}/cancel` })).statusCode).toBe(202);
    while (!/event: (done|failed)/.test(seen)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      seen += new TextDecoder().decode(chunk.value);
    }
    const ended = json((await s.app.inject({ method: "GET", url: `/api/jobs/${job.id}` })).body).job;
    expect(ended).toMatchObject({ status: "partial", stopReason: "cancelled", hasResult: true });
    const result = json((await s.app.inject({ method: "GET", url: `/api/jobs/${job.id}/result` })).body);
    expect(result.partial).toBe(true);
    expect(result.paths).toBeGreaterThan(0);
    expect(result.paths).toBeLessThan(5_000_000);
  });

  it("cancels a queued job before it starts", async () => {
    const first = json((await s.app.inject({ method: "POST", url: "/api/jobs", payload: { command: "simulate", model: { text: sim }, options: { paths: 5_000_000, seed: 9 } } })).body).job;
    const second = json((await s.app.inject({ method: "POST", url: "/api/jobs", payload: { command: "simulate", model: { text: sim }, options: { paths: 1000, seed: 9 } } })).body).job;
    expect(json((await s.app.inject({ method: "POST", url: `/api/jobs/${second.id}/cancel` })).body).job.status).toBe("cancelled");
    await s.app.inject({ method: "POST", url: `/api/jobs/${first.id}/cancel` });
    expect((await s.app.burnrate.jobs.wait(first.id)).status).toBe("partial");
    expect((await s.app.inject({ method: "GET", url: `/api/jobs/${second.id}/result` })).statusCode).toBe(409);
  });

  it("runs sensitivity and solve as jobs; the command endpoints wait for them", async () => {
    const sens = await s.app.inject({ method: "POST", url: "/api/commands/sensitivity", payload: { model: { id: "sens-linear" }, options: { metric: "endingCash", paths: 500 } } });
    expect(sens.statusCode).toBe(200);
    expect(json(sens.body).global).toMatchObject({ n: 500 });
    expect(sens.headers["x-burnrate-job"]).toBeTruthy();
    const bad = await s.app.inject({ method: "POST", url: "/api/commands/solve", payload: { model: { id: "sens-linear" }, options: { vary: "no.such.path", target: "minCash >= 0" } } });
    expect(bad.statusCode).toBe(400);
    expect(json(bad.body)).toMatchObject({ code: "unknown_path", jobId: expect.any(String) });
    const missing = await s.app.inject({ method: "POST", url: "/api/commands/solve", payload: { model: { id: "sens-linear" }, options: { target: "minCash >= 0" } } });
    expect(missing.statusCode).toBe(400);
    expect(json(missing.body).issues[0].path).toEqual(["options", "vary"]);
  });

  it("refuses a job over the path cap and a model that does not load, before queueing", async () => {
    const over = await s.app.inject({ method: "POST", url: "/api/jobs", payload: { command: "simulate", model: { id: "sens-linear" }, options: { paths: 6_000_000 } } });
    expect(over.statusCode).toBe(400);
    expect(json(over.body).code).toBe("too_many_paths");
    const invalid = await s.app.inject({ method: "POST", url: "/api/jobs", payload: { command: "simulate", model: { text: "meta: {}\n" } } });
    expect(invalid.statusCode).toBe(422);
    expect(json(invalid.body).issues.length).toBeGreaterThan(0);
  });
});

describe("job limits and restarts", () => {
  it("stops a job at the time limit and keeps its partial result", async () => {
    const s = await testServer({ jobTimeLimitMs: 1500 });
    try {
      const { job } = json((await s.app.inject({ method: "POST", url: "/api/jobs", payload: { command: "simulate", model: { text: sim }, options: { paths: 5_000_000 } } })).body);
      const ended = await s.app.burnrate.jobs.wait(job.id);
      expect(ended).toMatchObject({ status: "partial", stopReason: "time_limit" });
    } finally {
      await s.close();
    }
  });

  it("marks a job a crash left running as failed on restart, and runs the queued ones", async () => {
    const s = await testServer({ seed: false });
    const db = join(s.dir, "store.db");
    const store = new SqliteStore(db);
    await s.app.close();
    for (const id of ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"]) {
      await store.createJob({ id, command: "simulate", modelId: null, modelVersion: null, contentHash: "h", file: "sim.yaml", text: sim, options: { paths: 100, seed: 1, threads: 1, keepPaths: 0 }, runKey: `k${id}` });
    }
    await store.startJob("00000000-0000-4000-8000-000000000001");
    await store.close();
    const again = await testServer({ db, seed: false });
    try {
      const crashed = json((await again.app.inject({ method: "GET", url: "/api/jobs/00000000-0000-4000-8000-000000000001" })).body).job;
      expect(crashed).toMatchObject({ status: "failed", error: { code: "interrupted" } });
      const queued = await again.app.burnrate.jobs.wait("00000000-0000-4000-8000-000000000002");
      expect(queued.status).toBe("done");
    } finally {
      await again.close();
    }
  });
});

describe("a client that goes away", () => {
  it("stops the job its command request was waiting for", async () => {
    const s = await testServer({ seed: false });
    try {
      await s.app.listen({ host: "127.0.0.1", port: 0 });
      const port = (s.app.server.address() as { port: number }).port;
      const controller = new AbortController();
      const request = fetch(`http://127.0.0.1:${port}/api/commands/simulate`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: { text: sim }, options: { paths: 5_000_000 } }), signal: controller.signal }).catch(() => null);
      let job: { id: string; status: string } | undefined;
      for (let i = 0; i < 200 && !job; i++) {
        await new Promise((r) => setTimeout(r, 50));
        job = (await s.app.burnrate.store.listJobs({ status: "running" }))[0];
      }
      expect(job).toBeDefined();
      controller.abort();
      await request;
      const ended = await s.app.burnrate.jobs.wait(job!.id);
      expect(ended).toMatchObject({ status: "partial", stopReason: "cancelled" });
    } finally {
      await s.close();
    }
  });
});
