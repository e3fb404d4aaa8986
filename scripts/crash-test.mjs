#!/usr/bin/env node
// Crash safety of `burnrate serve`: kills the server with SIGKILL at random moments while
// clients save model versions and start jobs, restarts it on the same store, and checks
// that every save the server acknowledged (2xx) is there, intact (text and hash), that
// every stored version's text matches its hash, that versions have no gaps, that
// `PRAGMA integrity_check` passes, and that no job the crash interrupted is left running.
//
//   npm run build && node scripts/crash-test.mjs [--kills 100] [--seed 1] [--db PATH]
//
// Exit code 0 when every check passed; prints the figures.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { startServe, exited, arg, ROOT } from "./serve-process.mjs";

const kills = Number(arg("kills", "100"));
let seed = Number(arg("seed", "1"));
const dir = mkdtempSync(join(tmpdir(), "burnrate-crash-"));
const db = arg("db", join(dir, "store.db"));
const writers = Number(arg("writers", "4"));

// A small seeded PRNG (mulberry32) so that a run can be repeated.
function random() {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const sha = (text) => createHash("sha256").update(text, "utf8").digest("hex");
const base = readFileSync(join(ROOT, "test/fixtures/small.yaml"), "utf8");
const simText = readFileSync(join(ROOT, "test/fixtures/uncertainty/sens-linear.yaml"), "utf8");
const variant = (n) => `# save ${n}\n` + base.replace("costShare: 0.4", `costShare: 0.${String(1000 + (n % 8000)).padStart(4, "0")}`);

const acknowledged = []; // { id, version, hash, text }
const failures = [];
const stats = { kills: 0, acknowledged: 0, unacknowledged: 0, jobsStarted: 0, runningAtKill: 0, interruptedChecked: 0, integrityOk: 0, versionsChecked: 0, restarts: 0 };
let saveCounter = 0;

async function saver(url, id, stop) {
  while (!stop.stopped) {
    const n = ++saveCounter;
    const text = variant(n);
    try {
      const res = await fetch(`${url}/api/models/${id}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ text, message: `save ${n}` }) });
      const body = await res.text();
      if (res.status === 201) {
        const { version } = JSON.parse(body);
        acknowledged.push({ id, version: version.version, hash: sha(text), text });
        stats.acknowledged++;
      } else if (res.status !== 200) failures.push(`save ${n} to ${id} answered ${res.status}: ${body.slice(0, 200)}`);
      if (process.env.CRASH_DEBUG) console.log("save", id, n, res.status);
    } catch (error) {
      if (process.env.CRASH_DEBUG) console.log("save failed", id, n, error.message, error.cause?.code);
      stats.unacknowledged++; // the connection died with the server: this save may or may not be stored
      return;
    }
  }
}

async function jobStarter(url, stop, onFirst) {
  while (!stop.stopped) {
    try {
      const res = await fetch(`${url}/api/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ command: "simulate", model: { text: simText, file: "sim.yaml" }, options: { paths: 200_000 + Math.floor(random() * 100_000), seed: Math.floor(random() * 1e9) } }) });
      if (res.status === 202 || res.status === 200) {
        stats.jobsStarted++;
        onFirst();
      }
      else if (res.status !== 429) failures.push(`job start answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
      await new Promise((r) => setTimeout(r, 50 + random() * 150));
    } catch (error) {
      if (process.env.CRASH_DEBUG) console.log("job start failed", error.message, error.cause?.code);
      return;
    }
  }
}

function checkStore() {
  const conn = new Database(db);
  try {
    const integrity = conn.pragma("integrity_check", { simple: true });
    if (integrity !== "ok") failures.push(`integrity_check: ${integrity}`);
    else stats.integrityOk++;
    const get = conn.prepare("SELECT text, content_hash FROM model_versions WHERE model_id = ? AND version = ?");
    for (const a of acknowledged) {
      const row = get.get(a.id, a.version);
      if (!row) failures.push(`acknowledged save ${a.id} v${a.version} is missing`);
      else if (row.text !== a.text || row.content_hash !== a.hash) failures.push(`acknowledged save ${a.id} v${a.version} differs from what was sent`);
    }
    stats.versionsChecked = 0;
    for (const row of conn.prepare("SELECT model_id, version, text, content_hash FROM model_versions").iterate()) {
      stats.versionsChecked++;
      if (sha(row.text) !== row.content_hash) failures.push(`${row.model_id} v${row.version}: text does not match its hash`);
    }
    for (const m of conn.prepare("SELECT m.id, m.latest_version, COUNT(v.version) AS n, MAX(v.version) AS top FROM models m JOIN model_versions v ON v.model_id = m.id GROUP BY m.id").iterate()) {
      if (m.n !== m.top || m.top !== m.latest_version) failures.push(`${m.id}: versions 1…${m.top} with ${m.n} rows, latest ${m.latest_version}`);
    }
    return conn.prepare("SELECT id FROM jobs WHERE status = 'running'").all().map((r) => r.id);
  } finally {
    conn.close();
  }
}

const started = Date.now();
let server = await startServe(["--db", db, "--log-level", "error", "--jobs", "1", "--no-seed"]);
stats.restarts++;
// Models to save to.
for (let k = 0; k < writers; k++) {
  const res = await fetch(`${server.url}/api/models`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: `crash-${k}`, text: variant(0), message: "created" }) });
  if (res.status !== 201) throw new Error(`could not create crash-${k}: ${res.status} ${await res.text()}`);
}
for (let i = 0; i < kills; i++) {
  const stop = { stopped: false };
  let firstJob;
  const jobAcknowledged = new Promise((r) => (firstJob = r));
  const clients = [...Array.from({ length: writers }, (_, k) => saver(server.url, `crash-${k}`, stop)), jobStarter(server.url, stop, () => firstJob())];
  // Kill at a random moment once a job is under way (or after 3 s), while the saves go on.
  await Promise.race([jobAcknowledged, new Promise((r) => setTimeout(r, 3000))]);
  await new Promise((r) => setTimeout(r, random() * 1000));
  server.child.kill("SIGKILL");
  stats.kills++;
  await exited(server.child);
  stop.stopped = true;
  await Promise.all(clients);
  const running = checkStore();
  stats.runningAtKill += running.length;
  server = await startServe(["--db", db, "--log-level", "error", "--jobs", "1", "--no-seed"]);
  stats.restarts++;
  for (const id of running) {
    const res = await fetch(`${server.url}/api/jobs/${id}`);
    const { job } = await res.json();
    if (job.status === "running" || job.status === "queued" || job.error?.code !== "interrupted") failures.push(`job ${id}, running at the crash, is ${job.status} after the restart`);
    else stats.interruptedChecked++;
  }
  if (failures.length > 0) break;
}
server.child.kill("SIGTERM");
await exited(server.child);
checkStore();
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(
  `crash test: ${stats.kills} SIGKILLs in ${seconds} s; ${stats.acknowledged} acknowledged saves all present and intact; ` +
    `${stats.unacknowledged} saves cut off by a kill; ${stats.versionsChecked} stored versions match their hashes; ` +
    `integrity_check ok ${stats.integrityOk}/${stats.kills + 1}; ${stats.jobsStarted} jobs started, ${stats.runningAtKill} running at a kill, all ${stats.interruptedChecked} marked failed (interrupted) after the restart, none left running`,
);
if (failures.length > 0) {
  console.error(`FAILED (${failures.length}):\n  ${failures.slice(0, 20).join("\n  ")}\nstore kept at ${db}`);
  process.exit(1);
}
if (!arg("db")) rmSync(dir, { recursive: true, force: true });
