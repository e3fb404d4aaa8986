import type { CompiledModel } from "../engine/compile.js";
import type { Projection } from "../engine/project.js";
import { formatMonth, serialToMonth, periodLabel } from "../model/months.js";
import { gpuData, type GpuCompiled } from "./compile.js";

/** A month index (possibly outside the horizon) as YYYY-MM. */
export function monthLabel(compiled: CompiledModel, index: number): string {
  return formatMonth(serialToMonth(compiled.calendar.startSerial + index));
}

export interface GpuPeriodRow {
  period: string;
  /** GPU-hours. */
  availableHours: number;
  contractedHours: number;
  spotHours: number;
  soldHours: number;
  /** soldHours / availableHours; null without capacity. */
  utilization: number | null;
  contractRevenue: number;
  spotRevenue: number;
  revenueByCustomer: Record<string, number>;
  /** Largest customer's share of GPU revenue and the Herfindahl index (spot buyers count as dispersed). */
  largestCustomerShare: number | null;
  largestCustomer: string | null;
  hhi: number | null;
  /** At the period's end. */
  backlog: number;
  /** backlog / (GPU + site net book value) at the period's end. */
  backlogCoverage: number | null;
  powerCostBySite: Record<string, number>;
  constructionBySite: Record<string, number>;
  /** Interest capitalised into each site while under construction (financing.capitalizeInterest.sites). */
  capitalizedInterestBySite: Record<string, number>;
}

export interface GpuSiteInfo {
  name: string;
  powerMw: number;
  /** MW the site's cohorts need (count × kW × PUE). */
  usedMw: number;
  gpus: number;
  pue: number;
  plannedGoLive: string;
  delayMonths: number;
  live: string;
  constructionCost: number;
  /** Interest capitalised into it within the horizon (0 unless financing.capitalizeInterest.sites). */
  capitalizedInterest: number;
  debt: string | null;
  cohorts: string[];
}

export interface GpuContractInfo {
  name: string;
  customer: string;
  site: string | null;
  plannedStart: string;
  start: string;
  /** Last month of the original term (renewals extend it). */
  end: string;
  gpus: number;
  pricePerGpuHour: number;
  /** Value of the original term at 730 hours a month, model unit. */
  value: number;
}

export interface GpuReport {
  unit: string;
  currency: string;
  sites: GpuSiteInfo[];
  contracts: GpuContractInfo[];
  customers: string[];
  months: GpuPeriodRow[];
  years: GpuPeriodRow[];
}

const nullable = (x: number) => (Number.isFinite(x) ? x : null);

/**
 * The GPU detail of one evaluation as plain data (copied out of the evaluation's
 * buffers): capacity, hours sold, revenue by customer, concentration, backlog,
 * power by site, by month and by fiscal year. Null for a model without GPU sections.
 */
