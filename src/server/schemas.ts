import { z } from "zod";
import { MAX_MODEL_BYTES } from "../model/source.js";
import { COMMANDS, COMMAND_NAMES, simulateOptionsSchema, sensitivityOptionsSchema, solveOptionsSchema, type CommandName } from "../commands/index.js";
import { JOB_STATUSES, MODEL_ID_PATTERN } from "../store/index.js";

/**
 * Request and response schemas of the API, in zod: requests are parsed with them (bad
 * ones get 400 with the issues' JSON paths) and the OpenAPI document is generated from
 * them. Command options are the commands layer's own schemas, shared with the CLI.
 */
export const modelIdSchema = z.string().regex(MODEL_ID_PATTERN, "1–64 lowercase letters, digits and hyphens, starting and ending with a letter or digit").describe("A model's id, e.g. xai");
export const versionNumberSchema = z.coerce.number().int().min(1).max(1_000_000_000);
/** A name positions are reported under: never a path, never opened. */
export const fileNameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^/\\\u0000-\u001f]+$/, "a file name without folders or control characters")
  .describe("name shown in positions (file:line:col), e.g. xai.yaml; never opened");
export const modelTextSchema = z.string().min(1).max(MAX_MODEL_BYTES).describe("the model file's text (YAML or JSON)");
export const messageSchema = z.string().max(2000).describe("what changed, for the history");

export const modelSourceSchema = z
  .union([
    z.object({ id: modelIdSchema, version: versionNumberSchema.optional().describe("default: the latest version") }).strict(),
    z.object({ text: modelTextSchema, file: fileNameSchema.optional() }).strict(),
  ])
  .describe("A stored model ({id, version?}) or model text sent with the request ({text, file?})");
export type ModelSource = z.infer<typeof modelSourceSchema>;

export const labelledRunSchema = z
  .object({
    model: modelSourceSchema,
    scenario: z.string().min(1).max(200).optional(),
    label: z.string().min(1).max(200).optional().describe("column heading; default: the model's id or file, with :scenario"),
  })
  .strict();

export function commandBodySchema(name: CommandName) {
  const spec = COMMANDS[name];
  const options = spec.options.optional().describe(`options, as in \`burnrate ${name}\``);
  if (spec.input === "runs") return z.object({ runs: z.array(labelledRunSchema).min(1).max(20), options }).strict();
  return z.object({ model: modelSourceSchema, options }).strict();
}

export const JOB_COMMANDS = COMMAND_NAMES.filter((name) => COMMANDS[name].job) as ("simulate" | "sensitivity" | "solve")[];

export const jobRequestSchema = z.discriminatedUnion("command", [
  z.object({ command: z.literal("simulate"), model: modelSourceSchema, options: simulateOptionsSchema.optional() }).strict(),
  z.object({ command: z.literal("sensitivity"), model: modelSourceSchema, options: sensitivityOptionsSchema.optional() }).strict(),
  z.object({ command: z.literal("solve"), model: modelSourceSchema, options: solveOptionsSchema }).strict(),
]);

export const createModelSchema = z
  .object({
    id: modelIdSchema.optional().describe("default: from meta.company (e.g. \"xAI\" → xai)"),
    text: modelTextSchema,
    file: fileNameSchema.optional().describe("default: ID.yaml"),
    message: messageSchema.optional(),
  })
  .strict();
export const saveVersionSchema = z
  .object({
    text: modelTextSchema,
    message: messageSchema.optional(),
    baseVersion: versionNumberSchema.optional().describe("the version this edit started from: the save is refused (409) if another was saved since"),
  })
  .strict();
export const restoreSchema = z.object({ message: messageSchema.optional() }).strict();
export const sessionSchema = z.object({ token: z.string().min(1).max(4096) }).strict();

export const listModelsQuery = z.object({ deleted: z.enum(["exclude", "include", "only"]).optional() }).strict();
export const deleteQuery = z.object({ purge: z.enum(["true", "false"]).optional().describe("true removes the model and its history for good") }).strict();
export const runQuery = z.object({ scenario: z.string().min(1).max(200).optional(), version: versionNumberSchema.optional() }).strict();
export const diffQuery = z.object({ from: versionNumberSchema.optional().describe("default: the version before `to`"), to: versionNumberSchema.optional().describe("default: the latest") }).strict();
export const listJobsQuery = z.object({ status: z.enum(JOB_STATUSES).optional(), model: modelIdSchema.optional(), limit: z.coerce.number().int().min(1).max(1000).optional() }).strict();
export const waitQuery = z.object({ wait: z.enum(["true", "false"]).optional() }).strict();

