import { Aggregate, type SerializedAggregate } from "../uncertainty/aggregate.js";
import { createQuantileCollector, quantileCollectorFromJSON, type QuantileCollector, type SerializedQuantileCollector } from "../uncertainty/math/index.js";
import type { CompiledSystem } from "./compile.js";

/**
 * What a set of system paths adds up to, mergeable in any grouping (blocks, threads,
 * machines) with the same result as long as merges happen in block order: each company's
 * simulation aggregate (as `simulate` keeps), plus what only a system has — cash-outs by
 * calendar year jointly, losses to lenders, what each link cost, and the paths on which a
 * company's cash-out arrives through a link (the same path rerun with the link cut).
 */
export class SystemAggregate {
  n = 0;
  readonly companies: Aggregate[];
  /** Calendar years of the system's horizon; index `years.length` = not out within the horizon. */
  readonly firstYear: number;
  readonly yearCount: number;
  /** [company][year]: paths whose cash first goes below zero in that calendar year. */
  readonly cashOutYear: Float64Array[];
  /** [pair][year]: paths on which both companies of the pair are out by then, counted at the later of the two years. */
  readonly pairYear: Float64Array[];
  /** Paths on which every company / at least one company is out, by the year the last / first one goes. */
  readonly allYear: Float64Array;
  readonly anyYear: Float64Array;
  /** [company]: loss to lenders (system unit), 0 on paths without a cash-out. */
  readonly losses: QuantileCollector[];
  readonly totalLoss: QuantileCollector;
  /** [company]: paths with a loss to its lenders; and paths with a loss to anyone's. */
  readonly lossPaths: Float64Array;
  anyLoss = 0;
  /** [link]: paths on which it acted; what the counterparty stopped paying and the revenue change (system unit, whole horizon). */
  readonly linkActed: Float64Array;
  readonly paymentsLost: QuantileCollector[];
  readonly revenueChange: QuantileCollector[];
  /** [link][company]: paths out with every link, out with this link cut, out only because of it, out only without it. */
  readonly attribution: { withLink: Float64Array; withoutLink: Float64Array; onlyWith: Float64Array; onlyWithout: Float64Array; withoutYear: Float64Array[] }[];
  iterationsTotal = 0;
  iterationsMax = 0;
  /** Company projections evaluated, main resolutions and attribution reruns together (for sizing runs). */
  evaluations = 0;
  notConverged = 0;
  readonly pairs: [number, number][];

  constructor(
    readonly system: CompiledSystem,
    readonly expectedPaths: number,
    readonly keepPaths = 0,
    capacity = expectedPaths,
  ) {
    const K = system.companies.length;
    this.companies = system.companies.map((c) => new Aggregate(c.compiled, expectedPaths, keepPaths, capacity));
    this.firstYear = Math.floor(system.startSerial / 12);
    this.yearCount = Math.floor((system.startSerial + system.months - 1) / 12) - this.firstYear + 1;
    const years = () => new Float64Array(this.yearCount + 1);
    this.cashOutYear = system.companies.map(years);
    this.pairs = [];
    for (let i = 0; i < K; i++) for (let j = i + 1; j < K; j++) this.pairs.push([i, j]);
    this.pairYear = this.pairs.map(years);
    this.allYear = years();
    this.anyYear = years();
    const collector = () => createQuantileCollector(expectedPaths);
    this.losses = system.companies.map(collector);
    this.totalLoss = collector();
    this.lossPaths = new Float64Array(K);
    const L = system.links.length;
    this.linkActed = new Float64Array(L);
    this.paymentsLost = system.links.map(collector);
    this.revenueChange = system.links.map(collector);
    this.attribution = system.links.map(() => ({ withLink: new Float64Array(K), withoutLink: new Float64Array(K), onlyWith: new Float64Array(K), onlyWithout: new Float64Array(K), withoutYear: system.companies.map(years) }));
  }

  /** Year index of a cash-out month (serial), `yearCount` for none. */
  yearIndex(serial: number): number {
    return Number.isFinite(serial) ? Math.min(this.yearCount, Math.floor(serial / 12) - this.firstYear) : this.yearCount;
  }

