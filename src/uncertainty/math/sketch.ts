/**
 * Percentiles of Monte Carlo outputs, by rank.
 *
 * A lender reading "p10 of cash" needs the value below which 10 % of paths fall, not a
 * value within 1 % of it: the error that matters is in rank. Two collectors:
 *
 *  - exact: every value is kept (a Float64Array per output, written by path index) and
 *    the percentiles are picked by selection at the end;
 *  - `RankSketch`: a deterministic compactor sketch in bounded memory (after Manku,
 *    Rajagopalan & Lindsay 1998 and the compactors of Karnin, Lang & Liberty 2016, KLL,
 *    without their coin flips). Items live in levels; an item at level h stands for 2^h
 *    values. A level holds at most k items: when a run would take it past k, the two
 *    are merged in sorted order and halved — every other item is kept (alternately the
 *    odd and the even ones) and moves up a level with twice the weight. For any value x,
 *    halving changes the estimated count of values ≤ x by at most the weight of the
 *    halved items, so the sketch adds up those weights as it goes: `errorBound` is a
 *    guaranteed bound (not a probability) on how far the rank of any reported quantile
 *    can be from the requested rank. It is stated with every result, in percentile
 *    points (errorBound ÷ n × 100).
 *
 * Quantile definition (both): the lower empirical quantile, the value of 0-based rank
 * ⌊q·(n−1)⌋ in the sorted values. The sketch returns a stored value whose rank among all
 * values lies within ±errorBound of that rank; quantiles are monotone in q.
 *
 * Sums use Neumaier's compensated summation, so means are exact to rounding. Non-finite
 * values (NaN, ±Infinity) are not ranked; they are counted in `nonFinite`.
 */

/** The 0-based rank of the lower empirical q-quantile of n values. */
export function lowerQuantileIndex(q: number, n: number): number {
  return Math.floor(q * (n - 1));
}

// ---------------------------------------------------------------------------
// Moments: count, compensated sum, min, max
// ---------------------------------------------------------------------------

export interface SerializedMoments {
  count: number;
  sum: number;
  compensation: number;
  min: number | null;
  max: number | null;
  nonFinite: number;
}

export class Moments {
  count = 0;
  sum = 0;
  compensation = 0;
  min = Infinity;
  max = -Infinity;
  nonFinite = 0;

