import { summarize, REPORTED_QUANTILES, type SimulationResult, type Distribution } from "../uncertainty/summary.js";
import type { ColumnStatistics } from "../uncertainty/aggregate.js";
import { formatMonth, serialToMonth } from "../model/months.js";
import type { SystemAggregate } from "./aggregate.js";
import type { SystemSimulationPlan } from "./simulate.js";

const KEYS = ["p5", "p10", "p25", "p50", "p75", "p90", "p95"] as const;

function distribution(c: ColumnStatistics): Distribution {
  const out = { mean: c.count > 0 ? c.mean : null } as Distribution;
  const values = c.count > 0 ? c.quantiles(REPORTED_QUANTILES) : null;
  REPORTED_QUANTILES.forEach((_, i) => (out[KEYS[i]] = values ? values[i] : null));
  return out;
}

export interface SystemSimulationResult {
  system: string;
  file: string;
  scenario: string | null;
  cut: string[];
  paths: number;
  requestedPaths: number;
  partial: boolean;
  seed: number;
  sampling: "monte-carlo" | "latin-hypercube";
  threads: number;
  attribution: boolean;
  /** Basis points added to the shared rates on every path (0: none). */
  rateShockBp: number;
  /** Currency and unit of system totals (losses, revenue lost through links). */
  currency: string;
  unit: string;
  /** Per company: the distribution of its figures as `simulate` gives them, with the links acting. */
  companies: { name: string; horizon: { start: string; end: string }; result: SimulationResult }[];
  /** Every uncertain input sampled, shared ones by name, companies' as COMPANY.INPUT. */
  inputs: { name: string; company: string | null; path: string; distribution: string; p10: number; p50: number; p90: number }[];
  /** Joint odds of running out of cash, by calendar year (P of being out by that year's end). */
  joint: {
    years: number[];
    cashOut: { company: string; byYear: number[]; total: number }[];
    pairs: { companies: [string, string]; byYear: number[]; total: number; conditional: { given: string; probability: number | null }[] }[];
    all: number[];
    any: number[];
  };
  /** Loss to lenders when a company runs out of cash: debt outstanding then × (1 − lenderRecovery), system unit. */
  lenders: { companies: { name: string; lenderRecovery: number; probability: number; loss: Distribution }[]; total: Distribution & { probability: number } };
  /** Per link: how often it acted, what the counterparty stopped paying and the revenue lost, and how much of each company's odds arrive through it. */
  links: {
    name: string;
    company: string;
    counterparty: string;
    acted: number | null;
    paymentsLost: Distribution | null;
    revenueChange: Distribution | null;
    /** Per company the link reaches: odds with and without it (whole horizon and by year end, as joint.years), out only through it, its share of the odds. */
    attribution: { company: string; withLink: number; withoutLink: number; throughLink: number; shareOfOdds: number | null; onlyWithout: number; withLinkByYear: number[]; withoutLinkByYear: number[] }[] | null;
  }[];
  /** Passes the cycles needed, and company projections per path (main resolution and attribution reruns): what a path costs. */
  resolution: { meanIterations: number; maxIterations: number; notConverged: number; projectionsPerPath: number };
  notes: string[];
  warnings: string[];
}

