import { Aggregate, RunShape, chunkSizeFor, exactRunChunkSize, collectionMethod, finishSketchedRun, mergeSketchedColumns, exactStatistics, writeExactColumns, exactColumns, type ChunkCollector, type ChunkResult, type CollectionMethod, type ColumnStatistics, type OutputDetail } from "../uncertainty/aggregate.js";
import { Moments, RankSketch } from "../uncertainty/math/sketch.js";
import type { CompiledSystem } from "./compile.js";
import { INVALID_REASONS, type InvalidReason } from "../uncertainty/invalidReasons.js";
import { withoutExactValues } from "../uncertainty/chunks.js";

/**
 * How a system simulation of n paths is collected: each company's outputs as `simulate`
 * collects them (a RunShape per company), plus the system's own numbers per path — each
 * company's loss to lenders, their total, and per link what the counterparty stopped
 * paying and the revenue change — in columns collected exactly or in rank sketches by the
 * same rule. Every company and the system split the paths into the same chunks, so that a
 * chunk of work covers all of them. A function of (system, detail, n) only.
 */
export class SystemRunShape {
  readonly companies: RunShape[];
  /** System columns: losses (one per company), total loss, then per link payments lost and revenue change. */
  readonly columns: number;
  readonly method: CollectionMethod;
  readonly chunkSize: number;
  readonly chunks: number;
  readonly firstYear: number;
  readonly yearCount: number;
  readonly pairs: [number, number][];

  constructor(
    readonly system: CompiledSystem,
    readonly detail: OutputDetail,
    readonly paths: number,
    readonly keep = 0,
    /** Paths per chunk instead of the rule below (a shard's own split; every thread of a run must use the same). */
    chunkSizeOverride?: number,
  ) {
    const K = system.companies.length;
    this.columns = K + 1 + 2 * system.links.length;
    const own = { columns: this.columns, summaryColumns: this.columns };
    const natural = system.companies.map((c) => new RunShape(c.compiled, detail, paths, keep));
    const chunkSize = Math.min(chunkSizeFor(paths, own), ...natural.map((s) => s.chunkSize));
    // Whether a column is exact does not depend on the chunk size (collectionMethod); when
    // every column of every company and of the system is, finer chunks change no statistic
    // (values land by path number, counts are sums) and let the threads finish together.
    const allExact = collectionMethod(paths, own, false, chunkSize).exact && natural.every((s) => s.allExact);
    this.chunkSize = chunkSizeOverride ?? (allExact ? exactRunChunkSize(paths, chunkSize) : chunkSize);
    this.companies = system.companies.map((c) => new RunShape(c.compiled, detail, paths, keep, this.chunkSize));
    this.method = collectionMethod(paths, own, false, this.chunkSize);
    this.chunks = Math.ceil(paths / this.chunkSize);
    this.firstYear = Math.floor(system.startSerial / 12);
    this.yearCount = Math.floor((system.startSerial + system.months - 1) / 12) - this.firstYear + 1;
    this.pairs = [];
    for (let i = 0; i < K; i++) for (let j = i + 1; j < K; j++) this.pairs.push([i, j]);
  }

  /** Whether every column (each company's and the system's) is collected exactly. */
  get allExact(): boolean {
    return this.method.exact && this.companies.every((s) => s.allExact);
  }

  /**
   * The shared memory of a run whose every column is exact: one buffer per company (its
   * RunShape's exactBytes) and one for the system's columns, where each thread writes the
   * chunks it computes (see SystemAggregate); null otherwise.
   */
  exactBuffers(): SharedArrayBuffer[] | null {
    if (!this.allExact) return null;
    return [...this.companies.map((s) => new SharedArrayBuffer(s.exactBytes)), new SharedArrayBuffer(8 * this.columns * this.paths)];
  }

  lossColumn(k: number): number {
    return k;
  }
  get totalLossColumn(): number {
    return this.system.companies.length;
  }
  paymentsColumn(l: number): number {
    return this.system.companies.length + 1 + 2 * l;
  }
  revenueColumn(l: number): number {
    return this.system.companies.length + 2 + 2 * l;
  }

  /** Year index (calendar years of the system's horizon) of a cash-out month serial; yearCount for none. */
  yearIndex(serial: number): number {
    return Number.isFinite(serial) ? Math.min(this.yearCount, Math.floor(serial / 12) - this.firstYear) : this.yearCount;
  }

  collector(chunk: number): SystemChunkCollector {
    return new SystemChunkCollector(this, chunk);
  }
}