  /** Adds values[from..to) in order (non-finite ones are counted, not added). */
  addRun(values: Float64Array, from: number, to: number): void {
    let sum = this.sum;
    let comp = this.compensation;
    let min = this.min;
    let max = this.max;
    let count = this.count;
    let bad = 0;
    for (let i = from; i < to; i++) {
      const x = values[i];
      if (x - x !== 0) {
        bad++;
        continue;
      }
      count++;
      const t = sum + x;
      if (Math.abs(sum) >= Math.abs(x)) comp += sum - t + x;
      else comp += x - t + sum;
      sum = t;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    this.sum = sum;
    this.compensation = comp;
    this.min = min;
    this.max = max;
    this.count = count;
    this.nonFinite += bad;
  }

  merge(o: Moments | SerializedMoments): void {
    this.nonFinite += o.nonFinite;
    if (o.count === 0) return;
    this.count += o.count;
    const t = this.sum + o.sum;
    if (Math.abs(this.sum) >= Math.abs(o.sum)) this.compensation += this.sum - t + o.sum;
    else this.compensation += o.sum - t + this.sum;
    this.sum = t;
    this.compensation += "compensation" in o ? o.compensation : 0;
    const min = o.min ?? Infinity;
    const max = o.max ?? -Infinity;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
  }

  get total(): number {
    return this.sum + this.compensation;
  }

  get mean(): number {
    return this.count > 0 ? this.total / this.count : NaN;
  }

  toJSON(): SerializedMoments {
    return { count: this.count, sum: this.sum, compensation: this.compensation, min: this.count ? this.min : null, max: this.count ? this.max : null, nonFinite: this.nonFinite };
  }
}

// ---------------------------------------------------------------------------
// Sorting and selection
// ---------------------------------------------------------------------------

let radixScratch = new Float64Array(0);
/** Below this many items sortFloat64 sorts by comparisons, which leave ±0 in no fixed order (a radix sort puts −0 first). */
const RADIX_SORT_FROM = 600;
const histograms = new Uint32Array(6 * 2048);

/**
 * Sorts a[from..to) ascending in place: a least-significant-digit radix sort on the IEEE
 * bits (11-bit digits, passes whose digit is the same for every value skipped). An order
 * of magnitude faster than Float64Array.prototype.sort on the runs a simulation sorts.
 * Values must not be NaN (callers filter them out).
 */
export function sortFloat64(a: Float64Array, from = 0, to = a.length): void {
  const n = to - from;
  if (n < 2) return;
  if (n < RADIX_SORT_FROM) {
    quickSort(a, from, to - 1);
    return;
  }
  if (radixScratch.length < 2 * n) radixScratch = new Float64Array(Math.max(2 * n, 4096));
  const src = new Float64Array(radixScratch.buffer, 0, n);
  const dst = new Float64Array(radixScratch.buffer, n * 8, n);
  src.set(a.subarray(from, to));
  let s32 = new Uint32Array(src.buffer, src.byteOffset, 2 * n);
  let d32 = new Uint32Array(dst.buffer, dst.byteOffset, 2 * n);
  // Map each double to an unsigned 64-bit key with the same order: flip every bit of a
  // negative number, only the sign bit of a positive one. (Little-endian: word 2i is low.)
  const h = histograms;
  h.fill(0);
  for (let i = 0; i < n; i++) {
    const lo = s32[2 * i];
    let hi = s32[2 * i + 1];
    let l = lo;
    if (hi & 0x80000000) {
      hi = ~hi >>> 0;
      l = ~lo >>> 0;
    } else hi = (hi | 0x80000000) >>> 0;
    s32[2 * i] = l;
    s32[2 * i + 1] = hi;
    h[l & 2047]++;
    h[2048 + ((l >>> 11) & 2047)]++;
    h[4096 + (((l >>> 22) | (hi << 10)) & 2047)]++;
    h[6144 + ((hi >>> 1) & 2047)]++;
    h[8192 + ((hi >>> 12) & 2047)]++;
    h[10240 + (hi >>> 23)]++;
  }
  for (let pass = 0; pass < 6; pass++) {
    const base = pass * 2048;
    // A pass where every key has the same digit moves nothing.
    let skip = false;
    for (let d = 0; d < 2048; d++) {
      const c = h[base + d];
      if (c === n) {
        skip = true;
        break;
      }
      if (c !== 0) break;
    }
    if (skip) continue;
    let sum = 0;
    for (let d = 0; d < 2048; d++) {
      const c = h[base + d];
      h[base + d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const l = s32[2 * i];
      const hi = s32[2 * i + 1];
      let digit: number;
      switch (pass) {
        case 0:
          digit = l & 2047;
          break;
        case 1:
          digit = (l >>> 11) & 2047;
          break;
        case 2:
          digit = ((l >>> 22) | (hi << 10)) & 2047;
          break;
        case 3:
          digit = (hi >>> 1) & 2047;
          break;
        case 4:
          digit = (hi >>> 12) & 2047;
          break;
        default:
          digit = hi >>> 23;
      }
      const at = h[base + digit]++;
      d32[2 * at] = l;
      d32[2 * at + 1] = hi;
    }
    const t = s32;
    s32 = d32;
    d32 = t;
  }
  for (let i = 0; i < n; i++) {
    const l = s32[2 * i];
    const hi = s32[2 * i + 1];
    if (hi & 0x80000000) s32[2 * i + 1] = (hi & 0x7fffffff) >>> 0;
    else {
      s32[2 * i + 1] = ~hi >>> 0;
      s32[2 * i] = ~l >>> 0;
    }
  }
  a.set(new Float64Array(s32.buffer, s32.byteOffset, n), from);
}

/** Median-of-three quicksort of a[lo..hi], insertion sort below 24 items (short runs). */
function quickSort(a: Float64Array, lo: number, hi: number): void {
  while (hi - lo > 24) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    // Recurse into the smaller side, loop on the larger (bounded stack).
    if (j - lo < hi - i) {
      quickSort(a, lo, j);
      lo = i;
    } else {
      quickSort(a, i, hi);
      hi = j;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const x = a[i];
    let j = i - 1;
    while (j >= lo && a[j] > x) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = x;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const x = a[i];
  a[i] = a[j];
  a[j] = x;
}

/**
 * The values of the given 0-based ranks (ascending) among a[0..n), by recursive
 * quickselect (Hoare partition); reorders a. About 3·n comparisons for the seven
 * reported percentiles, against n·log n for a sort.
 */
export function selectRanks(a: Float64Array, n: number, ranks: readonly number[]): number[] {
  const out = new Array<number>(ranks.length);
  const go = (lo: number, hi: number, first: number, last: number): void => {
    // Ranks first..last (indices into `ranks`) all lie in [lo, hi].
    while (first <= last) {
      if (lo >= hi) {
        for (let r = first; r <= last; r++) out[r] = a[lo];
        return;
      }
      const mid = (first + last) >> 1;
      const k = ranks[mid];
      let l = lo;
      let h = hi;
      // Select the k-th, leaving smaller values left of it and larger right.
      while (l < h) {
        const pivot = a[(l + h) >>> 1];
        let i = l;
        let j = h;
        while (i <= j) {
          while (a[i] < pivot) i++;
          while (a[j] > pivot) j--;
          if (i <= j) {
            const x = a[i];
            a[i] = a[j];
            a[j] = x;
            i++;
            j--;
          }
        }
        if (k <= j) h = j;
        else if (k >= i) l = i;
        else break;
      }
      // Equal ranks around mid share the value.
      let a0 = mid;
      let b0 = mid;
      while (a0 > first && ranks[a0 - 1] === k) a0--;
      while (b0 < last && ranks[b0 + 1] === k) b0++;
      for (let r = a0; r <= b0; r++) out[r] = a[k];
      go(lo, k - 1, first, a0 - 1);
      lo = k + 1;
      first = b0 + 1;
    }
  };
  if (n > 0) go(0, n - 1, 0, ranks.length - 1);
  return out;
}

/** Buckets of `selectRanksOfFinite`'s first pass (a power of two is not needed). */
const SELECT_BUCKETS = 4096;
let selectBucketOf = new Uint16Array(0);
const selectCounts = new Int32Array(SELECT_BUCKETS);
const selectSlot = new Int32Array(SELECT_BUCKETS);

// The two passes over a column are functions of their own: a pass over a long column is
// optimized on stack replacement within its first call, and V8 keeps that code for the next
// calls; were the passes inline, the code after them (run before with no type feedback)
// would deoptimize it on every call of the main thread's summary, one column after another.

/** counts[b] = finite values of v[from..from+n) in bucket b; bucketOf[i] = the bucket of v[from + i] (SELECT_BUCKETS: not finite). */
function countBuckets(v: Float64Array, from: number, n: number, min: number, scale: number, bucketOf: Uint16Array, counts: Int32Array): void {
  const B = SELECT_BUCKETS;
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const x = v[from + i];
    if (x - x !== 0) {
      bucketOf[i] = B; // not finite: in no bucket
      continue;
    }
    const b = Math.min(B - 1, Math.floor((x - min) * scale));
    bucketOf[i] = b;
    counts[b]++;
  }
}

/** Copies each value whose bucket has a slot into that slot's array, in index order. */
function gatherBuckets(v: Float64Array, from: number, n: number, bucketOf: Uint16Array, slot: Int32Array, gathered: Float64Array[]): void {
  const B = SELECT_BUCKETS;
  const filled = new Int32Array(gathered.length);
  for (let i = 0; i < n; i++) {
    const bi = bucketOf[i];
    if (bi === B) continue;
    const s = slot[bi];
    if (s >= 0) gathered[s][filled[s]++] = v[from + i];
  }
}

/**
 * Values of the given ranks (ascending, 0-based, each < count) among the finite values of
 * v[from..to), whose smallest and largest are `min` and `max` — the same values as
 * `selectRanks` on a copy of the finite values (exact; one of them when a tie mixes 0 and
 * −0), in about two passes instead of a quickselect's many. A pass counts the values in
 * equal-width buckets between min and max: ⌊(x − min)·scale⌋ never decreases as x grows
 * (each rounded step is monotone), so the bucket holding each rank is known from the counts;
 * a second pass gathers those few buckets, and the ranks are selected among their values.
 */
export function selectRanksOfFinite(v: Float64Array, from: number, to: number, count: number, min: number, max: number, ranks: readonly number[]): number[] {
  const out = new Array<number>(ranks.length);
  if (count === 0) return out.fill(NaN);
  if (!(max > min)) return out.fill(min);
  const B = SELECT_BUCKETS;
  const scale = B / (max - min);
  if (!(scale > 0 && scale < Infinity)) {
    const copy = new Float64Array(count);
    let j = 0;
    for (let i = from; i < to; i++) if (v[i] - v[i] === 0) copy[j++] = v[i];
    return selectRanks(copy, count, ranks);
  }
  const n = to - from;
  if (selectBucketOf.length < n) selectBucketOf = new Uint16Array(n);
  const bucketOf = selectBucketOf;
  const counts = selectCounts;
  countBuckets(v, from, n, min, scale, bucketOf, counts);
  // The bucket of each rank and the rank within it.
  const bucketOfRank = new Int32Array(ranks.length);
  const rankInBucket = new Int32Array(ranks.length);
  const slot = selectSlot;
  slot.fill(-1);
  const gathered: Float64Array[] = [];
  let b = 0;
  let below = 0;
  for (let r = 0; r < ranks.length; r++) {
    const k = ranks[r];
    while (below + counts[b] <= k) below += counts[b++];
    bucketOfRank[r] = b;
    rankInBucket[r] = k - below;
    if (slot[b] < 0) {
      slot[b] = gathered.length;
      gathered.push(new Float64Array(counts[b]));
    }
  }
  gatherBuckets(v, from, n, bucketOf, slot, gathered);
  for (let r = 0; r < ranks.length; r++) {
    const bucket = gathered[slot[bucketOfRank[r]]];
    out[r] = selectRanks(bucket, bucket.length, [rankInBucket[r]])[0];
  }
  return out;
}

// ---------------------------------------------------------------------------
// The rank sketch
// ---------------------------------------------------------------------------

/** Items a level may hold before it is halved. */
export const DEFAULT_SKETCH_K = 8192;

export interface SerializedRankSketch {
  type: "rank-sketch";
  version: 1;
  k: number;
  count: number;
  errorBound: number;
  /** Level h: sorted values, each standing for 2^h values. */
  levels: number[][];
  parity: number[];
}

/** A sorted run after compactSortedRun: `length` items of weight 2^level, plus odd items out. */
export interface CompactedRun {
  /** False when the run was short enough to be left unsorted (the sketch sorts it when it compacts). */
  sorted: boolean;
  length: number;
  level: number;
  /** Rank error the halving added (the sum of the halved items' weights). */
  error: number;
  /** Items left over when a level had an odd count: value and level, one per level at most. */
  extraValues: number[];
  extraLevels: number[];
}

/**
 * Halves a sorted run in place while it holds more than k items: every other item is
 * kept, starting at `parity` (0 or 1, then alternating by level), and stands for twice as
 * many values. When the count is odd the largest item is set aside at its level first.
 */
export function compactSortedRun(run: Float64Array, length: number, k: number, parity = 0): CompactedRun {
  let level = 0;
  let error = 0;
  let n = length;
  const extraValues: number[] = [];
  const extraLevels: number[] = [];
  while (n > k) {
    if (n & 1) {
      extraValues.push(run[n - 1]);
      extraLevels.push(level);
      n--;
    }
    const offset = (parity + level) & 1;
    let j = 0;
    for (let i = offset; i < n; i += 2) run[j++] = run[i];
    error += 2 ** level;
    n = j;
    level++;
  }
  return { sorted: true, length: n, level, error, extraValues, extraLevels };
}

export class RankSketch {
  readonly k: number;
  // Protected for the reference the sketch is tested against (src/testing/appendSortRankSketch.ts).
  /** Level h: items each standing for 2^h values; sorted unless `unsorted[h]` (runs appended). */
  protected levels: Float64Array[] = [];
  protected sizes: number[] = [];
  protected unsorted: boolean[] = [];
  protected parity: number[] = [];
  /** Number of values represented. */
  count = 0;
  /** Guaranteed bound on |estimated rank − true rank| of every value, in ranks (values). */
  errorBound = 0;

  constructor(k = DEFAULT_SKETCH_K) {
    if (!Number.isInteger(k) || k < 2) throw new RangeError(`k must be an integer ≥ 2 (got ${k})`);
    this.k = k;
  }

  /** The rank error bound as a share of the values (0.001 = 0.1 percentile points). */
  get rankError(): number {
    return this.count > 0 ? this.errorBound / this.count : 0;
  }

  /** Number of items held (memory diagnostic). */
  get size(): number {
    return this.sizes.reduce((a, b) => a + b, 0);
  }

  /** Items its levels have room for (memory diagnostic): at most k a level. */
  get allocated(): number {
    return this.levels.reduce((a, level) => a + level.length, 0);
  }

  /**
   * Adds run[0..length), sorted ascending, of items each standing for 2^level values and
   * carrying `error` ranks of error already (from compactSortedRun).
   */
  addSorted(run: Float64Array, length: number, level = 0, error = 0, sorted = true): void {
    this.errorBound += error;
    if (length <= 0) return;
    this.count += length * 2 ** level;
    this.insert(run, length, level, sorted);
  }

  /** Adds a run as compactSortedRun left it. */
  addCompacted(run: Float64Array, c: CompactedRun): void {
    this.addSorted(run, c.length, c.level, c.error, c.sorted);
    for (let i = 0; i < c.extraValues.length; i++) this.addSorted(Float64Array.of(c.extraValues[i]), 1, c.extraLevels[i], 0);
  }

  /** Adds empty levels up to `level`. */
  protected addLevels(level: number): void {
    while (this.levels.length <= level) {
      this.levels.push(new Float64Array(0));
      this.sizes.push(0);
      this.unsorted.push(false);
      this.parity.push(0);
    }
  }

  protected insert(run: Float64Array, length: number, level: number, sorted = true): void {
    this.addLevels(level);
    const size = this.sizes[level];
    const need = size + length;
    let buf = this.levels[level];
    // Whether the level followed by the run is out of order (a level is sorted only when it is halved or read).
    const outOfOrder = !sorted || (size > 0 && run[0] < buf[size - 1]);
    if (need <= this.k) {
      // Append: many short runs cost a copy each rather than a merge into a long level each.
      if (buf.length < need) {
        const next = new Float64Array(Math.max(need, Math.min(this.k, Math.max(64, 2 * buf.length))));
        next.set(buf.subarray(0, size));
        buf = this.levels[level] = next;
      }
      if (outOfOrder) this.unsorted[level] = true;
      buf.set(run.subarray(0, length), size);
      this.sizes[level] = need;
      return;
    }
    // Over capacity: the level and the run, in sorted order, are halved together; with an odd
    // count the largest item stays at this level. The level never holds more than k items: the
    // two are merged into a scratch sequence shared by every sketch, not appended to the level.
    const merged = sortedUnion(buf, size, !this.unsorted[level], run, length, sorted, this.unsorted[level] || outOfOrder);
    this.unsorted[level] = false;
    const keepOne = need & 1;
    const even = need - keepOne;
    const offset = this.parity[level];
    this.parity[level] ^= 1;
    // Levels alternate between two scratch runs: the run going up from this level is read by
    // the next level while that level's own run up is written.
    const up = upScratch(level, even >> 1);
    for (let s = offset, u = 0; s < even; s += 2) up[u++] = merged[s];
    this.errorBound += 2 ** level;
    if (keepOne) {
      if (buf.length < 1) buf = this.levels[level] = new Float64Array(Math.min(this.k, 64));
      buf[0] = merged[need - 1];
    }
    this.sizes[level] = keepOne;
    this.insert(up, even >> 1, level + 1);
  }

  protected sortLevels(): void {
    for (let h = 0; h < this.levels.length; h++) {
      if (this.unsorted[h]) sortFloat64(this.levels[h], 0, this.sizes[h]);
      this.unsorted[h] = false;
    }
  }

  /** Merges another sketch (for example one computed on another machine for other paths). */
  merge(other: RankSketch | SerializedRankSketch): this {
    const o = other instanceof RankSketch ? other.toJSON() : other;
    this.errorBound += o.errorBound;
    o.levels.forEach((values, h) => {
      if (values.length > 0) this.addSorted(Float64Array.from(values), values.length, h, 0);
    });
    return this;
  }

  /** Values at the given quantiles (lower empirical definition, within the rank bound). */
  quantiles(qs: readonly number[]): number[] {
    const n = this.count;
    if (n === 0) return qs.map(() => NaN);
    this.sortLevels();
    return qs.map((q) => this.itemAtRank(lowerQuantileIndex(q, n)));
  }

  /**
   * The item reached by walking every level's items in sorted order (the smaller next item
   * first, the lower level first between equal ones), each counting its weight, when more than
   * `rank` values lie behind — found by binary searches in the sorted levels, not by the walk
   * (walking ~40,000 items a column took ~0.45 s for the 56 columns of a 1M-path run, 40 ms now).
   */
  private itemAtRank(rank: number): number {
    const L = this.levels.length;
    let total = 0;
    for (let h = 0; h < L; h++) total += this.sizes[h] * 2 ** h;
    // The walk ends on the first item for a negative rank, on the last past the end.
    const t = rank < total ? Math.max(0, rank) : total - 1;
    // The value reached is the smallest item with more than t values at or below it: in each
    // level, the first item past t is that value or larger, and in the level it comes from, it.
    let value = Infinity;
    for (let h = 0; h < L; h++) {
      const level = this.levels[h];
      let lo = 0;
      let hi = this.sizes[h];
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.weightAtOrBelow(level[mid]) > t) hi = mid;
        else lo = mid + 1;
      }
      if (lo < this.sizes[h] && level[lo] < value) value = level[lo];
    }
    // Equal values are the same number, but for ±0: the walk takes equal items level by level.
    if (value !== 0) return value;
    let behind = 0;
    for (let h = 0; h < L; h++) behind += countBelow(this.levels[h], this.sizes[h], 0) * 2 ** h;
    for (let h = 0; h < L; h++) {
      const first = countBelow(this.levels[h], this.sizes[h], 0);
      const zeros = countAtOrBelow(this.levels[h], this.sizes[h], 0) - first;
      if (behind + zeros * 2 ** h > t) return this.levels[h][first + Math.floor((t - behind) / 2 ** h)];
      behind += zeros * 2 ** h;
    }
    return value;
  }

