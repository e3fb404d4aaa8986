import { finalMaturity, type Model } from "../model/schema.js";
import { makeCalendar, parseMonth, monthSerial, type Calendar } from "../model/months.js";
import { parseFormula, isFormulaError, parseFleetSeriesKey, type ParsedFormula } from "../model/formula.js";
import { compileKernels, compileLineSums, type KernelEnv, type KernelStep, type Operand, type FormulaTarget, type LineSumLine, type LineSumOutputs } from "../model/formulaKernel.js";
import { horizonOf } from "../model/horizon.js";
import { UNIT_SCALE, cohortNetBookValueAtStart } from "../model/derived.js";
import { ParamTable } from "./params.js";
import { ENGINE_EXTENSIONS, type EngineStage } from "./extensions.js";
import { fleetSeriesFill, type FleetSchedule } from "./fleet.js";

/** A series computed in the driver stage: a named driver or an anonymous line / price. */
interface SeriesNode {
  name: string;
  out: Float64Array;
  /** Formulas: the checked syntax tree, compiled to generated loops (formulaKernel.ts). */
  parsed?: ParsedFormula;
  /** Other series: fills every month at once, reading these params. */
  fill?: () => void;
  slots: number[];
  /** A driver that is one number (a constant): formulas read its param directly. */
  paramSlot?: number;
  deps: Set<string>;
  lagged: Set<string>;
}

/**
 * One unit of driver-stage work. `inputs` are the series it reads, `outputs` what it
 * writes, `slots` the params it reads directly: enough for a simulation to run only
 * the steps that depend on what it varies. Formula steps can be compiled again for a
 * simulation (`rebuild`), with the series it does not vary treated as fixed, so that
 * their parts are computed once instead of on every path.
 */
export interface DriverStep {
  run: () => void;
  inputs: Float64Array[];
  outputs: Float64Array[];
  slots: number[];
  /** Steps compiled from one group of formulas share a number (rebuilt together). */
  component?: number;
  /** Formula steps: the component compiled again for a simulation (set on its last step). */
  rebuild?: (classify: SeriesClassifier) => DriverStep[];
  /** A constant driver's fill: formulas read its param, not this series. */
  paramSlot?: number;
}

/**
 * How a simulation sees a driver read by a formula: "varies" (its series changes from
 * path to path), "param" (a sampled constant: read its param) or "fixed" (the same on
 * every path: parts of formulas reading only fixed things are computed once).
 */
export type SeriesClassifier = (series: Float64Array, paramSlot: number | undefined) => "varies" | "param" | "fixed";

export interface CompiledLine {
  name: string;
  type: Model["lines"][string]["type"];
  category: string;
  /** Index into `categories` (operating expenses), else -1. */
  categoryIndex: number;
  series: Float64Array;
  /** Filled by an extension stage (not by a formula); see extensions.ts. */
  computed: boolean;
  fromIndex: number;
  untilIndex: number;
  lifeMonths: number;
  /** Settled in shares, not cash (stock-based compensation). */
  nonCash: boolean;
  /**
   * Monthly multiplier a caller may attach after compiling (null: none). A system of linked
   * companies sets it on a line paid by another company, e.g. to stop the payments after
   * that company runs out of cash; evaluation multiplies the line's values by it.
   */
  scale: Float64Array | null;
  /**
   * Capex lines of assets built before use (a site): month index from which the spend is
   * depreciated, written by a stage each evaluation (spend before it waits; spend after it
   * depreciates from its own month). Null: from the month of spend.
   */
  placedFrom: Float64Array | null;
}

/**
 * An asset under construction whose interest may be capitalised until it is placed in
 * service (registered by an extension: GPU sites). `live[0]` is the month it goes into
 * service, written by the extension's stage each evaluation.
 */
export interface CompiledConstruction {
  name: string;
  spend: Float64Array;
  lifeMonths: number;
  /** The tranche that funds it (its rate applies first), or -1. */
  tranche: number;
  live: Float64Array;
}

export interface CompiledCohort {
  name: string;
  slots: { count: number; unitCost: number; purchase: number; inService: number; lifeMonths: number; serviceLife: number; salvage: number; proceeds: number; capacity: number; powerKw: number; pue: number };
  powerPrice: Float64Array;
  preStart: boolean;
}

export interface CompiledTranche {
  name: string;
  /** The opening balance as written in the file; evaluations read `slots.openingBalance`. */
  openingBalance: number;
  draws: { month: number; amount: number }[];
  repayments: { month: number; amount: number; refinancing: boolean }[];
  fixed: boolean;
  slots: { openingBalance: number; rate: number; spread: number; floor: number; interestOnly: number; maturity: number; fee: number };
  base: Float64Array | null;
  amortization: "bullet" | "straightLine" | "annuity" | "schedule";
  /** Maturities before the final one: month slot and a share slot or an amount slot (-1 when absent). */
  partialMaturities: { month: number; share: number; amount: number; refinancing: boolean }[];
  /** The final maturity is paid from new money (not debt service). */
  finalRefinancing: boolean;
  /** Upfront fees charged to interest at the draw instead of amortized. */
  expenseFees: boolean;
}