// Responses (documentation; the server writes them as plain JSON).
const issueSchema = z.object({
  code: z.string(),
  severity: z.enum(["error", "warning"]),
  message: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
  file: z.string().nullable(),
  line: z.number().int().nullable(),
  column: z.number().int().nullable(),
  params: z.record(z.string(), z.unknown()).optional(),
});
export const errorSchema = z
  .object({
    code: z.string().describe("machine-readable, e.g. invalid_model, not_found, bad_request, unauthorized, body_too_large, internal"),
    message: z.string(),
    issues: z.array(z.union([issueSchema, z.object({ code: z.string(), path: z.array(z.union([z.string(), z.number()])), message: z.string() })])).optional().describe("invalid_model: the model's problems as `burnrate check` reports them; bad_request: the request's"),
    errorId: z.string().optional().describe("internal: quote it; the server's log has the details under it"),
  })
  .describe("Every 4xx and 5xx answer");
export const modelRecordSchema = z.object({
  id: z.string(),
  name: z.string().describe("meta.company"),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
  latestVersion: z.number().int(),
  versions: z.number().int(),
  contentHash: z.string(),
});
export const versionSummarySchema = z.object({
  modelId: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
  message: z.string(),
  contentHash: z.string().describe("sha256 of the text"),
  file: z.string(),
  size: z.number().int(),
  restoredFrom: z.number().int().nullable(),
});
export const versionRecordSchema = versionSummarySchema.extend({ text: z.string() });
export const modelSummarySchema = modelRecordSchema.extend({
  company: z.string().nullable(),
  currency: z.string().nullable(),
  unit: z.string().nullable(),
  start: z.string().nullable().describe("first month YYYY-MM"),
  end: z.string().nullable().describe("last month YYYY-MM"),
  scenarios: z.array(z.string()),
  headline: z
    .object({ cashOut: z.string().nullable(), runwayMonths: z.number(), runwayBeyondHorizon: z.boolean(), fundingGap: z.number(), minCash: z.number(), breakeven: z.string().nullable(), firstPositiveFreeCashFlow: z.string().nullable() })
    .nullable()
    .describe("base-case metrics of the latest version (as `burnrate run`)"),
  problem: z.string().nullable().describe("why the latest version does not run, if it does not"),
});
export const jobRecordSchema = z.object({
  id: z.string(),
  command: z.enum(["simulate", "sensitivity", "solve"]),
  status: z.enum(JOB_STATUSES),
  modelId: z.string().nullable(),
  modelVersion: z.number().int().nullable(),
  contentHash: z.string(),
  file: z.string(),
  options: z.record(z.string(), z.unknown()),
  runKey: z.string(),
  progress: z.object({ done: z.number(), total: z.number().nullable(), unit: z.string() }).nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  stopReason: z.string().nullable().describe("cancelled, time_limit, server_stopped or cached"),
  error: z.object({ code: z.string(), message: z.string(), issues: z.array(issueSchema).optional(), errorId: z.string().optional() }).nullable(),
  hasResult: z.boolean(),
});
export const diffSchema = z.object({
  modelId: z.string(),
  from: z.number().int(),
  to: z.number().int(),
  patch: z.string().describe("unified diff of the texts"),
  lines: z.object({ added: z.number().int(), removed: z.number().int() }),
  inputs: z
    .array(
      z.object({
        path: z.string(),
        change: z.enum(["added", "removed", "changed", "citation"]),
        before: z.object({ value: z.unknown(), source: z.string().nullable(), assumption: z.string().nullable() }).nullable(),
        after: z.object({ value: z.unknown(), source: z.string().nullable(), assumption: z.string().nullable() }).nullable(),
      }),
    )
    .describe("inputs whose value or citation changed (the structural diff)"),
  problems: z.array(z.string()).describe("versions that no longer load are diffed as text only"),
});
export const commandResultSchema = (name: CommandName) => z.looseObject({}).describe(`exactly what \`burnrate ${name} --format json\` prints`);
