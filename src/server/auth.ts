import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "./errors.js";

export const TOKEN_COOKIE = "burnrate_token";

/** A fresh token: 32 random bytes, URL-safe. */
export function generateToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Compares in constant time (hashes first, so lengths never leak either). */
export function tokenMatches(given: string | undefined | null, expected: string): boolean {
  if (typeof given !== "string" || given.length === 0 || given.length > 4096) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The token a request carries: `Authorization: Bearer …`, or the dashboard's cookie. */
export function requestToken(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth === "string" && /^bearer /i.test(auth)) return auth.slice(7).trim();
  return cookieValue(request.headers.cookie, TOKEN_COOKIE);
}

export function sessionCookie(token: string): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
}
export const CLEAR_SESSION_COOKIE = `${TOKEN_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);
function hostName(host: string): string {
  const h = host.toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.lastIndexOf(":");
  return colon > 0 ? h.slice(0, colon) : h;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface AccessOptions {
  token: string | null;
  /** Listening on loopback: then a request's Host must be a loopback name (no DNS rebinding). */
  loopback: boolean;
  corsOrigins: string[];
}

/**
 * Who may call: with a token, every /api call must carry it (header or cookie); without
 * one (loopback only), requests must name a loopback host, so that a web page whose
 * address was pointed at 127.0.0.1 cannot reach the API. Writes from a page on another
 * origin are refused unless that origin was allowed (CORS).
 */
export function installAccessControl(app: FastifyInstance, options: AccessOptions): void {
  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    const url = request.url;
    const isApi = url === "/api" || url.startsWith("/api/") || url.startsWith("/api?");
    if (options.loopback && !options.token) {
      const host = request.headers.host;
      if (!host || !LOOPBACK_NAMES.has(hostName(host))) throw new ApiError(403, "forbidden_host", "this server answers requests addressed to localhost only; start it with --host and --token to serve other names");
    }
    const origin = request.headers.origin;
    if (isApi && origin && !SAFE_METHODS.has(request.method) && !options.corsOrigins.includes(origin)) {
      let sameOrigin = false;
      try {
        sameOrigin = new URL(origin).host === request.headers.host;
      } catch {
        sameOrigin = false;
      }
      if (!sameOrigin) throw new ApiError(403, "cross_origin", `requests from ${origin} are not allowed; start the server with --cors ${origin} to allow them`);
    }
    if (!options.token) return;
    if (isApi) {
      if (request.method === "POST" && url.split("?")[0] === "/api/session") return;
      if (request.method === "OPTIONS" && options.corsOrigins.length > 0) return;
      if (!tokenMatches(requestToken(request), options.token)) {
        reply.header("www-authenticate", 'Bearer realm="burnrate"');
        throw new ApiError(401, "unauthorized", "this server needs its token: send `Authorization: Bearer TOKEN` (the token `burnrate serve` printed or was given), or open the dashboard with ?token=TOKEN once");
      }
      return;
    }
    // The dashboard: `/?token=…` once sets the session cookie and drops the token from the address.
    const query = request.query as Record<string, unknown> | undefined;
    const given = query && typeof query.token === "string" ? query.token : undefined;
    if (given !== undefined && request.method === "GET") {
      if (!tokenMatches(given, options.token)) throw new ApiError(401, "unauthorized", "wrong token");
      const clean = new URL(url, "http://x");
      clean.searchParams.delete("token");
      return reply.code(303).header("set-cookie", sessionCookie(given)).header("location", clean.pathname + clean.search).send();
    }
  });
}
