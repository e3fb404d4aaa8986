#!/usr/bin/env node
// `npm test`: builds, runs every test with vitest, and ends with the plain line
// "N passed, N failed" taken from vitest's JSON report (CI reads it).
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const report = join(root, ".vitest-report.json");
const extra = process.argv.slice(2);

// The same build as `npm run build`: tsc, then the command-line bundle (tests spawn bin/burnrate.cjs).
let build = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
if (build.status === 0) build = spawnSync(process.execPath, [join(root, "scripts", "bundle-cli.mjs")], { cwd: root, stdio: "inherit" });
if (build.status !== 0) {
  console.log("0 passed, 1 failed");
  process.exit(build.status ?? 1);
}
rmSync(report, { force: true });
const run = spawnSync("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...extra], { cwd: root, stdio: "inherit" });
let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, "utf8"));
  passed = json.numPassedTests ?? 0;
  failed = (json.numFailedTests ?? 0) + (json.numFailedTestSuites ?? 0 ? 0 : 0);
  skipped = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  if (json.numFailedTestSuites && !json.numFailedTests) failed = json.numFailedTestSuites;
} else failed = 1;
const code = run.status ?? 1;
if (code !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(code);
