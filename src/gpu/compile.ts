import type { EngineStage, ExtensionCompileContext } from "../engine/extensions.js";
import { cohortPowerRewritten, type EvaluationOptions, type Projection } from "../engine/project.js";
import { parseGpuSections } from "./validate.js";
import { AVERAGE_MONTH_HOURS, hasGpuSections } from "./schema.js";

/** Name under which the compiled GPU detail is kept in `CompiledModel.extensionData`. */
export const GPU_DATA_KEY = "gpu";

export interface GpuSite {
  name: string;
  slots: { powerMw: number; costPerMw: number; buildStart: number; goLive: number; delayMonths: number; pue: number };
  lifeMonths: number;
  powerPrice: Float64Array;
  /** The computed capex line holding the construction spend. */
  capex: Float64Array;
  lineName: string;
  /** Month the site goes live this evaluation (one element; the core reads it). */
  live: Float64Array;
  /** Index among the engine's constructions (capitalised interest). */
  construction: number;
  debt: string | null;
  /** Indices of the fleet cohorts in the site. */
  cohorts: number[];
}

export interface GpuContract {
  name: string;
  customer: string;
  customerIndex: number;
  /** Pool serving it: a site index, or sites.length for cohorts without a site. */
  pool: number;
  site: string | null;
  /** Param slots; -1 where the key is absent. */
  slots: { start: number; termMonths: number; gpus: number; value: number; price: number; takeOrPay: number; signed: number; exit: number; renewFactor: number; renewTerm: number; renewTimes: number };
}

/** How a cohort's uncontracted hours are priced. */
export type CohortPrice = { kind: "series"; series: Float64Array } | { kind: "decline"; start: number; decline: number } | { kind: "none" };

/**
 * The compiled GPU sections plus the buffers the stage fills on every evaluation
 * (overwritten by the next one: copy what you keep, see report.ts).
 */
export interface GpuCompiled {
  unitScale: number;
  months: number;
  sites: GpuSite[];
  contracts: GpuContract[];
  customers: string[];
  /** Per cohort: pool index (site index, or sites.length = no site). */
  cohortPool: Int32Array;
  cohortPrice: CohortPrice[];
  cohortGeneration: (string | null)[];
  deliverySlot: Int32Array;
  hasSpot: boolean;
  utilization: Float64Array | null;
  rentalPrice: Float64Array | null;
  /** Revenue lines (filled by the stage; the statements read them). */
  customerLines: Float64Array[];
  spotLine: Float64Array | null;
  /** Per evaluation. */
  state: {
    siteLive: Float64Array;
    contractStart: Float64Array;
    contractGpus: Float64Array;
    contractPrice: Float64Array;
    contractEnd: Float64Array;
  };
  series: GpuSeries;
}

export interface GpuSeries {
  /** GPU-hours the fleet can deliver (in-service cohorts). */
  available: Float64Array;
  /** GPU-hours reserved by contracts and delivered. */
  contractedHours: Float64Array;
  /** Uncontracted GPU-hours sold (utilization × uncontracted). */
  spotHours: Float64Array;
  soldHours: Float64Array;
  /** soldHours / available (NaN with no capacity). */
  utilization: Float64Array;
  contractRevenue: Float64Array;
  spotRevenue: Float64Array;
  /** Remaining contracted value at month end (model unit). */
  backlog: Float64Array;
  /** Net book value of GPU cohorts and of site construction. */
  gpuNetBookValue: Float64Array;
  siteNetBookValue: Float64Array;
  /** backlog / (GPU + site net book value). */
  backlogCoverage: Float64Array;
  /** Largest customer's share of GPU revenue, and the Herfindahl index over customers (spot buyers count as dispersed). */
  largestCustomerShare: Float64Array;
  hhi: Float64Array;
  sitePowerCost: Float64Array[];
  siteAvailable: Float64Array[];
  siteCapex: Float64Array[];
  cohortRevenue: Float64Array[];
  cohortSoldHours: Float64Array[];
  cohortSpotPrice: Float64Array[];
  poolAvailable: Float64Array[];
  poolReserved: Float64Array[];
  poolContracted: Float64Array[];
  poolContractRevenue: Float64Array[];
}

export function gpuData(compiled: { extensionData: Record<string, unknown> }): GpuCompiled | null {
  return (compiled.extensionData[GPU_DATA_KEY] as GpuCompiled | undefined) ?? null;
}

const round = Math.round;

