import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPositiveSemidefinite, minEigenvalue, nearestCorrelation, validateCorrelation } from "./nearestCorrelation.js";
import { RandomStream } from "./rng.js";

const BAD = [
  [1, 0.9, 0.7],
  [0.9, 1, -0.9],
  [0.7, -0.9, 1],
];

function frob(a: number[][], b: number[][]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < a.length; j++) s += (a[i][j] - b[i][j]) ** 2;
  return Math.sqrt(s);
}

/** A random correlation matrix: Gram matrix of random unit vectors. */
function randomCorrelation(d: number, rng: RandomStream): number[][] {
  const v: number[][] = [];
  for (let i = 0; i < d; i++) {
    const row = Array.from({ length: d }, () => rng.nextNormal());
    const norm = Math.hypot(...row);
    v.push(row.map((x) => x / norm));
  }
  return v.map((a) => v.map((b) => (a === b ? 1 : a.reduce((s, x, k) => s + x * b[k], 0))));
}

function expectCorrelationMatrix(m: number[][]): void {
  expect(validateCorrelation(m, 1e-12)).toEqual([]);
  expect(isPositiveSemidefinite(m, 1e-12)).toBe(true);
  for (let i = 0; i < m.length; i++) expect(m[i][i]).toBe(1);
}

describe("nearestCorrelation (Higham 2002)", () => {
  it("repairs the classic inconsistent 3×3 matrix", () => {
    expect(isPositiveSemidefinite(BAD)).toBe(false);
    expect(minEigenvalue(BAD)).toBeLessThan(-0.5);
    const res = nearestCorrelation(BAD);
    expect(res.converged).toBe(true);
    expect(res.changed).toBe(true);
    expectCorrelationMatrix(res.matrix);
    // nearest answer (confirmed independently by minimising ||V Vᵀ - A||_F over unit-row V with BFGS)
    expect(res.matrix[0][1]).toBeCloseTo(0.553577015, 6);
    expect(res.matrix[0][2]).toBeCloseTo(0.387104977, 6);
    expect(res.matrix[1][2]).toBeCloseTo(-0.553577015, 6);
    expect(res.distance).toBeCloseTo(Math.sqrt(0.6758421290724721), 6);
    // per-entry changes, largest first, for warnings like "entry (i,j) moved by x"
    expect(res.changes.map((c) => [c.row, c.col])).toEqual([
      [0, 1],
      [1, 2],
      [0, 2],
    ]);
    const c01 = res.changes[0];
    expect(c01.from).toBe(0.9);
    expect(c01.to).toBe(res.matrix[0][1]);
    expect(c01.delta).toBeCloseTo(0.553577015 - 0.9, 6);
    expect(res.maxAbsChange).toBeCloseTo(0.9 - 0.553577015, 6);
  });

  it("is optimal: <A − X, Y − X> <= 0 for feasible Y (variational inequality)", () => {
    const x = nearestCorrelation(BAD).matrix;
    const rng = new RandomStream(11, 0);
    for (let k = 0; k < 2000; k++) {
      const y = randomCorrelation(3, rng);
      let ip = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) ip += (BAD[i][j] - x[i][j]) * (y[i][j] - x[i][j]);
      expect(ip).toBeLessThan(1e-8);
    }
  });

  it("matches the published NAG g02aa / Higham example", () => {
    const a = [
      [2, -1, 0, 0],
      [-1, 2, -1, 0],
      [0, -1, 2, -1],
      [0, 0, -1, 2],
    ];
    const expected = [
      [1, -0.8084125, 0.1915875, 0.10677505],
      [-0.8084125, 1, -0.65623269, 0.1915875],
      [0.1915875, -0.65623269, 1, -0.8084125],
      [0.10677505, 0.1915875, -0.8084125, 1],
    ];
    const res = nearestCorrelation(a);
    expectCorrelationMatrix(res.matrix);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(Math.abs(res.matrix[i][j] - expected[i][j])).toBeLessThan(1e-7);
    // diagonal changes are reported too
    expect(res.changes.some((c) => c.row === 0 && c.col === 0 && c.delta === -1)).toBe(true);
  });

  it("matches Higham's (2002) 3×3 example", () => {
    const res = nearestCorrelation([
      [1, 1, 0],
      [1, 1, 1],
      [0, 1, 1],
    ]);
    expect(res.matrix[0][1]).toBeCloseTo(0.76068985, 7);
    expect(res.matrix[1][2]).toBeCloseTo(0.76068985, 7);
    expect(res.matrix[0][2]).toBeCloseTo(0.15729811, 7);
  });

  it("returns a valid matrix unchanged", () => {
    const valid = [
      [1, 0.3, -0.2],
      [0.3, 1, 0.5],
      [-0.2, 0.5, 1],
    ];
    const res = nearestCorrelation(valid);
    expect(res.changed).toBe(false);
    expect(res.changes).toEqual([]);
    expect(res.matrix).toEqual(valid);
    expect(res.matrix).not.toBe(valid);
    expect(res.iterations).toBe(0);
    // singular but PSD is valid too
    const singular = [
      [1, 1],
      [1, 1],
    ];
    expect(nearestCorrelation(singular).changed).toBe(false);
  });

  it("can enforce a minimum eigenvalue", () => {
    const res = nearestCorrelation(BAD, { minEigenvalue: 1e-4 });
    expectCorrelationMatrix(res.matrix);
    expect(res.minEigenvalue).toBeGreaterThan(5e-5);
  });

  it("symmetrises asymmetric input and rejects non-square input", () => {
    const res = nearestCorrelation([
      [1, 0.5],
      [0.3, 1],
    ]);
    expectCorrelationMatrix(res.matrix);
    expect(res.matrix[0][1]).toBeCloseTo(0.4, 12);
    expect(() => nearestCorrelation([[1, 0], [0]])).toThrow(RangeError);
  });

  it("property: result is a correlation matrix no farther from A than the identity", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 7 }), fc.integer({ min: 0, max: 1e9 }), (d, seed) => {
        const rng = new RandomStream(seed, 0);
        const a: number[][] = Array.from({ length: d }, () => new Array<number>(d).fill(1));
        for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) a[i][j] = a[j][i] = 2 * rng.nextUniform() - 1;
        const res = nearestCorrelation(a);
        expectCorrelationMatrix(res.matrix);
        const identity = a.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
        expect(res.distance).toBeLessThanOrEqual(frob(a, identity) + 1e-9);
        // idempotent: repairing the result changes nothing
        expect(nearestCorrelation(res.matrix).changed).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});

