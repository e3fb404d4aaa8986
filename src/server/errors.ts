import { randomUUID } from "node:crypto";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ZodError } from "zod";
import { ModelError, UsageError, EngineError } from "../model/issues.js";
import { FinanceError } from "../finance/index.js";
import { issueJson, type IssueJson } from "../commands/issues.js";
import { StoreError, NotFoundError, ModelExistsError, VersionConflictError } from "../store/index.js";

/** The body of every error the API returns. */
export interface ErrorBody {
  code: string;
  message: string;
  /** Positioned problems of an invalid model (the same as `burnrate check`), or of a bad request body. */
  issues?: IssueJson[] | RequestIssue[];
  /** Quote it when reporting an unexpected failure: the server's log shows the details under it. */
  errorId?: string;
  [extra: string]: unknown;
}

/** A problem in a request body or query: where (JSON path) and what. */
export interface RequestIssue {
  code: string;
  path: (string | number)[];
  message: string;
}

/** An error with its HTTP status, code and message, thrown by routes and services. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly extra: Record<string, unknown>;
  constructor(status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

export const notFound = (what: string) => new ApiError(404, "not_found", what);

/** 422 with the issues `burnrate check` reports. */
export function invalidModelBody(issues: IssueJson[]): ErrorBody {
  const errors = issues.filter((i) => i.severity === "error").length;
  return { code: "invalid_model", message: `the model has ${errors} error${errors === 1 ? "" : "s"}; nothing was saved or run (see issues: each has a code, a key path, a line and a column)`, issues };
}

export function zodIssues(error: ZodError): RequestIssue[] {
  return error.issues.map((i) => ({ code: i.code, path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)), message: i.message }));
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "body_too_large",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported_media_type",
  FST_ERR_CTP_EMPTY_JSON_BODY: "empty_body",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "bad_content_length",
  FST_ERR_CTP_INVALID_JSON_BODY: "malformed_json",
  FST_ERR_BAD_URL: "bad_url",
  FST_ERR_ASYNC_CONSTRAINT: "bad_request",
};

const MESSAGES: Record<string, string> = {
  unsupported_media_type: "send JSON (Content-Type: application/json) or, to save a model, its text (Content-Type: application/yaml)",
  body_too_large: "the request body is larger than this server accepts (a model file may be at most 5 MB)",
};

/** Maps any error to a status and a body; unexpected ones to 500 with an id (never a stack). */
export function errorResponse(error: unknown): { status: number; body: ErrorBody; unexpected: boolean } {
  if (error instanceof ApiError) return { status: error.status, body: { code: error.code, message: error.message, ...error.extra }, unexpected: false };
  if (error instanceof ModelError) return { status: 422, body: invalidModelBody(error.issues.map(issueJson)), unexpected: false };
  if (error instanceof EngineError) return { status: 422, body: { code: error.code, message: error.message, lineItem: error.lineItem, period: error.period }, unexpected: false };
  if (error instanceof UsageError) return { status: 400, body: { code: error.code, message: error.message }, unexpected: false };
  if (error instanceof FinanceError) return { status: 422, body: { code: `finance_${String(error.code).replace(/[^A-Za-z0-9]+/g, "_").replace(/^_|_$/g, "").toLowerCase()}`, message: error.message }, unexpected: false };
  if (error instanceof ZodError) return { status: 400, body: { code: "bad_request", message: "the request does not match its schema (see issues and /api/openapi.json)", issues: zodIssues(error) }, unexpected: false };
  if (error instanceof NotFoundError) return { status: 404, body: { code: error.code, message: error.message }, unexpected: false };
  if (error instanceof VersionConflictError) return { status: 409, body: { code: error.code, message: error.message, latestVersion: error.latestVersion }, unexpected: false };
  if (error instanceof ModelExistsError) return { status: 409, body: { code: error.code, message: error.message }, unexpected: false };
  if (error instanceof StoreError) return { status: 400, body: { code: error.code, message: error.message }, unexpected: false };
  const e = error as FastifyError & { status?: number };
  const status = e?.statusCode ?? e?.status;
  if (typeof status === "number" && status >= 400 && status < 500) {
    const code = FASTIFY_CODES[e.code] ?? (e instanceof SyntaxError ? "malformed_json" : "bad_request");
    const message = MESSAGES[code] ?? e.message;
    return { status, body: { code, message }, unexpected: false };
  }
  return { status: 500, body: { code: "internal", message: "an unexpected error happened on the server; the log has the details under this errorId" }, unexpected: true };
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body, unexpected } = errorResponse(error);
    if (unexpected) {
      body.errorId = randomUUID();
      request.log.error({ err: error, errorId: body.errorId }, "unexpected error");
    } else if (status >= 500) request.log.error({ err: error }, body.message);
    reply.code(status).header("content-type", "application/json; charset=utf-8").send(JSON.stringify(body));
  });
}
