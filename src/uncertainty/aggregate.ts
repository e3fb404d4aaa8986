import type { CompiledModel } from "../engine/compile.js";
import type { Projection } from "../engine/project.js";
import { METRIC_INDEX } from "../engine/metrics.js";
import { INVALID_REASONS, MAX_INVALID_EXAMPLES, emptyInvalidCounts, type InvalidReason } from "./invalidReasons.js";
import { Moments, RankSketch, compactSortedRun, sortFloat64, selectRanks, selectRanksOfFinite, lowerQuantileIndex, predictRankErrorBound, DEFAULT_SKETCH_K, type CompactedRun, type SerializedMoments } from "./math/sketch.js";

/** The monthly series whose distribution a simulation reports. */
export const SIMULATED_SERIES = ["endingCash", "revenue", "netIncome", "freeCashFlow", "debt"] as const;
export type SimulatedSeries = (typeof SIMULATED_SERIES)[number];
const IS_BALANCE: Record<SimulatedSeries, boolean> = { endingCash: true, revenue: false, netIncome: false, freeCashFlow: false, debt: true };
/** IS_BALANCE by position in SIMULATED_SERIES (1: a balance). */
const BALANCE_SERIES = Uint8Array.from(SIMULATED_SERIES, (name) => (IS_BALANCE[name] ? 1 : 0));

/** Whole-path metrics whose distribution is reported. */
export const SIMULATED_METRICS = ["fundingGap", "runwayMonths", "minCash", "cumulativeBurn", "minDscr", "endingCash"] as const;
export type SimulatedMetric = (typeof SIMULATED_METRICS)[number];
/** Where each reported metric is in a metric vector. */
const METRIC_SLOTS = Int32Array.from(SIMULATED_METRICS, (name) => METRIC_INDEX[name]);

/**
 * Which periods a simulation reports: fiscal years always; fiscal quarters or months when
 * asked (5 numbers per path per period: 600 more per path by month over ten years).
 */
export type OutputDetail = "year" | "quarter" | "month";

export interface KeptPath {
  path: number;
  series: Record<SimulatedSeries, number[]>;
}

/** Budget for keeping every value of a group of outputs (exact percentiles), per run. */
export const EXACT_BUDGET_BYTES = 64 * 1024 * 1024;
/** Budget for one chunk's buffered values on one thread. */
const CHUNK_BUDGET_BYTES = 16 * 1024 * 1024;

/**
 * What one path contributes, as numbered columns: the metrics, then each series by fiscal
 * year, then (detail "quarter" or "month") each series by detail period. Columns form two
 * groups — summary (metrics and years) and detail (quarters or months) — each collected
 * exactly when all its values fit the budget, in a rank sketch otherwise. The choice
 * depends only on the number of paths and the model's horizon, so every run of the same
 * model and N (simulate, sensitivity --global) computes the same summary statistics,
 * whatever detail it asks for.
 */
export class OutputLayout {
  readonly months: number;
  readonly years: number;
  /** Fiscal-year index of each month. */
  readonly yearOf: Int32Array;
  /** First month of each fiscal year, and the horizon's length at the end (years + 1 entries). */
  readonly yearStart: Int32Array;
  /** Detail periods (fiscal quarters or months; 0 with detail "year"). */
  readonly periods: number;
  /** Detail-period index of each month (a quarter's months share one; empty with detail "year"). */
  readonly periodOf: Int32Array;
  /** First month of each detail period. */
  readonly periodStart: Int32Array;
  readonly summaryColumns: number;
  readonly columns: number;
  /** Whether quarters or months are collected besides the years. */
  readonly detailed: boolean;

