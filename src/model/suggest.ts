import { distance } from "fastest-levenshtein";

const MAX_SUGGEST_LENGTH = 64;
const MAX_SUGGEST_CANDIDATES = 2_000;

/** The closest candidate to a misspelt name, if it is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  // Typos are short: no suggestion for (and no quadratic distance to) very long words.
  if (word.length > MAX_SUGGEST_LENGTH) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  let looked = 0;
  for (const candidate of candidates) {
    // A suggestion is a courtesy: it never costs more than a bounded number of comparisons.
    if (++looked > MAX_SUGGEST_CANDIDATES) break;
    if (candidate.length > MAX_SUGGEST_LENGTH) continue;
    const d = candidate.toLowerCase() === lower ? 0 : distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(word.length, best.length) / 3));
  return bestDistance <= limit ? best : undefined;
}
