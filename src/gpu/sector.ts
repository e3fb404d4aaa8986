import type { Projection } from "../engine/project.js";
import { periodLabel } from "../model/months.js";
import { gpuData } from "./compile.js";

/**
 * Sector view of one company model by fiscal year — the questions of seed 002 ¶2–¶3:
 * is investment growing faster than revenue, capacity faster than contracted demand,
 * and how exposed is the company to rates?
 *
 * - capexToRevenue: capex / revenue of the year.
 * - capacity: GPU-hours available (GPU models only); backlog: remaining contracted
 *   value at year end (models with contracts only). Growth rates compare annualized
 *   figures (× 12 / months in the year), so a partial first or last year does not
 *   count as a fall or a jump; backlog growth compares year ends.
 * - debtToEbitda: year-end debt / annualized EBITDA (null when EBITDA ≤ 0).
 * - interestToRevenue: interest expense / revenue.
 * - cumulativeBurn: sum of negative monthly free cash flow from the start to year end
 *   (as `run`'s metric).
 * - rateShock: extra interest in the year if rates were 100 bp higher from the start:
 *   on floating tranches, +1% on the base (respecting floors) × the opening balance of
 *   each month; on fixed tranches, +1% on the part of the balance borrowed within the
 *   horizon (new draws would price at the higher rate; debt outstanding at the start is
 *   locked, and repayments retire it first). Second-round effects (more interest →
 *   less cash) are ignored.
 * Flags: "investment outgrows revenue" when capex grows (> 0) and faster than revenue;
 * "capacity outgrows contracted demand" when capacity grows (> 0) and faster than
 * backlog. A year without a growth rate (no prior year, or growth from nothing) is
 * not flagged.
 */
export interface SectorYear {
  year: string;
  months: number;
  revenue: number;
  capex: number;
  capexToRevenue: number | null;
  revenueGrowth: number | null;
  capexGrowth: number | null;
  capacity: number | null;
  capacityGrowth: number | null;
  backlog: number | null;
  backlogGrowth: number | null;
  ebitda: number;
  debt: number;
  debtToEbitda: number | null;
  interest: number;
  interestToRevenue: number | null;
  cumulativeBurn: number;
  rateShock: number;
  flags: string[];
}

export interface SectorModel {
  company: string;
  scenario: string | null;
  currency: string;
  unit: string;
  hasGpu: boolean;
  years: SectorYear[];
}

export const FLAG_INVESTMENT = "investment outgrows revenue";
export const FLAG_CAPACITY = "capacity outgrows contracted demand";

const ratio = (a: number, b: number) => (b !== 0 && Number.isFinite(a / b) ? a / b : null);
/** Growth rate; 0 from nothing to nothing, null from nothing to something (no rate). */
const growth = (now: number, before: number) => (before > 0 ? now / before - 1 : now === 0 && before === 0 ? 0 : null);

/** Extra interest per month from +100 bp (see the definition above). */
export function rateShockByMonth(proj: Projection, bp = 100): Float64Array {
  const c = proj.compiled;
  const H = c.months;
  const p = c.params;
  const shift = bp / 10000;
  const out = new Float64Array(H);
  c.tranches.forEach((tr, k) => {
    const series = proj.tranches[k];
    let open = tr.openingBalance;
    let repaid = 0;
    for (let t = 0; t < H; t++) {
      if (tr.fixed) {
        const oldLeft = Math.max(0, tr.openingBalance - repaid);
        out[t] += (Math.max(0, open - oldLeft) * shift) / 12;
      } else {
        const base = tr.base![t];
        const floor = p[tr.slots.floor];
        out[t] += (open * (Math.max(base + shift, floor) - Math.max(base, floor))) / 12;
      }
      repaid += series.principal[t];
      open = series.balance[t];
    }
  });
  return out;
}

export function sectorModel(proj: Projection, scenario: string | null = null): SectorModel {
  const c = proj.compiled;
  const it = proj.items;
  const g = gpuData(c);
  const hasGpu = g !== null && c.cohorts.length > 0;
  const hasContracts = g !== null && g.contracts.length > 0;
  const shock = rateShockByMonth(proj);
  const years: SectorYear[] = [];
  let burn = 0;
  let from = 0;
  let previous: { revenue: number; capex: number; capacity: number; backlog: number | null } | null = null;
  for (let t = 0; t < c.months; t++) {
    const fcf = it.freeCashFlow[t];
    if (fcf < 0) burn -= fcf;
    const yearEnd = t === c.months - 1 || c.calendar.fiscalYear[t + 1] !== c.calendar.fiscalYear[t];
    if (!yearEnd) continue;
    const n = t - from + 1;
    let revenue = 0;
    let capex = 0;
    let ebitda = 0;
    let interest = 0;
    let capacity = 0;
    let rate = 0;
    for (let m = from; m <= t; m++) {
      revenue += it.revenue[m];
      capex += it.capex[m];
      ebitda += it.ebitda[m];
      interest += it.interestExpense[m];
      rate += shock[m];
      if (hasGpu) capacity += g!.series.available[m];
    }
    const annual = 12 / n;
    const backlog = hasContracts ? g!.series.backlog[t] : null;
    const row: SectorYear = {
      year: periodLabel(c.calendar, t, "year"),
      months: n,
      revenue,
      capex,
      capexToRevenue: ratio(capex, revenue),
      revenueGrowth: previous ? growth(revenue * annual, previous.revenue) : null,
      capexGrowth: previous ? growth(capex * annual, previous.capex) : null,
      capacity: hasGpu ? capacity : null,
      capacityGrowth: hasGpu && previous ? growth(capacity * annual, previous.capacity) : null,
      backlog,
      backlogGrowth: backlog !== null && previous && previous.backlog !== null ? growth(backlog, previous.backlog) : null,
      ebitda,
      debt: it.debt[t],
      debtToEbitda: ebitda > 0 ? it.debt[t] / (ebitda * annual) : null,
      interest,
      interestToRevenue: ratio(interest, revenue),
      cumulativeBurn: burn,
      rateShock: rate,
      flags: [],
    };
    if (row.capexGrowth !== null && row.revenueGrowth !== null && row.capexGrowth > 0 && row.capexGrowth > row.revenueGrowth + 1e-9) row.flags.push(FLAG_INVESTMENT);
    if (row.capacityGrowth !== null && row.backlogGrowth !== null && row.capacityGrowth > 0 && row.capacityGrowth > row.backlogGrowth + 1e-9) row.flags.push(FLAG_CAPACITY);
    years.push(row);
    previous = { revenue: revenue * annual, capex: capex * annual, capacity: capacity * annual, backlog };
    from = t + 1;
  }
  return { company: c.model.meta.company, scenario, currency: c.model.meta.currency, unit: c.model.meta.unit, hasGpu, years };
}