  constructor(
    compiled: CompiledModel,
    readonly detail: OutputDetail,
  ) {
    const cal = compiled.calendar;
    this.months = compiled.months;
    this.yearOf = new Int32Array(this.months);
    let y = -1;
    for (let t = 0; t < this.months; t++) {
      if (t === 0 || cal.fiscalYear[t] !== cal.fiscalYear[t - 1]) y++;
      this.yearOf[t] = y;
    }
    this.years = y + 1;
    this.yearStart = new Int32Array(this.years + 1);
    for (let t = this.months - 1; t >= 0; t--) this.yearStart[this.yearOf[t]] = t;
    this.yearStart[this.years] = this.months;
    this.detailed = detail !== "year";
    // A quarter is a fiscal quarter (as `run --period quarter`); a horizon that starts or ends inside one has a short first or last quarter.
    this.periodOf = new Int32Array(this.detailed ? this.months : 0);
    const starts: number[] = [];
    let p = -1;
    for (let t = 0; t < this.periodOf.length; t++) {
      const newPeriod = detail === "month" || t === 0 || cal.fiscalQuarter[t] !== cal.fiscalQuarter[t - 1] || cal.fiscalYear[t] !== cal.fiscalYear[t - 1];
      if (newPeriod) starts[++p] = t;
      this.periodOf[t] = p;
    }
    this.periods = p + 1;
    this.periodStart = Int32Array.from(starts);
    this.summaryColumns = SIMULATED_METRICS.length + SIMULATED_SERIES.length * this.years;
    this.columns = this.summaryColumns + SIMULATED_SERIES.length * this.periods;
  }

  metricColumn(k: number): number {
    return k;
  }
  yearColumn(series: number, year: number): number {
    return SIMULATED_METRICS.length + series * this.years + year;
  }
  /** Column of a series in detail period p (a quarter or a month). */
  detailColumn(series: number, p: number): number {
    return this.summaryColumns + series * this.periods + p;
  }
  isDetail(column: number): boolean {
    return column >= this.summaryColumns;
  }
}

/** How a group of columns is collected for a run of n paths. */
export interface CollectionMethod {
  exact: boolean;
  /** Paths per chunk of work: a function of n and the layout only (not of the threads). */
  chunkSize: number;
  k: number;
}

function pow2Floor(x: number): number {
  return 2 ** Math.floor(Math.log2(Math.max(1, x)));
}

/** Fewest paths in a chunk (a run of n paths has at most ⌈n / MIN_CHUNK_SIZE⌉ chunks). */
export const MIN_CHUNK_SIZE = 256;

/** Paths per chunk: ~48 chunks or more, 256 to 16,384 paths, within the chunk memory budget. */
export function chunkSizeFor(n: number, layout: Pick<OutputLayout, "columns">): number {
  const byCount = Math.min(16_384, Math.max(MIN_CHUNK_SIZE, pow2Floor(n / 48)));
  const byMemory = Math.max(MIN_CHUNK_SIZE, pow2Floor(CHUNK_BUDGET_BYTES / (8 * layout.columns)));
  return Math.min(byCount, byMemory);
}

/**
 * Paths per chunk of a run whose every column is collected exactly: values land by path
 * number and counts are sums, so the chunk boundaries change no statistic, and chunks about
 * four times finer than `chunkSizeFor` (~200 or more) let the threads finish within a
 * fraction of a second of each other.
 */
export function exactRunChunkSize(n: number, natural: number): number {
  return Math.min(natural, Math.max(MIN_CHUNK_SIZE, pow2Floor(n / 192)));
}

export function collectionMethod(n: number, layout: Pick<OutputLayout, "columns" | "summaryColumns">, detail: boolean, chunkSize = chunkSizeFor(n, layout)): CollectionMethod {
  const columns = detail ? layout.columns - layout.summaryColumns : layout.summaryColumns;
  let k = DEFAULT_SKETCH_K;
  // Double k until the rank bound the schedule guarantees is within 0.05 percentile points.
  while (predictRankErrorBound(n, chunkSize, k) > 0.0005 * n) k *= 2;
  return { exact: n * columns * 8 <= EXACT_BUDGET_BYTES, chunkSize, k };
}

/**
 * One chunk's contribution: a pure function of (model, seed, path range), posted by a
 * worker (copied, its values packed: packForPosting) and merged by the main thread.
 *
 * `values` holds each column's numbers for the chunk's paths, column after column (stride
 * `count`, or from `offsets`): raw, in path order, for exactly collected columns; for sketched
 * columns the finite values, sorted and halved when longer than the sketch's k, as `runs`
 * describes (length, level, sorted; the rank error halving added in `errors`),
 * with their moments in `moments` (6 numbers per column) and odd items out in `extras`.
 */
