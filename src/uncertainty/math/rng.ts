/**
 * Reproducible, per-path random streams.
 *
 * Design: "counter-like" seeding instead of one shared sequential generator.
 * The generator for a Monte Carlo path is *derived* from the triple
 * (seed, pathIndex, streamId) by hashing it into a fresh 128-bit state. It
 * never depends on how many numbers were drawn before, on which worker thread
 * runs the path, or on the order in which paths are scheduled. Hence:
 *
 *   - results are bit-for-bit reproducible for a given seed, whatever the
 *     number of workers or the batch boundaries;
 *   - workers never share (or have to coordinate) a generator;
 *   - a path can be re-run in isolation (e.g. to explain an outlier) by
 *     calling `reset(seed, path)`.
 *
 * `streamId` gives independent sub-streams within one path (e.g. one per
 * model component), so adding draws to one component does not shift the
 * random numbers used by another.
 *
 * Seeding hashes the inputs four times with different keys (MurmurHash3
 * body + fmix32 finaliser) to fill the four 32-bit words of the state, so two
 * different (seed, path, stream) triples collide only if all 128 bits
 * collide — a single 32-bit hash would produce birthday collisions (identical
 * paths) after ~65k paths.
 *
 * The generator is xoshiro128** (Blackman & Vigna, 2018): 128-bit state,
 * period 2^128 - 1, passes BigCrush, and uses only 32-bit integer ops
 * (`Math.imul`, shifts), which V8 compiles to fast int32 code.
 *
 * Everything is allocation-free after construction; `reset` re-seeds in place.
 */

import { normalQuantile } from "./special.js";

const TWO_POW_32 = 4294967296;
const TWO_POW_MINUS_52 = 2.220446049250313e-16; // 2^-52

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** MurmurHash3 x86_32 block step: absorb one 32-bit word `k` into `h`. */
function murmurMix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3 finaliser (also the splitmix32 output function): full avalanche. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Distinct keys for the four state words (digits of pi, as in many hash suites). */
const KEY0 = 0x243f6a88 | 0;
const KEY1 = 0x85a308d3 | 0;
const KEY2 = 0x13198a2e | 0;
const KEY3 = 0x03707344 | 0;

function hashTriple(key: number, seedLo: number, seedHi: number, pathLo: number, pathHi: number, stream: number): number {
  let h = key;
  h = murmurMix(h, seedLo);
  h = murmurMix(h, seedHi);
  h = murmurMix(h, pathLo);
  h = murmurMix(h, pathHi);
  h = murmurMix(h, stream);
  h ^= 20; // length in bytes, as in MurmurHash3
  return fmix32(h);
}

function checkIndex(name: string, v: number): void {
  if (!Number.isSafeInteger(v)) {
    throw new RangeError(`${name} must be a safe integer (got ${v})`);
  }
}

/** Low / high 32-bit halves of a safe integer (two's complement for negatives). */
function lo32(v: number): number {
  return v | 0;
}
function hi32(v: number): number {
  return Math.floor(v / TWO_POW_32) | 0;
}

/**
 * A reproducible random stream for one (seed, path, stream) triple.
 * Create one per worker and `reset` it for every path — no allocation.
 */
export class RandomStream {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed = 0, path = 0, stream = 0) {
    this.reset(seed, path, stream);
  }

  /**
   * Re-seed in place from (seed, path, stream). Integers only (safe-integer
   * range); the same triple always yields the same sequence.
   */
  reset(seed: number, path: number, stream = 0): this {
    checkIndex("seed", seed);
    checkIndex("path", path);
    checkIndex("stream", stream);
    const sLo = lo32(seed);
    const sHi = hi32(seed);
    const pLo = lo32(path);
    const pHi = hi32(path);
    const st = stream | 0;
    // fold the high bits of the stream id into the seed word (streams are small in practice)
    const sHiMixed = sHi ^ Math.imul(hi32(stream), 0x9e3779b9);
    this.s0 = hashTriple(KEY0, sLo, sHiMixed, pLo, pHi, st);
    this.s1 = hashTriple(KEY1, sLo, sHiMixed, pLo, pHi, st);
    this.s2 = hashTriple(KEY2, sLo, sHiMixed, pLo, pHi, st);
    this.s3 = hashTriple(KEY3, sLo, sHiMixed, pLo, pHi, st);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // all-zero state is invalid
    return this;
  }

  /** Next raw 32-bit output as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const s2 = this.s2;
    const s3 = this.s3;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.s1 = s1 ^ n2;
    this.s0 = s0 ^ n3;
    this.s2 = n2 ^ t;
    this.s3 = rotl(n3, 11);
    return result >>> 0;
  }

  /**
   * Uniform in the open interval (0, 1) with 52-bit resolution:
   * u = (k + 0.5) / 2^52 for a uniform 52-bit integer k, so the smallest value
   * is 2^-53 and the largest is 1 - 2^-53 — never 0 or 1, so quantile
   * functions always return finite values. Consumes two 32-bit outputs.
   */
  nextUniform(): number {
    const a = this.nextUint32(); // 32 bits
    const b = this.nextUint32() >>> 12; // 20 bits
    return (a * 1048576 + b + 0.5) * TWO_POW_MINUS_52;
  }

  /**
   * Standard normal by inversion (AS 241) of one uniform. Exactly one uniform
   * per normal, so the position of every draw in the stream is deterministic
   * (unlike Box–Muller / ziggurat, which consume a variable amount).
   */
  nextNormal(): number {
    return normalQuantile(this.nextUniform());
  }

  /** Advance past the next `count` uniforms (or normals) without computing them. */
  skipUniforms(count: number): this {
    for (let i = 0; i < count; i++) {
      this.nextUint32();
      this.nextUint32();
    }
    return this;
  }

  /** Uniform integer in [0, n) for 1 <= n <= 2^32 (bias below 2^-20 for any n; exact for powers of 2). */
  nextInt(n: number): number {
    return Math.floor(this.nextUniform() * n);
  }

  /** Fill `out[offset .. offset+length)` with uniforms in (0, 1). */
  fillUniform(out: Float64Array, offset = 0, length = out.length - offset): Float64Array {
    const end = offset + length;
    for (let i = offset; i < end; i++) out[i] = this.nextUniform();
    return out;
  }

  /** Fill `out[offset .. offset+length)` with standard normals. */
  fillNormal(out: Float64Array, offset = 0, length = out.length - offset): Float64Array {
    const end = offset + length;
    for (let i = offset; i < end; i++) out[i] = normalQuantile(this.nextUniform());
    return out;
  }

  /** Snapshot of the 128-bit state (e.g. for debugging or checkpointing). */
  getState(): [number, number, number, number] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** Restore a state captured by `getState`. */
  setState(state: readonly [number, number, number, number]): this {
    this.s0 = state[0] | 0;
    this.s1 = state[1] | 0;
    this.s2 = state[2] | 0;
    this.s3 = state[3] | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) throw new RangeError("xoshiro128** state must not be all zero");
    return this;
  }
}