/** Compiles the GPU sections: params, computed lines and the stage that fills them. */
export function compileGpu(ctx: ExtensionCompileContext): EngineStage | null {
  if (!hasGpuSections(ctx.extensions) && !Object.values(ctx.model.fleet).some((c) => c.site !== undefined || c.delivery !== undefined)) return null;
  const { sections } = parseGpuSections(ctx.extensions);
  if (!sections) throw new Error("internal: GPU sections passed validation but do not parse");
  const { table, model, unitScale } = ctx;
  const H = ctx.calendar.length;
  const hours = ctx.calendar.hours;
  const arr = () => new Float64Array(H);
  const month = (path: string, m: string) => table.add(path, ctx.monthIndex(m), "month");

  const siteEntries = Object.entries(sections.sites ?? {});
  const sites: GpuSite[] = siteEntries.map(([name, s]) => {
    const b = `sites.${name}`;
    const lineName = `capex: site ${name}`;
    const live = new Float64Array(1);
    const capex = ctx.addLine({ name: lineName, type: "capex", lifeMonths: s.lifeMonths, placedFrom: live });
    return {
      name,
      slots: {
        powerMw: table.add(`${b}.powerMw`, s.powerMw),
        costPerMw: table.add(`${b}.costPerMw`, s.costPerMw),
        buildStart: month(`${b}.buildStart`, s.buildStart),
        goLive: month(`${b}.goLive`, s.goLive),
        delayMonths: table.add(`${b}.delayMonths`, s.delayMonths),
        pue: table.add(`${b}.pue`, s.pue),
      },
      lifeMonths: s.lifeMonths,
      powerPrice: ctx.formulaSeries(`gpu:site:${name}:powerPrice`, `${b}.powerPrice`, s.powerPrice),
      capex,
      lineName,
      live,
      construction: ctx.addConstruction({ name, spend: capex, lifeMonths: s.lifeMonths, tranche: s.debt ?? null, live }),
      debt: s.debt ?? null,
      cohorts: [],
    };
  });
  const siteIndex = new Map(sites.map((s, i) => [s.name, i]));
  const nSites = sites.length;
  const nPools = nSites + 1;

  // Prices of uncontracted hours by generation.
  const pricing = sections.pricing ?? {};
  const generationPrice = new Map<string, CohortPrice>();
  for (const [g, curve] of Object.entries(pricing)) {
    const b = `pricing.${g}`;
    if (typeof curve === "number" || typeof curve === "string") generationPrice.set(g, { kind: "series", series: ctx.formulaSeries(`gpu:price:${g}`, b, curve) });
    else if ("price" in curve) generationPrice.set(g, { kind: "series", series: ctx.formulaSeries(`gpu:price:${g}`, `${b}.price`, curve.price) });
    else generationPrice.set(g, { kind: "decline", start: table.add(`${b}.start`, curve.start), decline: table.add(`${b}.declinePerYear`, curve.declinePerYear) });
  }
  const onlyGeneration = generationPrice.size === 1 ? [...generationPrice.keys()][0] : null;

  const nCohorts = ctx.cohorts.length;
  const cohortPool = new Int32Array(nCohorts);
  const deliverySlot = new Int32Array(nCohorts).fill(-1);
  const cohortPrice: CohortPrice[] = [];
  const cohortGeneration: (string | null)[] = [];
  ctx.cohorts.forEach((co, k) => {
    const spec = model.fleet[co.name];
    const s = spec.site !== undefined ? siteIndex.get(spec.site) : undefined;
    cohortPool[k] = s ?? nSites;
    if (s !== undefined) sites[s].cohorts.push(k);
    if (spec.delivery !== undefined) deliverySlot[k] = month(`fleet.${co.name}.delivery`, spec.delivery);
    const g = spec.generation ?? onlyGeneration;
    cohortGeneration.push(g);
    cohortPrice.push((g !== null ? generationPrice.get(g) : undefined) ?? { kind: "none" });
  });

  const hasSpot = sections.utilization !== undefined;
  const utilization = hasSpot ? ctx.formulaSeries("gpu:utilization", "utilization", sections.utilization!) : null;
  const rentalPrice = sections.rental ? ctx.formulaSeries("gpu:rental", "rental.price", sections.rental.price) : null;

  // Contracts and the revenue lines per customer.
  const customers: string[] = [];
  const contracts: GpuContract[] = Object.entries(sections.contracts ?? {}).map(([name, c]) => {
    const b = `contracts.${name}`;
    if (!customers.includes(c.customer)) customers.push(c.customer);
    const renewal = c.renewal === "none" ? null : c.renewal;
    return {
      name,
      customer: c.customer,
      customerIndex: customers.indexOf(c.customer),
      pool: c.site !== undefined ? siteIndex.get(c.site)! : nSites,
      site: c.site ?? null,
      slots: {
        start: month(`${b}.start`, c.start),
        termMonths: table.add(`${b}.termMonths`, c.termMonths),
        gpus: c.gpus !== undefined ? table.add(`${b}.gpus`, c.gpus) : -1,
        value: c.value !== undefined ? table.add(`${b}.value`, c.value) : -1,
        price: c.pricePerGpuHour !== undefined ? table.add(`${b}.pricePerGpuHour`, c.pricePerGpuHour) : -1,
        takeOrPay: table.add(`${b}.takeOrPay`, c.takeOrPay),
        signed: c.signed !== undefined ? month(`${b}.signed`, c.signed) : -1,
        exit: c.exit !== undefined ? month(`${b}.exit`, c.exit) : -1,
        renewFactor: renewal ? table.add(`${b}.renewal.priceFactor`, renewal.priceFactor) : -1,
        renewTerm: renewal ? table.add(`${b}.renewal.termMonths`, renewal.termMonths ?? c.termMonths) : -1,
        renewTimes: renewal ? table.add(`${b}.renewal.times`, renewal.times) : -1,
      },
    };
  });
  const customerLines = customers.map((name) => ctx.addLine({ name: `revenue: ${name}`, type: "revenue" }));
  const spotLine = hasSpot ? ctx.addLine({ name: "revenue: spot", type: "revenue" }) : null;

  const nContracts = contracts.length;
  const series: GpuSeries = {
    available: arr(),
    contractedHours: arr(),
    spotHours: arr(),
    soldHours: arr(),
    utilization: arr(),
    contractRevenue: arr(),
    spotRevenue: arr(),
    backlog: arr(),
    gpuNetBookValue: arr(),
    siteNetBookValue: arr(),
    backlogCoverage: arr(),
    largestCustomerShare: arr(),
    hhi: arr(),
    sitePowerCost: sites.map(arr),
    siteAvailable: sites.map(arr),
    siteCapex: sites.map((s) => s.capex),
    cohortRevenue: ctx.cohorts.map(arr),
    cohortSoldHours: ctx.cohorts.map(arr),
    cohortSpotPrice: ctx.cohorts.map(arr),
    poolAvailable: Array.from({ length: nPools }, arr),
    poolReserved: Array.from({ length: nPools }, arr),
    poolContracted: Array.from({ length: nPools }, arr),
    poolContractRevenue: Array.from({ length: nPools }, arr),
  };
  const state = {
    siteLive: new Float64Array(nSites),
    contractStart: new Float64Array(nContracts),
    contractGpus: new Float64Array(nContracts),
    contractPrice: new Float64Array(nContracts),
    contractEnd: new Float64Array(nContracts),
  };
  const data: GpuCompiled = {
    unitScale,
    months: H,
    sites,
    contracts,
    customers,
    cohortPool,
    cohortPrice,
    cohortGeneration,
    deliverySlot,
    hasSpot,
    utilization,
    rentalPrice,
    customerLines,
    spotLine,
    state,
    series,
  };
  ctx.data[GPU_DATA_KEY] = data;
  const earliest = ctx.cohortEarliestService;
  const cohorts = ctx.cohorts;
  const scratch = new Float64Array(H);

  // When each site goes live (planned go-live + delay) and each cohort may start (not before
  // its site is live nor before its hardware arrives): from params alone, so formulas can
  // read fleet and site series too (the core runs the same schedule in the driver stage).
  const schedule = (p: Float64Array, siteLive: Float64Array, earliestService: Float64Array): void => {
    for (let s = 0; s < nSites; s++) siteLive[s] = round(p[sites[s].slots.goLive] + p[sites[s].slots.delayMonths]);
    for (let k = 0; k < nCohorts; k++) {
      const pool = cohortPool[k];
      let e = pool < nSites ? siteLive[pool] : -Infinity;
      if (deliverySlot[k] >= 0) e = Math.max(e, round(p[deliverySlot[k]]));
      earliestService[k] = e;
    }
  };
  ctx.fleetSchedule({
    sites: sites.map((s) => ({ name: s.name, powerMw: s.slots.powerMw })),
    slots: [...sites.flatMap((s) => [s.slots.goLive, s.slots.delayMonths]), ...Array.from(deliverySlot).filter((x) => x >= 0)],
    run: schedule,
  });

  // Per pool: share of its reservations delivered, and share of its hours not reserved, by
  // month; per month: the share of uncontracted hours sold (utilization within 0…1).
  const cohortInSite = Uint8Array.from(cohortPool, (pool) => (pool < nSites ? 1 : 0));
  const poolHasContracts = new Uint8Array(nPools);
  for (const ct of contracts) poolHasContracts[ct.pool] = 1;
  const poolDelivered = Array.from({ length: nPools }, arr);
  const poolFree = Array.from({ length: nPools }, arr);
  const utilShare = arr();
  // Per declining price curve: (1 − decline)^(age / 12) by whole months of age, for the
  // decline it was last computed for (the same Math.pow the formula calls, made once).
  const declinePowers = new Map<CohortPrice, { base: number; filled: number; powers: Float64Array }>();
  for (const price of new Set(cohortPrice)) if (price.kind === "decline") declinePowers.set(price, { base: NaN, filled: 0, powers: arr() });
  // A cohort's months of service as loop bounds (all months when unknown).
  const serviceFrom = (inService: number): number => (inService === inService ? Math.max(0, Math.ceil(inService)) : 0);
  const serviceTo = (retirement: number): number => (retirement === retirement ? Math.min(H - 1, Math.floor(retirement)) : H - 1);
  let fleetDone = false;

  // Per cohort: the series its uncontracted hours are priced at (its generation's price
  // series, or its own spot price series computed below).
  const spotSource: Float64Array[] = cohortPrice.map((price, k) => (price.kind === "series" ? price.series : series.cohortSpotPrice[k]));
  // The report series fleetSide leaves for later (see fleetReport) are not yet filled;
  // declinePricesPartial: the prices by age are filled in the months of service only.
  let fleetReportPending = true;
  let declinePricesPartial = false;
  // What the last evaluation derived, for the next one (a system's link acting on this
  // company again within a path, or the next path): every month-by-month value below is a
  // function of that month's inputs alone, and a month's sums add their terms in a fixed
  // order, so the months before the first month whose inputs moved keep their values and
  // only the months from it are computed again (see afterFleet).
  // Per contract, its terms as last evaluated: gpus, price, start, term, renewals, renewal
  // term, renewal factor, exit, take-or-pay.
  const TERMS = 9;
  const contractTerms = new Float64Array(nContracts * TERMS);
  // Per contract, per pool, per customer line: the first month whose reservation, delivered
  // or unsold share, or billing may differ from the last evaluation's (H: none).
  const contractFrom = new Int32Array(nContracts);
  const poolReservedFrom = new Int32Array(nPools);
  const poolDeliveredFrom = new Int32Array(nPools);
  const poolFreeFrom = new Int32Array(nPools);
  const lineFrom = new Int32Array(customers.length);
  // Per cohort: its count, capacity per unit-hour, in-service and retirement months at the
  // last fleetSide; per pool: 1 when that fleetSide summed its hours again. availKept: the
  // pools' hours are the sums of the cohorts' capacities with those keys.
  const capacityKey = new Float64Array(nCohorts * 4);
  const poolAvailMoved = new Uint8Array(nPools);
  let availKept = false;
  // What the last fleetSide found moved among what a cohort's spot revenue reads besides
  // its pool's unsold share: per cohort, the first month its capacity, the share of
  // uncontracted hours sold or its price may differ from the last evaluation's (H: none);
  // per pool without contracts, the first month its unsold share did. Each price series
  // cohorts share is compared with a copy of the values last read.
  const cohortInputsFrom = new Int32Array(nCohorts);
  const freeMovedFrom = new Int32Array(nPools);
  const priceSeries = [...new Set(cohortPrice.flatMap((price) => (price.kind === "series" ? [price.series] : [])))];
  const priceSeriesRead = priceSeries.map(arr);
  const priceSeriesFrom = new Int32Array(priceSeries.length);
  const cohortPriceSeries = Int32Array.from(cohortPrice, (price) => (price.kind === "series" ? priceSeries.indexOf(price.series) : -1));
  // Per cohort: its spot revenue (no report series).
  const cohortSpotRevenue = cohorts.map(arr);
  // True when the reservations, shares, customer lines, cohort spot revenue and spot total
  // are those of the last evaluation, which did not fill the report series.
  let derivedKept = false;
  // The first whole month not before x (0 for NaN; H past the horizon).
  const firstMonth = (x: number): number => (x > 0 ? Math.min(H, Math.ceil(x)) : 0);

  // Per site: the first month, number of months and monthly amount of the construction
  // spend its capex line holds (capexKept: written at least once).
  const capexKey = new Float64Array(3 * nSites);
  let capexKept = false;

  // 1. Capacity by pool; power for cohorts in a site at the site's PUE and price (replacing
  //    the core's cohort power cost, so that power is counted once); each cohort's price for
  //    uncontracted hours; the share of them sold; what is left unsold in pools without
  //    contracts. The report series (fleet and site totals, spot prices of a series) are
  //    filled by fleetReport, when a caller reads them.
  const fleetSide = (p: Float64Array, proj: Projection, report: boolean): void => {
    // A pool's hours are summed again only when a cohort in it has new capacity: the core
    // computes a cohort's capacity from its count, its capacity per unit-hour and its months
    // of service alone (with the calendar's hours), so the same four numbers give the same
    // series, and the same series added in the same order the same sums.
    poolAvailMoved.fill(availKept ? 0 : 1);
    // The share of uncontracted hours sold, by month (utilization within 0…1): never −0
    // (max(0, ±0) is +0), so === tells a moved month but for NaN, which counts as moved.
    let utilFrom = H;
    for (let t = 0; t < H; t++) {
      const share = utilization ? Math.min(1, Math.max(0, utilization[t])) : 0;
      if (utilFrom === H && !(share === utilShare[t])) utilFrom = t;
      utilShare[t] = share;
    }
    for (let i = 0; i < priceSeries.length; i++) priceSeriesFrom[i] = firstMoved(priceSeries[i], priceSeriesRead[i]);
    for (let k = 0; k < nCohorts; k++) {
      const sl = cohorts[k].slots;
      const o = 4 * k;
      const count = p[sl.count];
      const perUnitHour = p[sl.capacity];
      const inService = proj.cohortService[2 * k];
      const retirement = proj.cohortService[2 * k + 1];
      const i = cohortPriceSeries[k];
      cohortInputsFrom[k] = Math.min(utilFrom, i >= 0 ? priceSeriesFrom[i] : H);
      if (same(capacityKey[o], count) && same(capacityKey[o + 1], perUnitHour) && same(capacityKey[o + 2], inService) && same(capacityKey[o + 3], retirement)) continue;
      cohortInputsFrom[k] = 0;
      poolAvailMoved[cohortPool[k]] = 1;
      capacityKey[o] = count;
      capacityKey[o + 1] = perUnitHour;
      capacityKey[o + 2] = inService;
      capacityKey[o + 3] = retirement;
    }
    for (let q = 0; q < nPools; q++) if (poolAvailMoved[q]) series.poolAvailable[q].fill(0);
    for (let k = 0; k < nCohorts; k++) {
      const cs = proj.cohorts[k];
      const cap = cs.capacity;
      const pool = cohortPool[k];
      const avail = series.poolAvailable[pool];
      // Outside its months of service a cohort's capacity (and site power) is exactly 0, and
      // adding 0 to a sum that starts at 0 changes nothing: only those months are walked.
      const inService = proj.cohortService[2 * k];
      const retirement = proj.cohortService[2 * k + 1];
      const from = serviceFrom(inService);
      const to = serviceTo(retirement);
      if (poolAvailMoved[pool]) for (let t = from; t <= to; t++) avail[t] += cap[t];
      if (pool < nSites) {
        const site = sites[pool];
        const sl = cohorts[k].slots;
        const mw = (p[sl.count] * p[sl.powerKw] * p[site.slots.pue]) / unitScale;
        const price = site.powerPrice;
        const out = cs.powerCost;
        out.fill(0, 0, from);
        out.fill(0, to + 1);
        for (let t = from; t <= to; t++) out[t] = t >= inService && t <= retirement ? mw * hours[t] * price[t] : 0;
      }
      const pricing = cohortPrice[k];
      // Without the report series, a price by age is read only in the months of service.
      if (pricing.kind === "decline") {
        const moved = declinePrice(p, k, pricing, report ? 0 : from, report ? H - 1 : to);
        if (moved < cohortInputsFrom[k]) cohortInputsFrom[k] = moved;
      }
      else if (pricing.kind === "none") series.cohortSpotPrice[k].fill(0);
    }
    declinePricesPartial = !report;
    // The fleet's power total includes the power of cohorts in sites written above.
    if (nSites > 0) cohortPowerRewritten(proj, cohortInSite);
    // A pool without contracts reserves nothing (+0 in every month). An unsold share
    // 1 − x is never −0, so === tells a moved month but for NaN, which counts as moved.
    for (let q = 0; q < nPools; q++) {
      freeMovedFrom[q] = H;
      if (poolHasContracts[q] || !poolAvailMoved[q]) continue;
      const avail = series.poolAvailable[q];
      const free = poolFree[q];
      let movedFrom = H;
      for (let t = 0; t < H; t++) {
        const f = 1 - Math.min(1, 0 / avail[t]);
        if (movedFrom === H && !(f === free[t])) movedFrom = t;
        free[t] = f;
      }
      freeMovedFrom[q] = movedFrom;
    }
    availKept = true;
    fleetReportPending = true;
    if (report) fleetReport(p, proj);
  };

  /**
   * A cohort's spot price by age from months lo … hi (the price curve's decline applied by
   * whole months of age); returns the first of them whose price moved (H: none).
   */
  const declinePrice = (p: Float64Array, k: number, pricing: { start: number; decline: number }, lo: number, hi: number): number => {
    const spotPrice = series.cohortSpotPrice[k];
    const start = p[pricing.start];
    const base = 1 - p[pricing.decline];
    const cache = declinePowers.get(pricing as CohortPrice)!;
    if (cache.base !== base) {
      cache.base = base;
      cache.filled = 0;
    }
    const powers = cache.powers;
    const plannedInService = round(p[cohorts[k].slots.inService]);
    // Ages 0 … H − 1 − plannedInService occur (NaN: none from the table).
    const need = Math.max(1, Math.min(H, H - plannedInService));
    for (let age = cache.filled; age < need; age++) powers[age] = Math.pow(base, age / 12);
    if (need > cache.filled) cache.filled = need;
    let moved = H;
    for (let t = lo; t <= hi; t++) {
      const age = Math.max(0, t - plannedInService);
      const price = start * (age < H ? powers[age] : Math.pow(base, age / 12));
      if (moved === H && !same(price, spotPrice[t])) moved = t;
      spotPrice[t] = price;
    }
    return moved;
  };

  /** The report series of what fleetSide computed: hours available (fleet, sites), site power, spot prices. */
  const fleetReport = (p: Float64Array, proj: Projection): void => {
    const available = series.available;
    available.fill(0);
    for (let s = 0; s < nSites; s++) series.sitePowerCost[s].fill(0);
    for (let k = 0; k < nCohorts; k++) {
      const cs = proj.cohorts[k];
      const from = serviceFrom(proj.cohortService[2 * k]);
      const to = serviceTo(proj.cohortService[2 * k + 1]);
      const cap = cs.capacity;
      for (let t = from; t <= to; t++) available[t] += cap[t];
      const pool = cohortPool[k];
      if (pool < nSites) {
        const power = series.sitePowerCost[pool];
        const out = cs.powerCost;
        for (let t = from; t <= to; t++) power[t] += out[t];
      }
      const pricing = cohortPrice[k];
      if (pricing.kind === "series") series.cohortSpotPrice[k].set(pricing.series);
      else if (pricing.kind === "decline" && declinePricesPartial) declinePrice(p, k, pricing, 0, H - 1);
    }
    declinePricesPartial = false;
    for (let s = 0; s < nSites; s++) series.siteAvailable[s].set(series.poolAvailable[s]);
    fleetReportPending = false;
  };

  /**
   * 2. Contracts: effective start (not before the site is live), committed GPUs and price;
   * per contract and pool, the first month its reservation or bill may differ from the last
   * evaluation's (all months unless `incremental`).
   */
  const contractsAsNow = (p: Float64Array, incremental: boolean): void => {
    for (let q = 0; q < nPools; q++) poolReservedFrom[q] = incremental ? H : 0;
    for (let c = 0; c < nContracts; c++) {
      const ct = contracts[c];
      const sl = ct.slots;
      const term = Math.max(1, round(p[sl.termMonths]));
      let gpus: number;
      let price: number;
      if (sl.gpus >= 0 && sl.price >= 0) {
        gpus = p[sl.gpus];
        price = p[sl.price];
      } else if (sl.gpus >= 0) {
        gpus = p[sl.gpus];
        price = (p[sl.value] * unitScale) / (gpus * AVERAGE_MONTH_HOURS * term);
      } else {
        price = p[sl.price];
        gpus = (p[sl.value] * unitScale) / (price * AVERAGE_MONTH_HOURS * term);
      }
      const planned = round(p[sl.start]);
      const start = ct.pool < nSites ? Math.max(planned, state.siteLive[ct.pool]) : planned;
      const renewals = sl.renewTimes >= 0 ? round(p[sl.renewTimes]) : 0;
      const renewTerm = sl.renewTerm >= 0 ? Math.max(1, round(p[sl.renewTerm])) : term;
      const factor = sl.renewFactor >= 0 ? p[sl.renewFactor] : 1;
      const exit = sl.exit >= 0 ? round(p[sl.exit]) : Infinity;
      const top = p[sl.takeOrPay];
      state.contractStart[c] = start;
      state.contractGpus[c] = gpus;
      state.contractPrice[c] = price;
      state.contractEnd[c] = start + term + renewals * renewTerm;
      // With the same GPUs, price, start and term, the reservation and the bill differ
      // only from the earlier of the two exits on when the exit (or the take-or-pay share
      // owed from it) moved, and only from the end of the original term when the renewals
      // moved: before it only the original term bills, and it reserves from its start to
      // its end or the exit whatever the renewals (with whole renewals, none or more, and
      // renewal terms of a month or more; the price factor of the original term is 1).
      const o = c * TERMS;
      const k = contractTerms;
      let from = 0;
      if (incremental && same(k[o], gpus) && same(k[o + 1], price) && same(k[o + 2], start) && same(k[o + 3], term)) {
        const exitFrom = same(k[o + 7], exit) && same(k[o + 8], top) ? H : firstMonth(Math.min(k[o + 7], exit));
        let renewFrom = H;
        if (!(same(k[o + 4], renewals) && same(k[o + 5], renewTerm) && same(k[o + 6], factor))) {
          renewFrom = k[o + 4] >= 0 && renewals >= 0 && k[o + 5] >= 1 && renewTerm >= 1 ? firstMonth(start + term) : 0;
        }
        from = Math.min(exitFrom, renewFrom);
      }
      k[o] = gpus;
      k[o + 1] = price;
      k[o + 2] = start;
      k[o + 3] = term;
      k[o + 4] = renewals;
      k[o + 5] = renewTerm;
      k[o + 6] = factor;
      k[o + 7] = exit;
      k[o + 8] = top;
      contractFrom[c] = from;
      if (from < poolReservedFrom[ct.pool]) poolReservedFrom[ct.pool] = from;
    }
  };

  /** Hours reserved by contracts per pool, from the first month a contract in it moved. */
  const reserve = (report: boolean): void => {
    for (let q = 0; q < nPools; q++) {
      const from = poolReservedFrom[q];
      if (from < H) series.poolReserved[q].fill(0, from);
      if (!report) continue;
      series.poolContracted[q].fill(0);
      series.poolContractRevenue[q].fill(0);
    }
    for (let c = 0; c < nContracts; c++) {
      const pool = contracts[c].pool;
      const from = poolReservedFrom[pool];
      if (from >= H) continue;
      const reserved = series.poolReserved[pool];
      const gpus = state.contractGpus[c];
      const end = Math.min(state.contractEnd[c], contractTerms[c * TERMS + 7]);
      for (let t = Math.max(from, state.contractStart[c]); t < Math.min(H, end); t++) reserved[t] += gpus * hours[t];
    }
  };

  /**
   * Share of a pool's reservations its capacity can deliver, by month (1 with none), and
   * share of its hours not reserved: from its capacity and reservations alone. Noted: the
   * first month whose delivered share moved (customer lines bill by it) and whose unsold
   * share moved (spot revenue reads it); the customer lines cleared from the first month
   * they are billed again.
   */
  const deliver = (keepFleet: boolean, incremental: boolean): void => {
    for (let q = 0; q < nPools; q++) {
      const from = !keepFleet && poolAvailMoved[q] ? 0 : poolReservedFrom[q];
      if (!poolHasContracts[q]) {
        poolDeliveredFrom[q] = H;
        poolFreeFrom[q] = incremental ? freeMovedFrom[q] : 0;
        continue;
      }
      const reserved = series.poolReserved[q];
      const avail = series.poolAvailable[q];
      const delivered = poolDelivered[q];
      const free = poolFree[q];
      let deliveredFrom = H;
      let freeFrom = H;
      for (let t = from; t < H; t++) {
        const r = reserved[t];
        const a = avail[t];
        const d = r > 0 ? Math.min(1, a / r) : 1;
        const before = delivered[t];
        if (deliveredFrom === H && (d !== before || (d === 0 && 1 / d !== 1 / before))) deliveredFrom = t;
        delivered[t] = d;
        // Never −0 (1 − x): === tells a moved month but for NaN, which counts as moved.
        const f = 1 - Math.min(1, r / a);
        if (freeFrom === H && !(f === free[t])) freeFrom = t;
        free[t] = f;
      }
      poolDeliveredFrom[q] = incremental ? deliveredFrom : 0;
      poolFreeFrom[q] = incremental ? freeFrom : 0;
    }
    for (let l = 0; l < customerLines.length; l++) lineFrom[l] = H;
    for (let c = 0; c < nContracts; c++) {
      const ct = contracts[c];
      const from = Math.min(contractFrom[c], poolDeliveredFrom[ct.pool]);
      if (from < lineFrom[ct.customerIndex]) lineFrom[ct.customerIndex] = from;
    }
    for (let l = 0; l < customerLines.length; l++) if (lineFrom[l] < H) customerLines[l].fill(0, lineFrom[l]);
  };

  /**
   * 3. Uncontracted hours sold at the generation's price, without the report series. A
   * month of a cohort's spot revenue reads that month's capacity, share sold, unsold share
   * of its pool and price alone: it is computed again from the first month one of them
   * moved, and the total summed again from the first month any cohort's did.
   */
  const sellSpot = (proj: Projection): void => {
    const spotRevenueTotal = series.spotRevenue;
    let totalFrom = H;
    for (let k = 0; k < nCohorts; k++) totalFrom = Math.min(totalFrom, poolFreeFrom[cohortPool[k]], cohortInputsFrom[k]);
    if (totalFrom < H) spotRevenueTotal.fill(0, totalFrom);
    for (let k = 0; k < nCohorts; k++) {
      const cap = proj.cohorts[k].capacity;
      const pool = cohortPool[k];
      const from = serviceFrom(proj.cohortService[2 * k]);
      const to = serviceTo(proj.cohortService[2 * k + 1]);
      const spotRevenue = cohortSpotRevenue[k];
      const again = Math.max(from, Math.min(poolFreeFrom[pool], cohortInputsFrom[k]));
      const kept = Math.min(again, to + 1);
      for (let t = Math.max(from, totalFrom); t < kept; t++) if (!(cap[t] <= 0)) spotRevenueTotal[t] += spotRevenue[t];
      const free = poolFree[pool];
      const spotPrice = spotSource[k];
      for (let t = again; t <= to; t++) {
        const a = cap[t];
        if (!(a <= 0)) {
          const v = (utilShare[t] * a * free[t] * spotPrice[t]) / unitScale;
          spotRevenue[t] = v;
          spotRevenueTotal[t] += v;
        }
      }
    }
    if (spotLine) spotLine.set(spotRevenueTotal);
  };

  /** Each contract's bill from the first month its customer's line is billed again, without the report series. */
  const billDelivered = (): void => {
    for (let c = 0; c < nContracts; c++) {
      const ct = contracts[c];
      const from = lineFrom[ct.customerIndex];
      if (from >= H) continue;
      const o = c * TERMS;
      const gpus = contractTerms[o];
      const price = contractTerms[o + 1];
      const start = contractTerms[o + 2];
      const term = contractTerms[o + 3];
      const renewals = contractTerms[o + 4];
      const renewTerm = contractTerms[o + 5];
      const factor = contractTerms[o + 6];
      const exit = contractTerms[o + 7];
      const top = contractTerms[o + 8];
      const line = customerLines[ct.customerIndex];
      const delivered = poolDelivered[ct.pool];
      // Terms as billWithReport's; billing within the horizon: delivered share of the
      // reservation before an exit, takeOrPay of the term then running after it.
      for (let term_i = 0; term_i <= renewals; term_i++) {
        const a = term_i === 0 ? start : start + term + (term_i - 1) * renewTerm;
        const b = term_i === 0 ? start + term : a + renewTerm;
        if (a >= exit) break;
        const termPrice = (gpus * price * Math.pow(factor, term_i)) / unitScale;
        for (let t = Math.max(from, a); t < Math.min(H, b); t++) line[t] += t >= exit ? top * termPrice * hours[t] : termPrice * hours[t] * delivered[t];
      }
    }
  };

  /** The contracts' bills with the report series: contracted hours, contract revenue by pool and in total, backlog. */
  const billWithReport = (p: Float64Array): void => {
    const contractRevenue = series.contractRevenue;
    const backlog = series.backlog;
    contractRevenue.fill(0);
    series.contractedHours.fill(0);
    backlog.fill(0);
    for (let c = 0; c < nContracts; c++) {
      const ct = contracts[c];
      const from = lineFrom[ct.customerIndex];
      if (from >= H) continue;
      const sl = ct.slots;
      const o = c * TERMS;
      const gpus = contractTerms[o];
      const price = contractTerms[o + 1];
      const start = contractTerms[o + 2];
      const term = contractTerms[o + 3];
      const renewals = contractTerms[o + 4];
      const renewTerm = contractTerms[o + 5];
      const factor = contractTerms[o + 6];
      const exit = contractTerms[o + 7];
      const top = contractTerms[o + 8];
      const signed = sl.signed >= 0 ? round(p[sl.signed]) : -Infinity;
      const line = customerLines[ct.customerIndex];
      const delivered = poolDelivered[ct.pool];
      const contracted = series.poolContracted[ct.pool];
      const poolRevenue = series.poolContractRevenue[ct.pool];
      // Terms: 0 = the original, 1… = renewals, each at factor × the previous price.
      // After an exit the customer pays takeOrPay of the term then running, and no more.
      for (let term_i = 0; term_i <= renewals; term_i++) {
        const a = term_i === 0 ? start : start + term + (term_i - 1) * renewTerm;
        const b = term_i === 0 ? start + term : a + renewTerm;
        if (a >= exit) break;
        const termPrice = (gpus * price * Math.pow(factor, term_i)) / unitScale;
        // Billing within the horizon: delivered share of the reservation before an exit.
        for (let t = Math.max(0, a); t < Math.min(H, b); t++) {
          let v: number;
          if (t >= exit) v = top * termPrice * hours[t];
          else {
            v = termPrice * hours[t] * delivered[t];
            contracted[t] += gpus * hours[t] * delivered[t];
          }
          line[t] += v;
          poolRevenue[t] += v;
          contractRevenue[t] += v;
        }
        // Backlog: contractual value still to bill after each month end (full delivery;
        // 730 h a month beyond the horizon). The original term counts from signing,
        // a renewal from the month it begins; an exit is not foreseen: before it the
        // whole term counts, from it only the take-or-pay share.
        const beyond = Math.max(0, b - Math.max(H, a));
        const fullMonths = Math.max(0, Math.min(b, exit) - Math.max(H, a));
        const topMonths = Math.max(0, b - Math.max(H, a, exit));
        let whole = termPrice * AVERAGE_MONTH_HOURS * beyond;
        let afterExit = termPrice * AVERAGE_MONTH_HOURS * (fullMonths + top * topMonths);
        const counts = term_i === 0 ? signed : a;
        // Months before both the term and the month it counts from change nothing.
        const first = Math.max(0, Math.min(counts, a));
        for (let t = Math.min(H, b) - 1; t >= first; t--) {
          if (t >= counts) backlog[t] += t < exit ? whole : afterExit;
          if (t >= a) {
            whole += termPrice * hours[t];
            afterExit += termPrice * hours[t] * (t >= exit ? top : 1);
          }
        }
      }
    }
  };

  /** Spot sales with the report series (hours and revenue by cohort, spot hours), then the totals, concentration and coverage. */
  const spotWithReport = (proj: Projection): void => {
    const spotRevenueTotal = series.spotRevenue;
    const spotHours = series.spotHours;
    spotRevenueTotal.fill(0);
    spotHours.fill(0);
    for (let k = 0; k < nCohorts; k++) {
      const cap = proj.cohorts[k].capacity;
      const pool = cohortPool[k];
      const avail = series.poolAvailable[pool];
      const free = poolFree[pool];
      const contracted = series.poolContracted[pool];
      const poolRevenue = series.poolContractRevenue[pool];
      const revenue = series.cohortRevenue[k];
      const sold = series.cohortSoldHours[k];
      const spotPrice = series.cohortSpotPrice[k];
      const from = serviceFrom(proj.cohortService[2 * k]);
      const to = serviceTo(proj.cohortService[2 * k + 1]);
      // Nothing sold outside its months of service (no capacity there).
      revenue.fill(0, 0, from);
      revenue.fill(0, to + 1);
      sold.fill(0, 0, from);
      sold.fill(0, to + 1);
      for (let t = from; t <= to; t++) {
        const a = cap[t];
        if (a <= 0) {
          revenue[t] = 0;
          sold[t] = 0;
          continue;
        }
        const share = a / avail[t];
        const spot = utilShare[t] * a * free[t];
        const spotRevenue = (spot * spotPrice[t]) / unitScale;
        revenue[t] = spotRevenue + poolRevenue[t] * share;
        sold[t] = spot + contracted[t] * share;
        spotHours[t] += spot;
        spotRevenueTotal[t] += spotRevenue;
      }
    }
    if (spotLine) spotLine.set(series.spotRevenue);

    // 4. Totals, concentration, coverage of the investment by backlog.
    for (let t = 0; t < H; t++) {
      let contractedHours = 0;
      for (let q = 0; q < nPools; q++) contractedHours += series.poolContracted[q][t];
      series.contractedHours[t] = contractedHours;
      series.soldHours[t] = contractedHours + series.spotHours[t];
      series.utilization[t] = series.available[t] > 0 ? series.soldHours[t] / series.available[t] : NaN;
      const total = series.contractRevenue[t] + series.spotRevenue[t];
      let largest = 0;
      let hhi = 0;
      if (total > 0) {
        for (let l = 0; l < customerLines.length; l++) {
          const share = customerLines[l][t] / total;
          if (share > largest) largest = share;
          hhi += share * share;
        }
      }
      series.largestCustomerShare[t] = total > 0 ? largest : NaN;
      series.hhi[t] = total > 0 ? hhi : NaN;
    }
  };

  return {
    beforeFleet(p: Float64Array): void {
      schedule(p, state.siteLive, earliest);
      for (let s = 0; s < nSites; s++) {
        const site = sites[s];
        // Construction in progress until then: depreciation (and capitalised interest) from go-live.
        site.live[0] = state.siteLive[s];
        // Construction spend: evenly over the planned build, buildStart … goLive − 1 (a
        // delay moves the go-live, not the spend).
        // The same first month, months and amount write the same line: it stays (no one
        // else writes it), as it does from path to path when only a delay is sampled.
        const line = site.capex;
        const b = round(p[site.slots.buildStart]);
        const n = Math.max(1, round(p[site.slots.goLive]) - b);
        const perMonth = (p[site.slots.costPerMw] * p[site.slots.powerMw]) / unitScale / n;
        const o = 3 * s;
        if (capexKept && same(capexKey[o], b) && same(capexKey[o + 1], n) && same(capexKey[o + 2], perMonth)) continue;
        capexKey[o] = b;
        capexKey[o + 1] = n;
        capexKey[o + 2] = perMonth;
        line.fill(0);
        for (let t = Math.max(0, b); t < Math.min(H, b + n); t++) line[t] = perMonth;
      }
      capexKept = true;
    },

    afterFleet(p: Float64Array, proj: Projection, options: EvaluationOptions): void {
      // What follows from the fleet, its sites, the price curves and utilization alone stays
      // from the last evaluation when only contract terms can have moved since
      // (options.sameFleet: a system's link acting on this company again within a path).
      // A caller that stops early (options.stopAfter) or reads only the statements and metrics
      // (options.skipReportSeries) needs no report series: only what feeds the revenue lines.
      const report = options.stopAfter === undefined && options.skipReportSeries !== true;
      const keepFleet = options.sameFleet === true && fleetDone;
      if (!keepFleet) fleetSide(p, proj, report);
      else {
        cohortInputsFrom.fill(H);
        freeMovedFrom.fill(H);
        if (report && fleetReportPending) fleetReport(p, proj);
      }
      fleetDone = true;

      // Only the months from which an input moved are computed again (see derivedKept); a
      // report evaluation computes every month. After fleetSide the contracts still compare
      // their terms, pools whose hours did not move their reservations, and each cohort's
      // spot revenue starts again where its capacity, share sold, price or unsold share moved.
      const incremental = derivedKept && !report;
      derivedKept = false;

      contractsAsNow(p, incremental);
      reserve(report);
      deliver(keepFleet, incremental);
      if (report) {
        billWithReport(p);
        spotWithReport(proj);
        return;
      }
      billDelivered();
      sellSpot(proj);
      derivedKept = true;
    },

    afterStatements(_p: Float64Array, proj: Projection, options: EvaluationOptions): void {
      if (options.skipReportSeries === true) return;
      // Book values of the fleet and the sites, with any interest capitalised into them,
      // and the backlog's coverage of them.
      const c = proj.compiled;
      const cap = proj.capitalization;
      const fleetOffset = c.capitalizeInterest.sites ? c.constructions.length : 0;
      const gpuBook = series.gpuNetBookValue;
      gpuBook.fill(0);
      for (let k = 0; k < nCohorts; k++) {
        const book = proj.cohorts[k].netBookValue;
        for (let t = 0; t < H; t++) gpuBook[t] += book[t];
      }
      if (cap && c.capitalizeInterest.fleet) {
        for (let k = 0; k < nCohorts; k++) {
          const retire = proj.cohortService[2 * k + 1];
          const added = cap.interest[fleetOffset + k];
          const gone = cap.depreciation[fleetOffset + k];
          let book = 0;
          for (let t = 0; t < H; t++) {
            book += added[t] - gone[t];
            if (t < retire) series.gpuNetBookValue[t] += book;
          }
        }
      }
      series.siteNetBookValue.fill(0);
      for (let s = 0; s < nSites; s++) {
        const site = sites[s];
        const siteCapitalized = cap && c.capitalizeInterest.sites ? cap.interest[site.construction] : null;
        const siteCapDepreciation = cap && c.capitalizeInterest.sites ? cap.depreciation[site.construction] : null;
        accumulateSiteBookValue(site.capex, site.live[0], site.lifeMonths, series.siteNetBookValue, siteCapitalized, siteCapDepreciation, scratch);
      }
      for (let t = 0; t < H; t++) {
        const invested = series.gpuNetBookValue[t] + series.siteNetBookValue[t];
        series.backlogCoverage[t] = invested > 0 ? series.backlog[t] / invested : NaN;
      }
    },
  };
}

