import { availableParallelism } from "node:os";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runFuzz, shippedModels } from "./runner.js";
import { fuzzCase, type FuzzSize } from "./generate.js";

/**
 * `npm run fuzz -- --cases N [--seed S] [--small] [--workers W] [--timeout SECONDS] [--cli K]
 * [--case I …] [--save DIR]`: runs N fuzz cases (default 100,000) and prints the figures;
 * exit 1 when any case fails. `--case I` replays one case of a seed; `--save DIR` writes
 * every failing case's model file there. `--small` builds the cases as the CI slice does
 * (copied sections up to 49 copies, not 809: see FuzzSize).
 */
function parseArgs(argv: string[]) {
  const options = { cases: 100_000, seed: 1, workers: Math.max(1, availableParallelism()), timeout: 60, cli: 50, only: [] as number[], save: null as string | null, size: "full" as FuzzSize };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const whole = (v: string) => {
      const n = Number(v.replace(/[_,]/g, ""));
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${a} takes a whole number ≥ 0 (got "${v}")`);
      return n;
    };
    if (a === "--cases" || a === "-n") options.cases = whole(value());
    else if (a === "--seed") options.seed = whole(value());
    else if (a === "--workers") options.workers = Math.max(1, whole(value()));
    else if (a === "--timeout") options.timeout = Math.max(1, whole(value()));
    else if (a === "--cli") options.cli = whole(value());
    else if (a === "--case") options.only.push(whole(value()));
    else if (a === "--save") options.save = value();
    else if (a === "--small") options.size = "small";
    else throw new Error(`unknown option ${a}`);
  }
  return options;
}

async function main(): Promise<number> {
  let o: ReturnType<typeof parseArgs>;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`fuzz: ${(error as Error).message}\n`);
    return 1;
  }
  const total = o.only.length || o.cases;
  let last = 0;
  const started = Date.now();
  const report = await runFuzz({
    cases: o.cases,
    seed: o.seed,
    size: o.size,
    workers: o.workers,
    timeoutMs: o.timeout * 1000,
    cliCases: o.only.length ? o.only.length : o.cli,
    only: o.only.length ? o.only : undefined,
    onProgress: (done) => {
      const now = Date.now();
      if (process.stderr.isTTY && now - last > 500) {
        last = now;
        process.stderr.write(`\r${done.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} cases`);
      } else if (!process.stderr.isTTY && done % 1000 === 0) process.stderr.write(`${done.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} cases, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    },
    onFailure: (result) => process.stderr.write(`${process.stderr.isTTY ? "\r\x1b[K" : ""}case ${result.index} failed: ${result.failures.join(" | ").slice(0, 500)}\n`),
  });
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  const out: string[] = [];
  out.push(`burnrate fuzz — seed ${report.seed}${o.size === "small" ? " (small cases)" : ""}: ${report.cases.toLocaleString("en-US")} cases in ${(report.ms / 1000).toFixed(1)} s on ${o.workers} worker${o.workers === 1 ? "" : "s"}; ${report.cli.runs} CLI runs on ${report.cli.cases} of them`);
  out.push(`failures: ${report.failures.length}`);
  out.push(`distinct outcomes: ${Object.keys(report.outcomes).length} (step:result:code), ${report.distinctCaseOutcomes.toLocaleString("en-US")} distinct combinations over a case's steps`);
  const top = Object.entries(report.outcomes).sort((a, b) => b[1] - a[1]);
  out.push("outcomes:");
  for (const [k, v] of top) out.push(`  ${String(v).padStart(8)}  ${k}`);
  out.push("slowest cases:");
  for (const s of report.slowest) out.push(`  ${String(s.ms).padStart(6)} ms  case ${s.index}: ${s.description.slice(0, 140)}`);
  for (const f of report.failures.slice(0, 50)) {
    out.push("");
    out.push(`FAIL case ${f.index} (replay: npm run fuzz -- --seed ${report.seed}${o.size === "small" ? " --small" : ""} --case ${f.index}): ${f.description}`);
    for (const p of f.problems) out.push(`  - ${p}`);
  }
  process.stdout.write(out.join("\n") + "\n");
  if (o.save && report.failures.length) {
    mkdirSync(o.save, { recursive: true });
    const shipped = shippedModels();
    for (const f of report.failures) {
      const c = fuzzCase(report.seed, f.index, shipped, o.size);
      writeFileSync(join(o.save, c.file), c.text);
    }
  }
  return report.failures.length ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error) => {
    process.stderr.write(`fuzz: ${(error as Error)?.stack ?? error}\n`);
    process.exitCode = 2;
  },
);
