import { UNIT_SCALE } from "../model/derived.js";
import { FLAG_INVESTMENT, FLAG_CAPACITY, type SectorYear } from "../gpu/sector.js";
import type { SystemRunResult } from "./run.js";
import type { SystemSimulationResult } from "./summary.js";

/**
 * The sector over a system, by fiscal year (seed 002 ¶2–¶3): capacity being built (GPU-hours
 * the fleets can deliver, and capex) against contracted demand (contract revenue billed,
 * backlog) against the ability of the customers on the other side of the links to pay
 * (their cash against what they owe the suppliers, and their odds of running out); whether
 * investment grows faster than revenue, in growth terms and in levels; and +100 bp for
 * everyone at once (the whole system projected again with every shared rate 1 point higher,
 * links acting, beside the first-order extra interest each company's own sector view gives).
 * Amounts in the system's unit; a year that lies partly outside a company's horizon is
 * marked and its growth compares annualized figures (× 12 / months), as `sector` does.
 */
export interface SystemSectorYear {
  year: string;
  /** Companies whose horizon covers only part of the year, or none of it (growth then compares the companies present in both years). */
  partial: string[];
  /** GPU-hours the fleets can deliver (every company with a fleet), and growth (annualized). */
  capacity: number;
  capacityGrowth: number | null;
  capex: number;
  capexGrowth: number | null;
  revenue: number;
  revenueGrowth: number | null;
  capexToRevenue: number | null;
  /** GPU clouds: contract revenue billed in the year and backlog (contracted, not yet billed) at its end. */
  contractRevenue: number;
  backlog: number;
  backlogGrowth: number | null;
  /** Customers on the other side of counterparty links: what they owe the suppliers in the year, what they pay (links acting), their cash at year end. */
  linkedDue: number | null;
  linkedPaid: number | null;
  customersCash: number | null;
  /** Customers' cash at the end of the year before (negative cash counts as none) ÷ what they owe this year (null when nothing is owed). */
  coverage: number | null;
  flags: string[];
}

export interface SystemSectorCompany {
  name: string;
  role: "gpu cloud" | "customer" | "company";
  years: (Omit<SectorYear, "flags"> & { flags: string[]; capexExceedsRevenue: boolean; pCashOutBy: number | null })[];
}

export interface SystemSectorCustomer {
  name: string;
  years: { year: string; cash: number; freeCashFlow: number; due: number; paid: number; coverage: number | null; pCashOutBy: number | null; pCashOutByAt100bp: number | null }[];
}

export interface SystemSectorRates {
  bp: number;
  from: string | null;
  /** False when the system names no shared rate (sector.rates): only the first-order figure is given. */
  rerun: boolean;
  companies: {
    name: string;
    cashOut: { base: string | null; shocked: string | null };
    minCash: { base: number; shocked: number | null };
    fundingGap: { base: number; shocked: number | null };
    pCashOut: { base: number | null; shocked: number | null };
    /** Extra interest by year: from the whole system at +100 bp, and first-order (each company alone, no knock-on). */
    years: { year: string; extraInterest: number | null; firstOrder: number }[];
  }[];
}

export interface SystemSectorResult {
  system: string;
  scenario: string | null;
  currency: string;
  unit: string;
  years: SystemSectorYear[];
  companies: SystemSectorCompany[];
  customers: SystemSectorCustomer[];
  rates: SystemSectorRates;
  odds: { paths: number; seed: number } | null;
  flags: { company: string; year: string; flag: string; detail: string }[];
  notes: string[];
}

export const FLAG_CAPEX_LEVEL = "capex exceeds revenue";
export const FLAG_COVERAGE = "customers' cash covers less than a year of what they owe";

const growth = (now: number, before: number | undefined) => (before === undefined ? null : before > 0 ? now / before - 1 : now === 0 && before === 0 ? 0 : null);
const ratio = (a: number, b: number) => (b !== 0 && Number.isFinite(a / b) ? a / b : null);
const pct = (v: number | null) => (v === null ? "–" : `${(v * 100).toFixed(1)}%`);

