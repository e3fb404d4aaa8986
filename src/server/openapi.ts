import { z } from "zod";
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from "fastify";

/** zod → JSON Schema for the OpenAPI document (inputs as a client writes them). */
export function jsonSchema(schema: z.ZodType, io: "input" | "output" = "input"): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { target: "openapi-3.0", io, unrepresentable: "any" }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

export interface RouteSpec<B, Q, P> {
  method: "GET" | "POST" | "PUT" | "DELETE";
  url: string;
  summary: string;
  description?: string;
  tags: string[];
  body?: z.ZodType<B>;
  /** Documented only (the handler reads the body itself, e.g. JSON or YAML). */
  bodyDoc?: Record<string, unknown>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  responses?: Record<number, { description: string; schema?: z.ZodType; content?: string }>;
  handler: (input: { body: B; query: Q; params: P; request: FastifyRequest; reply: FastifyReply }) => Promise<unknown>;
}

/**
 * Registers a route whose request parts are parsed with zod (a ZodError becomes 400 with
 * the issues' paths) and whose schemas, converted to JSON Schema, document it in OpenAPI.
 * Fastify itself neither validates nor serializes with them.
 */
export function route<B = unknown, Q = unknown, P = unknown>(app: FastifyInstance, spec: RouteSpec<B, Q, P>): void {
  const schema: Record<string, unknown> = { summary: spec.summary, tags: spec.tags };
  if (spec.description) schema.description = spec.description;
  if (spec.body) schema.body = jsonSchema(spec.body);
  else if (spec.bodyDoc) schema.body = spec.bodyDoc;
  if (spec.query) schema.querystring = jsonSchema(spec.query);
  if (spec.params) schema.params = jsonSchema(spec.params);
  if (spec.responses) {
    schema.response = Object.fromEntries(
      Object.entries(spec.responses).map(([status, r]) => [
        status,
        r.schema ? { description: r.description, content: { [r.content ?? "application/json"]: { schema: jsonSchema(r.schema, "output") } } } : { description: r.description, type: "null" },
      ]),
    );
  }
  const options: RouteShorthandOptions = { schema };
  app.route({
    method: spec.method,
    url: spec.url,
    ...options,
    handler: async (request, reply) => {
      const body = spec.body ? spec.body.parse(request.body ?? {}) : (request.body as B);
      const query = spec.query ? spec.query.parse(request.query ?? {}) : (request.query as Q);
      const params = spec.params ? spec.params.parse(request.params ?? {}) : (request.params as P);
      return spec.handler({ body, query, params, request, reply });
    },
  });
}

/** Sends JSON text as it is (cached results are stored as text: no parse and re-serialize). */
export function sendJsonText(reply: FastifyReply, json: string | Buffer, status = 200): FastifyReply {
  return reply.code(status).header("content-type", "application/json; charset=utf-8").send(json);
}
