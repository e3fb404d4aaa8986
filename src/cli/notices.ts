import { formatIssue } from "../model/issues.js";
import { oneLine } from "../model/text.js";
import type { Notice } from "../commands/context.js";
import type { CliIO } from "./io.js";

/** Prints a command's warnings and notes on stderr, as `FILE:LINE:COL: …` or `burnrate: warning: …`. */
export function formatNotice(notice: Notice): string {
  if (notice.kind === "issue") return formatIssue(notice.issue);
  return oneLine(`burnrate: ${notice.kind}: ${notice.message}`);
}

export function printNotice(io: CliIO): (notice: Notice) => void {
  return (notice) => io.err(formatNotice(notice) + "\n");
}
