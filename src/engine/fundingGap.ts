import { emptyProjection, type Projection } from "./projection.js";
import { workspaceOf } from "./workspace.js";
import { cashReactsToExtraCash, cashRunsApply, cashRuns, cashWithExtra } from "./cashRuns.js";

/** Scratch for the funding-gap solver: the two latest cash paths (per workspace, made once). */
const gapPaths = new WeakMap<Projection, { a: Float64Array; b: Float64Array }>();

/**
 * The funding gap: the smallest extra opening cash X ≥ 0 with which every month's
 * ending cash is at or above the floor. Without interest on cash and without a revolver
 * extra cash moves every month's cash by exactly X, so X = floor − minimum cash. With
 * them, cash(X) is continuous and non-decreasing in X but not a shift (extra cash earns
 * interest, is taxed, saves overdraft or revolver interest; months the revolver holds at
 * the floor stay there), so X is found by a capped solver on the statements themselves.
 * Each month's cash is linear in X between regime changes (cash changing sign, tax losses
 * running out, the revolver's limit), so from the two latest cash paths every month
 * predicts where it reaches the floor and the largest prediction is the next guess (exact
 * once both paths are in the answer's regime); a bracket [lo, hi] with lo infeasible and
 * hi feasible, starting from [0, floor − minimum cash] (widened if needed), keeps every
 * guess inside, with bisection as fallback, and a guess at the floor is confirmed by one
 * run just below it. At most 80 re-runs of the month loop (typically 3–7); it stops when
 * hi − lo ≤ 1e-9 × max(1, hi). "At or above" allows 1e-11 × max(1, |floor|, |minimum
 * cash|) for rounding. The value returned is the bracket's feasible end: the floor holds
 * there, and it exceeds the exact gap by at most that width. NaN if no X up to 2^40 × the
 * first guess works (only with negative rates).
 *
 * Where `cashRuns` applies, each guess's run goes with the run just below it in one pass,
 * before it is known whether the confirmation is needed: the guesses, their order and the
 * bracket are the same; an unneeded second run is dropped.
 */
export function fundingGapOf(proj: Projection, floor: number, minCash: number): number {
  const shortfall = floor - minCash;
  if (!(shortfall > 0)) return 0;
  const c = proj.compiled;
  if (!cashReactsToExtraCash(c)) return shortfall;
  const H = c.months;
  let paths = gapPaths.get(proj);
  if (!paths) gapPaths.set(proj, (paths = { a: new Float64Array(H), b: new Float64Array(H) }));
  const ws = workspaceOf.get(proj);
  if (!ws) throw new Error("internal: a projection outside its workspace");
  const paired = cashRunsApply(c);
  const eps = 1e-11 * Math.max(1, Math.abs(floor), Math.abs(minCash));
  const width = (x: number) => 1e-9 * Math.max(1, x);
  // Two latest points: (xa, a) and (xb, b); the base path is the first.
  let a = paths.a;
  let b = paths.b;
  let xa = 0;
  a.set(proj.items.endingCash);
  let xb = shortfall;
  /** Makes (x, cash) the latest point; returns its lowest cash above the floor. */
  const record = (x: number, cash: Float64Array): number => {
    // The older point makes room for the new one.
    const older = a;
    a = b;
    xa = xb;
    b = older;
    b.set(cash);
    xb = x;
    let low = Infinity;
    for (let t = 0; t < H; t++) if (b[t] < low) low = b[t];
    return low - floor;
  };
  const evaluateAt = (x: number): number => record(x, cashWithExtra(proj, x));
  // The first call shifts the base path into `a`: put it in `b` so that it lands there.
  b.set(a);
  xb = 0;
  let lo = 0;
  let flo = minCash - floor;
  let hi = shortfall;
  let fhi = evaluateAt(hi);
  let runs = 1;
  for (let i = 0; fhi < -eps && i < 40; i++, runs++) {
    lo = hi;
    flo = fhi;
    hi *= 2;
    fhi = evaluateAt(hi);
  }
  if (fhi < -eps) return NaN;
  void flo;
  while (hi - lo > width(hi) && runs < 80) {
    // Every month's own straight line through the two latest paths, to the floor.
    let x = -Infinity;
    const dx = xb - xa;
    for (let t = 0; t < H && dx !== 0; t++) {
      const slope = (b[t] - a[t]) / dx;
      if (slope > 1e-12) {
        const reach = xb + (floor - b[t]) / slope;
        if (reach > x) x = reach;
      } else if (b[t] < floor - eps) {
        x = NaN; // a month below the floor that extra cash does not lift here: no prediction
        break;
      }
    }
    if (!(x > lo && x < hi)) x = (lo + hi) / 2;
    const below = x - width(x);
    // The confirmation below x is possible (it also needs x at the floor): run both now.
    const both = paired && below > lo && runs + 1 < 80;
    let fx: number;
    if (both) {
      const scratch = (ws.scratch ??= emptyProjection(c)).items.endingCash;
      cashRuns(c, ws, proj, x, below, scratch, ws.cashRun!.second);
      fx = record(x, scratch);
    } else fx = evaluateAt(x);
    runs++;
    if (fx >= -eps) {
      hi = x;
      fhi = fx;
      // At the floor: infeasible just below means this is the gap.
      if (fx <= eps && below > lo && runs < 80) {
        fx = both ? record(below, ws.cashRun!.second) : evaluateAt(below);
        runs++;
        if (fx < -eps) lo = below;
        else hi = below;
      }
    } else lo = x;
  }
  void fhi;
  return hi;
}