/**
 * A revolving credit facility: draws to keep cash at the floor, repays from cash above
 * it (see the month order in statements.ts).
 */
export interface CompiledRevolver {
  /** Commitment by month (a number or a formula over drivers: a borrowing base). */
  limit: Float64Array;
  fixed: boolean;
  base: Float64Array | null;
  slots: { openingBalance: number; rate: number; spread: number; floor: number; commitmentFee: number; from: number; maturity: number };
}

/** Param slots of the opening balance sheet (retained earnings is the plug: see statements.ts). */
export interface OpeningSlots {
  cash: number;
  receivables: number;
  ppeNet: number;
  ppeLife: number;
  payables: number;
  paidInCapital: number;
}

export interface CompiledRound {
  name: string;
  slots: { month: number; amount: number; preMoney: number };
}

export interface CompiledOneOff {
  name: string;
  lands: Model["oneOffs"][string]["lands"];
  category: string;
  categoryIndex: number;
  slots: { month: number; amount: number };
  lifeMonths: number;
}

export interface CompiledCovenant {
  name: string;
  metric: Model["financing"]["covenants"][string]["metric"];
  bound: "min" | "max";
  limitSlot: number;
  ltm: boolean;
  quarterly: boolean;
  fromIndex: number;
}

/**
 * A model turned into arrays and closures once, so that it can be evaluated many
 * times (scenarios, Monte Carlo paths, solver trials) by changing `params` only.
 */
export interface CompiledModel {
  model: Model;
  calendar: Calendar;
  months: number;
  unitScale: number;
  table: ParamTable;
  /** Base values of every input; evaluation reads `params` (a working copy). */
  baseParams: Float64Array;
  params: Float64Array;
  driverNames: string[];
  driverSeries: Map<string, Float64Array>;
  /** Driver-stage steps: whole-series fills, and month-by-month groups for prev() recursions. */
  order: DriverStep[];
  /**
   * Counts the evaluations that ran driver steps, the only writers of the driver series:
   * while it is unchanged, so are they (the debt schedule skips comparing its base rates).
   */
  driverStepsRun: number;
  /**
   * Series read after the driver stage (lines, prices, rate bases, what extensions
   * asked for): a simulation needs a driver step only if it leads to one of these.
   */
  externalSeries: Set<Float64Array>;
  /**
   * For a simulation: every line summed by kind in one generated loop, each line computed
   * in place (lines for which `varies` is false are read from their series as they are).
   */
  compileLineSums(classify: SeriesClassifier, varies: (series: Float64Array) => boolean, out: LineSumOutputs, lineValues: Float64Array[], cumulative: Float64Array[]): KernelStep;
  lines: CompiledLine[];
  categories: string[];
  cohorts: CompiledCohort[];
  tranches: CompiledTranche[];
  rounds: CompiledRound[];
  oneOffs: CompiledOneOff[];
  covenants: CompiledCovenant[];
  revolver: CompiledRevolver | null;
  /** Annual rates earned on positive cash and charged on negative cash, by month (null: none). */
  cashRates: { income: Float64Array | null; overdraft: Float64Array | null };
  /** Assets under construction registered by extensions (GPU sites). */
  constructions: CompiledConstruction[];
  /** Which assets capitalise interest before they are in service. */
  capitalizeInterest: { sites: boolean; fleet: boolean };
  /** Extension stages run each evaluation (GPU sites and contracts, …). */
  stages: EngineStage[];
  /** Names of the extensions that compiled a stage (a worker thread must load them too). */
  extensionsUsed: string[];
  /** Per cohort, the earliest month it may run (a site's go-live); -Infinity when free. */
  cohortEarliestService: Float64Array;
  /** Results extensions compute at compile time and keep (detail series, names). */
  extensionData: Record<string, unknown>;
  slots: { taxRate: number; lossOffsetLimit: number; lossCarryforward: number; receivableDays: number; payableDays: number; cashFloor: number };
  /** Opening balances are params (scenarios, solve and Monte Carlo may vary them). */
  openingSlots: OpeningSlots;
  /**
   * The opening balance sheet as written in the file. An evaluation may differ (its
   * params can move opening balances): read `Projection.opening` for the one evaluated.
   */
  opening: { cash: number; receivables: number; ppeNet: number; ppeLife: number; payables: number; paidInCapital: number; retainedEarnings: number; fleetNbv: number; debt: number };
}

