import type { Caveat } from "./index.js";
import { parsePeriod } from "../targets/period.js";

// Light on purpose (no schema, no zod): the CLI's table commands load it at start-up.

function overlaps(a: string, b: string, fiscalYearStart: number): boolean {
  const x = parsePeriod(a, fiscalYearStart);
  const y = parsePeriod(b, fiscalYearStart);
  if (typeof x === "string" || typeof y === "string") return a === b;
  return x.firstSerial <= y.lastSerial && y.firstSerial <= x.lastSerial;
}

/** The caveats that qualify a figure (a metric or line item, optionally in a period: periods that overlap count). */
export function caveatsQualifying(caveats: Caveat[], figure: { metric?: string; line?: string; period?: string | null; covenant?: string }, fiscalYearStart = 1): Caveat[] {
  return caveats.filter((c) => {
    const byFigure = (figure.metric !== undefined && (c.metrics.includes(figure.metric) || c.lines.includes(figure.metric))) || (figure.line !== undefined && (c.lines.includes(figure.line) || c.metrics.includes(figure.line))) || (figure.covenant !== undefined && c.covenants.includes(figure.covenant));
    if (!byFigure) return false;
    if (c.periods.length === 0 || !figure.period) return true;
    return c.periods.some((p) => overlaps(p, figure.period!, fiscalYearStart));
  });
}

/**
 * The numbers (1-based, in the list's order) of the caveats that qualify a figure — the
 * `[n]` marks of `run`, `compare` and the report, which refer to a numbered caveats list.
 * One rule for every output: a caveat marks a figure its metrics or lines name, when its
 * periods overlap the figure's period or either has none.
 */
export function caveatNumbers(caveats: Caveat[], figure: { metric?: string; line?: string; period?: string | null; covenant?: string }, fiscalYearStart = 1): number[] {
  const qualifying = new Set(caveatsQualifying(caveats, figure, fiscalYearStart));
  return caveats.flatMap((c, i) => (qualifying.has(c) ? [i + 1] : []));
}

/** " [1,3]" after a figure's label, or "" when no caveat qualifies it. */
export function caveatMarkText(numbers: number[]): string {
  return numbers.length ? ` [${numbers.join(",")}]` : "";
}
