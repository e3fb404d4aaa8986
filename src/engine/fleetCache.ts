import type { CompiledModel } from "./compile.js";
import type { Projection } from "./projection.js";
import { serviceWindow } from "./fleet.js";
import { monthOf, sameNumber, sameSeries } from "./numbers.js";

// The fleet cohorts' series (capex, depreciation, book value, retirement, capacity, power)
// and their totals, kept between evaluations in a workspace: a cohort is evaluated again only
// in the parts its changed inputs reach, and a total summed again only when a cohort's series
// of it was written (see `evaluateFleet`, `addFleet`).

/**
 * The parts of an evaluation's workspace (see workspace.ts) the fleet reads and writes: its
 * cache, the book value it had at the start, and the line totals its cohorts are added to.
 */
export interface FleetWorkspace {
  fleet: FleetCache;
  openingFleetNbv: number;
  capexBase: Float64Array;
  depreciationBase: Float64Array;
  disposalGainBase: Float64Array;
}

/**
 * Each cohort's series depend on its own params, the earliest month its site allows and
 * its power price series, nothing else: while those are unchanged (compared value by
 * value, sign of zero and NaN included) its series and service months are exactly what a
 * new evaluation would write. Also the months its series are not zero, and its book value
 * at the start (NaN when it does not count).
 */
export interface FleetCache {
  slots: Int32Array[];
  /** Per slot of `slots`: the parts of the cohort it reaches (CHANGED_…). */
  reaches: Uint8Array[];
  /** The cohort's params at its last evaluation, then its earliest month. */
  key: Float64Array[];
  powerPrice: Float64Array[];
  /** `powerPrice` and the cohorts' power price series now, as 32-bit halves (see `samePrices`). */
  powerPriceBits: Int32Array[];
  powerPriceNowBits: Int32Array[];
  /** Per cohort: 1 when an extension prices its power (see `cohortPowerRewritten`). */
  pricedElsewhere: Uint8Array;
  /** Per cohort: first and last month of service at its last evaluation (as `Projection.cohortService`). */
  serviceMonths: Float64Array;
  evaluated: Uint8Array;
  /**
   * Per cohort (WINDOW numbers), from and to (exclusive) months of: its capex, its
   * depreciation, its capacity, its power cost (its months of service), its retirement
   * proceeds and gain. Outside them the series are zero.
   */
  window: Int32Array;
  openingNbv: Float64Array;
  /** Counts the times a cohort's capex, book value or months of service were written (what capitalised interest reads). */
  version: number;
  /** The fleet totals (STALE_…) a cohort's series of which were written since `addFleet` last summed them. */
  stale: number;
  /** The lines' depreciation `addFleet` last started from, and with the fleet's added; current while no cohort's depreciation was written since. */
  depreciationBefore: Float64Array;
  depreciationAfter: Float64Array;
  depreciationEveryMonth: boolean;
  depreciationCurrent: boolean;
}

const WINDOW = 10;

/** The fleet totals: capacity; power; retirement proceeds and gains. */
const STALE_CAPACITY = 1;

const STALE_POWER = 2;

const STALE_RETIREMENT = 4;

/**
 * What a cohort's changed inputs reach: its power price, kW and PUE its power cost only;
 * its capacity per unit-hour its capacity only; its unit cost, salvage and proceeds its
 * capex, depreciation, book value and retirement only; anything else (count, months, lives,
 * the earliest month its site allows) all of it.
 */
const CHANGED_CAPACITY = 1;

const CHANGED_POWER = 2;

const CHANGED_BOOK = 4;

const CHANGED_SCHEDULE = 8;

const CHANGED_ALL = CHANGED_CAPACITY | CHANGED_POWER | CHANGED_BOOK | CHANGED_SCHEDULE;