describe("validateCorrelation", () => {
  it("accepts a valid matrix", () => {
    expect(
      validateCorrelation([
        [1, 0.2],
        [0.2, 1],
      ]),
    ).toEqual([]);
  });

  it("reports each kind of problem with its position", () => {
    const problems = validateCorrelation([
      [1, 0.5, 1.5],
      [0.4, 0.9, 0],
      [1.5, 0, 1],
    ]);
    const summary = problems.map((p) => [p.code, p.row, p.col]);
    expect(summary).toContainEqual(["not_symmetric", 0, 1]);
    expect(summary).toContainEqual(["out_of_range", 0, 2]);
    expect(summary).toContainEqual(["out_of_range", 2, 0]);
    expect(summary).toContainEqual(["diagonal_not_one", 1, 1]);
    expect(summary).not.toContainEqual(["not_symmetric", 0, 2]);
    for (const p of problems) expect(p.message.length).toBeGreaterThan(10);
    expect(validateCorrelation([[1, 0], [0]]).map((p) => [p.code, p.row])).toEqual([["not_square", 1]]);
    expect(validateCorrelation([[1, NaN], [NaN, 1]]).some((p) => p.code === "out_of_range")).toBe(true);
  });
});

describe("isPositiveSemidefinite", () => {
  it("classifies matrices", () => {
    expect(isPositiveSemidefinite([[1, 0], [0, 1]])).toBe(true);
    expect(isPositiveSemidefinite([[1, 1], [1, 1]])).toBe(true);
    expect(isPositiveSemidefinite(BAD)).toBe(false);
    expect(isPositiveSemidefinite([[1, 0.5], [0.4, 1]])).toBe(false);
    expect(isPositiveSemidefinite([[1, 0], [0]])).toBe(false);
  });
});