export interface ChunkResult {
  chunk: number;
  start: number;
  count: number;
  values: Float64Array;
  /**
   * Where column c starts in `values` when they are packed (packValues): only what the
   * aggregate reads is there, column after column — a sketched column's run, an exact
   * column's `count` values or none. Absent: column c starts at c × count.
   */
  offsets?: Int32Array;
  runs: Int32Array;
  errors: Float64Array;
  moments: Float64Array;
  extras: number[];
  cashOutMonth: Float64Array;
  breakevenMonth: Float64Array;
  anyCovenantBreach: number;
  kept: KeptPath[];
  /**
   * Whether the thread that computed the chunk wrote its exactly collected columns into the
   * run's shared columns itself (writeExactColumns); `values` then holds no exact column.
   */
  exactWritten?: boolean;
  /** Paths of the chunk that are not outcomes (validity.ts): NaN in every column, so no statistic counts them. */
  invalid: number;
  invalidByReason: number[];
  invalidExamples: { path: number; reason: InvalidReason }[];
}

/**
 * One chunk of a sketched column, v[from..from+n): its moments into `m` (reset first),
 * then its finite values moved to the front, sorted and halved in place. The same steps
 * for every caller, so that a column gives the same statistics wherever it is computed.
 */
export function finishSketchedRun(v: Float64Array, from: number, n: number, k: number, chunk: number, m: Moments): CompactedRun {
  m.count = 0;
  m.sum = 0;
  m.compensation = 0;
  m.min = Infinity;
  m.max = -Infinity;
  m.nonFinite = 0;
  m.addRun(v, from, from + n);
  let finite = from;
  for (let j = from; j < from + n; j++) {
    const x = v[j];
    if (x - x === 0) v[finite++] = x;
  }
  const length = finite - from;
  // A run that needs no halving is left unsorted: the sketch sorts a level only when it fills.
  if (length <= k) return { sorted: false, length, level: 0, error: 0, extraValues: [], extraLevels: [] };
  const run = v.subarray(from, from + n);
  sortFloat64(run, 0, length);
  return compactSortedRun(run, length, k, chunk & 1);
}

/**
 * Statistics of one output given all its values in path order, computed exactly as a
 * simulation of the same shape computes them (used by sensitivity --global, so that it
 * prints the same figures as simulate).
 */
export function columnStatistics(values: Float64Array, n: number, method: CollectionMethod): ColumnStatistics {
  if (method.exact) return exactStatistics(values, n);
  const sketch = new RankSketch(method.k);
  const total = new Moments();
  const m = new Moments();
  const buffer = new Float64Array(method.chunkSize);
  for (let start = 0, chunk = 0; start < n; start += method.chunkSize, chunk++) {
    const count = Math.min(method.chunkSize, n - start);
    buffer.set(values.subarray(start, start + count));
    const compacted = finishSketchedRun(buffer, 0, count, method.k, chunk, m);
    total.merge(m.toJSON());
    sketch.addCompacted(buffer, compacted);
  }
  return { count: total.count, nonFinite: total.nonFinite, mean: total.mean, quantiles: (qs) => sketch.quantiles(qs) };
}

/** Collects one chunk's paths (the caller evaluates them and calls `add` for each, in order). */
export class ChunkCollector {
  readonly values: Float64Array;
  readonly cashOutMonth: Float64Array;
  readonly breakevenMonth: Float64Array;
  anyCovenantBreach = 0;
  kept: KeptPath[] = [];
  invalid = 0;
  invalidByReason: number[] = emptyInvalidCounts();
  invalidExamples: { path: number; reason: InvalidReason }[] = [];
  private i = 0;
  private readonly periodTotals: Float64Array;
  private itemsSeen: Projection["items"] | null = null;
  private readonly series: Float64Array[] = [];