const SLOT_REACHES: Record<keyof CompiledModel["cohorts"][number]["slots"], number> = {
  count: CHANGED_ALL,
  unitCost: CHANGED_BOOK,
  purchase: CHANGED_ALL,
  inService: CHANGED_ALL,
  lifeMonths: CHANGED_ALL,
  serviceLife: CHANGED_ALL,
  salvage: CHANGED_BOOK,
  proceeds: CHANGED_BOOK,
  capacity: CHANGED_CAPACITY,
  powerKw: CHANGED_POWER,
  pue: CHANGED_POWER,
};

export function createFleetCache(c: CompiledModel): FleetCache {
  const n = c.cohorts.length;
  const H = c.months;
  const used = c.cohorts.map((co) => (Object.entries(co.slots) as [keyof typeof SLOT_REACHES, number][]).filter(([, slot]) => slot >= 0));
  const slots = used.map((list) => Int32Array.from(list, ([, slot]) => slot));
  const powerPrice = c.cohorts.map(() => new Float64Array(H));
  const bits = (a: Float64Array) => new Int32Array(a.buffer, a.byteOffset, 2 * a.length);
  return {
    slots,
    // A slot absent from SLOT_REACHES (a new cohort key) reaches everything.
    reaches: used.map((list) => Uint8Array.from(list, ([name]) => SLOT_REACHES[name] ?? CHANGED_ALL)),
    key: slots.map((list) => new Float64Array(list.length + 1)),
    powerPrice,
    powerPriceBits: powerPrice.map(bits),
    powerPriceNowBits: c.cohorts.map((co) => bits(co.powerPrice)),
    pricedElsewhere: new Uint8Array(n),
    serviceMonths: new Float64Array(2 * n),
    evaluated: new Uint8Array(n),
    window: new Int32Array(WINDOW * n),
    openingNbv: new Float64Array(n),
    version: 0,
    stale: STALE_CAPACITY | STALE_POWER | STALE_RETIREMENT,
    depreciationBefore: new Float64Array(H),
    depreciationAfter: new Float64Array(H),
    depreciationEveryMonth: false,
    depreciationCurrent: false,
  };
}

/**
 * Fleet cohorts: capex in the purchase month; capacity and power from the in-service
 * month (or the month its site allows, if later) for its service life; straight-line
 * depreciation down to salvage over its depreciation life (stopping early if it is
 * retired first). At the end of the last month of service the cohort is retired: its
 * proceeds come in as cash, its book value leaves PP&E, and the difference is a gain or
 * loss on disposal. A cohort is evaluated again only in the parts its changed inputs
 * reach (see `cohortChanges`).
 */
export function evaluateFleet(c: CompiledModel, ws: FleetWorkspace, out: Projection): void {
  const p = c.params;
  const fleet = ws.fleet;
  let openingNbv = 0;
  for (let k = 0; k < c.cohorts.length; k++) {
    const changed = cohortChanges(c, fleet, k);
    if (changed !== 0) {
      const s = c.cohorts[k].slots;
      fleet.evaluated[k] = 0;
      if (changed & CHANGED_SCHEDULE) {
        serviceWindow(p, s, c.cohortEarliestService[k], out.cohortService, 2 * k);
        // Power may be priced in its months of service only, by the core or an extension.
        const w = WINDOW * k;
        const to = Math.min(c.months - 1, out.cohortService[2 * k + 1]);
        fleet.window[w + 6] = Math.min(c.months, runningFrom(out.cohortService[2 * k]));
        fleet.window[w + 7] = to === to ? to + 1 : 0;
        fleet.stale |= STALE_POWER;
      }
      if (changed & (CHANGED_SCHEDULE | CHANGED_BOOK)) {
        cohortBook(c, fleet, out, k);
        fleet.version++;
        fleet.stale |= STALE_RETIREMENT;
        fleet.depreciationCurrent = false;
      }
      if (changed & (CHANGED_SCHEDULE | CHANGED_CAPACITY)) {
        cohortCapacity(c, fleet, out, k);
        fleet.stale |= STALE_CAPACITY;
      }
      if (changed & (CHANGED_SCHEDULE | CHANGED_POWER) && fleet.pricedElsewhere[k] === 0) {
        cohortPower(c, out, k);
        fleet.stale |= STALE_POWER;
      }
      const key = fleet.key[k];
      const slots = fleet.slots[k];
      for (let i = 0; i < slots.length; i++) key[i] = p[slots[i]];
      key[slots.length] = c.cohortEarliestService[k];
      fleet.serviceMonths[2 * k] = out.cohortService[2 * k];
      fleet.serviceMonths[2 * k + 1] = out.cohortService[2 * k + 1];
      if (changed & (CHANGED_SCHEDULE | CHANGED_POWER)) fleet.powerPrice[k].set(c.cohorts[k].powerPrice);
      fleet.evaluated[k] = 1;
    }
    const nbv = fleet.openingNbv[k];
    if (nbv === nbv) openingNbv += nbv;
  }
  ws.openingFleetNbv = openingNbv;
}

