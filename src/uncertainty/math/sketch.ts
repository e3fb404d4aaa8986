/**
 * Quantile collectors for Monte Carlo outputs.
 *
 *  - `DDSketch` (Masson, Rim & Lee, VLDB 2019): mergeable streaming sketch
 *    with a *relative*-error guarantee. With accuracy alpha (default 0.01) a
 *    positive value x goes to bucket i = ceil(log_γ x), γ = (1+α)/(1-α);
 *    bucket i covers (γ^(i-1), γ^i] and is represented by 2γ^i/(γ+1), which is
 *    within a relative error α of every value in the bucket. Negative values
 *    use a mirrored store on |x|; values with |x| <= 1e-300 are counted as zero.
 *  - `ExactQuantiles`: keeps every value (for small N), same interface.
 *
 * Quantile definition (both collectors): the *lower* empirical quantile
 *     quantile(q) = x_(⌊q·(n−1)⌋)      (0-based index into the sorted sample)
 * i.e. the value of rank ⌊1 + q(n−1)⌋, as in the DDSketch paper. The sketch
 * guarantees |sketch.quantile(q) − exact.quantile(q)| <= α·|exact.quantile(q)|
 * (no interpolation, so the guarantee is against that exact value; quantile(0)
 * and quantile(1) are the exact min and max).
 *
 * Memory bound: each store keeps at most `maxBuckets` (default 2048)
 * contiguous buckets. When a new value would widen a store beyond that, the
 * lowest-index buckets (the smallest magnitudes: values closest to zero) are
 * collapsed into one bucket. With α = 1% the 2048 buckets span a magnitude
 * ratio of γ^2048 ≈ 6e17 per sign, so collapsing only happens if a store
 * holds values 18 orders of magnitude apart; then quantiles that fall among
 * the collapsed smallest-magnitude values lose the relative guarantee (they
 * are over-estimated in magnitude), while all others keep it. `collapsed`
 * reports whether this ever happened.
 *
 * count/sum/mean/min/max are exact (sum with Neumaier compensation);
 * variance (sample, n−1) uses Welford/Chan updates and merges exactly.
 * Non-finite inputs (NaN, ±Infinity) are not added; they are counted in
 * `nonFinite` so the caller can report them.
 *
 * Both serialize to plain JSON-safe objects (`toJSON`) and can be rebuilt
 * (`quantileCollectorFromJSON`) — e.g. to merge results posted by workers.
 */

export const DEFAULT_ALPHA = 0.01;
export const DEFAULT_MAX_BUCKETS = 2048;
export const DEFAULT_EXACT_THRESHOLD = 10_000;
const ZERO_THRESHOLD = 1e-300;

/** Index into the sorted sample used by both collectors: ⌊q·(n−1)⌋. */
export function lowerQuantileIndex(q: number, n: number): number {
  return Math.floor(q * (n - 1));
}

// ---------------------------------------------------------------------------
// Running moments shared by both collectors
// ---------------------------------------------------------------------------

class Moments {
  count = 0;
  sum = 0;
  comp = 0; // Neumaier compensation
  wMean = 0; // Welford running mean
  m2 = 0;
  min = Infinity;
  max = -Infinity;

