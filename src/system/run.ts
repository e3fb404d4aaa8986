import { evaluate } from "../engine/project.js";
import { buildResult } from "../engine/result.js";
import { computeMetrics, metricVector, METRIC_INDEX } from "../engine/metrics.js";
import { gpuReport, sectorModel, type GpuReport, type SectorModel } from "../gpu/index.js";
import { formatMonth, serialToMonth, periodLabel } from "../model/months.js";
import { formatIssue } from "../model/issues.js";
import type { RunResult } from "../engine/result.js";
import type { LoadedSystem } from "./load.js";
import { compileSystem, downstream, type CompiledSystem } from "./compile.js";
import { createRuntime, resolve, writeSharedSeries, cutClosure, type SystemRuntime, type Resolution } from "./resolve.js";

export type CompanyRunResult = RunResult & { gpu?: GpuReport };

export interface LinkPeriodEffect {
  period: string;
  /** What the counterparty pays with the link acting (company's unit); payments + paymentsLost is what it owes. */
  payments: number;
  /** What the counterparty no longer pays (without the link − with it), the company's unit; positive = lost. */
  paymentsLost: number;
  /** Change in the company's revenue (with − without), negative = lost; net of capacity resold on spot. */
  revenueChange: number;
  /** Change in ending cash (with − without), at the period's end. */
  cashChange: number;
}

export interface LinkEffect {
  name: string;
  type: "counterparty" | "investment";
  company: string;
  counterparty: string;
  onCashOut: string;
  share: number | null;
  trigger: "cashOut" | "cashFloor";
  /** The month the counterparty ran out of cash (or below its floor), null when not within its horizon. */
  counterpartyOut: string | null;
  /** First month the link changes the company's figures; null when it never acts. */
  effectiveFrom: string | null;
  unit: string;
  totals: { paymentsLost: number; revenueChange: number; cashChange: number; fundingGapChange: number };
  /** The company's cash-out with the link and if the link were cut. */
  cashOut: { withLink: string | null; withoutLink: string | null };
  /** Other companies the link reaches through further links. */
  knockOn: { company: string; cashOutWithLink: string | null; cashOutWithoutLink: string | null; fundingGapChange: number }[];
  months: LinkPeriodEffect[];
  years: LinkPeriodEffect[];
}

export interface SystemRunResult {
  system: string;
  file: string;
  scenario: string | null;
  cut: string[];
  /** Months the system spans (the union of the companies' horizons). */
  horizon: { start: string; end: string };
  companies: { name: string; model: string; file: string; scenario: string | null; sharedDrivers: { driver: string; as: string }[]; result: CompanyRunResult; sector?: SectorModel }[];
  links: LinkEffect[];
  resolution: { order: string[][]; evaluations: number; iterations: number; converged: boolean; cycles: { companies: string[]; iterations: number; converged: boolean }[] };
  warnings: string[];
}

export function monthOfSerial(serial: number): string | null {
  return Number.isFinite(serial) ? formatMonth(serialToMonth(serial)) : null;
}

/** Evaluates the shared drivers and writes them into every company's params. */
export function prepareShared(rt: SystemRuntime, shift: ((driver: number, serial: number) => number) | null = null): void {
  const sys = rt.system;
  evaluate(sys.shared, sys.shared.baseParams);
  writeSharedSeries(rt, shift);
}

/**
 * Projects the system once: every company's statements and metrics as `run` gives them,
 * with the links acting, and each link's effect by month (the affected company with and
 * without the link, everything else equal).
 */
export function runSystem(loaded: LoadedSystem, compiled: CompiledSystem = compileSystem(loaded), options: { shift?: ((driver: number, serial: number) => number) | null; sector?: boolean } = {}): SystemRunResult {
  const rt = createRuntime(compiled);
  prepareShared(rt, options.shift ?? null);
  const resolution = resolve(rt);
  const companies = compiled.companies.map((company) => {
    const proj = rt.projections[company.index]!;
    const result: CompanyRunResult = buildResult(company.loaded, proj);
    const gpu = gpuReport(proj);
    if (gpu) result.gpu = gpu;
    const entry: SystemRunResult["companies"][number] = { name: company.name, model: company.loaded.model.meta.company, file: company.company.file, scenario: company.loaded.scenario, sharedDrivers: company.company.shared, result };
    if (options.sector) entry.sector = sectorModel(proj, company.loaded.scenario);
    return entry;
  });
  const links = linkEffects(rt);
  return {
    system: loaded.system.system.name,
    file: loaded.file,
    scenario: loaded.scenario,
    cut: loaded.cut,
    horizon: { start: monthOfSerial(compiled.startSerial)!, end: monthOfSerial(compiled.startSerial + compiled.months - 1)! },
    companies,
    links,
    resolution: describeResolution(compiled, resolution),
    warnings: loaded.warnings.map(formatIssue),
  };
}

export function describeResolution(sys: CompiledSystem, r: Resolution): SystemRunResult["resolution"] {
  const names = (ks: number[]) => ks.map((k) => sys.companies[k].name);
  return { order: sys.order.map((g) => names(g.companies)), evaluations: r.evaluations, iterations: r.iterations, converged: r.converged, cycles: r.cycles.map((c) => ({ companies: names(c.companies), iterations: c.iterations, converged: c.converged })) };
}

