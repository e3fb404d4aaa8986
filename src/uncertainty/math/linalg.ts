/**
 * Small dense linear-algebra helpers for correlation matrices (d is small:
 * tens of variables). Matrices are row-major Float64Arrays of length d*d.
 * The symmetric eigen decomposition is delegated to ml-matrix (Householder
 * tridiagonalisation + QL, pure JS, browser-safe).
 */

import { EigenvalueDecomposition, Matrix } from "ml-matrix";

/** A square matrix given as rows (number[][] or typed-array rows). */
export type MatrixInput = ReadonlyArray<ArrayLike<number>>;

/** Copy a square MatrixInput into a row-major Float64Array. Throws if not square. */
export function toRowMajor(m: MatrixInput): { data: Float64Array; d: number } {
  const d = m.length;
  const data = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const row = m[i];
    if (row === undefined || row === null || row.length !== d) {
      throw new RangeError(`matrix must be square: row ${i} has ${row?.length ?? 0} entries, expected ${d}`);
    }
    for (let j = 0; j < d; j++) data[i * d + j] = row[j];
  }
  return { data, d };
}

/** Row-major Float64Array -> number[][]. */
export function toRows(data: Float64Array, d: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < d; i++) rows.push(Array.from(data.subarray(i * d, (i + 1) * d)));
  return rows;
}

export { cholesky } from "./cholesky.js";

export interface SymmetricEigen {
  /** eigenvalues, ascending */
  values: Float64Array;
  /** eigenvectors as columns of a row-major d×d matrix: vectors[i*d + k] is component i of eigenvector k */
  vectors: Float64Array;
}

/** Eigen decomposition of a symmetric matrix (row-major). */
export function symmetricEigen(a: Float64Array, d: number): SymmetricEigen {
  const rows: number[][] = [];
  for (let i = 0; i < d; i++) {
    const row = new Array<number>(d);
    for (let j = 0; j < d; j++) row[j] = 0.5 * (a[i * d + j] + a[j * d + i]);
    rows.push(row);
  }
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const raw = evd.realEigenvalues;
  const vec = evd.eigenvectorMatrix;
  const order = raw.map((_, i) => i).sort((x, y) => raw[x] - raw[y]);
  const values = new Float64Array(d);
  const vectors = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const src = order[k];
    values[k] = raw[src];
    for (let i = 0; i < d; i++) vectors[i * d + k] = vec.get(i, src);
  }
  return { values, vectors };
}

/** V diag(λ) Vᵀ into a new row-major matrix. */
export function fromEigen(values: Float64Array, vectors: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += vectors[i * d + k] * values[k] * vectors[j * d + k];
      out[i * d + j] = s;
      out[j * d + i] = s;
    }
  }
  return out;
}

/** Smallest eigenvalue of a symmetric matrix. */
export function minEigenvalueOf(a: Float64Array, d: number): number {
  if (d === 0) return Infinity;
  return symmetricEigen(a, d).values[0];
}
