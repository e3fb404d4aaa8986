import { UsageError } from "../model/issues.js";
import { DISCOUNT_RATE_RANGE, TAX_RATE_RANGE, MAX_PRICE_PER_GPU_HOUR, inRateRange, type RateRange } from "../model/ranges.js";

export { DISCOUNT_RATE_RANGE, TAX_RATE_RANGE, MAX_PRICE_PER_GPU_HOUR };

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


function percentText(rate: number): string {
  return `${Number((rate * 100).toPrecision(8))} %`;
}

/**
 * A rate written as a decimal (0.1) or a percentage (10%). A bare number of 1 or more is
 * refused with a hint: "12" almost always means 12 %, which as a decimal is 1,200 %. Then the
 * option's range applies.
 */
export function parseRate(text: string, option: string, range: RateRange = DISCOUNT_RATE_RANGE): number {
  const trimmed = text.trim();
  const percent = trimmed.endsWith("%");
  const body = percent ? trimmed.slice(0, -1).trim() : trimmed;
  const value = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(body) ? Number(body) : NaN;
  if (!Number.isFinite(value)) throw new UsageError("bad_option", `${option} takes a rate such as 0.10 or 10% (got "${text}")`);
  if (!percent && Math.abs(value) >= 1) {
    throw new UsageError("bad_option", `${option} ${body} means ${percentText(value)}; write ${Number((value / 100).toPrecision(8))} or ${body}% (rates are decimals: 0.10 = 10 %)`);
  }
  const rate = percent ? value / 100 : value;
  if (!inRateRange(rate, range)) {
    const low = range.above === -1 ? "above −100 %" : "at least 0 %";
    throw new UsageError("bad_option", `${option} must be ${low} and at most ${percentText(range.max)} (got ${percentText(rate)})`);
  }
  return rate;
}

/** A number from 0 to `max` (e.g. a price per GPU-hour). */
export function parseNonNegative(text: string, option: string, max = Number.MAX_VALUE): number {
  const trimmed = text.trim();
  const value = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isFinite(value) || value < 0 || value > max) throw new UsageError("bad_option", `${option} takes a number from 0 to ${max.toLocaleString("en-US")} (got "${text}")`);
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