export function compileModel(model: Model, extensions: Record<string, unknown> = {}): CompiledModel {
  const h = horizonOf(model);
  const calendar = makeCalendar(parseMonth(model.meta.start)!, h.length, model.meta.fiscalYearStart);
  // One choice of hours per month for the whole model: capacity, power, billing, `hours`.
  if (model.meta.hoursPerMonth === 730) calendar.hours.fill(730);
  const H = h.length;
  const table = new ParamTable();
  const unitScale = UNIT_SCALE[model.meta.unit];
  const monthIndex = (m: string) => monthSerial(parseMonth(m)!) - h.start;
  const monthParam = (path: string, m: string) => table.add(path, monthIndex(m), "month");

  const driverNames = Object.keys(model.drivers);
  const series = new Map<string, Float64Array>();
  for (const name of driverNames) series.set(name, new Float64Array(H));
  // Every closure reads inputs from one buffer, allocated once the table is complete;
  // evaluate() copies a caller's params into it.
  let P = new Float64Array(0);
  const p = () => P;

  const nodes: SeriesNode[] = [];
  const out = (name: string) => series.get(name)!;
  const fillNode = (name: string, target: Float64Array, fill: () => void, slots: number[]): SeriesNode => ({ name, out: target, fill, slots, deps: new Set(), lagged: new Set() });
  const formulaNode = (name: string, text: string, target: Float64Array): SeriesNode => {
    const parsed = parseFormula(text, (n) => series.has(n));
    if (isFormulaError(parsed)) throw new Error(`internal: formula checked at load failed to compile: ${parsed.message}`);
    return { name, out: target, parsed, slots: [], deps: parsed.sameMonth, lagged: parsed.lagged };
  };
  const constantNode = (name: string, target: Float64Array, slot: number): SeriesNode => ({ ...fillNode(name, target, () => target.fill(P[slot]), [slot]), paramSlot: slot });
  for (const name of driverNames) {
    const d = model.drivers[name];
    const base = `drivers.${name}`;
    if (typeof d === "number") {
      nodes.push(constantNode(name, out(name), table.add(base, d)));
    } else if (typeof d === "string") {
      nodes.push(formulaNode(name, d, out(name)));
    } else if ("constant" in d) {
      nodes.push(constantNode(name, out(name), table.add(`${base}.constant`, d.constant)));
    } else if ("formula" in d) {
      nodes.push(formulaNode(name, d.formula, out(name)));
    } else if ("month" in d) {
      // A month held as a month index (months from the start, as t counts); a param of kind month.
      nodes.push(constantNode(name, out(name), monthParam(`${base}.month`, d.month)));
    } else if ("yearly" in d && d.fill === "smooth") {
      const before = table.paths.length;
      const target = out(name);
      const fill = smoothYearlyFill(d, base, table, calendar, p, target);
      nodes.push(fillNode(name, target, fill, range(before, table.paths.length)));
    } else if ("yearly" in d) {
      const before = table.paths.length;
      const target = out(name);
      nodes.push(fillNode(name, target, yearlyFill(d, base, table, calendar, p, target), range(before, table.paths.length)));
    } else if ("monthly" in d) {
      const from = d.from ? monthIndex(d.from) : 0;
      const first = table.add(`${base}.monthly.0`, d.monthly[0]);
      for (let i = 1; i < d.monthly.length; i++) table.add(`${base}.monthly.${i}`, d.monthly[i]);
      const n = d.monthly.length;
      const hold = d.after === "hold";
      const target = out(name);
      const fill = () => {
        for (let t = 0; t < H; t++) {
          const i = t - from;
          target[t] = i < n ? P[first + i] : hold ? P[first + n - 1] : 0;
        }
      };
      nodes.push(fillNode(name, target, fill, range(first, first + n)));
    } else {
      const g = d.growth;
      const startSlot = table.add(`${base}.growth.start`, g.start);
      const monthly = g.monthlyRate !== undefined;
      const rateSlot = table.add(monthly ? `${base}.growth.monthlyRate` : `${base}.growth.annualRate`, (monthly ? g.monthlyRate : g.annualRate) ?? 0);
      const from = g.from ? monthIndex(g.from) : 0;
      const per = monthly ? 1 : 12;
      const target = out(name);
      // Compound growth as a multiplicative recurrence: one power per evaluation, not per month.
      const fill = () => {
        const start = P[startSlot];
        const factor = Math.pow(1 + P[rateSlot], 1 / per);
        let v = start;
        for (let t = 0; t < H; t++) {
          if (t > from) v *= factor;
          target[t] = v;
        }
      };
      nodes.push(fillNode(name, target, fill, [startSlot, rateSlot]));
    }
  }

  // Lines and cohort prices are series too, evaluated after the drivers they read.
  const external = new Set<Float64Array>();
  const valueSeries = (label: string, path: string, value: number | string): Float64Array => {
    const arr = new Float64Array(H);
    external.add(arr);
    nodes.push(typeof value === "number" ? constantNode(label, arr, table.add(path, value)) : formulaNode(label, value, arr));
    return arr;
  };
  const categories: string[] = [];
  const lines: CompiledLine[] = Object.entries(model.lines).map(([name, line]) => {
    const category = line.type === "operatingExpense" ? (line.category ?? "Other") : "";
    if (category && !categories.includes(category)) categories.push(category);
    return {
      name,
      type: line.type,
      category,
      categoryIndex: categories.indexOf(category),
      series: valueSeries(`line:${name}`, `lines.${name}.value`, line.value),
      computed: false,
      fromIndex: line.from ? monthIndex(line.from) : 0,
      untilIndex: line.until ? monthIndex(line.until) : H - 1,
      lifeMonths: line.lifeMonths ?? 60,
      nonCash: line.nonCash,
      scale: null,
      placedFrom: null,
    };
  });
  const cohorts: CompiledCohort[] = Object.entries(model.fleet).map(([name, c]) => {
    const b = `fleet.${name}`;
    return {
      name,
      slots: {
        count: table.add(`${b}.count`, c.count),
        unitCost: table.add(`${b}.unitCost`, c.unitCost),
        purchase: monthParam(`${b}.purchase`, c.purchase),
        inService: monthParam(`${b}.inService`, c.inService ?? c.purchase),
        lifeMonths: table.add(`${b}.lifeMonths`, c.lifeMonths),
        // Absent keys follow their default unless a scenario or a sample sets them (NaN = default).
        serviceLife: table.add(`${b}.serviceLifeMonths`, c.serviceLifeMonths ?? NaN),
        salvage: table.add(`${b}.salvagePerUnit`, c.salvagePerUnit),
        proceeds: table.add(`${b}.retirementProceedsPerUnit`, c.retirementProceedsPerUnit ?? NaN),
        capacity: table.add(`${b}.capacityPerUnitHour`, c.capacityPerUnitHour),
        powerKw: table.add(`${b}.powerKw`, c.powerKw),
        pue: table.add(`${b}.pue`, c.pue),
      },
      powerPrice: valueSeries(`power:${name}`, `${b}.powerPrice`, c.powerPrice),
      preStart: monthIndex(c.purchase) < 0,
    };
  });
  const tranches: CompiledTranche[] = Object.entries(model.financing.debt).map(([name, tr]) => {
    const b = `financing.debt.${name}`;
    const parts = typeof tr.maturity === "string" ? [] : tr.maturity;
    const finalPath = typeof tr.maturity === "string" ? `${b}.maturity` : `${b}.maturity.${parts.length - 1}.month`;
    const partialMaturities = parts.slice(0, -1).map((m, i) => ({
      month: monthParam(`${b}.maturity.${i}.month`, m.month),
      share: m.share !== undefined ? table.add(`${b}.maturity.${i}.share`, m.share) : -1,
      amount: m.amount !== undefined ? table.add(`${b}.maturity.${i}.amount`, m.amount) : -1,
      refinancing: m.refinancing,
    }));
    return {
      name,
      openingBalance: tr.openingBalance,
      draws: tr.draws.map((d, i) => ({ month: monthParam(`${b}.draws.${i}.month`, d.month), amount: table.add(`${b}.draws.${i}.amount`, d.amount) })),
      repayments: tr.repayments.map((r, i) => ({ month: monthParam(`${b}.repayments.${i}.month`, r.month), amount: table.add(`${b}.repayments.${i}.amount`, r.amount), refinancing: r.refinancing })),
      fixed: tr.rate !== undefined,
      slots: {
        openingBalance: table.add(`${b}.openingBalance`, tr.openingBalance),
        rate: table.add(`${b}.rate`, tr.rate ?? 0),
        spread: table.add(`${b}.spread`, tr.spread ?? 0),
        floor: table.add(`${b}.floor`, tr.floor ?? -Infinity),
        interestOnly: table.add(`${b}.interestOnlyMonths`, tr.interestOnlyMonths),
        maturity: monthParam(finalPath, finalMaturity(tr)),
        fee: table.add(`${b}.upfrontFee`, tr.upfrontFee),
      },
      base: tr.base ? series.get(tr.base)! : null,
      amortization: tr.amortization,
      partialMaturities,
      finalRefinancing: parts.length > 0 && parts[parts.length - 1].refinancing,
      expenseFees: tr.feeTreatment === "expense",
    };
  });
  const rounds: CompiledRound[] = Object.entries(model.financing.equity).map(([name, r]) => {
    const b = `financing.equity.${name}`;
    return { name, slots: { month: monthParam(`${b}.month`, r.month), amount: table.add(`${b}.amount`, r.amount), preMoney: table.add(`${b}.preMoney`, r.preMoney ?? NaN) } };
  });
  const oneOffs: CompiledOneOff[] = Object.entries(model.oneOffs).map(([name, o]) => {
    const b = `oneOffs.${name}`;
    const category = o.lands === "operatingExpense" ? (o.category ?? "Other") : "";
    if (category && !categories.includes(category)) categories.push(category);
    return { name, lands: o.lands, category, categoryIndex: categories.indexOf(category), slots: { month: monthParam(`${b}.month`, o.month), amount: table.add(`${b}.amount`, o.amount) }, lifeMonths: o.lifeMonths ?? 60 };
  });
  const covenants: CompiledCovenant[] = Object.entries(model.financing.covenants).map(([name, c]) => ({
    name,
    metric: c.metric,
    bound: c.min !== undefined ? "min" : "max",
    limitSlot: table.add(`financing.covenants.${name}.${c.min !== undefined ? "min" : "max"}`, (c.min ?? c.max)!),
    ltm: c.basis === "ltm",
    quarterly: c.test === "quarterly",
    fromIndex: c.from ? monthIndex(c.from) : 0,
  }));
  const rv = model.financing.revolver;
  const revolver: CompiledRevolver | null = rv
    ? {
        limit: valueSeries("revolver:limit", "financing.revolver.limit", rv.limit),
        fixed: rv.rate !== undefined,
        base: rv.base ? series.get(rv.base)! : null,
        slots: {
          openingBalance: table.add("financing.revolver.openingBalance", rv.openingBalance),
          rate: table.add("financing.revolver.rate", rv.rate ?? 0),
          spread: table.add("financing.revolver.spread", rv.spread ?? 0),
          floor: table.add("financing.revolver.floor", rv.floor ?? -Infinity),
          commitmentFee: table.add("financing.revolver.commitmentFee", rv.commitmentFee),
          from: rv.from ? monthParam("financing.revolver.from", rv.from) : table.add("financing.revolver.from", 0, "month"),
          maturity: rv.maturity ? monthParam("financing.revolver.maturity", rv.maturity) : table.add("financing.revolver.maturity", Infinity, "month"),
        },
      }
    : null;
  const cashSpec = model.financing.cash;
  const cashRates = {
    income: cashSpec?.interestRate !== undefined ? valueSeries("cash:interestRate", "financing.cash.interestRate", cashSpec.interestRate) : null,
    overdraft: cashSpec?.overdraftRate !== undefined ? valueSeries("cash:overdraftRate", "financing.cash.overdraftRate", cashSpec.overdraftRate) : null,
  };
  const ob = model.openingBalance;
  const openingSlots: OpeningSlots = {
    cash: table.add("openingBalance.cash", ob.cash),
    receivables: table.add("openingBalance.receivables", ob.receivables),
    ppeNet: table.add("openingBalance.ppeNet", ob.ppeNet),
    ppeLife: table.add("openingBalance.ppeRemainingLifeMonths", ob.ppeRemainingLifeMonths),
    payables: table.add("openingBalance.payables", ob.payables),
    paidInCapital: table.add("openingBalance.paidInCapital", ob.paidInCapital),
  };
  const slots = {
    taxRate: table.add("tax.rate", model.tax?.rate ?? 0),
    lossOffsetLimit: table.add("tax.lossOffsetLimit", model.tax?.lossOffsetLimit ?? 1),
    // The carry-forward is addressed where the file writes it.
    lossCarryforward: ob.lossCarryforward !== undefined ? table.add("openingBalance.lossCarryforward", ob.lossCarryforward) : table.add("tax.openingLossCarryforward", model.tax?.openingLossCarryforward ?? 0),
    receivableDays: table.add("workingCapital.receivableDays", model.workingCapital?.receivableDays ?? 0),
    payableDays: table.add("workingCapital.payableDays", model.workingCapital?.payableDays ?? 0),
    cashFloor: table.add("meta.cashFloor", model.meta.cashFloor),
  };
  const fleetNbv = Object.values(model.fleet).reduce((s, c) => s + cohortNetBookValueAtStart(c, h.start, model.meta.unit), 0);
  const compiledSoFar = {
    model,
    extensions,
    calendar,
    table,
    unitScale,
    monthIndex,
    driverSeries: (name: string) => {
      const a = series.get(name);
      if (a) external.add(a);
      return a;
    },
    cohorts,
    lines,
    categories,
    formulaSeries: (label: string, path: string, value: number | string) => valueSeries(label, path, value),
    addLine: (line: { name: string; type: CompiledLine["type"]; category?: string; lifeMonths?: number; placedFrom?: Float64Array }): Float64Array => {
      const category = line.type === "operatingExpense" ? (line.category ?? "Other") : "";
      if (category && !categories.includes(category)) categories.push(category);
      const arr = new Float64Array(H);
      lines.push({ name: line.name, type: line.type, category, categoryIndex: categories.indexOf(category), series: arr, computed: true, fromIndex: 0, untilIndex: H - 1, lifeMonths: line.lifeMonths ?? 60, nonCash: false, placedFrom: line.placedFrom ?? null, scale: null });
      return arr;
    },
  };
  const constructions: CompiledConstruction[] = [];
  const addConstruction = (spec: { name: string; spend: Float64Array; lifeMonths: number; tranche: string | null; live: Float64Array }): number => {
    constructions.push({ name: spec.name, spend: spec.spend, lifeMonths: spec.lifeMonths, tranche: spec.tranche === null ? -1 : tranches.findIndex((t) => t.name === spec.tranche), live: spec.live });
    return constructions.length - 1;
  };
  const stages: EngineStage[] = [];
  const extensionsUsed: string[] = [];
  const extensionData: Record<string, unknown> = {};
  const cohortEarliestService = new Float64Array(cohorts.length).fill(-Infinity);
  let schedule: FleetSchedule | null = null;
  const fleetSchedule = (spec: FleetSchedule) => {
    schedule = spec;
  };
  for (const ext of ENGINE_EXTENSIONS) {
    const stage = ext.compile({ ...compiledSoFar, cohortEarliestService, addConstruction, fleetSchedule, data: extensionData });
    if (stage) {
      stages.push(stage);
      extensionsUsed.push(ext.name);
    }
  }
  // Fleet and site series that formulas read (fleetUnits("h100"), siteLive("denton"), …):
  // computed from params before any formula, one node per series read.
  const fleetKeys = new Set<string>();
  for (const n of nodes) for (const d of n.deps) if (!series.has(d) && parseFleetSeriesKey(d)) fleetKeys.add(d);
  for (const key of fleetKeys) {
    const { fn, name } = parseFleetSeriesKey(key)!;
    const arr = new Float64Array(H);
    const { fill, slots } = fleetSeriesFill(fn, name, { cohorts, schedule, hours: calendar.hours, params: p, out: arr });
    nodes.push(fillNode(key, arr, fill, slots));
  }
  const baseParams = table.freeze();
  P = new Float64Array(baseParams);
  for (const tr of tranches) if (tr.base) external.add(tr.base);
  if (revolver?.base) external.add(revolver.base);
  const env: Omit<KernelEnv, "operand"> = { months: H, params: P, calendar, monthIndex };
  const { steps: order, operandForPlan } = driverSteps(nodes, env);
  const nodeOf = new Map(nodes.map((n) => [n.out, n]));
  const lineSumsFor: CompiledModel["compileLineSums"] = (classify, varies, out, lineValues, cumulative) => {
    const inputs: LineSumLine[] = lines.map((line, l) => {
      const base = { type: line.type, category: line.categoryIndex, nonCash: line.nonCash, lifeMonths: line.lifeMonths, cumulative: line.type === "capex" ? cumulative[l] : null, placedFrom: line.placedFrom };
      if (line.computed) return { ...base, value: { kind: "series", array: lineValues[l], fixed: false }, from: 0, until: H - 1, cumulativeReady: true };
      const node = nodeOf.get(line.series)!;
      // A line no sampled input moves keeps the values the plan's first evaluation gave it.
      const value: LineSumLine["value"] = !varies(line.series) ? { kind: "series", array: line.series, fixed: true } : node.parsed ? { kind: "formula", parsed: node.parsed } : { kind: "param", slot: node.paramSlot! };
      // A line a caller scales (a system's link) is scaled here too, and its values kept for the caller.
      return { ...base, value, from: line.fromIndex, until: line.untilIndex, cumulativeReady: false, scale: line.scale, values: line.scale ? lineValues[l] : null };
    });
    return compileLineSums(inputs, out, { ...env, operand: operandForPlan(classify) });
  };
  return {
    model,
    calendar,
    months: H,
    unitScale,
    table,
    baseParams,
    params: P,
    driverNames,
    driverSeries: series,
    order,
    driverStepsRun: 0,
    externalSeries: external,
    compileLineSums: lineSumsFor,
    lines,
    categories,
    cohorts,
    tranches,
    rounds,
    oneOffs,
    covenants,
    revolver,
    cashRates,
    constructions,
    capitalizeInterest: { sites: model.financing.capitalizeInterest?.sites ?? false, fleet: model.financing.capitalizeInterest?.fleet ?? false },
    stages,
    extensionsUsed,
    cohortEarliestService,
    extensionData,
    slots,
    openingSlots,
    opening: {
      cash: ob.cash,
      receivables: ob.receivables,
      ppeNet: ob.ppeNet,
      ppeLife: ob.ppeRemainingLifeMonths,
      payables: ob.payables,
      paidInCapital: ob.paidInCapital,
      retainedEarnings: ob.retainedEarnings,
      fleetNbv,
      debt: tranches.reduce((s, t) => s + t.openingBalance, 0) + (rv?.openingBalance ?? 0),
    },
  };
}