/** Counts a chunk adds up (merged in chunk order, so that a stopped run is a prefix of paths). */
export interface SystemCounts {
  /** [company][year]: paths whose cash first goes below zero in that calendar year (last: never). */
  cashOutYear: Float64Array[];
  /** [pair][year]: both out by then, counted at the later of the two years. */
  pairYear: Float64Array[];
  allYear: Float64Array;
  anyYear: Float64Array;
  /** [company]: paths with a loss to its lenders; anyLoss: to anyone's. */
  lossPaths: Float64Array;
  anyLoss: number;
  /** [link]: paths on which it acted. */
  linkActed: Float64Array;
  /** [link]: per company, paths out with every link, with this one cut, only with it, only without it; by year without it. */
  attribution: { withLink: Float64Array; withoutLink: Float64Array; onlyWith: Float64Array; onlyWithout: Float64Array; withoutYear: Float64Array[] }[];
  iterationsTotal: number;
  iterationsMax: number;
  notConverged: number;
  /** Company projections evaluated (main resolutions and attribution reruns). */
  evaluations: number;
  /**
   * Paths that are not outcomes (uncertainty/validity.ts) for some company: left out of every
   * company's statistics and of every system count and column; by reason, in INVALID_REASONS order.
   */
  invalid: number;
  invalidByReason: Float64Array;
}

function emptyCounts(shape: SystemRunShape): SystemCounts {
  const K = shape.system.companies.length;
  const years = () => new Float64Array(shape.yearCount + 1);
  return {
    cashOutYear: shape.system.companies.map(years),
    pairYear: shape.pairs.map(years),
    allYear: years(),
    anyYear: years(),
    lossPaths: new Float64Array(K),
    anyLoss: 0,
    linkActed: new Float64Array(shape.system.links.length),
    attribution: shape.system.links.map(() => ({ withLink: new Float64Array(K), withoutLink: new Float64Array(K), onlyWith: new Float64Array(K), onlyWithout: new Float64Array(K), withoutYear: shape.system.companies.map(years) })),
    iterationsTotal: 0,
    iterationsMax: 0,
    notConverged: 0,
    evaluations: 0,
    invalid: 0,
    invalidByReason: new Float64Array(INVALID_REASONS.length),
  };
}

function addCounts(into: SystemCounts, from: SystemCounts): void {
  const add = (a: Float64Array, b: Float64Array) => {
    for (let i = 0; i < a.length; i++) a[i] += b[i];
  };
  from.cashOutYear.forEach((row, k) => add(into.cashOutYear[k], row));
  from.pairYear.forEach((row, p) => add(into.pairYear[p], row));
  add(into.allYear, from.allYear);
  add(into.anyYear, from.anyYear);
  add(into.lossPaths, from.lossPaths);
  into.anyLoss += from.anyLoss;
  add(into.linkActed, from.linkActed);
  from.attribution.forEach((a, l) => {
    const m = into.attribution[l];
    add(m.withLink, a.withLink);
    add(m.withoutLink, a.withoutLink);
    add(m.onlyWith, a.onlyWith);
    add(m.onlyWithout, a.onlyWithout);
    a.withoutYear.forEach((row, k) => add(m.withoutYear[k], row));
  });
  into.iterationsTotal += from.iterationsTotal;
  into.iterationsMax = Math.max(into.iterationsMax, from.iterationsMax);
  into.notConverged += from.notConverged;
  into.evaluations += from.evaluations;
  into.invalid += from.invalid;
  add(into.invalidByReason, from.invalidByReason);
}

/** One chunk of a system run: a pure function of (system, seed, chunk). */
export interface SystemChunkResult {
  chunk: number;
  start: number;
  count: number;
  companies: ChunkResult[];
  /** System columns, as ChunkResult holds a company's (see uncertainty/aggregate.ts). */
  values: Float64Array;
  runs: Int32Array;
  errors: Float64Array;
  moments: Float64Array;
  extras: number[];
  counts: SystemCounts;
  /** The thread wrote the exact columns into the run's shared buffers (writeSystemExactColumns); `values` holds none. */
  exactWritten?: boolean;
}

/** Collects one chunk's paths (each company through its own collector, the system's numbers here). */
export class SystemChunkCollector {
  readonly start: number;
  readonly count: number;
  readonly companies: ChunkCollector[];
  readonly values: Float64Array;
  readonly counts: SystemCounts;
  private i = 0;

  constructor(
    readonly shape: SystemRunShape,
    readonly chunk: number,
  ) {
    this.start = chunk * shape.chunkSize;
    this.count = Math.min(shape.chunkSize, shape.paths - this.start);
    this.companies = shape.companies.map((s) => s.collector(chunk));
    this.values = new Float64Array(shape.columns * this.count);
    this.counts = emptyCounts(shape);
  }