  /** Values represented by the items ≤ x (levels sorted). */
  private weightAtOrBelow(x: number): number {
    let w = 0;
    for (let h = 0; h < this.levels.length; h++) w += countAtOrBelow(this.levels[h], this.sizes[h], x) * 2 ** h;
    return w;
  }

  quantile(q: number): number {
    return this.quantiles([q])[0];
  }

  toJSON(): SerializedRankSketch {
    this.sortLevels();
    return {
      type: "rank-sketch",
      version: 1,
      k: this.k,
      count: this.count,
      errorBound: this.errorBound,
      levels: this.levels.map((l, h) => Array.from(l.subarray(0, this.sizes[h]))),
      parity: [...this.parity],
    };
  }

  static fromJSON(o: SerializedRankSketch): RankSketch {
    if (o.type !== "rank-sketch") throw new TypeError(`expected a serialized rank sketch, got ${String((o as { type?: unknown }).type)}`);
    const s = new RankSketch(o.k);
    s.merge(o);
    s.parity = [...o.parity];
    return s;
  }
}

// Scratch runs of the sketches' compactions (one JavaScript thread runs one compaction at a time).
let mergeScratch: Float64Array = new Float64Array(0);
let runScratch: Float64Array = new Float64Array(0);
const upScratches: Float64Array[] = [new Float64Array(0), new Float64Array(0)];