/**
 * A cohort's capex, depreciation, book value and retirement (proceeds, gain), its book value
 * at the start, and the months each of them is not exactly zero. Reads its params and its
 * months of service.
 */
function cohortBook(c: CompiledModel, fleet: FleetCache, out: Projection, k: number): void {
  const p = c.params;
  const H = c.months;
  const co = c.cohorts[k];
  const s = co.slots;
  const series = out.cohorts[k];
  const count = p[s.count];
  const cost = (count * p[s.unitCost]) / c.unitScale;
  const salvage = (count * p[s.salvage]) / c.unitScale;
  const purchase = monthOf(p[s.purchase]);
  const inService = out.cohortService[2 * k];
  const retirement = out.cohortService[2 * k + 1];
  const life = p[s.lifeMonths];
  const service = retirement - inService + 1;
  const proceedsParam = p[s.proceeds];
  const proceeds = proceedsParam === proceedsParam ? (count * proceedsParam) / c.unitScale : salvage;
  const perMonth = (cost - salvage) / life;
  const depreciating = Math.min(life, service);
  // Bought before the start: its book value then (the month before the first), unless retired.
  fleet.openingNbv[k] = co.preStart && retirement >= 0 ? cost - perMonth * Math.min(depreciating, Math.max(0, -inService)) : NaN;
  const bookAtRetirement = cost - perMonth * depreciating;
  // The months each series is not exactly zero (see `addFleet`).
  let capexFirst = H;
  let capexLast = -1;
  let depFirst = H;
  let depLast = -1;
  let first = H;
  let last = -1;
  for (let t = 0; t < H; t++) {
    const capex = t === purchase && !co.preStart ? cost : 0;
    const depreciation = t >= inService && t < inService + depreciating ? perMonth : 0;
    const bought = co.preStart || t >= purchase;
    const used = Math.min(depreciating, Math.max(0, t - inService + 1));
    series.netBookValue[t] = bought && t < retirement ? cost - perMonth * used : 0;
    const retires = t === retirement && bought;
    const retirementProceeds = retires ? proceeds : 0;
    const retirementGain = retires ? proceeds - bookAtRetirement : 0;
    series.capex[t] = capex;
    series.depreciation[t] = depreciation;
    series.retirementProceeds[t] = retirementProceeds;
    series.retirementGain[t] = retirementGain;
    // x !== 0 is false for ±0 and true for NaN.
    if (capex !== 0) {
      if (capexFirst === H) capexFirst = t;
      capexLast = t;
    }
    if (depreciation !== 0) {
      if (depFirst === H) depFirst = t;
      depLast = t;
    }
    if (retirementProceeds !== 0 || retirementGain !== 0) {
      if (first === H) first = t;
      last = t;
    }
  }
  const w = WINDOW * k;
  fleet.window[w] = capexFirst;
  fleet.window[w + 1] = capexLast + 1;
  fleet.window[w + 2] = depFirst;
  fleet.window[w + 3] = depLast + 1;
  fleet.window[w + 8] = first;
  fleet.window[w + 9] = last + 1;
}