/** The same number, sign of zero and NaN included. */
function same(x: number, y: number): boolean {
  return x === y ? x !== 0 || 1 / x === 1 / y : x !== x && y !== y;
}

/** The first month `now` differs from `read` (H: none); `read` takes `now`'s values. */
function firstMoved(now: Float64Array, read: Float64Array): number {
  const H = now.length;
  let t = 0;
  while (t < H && same(now[t], read[t])) t++;
  read.set(now);
  return t;
}

/**
 * Adds a site's book value by month to `out`: construction spend less depreciation,
 * which starts when the site is live (spend before then is construction in progress;
 * straight-line over its life, a full month in the live month), plus interest
 * capitalised into it less that interest's depreciation. `cum` is scratch of the same length.
 */
export function accumulateSiteBookValue(spend: Float64Array, live: number, life: number, out: Float64Array, capitalized: Float64Array | null, capDepreciation: Float64Array | null, cum: Float64Array): void {
  const H = out.length;
  let total = 0;
  let depreciated = 0;
  let capBook = 0;
  for (let t = 0; t < H; t++) {
    total += spend[t];
    cum[t] = total;
    const placed = t >= live ? total : 0;
    const gone = t >= life && t - life >= live ? cum[t - life] : 0;
    depreciated += (placed - gone) / life;
    if (capitalized) capBook += capitalized[t] - capDepreciation![t];
    out[t] += total - depreciated + capBook;
  }
}