  constructor(
    readonly layout: OutputLayout,
    readonly chunk: number,
    readonly start: number,
    readonly count: number,
    readonly keep: number,
    /** A buffer of exactly `layout.columns * count` numbers to collect into instead of a new one (its last chunk's, in a worker that has copied that out). */
    reuse?: Float64Array,
  ) {
    this.values = reuse && reuse.length === layout.columns * count ? reuse.fill(0) : new Float64Array(layout.columns * count);
    this.cashOutMonth = new Float64Array(layout.months + 1);
    this.breakevenMonth = new Float64Array(layout.months + 1);
    this.periodTotals = new Float64Array(layout.periods);
  }

  add(path: number, proj: Projection, m: Float64Array): void {
    const L = this.layout;
    const v = this.values;
    const n = this.count;
    const i = this.i++;
    const H = L.months;
    const Y = L.years;
    const yearStart = L.yearStart;
    // A path's series are the same buffers path after path (its workspace's): looked up by name once.
    if (this.itemsSeen !== proj.items) {
      this.itemsSeen = proj.items;
      for (let s = 0; s < SIMULATED_SERIES.length; s++) this.series[s] = proj.items[SIMULATED_SERIES[s]];
    }
    for (let k = 0; k < METRIC_SLOTS.length; k++) v[k * n + i] = m[METRIC_SLOTS[k]];
    for (let s = 0; s < SIMULATED_SERIES.length; s++) {
      const series = this.series[s];
      const base = L.yearColumn(s, 0) * n + i;
      // A year's months are consecutive: a balance is its last month, a flow their sum from 0 in month order.
      if (BALANCE_SERIES[s] === 1) for (let y = 0; y < Y; y++) v[base + y * n] = series[yearStart[y + 1] - 1];
      else {
        for (let y = 0; y < Y; y++) {
          let total = 0;
          for (let t = yearStart[y]; t < yearStart[y + 1]; t++) total += series[t];
          v[base + y * n] = total;
        }
      }
      if (L.detailed) {
        const db = L.detailColumn(s, 0) * n + i;
        if (L.periods === H) for (let t = 0; t < H; t++) v[db + t * n] = series[t];
        else {
          // Each path's own quarter (its flows summed, its balance at the quarter's end), so that percentiles are of quarters, not of months.
          const q = this.periodTotals;
          const periodOf = L.periodOf;
          if (BALANCE_SERIES[s] === 1) for (let t = 0; t < H; t++) q[periodOf[t]] = series[t];
          else {
            q.fill(0);
            for (let t = 0; t < H; t++) q[periodOf[t]] += series[t];
          }
          for (let p = 0; p < L.periods; p++) v[db + p * n] = q[p];
        }
      }
    }
    const cashOut = m[METRIC_INDEX.cashOutIndex];
    this.cashOutMonth[cashOut < 0 ? H : cashOut]++;
    const breakeven = m[METRIC_INDEX.breakevenIndex];
    this.breakevenMonth[breakeven < 0 ? H : breakeven]++;
    if (m[METRIC_INDEX.covenantBreaches] > 0) this.anyCovenantBreach++;
    if (path < this.keep) {
      const series = {} as Record<SimulatedSeries, number[]>;
      for (const name of SIMULATED_SERIES) series[name] = Array.from(proj.items[name]);
      this.kept.push({ path, series });
    }
  }

  /**
   * A path that is not an outcome: its place in every column holds NaN, which exact and
   * sketched statistics both skip (as non-finite), and it counts in no event.
   */
  addInvalid(path: number, reason: InvalidReason): void {
    const v = this.values;
    const n = this.count;
    const i = this.i++;
    for (let c = 0; c < this.layout.columns; c++) v[c * n + i] = NaN;
    this.invalid++;
    this.invalidByReason[INVALID_REASONS.indexOf(reason)]++;
    if (this.invalidExamples.length < MAX_INVALID_EXAMPLES) this.invalidExamples.push({ path, reason });
  }

