#!/usr/bin/env node
// Load on `burnrate serve` over loopback with autocannon (a benchmark, not a test):
//   1. cached `run` of a shipped model (GET /api/models/ID/run, from the run cache);
//   2. uncached `run` of the xAI model (POST /api/commands/run with Cache-Control: no-cache:
//      projected again on every request; the parsed model is kept in memory);
//   3. both again while a 1,000,000-path simulation job of the xAI model runs in a worker.
//
//   npm run load [-- --duration 10 --connections 10 --model example]
//
// Prints requests/s, latency percentiles and errors for each, and the targets.
import autocannon from "autocannon";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServe, exited, arg } from "./serve-process.mjs";

const duration = Number(arg("duration", "10"));
const connections = Number(arg("connections", "10"));
const cachedModel = arg("model", "xai");
const jobPaths = Number(arg("paths", "1000000"));

const dir = mkdtempSync(join(tmpdir(), "burnrate-load-"));
const server = await startServe(["--db", join(dir, "load.db"), "--log-level", "warn", "--jobs", "1", "--job-time-limit", "3600"]);
const url = server.url;

/** CPU seconds the server's main thread has used (Linux /proc; job threads not counted): work per request, whatever else the machine runs. */
function serverCpuSeconds() {
  try {
    const fields = readFileSync(`/proc/${server.child.pid}/task/${server.child.pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return NaN;
  }
}

async function bench(title, options) {
  const cpu0 = serverCpuSeconds();
  const out = await autocannonRun(title, options);
  out.cpu = serverCpuSeconds() - cpu0;
  return out;
}

function autocannonRun(title, options) {
  return new Promise((resolve, reject) => {
    const { path, ...rest } = options;
    // autocannon takes the path as part of the URL.
    autocannon({ url: url + path, connections, duration, ...rest }, (error, result) => (error ? reject(error) : resolve({ title, result })));
  });
}

function line({ title, result, cpu }) {
  const l = result.latency;
  const errors = result.errors + result.timeouts + result.non2xx;
  if (result.non2xx > 0 && result.statusCodeStats) console.error(`${title}: status codes ${JSON.stringify(result.statusCodeStats)}`);
  const perRequest = (cpu * 1000) / result.requests.total;
  const cpuText = Number.isFinite(perRequest) ? `   server CPU ${perRequest.toFixed(2)} ms/request (${(1000 / perRequest).toFixed(0)} req per CPU-second)` : "";
  return `${title.padEnd(44)} ${result.requests.average.toFixed(0).padStart(6)} req/s   p50 ${String(l.p50).padStart(4)} ms   p99 ${String(l.p99).padStart(4)} ms   max ${String(l.max).padStart(5)} ms   ${result.requests.total} requests, ${errors} errors/non-2xx${cpuText}`;
}

const cached = { method: "GET", path: `/api/models/${cachedModel}/run` };
const uncached = { method: "POST", path: "/api/commands/run", headers: { "content-type": "application/json", "cache-control": "no-cache" }, body: JSON.stringify({ model: { id: "xai" } }) };

// Warm up: fill the run cache and the parsed-model cache, let the JIT settle.
await fetch(`${url}${cached.path}`);
await bench("warm-up", { ...uncached, duration: 2 });
await bench("warm-up", { ...cached, duration: 2 });

const results = [];
results.push(await bench(`cached run (${cachedModel})`, cached));
results.push(await bench("uncached run (xai)", uncached));

const start = await fetch(`${url}/api/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ command: "simulate", model: { id: "xai" }, options: { paths: jobPaths, seed: 7 } }) });
const { job } = await start.json();
const jobStarted = Date.now();
let state = job;
while (state.status === "queued" || (state.status === "running" && !state.progress)) {
  await new Promise((r) => setTimeout(r, 100));
  state = (await (await fetch(`${url}/api/jobs/${job.id}`)).json()).job;
}
results.push(await bench(`cached run (${cachedModel}) during a ${jobPaths.toLocaleString("en-US")}-path job`, cached));
results.push(await bench(`uncached run (xai) during the job`, uncached));
state = (await (await fetch(`${url}/api/jobs/${job.id}`)).json()).job;
const stillRunning = state.status === "running";
const progress = state.progress ? `${state.progress.done.toLocaleString("en-US")} of ${jobPaths.toLocaleString("en-US")} paths done` : "";

console.log(`burnrate serve load test: ${connections} connections, ${duration} s each, loopback (${url}); load average ${loadavg().map((x) => x.toFixed(1)).join(" ")} on ${(await import("node:os")).availableParallelism()} cores`);
for (const r of results) console.log("  " + line(r));
console.log(`  the simulation job was ${stillRunning ? "still running" : state.status} at the end of the measurements (${progress}, ${((Date.now() - jobStarted) / 1000).toFixed(0)} s after it started)`);
const [c, u, cj, uj] = results.map((r) => r.result);
const ok = (cond) => (cond ? "ok" : "MISSED");
console.log("Targets:");
console.log(`  cached ≥ 1,000 req/s, p99 < 50 ms: ${ok(c.requests.average >= 1000 && c.latency.p99 < 50)}`);
console.log(`  uncached xAI ≥ 100 req/s: ${ok(u.requests.average >= 100)}`);
console.log(`  zero errors: ${ok(results.every((r) => r.result.errors + r.result.timeouts + r.result.non2xx === 0))}`);
console.log(`  during the job within 2× (cached ≥ ${(c.requests.average / 2).toFixed(0)} req/s, p99 ≤ ${2 * c.latency.p99} ms; uncached ≥ ${(u.requests.average / 2).toFixed(0)} req/s): ${ok(cj.requests.average >= c.requests.average / 2 && cj.latency.p99 <= Math.max(2 * c.latency.p99, 1) && uj.requests.average >= u.requests.average / 2 && stillRunning)}`);

await fetch(`${url}/api/jobs/${job.id}/cancel`, { method: "POST" });
server.child.kill("SIGTERM");
await exited(server.child);
rmSync(dir, { recursive: true, force: true });
