/**
 * Small number helpers shared by the engine's schedules and caches: a month index from a
 * param, and the exact comparisons the caches use to decide that an input is unchanged.
 */

/** A month index from a param that holds one (rounded to the nearest month). */
export const monthOf = (x: number) => Math.round(x);

/** Same number, sign of zero and NaN included (Object.is without the call). */
export const sameNumber = (a: number, b: number): boolean => (a === b ? a !== 0 || 1 / a === 1 / b : a !== a && b !== b);

/** `sameNumber` month by month. */
export function sameSeries(a: Float64Array, b: Float64Array): boolean {
  for (let t = 0; t < a.length; t++) {
    const x = a[t];
    const y = b[t];
    if (x !== y) {
      if (x === x || y === y) return false;
    } else if (x === 0 && 1 / x !== 1 / y) return false;
  }
  return true;
}
