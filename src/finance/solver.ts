/**
 * Root finding for the rate equations behind IRR, XIRR and RATE.
 *
 * Excel runs Newton's method from the caller's guess and gives up with #NUM! after a
 * fixed number of steps (20 for IRR and RATE, 100 for XIRR). Starting the same way means
 * that where several rates solve the equation we usually land on the one Excel reports.
 * Where Newton stalls, overshoots or wanders off we do not give up: we look outwards from
 * the guess for a sign change and close in on it with Brent's method, which cannot fail
 * once a root is bracketed.
 */

/** One evaluation of a rate equation f at a rate r > -1. */
export interface RateEquationPoint {
  /** f(r). */
  value: number;
  /** f'(r); only steers Newton, so it need not be exact. */
  slope: number;
  /**
   * Sum of the absolute sizes of the terms making up f(r). Convergence is judged
   * relative to this, so that the same tolerance works for cash flows of 1 and of 1e9.
   */
  magnitude: number;
}

export type RateEquation = (rate: number) => RateEquationPoint;

/** |f(r)| must fall to this fraction of the size of the flows it sums. */
export const RESIDUAL_TOLERANCE = 1e-10;

/** Newton iterates beyond this are treated as divergence, not as a rate. */
const MAX_RATE = 1e12;

/**
 * Distances, in ln(1 + r), at which the bracket search samples f on each side of the
 * guess. Working in ln(1 + r) keeps the samples inside r > -1 and spreads them evenly
 * over the rates that matter: they run from 1 + r just above 0 (samples that round to
 * r = -1 evaluate to NaN and are skipped) up to 1 + r ≈ e^700, near the largest double.
 */
const BRACKET_OFFSETS: readonly number[] = (() => {
  const out: number[] = [];
  for (let d = 0.01; d < 700; d *= 1.5) out.push(d);
  return out;
})();

const BRENT_MAX_ITERATIONS = 1000;
/** Absolute resolution of a rate near 0, where a relative one would never be reached. */
const RATE_RESOLUTION = 1e-17;

export interface SolveOptions {
  /** Starting rate for Newton; must be > -1. */
  guess: number;
  /** Newton steps before switching to the bracketing fallback. */
  newtonIterations: number;
}

function isConverged(p: RateEquationPoint): boolean {
  // A point where every term has vanished (1 + r underflowing to 0) is not a root, just
  // the edge of what doubles can represent.
  return Number.isFinite(p.value) && p.magnitude > 0 && Math.abs(p.value) <= RESIDUAL_TOLERANCE * p.magnitude;
}

/** Solves f(r) = 0 for r > -1; undefined when no root could be found. */
export function solveRate(equation: RateEquation, options: SolveOptions): number | undefined {
  const found =
    newton(equation, options.guess, options.newtonIterations) ?? bracketAndRefine(equation, options.guess);
  if (found === undefined || !(found > -1) || !Number.isFinite(found)) return undefined;
  return polish(equation, found);
}

function relativeResidual(p: RateEquationPoint): number {
  return p.magnitude > 0 ? Math.abs(p.value) / p.magnitude : Infinity;
}

/**
 * One more Newton step from an accepted root, kept only if it lowers the residual. The
 * tolerance decides when to stop searching; this step, nearly free once Newton is in its
 * quadratic range, brings the rate to within rounding of the true root.
 */
function polish(equation: RateEquation, r: number): number {
  const p = equation(r);
  if (!Number.isFinite(p.slope) || p.slope === 0 || p.value === 0) return r;
  const next = r - p.value / p.slope;
  if (!(next > -1) || !Number.isFinite(next)) return r;
  const q = equation(next);
  return Number.isFinite(q.value) && relativeResidual(q) < relativeResidual(p) ? next : r;
}

function newton(equation: RateEquation, guess: number, maxIterations: number): number | undefined {
  let r = guess;
  for (let i = 0; ; i++) {
    const p = equation(r);
    if (!Number.isFinite(p.value) || !Number.isFinite(p.magnitude)) return undefined;
    if (isConverged(p)) return r;
    if (i >= maxIterations || !Number.isFinite(p.slope) || p.slope === 0) return undefined;
    let next = r - p.value / p.slope;
    // A step to r <= -1 leaves the domain ((1 + r) must stay positive); go halfway to the
    // boundary instead so the iteration can still approach a root close to -100%.
    if (!(next > -1)) next = (r - 1) / 2;
    // Once halving rounds to -1 itself, Newton is chasing the boundary, not a root.
    if (!(next > -1) || !Number.isFinite(next) || Math.abs(next) > MAX_RATE) return undefined;
    r = next;
  }
}

interface Sample {
  rate: number;
  point: RateEquationPoint;
}

const OUT_OF_DOMAIN: RateEquationPoint = { value: Number.NaN, slope: Number.NaN, magnitude: Number.NaN };

function sample(equation: RateEquation, logGrowth: number): Sample {
  const rate = Math.expm1(logGrowth);
  // Far enough below the guess 1 + r rounds to 0; such samples cannot bracket a root.
  return { rate, point: rate > -1 && Number.isFinite(rate) ? equation(rate) : OUT_OF_DOMAIN };
}

function straddles(a: Sample, b: Sample): boolean {
  const fa = a.point.value;
  const fb = b.point.value;
  return Number.isFinite(fa) && Number.isFinite(fb) && Math.sign(fa) * Math.sign(fb) < 0;
}

/**
 * Walks outwards from the guess, alternating sides, and refines the first sign change
 * found — the root nearest the guess, in the spirit of Excel's "try another guess".
 */
function bracketAndRefine(equation: RateEquation, guess: number): number | undefined {
  const x0 = Math.log1p(guess);
  const centre = sample(equation, x0);
  if (isConverged(centre.point)) return centre.rate;
  let up = centre;
  let down = centre;
  for (const d of BRACKET_OFFSETS) {
    const nextUp = sample(equation, x0 + d);
    if (isConverged(nextUp.point)) return nextUp.rate;
    if (straddles(up, nextUp)) return brent(equation, up, nextUp);
    up = nextUp;

    const nextDown = sample(equation, x0 - d);
    if (isConverged(nextDown.point)) return nextDown.rate;
    if (straddles(nextDown, down)) return brent(equation, nextDown, down);
    down = nextDown;
  }
  return undefined;
}

/**
 * Brent's method (van Wijngaarden–Dekker–Brent) on a bracket [a, b] with f(a), f(b) of
 * opposite signs. Both ends lie in r > -1, so every iterate does too.
 */
function brent(equation: RateEquation, lo: Sample, hi: Sample): number {
  let a = lo.rate;
  let b = hi.rate;
  let fa = lo.point.value;
  let fb = hi.point.value;
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iter = 0; iter < BRENT_MAX_ITERATIONS; iter++) {
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol = 2 * Number.EPSILON * Math.abs(b) + 0.5 * RATE_RESOLUTION;
    const half = 0.5 * (c - b);
    if (Math.abs(half) <= tol || fb === 0) return b;
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb)) {
      // Inverse quadratic interpolation, or the secant step when only two points differ.
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * half * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const rb = fb / fc;
        p = s * (2 * half * qa * (qa - rb) - (b - a) * (rb - 1));
        q = (qa - 1) * (rb - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      p = Math.abs(p);
      if (2 * p < Math.min(3 * half * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = half;
        e = d;
      }
    } else {
      d = half;
      e = d;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : Math.sign(half) * tol;
    const point = equation(b);
    if (isConverged(point)) return b;
    fb = point.value;
  }
  // The bracket has been shrinking all along; b is the best estimate of the crossing.
  return b;
}