/** Series of the affected company kept from the run with every link, to compare with a cut. */
interface Kept {
  revenue: Float64Array;
  cash: Float64Array;
  payments: Float64Array;
  cashOut: Float64Array;
}

function paymentsOf(rt: SystemRuntime, l: number, out: Float64Array): Float64Array {
  const info = rt.system.links[l];
  const proj = rt.projections[info.company]!;
  out.fill(0);
  if (info.link.spec.type === "investment") out.set(proj.items.equityRaised);
  else for (const i of info.paymentLines) {
    const v = proj.lineValues[i];
    for (let t = 0; t < out.length; t++) out[t] += v[t];
  }
  return out;
}

function fundingGaps(rt: SystemRuntime): number[] {
  const m = metricVector();
  return rt.system.companies.map((c) => computeMetrics(rt.projections[c.index]!, m, c.compiled.params[c.cashFloorSlot])[METRIC_INDEX.fundingGap]);
}

/** Each link's effect: the system again with that link cut, only for the companies it reaches. */
function linkEffects(rt: SystemRuntime): LinkEffect[] {
  const sys = rt.system;
  const kept: Kept[] = sys.links.map((info, l) => {
    const proj = rt.projections[info.company]!;
    return {
      revenue: Float64Array.from(proj.items.revenue),
      cash: Float64Array.from(proj.items.endingCash),
      payments: paymentsOf(rt, l, new Float64Array(proj.items.revenue.length)),
      cashOut: Float64Array.from(rt.state.cashOut),
    };
  });
  const mainGaps = fundingGaps(rt);
  const mainState = { cashOut: Float64Array.from(rt.state.cashOut), floorOut: Float64Array.from(rt.state.floorOut) };
  const effects: LinkEffect[] = [];
  sys.links.forEach((info, l) => {
    const company = sys.companies[info.company];
    const spec = info.link.spec;
    const triggerMonth = (info.trigger === "cashFloor" ? mainState.floorOut : mainState.cashOut)[info.source];
    const closure = cutClosure(sys, l, (k) => downstream(sys, k));
    rt.state.disabled[l] = 1;
    resolve(rt, closure);
    const proj = rt.projections[info.company]!;
    const payments = paymentsOf(rt, l, new Float64Array(company.months));
    const k = kept[l];
    const cutGaps = fundingGaps(rt);
    const H = company.months;
    const months: LinkPeriodEffect[] = [];
    for (let t = 0; t < H; t++) months.push({ period: company.compiled.calendar.labels[t], payments: k.payments[t], paymentsLost: payments[t] - k.payments[t], revenueChange: k.revenue[t] - proj.items.revenue[t], cashChange: k.cash[t] - proj.items.endingCash[t] });
    const years: LinkPeriodEffect[] = [];
    const cal = company.compiled.calendar;
    for (let t = 0; t < H; t++) {
      const label = periodLabel(cal, t, "year");
      let row = years[years.length - 1];
      if (!row || row.period !== label) years.push((row = { period: label, payments: 0, paymentsLost: 0, revenueChange: 0, cashChange: 0 }));
      row.payments += months[t].payments;
      row.paymentsLost += months[t].paymentsLost;
      row.revenueChange += months[t].revenueChange;
      row.cashChange = months[t].cashChange;
    }
    const effective = triggerMonth + 1 + info.lag;
    effects.push({
      name: info.link.name,
      type: spec.type,
      company: company.name,
      counterparty: sys.companies[info.source].name,
      onCashOut: spec.onCashOut,
      share: spec.share ?? null,
      trigger: info.trigger,
      counterpartyOut: monthOfSerial(triggerMonth),
      effectiveFrom: Number.isFinite(triggerMonth) && effective <= company.startSerial + H - 1 ? monthOfSerial(Math.max(effective, company.startSerial)) : null,
      unit: company.loaded.model.meta.unit,
      totals: {
        paymentsLost: months.reduce((s, m) => s + m.paymentsLost, 0),
        revenueChange: months.reduce((s, m) => s + m.revenueChange, 0),
        cashChange: months[H - 1].cashChange,
        fundingGapChange: mainGaps[info.company] - cutGaps[info.company],
      },
      cashOut: { withLink: monthOfSerial(k.cashOut[info.company]), withoutLink: monthOfSerial(rt.state.cashOut[info.company]) },
      knockOn: [...closure]
        .filter((j) => j !== info.company)
        .sort((a, b) => a - b)
        .map((j) => ({ company: sys.companies[j].name, cashOutWithLink: monthOfSerial(mainState.cashOut[j]), cashOutWithoutLink: monthOfSerial(rt.state.cashOut[j]), fundingGapChange: mainGaps[j] - cutGaps[j] })),
      months,
      years,
    });
    // Back to the run with every link for the next cut.
    rt.state.disabled[l] = 0;
    rt.state.cashOut.set(mainState.cashOut);
    rt.state.floorOut.set(mainState.floorOut);
  });
  // The workspaces now hold the last cut; the caller has already read the full run's results.
  return effects;
}