/**
 * Yearly figures filled into months. `linear` and `growth` move from this year's
 * figure (in January) toward next year's (reached the next January); with
 * `sumToYear` the year's figure is an annual total and the same shape is scaled so
 * the twelve months add up to it. The last year has no next figure and stays flat.
 */
/**
 * `fill: smooth`: each year's figure is a level at mid-year (mid-June/July); months move by
 * compound growth from one mid-year point to the next (flat beyond the first and last),
 * so the series has no step at the turn of the year. With `sumToYear` the figure is an
 * annual total: the level is figure / 12 and each calendar year's twelve months are then
 * scaled to add up to it exactly.
 */
function smoothYearlyFill(
  d: Extract<Model["drivers"][string], { yearly: unknown }>,
  base: string,
  table: ParamTable,
  calendar: Calendar,
  p: () => Float64Array,
  out: Float64Array,
): () => void {
  const years = Object.keys(d.yearly).map(Number).sort((a, b) => a - b);
  const slots = years.map((y) => table.add(`${base}.yearly.${y}`, d.yearly[String(y)]));
  const H = calendar.length;
  const n = years.length;
  // Levels for every month of every listed year (12 per year), so partial years at the
  // horizon's ends are scaled with their whole year.
  const levels = new Float64Array(n * 12);
  const anchors = new Float64Array(n);
  const yearIndex = new Int32Array(H);
  const monthIndex = new Int32Array(H);
  for (let t = 0; t < H; t++) {
    yearIndex[t] = years.indexOf(calendar.year[t]);
    monthIndex[t] = calendar.month[t] - 1;
  }
  const sum = d.sumToYear;
  const interpolate = () => {
    for (let k = 0; k < n; k++) {
      for (let m = 0; m < 12; m++) {
        // Position in years from this year's mid-point (month 5.5).
        const x = (m - 5.5) / 12;
        const j = x < 0 ? k - 1 : k; // the segment [anchor j, anchor j+1] holding this month
        let level: number;
        if (j < 0 || j + 1 >= n) level = anchors[k];
        else {
          const a = anchors[j];
          const b = anchors[j + 1];
          const w = x < 0 ? 1 + x : x; // fraction of the way from anchor j to j+1
          level = a > 0 && b > 0 ? a * Math.pow(b / a, w) : a + (b - a) * w;
        }
        levels[k * 12 + m] = level;
      }
    }
  };
  return () => {
    const P = p();
    for (let k = 0; k < n; k++) anchors[k] = sum ? P[slots[k]] / 12 : P[slots[k]];
    interpolate();
    if (sum) {
      // Move the mid-year levels until each year's interpolated months add up to its
      // total (a few multiplicative corrections), so that the final exact scaling
      // barely changes the shape and leaves no step at the year end.
      for (let iteration = 0; iteration < 25; iteration++) {
        let worst = 0;
        for (let k = 0; k < n; k++) {
          let total = 0;
          for (let m = 0; m < 12; m++) total += levels[k * 12 + m];
          const target = P[slots[k]];
          if (total > 0 && target > 0) {
            const ratio = target / total;
            anchors[k] *= ratio;
            worst = Math.max(worst, Math.abs(ratio - 1));
          }
        }
        interpolate();
        if (worst < 1e-9) break;
      }
      for (let k = 0; k < n; k++) {
        let total = 0;
        for (let m = 0; m < 12; m++) total += levels[k * 12 + m];
        const target = P[slots[k]];
        for (let m = 0; m < 12; m++) levels[k * 12 + m] = total !== 0 ? (levels[k * 12 + m] * target) / total : target / 12;
      }
    }
    for (let t = 0; t < H; t++) out[t] = levels[yearIndex[t] * 12 + monthIndex[t]];
  };
}

