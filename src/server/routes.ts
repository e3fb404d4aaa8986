import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { COMMANDS, COMMAND_NAMES, isStatisticalTarget, wantsGlobalSensitivity, type CommandName } from "../commands/index.js";
import { fullModelJsonSchema } from "../fullSchema.js";
import type { JobRecord, Store } from "../store/index.js";
import { ApiError } from "./errors.js";
import { route, sendJsonText, jsonSchema } from "./openapi.js";
import { runKey, type Models } from "./services.js";
import { isActive, type JobManager, type JobEvent } from "./jobs.js";
import { tokenMatches, sessionCookie, CLEAR_SESSION_COOKIE } from "./auth.js";
import {
  commandBodySchema,
  commandResultSchema,
  createModelSchema,
  deleteQuery,
  diffQuery,
  diffSchema,
  errorSchema,
  jobRecordSchema,
  jobRequestSchema,
  listJobsQuery,
  listModelsQuery,
  modelIdSchema,
  modelRecordSchema,
  modelSummarySchema,
  restoreSchema,
  runQuery,
  saveVersionSchema,
  sessionSchema,
  versionNumberSchema,
  versionRecordSchema,
  versionSummarySchema,
  messageSchema,
  type ModelSource,
} from "./schemas.js";
import { VERSION } from "../cli/main.js";

export interface RouteContext {
  store: Store;
  models: Models;
  jobs: JobManager;
  token: string | null;
  maxJobPaths: number;
  jobThreads: number;
}

const err = (description: string) => ({ description, schema: errorSchema });
const idParams = z.object({ id: modelIdSchema }).strict();
const versionParams = z.object({ id: modelIdSchema, version: versionNumberSchema }).strict();
const jobParams = z.object({ id: z.string().uuid() }).strict();
const savedSchema = z.object({ model: modelRecordSchema, version: versionRecordSchema, unchanged: z.boolean().optional() });

/** A model body: JSON {text, message, …} or the YAML text itself (application/yaml) with the rest in the query. */
const yamlBodyQuery = z.object({ id: modelIdSchema.optional(), message: messageSchema.optional(), baseVersion: versionNumberSchema.optional(), file: z.string().optional() }).strict();
function modelBody<T extends z.ZodType>(schema: T, body: unknown, query: z.infer<typeof yamlBodyQuery>): z.infer<T> {
  if (typeof body === "string") return schema.parse({ ...query, text: body });
  if (Object.keys(query).length > 0) throw new ApiError(400, "bad_request", "with a JSON body, give id, message and baseVersion in the body, not in the query");
  return schema.parse(body ?? {});
}
const modelBodyDoc = (schema: z.ZodType) => ({
  content: {
    "application/json": { schema: jsonSchema(schema) },
    "application/yaml": { schema: { type: "string", description: "the model text itself; id, message and baseVersion go in the query" } },
  },
});

/** A job's outcome as an HTTP answer: its result, or its error with a fitting status. */
async function sendJobOutcome(reply: FastifyReply, store: Store, job: JobRecord): Promise<FastifyReply> {
  if (job.status === "done" || job.status === "partial") {
    const result = await store.getJobResult(job.id);
    if (result !== null) return sendJsonText(reply.header("x-burnrate-job", job.id).header("x-burnrate-job-status", job.status), result);
  }
  const e = job.error ?? { code: job.status, message: `the job ended ${job.status}` };
  const status = e.issues ? 422 : e.code === "internal" ? 500 : e.code === "time_limit" ? 504 : e.code === "server_stopped" || e.code === "interrupted" ? 503 : e.code === "out_of_memory" || e.code === "worker_failed" ? 500 : e.code === "cancelled" ? 409 : 400;
  return reply.code(status).header("x-burnrate-job", job.id).send({ ...e, jobId: job.id });
}

