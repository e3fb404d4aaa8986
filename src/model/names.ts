/**
 * Names that come from a model file (drivers, lines, cohorts, tranches, scenarios, sites,
 * path segments, formula identifiers) are looked up in plain JavaScript objects. Two rules
 * keep a name from reaching Object.prototype:
 *
 * - `__proto__`, `constructor` and `prototype` are refused as keys anywhere in a file
 *   (source.ts reports them at their position), so no data object ever carries them;
 * - every lookup by a user's name asks for an own property (`ownValue`, `hasOwnName`), so
 *   `toString`, `hasOwnProperty`, `valueOf`… are ordinary names that exist only when the
 *   file defines them.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

export function isReservedName(name: string): boolean {
  return RESERVED_NAMES.has(name);
}

export const RESERVED_NAME_HINT = "it has a special meaning in JavaScript, so burnrate does not accept it as a name or key; rename it";

/** True when `name` is an own key of `table` (never an inherited one such as `toString`). */
export function hasOwnName(table: object | null | undefined, name: string): boolean {
  return table !== null && table !== undefined && typeof table === "object" && Object.hasOwn(table, name);
}

/** The value stored under `name` in `table` itself, or undefined (inherited properties never count). */
export function ownValue<T>(table: Readonly<Record<string, T>> | null | undefined, name: string): T | undefined {
  return hasOwnName(table, name) ? table![name] : undefined;
}

/** A name table with no prototype, for constants looked up by a user's text. */
export function nameTable<T>(entries: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}
