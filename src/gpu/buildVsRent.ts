import type { Projection } from "../engine/project.js";
import { npv } from "../finance/index.js";
import { UsageError } from "../model/issues.js";
import { periodLabel } from "../model/months.js";
import { gpuData } from "./compile.js";
import { monthlyRate } from "./cohorts.js";

/**
 * Owning the model's GPU fleet and sites versus renting the same GPU-hours, over the
 * horizon, in the model unit, cash paid out negative. Revenue is the same either way
 * (the same hours are sold) and is left out; so are staff and overheads.
 *
 * Own, each month t:
 *   − capex of the fleet cohorts and of site construction, + proceeds of retired cohorts
 *   − power (site cohorts at the site's PUE and price)
 *   + debt drawn − principal repaid − cash interest − fees paid   (financing: all of the
 *     model's tranches, which a GPU cloud's debt finances; off with financing: false)
 *   + tax × (depreciation + power + interest expense − gain on retirement)   (tax shield, used as it arises;
 *     depreciation includes interest capitalised into the fleet and sites, interest expense excludes it)
 *   first month: − the net book value of cohorts bought before the start (owning them is
 *     not free: they could be sold at book) + the opening debt (with financing)
 *   last month:  + net book value of GPUs and sites − debt outstanding (with financing)
 *                (terminal: "bookValue"; nothing with "none")
 * Rent, each month t:
 *   − rent price × available GPU-hours × (1 − tax)
 * NPV discounts monthly at (1 + annual rate)^(1/12) − 1, each month's flow at its end
 * (Excel NPV). Cash peak = the largest cumulative cash need of the GPU business under
 * each option: GPU revenue × (1 − tax) plus the flows above, terminal value excluded
 * (revenue cancels out of the NPV difference but not out of the timing of the need).
 * The break-even rent is the flat price per GPU-hour at which the two NPVs are equal;
 * NPV(rent) is linear in the price, so it is exact: P* = −NPV(own) / ((1 − tax) × PV(hours)).
 */
export interface BuildVsRentOptions {
  discountRate: number;
  /** Flat rent per GPU-hour; default the model's `rental.price`, else each cohort's pricing curve. */
  rentPrice?: number;
  financing?: boolean;
  /** Default: the model's tax.rate (0 without one). */
  taxRate?: number;
  terminal?: "bookValue" | "none";
}

export interface BuildVsRentYear {
  year: string;
  gpuHours: number;
  rentPrice: number | null;
  gpuRevenue: number;
  ownCapex: number;
  ownPower: number;
  ownFinancing: number;
  ownTaxShield: number;
  ownTerminal: number;
  own: number;
  rent: number;
}

export interface BuildVsRentResult {
  discountRate: number;
  taxRate: number;
  financing: boolean;
  terminal: "bookValue" | "none";
  rentPriceSource: "option" | "rental" | "pricing";
  /** Hours-weighted average rent per GPU-hour. */
  averageRentPrice: number | null;
  gpuHours: number;
  own: { npv: number; cashPeak: number; cashPeakPeriod: string | null };
  rent: { npv: number; cashPeak: number; cashPeakPeriod: string | null };
  /** own − rent: positive means owning is worth more (costs less). */
  npvAdvantageOfOwning: number;
  /** own − rent: positive means owning needs more cash at its peak. */
  cashPeakDifference: number;
  breakEvenRentPrice: number | null;
  years: BuildVsRentYear[];
  months: { period: string; gpuHours: number; rentPrice: number; own: number; rent: number }[];
}

function cashPeak(flows: number[]): { peak: number; index: number } {
  let cum = 0;
  let peak = 0;
  let index = -1;
  for (let t = 0; t < flows.length; t++) {
    cum += flows[t];
    if (-cum > peak) {
      peak = -cum;
      index = t;
    }
  }
  return { peak, index };
}

