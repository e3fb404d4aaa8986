import type { ModelIssue } from "../model/issues.js";

/**
 * A model issue as JSON for programs (the API, `check --format json`): its code and key
 * path are data, `params` let a client resolve the message in its own language, and the
 * position is flattened to line and column (1-based).
 */
export interface IssueJson {
  code: string;
  severity: "error" | "warning";
  message: string;
  path: (string | number)[];
  file: string | null;
  line: number | null;
  column: number | null;
  params?: Record<string, unknown>;
}

export function issueJson(issue: ModelIssue): IssueJson {
  const out: IssueJson = {
    code: issue.code,
    severity: issue.severity,
    message: issue.message,
    path: issue.path,
    file: issue.position?.file ?? null,
    line: issue.position?.line ?? null,
    column: issue.position?.col ?? null,
  };
  if (issue.params) out.params = issue.params;
  return out;
}

/** Back from JSON to the core's issue (for `formatIssue`). */
export function issueFromJson(issue: IssueJson): ModelIssue {
  const out: ModelIssue = { code: issue.code, severity: issue.severity, message: issue.message, path: issue.path };
  if (issue.params) out.params = issue.params;
  if (issue.file !== null && issue.line !== null && issue.column !== null) out.position = { file: issue.file, line: issue.line, col: issue.column };
  return out;
}