  /**
   * Finishes the chunk: sketched columns are sorted and halved here, on the thread that
   * computed them, so the main thread only merges short sorted runs.
   */
  finish(summary: CollectionMethod, detail: CollectionMethod | null): ChunkResult {
    const L = this.layout;
    const n = this.count;
    const v = this.values;
    const runs = new Int32Array(3 * L.columns);
    const errors = new Float64Array(L.columns);
    const moments = new Float64Array(6 * L.columns);
    const extras: number[] = [];
    const m = new Moments();
    for (let c = 0; c < L.columns; c++) {
      const method = L.isDetail(c) ? detail! : summary;
      if (method.exact) continue;
      const compacted = finishSketchedRun(v, c * n, n, method.k, this.chunk, m);
      moments.set([m.count, m.sum, m.compensation, m.min, m.max, m.nonFinite], 6 * c);
      runs[3 * c] = compacted.length;
      runs[3 * c + 1] = compacted.level;
      runs[3 * c + 2] = compacted.sorted ? 1 : 0;
      errors[c] = compacted.error;
      for (let e = 0; e < compacted.extraValues.length; e++) extras.push(c, compacted.extraValues[e], compacted.extraLevels[e]);
    }
    return { chunk: this.chunk, start: this.start, count: n, values: v, runs, errors, moments, extras, cashOutMonth: this.cashOutMonth, breakevenMonth: this.breakevenMonth, anyCovenantBreach: this.anyCovenantBreach, kept: this.kept, invalid: this.invalid, invalidByReason: this.invalidByReason, invalidExamples: this.invalidExamples };
  }
}

/**
 * The shape of a run of n paths: which columns, how each group is collected, how the
 * paths split into chunks of work. A function of (model, detail, n) only — the same on
 * every thread and for any number of threads.
 */
export class RunShape {
  readonly layout: OutputLayout;
  readonly summary: CollectionMethod;
  /** How the detail group (quarters or months) is collected; null with detail "year". */
  readonly detail: CollectionMethod | null;
  readonly chunkSize: number;
  readonly chunks: number;

  constructor(
    compiled: CompiledModel,
    detail: OutputDetail,
    readonly paths: number,
    readonly keep = 0,
    /** Paths per chunk when several runs must split alike (a system's companies); default chunkSizeFor. */
    chunkSize?: number,
  ) {
    this.layout = new OutputLayout(compiled, detail);
    this.summary = collectionMethod(paths, this.layout, false, chunkSize);
    this.detail = this.layout.detailed ? collectionMethod(paths, this.layout, true, chunkSize) : null;
    this.chunkSize = this.summary.chunkSize;
    this.chunks = Math.ceil(paths / this.chunkSize);
  }

  /** A collector for chunk `chunk` of the run. */
  collector(chunk: number, reuse?: Float64Array): ChunkCollector {
    const start = chunk * this.chunkSize;
    return new ChunkCollector(this.layout, chunk, start, Math.min(this.chunkSize, this.paths - start), this.keep, reuse);
  }

  finish(collector: ChunkCollector): ChunkResult {
    return collector.finish(this.summary, this.detail);
  }

  /** Whether every column of the run is collected exactly (values by path index, nothing to merge in order). */
  get allExact(): boolean {
    return this.summary.exact && (this.detail === null || this.detail.exact);
  }

  /** Bytes of the run's exactly collected columns (see exactColumns). */
  get exactBytes(): number {
    let columns = 0;
    for (let c = 0; c < this.layout.columns; c++) if (this.isExact(c)) columns++;
    return columns * this.paths * 8;
  }

  isExact(column: number): boolean {
    return (this.layout.isDetail(column) ? this.detail! : this.summary).exact;
  }
}

/**
 * The exactly collected columns of a run (null for a sketched column), each a view of its
 * paths' values by path index; on `buffer` (exactBytes long, one column after another) when
 * given, so that every thread of the run can write the chunks it computes in place.
 */
