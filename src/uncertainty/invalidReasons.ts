/** Why a simulated path is invalid (see validity.ts); dependency-free, so the CLI can name the reasons without loading the engine. */
export const INVALID_REASONS = ["input", "months", "formula", "nonFinite", "unbalanced"] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

export const INVALID_REASON_TEXT: Record<InvalidReason, string> = {
  input: "a sampled input outside the range its key allows",
  months: "sampled months out of order (e.g. in service before purchase)",
  formula: "a formula value outside its key's range (e.g. utilization above 1)",
  nonFinite: "NaN or infinity in the results",
  unbalanced: "the balance sheet or the cash flow does not tie",
};

export function emptyInvalidCounts(): number[] {
  return INVALID_REASONS.map(() => 0);
}

/** Invalid paths shown as examples: the lowest path numbers. */
export const MAX_INVALID_EXAMPLES = 5;