export function summarizeSystem(agg: SystemAggregate, plan: SystemSimulationPlan, meta: { threads: number; requested: number; partial: boolean; warnings: string[] }): SystemSimulationResult {
  const sys = plan.system;
  const n = agg.n;
  const shape = agg.shape;
  const counts = agg.counts;
  const p = (count: number) => (n > 0 ? count / n : 0);
  const label = (serial: number) => formatMonth(serialToMonth(serial));
  const companies = sys.companies.map((c, k) => ({
    name: c.name,
    horizon: { start: label(c.startSerial), end: label(c.startSerial + c.months - 1) },
    result: summarize(agg.companies[k], c.compiled, plan.units[k + 1].spec, { scenario: c.loaded.scenario, seed: plan.seed, lhs: plan.lhs, threads: meta.threads, requested: meta.requested, partial: meta.partial, warnings: [] }),
  }));
  const years = Array.from({ length: shape.yearCount }, (_, y) => shape.firstYear + y);
  const cumulative = (counts: Float64Array) => {
    let s = 0;
    return years.map((_, y) => p((s += counts[y])));
  };
  const outTotal = (row: Float64Array) => p(n - row[shape.yearCount]);
  const cashOut = sys.companies.map((c, k) => ({ company: c.name, byYear: cumulative(counts.cashOutYear[k]), total: outTotal(counts.cashOutYear[k]) }));
  const pairs = shape.pairs.map(([i, j], q) => {
    const both = outTotal(counts.pairYear[q]);
    const a = cashOut[i].total;
    const b = cashOut[j].total;
    return {
      companies: [sys.companies[i].name, sys.companies[j].name] as [string, string],
      byYear: cumulative(counts.pairYear[q]),
      total: both,
      conditional: [
        { given: sys.companies[i].name, probability: a > 0 ? both / a : null },
        { given: sys.companies[j].name, probability: b > 0 ? both / b : null },
      ],
    };
  });
  const lenders = {
    companies: sys.companies.map((c, k) => ({ name: c.name, lenderRecovery: c.lenderRecovery, probability: p(counts.lossPaths[k]), loss: distribution(agg.statistics(shape.lossColumn(k))) })),
    total: { ...distribution(agg.statistics(shape.totalLossColumn)), probability: p(counts.anyLoss) },
  };
  const links = sys.links.map((info, l) => {
    const att = counts.attribution[l];
    const closure = [...plan.closures[l]].sort((a, b) => a - b);
    return {
      name: info.link.name,
      company: sys.companies[info.company].name,
      counterparty: sys.companies[info.source].name,
      acted: plan.attribution ? p(counts.linkActed[l]) : null,
      paymentsLost: plan.attribution ? distribution(agg.statistics(shape.paymentsColumn(l))) : null,
      revenueChange: plan.attribution ? distribution(agg.statistics(shape.revenueColumn(l))) : null,
      attribution: plan.attribution
        ? closure.map((k) => ({
            company: sys.companies[k].name,
            withLink: p(att.withLink[k]),
            withoutLink: p(att.withoutLink[k]),
            throughLink: p(att.onlyWith[k]),
            shareOfOdds: att.withLink[k] > 0 ? att.onlyWith[k] / att.withLink[k] : null,
            onlyWithout: p(att.onlyWithout[k]),
            withLinkByYear: cumulative(counts.cashOutYear[k]),
            withoutLinkByYear: cumulative(att.withoutYear[k]),
          }))
        : null,
    };
  });
  const notes: string[] = [];
  const shortest = sys.companies.filter((c) => c.startSerial + c.months < sys.startSerial + sys.months);
  if (shortest.length) notes.push(`${shortest.map((c) => `${c.name} (to ${label(c.startSerial + c.months - 1)})`).join(", ")} end${shortest.length === 1 ? "s" : ""} before the system's horizon: after ${shortest.length === 1 ? "its" : "their"} last month ${shortest.length === 1 ? "it counts" : "they count"} as not out of cash, and ${shortest.length === 1 ? "its" : "their"} links stop acting`);
  if (plan.attribution && sys.links.length) notes.push("attribution: each path is rerun with one link cut (same random numbers); 'through the link' is the share of paths on which the company runs out with the link and not without it");
  const systemUnit = sys.loaded.system.system.unit;
  return {
    system: sys.loaded.system.system.name,
    file: sys.loaded.file,
    scenario: sys.loaded.scenario,
    cut: sys.loaded.cut,
    paths: n,
    requestedPaths: meta.requested,
    partial: meta.partial,
    seed: plan.seed,
    sampling: plan.lhs ? "latin-hypercube" : "monte-carlo",
    threads: meta.threads,
    attribution: plan.attribution,
    rateShockBp: plan.rateShockBp,
    currency: sys.companies[0].loaded.model.meta.currency,
    unit: systemUnit,
    companies,
    inputs: plan.inputs.map((i) => ({ name: i.name, company: i.unit === 0 ? null : sys.companies[i.unit - 1].name, path: i.input.targets.map((t) => t.path).join(", "), distribution: i.input.distribution.kind, p10: i.input.distribution.quantile(0.1), p50: i.input.distribution.quantile(0.5), p90: i.input.distribution.quantile(0.9) })),
    joint: { years, cashOut, pairs, all: cumulative(counts.allYear), any: cumulative(counts.anyYear) },
    lenders,
    links,
    resolution: { meanIterations: n > 0 ? counts.iterationsTotal / n : 0, maxIterations: counts.iterationsMax, notConverged: counts.notConverged, projectionsPerPath: n > 0 ? counts.evaluations / n : 0 },
    notes,
    warnings: meta.warnings,
  };
}
