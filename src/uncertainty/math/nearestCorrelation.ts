/**
 * Correlation-matrix validation and repair.
 *
 * Users type correlation matrices by hand ("revenue and capex: 0.9, capex and
 * rates: -0.9, ...") and the result is often not positive semidefinite — no
 * joint distribution has those correlations. `nearestCorrelation` finds the
 * nearest (Frobenius norm) correlation matrix with Higham's (2002)
 * alternating projections method with Dykstra's correction, and reports how
 * much each entry moved so the caller can warn about it.
 *
 * Reference: N. J. Higham, "Computing the nearest correlation matrix — a
 * problem from finance", IMA J. Numer. Anal. 22 (2002) 329–343.
 */

import { fromEigen, minEigenvalueOf, symmetricEigen, toRows, type MatrixInput } from "./linalg.js";

export type CorrelationProblemCode = "not_square" | "not_symmetric" | "out_of_range" | "diagonal_not_one";

export interface CorrelationProblem {
  /** row index (0-based) */
  readonly row: number;
  /** column index (0-based); -1 for whole-row problems (not_square) */
  readonly col: number;
  readonly code: CorrelationProblemCode;
  readonly message: string;
}

/**
 * Structural problems of a would-be correlation matrix: non-square rows,
 * asymmetric pairs (reported once, for row < col), entries outside [-1, 1]
 * or non-finite (out_of_range), and diagonal entries other than 1.
 * Positive semidefiniteness is checked separately (`isPositiveSemidefinite`).
 */
export function validateCorrelation(matrix: MatrixInput, tolerance = 1e-12): CorrelationProblem[] {
  const problems: CorrelationProblem[] = [];
  const d = matrix.length;
  let square = true;
  for (let i = 0; i < d; i++) {
    const len = matrix[i]?.length ?? 0;
    if (len !== d) {
      square = false;
      problems.push({
        row: i,
        col: -1,
        code: "not_square",
        message: `row ${i + 1} has ${len} entries but the matrix has ${d} rows; a correlation matrix must be square`,
      });
    }
  }
  if (!square) return problems;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const v = matrix[i][j];
      if (i === j) {
        if (!(Math.abs(v - 1) <= tolerance)) {
          problems.push({ row: i, col: j, code: "diagonal_not_one", message: `diagonal entry (${i + 1},${i + 1}) is ${v}; it must be 1` });
        }
        continue;
      }
      if (!(v >= -1 - tolerance && v <= 1 + tolerance)) {
        problems.push({
          row: i,
          col: j,
          code: "out_of_range",
          message: Number.isFinite(v)
            ? `entry (${i + 1},${j + 1}) is ${v}; correlations must be between -1 and 1`
            : `entry (${i + 1},${j + 1}) is ${v}; it must be a finite number between -1 and 1`,
        });
      }
      if (j > i) {
        const w = matrix[j][i];
        if (!(Math.abs(v - w) <= tolerance)) {
          problems.push({
            row: i,
            col: j,
            code: "not_symmetric",
            message: `entries (${i + 1},${j + 1}) = ${v} and (${j + 1},${i + 1}) = ${w} differ; a correlation matrix must be symmetric`,
          });
        }
      }
    }
  }
  return problems;
}

function toSymmetric(matrix: MatrixInput): { data: Float64Array; d: number } {
  const d = matrix.length;
  const data = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    if ((matrix[i]?.length ?? 0) !== d) throw new RangeError(`matrix must be square: row ${i + 1} has ${matrix[i]?.length ?? 0} entries, expected ${d}`);
  }
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const v = 0.5 * (matrix[i][j] + matrix[j][i]);
      if (!Number.isFinite(v)) throw new RangeError(`entry (${i + 1},${j + 1}) is not a finite number`);
      data[i * d + j] = v;
    }
  }
  return { data, d };
}

/** Smallest eigenvalue of the (symmetrised) matrix. */
export function minEigenvalue(matrix: MatrixInput): number {
  const { data, d } = toSymmetric(matrix);
  return minEigenvalueOf(data, d);
}

/**
 * True when the matrix is square, symmetric and its smallest eigenvalue is
 * >= -tolerance * max(1, largest |eigenvalue|).
 */
export function isPositiveSemidefinite(matrix: MatrixInput, tolerance = 1e-10): boolean {
  const d = matrix.length;
  for (let i = 0; i < d; i++) if ((matrix[i]?.length ?? 0) !== d) return false;
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      if (!(Math.abs(matrix[i][j] - matrix[j][i]) <= 1e-12)) return false;
    }
  }
  const { data } = toSymmetric(matrix);
  if (d === 0) return true;
  const { values } = symmetricEigen(data, d);
  const scale = Math.max(1, Math.abs(values[0]), Math.abs(values[d - 1]));
  return values[0] >= -tolerance * scale;
}

export interface CorrelationChange {
  readonly row: number;
  readonly col: number;
  readonly from: number;
  readonly to: number;
  /** to - from */
  readonly delta: number;
}

export interface NearestCorrelationOptions {
  /** Convergence tolerance on relative successive changes (default 1e-12). */
  readonly tolerance?: number;
  /** Iteration cap (default 10 000). */
  readonly maxIterations?: number;
  /**
   * Lower bound for the eigenvalues of the result (default 0). A small
   * positive value (e.g. 1e-8) yields a strictly positive definite matrix.
   */
  readonly minEigenvalue?: number;
  /** Entries that moved by at most this much are not listed in `changes` (default 1e-12). */
  readonly changeThreshold?: number;
}

