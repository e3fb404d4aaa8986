/**
 * The two sorts of Iman–Conover's reordering (imanConoverCore.ts), in linear expected time:
 * the order of a column of scores (ties by index) and a column of sample values sorted.
 *
 * Both are bucket sorts whose result is the one the comparison sorts they replace give, to
 * the bit, for any input — not only likely inputs:
 *  - the bucket of x is ⌊(x − min)·scale⌋. Rounded subtraction and multiplication are
 *    monotone (x ≤ y ⇒ fl(x − m) ≤ fl(y − m)), and so is ⌊·⌋, so x < y never puts x in a
 *    later bucket than y: after a stable counting sort by bucket, the only pairs out of
 *    order are within one bucket, and a stable insertion sort finishes the job;
 *  - a total order has exactly one sorted arrangement, so any correct sort of it agrees
 *    with any other. Where the order is not total (NaN), or a value's bits are not fixed by
 *    the order (−0 beside +0 in a sorted column), or the buckets degenerate (one huge
 *    outlier, infinite or subnormal spans), the original comparison sort runs instead.
 */
export class RankSorter {
  private capacity = 0;
  /** count[b + 1] = values in bucket b, then the start of each bucket while scattering */
  private count = new Int32Array(1);
  private bucketOf = new Int32Array(0);
  private keys = new Float64Array(0);

  private ensure(n: number): void {
    if (n <= this.capacity) return;
    this.capacity = n;
    this.count = new Int32Array(n + 1);
    this.bucketOf = new Int32Array(n);
    this.keys = new Float64Array(n);
  }

  /**
   * order[0..n) = 0..n−1 ordered by t (ascending), ties by index: exactly what
   * `order.sort((x, y) => t[x] − t[y] || x − y)` gives.
   */
  orderOf(t: Float64Array, n: number, order: Uint32Array): void {
    let min = Infinity;
    let max = -Infinity;
    let nonFinite = 0;
    for (let i = 0; i < n; i++) {
      const x = t[i];
      nonFinite += x * 0; // NaN for ±Infinity and NaN, ±0 otherwise
      if (x < min) min = x;
      if (x > max) max = x;
    }
    if (nonFinite !== 0 || n < 2) {
      // The comparator is no total order with NaN (t[x] − t[y] is NaN, so it falls to
      // x − y); ∞ − ∞ is NaN too. Keep the comparison sort for these.
      for (let i = 0; i < n; i++) order[i] = i;
      order.subarray(0, n).sort((x, y) => t[x] - t[y] || x - y);
      return;
    }
    if (min === max) {
      // All equal (±0 among them: t[x] − t[y] is 0 for those too): the index order.
      for (let i = 0; i < n; i++) order[i] = i;
      return;
    }
    this.ensure(n);
    const scale = n / (max - min);
    // A span that overflows (scale 0) or is subnormal (scale ∞) leaves no usable buckets.
    if (!(scale > 0 && scale < Infinity)) {
      for (let i = 0; i < n; i++) order[i] = i;
      order.subarray(0, n).sort((x, y) => t[x] - t[y] || x - y);
      return;
    }
    const count = this.count;
    const bucketOf = this.bucketOf;
    const keys = this.keys;
    count.fill(0, 0, n + 1);
    const last = n - 1;
    for (let i = 0; i < n; i++) {
      let b = Math.floor((t[i] - min) * scale);
      if (b > last) b = last;
      bucketOf[i] = b;
      count[b + 1]++;
    }
    for (let b = 1; b < n; b++) count[b] += count[b - 1];
    // Stable: within a bucket, indices stay ascending.
    for (let i = 0; i < n; i++) {
      const pos = count[bucketOf[i]]++;
      order[pos] = i;
      keys[pos] = t[i];
    }
    // Stable insertion sort (moves past strictly greater keys only, so equal keys, −0 and
    // +0 among them, keep the index order). Out-of-order pairs lie within buckets; if the
    // buckets are crowded (values bunched by an outlier), hand over to the comparison sort.
    let budget = 8 * n;
    for (let i = 1; i < n; i++) {
      const key = keys[i];
      if (!(keys[i - 1] > key)) continue;
      const index = order[i];
      let j = i - 1;
      do {
        keys[j + 1] = keys[j];
        order[j + 1] = order[j];
        j--;
      } while (j >= 0 && keys[j] > key);
      keys[j + 1] = key;
      order[j + 1] = index;
      budget -= i - j;
      if (budget < 0) {
        order.subarray(0, n).sort((x, y) => t[x] - t[y] || x - y);
        return;
      }
    }
  }

  /**
   * sorted[0..n) = values[0..n) in ascending order: exactly what copying them and calling
   * `Float64Array.prototype.sort()` gives.
   */
  sortedCopy(values: Float64Array, n: number, sorted: Float64Array): void {
    let min = Infinity;
    let max = -Infinity;
    let nonFinite = 0;
    let negativeZero = false;
    for (let i = 0; i < n; i++) {
      const x = values[i];
      nonFinite += x * 0;
      if (x < min) min = x;
      if (x > max) max = x;
      if (x === 0 && 1 / x < 0) negativeZero = true;
    }
    const scale = n / (max - min);
    if (nonFinite !== 0 || negativeZero || n < 2 || min === max || !(scale > 0 && scale < Infinity)) {
      // NaN (and its payloads) and −0 next to +0 are placed by the native sort's own rules;
      // all-equal columns (one value: a discrete input's single outcome) need no work at all.
      sorted.set(values.subarray(0, n));
      if (!(min === max && nonFinite === 0 && !negativeZero)) sorted.subarray(0, n).sort();
      return;
    }
    this.ensure(n);
    const count = this.count;
    const bucketOf = this.bucketOf;
    count.fill(0, 0, n + 1);
    const last = n - 1;
    for (let i = 0; i < n; i++) {
      let b = Math.floor((values[i] - min) * scale);
      if (b > last) b = last;
      bucketOf[i] = b;
      count[b + 1]++;
    }
    for (let b = 1; b < n; b++) count[b] += count[b - 1];
    for (let i = 0; i < n; i++) sorted[count[bucketOf[i]]++] = values[i];
    // Equal values are the same number here (no −0, no NaN), so their order does not matter.
    let budget = 8 * n;
    for (let i = 1; i < n; i++) {
      const key = sorted[i];
      if (!(sorted[i - 1] > key)) continue;
      let j = i - 1;
      do {
        sorted[j + 1] = sorted[j];
        j--;
      } while (j >= 0 && sorted[j] > key);
      sorted[j + 1] = key;
      budget -= i - j;
      if (budget < 0) {
        sorted.subarray(0, n).sort();
        return;
      }
    }
  }
}
