import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { join, dirname } from "node:path";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { fuzzCase, type FuzzSize, type ShippedModels } from "./generate.js";
import type { CaseResult } from "./execute.js";

export interface FuzzOptions {
  cases: number;
  seed: number;
  /** How large copied sections get (generate.ts); default "full". */
  size?: FuzzSize;
  /** Worker threads running cases (default 2). */
  workers?: number;
  /** A case running longer than this is a hang: its worker is stopped and the case fails. */
  timeoutMs?: number;
  /** Also run this many cases through the real CLI (spawned: exit codes and stdout are the contract). */
  cliCases?: number;
  /** Run only these case numbers (replay). */
  only?: number[];
  onProgress?: (done: number, total: number) => void;
  /** Called as soon as a case fails (long runs report failures before they end). */
  onFailure?: (result: CaseResult) => void;
}

export interface FuzzFailure {
  index: number;
  description: string;
  problems: string[];
}

export interface FuzzReport {
  seed: number;
  cases: number;
  failures: FuzzFailure[];
  /** Distinct outcome labels (step:result:code) and how often each came up. */
  outcomes: Record<string, number>;
  /** Distinct combinations of outcomes over a case's steps. */
  distinctCaseOutcomes: number;
  slowest: { index: number; ms: number; description: string }[];
  cli: { cases: number; runs: number };
  ms: number;
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export function shippedModels(): ShippedModels {
  const dir = join(root, "models");
  const out: ShippedModels = {};
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".yaml")).sort()) out[f.replace(/\.yaml$/, "")] = readFileSync(join(dir, f), "utf8");
  return out;
}

function workerUrl(): URL {
  const here = import.meta.url;
  // Under the test runner this module is TypeScript source; workers run the built JavaScript.
  if (here.endsWith(".ts")) return new URL(here.replace("/src/fuzz/runner.ts", "/dist/fuzz/worker.js"));
  return new URL("./worker.js", here);
}

/** Runs the cases on worker threads; a case that outlives the timeout is a failure (a hang). */
async function runLibrary(options: FuzzOptions, shipped: ShippedModels, indices: number[], results: CaseResult[]): Promise<void> {
  const workers = Math.max(1, Math.min(options.workers ?? 2, indices.length));
  const timeoutMs = options.timeoutMs ?? 60_000;
  let next = 0;
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    let active = workers;
    const start = () => {
      const worker = new Worker(fileURLToPath(workerUrl()), { workerData: { seed: options.seed, shipped, size: options.size ?? "full" } });
      let current = -1;
      let timer: NodeJS.Timeout | null = null;
      const finishWorker = () => {
        active--;
        void worker.terminate();
        if (active === 0) resolve();
      };
      const send = () => {
        if (next >= indices.length) return finishWorker();
        current = indices[next++];
        const index = current;
        timer = setTimeout(() => {
          results.push({ index, outcomes: ["hang"], failures: [`no result after ${timeoutMs / 1000} s: a hang (the worker was stopped)`], ms: timeoutMs });
          options.onFailure?.(results[results.length - 1]);
          done++;
          options.onProgress?.(done, indices.length);
          worker.removeAllListeners();
          void worker.terminate();
          start();
        }, timeoutMs);
        worker.postMessage({ index });
      };
      worker.on("message", (result: CaseResult) => {
        if (timer) clearTimeout(timer);
        results.push(result);
        if (result.failures.length) options.onFailure?.(result);
        done++;
        options.onProgress?.(done, indices.length);
        send();
      });
      worker.on("error", (error) => {
        if (timer) clearTimeout(timer);
        // A worker that dies (out of memory, …) fails its case; another takes its place.
        results.push({ index: current, outcomes: ["worker-died"], failures: [`the worker died: ${error?.message ?? error}`], ms: 0 });
        options.onFailure?.(results[results.length - 1]);
        done++;
        worker.removeAllListeners();
        start();
      });
      send();
    };
    try {
      for (let i = 0; i < workers; i++) start();
    } catch (error) {
      reject(error);
    }
  });
}

const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Spawns the real CLI on a case: exit 0 or 1, no stack trace, no internal error, no NaN. */
function runCli(index: number, seed: number, shipped: ShippedModels, dir: string, size: FuzzSize): { runs: number; problems: string[] } {
  const c = fuzzCase(seed, index, shipped, size);
  const file = join(dir, c.file);
  writeFileSync(file, c.text);
  const bin = join(root, "bin", "burnrate.cjs");
  const commands = [["check", file], [["run", file], ["simulate", file, "-n", "20", "--max-invalid-paths", "100%"], ["sensitivity", file]][index % 3]];
  const problems: string[] = [];
  for (const args of commands) {
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, BURNRATE_DEBUG: "" } });
    const what = `CLI ${args[0]}`;
    if (r.error || r.signal) problems.push(`${what}: did not finish (${r.error?.message ?? r.signal})`);
    else if (r.status !== 0 && r.status !== 1) problems.push(`${what}: exit ${r.status}: ${r.stderr.slice(0, 300)}`);
    if (STACK_LINE.test(r.stderr ?? "")) problems.push(`${what}: a stack trace on stderr`);
    if (/internal error/.test(r.stderr ?? "")) problems.push(`${what}: "internal error" on stderr`);
    if (/\bNaN\b|Infinity|∞/.test((r.stdout ?? "").replace(/^Invalid paths:.*$/m, ""))) problems.push(`${what}: NaN or infinity on stdout`);
    if (RAW_CONTROL.test((r.stdout ?? "").replace(/\n|\t/g, "")) || RAW_CONTROL.test((r.stderr ?? "").replace(/\n|\t/g, ""))) problems.push(`${what}: a raw control character in the output`);
  }
  return { runs: commands.length, problems };
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const shipped = shippedModels();
  const indices = options.only ?? Array.from({ length: options.cases }, (_, i) => i);
  const results: CaseResult[] = [];
  await runLibrary(options, shipped, indices, results);
  results.sort((a, b) => a.index - b.index);
  const problems = new Map<number, string[]>();
  for (const r of results) if (r.failures.length) problems.set(r.index, [...r.failures]);
  // The CLI on a spread of cases (every k-th).
  const cliCases = Math.min(options.cliCases ?? 0, indices.length);
  let cliRuns = 0;
  if (cliCases > 0) {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-fuzz-"));
    try {
      const step = Math.max(1, Math.floor(indices.length / cliCases));
      for (let k = 0; k < cliCases; k++) {
        const index = indices[k * step];
        const r = runCli(index, options.seed, shipped, dir, options.size ?? "full");
        cliRuns += r.runs;
        if (r.problems.length) problems.set(index, [...(problems.get(index) ?? []), ...r.problems]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const outcomes: Record<string, number> = {};
  const combos = new Set<string>();
  for (const r of results) {
    for (const o of r.outcomes) outcomes[o] = (outcomes[o] ?? 0) + 1;
    combos.add(r.outcomes.join(" "));
  }
  const describe = (index: number) => fuzzCase(options.seed, index, shipped, options.size ?? "full").description;
  const failures = [...problems.entries()].sort((a, b) => a[0] - b[0]).map(([index, list]) => ({ index, description: describe(index), problems: list }));
  const slowest = [...results].sort((a, b) => b.ms - a.ms).slice(0, 5).map((r) => ({ index: r.index, ms: Math.round(r.ms), description: describe(r.index) }));
  return { seed: options.seed, cases: results.length, failures, outcomes, distinctCaseOutcomes: combos.size, slowest, cli: { cases: cliCases, runs: cliRuns }, ms: Math.round(performance.now() - started) };
}
