import { ModelError, EngineError, UsageError, formatIssue, type ModelIssue } from "../model/issues.js";
import { FinanceError } from "../finance/errors.js";
import { checkCommand } from "../commands/check.js";
import { runCommand } from "../commands/run.js";
import { simulateCommand } from "../commands/simulate.js";
import { sensitivityCommand } from "../commands/sensitivity.js";
import { issueFromJson } from "../commands/issues.js";
import { runTable } from "../cli/commands/run.js";
import { simulationTable, simulationCsv } from "../cli/commands/simulate.js";
import { sensitivityTable } from "../cli/commands/sensitivity.js";
import { terminalSafe } from "../model/text.js";
import * as csv from "../export/csv.js";
import { loadModelText, type LoadOptions, type LoadedModel } from "../model/load.js";
import type { CommandContext } from "../commands/context.js";
import type { FuzzCase } from "./generate.js";

/**
 * Runs one fuzz case through the library as the CLI would (check, run — the base case and
 * the case's scenario —, simulate with a few paths, sensitivity) and checks the properties
 * every outcome must have:
 *
 * - a result, or one of burnrate's typed errors (ModelError, UsageError, EngineError,
 *   FinanceError): never another exception (a crash, exit 2 in the CLI);
 * - every model issue has a file:line:col position, and a message of bounded length with
 *   no control characters once formatted;
 * - an EngineError is never one that calls itself a bug (unbalanced, cash does not tie);
 * - no NaN or infinity in a result or in the tables and CSV printed from it;
 * - Object.prototype, Array.prototype and Function.prototype are unchanged.
 */
export interface CaseResult {
  index: number;
  /** One short label per step, e.g. "check:invalid:unknown_key", "run:ok". */
  outcomes: string[];
  failures: string[];
  ms: number;
}

/** Issues longer than this quote too much of the user's text. */
export const MAX_MESSAGE_LENGTH = 2_000;
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const NOT_A_NUMBER = /\bNaN\b|Infinity|∞/;

function prototypeSnapshot(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype, Number.prototype].map((p) => Object.getOwnPropertyNames(p).sort().join(",")).join("|");
}
const PROTOTYPES = prototypeSnapshot();

/** Paths of non-finite numbers in a result (NaN, ±Infinity), at most a few. */
function nonFinite(value: unknown, path = "", out: string[] = [], seen = new Set<unknown>()): string[] {
  if (out.length >= 3) return out;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) out.push(`${path || "(root)"} = ${value}`);
    return out;
  }
  if (value === null || typeof value !== "object" || seen.has(value)) return out;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return out;
  if (Array.isArray(value)) value.forEach((v, i) => nonFinite(v, `${path}[${i}]`, out, seen));
  else for (const [k, v] of Object.entries(value)) nonFinite(v, path ? `${path}.${k}` : k, out, seen);
  return out;
}

function checkIssues(issues: ModelIssue[], step: string, failures: string[]): void {
  for (const issue of issues) {
    const p = issue.position;
    if (!p || !(p.line >= 1) || !(p.col >= 1)) failures.push(`${step}: issue without a position: ${issue.code} ${issue.message.slice(0, 120)}`);
    const line = formatIssue(issue);
    if (line.length > MAX_MESSAGE_LENGTH) failures.push(`${step}: message of ${line.length} characters (${issue.code})`);
    if (RAW_CONTROL.test(line)) failures.push(`${step}: control character in a message (${issue.code})`);
  }
}

function checkText(text: string, step: string, failures: string[]): void {
  const safe = terminalSafe(text);
  if (NOT_A_NUMBER.test(safe.replace(/^Invalid paths:.*$/m, ""))) failures.push(`${step}: NaN or infinity in the printed output: …${safe.slice(Math.max(0, safe.search(NOT_A_NUMBER) - 40), safe.search(NOT_A_NUMBER) + 20)}…`);
  if (RAW_CONTROL.test(safe.replace(/\n|\t/g, ""))) failures.push(`${step}: control character in the printed output`);
}

