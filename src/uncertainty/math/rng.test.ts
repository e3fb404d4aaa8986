import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RandomStream } from "./rng.js";
import { normalCdf } from "./special.js";
import { ksTest, pearson } from "./stats.js";

function draw(r: RandomStream, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.nextUniform());
  return out;
}

describe("RandomStream", () => {
  it("implements xoshiro128** (reference vector from state [1,2,3,4])", () => {
    const r = new RandomStream().setState([1, 2, 3, 4]);
    const got = Array.from({ length: 8 }, () => r.nextUint32());
    expect(got).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
  });

  it("gives identical sequences for the same (seed, path, stream)", () => {
    const a = draw(new RandomStream(12345, 17), 1000);
    const b = draw(new RandomStream(12345, 17), 1000);
    expect(a).toEqual(b);
    // reset in place reproduces a fresh stream, whatever was drawn before
    const r = new RandomStream(1, 1);
    draw(r, 37);
    r.reset(12345, 17);
    expect(draw(r, 1000)).toEqual(a);
  });

  it("is independent of evaluation order (paths evaluated in any order/worker give the same numbers)", () => {
    const forward = new Map<number, number[]>();
    const r = new RandomStream(9, 0);
    for (let p = 0; p < 50; p++) forward.set(p, draw(r.reset(9, p), 5));
    const other = new RandomStream(0, 0);
    for (let p = 49; p >= 0; p--) expect(draw(other.reset(9, p), 5)).toEqual(forward.get(p));
  });

  it("gives different sequences for different paths, seeds and streams", () => {
    const base = draw(new RandomStream(7, 0), 20);
    expect(draw(new RandomStream(7, 1), 20)).not.toEqual(base);
    expect(draw(new RandomStream(8, 0), 20)).not.toEqual(base);
    expect(draw(new RandomStream(7, 0, 1), 20)).not.toEqual(base);
    // high bits of large integers matter
    expect(draw(new RandomStream(7, 2 ** 40), 20)).not.toEqual(base);
    expect(draw(new RandomStream(7 + 2 ** 40, 0), 20)).not.toEqual(base);
    expect(draw(new RandomStream(-7, 0), 20)).not.toEqual(base);
  });

  it("has no duplicate starting states across many paths", () => {
    const seen = new Set<string>();
    const r = new RandomStream(0, 0);
    for (let p = 0; p < 100_000; p++) {
      r.reset(42, p);
      seen.add(r.getState().join(","));
    }
    expect(seen.size).toBe(100_000);
  });

  it("rejects non-integer seeds/paths", () => {
    expect(() => new RandomStream(1.5, 0)).toThrow(RangeError);
    expect(() => new RandomStream(1, NaN)).toThrow(RangeError);
    expect(() => new RandomStream(1, 0, 2 ** 60)).toThrow(RangeError);
  });

  it("produces uniforms strictly inside (0, 1) that pass a KS test", () => {
    const r = new RandomStream(2024, 3);
    const u = draw(r, 10_000);
    for (const v of u) {
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThan(1);
    }
    const res = ksTest(u, (x) => Math.min(1, Math.max(0, x)), 0.001);
    expect(res.reject).toBe(false);
  });

  it("produces standard normals (inverse CDF) that pass a KS test", () => {
    const r = new RandomStream(99, 0);
    const z = Array.from({ length: 10_000 }, () => r.nextNormal());
    const res = ksTest(z, normalCdf, 0.001);
    expect(res.reject).toBe(false);
    // one uniform per normal: stream position is deterministic
    const a = new RandomStream(5, 5);
    const b = new RandomStream(5, 5);
    a.nextNormal();
    b.nextUniform();
    expect(a.nextUniform()).toBe(b.nextUniform());
  });

  it("first draws of neighbouring paths are uncorrelated", () => {
    const r = new RandomStream(0, 0);
    const x: number[] = [];
    const y: number[] = [];
    for (let p = 0; p < 10_000; p++) {
      x.push(r.reset(1, p).nextUniform());
      y.push(r.reset(1, p + 1).nextUniform());
    }
    expect(Math.abs(pearson(x, y))).toBeLessThan(0.04);
    const s0: number[] = [];
    const s1: number[] = [];
    for (let p = 0; p < 10_000; p++) {
      s0.push(r.reset(1, p, 0).nextUniform());
      s1.push(r.reset(1, p, 1).nextUniform());
    }
    expect(Math.abs(pearson(s0, s1))).toBeLessThan(0.04);
  });

  it("nextInt stays in range and fill helpers match sequential draws", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 1000 }), (seed, n) => {
        const r = new RandomStream(seed, 0);
        for (let i = 0; i < 20; i++) {
          const k = r.nextInt(n);
          expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
    const a = new RandomStream(3, 4).fillUniform(new Float64Array(10));
    const b = draw(new RandomStream(3, 4), 10);
    expect(Array.from(a)).toEqual(b);
  });
});