export function registerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, models, jobs } = ctx;

  // ——— service ———
  route(app, {
    method: "GET",
    url: "/api/health",
    summary: "Is the server up; the store and the job queue",
    tags: ["service"],
    responses: { 200: { description: "up", schema: z.object({ ok: z.boolean(), version: z.string(), store: z.string(), jobs: z.object({ running: z.number(), queued: z.number(), concurrency: z.number() }) }) } },
    handler: async () => ({ ok: true, version: VERSION, store: store.kind, jobs: jobs.stats }),
  });
  route(app, {
    method: "GET",
    url: "/api/schema",
    summary: "JSON Schema of model files (editor completion), as `burnrate schema`",
    tags: ["service"],
    responses: { 200: { description: "JSON Schema" } },
    handler: async () => fullModelJsonSchema(),
  });
  route(app, {
    method: "POST",
    url: "/api/session",
    summary: "Exchange the token for a session cookie (for browsers: EventSource cannot send headers)",
    tags: ["service"],
    body: sessionSchema,
    responses: { 204: { description: "cookie set" }, 401: err("wrong token") },
    handler: async ({ body, reply }) => {
      if (!ctx.token) return reply.code(204).send();
      if (!tokenMatches(body.token, ctx.token)) throw new ApiError(401, "unauthorized", "wrong token");
      return reply.code(204).header("set-cookie", sessionCookie(body.token)).send();
    },
  });
  route(app, {
    method: "DELETE",
    url: "/api/session",
    summary: "Forget the session cookie",
    tags: ["service"],
    responses: { 204: { description: "cookie cleared" } },
    handler: async ({ reply }) => reply.code(204).header("set-cookie", CLEAR_SESSION_COOKIE).send(),
  });

  // ——— models ———
  route(app, {
    method: "GET",
    url: "/api/models",
    summary: "Stored models with their horizon and base-case headline figures",
    tags: ["models"],
    query: listModelsQuery,
    responses: { 200: { description: "models", schema: z.object({ models: z.array(modelSummarySchema) }) } },
    handler: async ({ query }) => ({ models: await models.summaries(query.deleted ?? "exclude") }),
  });
  route(app, {
    method: "POST",
    url: "/api/models",
    summary: "Store a new model (version 1); refused with 422 and `burnrate check`'s issues when invalid",
    tags: ["models"],
    bodyDoc: modelBodyDoc(createModelSchema),
    query: yamlBodyQuery,
    responses: { 201: { description: "created", schema: savedSchema }, 409: err("the id is taken"), 422: err("invalid model: nothing stored") },
    handler: async ({ request, query, reply }) => {
      const input = modelBody(createModelSchema, request.body, query);
      const saved = await models.create(input);
      return reply.code(201).header("location", `/api/models/${saved.model.id}`).send(saved);
    },
  });
  route(app, {
    method: "GET",
    url: "/api/models/:id",
    summary: "A model and its latest version (with text)",
    tags: ["models"],
    params: idParams,
    responses: { 200: { description: "the model", schema: z.object({ model: modelRecordSchema, version: versionRecordSchema }) }, 404: err("no such model") },
    handler: async ({ params }) => ({ model: await models.require(params.id), version: await models.version(params.id) }),
  });
  route(app, {
    method: "PUT",
    url: "/api/models/:id",
    summary: "Save a new version (unchanged text saves nothing); 409 when baseVersion is stale, 422 when invalid",
    tags: ["models"],
    params: idParams,
    bodyDoc: modelBodyDoc(saveVersionSchema),
    query: yamlBodyQuery,
    responses: { 201: { description: "saved", schema: savedSchema }, 200: { description: "unchanged", schema: savedSchema }, 404: err("no such model"), 409: err("saved meanwhile"), 422: err("invalid model: nothing stored") },
    handler: async ({ params, request, query, reply }) => {
      const input = modelBody(saveVersionSchema, request.body, query);
      const saved = await models.save(params.id, input);
      return reply.code(saved.unchanged ? 200 : 201).send(saved);
    },
  });
  route(app, {
    method: "DELETE",
    url: "/api/models/:id",
    summary: "Delete a model: soft (restorable with /undelete) unless purge=true",
    tags: ["models"],
    params: idParams,
    query: deleteQuery,
    responses: { 200: { description: "deleted (restorable)", schema: z.object({ model: modelRecordSchema }) }, 204: { description: "purged" }, 404: err("no such model") },
    handler: async ({ params, query, reply }) => {
      if (query.purge === "true") {
        if (!(await store.getModel(params.id, { includeDeleted: true }))) throw new ApiError(404, "model_not_found", `no model named "${params.id}"`);
        await jobs.cancelModelJobs(params.id);
        await store.purgeModel(params.id);
        return reply.code(204).send();
      }
      const model = await store.softDeleteModel(params.id);
      if (!model) throw new ApiError(404, "model_not_found", `no model named "${params.id}"`);
      return { model };
    },
  });
  route(app, {
    method: "POST",
    url: "/api/models/:id/undelete",
    summary: "Restore a deleted model",
    tags: ["models"],
    params: idParams,
    responses: { 200: { description: "restored", schema: z.object({ model: modelRecordSchema }) }, 404: err("no such deleted model") },
    handler: async ({ params }) => {
      const model = await store.undeleteModel(params.id);
      if (!model) throw new ApiError(404, "model_not_found", `no model named "${params.id}"`);
      return { model };
    },
  });
  route(app, {
    method: "GET",
    url: "/api/models/:id/versions",
    summary: "A model's versions, newest first (time, message, content hash)",
    tags: ["models"],
    params: idParams,
    responses: { 200: { description: "versions", schema: z.object({ versions: z.array(versionSummarySchema) }) }, 404: err("no such model") },
    handler: async ({ params }) => {
      await models.require(params.id);
      return { versions: await store.listVersions(params.id) };
    },
  });
  route(app, {
    method: "GET",
    url: "/api/models/:id/versions/:version",
    summary: "One version with its text",
    tags: ["models"],
    params: versionParams,
    responses: { 200: { description: "the version", schema: z.object({ version: versionRecordSchema }) }, 404: err("no such model or version") },
    handler: async ({ params }) => ({ version: await models.version(params.id, params.version) }),
  });
  route(app, {
    method: "GET",
    url: "/api/models/:id/versions/:version/text",
    summary: "One version's text as it was saved (application/yaml)",
    tags: ["models"],
    params: versionParams,
    responses: { 200: { description: "the model file", content: "application/yaml" }, 404: err("no such model or version") },
    handler: async ({ params, reply }) => {
      const v = await models.version(params.id, params.version);
      return reply.header("content-type", "application/yaml; charset=utf-8").header("content-disposition", `inline; filename="${v.file.replace(/[^A-Za-z0-9._-]/g, "_")}"`).send(v.text);
    },
  });
  route(app, {
    method: "POST",
    url: "/api/models/:id/versions/:version/restore",
    summary: "Restore a version: saves its text as a new version",
    tags: ["models"],
    params: versionParams,
    body: restoreSchema,
    responses: { 201: { description: "restored as a new version", schema: savedSchema }, 404: err("no such model or version"), 422: err("the old version no longer validates") },
    handler: async ({ params, body, reply }) => reply.code(201).send(await models.restore(params.id, params.version, body.message)),
  });
  route(app, {
    method: "GET",
    url: "/api/models/:id/diff",
    summary: "Differences between two versions: the text (unified diff) and the inputs whose value or citation changed",
    tags: ["models"],
    params: idParams,
    query: diffQuery,
    responses: { 200: { description: "the diff", schema: diffSchema }, 404: err("no such model or version") },
    handler: async ({ params, query }) => models.diff(params.id, query.from, query.to),
  });
  route(app, {
    method: "GET",
    url: "/api/models/:id/run",
    summary: "Project a stored model (as `burnrate run --format json`), from the run cache when it was run before",
    tags: ["models"],
    params: idParams,
    query: runQuery,
    responses: { 200: { description: "what `burnrate run --format json` prints", schema: commandResultSchema("run") }, 304: { description: "not modified" }, 404: err("no such model"), 422: err("invalid model or scenario") },
    handler: async ({ params, query, request, reply }) => {
      const source: ModelSource = { id: params.id, ...(query.version ? { version: query.version } : {}) };
      return sendCommand(reply, request.headers, await models.execute("run", { model: source, options: query.scenario ? { scenario: query.scenario } : {} }, !noCache(request.headers)));
    },
  });

  // ——— commands ———
  for (const name of COMMAND_NAMES) {
    const spec = COMMANDS[name];
    route(app, {
      method: "POST",
      url: `/api/commands/${name}`,
      summary: spec.summary,
      description: spec.job
        ? `Same options and JSON as \`burnrate ${name} --format json\`. Runs as a job in a worker thread (limits apply) and answers when it ends; POST /api/jobs to follow its progress instead.`
        : `Same options and JSON as \`burnrate ${name} --format json\`. Results are cached by (content hash, options); send \`Cache-Control: no-cache\` to compute again.`,
      tags: ["commands"],
      body: commandBodySchema(name) as z.ZodType<{ model?: ModelSource; runs?: { model: ModelSource; scenario?: string; label?: string }[]; options?: unknown }>,
      responses: { 200: { description: `what \`burnrate ${name} --format json\` prints`, schema: commandResultSchema(name) }, 400: err("bad options"), 404: err("no such stored model"), 422: err("invalid model") },
      handler: async ({ body, request, reply }) => {
        if (!spec.job) return sendCommand(reply, request.headers, await models.execute(name, body, !noCache(request.headers)));
        const { job } = await submitJob(ctx, name, body.model!, body.options);
        // The client gave up (the connection closed before the answer): stop the work it asked for.
        const onClose = () => {
          if (!reply.raw.writableFinished) void jobs.cancel(job.id);
        };
        reply.raw.once("close", onClose);
        const ended = await jobs.wait(job.id);
        reply.raw.off("close", onClose);
        return sendJobOutcome(reply, store, ended);
      },
    });
  }

  // ——— jobs ———
  route(app, {
    method: "POST",
    url: "/api/jobs",
    summary: "Start a long-running command (simulate, sensitivity, solve) as a job",
    description: "Answers 202 with the job at once (200 and status done when the same run finished before). Follow it with GET /api/jobs/{id}/events (Server-Sent Events), stop it with POST /api/jobs/{id}/cancel.",
    tags: ["jobs"],
    body: jobRequestSchema,
    responses: { 202: { description: "queued", schema: z.object({ job: jobRecordSchema }) }, 200: { description: "done before: from the cache", schema: z.object({ job: jobRecordSchema }) }, 400: err("bad options or over the path cap"), 422: err("invalid model"), 429: err("queue full") },
    handler: async ({ body, reply }) => {
      const { job, cached } = await submitJob(ctx, body.command, body.model, body.options);
      return reply.code(cached ? 200 : 202).header("location", `/api/jobs/${job.id}`).send({ job });
    },
  });
  route(app, {
    method: "GET",
    url: "/api/jobs",
    summary: "Jobs, newest first",
    tags: ["jobs"],
    query: listJobsQuery,
    responses: { 200: { description: "jobs", schema: z.object({ jobs: z.array(jobRecordSchema) }) } },
    handler: async ({ query }) => ({ jobs: (await store.listJobs({ status: query.status, modelId: query.model, limit: query.limit })).map((j) => withProgress(jobs, j)) }),
  });
  route(app, {
    method: "GET",
    url: "/api/jobs/:id",
    summary: "A job: status, progress, error",
    tags: ["jobs"],
    params: jobParams,
    responses: { 200: { description: "the job", schema: z.object({ job: jobRecordSchema }) }, 404: err("no such job") },
    handler: async ({ params }) => ({ job: withProgress(jobs, await requireJob(store, params.id)) }),
  });
  route(app, {
    method: "GET",
    url: "/api/jobs/:id/result",
    summary: "A finished job's result (the command's JSON; partial results have partial: true)",
    tags: ["jobs"],
    params: jobParams,
    responses: { 200: { description: "the result", schema: z.looseObject({}) }, 404: err("no such job"), 409: err("not finished") },
    handler: async ({ params, reply }) => {
      const job = await requireJob(store, params.id);
      if (isActive(job.status)) throw new ApiError(409, "job_not_finished", `the job is ${job.status}; wait for it (GET /api/jobs/${job.id}/events)`);
      return sendJobOutcome(reply, store, job);
    },
  });
  route(app, {
    method: "POST",
    url: "/api/jobs/:id/cancel",
    summary: "Stop a job: a queued one is cancelled, a running one keeps its partial result",
    tags: ["jobs"],
    params: jobParams,
    responses: { 202: { description: "stopping", schema: z.object({ job: jobRecordSchema }) }, 404: err("no such job") },
    handler: async ({ params, reply }) => {
      const job = await jobs.cancel(params.id);
      if (!job) throw new ApiError(404, "job_not_found", `no job ${params.id}`);
      return reply.code(202).send({ job });
    },
  });
  route(app, {
    method: "GET",
    url: "/api/jobs/:id/events",
    summary: "A job's progress as Server-Sent Events",
    description:
      "Events: `status` (the job, on connect and when it starts), `progress` ({done, total, unit}: paths, or trials of a solve with total null), then one of `done` ({job, result}: the command's JSON, partial results marked partial) or `failed` ({job, error: {code, message, issues?}}). The stream ends after it.",
    tags: ["jobs"],
    params: jobParams,
    responses: { 200: { description: "text/event-stream", content: "text/event-stream" }, 404: err("no such job") },
    handler: async ({ params, reply }) => {
      const job = await requireJob(store, params.id);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" });
      const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      let closed = false;
      const finish = async (ended: JobRecord) => {
        if (closed) return;
        closed = true;
        cleanup();
        const result = ended.status === "done" || ended.status === "partial" ? await store.getJobResult(ended.id) : null;
        if (result !== null) res.write(`event: done\ndata: {"job":${JSON.stringify(ended)},"result":${result}}\n\n`);
        else send("failed", { job: ended, error: ended.error ?? { code: ended.status, message: `the job ended ${ended.status}` } });
        res.end();
      };
      const unsubscribe = jobs.subscribe(job.id, (event: JobEvent) => {
        if (event.type === "progress") send("progress", event.progress);
        else if (event.type === "status") send("status", withProgress(jobs, event.job));
        else void finish(event.job);
      });
      const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
      heartbeat.unref();
      const cleanup = () => {
        unsubscribe();
        clearInterval(heartbeat);
      };
      // The response's close (not the request's, which closes once it has been read).
      res.once("close", () => {
        closed = true;
        cleanup();
      });
      send("status", withProgress(jobs, job));
      // It may have ended between the read and the subscription.
      const now = await store.getJob(job.id);
      if (now && !isActive(now.status)) await finish(now);
    },
  });
}