function grown(a: Float64Array, n: number): Float64Array {
  return a.length >= n ? a : new Float64Array(Math.max(n, 2 * a.length));
}

function upScratch(level: number, n: number): Float64Array {
  return (upScratches[level & 1] = grown(upScratches[level & 1], n));
}

/**
 * A level's items level[0..size) followed by run[0..length), as the halving reads them: as
 * they are when the two are in order one after the other (`sort` false), sorted otherwise —
 * the very sequence sortFloat64 gives for the two appended into one array, which is what a
 * level used to hold before it was halved (so the same items survive). Sorting the two is a
 * merge of sorted runs: the level is sorted in place first if it is not (`levelSorted`), the
 * run (left untouched) in a scratch copy if it is not (`runSorted`). Returns a scratch array
 * whose first size + length items are the sequence.
 */
function sortedUnion(level: Float64Array, size: number, levelSorted: boolean, run: Float64Array, length: number, runSorted: boolean, sort: boolean): Float64Array {
  const need = size + length;
  const out = (mergeScratch = grown(mergeScratch, need));
  if (!sort || need < RADIX_SORT_FROM) {
    out.set(level.subarray(0, size));
    out.set(run.subarray(0, length), size);
    if (sort) sortFloat64(out, 0, need);
    return out;
  }
  // A level not marked unsorted is in order by `<` (its appended runs were, one after the
  // other, and a halved sequence keeps its order), and so is a run passed as sorted.
  if (!levelSorted) sortFloat64(level, 0, size);
  let b = run;
  if (!runSorted) {
    b = runScratch = grown(runScratch, length);
    b.set(run.subarray(0, length));
    sortFloat64(b, 0, length);
  }
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < size && j < length) {
    if (b[j] < level[i]) out[o++] = b[j++];
    else out[o++] = level[i++];
  }
  while (i < size) out[o++] = level[i++];
  while (j < length) out[o++] = b[j++];
  orderZeros(out, need);
  return out;
}