export function buildVsRent(proj: Projection, options: BuildVsRentOptions): BuildVsRentResult {
  const c = proj.compiled;
  const g = gpuData(c);
  if (!g || c.cohorts.length === 0) throw new UsageError("no_gpu_sections", "build-vs-rent needs a fleet with GPU sections (sites, pricing, utilization or contracts) to know the GPU-hours to rent; see docs/gpu-cloud.md");
  if (!(options.discountRate > -1)) throw new UsageError("bad_option", `the discount rate must be above -100% (got ${options.discountRate})`);
  const tax = options.taxRate ?? c.params[c.slots.taxRate];
  if (!(tax >= 0 && tax < 1)) throw new UsageError("bad_option", `the tax rate must be at least 0 and below 1 (got ${tax})`);
  if (options.rentPrice !== undefined && !(options.rentPrice >= 0 && Number.isFinite(options.rentPrice))) throw new UsageError("bad_option", `the rent price must be a number ≥ 0 per GPU-hour (got ${options.rentPrice})`);
  const financing = options.financing ?? true;
  const terminal = options.terminal ?? "bookValue";
  const H = c.months;
  const us = c.unitScale;
  const it = proj.items;
  const s = g.series;

  const hours: number[] = [];
  const rentPrice: number[] = [];
  const own: number[] = [];
  const rent: number[] = [];
  const parts = { capex: [] as number[], power: [] as number[], financing: [] as number[], tax: [] as number[], terminal: [] as number[] };
  const source: BuildVsRentResult["rentPriceSource"] = options.rentPrice !== undefined ? "option" : g.rentalPrice ? "rental" : "pricing";
  for (let t = 0; t < H; t++) {
    const h = s.available[t];
    let price: number;
    if (source === "option") price = options.rentPrice!;
    else if (source === "rental") price = g.rentalPrice![t];
    else {
      let value = 0;
      for (let k = 0; k < c.cohorts.length; k++) value += proj.cohorts[k].capacity[t] * s.cohortSpotPrice[k][t];
      price = h > 0 ? value / h : 0;
    }
    let capex = 0;
    let power = 0;
    let depreciation = 0;
    let gain = 0;
    for (let k = 0; k < c.cohorts.length; k++) {
      capex += proj.cohorts[k].capex[t] - proj.cohorts[k].retirementProceeds[t];
      power += proj.cohorts[k].powerCost[t];
      depreciation += proj.cohorts[k].depreciation[t];
      gain += proj.cohorts[k].retirementGain[t];
    }
    for (const site of g.sites) {
      capex += site.capex[t];
      // Depreciated from go-live (construction in progress waits), straight-line.
      const live = site.live[0];
      let window = 0;
      for (let m = 0; m <= t; m++) if (Math.max(m, live) <= t && Math.max(m, live) > t - site.lifeMonths) window += site.capex[m];
      depreciation += window / site.lifeMonths;
    }
    // Interest capitalised into the fleet and sites reaches the tax shield as depreciation.
    const cap = proj.capitalization;
    if (cap) for (let a = 0; a < cap.depreciation.length; a++) depreciation += cap.depreciation[a][t];
    let fin = 0;
    if (financing) fin = it.debtDrawn[t] - it.debtRepaid[t] - it.cashInterest[t] - it.financingFees[t];
    const shield = tax * (depreciation + power - gain + (financing ? it.interestExpense[t] : 0));
    let term = 0;
    if (t === 0) {
      term -= proj.opening.fleetNbv;
      if (financing) term += proj.opening.debt;
    }
    if (t === H - 1 && terminal === "bookValue") {
      term += s.gpuNetBookValue[t] + s.siteNetBookValue[t];
      if (financing) term -= it.debt[t];
    }
    hours.push(h);
    rentPrice.push(price);
    parts.capex.push(-capex);
    parts.power.push(-power);
    parts.financing.push(fin);
    parts.tax.push(shield);
    parts.terminal.push(term);
    own.push(-capex - power + fin + shield + term);
    rent.push((-price * h * (1 - tax)) / us);
  }
  const rm = monthlyRate(options.discountRate);
  const ownNpv = npv(rm, own);
  const rentNpv = npv(rm, rent);
  // Cash need excludes the terminal value at the end (it is not cash within the horizon),
  // but the opening fleet at book is treated as paid at the start.
  const revenue = hours.map((_, t) => (s.contractRevenue[t] + s.spotRevenue[t]) * (1 - tax));
  const ownCash = own.map((v, t) => revenue[t] + (t === H - 1 && terminal === "bookValue" ? v - (s.gpuNetBookValue[t] + s.siteNetBookValue[t] - (financing ? it.debt[t] : 0)) : v));
  const ownPeak = cashPeak(ownCash);
  const rentPeak = cashPeak(rent.map((v, t) => v + revenue[t]));
  const pvHours = npv(rm, hours);
  const totalHours = hours.reduce((a, b) => a + b, 0);
  const label = (i: number) => (i >= 0 ? c.calendar.labels[i] : null);

  const years: BuildVsRentYear[] = [];
  let row: BuildVsRentYear | null = null;
  let weighted = 0;
  for (let t = 0; t < H; t++) {
    const year = periodLabel(c.calendar, t, "year");
    if (!row || row.year !== year) {
      if (row) row.rentPrice = row.gpuHours > 0 ? weighted / row.gpuHours : null;
      row = { year, gpuHours: 0, rentPrice: null, gpuRevenue: 0, ownCapex: 0, ownPower: 0, ownFinancing: 0, ownTaxShield: 0, ownTerminal: 0, own: 0, rent: 0 };
      weighted = 0;
      years.push(row);
    }
    row.gpuHours += hours[t];
    row.gpuRevenue += s.contractRevenue[t] + s.spotRevenue[t];
    weighted += hours[t] * rentPrice[t];
    row.ownCapex += parts.capex[t];
    row.ownPower += parts.power[t];
    row.ownFinancing += parts.financing[t];
    row.ownTaxShield += parts.tax[t];
    row.ownTerminal += parts.terminal[t];
    row.own += own[t];
    row.rent += rent[t];
  }
  if (row) row.rentPrice = row.gpuHours > 0 ? weighted / row.gpuHours : null;
  const weightedAll = hours.reduce((a, h, t) => a + h * rentPrice[t], 0);
  return {
    discountRate: options.discountRate,
    taxRate: tax,
    financing,
    terminal,
    rentPriceSource: source,
    averageRentPrice: totalHours > 0 ? weightedAll / totalHours : null,
    gpuHours: totalHours,
    own: { npv: ownNpv, cashPeak: ownPeak.peak, cashPeakPeriod: label(ownPeak.index) },
    rent: { npv: rentNpv, cashPeak: rentPeak.peak, cashPeakPeriod: label(rentPeak.index) },
    npvAdvantageOfOwning: ownNpv - rentNpv,
    cashPeakDifference: ownPeak.peak - rentPeak.peak,
    breakEvenRentPrice: pvHours > 0 ? (-ownNpv * us) / ((1 - tax) * pvHours) : null,
    years,
    months: hours.map((h, t) => ({ period: c.calendar.labels[t], gpuHours: h, rentPrice: rentPrice[t], own: own[t], rent: rent[t] })),
  };
}