  /** The joint outcome of the next path: cash-out months (serials) and losses to lenders (system unit). */
  addJoint(cashOut: Float64Array, losses: Float64Array): void {
    const s = this.shape;
    const c = this.counts;
    const n = this.count;
    const i = this.i++;
    let first = s.yearCount;
    let last = 0;
    let total = 0;
    for (let k = 0; k < cashOut.length; k++) {
      const y = s.yearIndex(cashOut[k]);
      c.cashOutYear[k][y]++;
      if (y < first) first = y;
      if (y > last) last = y;
      this.values[s.lossColumn(k) * n + i] = losses[k];
      if (losses[k] > 0) c.lossPaths[k]++;
      total += losses[k];
    }
    this.values[s.totalLossColumn * n + i] = total;
    if (total > 0) c.anyLoss++;
    c.allYear[last]++;
    c.anyYear[first]++;
    for (let p = 0; p < s.pairs.length; p++) {
      const [a, b] = s.pairs[p];
      c.pairYear[p][Math.max(s.yearIndex(cashOut[a]), s.yearIndex(cashOut[b]))]++;
    }
  }

  /**
   * A path that is not an outcome for some company (`reason`, validity.ts): every company
   * collects it as invalid (NaN in every column, in no event), and the system's columns hold
   * NaN and its counts leave it out — a joint outcome needs every company's.
   */
  addInvalid(path: number, reason: InvalidReason): void {
    for (const company of this.companies) company.addInvalid(path, reason);
    const n = this.count;
    const i = this.i++;
    for (let c = 0; c < this.shape.columns; c++) this.values[c * n + i] = NaN;
    this.counts.invalid++;
    this.counts.invalidByReason[INVALID_REASONS.indexOf(reason)]++;
  }

  /** What link l cost on the path just added (system unit). */
  setLink(l: number, paymentsLost: number, revenueChange: number): void {
    const n = this.count;
    const i = this.i - 1;
    this.values[this.shape.paymentsColumn(l) * n + i] = paymentsLost;
    this.values[this.shape.revenueColumn(l) * n + i] = revenueChange;
  }

  finish(): SystemChunkResult {
    const s = this.shape;
    const n = this.count;
    const runs = new Int32Array(3 * s.columns);
    const errors = new Float64Array(s.columns);
    const moments = new Float64Array(6 * s.columns);
    const extras: number[] = [];
    if (!s.method.exact) {
      const m = new Moments();
      for (let c = 0; c < s.columns; c++) {
        const compacted = finishSketchedRun(this.values, c * n, n, s.method.k, this.chunk, m);
        moments.set([m.count, m.sum, m.compensation, m.min, m.max, m.nonFinite], 6 * c);
        runs[3 * c] = compacted.length;
        runs[3 * c + 1] = compacted.level;
        runs[3 * c + 2] = compacted.sorted ? 1 : 0;
        errors[c] = compacted.error;
        for (let e = 0; e < compacted.extraValues.length; e++) extras.push(c, compacted.extraValues[e], compacted.extraLevels[e]);
      }
    }
    return { chunk: this.chunk, start: this.start, count: n, companies: this.companies.map((col, k) => s.companies[k].finish(col)), values: this.values, runs, errors, moments, extras, counts: this.counts };
  }
}

/**
 * What a system run's paths add up to. Chunk results merge in any order: each company's
 * through its own Aggregate (exact columns by path index, sketches in chunk order), the
 * system's columns and counts the same way — so the result is the same for any number of
 * threads or machines.
 */
export class SystemAggregate {
  n = 0;
  readonly companies: Aggregate[];
  readonly counts: SystemCounts;
  private readonly exact: (Float64Array | null)[];
  private readonly sketches: (RankSketch | null)[];
  private readonly moments: (Moments | null)[];
  private readonly pending = new Map<number, SystemChunkResult>();
  private readonly done: Uint8Array;
  private nextChunk = 0;

  /**
   * `exactBuffers` (shape.exactBuffers()): the exact columns live there, where each thread
   * writes the chunks it computes (a result with `exactWritten` brings no exact values).
   */
  constructor(
    readonly shape: SystemRunShape,
    exactBuffers?: SharedArrayBuffer[] | null,
  ) {
    this.companies = shape.system.companies.map((c, k) => new Aggregate(c.compiled, shape.companies[k], exactBuffers?.[k]));
    this.counts = emptyCounts(shape);
    this.exact = systemExactColumns(shape, exactBuffers?.[shape.companies.length]);
    this.sketches = Array.from({ length: shape.columns }, () => (shape.method.exact ? null : new RankSketch(shape.method.k)));
    this.moments = Array.from({ length: shape.columns }, () => (shape.method.exact ? null : new Moments()));
    this.done = new Uint8Array(shape.chunks);
  }