export function exactColumns(shape: RunShape, buffer?: SharedArrayBuffer): (Float64Array | null)[] {
  let offset = 0;
  return Array.from({ length: shape.layout.columns }, (_, c) => {
    if (!shape.isExact(c)) return null;
    if (!buffer) return new Float64Array(shape.paths);
    const view = new Float64Array(buffer, offset, shape.paths);
    offset += 8 * shape.paths;
    return view;
  });
}

/** Where column c of a chunk result starts in its values (packed or not). */
function columnStart(r: Pick<ChunkResult, "count" | "offsets">, c: number): number {
  return r.offsets ? r.offsets[c] : c * r.count;
}

/** Writes a chunk's exactly collected columns into the run's columns at its paths' indices. */
export function writeExactColumns(r: Pick<ChunkResult, "values" | "count" | "start" | "offsets">, exact: (Float64Array | null)[]): void {
  for (let c = 0; c < exact.length; c++) {
    const e = exact[c];
    if (!e) continue;
    const from = columnStart(r, c);
    e.set(r.values.subarray(from, from + r.count), r.start);
  }
}

/**
 * The result with only the values still to be read, packed into an array of their own:
 * `length(c)` values of column c (0 to leave it out; never more than the column holds) — into
 * `reuse` when it has just the length needed, a new array otherwise. A worker posts its chunks
 * so (a sketched column's run is often half the chunk's paths, or less), and the aggregate
 * keeps so a chunk that must wait for an earlier one.
 */
export function packValues(r: ChunkResult, length: (c: number) => number, reuse?: Float64Array): ChunkResult {
  const columns = r.runs.length / 3;
  const offsets = new Int32Array(columns + 1);
  for (let c = 0; c < columns; c++) offsets[c + 1] = offsets[c] + length(c);
  const values = reuse && reuse.length === offsets[columns] ? reuse : new Float64Array(offsets[columns]);
  for (let c = 0; c < columns; c++) {
    const from = columnStart(r, c);
    values.set(r.values.subarray(from, from + offsets[c + 1] - offsets[c]), offsets[c]);
  }
  return { ...r, values, offsets };
}

/**
 * What a worker posts of a chunk: every exact column's values, each sketched column's run
 * (into `reuse`, the last chunk's packed values, when they are as long: posting copies them).
 */
export function packForPosting(r: ChunkResult, shape: RunShape, reuse?: Float64Array): ChunkResult {
  return packValues(r, (c) => (shape.isExact(c) ? r.count : r.runs[3 * c]), reuse);
}

/** Statistics of one output over the paths merged so far. */
export interface ColumnStatistics {
  count: number;
  nonFinite: number;
  mean: number;
  quantiles(qs: readonly number[]): number[];
}

/**
 * What a simulation's paths add up to. Chunk results merge here on the main thread:
 * exactly collected columns are written by path index (so arrival order does not
 * matter); sketched columns must be merged in chunk order, which `add` ensures by holding
 * early arrivals. The result is the same for any number of threads.
 */
export class Aggregate {
  /** Paths merged (a prefix 0..n of the run's paths). */
  n = 0;
  readonly layout: OutputLayout;
  readonly summary: CollectionMethod;
  readonly detailMethod: CollectionMethod | null;
  readonly chunkSize: number;
  readonly chunks: number;
  readonly expectedPaths: number;
  readonly cashOutMonth: Float64Array;
  readonly breakevenMonth: Float64Array;
  anyCovenantBreach = 0;
  kept: KeptPath[] = [];
  /** Paths merged that are not outcomes (validity.ts): counted by reason, in no statistic. */
  invalid = 0;
  invalidByReason: number[] = emptyInvalidCounts();
  /** The first few invalid paths (lowest path numbers), to show the user where to look. */
  invalidExamples: { path: number; reason: InvalidReason }[] = [];
  private readonly exact: (Float64Array | null)[];
  private readonly anySketch: boolean;
  private readonly sketches: (RankSketch | null)[];
  private readonly moments: (Moments | null)[];
  private readonly pending = new Map<number, ChunkResult>();
  private nextChunk = 0;
  private readonly done: Uint8Array;

