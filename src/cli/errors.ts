import { ModelError, EngineError, UsageError, formatIssue } from "../model/issues.js";
import type { CliIO } from "./io.js";

/** Exit codes: 0 success, 1 bad input or a failed check, 2 a bug in burnrate. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_INTERNAL = 2;

/** Reports an error the way a user can act on it: positions and advice, no stack trace. */
export function reportError(error: unknown, io: CliIO): number {
  if (error instanceof ModelError) {
    const errors = error.issues.filter((i) => i.severity === "error");
    for (const issue of error.issues) io.err(formatIssue(issue) + "\n");
    io.err(`${errors.length} error${errors.length === 1 ? "" : "s"}\n`);
    return EXIT_FAILURE;
  }
  if (error instanceof UsageError || error instanceof EngineError) {
    io.err(`burnrate: ${error.message}\n`);
    return EXIT_FAILURE;
  }
  const e = error as Error;
  io.err(`burnrate: internal error: ${e?.message ?? String(error)}\n`);
  if (process.env.BURNRATE_DEBUG) io.err(`${e?.stack ?? ""}\n`);
  else io.err("(set BURNRATE_DEBUG=1 to see where; please report it with the model file)\n");
  return EXIT_INTERNAL;
}
