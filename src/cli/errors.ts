import { ModelError, EngineError, UsageError, formatIssue } from "../model/issues.js";
import { FinanceError } from "../finance/errors.js";
import { oneLine } from "../model/text.js";
import type { CliIO } from "./io.js";

/** Exit codes: 0 success, 1 bad input or a failed check, 2 a bug in burnrate. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_INTERNAL = 2;

/** A file with thousands of problems shows the first ones and how many more there are. */
export const MAX_ISSUES_SHOWN = 200;

/**
 * Reports an error the way a user can act on it: positions and advice, no stack trace.
 * Messages can quote the user's text, so control characters are escaped (text.ts).
 */
export function reportError(error: unknown, io: CliIO): number {
  if (error instanceof ModelError) {
    const errors = error.issues.filter((i) => i.severity === "error");
    for (const issue of error.issues.slice(0, MAX_ISSUES_SHOWN)) io.err(formatIssue(issue) + "\n");
    if (error.issues.length > MAX_ISSUES_SHOWN) io.err(`… and ${(error.issues.length - MAX_ISSUES_SHOWN).toLocaleString("en-US")} more\n`);
    io.err(`${errors.length.toLocaleString("en-US")} error${errors.length === 1 ? "" : "s"}\n`);
    return EXIT_FAILURE;
  }
  if (error instanceof UsageError || error instanceof EngineError) {
    io.err(`burnrate: ${oneLine(error.message)}\n`);
    return EXIT_FAILURE;
  }
  if (error instanceof FinanceError) {
    // Excel's #NUM!/#VALUE! from the model's own numbers (an input far too large, …).
    io.err(`burnrate: a finance calculation cannot be done with these inputs (${error.excelError}): ${oneLine(error.message)}; check for an input far too large or a rate far out of range\n`);
    return EXIT_FAILURE;
  }
  const e = error as Error;
  io.err(`burnrate: internal error: ${oneLine(String(e?.message ?? error))}\n`);
  if (process.env.BURNRATE_DEBUG) io.err(`${e?.stack ?? ""}\n`);
  else io.err("(set BURNRATE_DEBUG=1 to see where; please report it with the model file)\n");
  return EXIT_INTERNAL;
}
