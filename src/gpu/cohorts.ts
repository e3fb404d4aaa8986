import type { Projection } from "../engine/project.js";
import { npv, irr, FinanceError } from "../finance/index.js";
import { cohortNetBookValueAtStart } from "../model/derived.js";
import { UsageError } from "../model/issues.js";
import { gpuData } from "./compile.js";
import { AVERAGE_MONTH_HOURS } from "./schema.js";
import { monthLabel } from "./report.js";

/**
 * Unit economics of one GPU cohort, before financing and tax, by month from its
 * purchase to the end of its life:
 *
 *   capex    −count × unitCost, in the purchase month (a cohort bought before the model
 *            starts enters at its net book value in the first month instead);
 *   revenue  +its sold GPU-hours × price: its spot hours (utilization × its uncontracted
 *            hours × its generation's price) plus its share of the contract revenue of
 *            its site (by available hours);
 *   power    −count × kW × PUE × hours × power price while in service;
 *   salvage  +count × retirementProceedsPerUnit (default salvagePerUnit) in its last month
 *            of service (its service life, default its depreciation life);
 *   site     for a cohort in a site (unless `includeSite: false`): its share of the
 *            site's construction spend, in the months it is spent, share = its power
 *            (count × kW × PUE) ÷ the site's MW; and in the last month of its life,
 *            +the book value of that share (straight-line over the site's life from
 *            its go-live): the building outlives the GPUs and hosts the next ones.
 *            Spend before the model starts enters in the first month at book value.
 *
 * Staff and overheads are left out (company-level costs: see build-vs-rent and
 * `run`). Months after the horizon are extrapolated: the cohort's
 * last projected sold share, revenue per sold hour (falling at its generation's
 * declinePerYear, if it has one) and power cost per hour are held, at 730 hours a
 * month. Discounting is monthly at (1 + annual rate)^(1/12) − 1 with the purchase
 * month undiscounted; IRR is monthly and annualized as (1 + r)^12 − 1.
 */
export interface CohortFlow {
  period: string;
  capex: number;
  revenue: number;
  power: number;
  salvage: number;
  /** −share of site construction spend, + book value of the share at the end of life. */
  site: number;
  net: number;
  soldHours: number;
  /** True for months after the horizon (extrapolated). */
  extrapolated: boolean;
}

export interface CohortEconomics {
  name: string;
  generation: string | null;
  site: string | null;
  count: number;
  basis: "purchase" | "bookValueAtStart";
  start: string;
  inService: string;
  endOfLife: string;
  monthsBeyondHorizon: number;
  capex: number;
  revenue: number;
  power: number;
  salvage: number;
  /** Share of the site's power the cohort takes (0 without a site). */
  siteShare: number;
  /** Share of site construction spent, and its book value returned at the end of life. */
  siteCost: number;
  siteResidual: number;
  soldHours: number;
  npv: number;
  /** Annual; null when the flows have no sign change or no rate solves them. */
  irr: number | null;
  payback: string | null;
  paybackMonths: number | null;
  /** Flat price per sold GPU-hour over the whole life at which NPV = 0. */
  breakEvenPrice: number | null;
  /** Revenue per sold GPU-hour (contract and spot mix) over the life. */
  averagePrice: number | null;
  /** The generation's spot price curve at in-service and in the last month of life. */
  curvePriceAtInService: number | null;
  curvePriceAtEnd: number | null;
  flows: CohortFlow[];
}

export interface CohortOptions {
  /** Annual discount rate, decimal. */
  discountRate: number;
  /** Charge cohorts in a site with their share of its construction (default true). */
  includeSite?: boolean;
}

export const monthlyRate = (annual: number) => Math.pow(1 + annual, 1 / 12) - 1;

/** Value at the first month of monthly flows, the first one undiscounted. */
export function presentValue(annualRate: number, flows: readonly number[]): number {
  if (flows.length === 0) return 0;
  return flows[0] + (flows.length > 1 ? npv(monthlyRate(annualRate), flows.slice(1)) : 0);
}

