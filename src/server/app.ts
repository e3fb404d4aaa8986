import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { basename, dirname, join } from "node:path";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import { SqliteStore, contentHash, type NewModel, type Store } from "../store/index.js";
import { checkCommand } from "../commands/check.js";
import { resolveOptions, isLoopbackHost, type ServerOptions, type ResolvedServerOptions } from "./config.js";
import { installErrorHandlers } from "./errors.js";
import { installBodyParsers } from "./body.js";
import { installAccessControl } from "./auth.js";
import { registerRoutes } from "./routes.js";
import { registerWeb } from "./web.js";
import { registerExport } from "./export.js";
import { Models } from "./services.js";
import { JobManager } from "./jobs.js";
import { VERSION } from "../cli/main.js";

declare module "fastify" {
  interface FastifyInstance {
    burnrate: { store: Store; jobs: JobManager; models: Models; options: ResolvedServerOptions };
  }
}

/** What the log keeps of a request: never a token (headers are redacted, `?token=` is masked). */
function requestForLog(request: FastifyRequest): Record<string, unknown> {
  return { method: request.method, url: request.url.replace(/([?&]token=)[^&#]*/gi, "$1[redacted]"), host: request.headers.host, remoteAddress: request.ip };
}

/** The shipped models (models/*.yaml) that validate, as new models named by their file. */
export function shippedModels(dir: string): NewModel[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch {
    return [];
  }
  const out: NewModel[] = [];
  for (const f of files) {
    const text = readFileSync(join(dir, f), "utf8");
    const id = basename(f).replace(/\.ya?ml$/, "").toLowerCase().replace(/[^a-z0-9-]+/g, "-");
    const report = checkCommand({ text, file: `${id}.yaml` });
    if (!report.valid) continue;
    out.push({ id, name: report.model!, text, file: `${id}.yaml`, message: `Shipped model ${f}`, contentHash: contentHash(text) });
  }
  return out;
}

/**
 * The HTTP server as a fastify app (not listening: call `listen`, or test it with
 * `inject`). Opens (and migrates) the store, seeds the shipped models on first start,
 * fails jobs a crash interrupted and resumes queued ones. Closing the app ends running
 * jobs and closes the store.
 */
export async function createServer(input: ServerOptions): Promise<FastifyInstance> {
  const options = resolveOptions(input);
  const loopback = isLoopbackHost(options.host);
  if (!loopback && !options.token) throw new Error(`listening on ${options.host} (not loopback) needs a token: give --token, or let burnrate generate one`);
  if (options.db !== ":memory:") mkdirSync(dirname(options.db), { recursive: true });
  const store = new SqliteStore(options.db, { maxRuns: options.maxCachedRuns });
  const app = Fastify({
    logger: options.logger === false ? false : { level: "info", ...(options.logger === true ? {} : options.logger), redact: ["req.headers.authorization", "req.headers.cookie"], serializers: { req: requestForLog } },
    bodyLimit: options.bodyLimit,
    // A client must send its whole request within this time (slow senders are cut off,
    // checked every second); answers may take longer (a command waiting for its job, a
    // progress stream), so there is no idle timeout on the connection itself.
    serverFactory: (handler) =>
      createHttpServer(
        { requestTimeout: options.requestTimeoutMs, headersTimeout: Math.min(options.requestTimeoutMs, 60_000), connectionsCheckingInterval: Math.min(1000, Math.max(100, options.requestTimeoutMs / 2)), keepAliveTimeout: 10_000 },
        handler,
      ),
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: 10_000,
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });
  try {
    installErrorHandlers(app);
    installBodyParsers(app);
    app.setValidatorCompiler(() => (data) => ({ value: data }));
    app.setSerializerCompiler(() => (data) => JSON.stringify(data));
    if (options.corsOrigins.length > 0) {
      const cors = (await import("@fastify/cors")).default;
      await app.register(cors, { origin: options.corsOrigins, credentials: true, methods: ["GET", "POST", "PUT", "DELETE"] });
    }
    installAccessControl(app, { token: options.token, loopback, corsOrigins: options.corsOrigins });
    await app.register(fastifySwagger, {
      openapi: {
        openapi: "3.0.3",
        info: {
          title: "burnrate API",
          version: VERSION,
          description:
            "Models with versions, every CLI command with the same options and JSON as `--format json`, and long-running jobs with progress. Errors are JSON: {code, message, issues?, errorId?}. With a token, send `Authorization: Bearer TOKEN`.",
        },
        components: { securitySchemes: { token: { type: "http", scheme: "bearer" } } },
        security: options.token ? [{ token: [] }] : [],
        tags: [
          { name: "models", description: "stored models and their versions" },
          { name: "commands", description: "the CLI's commands" },
          { name: "jobs", description: "long-running commands in worker threads" },
          { name: "service", description: "health, schema, session" },
        ],
      },
    });
    await app.register(fastifySwaggerUi, { routePrefix: "/api/docs", uiConfig: { docExpansion: "list", deepLinking: true } });
    const models = new Models(store);
    const jobs = new JobManager(store, {
      concurrency: options.jobConcurrency,
      maxQueued: options.maxQueuedJobs,
      timeLimitMs: options.jobTimeLimitMs,
      memoryMb: options.jobMemoryMb,
      log: app.log,
    });
    app.decorate("burnrate", { store, jobs, models, options });
    registerRoutes(app, { store, models, jobs, token: options.token, maxJobPaths: options.maxJobPaths, jobThreads: options.jobThreads });
    registerExport(app, models);
    app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());
    await registerWeb(app, options.webDir);
    if (options.seed) {
      const added = await store.seedOnce(() => shippedModels(options.modelsDir));
      if (added > 0) app.log.info({ models: added }, "seeded the shipped models");
    }
    await jobs.recover();
    app.addHook("onClose", async () => {
      await jobs.close();
      await store.close();
    });
    await app.ready();
    return app;
  } catch (error) {
    await app.close().catch(() => {});
    await store.close();
    throw error;
  }
}