/** The first and last month of service within the horizon as loop bounds (none when unknown). */
function runningFrom(inService: number): number {
  return Math.max(0, Math.ceil(inService));
}

/** A cohort's capacity by month (GPU-hours), and the months it is not zero. */
function cohortCapacity(c: CompiledModel, fleet: FleetCache, out: Projection, k: number): void {
  const p = c.params;
  const H = c.months;
  const hours = c.calendar.hours;
  const s = c.cohorts[k].slots;
  const capacity = out.cohorts[k].capacity;
  const inService = out.cohortService[2 * k];
  const retirement = out.cohortService[2 * k + 1];
  const capacityPerHour = p[s.count] * p[s.capacity];
  let first = H;
  let last = -1;
  capacity.fill(0);
  // Outside its months of service (all months when they are NaN) it has none.
  const to = Math.min(H - 1, retirement);
  for (let t = runningFrom(inService); t <= to; t++) {
    const v = capacityPerHour * hours[t];
    capacity[t] = v;
    if (v !== 0) {
      if (first === H) first = t;
      last = t;
    }
  }
  fleet.window[WINDOW * k + 4] = first;
  fleet.window[WINDOW * k + 5] = last + 1;
}

/** A cohort's power cost by month at its own power price. */
function cohortPower(c: CompiledModel, out: Projection, k: number): void {
  const p = c.params;
  const H = c.months;
  const hours = c.calendar.hours;
  const co = c.cohorts[k];
  const s = co.slots;
  const powerCost = out.cohorts[k].powerCost;
  const kw = (p[s.count] * p[s.powerKw] * p[s.pue]) / c.unitScale;
  const price = co.powerPrice;
  powerCost.fill(0);
  const to = Math.min(H - 1, out.cohortService[2 * k + 1]);
  for (let t = runningFrom(out.cohortService[2 * k]); t <= to; t++) powerCost[t] = kw * hours[t] * price[t];
}

/** The parts of cohort k (CHANGED_…) its inputs changed since its last evaluation in this workspace reach; 0 when none. */
function cohortChanges(c: CompiledModel, fleet: FleetCache, k: number): number {
  if (fleet.evaluated[k] === 0) return CHANGED_ALL;
  const p = c.params;
  const slots = fleet.slots[k];
  const reaches = fleet.reaches[k];
  const key = fleet.key[k];
  let changed = 0;
  for (let i = 0; i < slots.length; i++) if (!sameNumber(p[slots[i]], key[i])) changed |= reaches[i];
  if (changed & CHANGED_SCHEDULE) return CHANGED_ALL;
  if (!sameNumber(c.cohortEarliestService[k], key[slots.length])) return CHANGED_ALL;
  // An extension prices its power: the core's is not read (see `cohortPowerRewritten`).
  if (fleet.pricedElsewhere[k] === 1) return changed & ~CHANGED_POWER;
  // Its power cost reads the price in its months of service only (unchanged, see above).
  if (!(changed & CHANGED_POWER)) {
    const retirement = fleet.serviceMonths[2 * k + 1];
    if (!samePrices(c.cohorts[k].powerPrice, fleet.powerPrice[k], fleet.powerPriceNowBits[k], fleet.powerPriceBits[k], runningFrom(fleet.serviceMonths[2 * k]), Math.min(c.months - 1, retirement))) changed |= CHANGED_POWER;
  }
  return changed;
}

/**
 * `sameNumber` month by month, from … to (inclusive), for series `a` and `b` whose 32-bit
 * halves are `aBits` and `bBits`: equal zeros are told apart by their bits (the sign bit),
 * not by dividing by them, for a price is often zero in every month (power priced by a site).
 */
function samePrices(a: Float64Array, b: Float64Array, aBits: Int32Array, bBits: Int32Array, from: number, to: number): boolean {
  for (let t = from; t <= to; t++) {
    const x = a[t];
    const y = b[t];
    if (x !== y) {
      if (x === x || y === y) return false;
    } else if (x === 0 && (aBits[2 * t] !== bBits[2 * t] || aBits[2 * t + 1] !== bBits[2 * t + 1])) return false;
  }
  return true;
}