function withProgress(jobs: JobManager, job: JobRecord): JobRecord {
  const live = job.status === "running" ? jobs.currentProgress(job.id) : null;
  return live ? { ...job, progress: live } : job;
}

async function requireJob(store: Store, id: string): Promise<JobRecord> {
  const job = await store.getJob(id);
  if (!job) throw new ApiError(404, "job_not_found", `no job ${id}`);
  return job;
}

function noCache(headers: Record<string, unknown>): boolean {
  const cc = headers["cache-control"];
  return typeof cc === "string" && /no-cache|no-store/i.test(cc);
}

function sendCommand(reply: FastifyReply, headers: Record<string, unknown>, out: { json: string | Buffer; cached: boolean; key: string }): FastifyReply {
  const etag = `"${out.key.slice(0, 40)}"`;
  reply.header("etag", etag).header("x-burnrate-cache", out.cached ? "hit" : "miss");
  if (headers["if-none-match"] === etag) return reply.code(304).send();
  return sendJsonText(reply, out.json);
}

/** Checks a job's options (schema, path cap, the model loads) and hands it to the job manager. */
async function submitJob(ctx: RouteContext, command: CommandName, source: ModelSource, rawOptions: unknown) {
  const spec = COMMANDS[command];
  const options = spec.options.parse(rawOptions ?? {}) as Record<string, unknown>;
  const paths = typeof options.paths === "number" ? options.paths : null;
  const usesPaths = command === "simulate" || (command === "sensitivity" && wantsGlobalSensitivity(options)) || (command === "solve" && isStatisticalTarget(String(options.target)));
  if (usesPaths && paths !== null && paths > ctx.maxJobPaths) {
    throw new ApiError(400, "too_many_paths", `${paths.toLocaleString("en-US")} paths is more than this server runs in one job (${ctx.maxJobPaths.toLocaleString("en-US")}${command === "solve" ? " per trial" : ""}); ask for fewer, or start the server with a larger --max-paths`);
  }
  if (command === "simulate") {
    const threads = options.threads === "auto" ? ctx.jobThreads : Math.min(Number(options.threads ?? 1), ctx.jobThreads);
    options.threads = threads;
  }
  const model = await ctx.models.resolve(source);
  // An invalid model or scenario is refused now (422), not as a failed job later.
  ctx.models.load(model.text, model.file, typeof options.scenario === "string" ? { scenario: options.scenario } : {});
  const key = runKey(command, [{ hash: model.hash, file: model.file }], options);
  return ctx.jobs.submit({ command, model, options, runKey: key });
}