/**
 * In a[0..n), sorted by `<`, puts every −0 before every +0, as sortFloat64's radix sort
 * orders them (by their bits): `<` finds them equal, and a merge leaves them as it found them.
 */
function orderZeros(a: Float64Array, n: number): void {
  // The zeros are consecutive: from the first item that is not negative to the first positive one.
  const lo = countBelow(a, n, 0);
  let end = lo;
  let negative = 0;
  while (end < n && a[end] === 0) if (Object.is(a[end++], -0)) negative++;
  for (let z = lo; z < end; z++) a[z] = z < lo + negative ? -0 : 0;
}

/** Items of sorted a[0..n) below x. */
function countBelow(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Items of sorted a[0..n) at or below x. */
function countAtOrBelow(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The rank error bound a run of n values will end with, fed in chunks of `chunk` values
 * compacted with `k` (the schedule simulated on counts alone; an upper bound when some
 * values are not finite, since fewer values compact less).
 */
export function predictRankErrorBound(n: number, chunk: number, k: number): number {
  const sizes: number[] = [];
  const parityFree = (level: number, length: number, acc: { error: number }): void => {
    while (sizes.length <= level) sizes.push(0);
    const need = sizes[level] + length;
    if (need <= k) {
      sizes[level] = need;
      return;
    }
    const keepOne = need & 1;
    sizes[level] = keepOne;
    acc.error += 2 ** level;
    parityFree(level + 1, (need - keepOne) >> 1, acc);
  };
  const acc = { error: 0 };
  for (let start = 0; start < n; start += chunk) {
    let length = Math.min(chunk, n - start);
    let level = 0;
    while (length > k) {
      if (length & 1) {
        parityFree(level, 1, acc);
        length--;
      }
      acc.error += 2 ** level;
      length >>= 1;
      level++;
    }
    parityFree(level, length, acc);
  }
  return acc.error;
}
