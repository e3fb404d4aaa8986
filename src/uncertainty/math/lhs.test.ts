import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { latinHypercube, randomPermutation } from "./lhs.js";
import { RandomStream } from "./rng.js";
import { ksTest, pearson } from "./stats.js";

/** true if column j of the design has exactly one point in each stratum [k/n, (k+1)/n). */
function onePerStratum(design: Float64Array, n: number, j: number): boolean {
  const col = Float64Array.from(design.subarray(j * n, (j + 1) * n)).sort();
  for (let k = 0; k < n; k++) {
    const u = col[k];
    if (!(u >= k / n && u < (k + 1) / n)) return false;
  }
  return true;
}

describe("latinHypercube", () => {
  it("puts exactly one sample per stratum in every dimension", () => {
    const n = 1000;
    const d = 6;
    const design = latinHypercube(n, d, new RandomStream(1, 0));
    expect(design.length).toBe(n * d);
    for (let j = 0; j < d; j++) expect(onePerStratum(design, n, j)).toBe(true);
    for (const u of design) {
      expect(u).toBeGreaterThan(0);
      expect(u).toBeLessThan(1);
    }
  });

  it("one per stratum for any n, d and seed (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 2 ** 31 }), (n, d, seed) => {
        const design = latinHypercube(n, d, new RandomStream(seed, 7));
        for (let j = 0; j < d; j++) expect(onePerStratum(design, n, j)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it("keeps samples strictly inside their stratum even for uniforms next to 1", () => {
    // a stream whose uniforms are the largest possible value, 1 - 2^-53
    const stub = { nextUniform: () => 1 - 2 ** -53, nextInt: (k: number) => k - 1 } as unknown as RandomStream;
    const n = 7;
    const design = latinHypercube(n, 1, stub);
    expect(onePerStratum(design, n, 0)).toBe(true);
    for (const u of design) expect(u).toBeLessThan(1);
  });

  it("is reproducible for a seed and differs across seeds", () => {
    const a = latinHypercube(100, 3, new RandomStream(5, 0));
    const b = latinHypercube(100, 3, new RandomStream(5, 0));
    const c = latinHypercube(100, 3, new RandomStream(6, 0));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it("permutes dimensions independently (no spurious correlation) and is uniform", () => {
    const n = 10_000;
    const design = latinHypercube(n, 3, new RandomStream(9, 9));
    const col = (j: number) => design.subarray(j * n, (j + 1) * n);
    expect(Math.abs(pearson(col(0), col(1)))).toBeLessThan(0.04);
    expect(Math.abs(pearson(col(1), col(2)))).toBeLessThan(0.04);
    // far more uniform than random sampling: KS statistic ≤ 1/n
    const ks = ksTest(col(0), (x) => x);
    expect(ks.statistic).toBeLessThanOrEqual(1 / n + 1e-12);
  });

  it("centered option uses stratum midpoints; buffers are reused", () => {
    const n = 4;
    const out = new Float64Array(8);
    const scratch = new Uint32Array(4);
    const design = latinHypercube(n, 2, new RandomStream(1, 1), { centered: true, out, scratch });
    expect(design).toBe(out);
    expect(Array.from(design.subarray(0, 4)).sort()).toEqual([0.125, 0.375, 0.625, 0.875]);
    expect(() => latinHypercube(0, 2, new RandomStream(1, 1))).toThrow(RangeError);
    expect(() => latinHypercube(4, 2, new RandomStream(1, 1), { out: new Float64Array(3) })).toThrow(RangeError);
  });

  it("randomPermutation is a permutation", () => {
    const p = randomPermutation(500, new RandomStream(3, 3));
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });
});