export function systemSector(base: SystemRunResult, shocked: SystemRunResult | null, odds: { base: SystemSimulationResult; shocked: SystemSimulationResult | null } | null, settings: { unit: string; bp: number; from: string | null }): SystemSectorResult {
  const systemScale = UNIT_SCALE[settings.unit as keyof typeof UNIT_SCALE];
  const scaleOf = (unit: string) => UNIT_SCALE[unit as keyof typeof UNIT_SCALE] / systemScale;
  const customers = [...new Set(base.links.filter((l) => l.type === "counterparty").map((l) => l.counterparty))];
  const yearLabels = [...new Set(base.companies.flatMap((c) => c.sector!.years.map((y) => y.year)))].sort();
  const pBy = (sim: SystemSimulationResult | null | undefined, company: string, year: string): number | null => {
    if (!sim) return null;
    const i = sim.joint.years.indexOf(Number(year));
    const row = sim.joint.cashOut.find((c) => c.company === company);
    return i < 0 || !row ? null : row.byYear[i];
  };

  const companies: SystemSectorCompany[] = base.companies.map((c) => ({
    name: c.name,
    role: c.result.gpu && c.result.gpu.contracts.length > 0 ? "gpu cloud" : customers.includes(c.name) ? "customer" : "company",
    years: c.sector!.years.map((y) => {
      const scale = scaleOf(c.result.unit);
      const row = c.result.years.find((r) => String(r.year) === y.year)!;
      const capacity = row.capacity;
      const flags = [...y.flags];
      const capexExceedsRevenue = y.capex > y.revenue && y.capex > 0;
      if (capexExceedsRevenue) flags.push(FLAG_CAPEX_LEVEL);
      return { ...y, revenue: y.revenue * scale, capex: y.capex * scale, ebitda: y.ebitda * scale, debt: y.debt * scale, interest: y.interest * scale, cumulativeBurn: y.cumulativeBurn * scale, rateShock: y.rateShock * scale, backlog: y.backlog === null ? null : y.backlog * scale, capacity, flags, capexExceedsRevenue, pCashOutBy: pBy(odds?.base, c.name, y.year) };
    }),
  }));

  const customerRows: SystemSectorCustomer[] = customers.map((name) => {
    const company = base.companies.find((c) => c.name === name)!;
    const scale = scaleOf(company.result.unit);
    const links = base.links.filter((l) => l.type === "counterparty" && l.counterparty === name);
    let cashBefore: number | null = null;
    return {
      name,
      years: company.result.years.map((row) => {
        const year = String(row.year);
        let due = 0;
        let paid = 0;
        for (const l of links) {
          const unit = scaleOf(l.unit);
          const y = l.years.find((x) => x.period === year);
          if (!y) continue;
          due += (y.payments + y.paymentsLost) * unit;
          paid += y.payments * unit;
        }
        const out = { year, cash: row.endingCash * scale, freeCashFlow: row.freeCashFlow * scale, due, paid, coverage: cashBefore !== null && due > 0 ? Math.max(0, cashBefore) / due : null, pCashOutBy: pBy(odds?.base, name, year), pCashOutByAt100bp: pBy(odds?.shocked, name, year) };
        cashBefore = row.endingCash * scale;
        return out;
      }),
    };
  });

  // Growth compares like with like: the companies present in both years, each year annualized.
  const annualized = new Map<string, Map<string, { capacity: number; capex: number; revenue: number; backlog: number }>>();
  for (const c of companies) annualized.set(c.name, new Map(c.years.map((y) => [y.year, { capacity: ((y.capacity ?? 0) * 12) / y.months, capex: (y.capex * 12) / y.months, revenue: (y.revenue * 12) / y.months, backlog: y.backlog ?? 0 }])));
  const likeForLike = (year: string, before: string | undefined, key: "capacity" | "capex" | "revenue" | "backlog"): number | null => {
    if (before === undefined) return null;
    let now = 0;
    let then = 0;
    let any = false;
    for (const c of companies) {
      const a = annualized.get(c.name)!.get(year);
      const b = annualized.get(c.name)!.get(before);
      if (!a || !b) continue;
      now += a[key];
      then += b[key];
      any = true;
    }
    return any ? growth(now, then) : null;
  };
  const years: SystemSectorYear[] = yearLabels.map((year, index) => {
    const before = index > 0 ? yearLabels[index - 1] : undefined;
    let capacity = 0;
    let capex = 0;
    let revenue = 0;
    let contractRevenue = 0;
    let backlog = 0;
    const partial: string[] = [];
    for (const c of companies) {
      const y = c.years.find((r) => r.year === year);
      if (!y) {
        partial.push(c.name);
        continue;
      }
      if (y.months < 12) partial.push(c.name);
      capacity += y.capacity ?? 0;
      capex += y.capex;
      revenue += y.revenue;
      backlog += y.backlog ?? 0;
      const company = base.companies.find((x) => x.name === c.name)!;
      const g = company.result.gpu?.years.find((r) => r.period === year);
      if (g) contractRevenue += g.contractRevenue * scaleOf(company.result.unit);
    }
    let linkedDue = 0;
    let linkedPaid = 0;
    let customersCash = 0;
    let cashBefore = 0;
    let anyBefore = false;
    let anyCustomer = false;
    for (const cu of customerRows) {
      const y = cu.years.find((r) => r.year === year);
      if (!y) continue;
      anyCustomer = true;
      linkedDue += y.due;
      linkedPaid += y.paid;
      customersCash += y.cash;
      const i = cu.years.indexOf(y);
      if (i > 0) {
        cashBefore += Math.max(0, cu.years[i - 1].cash);
        anyBefore = true;
      }
    }
    const row: SystemSectorYear = {
      year,
      partial,
      capacity,
      capacityGrowth: likeForLike(year, before, "capacity"),
      capex,
      capexGrowth: likeForLike(year, before, "capex"),
      revenue,
      revenueGrowth: likeForLike(year, before, "revenue"),
      capexToRevenue: ratio(capex, revenue),
      contractRevenue,
      backlog,
      backlogGrowth: likeForLike(year, before, "backlog"),
      linkedDue: anyCustomer ? linkedDue : null,
      linkedPaid: anyCustomer ? linkedPaid : null,
      customersCash: anyCustomer ? customersCash : null,
      coverage: anyBefore && linkedDue > 0 ? cashBefore / linkedDue : null,
      flags: [],
    };
    if (row.capexGrowth !== null && row.revenueGrowth !== null && row.capexGrowth > 0 && row.capexGrowth > row.revenueGrowth + 1e-9) row.flags.push(FLAG_INVESTMENT);
    if (capex > revenue && capex > 0) row.flags.push(FLAG_CAPEX_LEVEL);
    if (row.capacityGrowth !== null && row.backlogGrowth !== null && row.capacityGrowth > 0 && row.capacityGrowth > row.backlogGrowth + 1e-9) row.flags.push(FLAG_CAPACITY);
    if (row.coverage !== null && row.coverage < 1) row.flags.push(FLAG_COVERAGE);
    return row;
  });

  const rates: SystemSectorRates = {
    bp: settings.bp,
    from: settings.from,
    rerun: shocked !== null,
    companies: base.companies.map((c) => {
      const s = shocked?.companies.find((x) => x.name === c.name);
      const scale = scaleOf(c.result.unit);
      return {
        name: c.name,
        cashOut: { base: c.result.metrics.cashOut, shocked: s ? s.result.metrics.cashOut : null },
        minCash: { base: c.result.metrics.minCash * scale, shocked: s ? s.result.metrics.minCash * scale : null },
        fundingGap: { base: c.result.metrics.fundingGap * scale, shocked: s ? s.result.metrics.fundingGap * scale : null },
        pCashOut: { base: odds ? (odds.base.joint.cashOut.find((x) => x.company === c.name)?.total ?? null) : null, shocked: odds?.shocked ? (odds.shocked.joint.cashOut.find((x) => x.company === c.name)?.total ?? null) : null },
        years: c.sector!.years.map((y) => {
          const bRow = c.result.years.find((r) => String(r.year) === y.year)!;
          const sRow = s?.result.years.find((r) => String(r.year) === y.year);
          return { year: y.year, extraInterest: sRow ? (sRow.interestExpense - bRow.interestExpense) * scale : null, firstOrder: y.rateShock * scale };
        }),
      };
    }),
  };

  const flags: SystemSectorResult["flags"] = [];
  for (const c of companies) {
    for (const y of c.years) {
      for (const flag of y.flags) {
        const detail = flag === FLAG_INVESTMENT ? `capex ${pct(y.capexGrowth)} vs revenue ${pct(y.revenueGrowth)}` : flag === FLAG_CAPACITY ? `capacity ${pct(y.capacityGrowth)} vs backlog ${pct(y.backlogGrowth)}` : `capex ${y.capex.toFixed(0)} vs revenue ${y.revenue.toFixed(0)}`;
        flags.push({ company: c.name, year: y.year, flag, detail });
      }
    }
  }
  for (const y of years) {
    for (const flag of y.flags) {
      const detail = flag === FLAG_INVESTMENT ? `capex ${pct(y.capexGrowth)} vs revenue ${pct(y.revenueGrowth)}` : flag === FLAG_CAPACITY ? `capacity ${pct(y.capacityGrowth)} vs backlog ${pct(y.backlogGrowth)}` : flag === FLAG_COVERAGE ? `cash ${pct(y.coverage)} of what is owed` : `capex ${y.capex.toFixed(0)} vs revenue ${y.revenue.toFixed(0)}`;
      flags.push({ company: "sector", year: y.year, flag, detail });
    }
  }
  const notes: string[] = [];
  if (!shocked) notes.push("the system names no shared interest rate (sector.rates), so +100 bp is given only first-order: each company's extra interest with no knock-on effects");
  else notes.push(`+${settings.bp} bp: every shared rate (sector.rates) 1 point higher from ${settings.from ?? "the first month"}, the whole system projected again with its links; fixed-rate debt keeps its rate in that rerun, while the first-order figure also reprices fixed-rate money borrowed within the horizon`);
  if (years.some((y) => y.partial.length)) notes.push("a year marked * lies partly or wholly outside some company's horizon: sector growth compares the companies present in both years, each annualized");
  return { system: base.system, scenario: base.scenario, currency: base.companies[0].result.currency, unit: settings.unit, years, companies, customers: customerRows, rates, odds: odds ? { paths: odds.base.paths, seed: odds.base.seed } : null, flags, notes };
}
