/** Cholesky factorisation, apart from linalg.ts so that sampling does not load ml-matrix. */
/**
 * Cholesky factor L (lower triangular, row-major) with A = L Lᵀ, tolerant of
 * positive *semi*definite input: a pivot within `tol` of zero yields a zero
 * column (valid when the matrix really is PSD, e.g. perfectly correlated
 * variables). Returns null when A is not PSD (pivot < -tol).
 */
export function cholesky(a: Float64Array, d: number, tol = 1e-10): Float64Array | null {
  const l = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j];
    for (let k = 0; k < j; k++) s -= l[j * d + k] * l[j * d + k];
    const scale = Math.max(1, Math.abs(a[j * d + j]));
    if (s < -tol * scale) return null;
    if (s <= tol * scale) {
      // zero pivot: the rest of column j must be (numerically) zero as well
      for (let i = j + 1; i < d; i++) {
        let t = a[i * d + j];
        for (let k = 0; k < j; k++) t -= l[i * d + k] * l[j * d + k];
        if (Math.abs(t) > Math.sqrt(tol) * scale) return null;
        l[i * d + j] = 0;
      }
      continue;
    }
    const ljj = Math.sqrt(s);
    l[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j];
      for (let k = 0; k < j; k++) t -= l[i * d + k] * l[j * d + k];
      l[i * d + j] = t / ljj;
    }
  }
  return l;
}
