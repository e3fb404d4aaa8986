import { createHash } from "node:crypto";
export * from "./types.js";
export { SqliteStore, migrate, type SqliteStoreOptions } from "./sqlite.js";
export { MIGRATIONS } from "./migrations.js";

/** sha256 of a model's text, hex: what versions and cached runs are keyed by. */
export function contentHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
