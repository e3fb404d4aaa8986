import { UsageError } from "../model/issues.js";

/** Shared parsers for command-line option values: one rule per kind of value. */

/** One of a fixed set of words. */
export function choice<T extends string>(value: string, allowed: readonly T[], option: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError("bad_option", `${option} must be one of ${allowed.join(", ")} (got "${value}")`);
}

/** A whole number: 20000, 20_000, 20,000 or 2e4. */
export function parseWhole(text: string, option: string): number {
  const cleaned = text.trim().replace(/[_,]/g, "");
  const v = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(cleaned) ? Number(cleaned) : NaN;
  if (!Number.isFinite(v) || !Number.isInteger(v)) throw new UsageError("bad_option", `${option} must be a whole number (got "${text}")`);
  return v;
}

/** A rate written as a decimal (0.1) or a percentage (10%). */
export function parseRate(text: string, option: string): number {
  const trimmed = text.trim();
  const percent = trimmed.endsWith("%");
  const value = Number(percent ? trimmed.slice(0, -1) : trimmed);
  if (trimmed === "" || !Number.isFinite(value)) throw new UsageError("bad_option", `${option} takes a rate such as 0.10 or 10% (got "${text}")`);
  return percent ? value / 100 : value;
}

/** A number ≥ 0 (e.g. a price per GPU-hour). */
export function parseNonNegative(text: string, option: string): number {
  const value = Number(text.trim());
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) throw new UsageError("bad_option", `${option} takes a number ≥ 0 (got "${text}")`);
  return value;
}

/** A share between 0 and 1, written as a decimal (0.01) or a percentage (1%). */
export function parseShare(text: string, option: string): number {
  const trimmed = text.trim();
  const percent = trimmed.endsWith("%");
  const value = Number(percent ? trimmed.slice(0, -1) : trimmed);
  const share = percent ? value / 100 : value;
  if (trimmed === "" || !Number.isFinite(share) || share < 0 || share > 1) throw new UsageError("bad_option", `${option} takes a share from 0 to 1, such as 0.01 or 1% (got "${text}")`);
  return share;
}