export function gpuReport(proj: Projection): GpuReport | null {
  const c = proj.compiled;
  const g = gpuData(c);
  if (!g) return null;
  const p = c.params;
  const s = g.series;
  const H = c.months;
  const sites: GpuSiteInfo[] = g.sites.map((site, i) => {
    const cohorts = site.cohorts.map((k) => c.cohorts[k]);
    return {
      name: site.name,
      powerMw: p[site.slots.powerMw],
      usedMw: cohorts.reduce((sum, co) => sum + (p[co.slots.count] * p[co.slots.powerKw] * p[site.slots.pue]) / 1000, 0),
      gpus: cohorts.reduce((sum, co) => sum + p[co.slots.count], 0),
      pue: p[site.slots.pue],
      plannedGoLive: monthLabel(c, Math.round(p[site.slots.goLive])),
      delayMonths: Math.round(p[site.slots.delayMonths]),
      live: monthLabel(c, g.state.siteLive[i]),
      constructionCost: (p[site.slots.costPerMw] * p[site.slots.powerMw]) / c.unitScale,
      capitalizedInterest: siteCapitalized(proj, site.construction) ? sum(siteCapitalized(proj, site.construction)!, 0, H - 1) : 0,
      debt: site.debt,
      cohorts: cohorts.map((co) => co.name),
    };
  });
  const contracts: GpuContractInfo[] = g.contracts.map((ct, i) => {
    const term = Math.max(1, Math.round(p[ct.slots.termMonths]));
    return {
      name: ct.name,
      customer: ct.customer,
      site: ct.site,
      plannedStart: monthLabel(c, Math.round(p[ct.slots.start])),
      start: monthLabel(c, g.state.contractStart[i]),
      end: monthLabel(c, g.state.contractStart[i] + term - 1),
      gpus: g.state.contractGpus[i],
      pricePerGpuHour: g.state.contractPrice[i],
      value: (g.state.contractGpus[i] * g.state.contractPrice[i] * 730 * term) / c.unitScale,
    };
  });
  const months: GpuPeriodRow[] = [];
  for (let t = 0; t < H; t++) months.push(rowOf(g, proj, t, t, c.calendar.labels[t]));
  const years: GpuPeriodRow[] = [];
  let from = 0;
  for (let t = 0; t < H; t++) {
    if (t === H - 1 || c.calendar.fiscalYear[t + 1] !== c.calendar.fiscalYear[t]) {
      years.push(rowOf(g, proj, from, t, periodLabel(c.calendar, t, "year")));
      from = t + 1;
    }
  }
  return { unit: c.model.meta.unit, currency: c.model.meta.currency, sites, contracts, customers: [...g.customers], months, years };
}

function sum(a: Float64Array, from: number, to: number): number {
  let total = 0;
  for (let t = from; t <= to; t++) total += a[t];
  return total;
}

/** The capitalised interest series of a construction, or null when sites do not capitalise. */
function siteCapitalized(proj: Projection, construction: number): Float64Array | null {
  return proj.capitalization && proj.compiled.capitalizeInterest.sites ? proj.capitalization.interest[construction] : null;
}

function rowOf(g: GpuCompiled, proj: Projection, from: number, to: number, period: string): GpuPeriodRow {
  const c: CompiledModel = proj.compiled;
  const s = g.series;
  const available = sum(s.available, from, to);
  const sold = sum(s.soldHours, from, to);
  const contractRevenue = sum(s.contractRevenue, from, to);
  const spotRevenue = sum(s.spotRevenue, from, to);
  const total = contractRevenue + spotRevenue;
  const revenueByCustomer: Record<string, number> = {};
  let largest = 0;
  let largestName: string | null = null;
  let hhi = 0;
  g.customers.forEach((name, i) => {
    const v = sum(g.customerLines[i], from, to);
    revenueByCustomer[name] = v;
    if (total > 0) {
      const share = v / total;
      hhi += share * share;
      if (share > largest) {
        largest = share;
        largestName = name;
      }
    }
  });
  const powerCostBySite: Record<string, number> = {};
  const constructionBySite: Record<string, number> = {};
  const capitalizedInterestBySite: Record<string, number> = {};
  g.sites.forEach((site, i) => {
    powerCostBySite[site.name] = sum(s.sitePowerCost[i], from, to);
    constructionBySite[site.name] = sum(s.siteCapex[i], from, to);
    const capitalized = siteCapitalized(proj, site.construction);
    capitalizedInterestBySite[site.name] = capitalized ? sum(capitalized, from, to) : 0;
  });
  void c;
  return {
    period,
    availableHours: available,
    contractedHours: sum(s.contractedHours, from, to),
    spotHours: sum(s.spotHours, from, to),
    soldHours: sold,
    utilization: available > 0 ? sold / available : null,
    contractRevenue,
    spotRevenue,
    revenueByCustomer,
    largestCustomerShare: total > 0 ? largest : null,
    largestCustomer: total > 0 ? largestName : null,
    hhi: total > 0 ? hhi : null,
    backlog: s.backlog[to],
    backlogCoverage: nullable(s.backlogCoverage[to]),
    powerCostBySite,
    constructionBySite,
    capitalizedInterestBySite,
  };
}