  /**
   * `exactBuffer` (shape.exactBytes, shared): the exact columns live there, where each thread
   * writes the chunks it computes (a result with `exactWritten` brings no exact values).
   */
  constructor(
    readonly compiled: CompiledModel,
    readonly shape: RunShape,
    exactBuffer?: SharedArrayBuffer,
  ) {
    const layout = (this.layout = shape.layout);
    this.summary = shape.summary;
    this.detailMethod = shape.detail;
    this.chunkSize = shape.chunkSize;
    this.chunks = shape.chunks;
    this.expectedPaths = shape.paths;
    this.done = new Uint8Array(this.chunks);
    const method = (c: number) => (layout.isDetail(c) ? this.detailMethod! : this.summary);
    this.exact = exactColumns(shape, exactBuffer);
    this.anySketch = this.exact.includes(null);
    this.sketches = Array.from({ length: layout.columns }, (_, c) => (method(c).exact ? null : new RankSketch(method(c).k)));
    this.moments = Array.from({ length: layout.columns }, (_, c) => (method(c).exact ? null : new Moments()));
    this.cashOutMonth = new Float64Array(layout.months + 1);
    this.breakevenMonth = new Float64Array(layout.months + 1);
  }

  /**
   * Merges a chunk's result (any order); returns how many paths are merged in order so far.
   * It keeps no reference to the result's values: the caller may collect its next chunk into them.
   */
  add(r: ChunkResult): number {
    if (this.done[r.chunk]) throw new Error(`internal: chunk ${r.chunk} merged twice`);
    this.done[r.chunk] = 1;
    const anySketch = this.anySketch;
    if (!r.exactWritten) writeExactColumns(r, this.exact);
    // Counts and sketches take chunks in order, so that a stopped run is a prefix of paths.
    this.pending.set(r.chunk, r.chunk === this.nextChunk ? r : this.toHold(r));
    while (this.nextChunk < this.chunks && this.done[this.nextChunk]) {
      const p = this.pending.get(this.nextChunk)!;
      this.pending.delete(this.nextChunk);
      if (anySketch) this.mergeSketches(p);
      this.settle(p);
      this.nextChunk++;
      this.n = Math.min(this.expectedPaths, this.nextChunk * this.chunkSize);
    }
    return this.n;
  }

  /**
   * What is kept of a chunk that must wait for an earlier one: its sketched columns' runs
   * alone (its exact columns are written), in values of its own — a copy unless the result
   * holds nothing else (as a worker's packed result of a run with no exact column).
   */
  private toHold(r: ChunkResult): ChunkResult {
    const length = (c: number) => (this.sketches[c] ? r.runs[3 * c] : 0);
    let needed = 0;
    for (let c = 0; c < this.layout.columns; c++) needed += length(c);
    return r.offsets && r.values.length === needed ? r : packValues(r, length);
  }

  private settle(r: ChunkResult): void {
    for (let t = 0; t < this.cashOutMonth.length; t++) {
      this.cashOutMonth[t] += r.cashOutMonth[t];
      this.breakevenMonth[t] += r.breakevenMonth[t];
    }
    this.anyCovenantBreach += r.anyCovenantBreach;
    for (const k of r.kept) this.kept.push(k);
    this.invalid += r.invalid;
    r.invalidByReason.forEach((count, i) => (this.invalidByReason[i] += count));
    // Chunks settle in path order, so the first examples seen are the lowest path numbers.
    for (const e of r.invalidExamples) if (this.invalidExamples.length < MAX_INVALID_EXAMPLES) this.invalidExamples.push(e);
  }

  private mergeSketches(r: ChunkResult): void {
    mergeSketchedColumns(r, this.moments, this.sketches);
  }

  /** Whether every chunk up to the run's end has been merged. */
  get complete(): boolean {
    return this.nextChunk >= this.chunks;
  }

  /** Statistics of a column over the merged prefix of paths. */
  statistics(column: number): ColumnStatistics {
    const e = this.exact[column];
    if (e) return exactStatistics(e, this.n);
    const s = this.sketches[column]!;
    const m = this.moments[column]!;
    return { count: m.count, nonFinite: m.nonFinite, mean: m.mean, quantiles: (qs) => s.quantiles(qs) };
  }