function yearlyFill(
  d: Extract<Model["drivers"][string], { yearly: unknown }>,
  base: string,
  table: ParamTable,
  calendar: Calendar,
  p: () => Float64Array,
  out: Float64Array,
): () => void {
  const years = Object.keys(d.yearly).map(Number).sort((a, b) => a - b);
  const slotOfYear = new Map<number, number>();
  for (const y of years) slotOfYear.set(y, table.add(`${base}.yearly.${y}`, d.yearly[String(y)]));
  const H = calendar.length;
  // Runs of months in one calendar year: [first month, end, this year's slot, next year's slot, month in year of the first].
  const runs: number[][] = [];
  for (let t = 0; t < H; ) {
    const y = calendar.year[t];
    let end = t;
    while (end < H && calendar.year[end] === y) end++;
    runs.push([t, end, slotOfYear.get(y) ?? -1, slotOfYear.get(y + 1) ?? -1, calendar.month[t] - 1]);
    t = end;
  }
  const sum = d.sumToYear;
  const fill = d.fill;
  return () => {
    const P = p();
    for (const [from, end, thisSlot, nextSlot, m0] of runs) {
      const v = P[thisSlot];
      if (fill === "flat" || fill === "smooth" || nextSlot < 0) {
        out.fill(sum ? v / 12 : v, from, end);
        continue;
      }
      const w = P[nextSlot];
      if (fill === "growth" && v > 0 && w > 0) {
        // Compound growth from this year's figure toward next year's: g per month, by recurrence.
        const g = Math.pow(w / v, 1 / 12);
        // Geometric series: sum of g^m for m = 0..11.
        const total = sum ? (Math.abs(g - 1) < 1e-12 ? 12 : (Math.pow(g, 12) - 1) / (g - 1)) : 1;
        let shape = Math.pow(g, m0);
        for (let t = from; t < end; t++) {
          out[t] = sum ? (v * shape) / total : v * shape;
          shape *= g;
        }
        continue;
      }
      // Linear (and growth between figures that are not both positive): a straight line.
      // Sum over m = 0..11 of v + (w − v) m / 12 = 12 v + 5.5 (w − v).
      const total = 12 * v + 5.5 * (w - v);
      for (let t = from, m = m0; t < end; t++, m++) {
        const shape = v + ((w - v) * m) / 12;
        out[t] = !sum ? shape : total === 0 ? 0 : (v * shape) / total;
      }
    }
  };
}

