import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fastifyStatic from "@fastify/static";

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>burnrate</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:.1em .3em}</style></head>
<body><h1>burnrate</h1>
<p>The server is running, but the dashboard has not been built: <code>dist/web/</code> is missing.
Build it with <code>npm run build</code> (or <code>npm ci</code>, which builds everything), then reload this page.</p>
<p>The API works without it: <a href="/api/docs">API reference</a>, <a href="/api/openapi.json">OpenAPI document</a>, <a href="/api/models">stored models</a>.</p>
</body></html>
`;

/**
 * The dashboard: the built app in `webDir` (index.html and assets) at `/`, with every
 * other non-API GET answered by index.html so that the app's own routes load on reload.
 * Without a build, `/` says so. Files are served only from inside `webDir`.
 */
export async function registerWeb(app: FastifyInstance, webDir: string): Promise<void> {
  const built = existsSync(join(webDir, "index.html"));
  if (built) await app.register(fastifyStatic, { root: webDir, wildcard: false, index: ["index.html"], dotfiles: "deny", cacheControl: true, maxAge: 0 });
  app.setNotFoundHandler(async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split("?")[0];
    if (path === "/api" || path.startsWith("/api/")) {
      return reply.code(404).send({ code: "not_found", message: `no API route ${request.method} ${path}; see /api/docs` });
    }
    if (request.method !== "GET" && request.method !== "HEAD") return reply.code(404).send({ code: "not_found", message: `nothing at ${request.method} ${path}` });
    if (!built) {
      if (path === "/" || path === "/index.html") return reply.code(200).header("content-type", "text/html; charset=utf-8").send(NOT_BUILT);
      return reply.code(404).header("content-type", "text/html; charset=utf-8").send(NOT_BUILT);
    }
    // A file-like path (an asset) that is not there is a 404; anything else is the app's route.
    if (/\.[A-Za-z0-9]{1,8}$/.test(path)) return reply.code(404).send({ code: "not_found", message: `no file ${path}` });
    return reply.header("cache-control", "no-cache").sendFile("index.html");
  });
}