  /** The largest rank error bound over the sketched columns of a group, as a share of paths. */
  rankError(detail: boolean): number {
    let worst = 0;
    for (let c = 0; c < this.layout.columns; c++) {
      if (this.layout.isDetail(c) !== detail) continue;
      const s = this.sketches[c];
      if (s) worst = Math.max(worst, s.rankError);
    }
    return worst;
  }

  /** Index of the fiscal year of month t among the horizon's fiscal years. */
  yearIndex(t: number): number {
    return this.layout.yearOf[t];
  }
}

/** Columns with at least this many values select their quantiles by buckets (selectRanksOfFinite). */
const BUCKETED_SELECTION_FROM = 4096;

/** Mean (compensated, in path order) and exact lower quantiles of values[0..n). */
export function exactStatistics(values: Float64Array, n: number): ColumnStatistics {
  const m = new Moments();
  m.addRun(values, 0, n);
  let cache: Float64Array | null = null;
  return {
    count: m.count,
    nonFinite: m.nonFinite,
    mean: m.mean,
    quantiles(qs) {
      if (m.count === 0) return qs.map(() => NaN);
      const ranks = qs.map((q) => lowerQuantileIndex(q, m.count));
      if (!cache && m.count >= BUCKETED_SELECTION_FROM) {
        // A large column: bucketed selection, without copying or reordering the values.
        const order = ranks.map((_, i) => i).sort((a, b) => ranks[a] - ranks[b]);
        const picked = selectRanksOfFinite(values, 0, n, m.count, m.min, m.max, order.map((i) => ranks[i]));
        const out = new Array<number>(qs.length);
        order.forEach((i, j) => (out[i] = picked[j]));
        return out;
      }
      if (!cache) {
        cache = new Float64Array(m.count);
        let j = 0;
        for (let i = 0; i < n; i++) {
          const x = values[i];
          if (x - x === 0) cache[j++] = x;
        }
      }
      const order = ranks.map((_, i) => i).sort((a, b) => ranks[a] - ranks[b]);
      const picked = selectRanks(cache, m.count, order.map((i) => ranks[i]));
      const out = new Array<number>(qs.length);
      order.forEach((i, j) => (out[i] = picked[j]));
      return out;
    },
  };
}

/**
 * Adds one chunk's sorted runs and moments to the columns collected by rank sketch (null:
 * collected exactly). The same chunk layout serves one company's simulation and a system's.
 */
export function mergeSketchedColumns(
  r: Pick<ChunkResult, "extras" | "moments" | "values" | "offsets" | "runs" | "errors" | "count">,
  moments: (Moments | null)[],
  sketches: (RankSketch | null)[],
): void {
  const byColumn = new Map<number, number[]>();
  for (let e = 0; e < r.extras.length; e += 3) {
    const list = byColumn.get(r.extras[e]) ?? [];
    list.push(r.extras[e + 1], r.extras[e + 2]);
    byColumn.set(r.extras[e], list);
  }
  const mom: SerializedMoments = { count: 0, sum: 0, compensation: 0, min: null, max: null, nonFinite: 0 };
  for (let c = 0; c < sketches.length; c++) {
    const s = sketches[c];
    if (!s) continue;
    const o = 6 * c;
    mom.count = r.moments[o];
    mom.sum = r.moments[o + 1];
    mom.compensation = r.moments[o + 2];
    mom.min = r.moments[o + 3];
    mom.max = r.moments[o + 4];
    mom.nonFinite = r.moments[o + 5];
    moments[c]!.merge(mom);
    const from = columnStart(r, c);
    s.addSorted(r.values.subarray(from, from + r.runs[3 * c]), r.runs[3 * c], r.runs[3 * c + 1], r.errors[c], r.runs[3 * c + 2] === 1);
    const extras = byColumn.get(c);
    if (extras) for (let e = 0; e < extras.length; e += 2) s.addSorted(Float64Array.of(extras[e]), 1, extras[e + 1], 0);
  }
}