  /** Merges a chunk's result (any order); returns how many paths are merged in order so far. */
  add(r: SystemChunkResult): number {
    if (this.done[r.chunk]) throw new Error(`internal: system chunk ${r.chunk} merged twice`);
    this.done[r.chunk] = 1;
    r.companies.forEach((c, k) => this.companies[k].add(c));
    if (!r.exactWritten) writeExactColumns(r, this.exact);
    this.pending.set(r.chunk, r);
    while (this.nextChunk < this.shape.chunks && this.done[this.nextChunk]) {
      const p = this.pending.get(this.nextChunk)!;
      this.pending.delete(this.nextChunk);
      if (!this.shape.method.exact) this.mergeSketches(p);
      addCounts(this.counts, p.counts);
      this.nextChunk++;
      this.n = Math.min(this.shape.paths, this.nextChunk * this.shape.chunkSize);
    }
    return this.n;
  }

  private mergeSketches(r: SystemChunkResult): void {
    mergeSketchedColumns(r, this.moments, this.sketches);
  }

  get complete(): boolean {
    return this.nextChunk >= this.shape.chunks;
  }

  statistics(column: number): ColumnStatistics {
    const e = this.exact[column];
    if (e) return exactStatistics(e, this.n);
    const m = this.moments[column]!;
    return { count: m.count, nonFinite: m.nonFinite, mean: m.mean, quantiles: (qs) => this.sketches[column]!.quantiles(qs) };
  }

  /** Largest rank error bound of the system columns, as a share of paths (0 when exact). */
  get rankError(): number {
    return this.sketches.reduce((worst, s) => Math.max(worst, s ? s.rankError : 0), 0);
  }
}

/** The system's exact columns (null where sketched), on `buffer` when given (8 × columns × paths bytes). */
function systemExactColumns(shape: SystemRunShape, buffer?: SharedArrayBuffer): (Float64Array | null)[] {
  if (!shape.method.exact) return Array.from({ length: shape.columns }, () => null);
  return Array.from({ length: shape.columns }, (_, c) => (buffer ? new Float64Array(buffer, 8 * c * shape.paths, shape.paths) : new Float64Array(shape.paths)));
}

/**
 * A worker's side of shared exact columns: writes a chunk's exact values, each company's
 * and the system's, into the run's buffers (shape.exactBuffers()) and returns what is left
 * to post — the result without those values, flagged `exactWritten`. The values are written
 * before the message is posted, and the port's queue is locked on both sides, so the main
 * thread reads them complete once it has the message.
 */
export class SystemExactWriter {
  private readonly companies: (Float64Array | null)[][];
  private readonly system: (Float64Array | null)[];

  constructor(shape: SystemRunShape, buffers: SharedArrayBuffer[]) {
    this.companies = shape.companies.map((s, k) => exactColumns(s, buffers[k]));
    this.system = systemExactColumns(shape, buffers[shape.companies.length]);
  }

  write(r: SystemChunkResult): SystemChunkResult {
    const companies = r.companies.map((c, k) => {
      writeExactColumns(c, this.companies[k]);
      return withoutExactValues(c);
    });
    writeExactColumns(r, this.system);
    return { ...r, companies, values: NO_VALUES, exactWritten: true };
  }
}
const NO_VALUES = new Float64Array(0);

/**
 * A chunk result as JSON that survives every value (NaN, ±Infinity) bit for bit: typed
 * arrays as base64 of their bytes. What a shard on another machine returns.
 */
export function encodeSystemChunk(r: SystemChunkResult): unknown {
  return JSON.parse(JSON.stringify(r, (_key, value) => (ArrayBuffer.isView(value) ? { $typed: value.constructor.name, base64: toBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) } : value)));
}

export function decodeSystemChunk(json: unknown): SystemChunkResult {
  return JSON.parse(JSON.stringify(json), (_key, value) => {
    if (value && typeof value === "object" && typeof value.$typed === "string" && typeof value.base64 === "string") {
      const bytes = fromBase64(value.base64);
      return value.$typed === "Int32Array" ? new Int32Array(bytes.buffer) : new Float64Array(bytes.buffer);
    }
    return value;
  }) as SystemChunkResult;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
