/**
 * Ranges of the numbers a user gives outside a model file (command-line options, request
 * options of the server): one definition, so the CLI and the library refuse the same values.
 */
export interface RateRange {
  /** Exclusive lower bound (−1: a rate must be above −100 %). */
  above: number;
  /** Inclusive upper bound. */
  max: number;
}

/** Discount rates: above −100 % and at most 1,000 % a year. */
export const DISCOUNT_RATE_RANGE: RateRange = { above: -1, max: 10 };
/** Tax rates: 0 to 100 %. */
export const TAX_RATE_RANGE: RateRange = { above: -Number.MIN_VALUE, max: 1 };
/** Prices per GPU-hour, whole currency units: nothing rents for more than this. */
export const MAX_PRICE_PER_GPU_HOUR = 10_000;

export function inRateRange(rate: number, range: RateRange): boolean {
  return Number.isFinite(rate) && rate > range.above && rate <= range.max;
}