  /** Records the joint outcome of one path: the companies' cash-out months (serials) and their losses to lenders. */
  addJoint(cashOut: Float64Array, losses: Float64Array): void {
    this.n++;
    let first = this.yearCount;
    let last = 0;
    let total = 0;
    for (let k = 0; k < cashOut.length; k++) {
      const y = this.yearIndex(cashOut[k]);
      this.cashOutYear[k][y]++;
      if (y < first) first = y;
      if (y > last) last = y;
      this.losses[k].add(losses[k]);
      if (losses[k] > 0) this.lossPaths[k]++;
      total += losses[k];
    }
    this.totalLoss.add(total);
    if (total > 0) this.anyLoss++;
    this.allYear[last]++;
    this.anyYear[first]++;
    for (let p = 0; p < this.pairs.length; p++) {
      const [i, j] = this.pairs[p];
      this.pairYear[p][Math.max(this.yearIndex(cashOut[i]), this.yearIndex(cashOut[j]))]++;
    }
  }

  merge(other: SystemAggregate | SerializedSystemAggregate): this {
    const o = other instanceof SystemAggregate ? other.toJSON() : other;
    this.n += o.n;
    o.companies.forEach((c, k) => this.companies[k].merge(c));
    const add = (into: Float64Array, from: number[]) => {
      for (let i = 0; i < into.length; i++) into[i] += from[i];
    };
    o.cashOutYear.forEach((row, k) => add(this.cashOutYear[k], row));
    o.pairYear.forEach((row, p) => add(this.pairYear[p], row));
    add(this.allYear, o.allYear);
    add(this.anyYear, o.anyYear);
    o.losses.forEach((c, k) => this.losses[k].merge(c));
    this.totalLoss.merge(o.totalLoss);
    add(this.lossPaths, o.lossPaths);
    this.anyLoss += o.anyLoss;
    add(this.linkActed, o.linkActed);
    o.paymentsLost.forEach((c, l) => this.paymentsLost[l].merge(c));
    o.revenueChange.forEach((c, l) => this.revenueChange[l].merge(c));
    o.attribution.forEach((a, l) => {
      const mine = this.attribution[l];
      add(mine.withLink, a.withLink);
      add(mine.withoutLink, a.withoutLink);
      add(mine.onlyWith, a.onlyWith);
      add(mine.onlyWithout, a.onlyWithout);
      a.withoutYear.forEach((row, k) => add(mine.withoutYear[k], row));
    });
    this.iterationsTotal += o.iterationsTotal;
    this.evaluations += o.evaluations;
    this.iterationsMax = Math.max(this.iterationsMax, o.iterationsMax);
    this.notConverged += o.notConverged;
    return this;
  }

  toJSON(): SerializedSystemAggregate {
    const arr = (a: Float64Array) => Array.from(a);
    return {
      n: this.n,
      companies: this.companies.map((c) => c.toJSON()),
      cashOutYear: this.cashOutYear.map(arr),
      pairYear: this.pairYear.map(arr),
      allYear: arr(this.allYear),
      anyYear: arr(this.anyYear),
      losses: this.losses.map((c) => c.toJSON()),
      totalLoss: this.totalLoss.toJSON(),
      lossPaths: arr(this.lossPaths),
      anyLoss: this.anyLoss,
      linkActed: arr(this.linkActed),
      paymentsLost: this.paymentsLost.map((c) => c.toJSON()),
      revenueChange: this.revenueChange.map((c) => c.toJSON()),
      attribution: this.attribution.map((a) => ({ withLink: arr(a.withLink), withoutLink: arr(a.withoutLink), onlyWith: arr(a.onlyWith), onlyWithout: arr(a.onlyWithout), withoutYear: a.withoutYear.map(arr) })),
      iterationsTotal: this.iterationsTotal,
      evaluations: this.evaluations,
      iterationsMax: this.iterationsMax,
      notConverged: this.notConverged,
    };
  }

  static fromJSON(system: CompiledSystem, expectedPaths: number, keepPaths: number, json: SerializedSystemAggregate): SystemAggregate {
    return new SystemAggregate(system, expectedPaths, keepPaths, json.n).merge(json);
  }
}

/** A SystemAggregate as plain JSON: what a worker or a shard sends back to be merged. */
export interface SerializedSystemAggregate {
  n: number;
  companies: SerializedAggregate[];
  cashOutYear: number[][];
  pairYear: number[][];
  allYear: number[];
  anyYear: number[];
  losses: SerializedQuantileCollector[];
  totalLoss: SerializedQuantileCollector;
  lossPaths: number[];
  anyLoss: number;
  linkActed: number[];
  paymentsLost: SerializedQuantileCollector[];
  revenueChange: SerializedQuantileCollector[];
  attribution: { withLink: number[]; withoutLink: number[]; onlyWith: number[]; onlyWithout: number[]; withoutYear: number[][] }[];
  iterationsTotal: number;
  evaluations: number;
  iterationsMax: number;
  notConverged: number;
}

export { quantileCollectorFromJSON };
