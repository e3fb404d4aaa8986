import { describe, it, expect, afterEach } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SqliteStore, contentHash, MIGRATIONS, VersionConflictError, ModelExistsError, NotFoundError, type NewModel } from "./index.js";

const dirs: string[] = [];
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), "burnrate-store-"));
  dirs.push(dir);
  return join(dir, "store.db");
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const model = (id: string, text = `meta: {company: ${id}}\n`): NewModel => ({ id, name: id.toUpperCase(), text, file: `${id}.yaml`, message: "first", contentHash: contentHash(text) });

describe("SQLite store", () => {
  it("creates the schema on first open, in WAL mode with foreign keys, and does not migrate again", async () => {
    const path = tempDb();
    const store = new SqliteStore(path);
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    await store.close();
    const db = new Database(path);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    db.close();
    const again = new SqliteStore(path);
    expect(await again.integrityCheck()).toBe("ok");
    await again.close();
  });

  it("refuses a database written by a newer burnrate", async () => {
    const path = tempDb();
    const db = new Database(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    db.close();
    expect(() => new SqliteStore(path)).toThrow(/newer burnrate/);
  });

  it("keeps every version with time, message and content hash", async () => {
    const store = new SqliteStore(tempDb());
    const { model: created } = await store.createModel(model("acme"));
    expect(created).toMatchObject({ id: "acme", latestVersion: 1, versions: 1 });
    const text = "meta: {company: Acme 2}\n";
    const { version } = await store.saveVersion("acme", { name: "Acme", text, message: "second", contentHash: contentHash(text), expectedVersion: 1 });
    expect(version).toMatchObject({ version: 2, message: "second", contentHash: contentHash(text), file: "acme.yaml", text });
    expect((await store.listVersions("acme")).map((v) => v.version)).toEqual([2, 1]);
    expect((await store.getModel("acme"))!.contentHash).toBe(contentHash(text));
    await store.close();
  });

  it("refuses a stale save and a taken id without changing anything", async () => {
    const store = new SqliteStore(tempDb());
    await store.createModel(model("acme"));
    await expect(store.createModel(model("acme"))).rejects.toThrow(ModelExistsError);
    await expect(store.saveVersion("acme", { name: "x", text: "t", message: "m", contentHash: "h", expectedVersion: 7 })).rejects.toThrow(VersionConflictError);
    await expect(store.saveVersion("nope", { name: "x", text: "t", message: "m", contentHash: "h" })).rejects.toThrow(NotFoundError);
    expect(await store.listVersions("acme")).toHaveLength(1);
    await expect(store.createModel(model("Bad Id"))).rejects.toThrow(/not a model id/);
    await store.close();
  });

  it("deletes softly (restorable) and purges for good, jobs included", async () => {
    const store = new SqliteStore(tempDb());
    await store.createModel(model("acme"));
    await store.createJob({ id: "j1", command: "simulate", modelId: "acme", modelVersion: 1, contentHash: "h", file: "acme.yaml", text: null, options: {}, runKey: "k" });
    expect(await store.softDeleteModel("acme")).toMatchObject({ id: "acme" });
    expect(await store.getModel("acme")).toBeNull();
    expect(await store.listModels({ deleted: "only" })).toHaveLength(1);
    expect(await store.undeleteModel("acme")).toMatchObject({ deletedAt: null });
    expect(await store.purgeModel("acme")).toBe(true);
    expect(await store.getModel("acme", { includeDeleted: true })).toBeNull();
    expect(await store.getJob("j1")).toBeNull();
    await store.close();
  });

  it("seeds once, whole, and not again after a model is deleted", async () => {
    const store = new SqliteStore(tempDb());
    expect(await store.seedOnce(() => [model("a"), model("b")])).toBe(2);
    await store.purgeModel("a");
    let asked = false;
    expect(
      await store.seedOnce(() => {
        asked = true;
        return [model("a")];
      }),
    ).toBe(0);
    expect(asked).toBe(false);
    expect((await store.listModels()).map((m) => m.id)).toEqual(["b"]);
    await store.close();
  });

  it("marks jobs a crash left running as failed and hands back the queued ones", async () => {
    const path = tempDb();
    const store = new SqliteStore(path);
    for (const id of ["r", "q"]) await store.createJob({ id, command: "simulate", modelId: null, modelVersion: null, contentHash: "h", file: "f.yaml", text: "t", options: {}, runKey: "k" });
    await store.startJob("r");
    await store.close();
    const reopened = new SqliteStore(path);
    expect(await reopened.recoverJobs()).toEqual({ failed: ["r"], queued: ["q"] });
    expect(await reopened.getJob("r")).toMatchObject({ status: "failed", stopReason: "server_stopped", error: { code: "interrupted" } });
    expect(await reopened.getJobText("q")).toBe("t");
    await reopened.close();
  });

  it("writes cached runs in batches and keeps at most maxRuns", async () => {
    const store = new SqliteStore(tempDb(), { maxRuns: 3, runFlushDelayMs: 5 });
    for (let i = 0; i < 5; i++) await store.putRun({ key: `k${i}`, command: "run", contentHash: "h", options: "{}", result: `{"i":${i}}`, createdAt: new Date(2026, 0, 1, 0, 0, i).toISOString(), elapsedMs: 1 });
    expect((await store.getRun("k0"))!.result).toBe('{"i":0}');
    store.flushRuns();
    expect(await store.getRun("k0")).toBeNull();
    expect((await store.getRun("k4"))!.result).toBe('{"i":4}');
    await store.close();
  });

  it("backs up online to a file that opens and passes the integrity check", async () => {
    const store = new SqliteStore(tempDb());
    await store.createModel(model("acme"));
    const copy = tempDb();
    await store.backup(copy);
    await store.close();
    const restored = new SqliteStore(copy);
    expect(await restored.integrityCheck()).toBe("ok");
    expect((await restored.getVersion("acme", 1))!.text).toContain("acme");
    await restored.close();
  });
});