/** Classifies a thrown error: a label for the outcome, or a failure when it is not one of ours. */
function classify(error: unknown, step: string, failures: string[]): string {
  if (error instanceof ModelError) {
    checkIssues(error.issues, step, failures);
    return `${step}:invalid:${error.issues.find((i) => i.severity === "error")?.code ?? "?"}`;
  }
  if (error instanceof EngineError) {
    if (error.code === "unbalanced" || error.code === "cash_does_not_tie") failures.push(`${step}: engine identity broken (${error.code}): ${error.message.slice(0, 200)}`);
    if (RAW_CONTROL.test(error.message) && RAW_CONTROL.test(terminalSafe(error.message))) failures.push(`${step}: control character in an engine message`);
    return `${step}:engine:${error.code}`;
  }
  if (error instanceof UsageError) return `${step}:usage:${error.code}`;
  if (error instanceof FinanceError) return `${step}:finance:${error.code}`;
  const e = error as Error;
  failures.push(`${step}: crash ${e?.name ?? typeof error}: ${String(e?.message ?? error).slice(0, 200)}${e?.stack ? `\n${e.stack.split("\n").slice(1, 6).join("\n")}` : ""}`);
  return `${step}:crash`;
}

export async function executeCase(c: FuzzCase): Promise<CaseResult> {
  const started = performance.now();
  const outcomes: string[] = [];
  const failures: string[] = [];
  const model = { text: c.text, file: c.file };
  // One parse per scenario for all the steps of a case, as the server's memoizing loader does.
  const loads = new Map<string, { loaded?: LoadedModel; error?: unknown }>();
  const context: CommandContext = {
    load: (text: string, file: string, options: LoadOptions) => {
      const key = options.scenario ?? "";
      let entry = loads.get(key);
      if (!entry) {
        try {
          entry = { loaded: loadModelText(text, file, options) };
        } catch (error) {
          entry = { error };
        }
        loads.set(key, entry);
      }
      if (entry.error !== undefined) throw entry.error;
      return entry.loaded!;
    },
  };
  let valid = false;
  let hasUncertain = false;
  try {
    const report = checkCommand(model, {}, context);
    checkIssues(report.issues.map(issueFromJson), "check", failures);
    valid = report.valid;
    outcomes.push(report.valid ? "check:ok" : `check:invalid:${report.issues.find((i) => i.severity === "error")?.code ?? "?"}`);
    hasUncertain = /^uncertain\s*:|"uncertain"\s*:/m.test(c.text);
  } catch (error) {
    outcomes.push(classify(error, "check", failures));
  }
  // The CLI runs a command whatever check said: each must fail cleanly on its own too.
  for (const scenario of c.scenario ? [undefined, c.scenario] : [undefined]) {
    const step = scenario ? "run-scenario" : "run";
    try {
      const result = runCommand(model, { scenario }, context);
      for (const bad of nonFinite(result)) failures.push(`${step}: non-finite number in the result at ${bad}`);
      checkText(runTable(result, "year"), step, failures);
      outcomes.push(`${step}:ok`);
    } catch (error) {
      outcomes.push(classify(error, step, failures));
    }
  }
  if (valid || hasUncertain) {
    try {
      const result = await simulateCommand(model, { paths: 48, seed: c.index, threads: 1 }, context);
      for (const bad of nonFinite({ ...result, keptPaths: [] })) failures.push(`simulate: non-finite number in the result at ${bad}`);
      if (result.validPaths + result.invalidPaths.count !== result.paths) failures.push("simulate: valid and invalid paths do not add up");
      checkText(simulationTable(result, "year"), "simulate", failures);
      checkText(simulationCsv(csv, result, "year"), "simulate-csv", failures);
      outcomes.push(`simulate:ok${result.invalidPaths.count > 0 ? ":invalid-paths" : ""}`);
    } catch (error) {
      outcomes.push(classify(error, "simulate", failures));
    }
    try {
      const result = sensitivityCommand(model, {}, context);
      checkText(sensitivityTable(result), "sensitivity", failures);
      outcomes.push("sensitivity:ok");
    } catch (error) {
      outcomes.push(classify(error, "sensitivity", failures));
    }
  }
  if (prototypeSnapshot() !== PROTOTYPES) failures.push("a built-in prototype was changed");
  if (({} as Record<string, unknown>).polluted !== undefined) failures.push("Object.prototype.polluted is set");
  return { index: c.index, outcomes, failures, ms: performance.now() - started };
}
