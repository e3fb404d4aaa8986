import type { FastifyInstance, FastifyRequest } from "fastify";
import { ApiError } from "./errors.js";

/** Deepest nesting of arrays and objects a JSON body may have (a model is a few levels deep). */
export const MAX_JSON_DEPTH = 64;

export const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"];

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes a body as UTF-8, refusing invalid byte sequences (no silent U+FFFD) and dropping a BOM. */
export function decodeUtf8(body: Buffer): string {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new ApiError(400, "invalid_utf8", "the request body is not valid UTF-8; send model text and JSON encoded as UTF-8");
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The nesting depth of JSON text, found by one pass over it (strings skipped), before
 * the parser sees it: a body of a million `[` must not reach recursive code.
 */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/**
 * Request bodies the API accepts: JSON (strict UTF-8, bounded depth, `__proto__` and
 * `constructor.prototype` keys refused) and YAML model text (application/yaml). Nothing
 * else — in particular not text/plain or forms, which a page on another site could
 * post here without the browser asking first.
 */
export function installBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request: FastifyRequest, body: Buffer | string, done: (err: Error | null, body?: unknown) => void) => {
    try {
      const text = decodeUtf8(body as Buffer);
      if (text.trim() === "") throw new ApiError(400, "empty_body", "the request body is empty; send a JSON object");
      if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) throw new ApiError(400, "too_deep", `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
      parseJson(request, text, (error, value) => {
        if (error) done(new ApiError(400, /prototype|__proto__|constructor/i.test(error.message) ? "forbidden_key" : "malformed_json", `the request body is not valid JSON: ${error.message}`));
        else done(null, value);
      });
    } catch (error) {
      done(error as Error);
    }
  });
  app.addContentTypeParser(YAML_TYPES, { parseAs: "buffer" }, (_request: FastifyRequest, body: Buffer | string, done: (err: Error | null, body?: unknown) => void) => {
    try {
      done(null, decodeUtf8(body as Buffer));
    } catch (error) {
      done(error as Error);
    }
  });
}
