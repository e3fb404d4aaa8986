import { RankSketch, sortFloat64, lowerQuantileIndex } from "../uncertainty/math/sketch.js";

/**
 * The rank sketch as it was before its levels were merged with what comes in instead of
 * appended to (and its quantiles found by binary search instead of a walk), kept as the
 * reference the sketch is tested against: a full level took the run in, up to 2k items,
 * and was sorted and halved there; quantiles walked every item in order. Slow and
 * memory-hungry, and obviously what the sketch's results were defined by.
 */
export class AppendSortRankSketch extends RankSketch {
  protected override insert(run: Float64Array, length: number, level: number, sorted = true): void {
    this.addLevels(level);
    // Append; a level is sorted only when it is halved or read, so that many short runs
    // cost a copy each rather than a merge into a long level each.
    const size = this.sizes[level];
    const need = size + length;
    let buf = this.levels[level];
    if (buf.length < need) {
      const next = new Float64Array(Math.max(need, Math.min(2 * this.k + 2, Math.max(64, 2 * buf.length))));
      next.set(buf.subarray(0, size));
      buf = this.levels[level] = next;
    }
    if (!sorted || (size > 0 && run[0] < buf[size - 1])) this.unsorted[level] = true;
    buf.set(run.subarray(0, length), size);
    this.sizes[level] = need;
    if (need <= this.k) return;
    // Over capacity: sort, halve. With an odd count the largest item stays at this level.
    if (this.unsorted[level]) sortFloat64(buf, 0, need);
    this.unsorted[level] = false;
    const keepOne = need & 1;
    const even = need - keepOne;
    const offset = this.parity[level];
    this.parity[level] ^= 1;
    const up = new Float64Array(even >> 1);
    for (let s = offset, u = 0; s < even; s += 2) up[u++] = buf[s];
    this.errorBound += 2 ** level;
    if (keepOne) buf[0] = buf[need - 1];
    this.sizes[level] = keepOne;
    this.insert(up, up.length, level + 1);
  }

  /** Values at the given quantiles (lower empirical definition, within the rank bound). */
  override quantiles(qs: readonly number[]): number[] {
    const n = this.count;
    if (n === 0) return qs.map(() => NaN);
    this.sortLevels();
    // Merge the levels into one weighted sorted sequence, walking it once for all qs.
    const L = this.levels.length;
    const pos = new Int32Array(L);
    const targets = qs.map((q) => lowerQuantileIndex(q, n));
    const order = targets.map((_, i) => i).sort((a, b) => targets[a] - targets[b]);
    const out = new Array<number>(qs.length).fill(NaN);
    let cumulative = 0;
    let next = 0;
    let last = NaN;
    for (;;) {
      let best = -1;
      let value = Infinity;
      for (let h = 0; h < L; h++) {
        if (pos[h] < this.sizes[h]) {
          const v = this.levels[h][pos[h]];
          if (best < 0 || v < value) {
            value = v;
            best = h;
          }
        }
      }
      if (best < 0) break;
      pos[best]++;
      cumulative += 2 ** best;
      last = value;
      while (next < order.length && cumulative > targets[order[next]]) out[order[next++]] = value;
      if (next === order.length) break;
    }
    for (; next < order.length; next++) out[order[next]] = last;
    return out;
  }
}