export interface NearestCorrelationResult {
  /** The repaired correlation matrix (unit diagonal, PSD). A copy of the input if it was already valid. */
  readonly matrix: number[][];
  /** Entries (row <= col) that moved by more than `changeThreshold`, largest move first. */
  readonly changes: CorrelationChange[];
  /** false when the input was already a valid correlation matrix (returned unchanged). */
  readonly changed: boolean;
  readonly iterations: number;
  readonly converged: boolean;
  /** max |delta| over all entries */
  readonly maxAbsChange: number;
  /** Frobenius distance between input and result */
  readonly distance: number;
  /** smallest eigenvalue of the result */
  readonly minEigenvalue: number;
}

function projectPsd(r: Float64Array, d: number, floor: number): Float64Array {
  const { values, vectors } = symmetricEigen(r, d);
  for (let k = 0; k < d; k++) if (values[k] < floor) values[k] = floor;
  return fromEigen(values, vectors, d);
}

function frobenius(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

function frobeniusDiff(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const t = a[i] - b[i];
    s += t * t;
  }
  return Math.sqrt(s);
}

/**
 * Nearest correlation matrix (Higham 2002, unweighted Frobenius norm):
 * alternate the projection onto the PSD cone (eigenvalues clipped at
 * `minEigenvalue`), with Dykstra's correction, and the projection onto unit-
 * diagonal matrices until successive iterates agree to `tolerance`. A final
 * clean-up clips eigenvalues once more and rescales to an exact unit diagonal
 * so the result is PSD to rounding and Cholesky-factorisable.
 *
 * Asymmetric input is first symmetrised as (A + Aᵀ)/2. A matrix that is
 * already a valid correlation matrix (unit diagonal, entries in [-1, 1], PSD)
 * is returned unchanged with no changes listed.
 */
export function nearestCorrelation(matrix: MatrixInput, options: NearestCorrelationOptions = {}): NearestCorrelationResult {
  const tol = options.tolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 10000;
  const floor = options.minEigenvalue ?? 0;
  const threshold = options.changeThreshold ?? 1e-12;
  const { data: a, d } = toSymmetric(matrix);

  const structural = validateCorrelation(matrix, 0);
  if (structural.length === 0 && d > 0) {
    const { values } = symmetricEigen(a, d);
    if (values[0] >= floor - 1e-14 * Math.max(1, Math.abs(values[d - 1]))) {
      return {
        matrix: matrix.map((row) => Array.from(row)),
        changes: [],
        changed: false,
        iterations: 0,
        converged: true,
        maxAbsChange: 0,
        distance: 0,
        minEigenvalue: values[0],
      };
    }
  }
  if (d === 0) {
    return { matrix: [], changes: [], changed: false, iterations: 0, converged: true, maxAbsChange: 0, distance: 0, minEigenvalue: Infinity };
  }

  let y: Float64Array = Float64Array.from(a);
  let x: Float64Array = new Float64Array(d * d);
  const dS = new Float64Array(d * d);
  const r = new Float64Array(d * d);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    for (let i = 0; i < r.length; i++) r[i] = y[i] - dS[i];
    const xNew = projectPsd(r, d, floor);
    for (let i = 0; i < r.length; i++) dS[i] = xNew[i] - r[i];
    const yNew = Float64Array.from(xNew);
    for (let i = 0; i < d; i++) yNew[i * d + i] = 1;
    const normY = frobenius(yNew);
    const dx = frobeniusDiff(xNew, x) / frobenius(xNew);
    const dy = frobeniusDiff(yNew, y) / normY;
    const dxy = frobeniusDiff(yNew, xNew) / normY;
    x = xNew;
    y = yNew;
    if (Math.max(dx, dy, dxy) <= tol) {
      converged = true;
      break;
    }
  }

  // Clean-up: make the result exactly unit-diagonal and PSD (to rounding).
  const { values, vectors } = symmetricEigen(y, d);
  for (let k = 0; k < d; k++) if (values[k] < floor) values[k] = floor;
  const z = fromEigen(values, vectors, d);
  const scale = new Float64Array(d);
  for (let i = 0; i < d; i++) scale[i] = 1 / Math.sqrt(z[i * d + i]);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let v = i === j ? 1 : z[i * d + j] * scale[i] * scale[j];
      if (v > 1) v = 1;
      else if (v < -1) v = -1;
      z[i * d + j] = v;
    }
  }
  // exact symmetry
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) z[j * d + i] = z[i * d + j];

  const changes: CorrelationChange[] = [];
  let maxAbsChange = 0;
  let dist2 = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const from = matrix[i][j];
      const to = z[i * d + j];
      const delta = to - from;
      dist2 += delta * delta;
      if (Math.abs(delta) > maxAbsChange) maxAbsChange = Math.abs(delta);
      if (j >= i && Math.abs(delta) > threshold) changes.push({ row: i, col: j, from, to, delta });
    }
  }
  changes.sort((p, q) => Math.abs(q.delta) - Math.abs(p.delta));
  return {
    matrix: toRows(z, d),
    changes,
    changed: true,
    iterations,
    converged,
    maxAbsChange,
    distance: Math.sqrt(dist2),
    minEigenvalue: minEigenvalueOf(z, d),
  };
}