/**
 * Adds the cohorts' capex and depreciation to the lines' and sums their capacity, power,
 * retirement proceeds and gains — cohort by cohort in order, as one loop over every month
 * would, but only over the months a cohort's series are not zero: adding ±0 leaves any
 * sum that is not −0 as it is, and these sums start at +0 (so are never −0), unless
 * opening PP&E's depreciation is −0 (then every month is added). Each of the four fleet
 * totals is summed again only when a cohort's series of it was written since (see
 * `FleetCache.stale`). The depreciation with the fleet's added is the last one's when the
 * lines' depreciation it starts from and every cohort's depreciation are the same.
 */
export function addFleet(c: CompiledModel, ws: FleetWorkspace, out: Projection, everyMonth: boolean): void {
  const H = c.months;
  const it = out.items;
  const fleet = ws.fleet;
  const nCohorts = c.cohorts.length;
  const win = fleet.window;
  const capexLines = ws.capexBase;
  for (let k = 0; k < nCohorts; k++) {
    const capex = out.cohorts[k].capex;
    const capexTo = everyMonth ? H : win[WINDOW * k + 1];
    for (let t = everyMonth ? 0 : win[WINDOW * k]; t < capexTo; t++) capexLines[t] += capex[t];
  }
  const depLines = ws.depreciationBase;
  if (fleet.depreciationCurrent && everyMonth === fleet.depreciationEveryMonth && sameSeries(depLines, fleet.depreciationBefore)) depLines.set(fleet.depreciationAfter);
  else {
    fleet.depreciationBefore.set(depLines);
    for (let k = 0; k < nCohorts; k++) {
      const depreciation = out.cohorts[k].depreciation;
      const depTo = everyMonth ? H : win[WINDOW * k + 3];
      for (let t = everyMonth ? 0 : win[WINDOW * k + 2]; t < depTo; t++) depLines[t] += depreciation[t];
    }
    fleet.depreciationAfter.set(depLines);
    fleet.depreciationEveryMonth = everyMonth;
    fleet.depreciationCurrent = true;
  }
  const stale = fleet.stale;
  if (stale === 0) return;
  fleet.stale = 0;
  if (stale & STALE_CAPACITY) {
    const total = it.capacity;
    total.fill(0);
    for (let k = 0; k < nCohorts; k++) {
      const capacity = out.cohorts[k].capacity;
      const to = win[WINDOW * k + 5];
      for (let t = win[WINDOW * k + 4]; t < to; t++) total[t] += capacity[t];
    }
  }
  if (stale & STALE_POWER) {
    const total = it.powerCost;
    total.fill(0);
    for (let k = 0; k < nCohorts; k++) {
      const powerCost = out.cohorts[k].powerCost;
      const to = win[WINDOW * k + 7];
      for (let t = win[WINDOW * k + 6]; t < to; t++) total[t] += powerCost[t];
    }
  }
  if (stale & STALE_RETIREMENT) {
    const proceedsTotal = it.disposalProceeds;
    const gainTotal = ws.disposalGainBase;
    proceedsTotal.fill(0);
    gainTotal.fill(0);
    for (let k = 0; k < nCohorts; k++) {
      const series = out.cohorts[k];
      const proceeds = series.retirementProceeds;
      const gain = series.retirementGain;
      const to = win[WINDOW * k + 9];
      for (let t = win[WINDOW * k + 8]; t < to; t++) {
        proceedsTotal[t] += proceeds[t];
        gainTotal[t] += gain[t];
      }
    }
  }
}

/**
 * An extension prices the power of the cohorts marked 1 in `cohorts` (see
 * `cohortPowerRewritten` in project.ts): the power total is summed again, and the core no
 * longer prices their power.
 */
export function powerPricedElsewhere(fleet: FleetCache, cohorts: Uint8Array): void {
  fleet.stale |= STALE_POWER;
  fleet.pricedElsewhere.set(cohorts);
}
