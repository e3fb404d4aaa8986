/**
 * Problems found in a model file, as data: a code, the key's path and parameters.
 * Messages are resolved late (see `messages.ts`) so that they can be shown in
 * another language without touching the code that found the problem.
 */
export type IssuePath = (string | number)[];

import { oneLine } from "./text.js";

export interface SourcePosition {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
}

export interface ModelIssue {
  code: string;
  path: IssuePath;
  /** English message, already resolved. */
  message: string;
  /** Parameters used to build the message (for translation). */
  params?: Record<string, unknown>;
  position?: SourcePosition;
  severity: "error" | "warning";
}

export function pathToString(path: IssuePath): string {
  return path.map((part) => String(part)).join(".");
}

/** One line per issue, control characters from the file escaped (see text.ts). */
export function formatIssue(issue: ModelIssue): string {
  const where = issue.position
    ? `${issue.position.file}:${issue.position.line}:${issue.position.col}: `
    : "";
  const at = issue.path.length > 0 ? ` (at ${pathToString(issue.path)})` : "";
  const kind = issue.severity === "warning" ? "warning: " : "";
  return oneLine(`${where}${kind}${issue.message}${at}`);
}

/** Thrown when a model cannot be loaded; carries every problem found at once. */
export class ModelError extends Error {
  readonly issues: ModelIssue[];
  constructor(issues: ModelIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "ModelError";
    this.issues = issues;
  }
}

/** A projection that breaks an accounting identity or produces a non-finite number. */
export class EngineError extends Error {
  readonly code: string;
  readonly lineItem: string;
  readonly period: string;
  constructor(code: string, lineItem: string, period: string, message: string) {
    super(message);
    this.name = "EngineError";
    this.code = code;
    this.lineItem = lineItem;
    this.period = period;
  }
}

/** Bad arguments to the library or CLI that are not about a model file's contents. */
export class UsageError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "UsageError";
    this.code = code;
  }
}