/** Per fleet cohort: IRR, NPV, payback and the break-even GPU-hour price (see CohortEconomics). */
export function cohortEconomics(proj: Projection, options: CohortOptions): CohortEconomics[] {
  const c = proj.compiled;
  const g = gpuData(c);
  if (!g) throw new UsageError("no_gpu_sections", "this model has no GPU sections (sites, pricing, utilization, contracts), so revenue cannot be assigned to fleet cohorts; see docs/gpu-cloud.md");
  if (!(options.discountRate > -1)) throw new UsageError("bad_option", `the discount rate must be above -100% (got ${options.discountRate})`);
  const p = c.params;
  const H = c.months;
  const us = c.unitScale;
  const startSerial = c.calendar.startSerial;
  return c.cohorts.map((co, k) => {
    const spec = c.model.fleet[co.name];
    const cs = proj.cohorts[k];
    const sl = co.slots;
    const count = p[sl.count];
    const purchase = Math.round(p[sl.purchase]);
    // Its service: from going live to retirement (service life, default the depreciation life).
    const inService = proj.cohortService[2 * k];
    const end = proj.cohortService[2 * k + 1];
    const preStart = co.preStart;
    // The cohort's share of its site: construction spend b … b+n−1, book value straight-line.
    const pool = g.cohortPool[k];
    const site = pool < g.sites.length && options.includeSite !== false ? g.sites[pool] : null;
    let siteShare = 0;
    let spendStart = Infinity;
    let spendMonths = 0;
    let spendPerMonth = 0;
    let siteLife = 1;
    let siteLive = -Infinity;
    if (site) {
      siteLive = g.state.siteLive[pool];
      siteShare = (count * p[sl.powerKw] * p[site.slots.pue]) / 1000 / p[site.slots.powerMw];
      spendStart = Math.round(p[site.slots.buildStart]);
      spendMonths = Math.max(1, Math.round(p[site.slots.goLive]) - spendStart);
      spendPerMonth = (siteShare * p[site.slots.costPerMw] * p[site.slots.powerMw]) / us / spendMonths;
      siteLife = site.lifeMonths;
    }
    // Book value after month t of the share's spend up to month `upTo` (inclusive): spend
    // waits as construction in progress until the site is live, then depreciates.
    const siteBookValue = (t: number, upTo: number) => {
      let v = 0;
      for (let m = spendStart; m < spendStart + spendMonths && m <= upTo; m++) {
        const from = Math.max(m, siteLive);
        v += spendPerMonth * (t < from ? 1 : Math.max(0, 1 - (t - from + 1) / siteLife));
      }
      return v;
    };
    const firstFlow = preStart ? 0 : purchase;
    const first = site ? Math.max(0, Math.min(firstFlow, spendStart)) : firstFlow;
    const cost = preStart ? cohortNetBookValueAtStart(spec, startSerial, c.model.meta.unit) : (count * p[sl.unitCost]) / us;
    const proceedsPerUnit = p[sl.proceeds] === p[sl.proceeds] ? p[sl.proceeds] : p[sl.salvage];
    const salvage = (count * proceedsPerUnit) / us;
    const revenueSeries = g.series.cohortRevenue[k];
    const soldSeries = g.series.cohortSoldHours[k];
    // What the last projected month says about months after the horizon.
    const last = H - 1;
    const availLast = cs.capacity[last];
    const soldShare = availLast > 0 ? soldSeries[last] / availLast : 0;
    const revenuePerSold = soldSeries[last] > 0 ? revenueSeries[last] / soldSeries[last] : 0;
    const powerPerHour = availLast > 0 ? cs.powerCost[last] / availLast : 0;
    const pricing = g.cohortPrice[k];
    const decline = pricing.kind === "decline" ? p[pricing.decline] : 0;
    const hoursPerMonth = count * p[sl.capacity] * AVERAGE_MONTH_HOURS;
    const flows: CohortFlow[] = [];
    let siteCost = 0;
    let siteResidual = 0;
    const lastMonth = Math.max(end, first);
    for (let t = first; t <= lastMonth; t++) {
      const extrapolated = t >= H;
      let revenue: number;
      let power: number;
      let sold: number;
      if (!extrapolated) {
        revenue = revenueSeries[t];
        power = cs.powerCost[t];
        sold = soldSeries[t];
      } else {
        const active = t >= inService && t <= end;
        sold = active ? hoursPerMonth * soldShare : 0;
        revenue = active ? sold * revenuePerSold * Math.pow(1 - decline, (t - last) / 12) : 0;
        power = active ? hoursPerMonth * powerPerHour : 0;
      }
      const capex = t === firstFlow ? cost : 0;
      const salv = t === end ? salvage : 0;
      let siteFlow = 0;
      if (site) {
        let spent = 0;
        if (t === first && spendStart < first) spent += siteBookValue(first - 1, first - 1);
        if (t >= first && t >= spendStart && t < spendStart + spendMonths) spent += spendPerMonth;
        const residual = t === end ? siteBookValue(end, end) : 0;
        siteCost += spent;
        siteResidual += residual;
        siteFlow = residual - spent;
      }
      flows.push({ period: monthLabel(c, t), capex, revenue, power, salvage: salv, site: siteFlow, net: -capex + revenue - power + salv + siteFlow, soldHours: sold, extrapolated });
    }
    const net = flows.map((f) => f.net);
    const rate = options.discountRate;
    const value = presentValue(rate, net);
    let annualIrr: number | null = null;
    try {
      annualIrr = Math.pow(1 + irr(net), 12) - 1;
    } catch (error) {
      if (!(error instanceof FinanceError)) throw error;
    }
    let cumulative = 0;
    let paybackIndex = -1;
    for (let i = 0; i < net.length; i++) {
      cumulative += net[i];
      if (cumulative >= 0 && i > 0 && paybackIndex < 0) paybackIndex = i;
      if (cumulative < 0) paybackIndex = -1;
    }
    // NPV is affine in a flat price per sold hour: NPV(P) = PV(costs) + P × PV(sold hours) / unit.
    const costs = flows.map((f) => -f.capex - f.power + f.salvage + f.site);
    const pvHours = presentValue(rate, flows.map((f) => f.soldHours));
    const breakEven = pvHours > 0 ? (-presentValue(rate, costs) * us) / pvHours : null;
    const totals = flows.reduce((s, f) => ({ capex: s.capex + f.capex, revenue: s.revenue + f.revenue, power: s.power + f.power, salvage: s.salvage + f.salvage, sold: s.sold + f.soldHours }), { capex: 0, revenue: 0, power: 0, salvage: 0, sold: 0 });
    const curveAt = (t: number): number | null => {
      if (pricing.kind === "none") return null;
      if (pricing.kind === "decline") return p[pricing.start] * Math.pow(1 - p[pricing.decline], Math.max(0, t - Math.round(p[sl.inService])) / 12);
      return pricing.series[Math.min(H - 1, Math.max(0, t))];
    };
    return {
      name: co.name,
      generation: g.cohortGeneration[k],
      site: spec.site ?? null,
      count,
      basis: preStart ? "bookValueAtStart" : "purchase",
      start: monthLabel(c, first),
      inService: monthLabel(c, inService),
      endOfLife: monthLabel(c, end),
      monthsBeyondHorizon: Math.max(0, lastMonth - last),
      capex: totals.capex,
      revenue: totals.revenue,
      power: totals.power,
      salvage: totals.salvage,
      siteShare,
      siteCost,
      siteResidual,
      soldHours: totals.sold,
      npv: value,
      irr: annualIrr,
      payback: paybackIndex >= 0 ? flows[paybackIndex].period : null,
      paybackMonths: paybackIndex >= 0 ? paybackIndex : null,
      breakEvenPrice: breakEven,
      averagePrice: totals.sold > 0 ? (totals.revenue * us) / totals.sold : null,
      curvePriceAtInService: curveAt(inService),
      curvePriceAtEnd: curveAt(end),
      flows,
    };
  });
}