  add(x: number): void {
    this.count++;
    const t = this.sum + x;
    if (Math.abs(this.sum) >= Math.abs(x)) this.comp += this.sum - t + x;
    else this.comp += x - t + this.sum;
    this.sum = t;
    const delta = x - this.wMean;
    this.wMean += delta / this.count;
    this.m2 += delta * (x - this.wMean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  mergeFrom(count: number, sum: number, comp: number, wMean: number, m2: number, min: number, max: number): void {
    if (count === 0) return;
    const n = this.count + count;
    const delta = wMean - this.wMean;
    this.m2 += m2 + (delta * delta * this.count * count) / n;
    this.wMean += (delta * count) / n;
    this.count = n;
    const t = this.sum + sum;
    if (Math.abs(this.sum) >= Math.abs(sum)) this.comp += this.sum - t + sum;
    else this.comp += sum - t + this.sum;
    this.sum = t;
    this.comp += comp;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
  }

  get total(): number {
    return this.sum + this.comp;
  }
}

export interface SerializedMoments {
  count: number;
  sum: number;
  sumCompensation: number;
  welfordMean: number;
  m2: number;
  /** null when empty */
  min: number | null;
  max: number | null;
  nonFinite: number;
}

function momentsToJSON(m: Moments, nonFinite: number): SerializedMoments {
  return {
    count: m.count,
    sum: m.sum,
    sumCompensation: m.comp,
    welfordMean: m.wMean,
    m2: m.m2,
    min: m.count > 0 ? m.min : null,
    max: m.count > 0 ? m.max : null,
    nonFinite,
  };
}

// ---------------------------------------------------------------------------
// Common interface
// ---------------------------------------------------------------------------

export interface QuantileCollector {
  readonly kind: "exact" | "ddsketch";
  /** number of finite values added */
  readonly count: number;
  /** number of NaN / ±Infinity inputs that were skipped */
  readonly nonFinite: number;
  /** exact min / max (NaN when empty) */
  readonly min: number;
  readonly max: number;
  /** exact (compensated) sum and mean (NaN when empty) */
  readonly sum: number;
  readonly mean: number;
  /** sample variance (n − 1 denominator); NaN when count < 2 */
  readonly variance: number;
  add(x: number): void;
  addAll(values: ArrayLike<number>): void;
  /** Lower empirical quantile x_(⌊q(n−1)⌋) (exact or within the sketch's relative accuracy). NaN when empty. */
  quantile(q: number): number;
  quantiles(qs: ArrayLike<number>): number[];
  merge(other: QuantileCollector | SerializedQuantileCollector): this;
  toJSON(): SerializedQuantileCollector;
}

// ---------------------------------------------------------------------------
// Dense bucket store with lowest-bucket collapsing
// ---------------------------------------------------------------------------

export interface SerializedStore {
  /** bucket index of counts[0] */
  offset: number;
  counts: number[];
}

class BucketStore {
  private counts: Float64Array = new Float64Array(0);
  private offset = 0; // bucket index of counts[0]
  /** occupied index range [minIndex, maxIndex]; empty when maxIndex < minIndex */
  minIndex = 0;
  maxIndex = -1;
  total = 0;
  collapsed = false;

  constructor(readonly maxBuckets: number) {}

  get isEmpty(): boolean {
    return this.maxIndex < this.minIndex;
  }

  add(index: number, count = 1): void {
    if (!(count > 0)) return;
    if (this.isEmpty) {
      this.ensureWindow(index, index);
      this.minIndex = index;
      this.maxIndex = index;
    } else if (index < this.minIndex) {
      if (this.maxIndex - index + 1 > this.maxBuckets) {
        index = this.maxIndex - this.maxBuckets + 1; // collapse into the lowest bucket
        this.collapsed = true;
      }
      if (index < this.minIndex) {
        this.ensureWindow(index, this.maxIndex);
        this.minIndex = index;
      }
    } else if (index > this.maxIndex) {
      const newMin = index - this.maxBuckets + 1;
      if (newMin > this.minIndex) this.collapseBelow(newMin);
      this.ensureWindow(this.minIndex, index);
      this.maxIndex = index;
    }
    this.counts[index - this.offset] += count;
    this.total += count;
  }

  /** Merge every bucket below `newMin` into bucket `newMin`. */
  private collapseBelow(newMin: number): void {
    let moved = 0;
    const end = Math.min(newMin - 1, this.maxIndex);
    for (let i = this.minIndex; i <= end; i++) {
      moved += this.counts[i - this.offset];
      this.counts[i - this.offset] = 0;
    }
    this.collapsed = true;
    if (this.maxIndex < newMin) {
      // everything collapsed: the store becomes the single bucket newMin
      this.minIndex = newMin;
      this.maxIndex = newMin - 1; // momentarily empty so ensureWindow copies nothing
      this.ensureWindow(newMin, newMin);
      this.counts[newMin - this.offset] = moved;
      this.maxIndex = newMin;
    } else {
      this.minIndex = newMin;
      this.ensureWindow(newMin, this.maxIndex);
      this.counts[newMin - this.offset] += moved;
    }
  }

  /**
   * Make bucket indices [lo, hi] addressable (the occupied range must lie
   * within [lo, hi]). Re-centres in place, or reallocates only when growing;
   * the span never exceeds maxBuckets, so neither does the capacity (rounded
   * up to a power of two).
   */
  private ensureWindow(lo: number, hi: number): void {
    const cap = this.counts.length;
    if (cap > 0 && lo >= this.offset && hi < this.offset + cap) return;
    const needed = hi - lo + 1;
    let newCap = cap === 0 ? 64 : cap;
    while (newCap < needed) newCap *= 2;
    const newOffset = lo - ((newCap - needed) >> 1);
    const occupied = !this.isEmpty;
    const from = this.minIndex - this.offset;
    const to = this.maxIndex - this.offset + 1;
    const dest = this.minIndex - newOffset;
    if (newCap === cap) {
      if (occupied) {
        this.counts.copyWithin(dest, from, to);
        const destEnd = dest + (to - from);
        for (let i = 0; i < newCap; i++) if (i < dest || i >= destEnd) this.counts[i] = 0;
      } else {
        this.counts.fill(0);
      }
    } else {
      const next = new Float64Array(newCap);
      if (occupied) next.set(this.counts.subarray(from, to), dest);
      this.counts = next;
    }
    this.offset = newOffset;
  }

  countAt(index: number): number {
    return this.counts[index - this.offset];
  }

  mergeFrom(other: SerializedStore | BucketStore, otherCollapsed = false): void {
    if (other instanceof BucketStore) {
      if (other.total === 0) return;
      // add from the highest bucket down, so collapsing (if any) happens once
      for (let i = other.maxIndex; i >= other.minIndex; i--) {
        const c = other.countAt(i);
        if (c > 0) this.add(i, c);
      }
      if (other.collapsed) this.collapsed = true;
    } else {
      for (let k = other.counts.length - 1; k >= 0; k--) {
        const c = other.counts[k];
        if (c > 0) this.add(other.offset + k, c);
      }
      if (otherCollapsed) this.collapsed = true;
    }
  }

  toJSON(): SerializedStore {
    if (this.total === 0) return { offset: 0, counts: [] };
    return {
      offset: this.minIndex,
      counts: Array.from(this.counts.subarray(this.minIndex - this.offset, this.maxIndex - this.offset + 1)),
    };
  }
}

// ---------------------------------------------------------------------------
// DDSketch
// ---------------------------------------------------------------------------

export interface SerializedDDSketch extends SerializedMoments {
  type: "ddsketch";
  version: 1;
  alpha: number;
  maxBuckets: number;
  zeroCount: number;
  collapsed: boolean;
  positive: SerializedStore;
  negative: SerializedStore;
}

export interface SerializedExactQuantiles extends SerializedMoments {
  type: "exact";
  version: 1;
  values: number[];
}

export type SerializedQuantileCollector = SerializedDDSketch | SerializedExactQuantiles;

function isSerialized(o: QuantileCollector | SerializedQuantileCollector): o is SerializedQuantileCollector {
  return !(o instanceof DDSketch) && !(o instanceof ExactQuantiles) && typeof (o as { type?: unknown }).type === "string";
}

export interface DDSketchOptions {
  /** relative accuracy in (0, 1); default 0.01 */
  readonly alpha?: number;
  /** bucket cap per sign; default 2048 */
  readonly maxBuckets?: number;
}

export class DDSketch implements QuantileCollector {
  readonly kind = "ddsketch" as const;
  readonly alpha: number;
  readonly gamma: number;
  readonly maxBuckets: number;
  private readonly invLnGamma: number;
  private readonly lnGamma: number;
  private readonly positive: BucketStore;
  private readonly negative: BucketStore;
  private zeroCount = 0;
  private readonly moments = new Moments();
  private nonFiniteCount = 0;

  constructor(options: DDSketchOptions = {}) {
    const alpha = options.alpha ?? DEFAULT_ALPHA;
    if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1) (got ${alpha})`);
    const maxBuckets = options.maxBuckets ?? DEFAULT_MAX_BUCKETS;
    if (!Number.isInteger(maxBuckets) || maxBuckets < 2) throw new RangeError(`maxBuckets must be an integer >= 2 (got ${maxBuckets})`);
    this.alpha = alpha;
    this.gamma = (1 + alpha) / (1 - alpha);
    this.lnGamma = Math.log1p((2 * alpha) / (1 - alpha));
    this.invLnGamma = 1 / this.lnGamma;
    this.maxBuckets = maxBuckets;
    this.positive = new BucketStore(maxBuckets);
    this.negative = new BucketStore(maxBuckets);
  }

  get count(): number {
    return this.moments.count;
  }
  get nonFinite(): number {
    return this.nonFiniteCount;
  }
  get min(): number {
    return this.moments.count > 0 ? this.moments.min : NaN;
  }
  get max(): number {
    return this.moments.count > 0 ? this.moments.max : NaN;
  }
  get sum(): number {
    return this.moments.count > 0 ? this.moments.total : NaN;
  }
  get mean(): number {
    return this.moments.count > 0 ? this.moments.total / this.moments.count : NaN;
  }
  get variance(): number {
    return this.moments.count > 1 ? this.moments.m2 / (this.moments.count - 1) : NaN;
  }
  /** true if bucket collapsing ever happened (see module docs). */
  get collapsed(): boolean {
    return this.positive.collapsed || this.negative.collapsed;
  }
  /** number of non-empty-range buckets currently held (memory diagnostic). */
  get bucketCount(): number {
    const span = (s: BucketStore): number => (s.isEmpty ? 0 : s.maxIndex - s.minIndex + 1);
    return span(this.positive) + span(this.negative);
  }

  /** Bucket index of a positive magnitude. */
  private index(x: number): number {
    return Math.ceil(Math.log(x) * this.invLnGamma);
  }

  /** Representative value of bucket i: 2γ^i/(γ+1). */
  private value(i: number): number {
    return (2 * Math.exp(i * this.lnGamma)) / (1 + this.gamma);
  }

  add(x: number): void {
    if (!(x - x === 0)) {
      this.nonFiniteCount++;
      return;
    }
    this.moments.add(x);
    if (x > ZERO_THRESHOLD) this.positive.add(this.index(x));
    else if (x < -ZERO_THRESHOLD) this.negative.add(this.index(-x));
    else this.zeroCount++;
  }

  addAll(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.add(values[i]);
  }

  quantile(q: number): number {
    const n = this.moments.count;
    if (n === 0 || !(q >= 0 && q <= 1)) return NaN;
    if (q === 0) return this.moments.min;
    if (q === 1) return this.moments.max;
    const rank = lowerQuantileIndex(q, n); // 0-based rank of the target element
    let value: number;
    let cum = 0;
    found: {
      const neg = this.negative;
      if (!neg.isEmpty) {
        for (let i = neg.maxIndex; i >= neg.minIndex; i--) {
          cum += neg.countAt(i);
          if (cum > rank) {
            value = -this.value(i);
            break found;
          }
        }
      }
      cum += this.zeroCount;
      if (cum > rank) {
        value = 0;
        break found;
      }
      const pos = this.positive;
      for (let i = pos.minIndex; i <= pos.maxIndex; i++) {
        cum += pos.countAt(i);
        if (cum > rank) {
          value = this.value(i);
          break found;
        }
      }
      value = this.moments.max;
    }
    if (value < this.moments.min) return this.moments.min;
    if (value > this.moments.max) return this.moments.max;
    return value;
  }

  quantiles(qs: ArrayLike<number>): number[] {
    const out: number[] = [];
    for (let i = 0; i < qs.length; i++) out.push(this.quantile(qs[i]));
    return out;
  }

  merge(other: QuantileCollector | SerializedQuantileCollector): this {
    if (other instanceof DDSketch) {
      this.checkCompatible(other.alpha);
      this.positive.mergeFrom(other.positive);
      this.negative.mergeFrom(other.negative);
      this.zeroCount += other.zeroCount;
      const m = other.moments;
      this.moments.mergeFrom(m.count, m.sum, m.comp, m.wMean, m.m2, m.min, m.max);
      this.nonFiniteCount += other.nonFiniteCount;
      return this;
    }
    if (other instanceof ExactQuantiles) {
      const values = other.valuesView();
      for (let i = 0; i < values.length; i++) this.add(values[i]);
      this.nonFiniteCount += other.nonFinite;
      return this;
    }
    if (!isSerialized(other)) throw new TypeError("cannot merge: unknown collector implementation");
    if (other.type === "ddsketch") {
      this.checkCompatible(other.alpha);
      this.positive.mergeFrom(other.positive, other.collapsed);
      this.negative.mergeFrom(other.negative, other.collapsed);
      this.zeroCount += other.zeroCount;
      this.moments.mergeFrom(
        other.count,
        other.sum,
        other.sumCompensation,
        other.welfordMean,
        other.m2,
        other.min ?? Infinity,
        other.max ?? -Infinity,
      );
      this.nonFiniteCount += other.nonFinite;
      return this;
    }
    if (other.type === "exact") {
      for (const v of other.values) this.add(v);
      this.nonFiniteCount += other.nonFinite;
      return this;
    }
    throw new TypeError("cannot merge: unknown collector type");
  }

  private checkCompatible(alpha: number): void {
    if (alpha !== this.alpha) {
      throw new RangeError(`cannot merge DDSketches with different accuracy (alpha ${this.alpha} vs ${alpha})`);
    }
  }

  toJSON(): SerializedDDSketch {
    return {
      type: "ddsketch",
      version: 1,
      alpha: this.alpha,
      maxBuckets: this.maxBuckets,
      zeroCount: this.zeroCount,
      collapsed: this.collapsed,
      positive: this.positive.toJSON(),
      negative: this.negative.toJSON(),
      ...momentsToJSON(this.moments, this.nonFiniteCount),
    };
  }

  static fromJSON(obj: SerializedDDSketch): DDSketch {
    if (obj.type !== "ddsketch") throw new TypeError(`expected a serialized ddsketch, got ${String(obj.type)}`);
    const s = new DDSketch({ alpha: obj.alpha, maxBuckets: obj.maxBuckets });
    s.merge(obj);
    return s;
  }
}

// ---------------------------------------------------------------------------
// Exact collector
// ---------------------------------------------------------------------------

export class ExactQuantiles implements QuantileCollector {
  readonly kind = "exact" as const;
  private values: Float64Array;
  private n = 0;
  private sorted = true;
  private readonly moments = new Moments();
  private nonFiniteCount = 0;

  constructor(initialCapacity = 1024) {
    this.values = new Float64Array(Math.max(16, initialCapacity));
  }

  get count(): number {
    return this.n;
  }
  get nonFinite(): number {
    return this.nonFiniteCount;
  }
  get min(): number {
    return this.n > 0 ? this.moments.min : NaN;
  }
  get max(): number {
    return this.n > 0 ? this.moments.max : NaN;
  }
  get sum(): number {
    return this.n > 0 ? this.moments.total : NaN;
  }
  get mean(): number {
    return this.n > 0 ? this.moments.total / this.n : NaN;
  }
  get variance(): number {
    return this.n > 1 ? this.moments.m2 / (this.n - 1) : NaN;
  }

  /** The values held (insertion order until a quantile is requested, sorted after). Do not modify. */
  valuesView(): Float64Array {
    return this.values.subarray(0, this.n);
  }

  add(x: number): void {
    if (!(x - x === 0)) {
      this.nonFiniteCount++;
      return;
    }
    if (this.n === this.values.length) {
      const next = new Float64Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    if (this.sorted && this.n > 0 && x < this.values[this.n - 1]) this.sorted = false;
    this.values[this.n++] = x;
    this.moments.add(x);
  }

  addAll(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.add(values[i]);
  }

  private ensureSorted(): Float64Array {
    const view = this.values.subarray(0, this.n);
    if (!this.sorted) {
      view.sort();
      this.sorted = true;
    }
    return view;
  }

  /** Lower empirical quantile x_(⌊q(n−1)⌋) of the sorted values. */
  quantile(q: number): number {
    if (this.n === 0 || !(q >= 0 && q <= 1)) return NaN;
    return this.ensureSorted()[lowerQuantileIndex(q, this.n)];
  }

  quantiles(qs: ArrayLike<number>): number[] {
    const out: number[] = [];
    for (let i = 0; i < qs.length; i++) out.push(this.quantile(qs[i]));
    return out;
  }

  /**
   * Merge another exact collector (or its serialized form). Merging a sketch
   * into an exact collector is refused: create collectors with the same
   * expected total N (see `createQuantileCollector`) so all workers agree.
   */
  merge(other: QuantileCollector | SerializedQuantileCollector): this {
    if (other instanceof ExactQuantiles) {
      const v = other.valuesView();
      for (let i = 0; i < v.length; i++) this.add(v[i]);
      this.nonFiniteCount += other.nonFiniteCount;
      return this;
    }
    if (isSerialized(other) && other.type === "exact") {
      for (const v of other.values) this.add(v);
      this.nonFiniteCount += other.nonFinite;
      return this;
    }
    throw new TypeError(
      "cannot merge a DDSketch into ExactQuantiles (exactness would be lost); merge the exact collector into the sketch instead, or create all collectors with the same expected count",
    );
  }

  toJSON(): SerializedExactQuantiles {
    return {
      type: "exact",
      version: 1,
      values: Array.from(this.values.subarray(0, this.n)),
      ...momentsToJSON(this.moments, this.nonFiniteCount),
    };
  }

  static fromJSON(obj: SerializedExactQuantiles): ExactQuantiles {
    if (obj.type !== "exact") throw new TypeError(`expected serialized exact quantiles, got ${String(obj.type)}`);
    const e = new ExactQuantiles(obj.values.length);
    e.merge(obj);
    return e;
  }
}

// ---------------------------------------------------------------------------
// Factory
// ---------------------------------------------------------------------------

export interface QuantileCollectorOptions extends DDSketchOptions {
  /** Use exact collection when the expected count is at most this (default 10 000). */
  readonly exactThreshold?: number;
}

/**
 * Choose the collector for an expected *total* number of values (e.g. the
 * number of Monte Carlo paths across all workers): exact when
 * expectedCount <= exactThreshold (default 10 000), DDSketch otherwise.
 * Workers must all use the same expectedCount so their collectors merge.
 */
export function createQuantileCollector(expectedCount: number, options: QuantileCollectorOptions = {}): QuantileCollector {
  const threshold = options.exactThreshold ?? DEFAULT_EXACT_THRESHOLD;
  if (expectedCount <= threshold) return new ExactQuantiles(Math.min(Math.max(16, Math.ceil(expectedCount)), 1 << 20));
  return new DDSketch(options);
}

/** Rebuild a collector from `toJSON()` output (e.g. posted by a worker). */
export function quantileCollectorFromJSON(obj: SerializedQuantileCollector): QuantileCollector {
  if (obj.type === "ddsketch") return DDSketch.fromJSON(obj);
  if (obj.type === "exact") return ExactQuantiles.fromJSON(obj);
  throw new TypeError(`unknown serialized collector type ${String((obj as { type?: unknown }).type)}`);
}