/**
 * Orders the series so that each is computed after what it reads. A series that reads
 * its own past through prev() — directly or around a loop of series — cannot be filled
 * all at once: such a group (a strongly connected component over same-month and prev()
 * edges) is evaluated month by month; everything else is filled series by series.
 */
function driverSteps(nodes: SeriesNode[], env: Omit<KernelEnv, "operand">): { steps: DriverStep[]; operandForPlan: (classify: SeriesClassifier) => (name: string) => Operand } {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const edges = (n: SeriesNode) => [...n.deps, ...n.lagged].filter((d) => byName.has(d));
  // Tarjan's algorithm; components come out in reverse topological order of the condensation,
  // i.e. dependencies first, which is the order to evaluate them in.
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  // Iterative (an explicit stack of frames): a chain of thousands of drivers cannot
  // exhaust the call stack.
  const strong = (root: string) => {
    const frames: { v: string; next: Iterator<string> }[] = [];
    const open = (v: string) => {
      indices.set(v, index);
      low.set(v, index);
      index++;
      stack.push(v);
      onStack.add(v);
      frames.push({ v, next: edges(byName.get(v)!)[Symbol.iterator]() });
    };
    open(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const step = frame.next.next();
      if (!step.done) {
        const w = step.value;
        if (!indices.has(w)) open(w);
        else if (onStack.has(w)) low.set(frame.v, Math.min(low.get(frame.v)!, indices.get(w)!));
        continue;
      }
      frames.pop();
      const v = frame.v;
      if (frames.length > 0) {
        const parent = frames[frames.length - 1].v;
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === indices.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        components.push(component);
      }
    }
  };
  for (const n of nodes) if (!indices.has(n.name)) strong(n.name);
  // Compiled once for any evaluation: a driver that is one number is read as its param
  // (its series still listed as an input, for dependencies); any other as its series.
  const compileTime = (name: string): Operand => {
    const n = byName.get(name)!;
    return n.paramSlot !== undefined ? { kind: "param", slot: n.paramSlot, series: n.out } : { kind: "series", array: n.out, fixed: false };
  };
  const forPlan = (classify: SeriesClassifier) => (name: string): Operand => {
    const n = byName.get(name)!;
    const kind = classify(n.out, n.paramSlot);
    if (kind === "param") return { kind: "param", slot: n.paramSlot! };
    return { kind: "series", array: n.out, fixed: kind === "fixed" };
  };
  const steps: DriverStep[] = [];
  components.forEach((component, ci) => {
    const members = component.map((name) => byName.get(name)!);
    if (members.length === 1 && !members[0].parsed) {
      const n = members[0];
      steps.push({ run: n.fill!, inputs: [], outputs: [n.out], slots: n.slots, component: ci, paramSlot: n.paramSlot });
      return;
    }
    // Formulas: one generated loop each; a group reading its own past walks the months.
    const targets: FormulaTarget[] = members.map((n) => ({ name: n.name, parsed: n.parsed!, out: n.out }));
    const compiled: DriverStep[] = compileKernels(targets, { ...env, operand: compileTime }).map((k) => ({ ...k, component: ci }));
    compiled[compiled.length - 1].rebuild = (classify) => compileKernels(targets, { ...env, operand: forPlan(classify) }).map((k) => ({ ...k, component: ci }));
    steps.push(...compiled);
  });
  return { steps, operandForPlan: forPlan };
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}
