import type { CompiledModel } from "../engine/compile.js";
import { evaluate } from "../engine/project.js";
import { UsageError } from "../model/issues.js";
import { didYouMean } from "../model/suggest.js";
import { gpuData } from "./compile.js";
import { monthLabel } from "./report.js";

export interface SiteDelayImpact {
  site: string;
  delayMonths: number;
  plannedGoLive: string;
  live: string;
  /** Within the horizon, no-delay case minus delayed case (model unit; positive = lost). */
  revenueLost: number;
  contractRevenueLost: number;
  spotRevenueLost: number;
  revenueLostByCustomer: Record<string, number>;
  /** GPU-hours the site did not deliver within the horizon. */
  gpuHoursLost: number;
  /**
   * Interest on the site's construction tranche in the months between planned and actual
   * go-live. It is paid whether or not the site is late (the debt is drawn either way), so
   * it is the carrying cost of the wait, not a cost the delay adds.
   */
  interestWhileLate: number | null;
  /**
   * Interest capitalised into the site because it was under construction longer
   * (financing.capitalizeInterest.sites): expensed interest is that much lower within the
   * horizon, and depreciation later that much higher. Null when sites do not capitalise.
   */
  capitalizedInterestAdded: number | null;
  debt: string | null;
  netIncomeLost: number;
  endingCashLost: number;
  minCashLost: number;
}

function total(a: Float64Array): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t];
  return s;
}

function min(a: Float64Array): number {
  let m = Infinity;
  for (let t = 0; t < a.length; t++) if (a[t] < m) m = a[t];
  return m;
}

interface Snapshot {
  revenue: number;
  contract: number;
  spot: number;
  byCustomer: number[];
  hours: number;
  netIncome: number;
  endingCash: number;
  minCash: number;
  capitalized: number | null;
}

function snapshot(compiled: CompiledModel, params: Float64Array, siteIndex: number): Snapshot {
  const proj = evaluate(compiled, params);
  const g = gpuData(compiled)!;
  const it = proj.items;
  const capitalized = proj.capitalization && compiled.capitalizeInterest.sites ? total(proj.capitalization.interest[g.sites[siteIndex].construction]) : null;
  return {
    capitalized,
    revenue: total(it.revenue),
    contract: total(g.series.contractRevenue),
    spot: total(g.series.spotRevenue),
    byCustomer: g.customerLines.map(total),
    hours: total(g.series.siteAvailable[siteIndex]),
    netIncome: total(it.netIncome),
    endingCash: it.endingCash[compiled.months - 1],
    minCash: min(it.endingCash),
  };
}

/**
 * What a site's delay costs within the horizon: the model is evaluated with the
 * given params (the delay as set, e.g. by a scenario or a Monte Carlo draw) and again
 * with that site's `delayMonths` at 0 — params only, no recompile. Contracts keep
 * their full term, so contracted revenue lost here moves past the delay rather than
 * vanishing (it may fall beyond the horizon); spot revenue is lost outright. The
 * site's construction debt is drawn and charged interest the same in both cases.
 * Returns one entry per site with a delay (or the named site). Leaves the compiled
 * model evaluated with `params`.
 */
export function siteDelayImpact(compiled: CompiledModel, params: Float64Array = compiled.baseParams, siteName?: string): SiteDelayImpact[] {
  const g = gpuData(compiled);
  if (!g || g.sites.length === 0) return [];
  const base = new Float64Array(params);
  let indices = g.sites.map((_, i) => i).filter((i) => Math.round(base[g.sites[i].slots.delayMonths]) !== 0);
  if (siteName !== undefined) {
    const i = g.sites.findIndex((s) => s.name === siteName);
    if (i < 0) {
      const s = didYouMean(siteName, g.sites.map((x) => x.name));
      throw new UsageError("unknown_site", `no site named "${siteName}"${s ? ` — did you mean "${s}"?` : `; the model has: ${g.sites.map((x) => x.name).join(", ")}`}`);
    }
    indices = [i];
  }
  const out: SiteDelayImpact[] = [];
  for (const i of indices) {
    const site = g.sites[i];
    const noDelay = new Float64Array(base);
    noDelay[site.slots.delayMonths] = 0;
    const without = snapshot(compiled, noDelay, i);
    const withDelay = snapshot(compiled, base, i);
    const planned = Math.round(base[site.slots.goLive]);
    const live = g.state.siteLive[i];
    let interest: number | null = null;
    if (site.debt !== null) {
      const k = compiled.tranches.findIndex((t) => t.name === site.debt);
      if (k >= 0) {
        const proj = evaluate(compiled, base);
        interest = 0;
        for (let t = Math.max(0, planned); t < Math.min(compiled.months, live); t++) interest += proj.tranches[k].interest[t];
      }
    }
    const byCustomer: Record<string, number> = {};
    g.customers.forEach((name, c) => (byCustomer[name] = without.byCustomer[c] - withDelay.byCustomer[c]));
    out.push({
      site: site.name,
      delayMonths: Math.round(base[site.slots.delayMonths]),
      plannedGoLive: monthLabel(compiled, planned),
      live: monthLabel(compiled, live),
      revenueLost: without.revenue - withDelay.revenue,
      contractRevenueLost: without.contract - withDelay.contract,
      spotRevenueLost: without.spot - withDelay.spot,
      revenueLostByCustomer: byCustomer,
      gpuHoursLost: without.hours - withDelay.hours,
      interestWhileLate: interest,
      capitalizedInterestAdded: withDelay.capitalized === null || without.capitalized === null ? null : withDelay.capitalized - without.capitalized,
      debt: site.debt,
      netIncomeLost: without.netIncome - withDelay.netIncome,
      endingCashLost: without.endingCash - withDelay.endingCash,
      minCashLost: without.minCash - withDelay.minCash,
    });
  }
  evaluate(compiled, base);
  return out;
}
