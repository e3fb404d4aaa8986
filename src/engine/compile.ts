import type { Model } from "../model/schema.js";
import { makeCalendar, parseMonth, monthSerial, type Calendar } from "../model/months.js";
import { parseFormula, isFormulaError, compileFormula, type MonthFunction, type FormulaContext } from "../model/formula.js";
import { findCycle, horizonOf } from "../model/check.js";
import { UNIT_SCALE, cohortNetBookValueAtStart } from "../model/derived.js";
import { ParamTable } from "./params.js";
import { ENGINE_EXTENSIONS, type EngineStage } from "./extensions.js";

/** A series computed in the driver stage: a named driver or an anonymous line / price. */
export interface SeriesNode {
  name: string;
  fn: MonthFunction;
  deps: Set<string>;
  out: Float64Array;
}

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
}

export interface CompiledCohort {
  name: string;
  slots: { count: number; unitCost: number; purchase: number; inService: number; lifeMonths: number; salvage: number; capacity: number; powerKw: number; pue: number };
  powerPrice: Float64Array;
  preStart: boolean;
}

export interface CompiledTranche {
  name: string;
  openingBalance: number;
  draws: { month: number; amount: number }[];
  repayments: { month: number; amount: number }[];
  fixed: boolean;
  slots: { rate: number; spread: number; floor: number; interestOnly: number; maturity: number; fee: number };
  base: Float64Array | null;
  amortization: "bullet" | "straightLine" | "annuity" | "schedule";
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
  /** Driver-stage evaluation order (topological; prev() edges excluded). */
  order: SeriesNode[];
  lines: CompiledLine[];
  categories: string[];
  cohorts: CompiledCohort[];
  tranches: CompiledTranche[];
  rounds: CompiledRound[];
  oneOffs: CompiledOneOff[];
  covenants: CompiledCovenant[];
  /** Extension stages run each evaluation (GPU sites and contracts, …). */
  stages: EngineStage[];
  /** Per cohort, the earliest month it may run (a site's go-live); -Infinity when free. */
  cohortEarliestService: Float64Array;
  /** Results extensions compute at compile time and keep (detail series, names). */
  extensionData: Record<string, unknown>;
  slots: { taxRate: number; lossCarryforward: number; receivableDays: number; payableDays: number; cashFloor: number };
  opening: { cash: number; receivables: number; ppeNet: number; ppeLife: number; payables: number; paidInCapital: number; retainedEarnings: number; fleetNbv: number; debt: number };
}

export function compileModel(model: Model, extensions: Record<string, unknown> = {}): CompiledModel {
  const h = horizonOf(model);
  const calendar = makeCalendar(parseMonth(model.meta.start)!, h.length, model.meta.fiscalYearStart);
  const H = h.length;
  const table = new ParamTable();
  const unitScale = UNIT_SCALE[model.meta.unit];
  const monthIndex = (m: string) => monthSerial(parseMonth(m)!) - h.start;
  const monthParam = (path: string, m: string) => table.add(path, monthIndex(m), "month");

  const driverNames = Object.keys(model.drivers);
  const series = new Map<string, Float64Array>();
  for (const name of driverNames) series.set(name, new Float64Array(H));
  const params: { current: Float64Array } = { current: new Float64Array(0) };
  // Closures read params through this holder; evaluate() copies values into one fixed buffer.
  const p = () => params.current;

  const ctx: FormulaContext = {
    series: (name) => series.get(name)!,
    calendar,
    monthIndex,
  };
  const nodes: SeriesNode[] = [];
  const out = (name: string) => series.get(name)!;
  const formulaNode = (name: string, text: string): SeriesNode => {
    const parsed = parseFormula(text, (n) => series.has(n));
    if (isFormulaError(parsed)) throw new Error(`internal: formula checked at load failed to compile: ${parsed.message}`);
    return { name, fn: compileFormula(parsed, ctx), deps: parsed.sameMonth, out: series.get(name) ?? new Float64Array(H) };
  };
  const firstYear = calendar.year[0];
  for (const name of driverNames) {
    const d = model.drivers[name];
    const base = `drivers.${name}`;
    if (typeof d === "number") {
      const s = table.add(base, d);
      nodes.push({ name, fn: () => p()[s], deps: new Set(), out: out(name) });
    } else if (typeof d === "string") {
      nodes.push(formulaNode(name, d));
    } else if ("constant" in d) {
      const s = table.add(`${base}.constant`, d.constant);
      nodes.push({ name, fn: () => p()[s], deps: new Set(), out: out(name) });
    } else if ("formula" in d) {
      nodes.push(formulaNode(name, d.formula));
    } else if ("yearly" in d) {
      nodes.push({ name, fn: yearlyFunction(d, base, table, calendar, firstYear, p), deps: new Set(), out: out(name) });
    } else if ("monthly" in d) {
      const from = d.from ? monthIndex(d.from) : 0;
      const first = table.add(`${base}.monthly.0`, d.monthly[0]);
      for (let i = 1; i < d.monthly.length; i++) table.add(`${base}.monthly.${i}`, d.monthly[i]);
      const n = d.monthly.length;
      const hold = d.after === "hold";
      nodes.push({
        name,
        fn: (t) => {
          const i = t - from;
          if (i < n) return p()[first + i];
          return hold ? p()[first + n - 1] : 0;
        },
        deps: new Set(),
        out: out(name),
      });
    } else {
      const g = d.growth;
      const startSlot = table.add(`${base}.growth.start`, g.start);
      const monthly = g.monthlyRate !== undefined;
      const rateSlot = table.add(monthly ? `${base}.growth.monthlyRate` : `${base}.growth.annualRate`, (monthly ? g.monthlyRate : g.annualRate) ?? 0);
      const from = g.from ? monthIndex(g.from) : 0;
      nodes.push({
        name,
        fn: monthly
          ? (t) => (t <= from ? p()[startSlot] : p()[startSlot] * Math.pow(1 + p()[rateSlot], t - from))
          : (t) => (t <= from ? p()[startSlot] : p()[startSlot] * Math.pow(1 + p()[rateSlot], (t - from) / 12)),
        deps: new Set(),
        out: out(name),
      });
    }
  }
  const graph = new Map(nodes.map((n) => [n.name, n.deps]));
  const cycle = findCycle(graph);
  if (cycle) throw new Error(`internal: cycle ${cycle.join(" → ")} passed validation`);
  const ordered = topologicalOrder(nodes);

  // Lines and cohort prices are series too, evaluated after the drivers they read.
  const valueSeries = (label: string, path: string, value: number | string): Float64Array => {
    if (typeof value === "number") {
      const s = table.add(path, value);
      const arr = new Float64Array(H);
      ordered.push({ name: label, fn: () => p()[s], deps: new Set(), out: arr });
      return arr;
    }
    const node = formulaNode(label, value);
    ordered.push(node);
    return node.out;
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
        salvage: table.add(`${b}.salvagePerUnit`, c.salvagePerUnit),
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
    return {
      name,
      openingBalance: tr.openingBalance,
      draws: tr.draws.map((d, i) => ({ month: monthParam(`${b}.draws.${i}.month`, d.month), amount: table.add(`${b}.draws.${i}.amount`, d.amount) })),
      repayments: tr.repayments.map((r, i) => ({ month: monthParam(`${b}.repayments.${i}.month`, r.month), amount: table.add(`${b}.repayments.${i}.amount`, r.amount) })),
      fixed: tr.rate !== undefined,
      slots: {
        rate: table.add(`${b}.rate`, tr.rate ?? 0),
        spread: table.add(`${b}.spread`, tr.spread ?? 0),
        floor: table.add(`${b}.floor`, tr.floor ?? -Infinity),
        interestOnly: table.add(`${b}.interestOnlyMonths`, tr.interestOnlyMonths),
        maturity: monthParam(`${b}.maturity`, tr.maturity),
        fee: table.add(`${b}.upfrontFee`, tr.upfrontFee),
      },
      base: tr.base ? series.get(tr.base)! : null,
      amortization: tr.amortization,
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
  const ob = model.openingBalance;
  const slots = {
    taxRate: table.add("tax.rate", model.tax?.rate ?? 0),
    lossCarryforward: table.add("tax.openingLossCarryforward", ob.lossCarryforward ?? model.tax?.openingLossCarryforward ?? 0),
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
    driverSeries: (name: string) => series.get(name),
    cohorts,
    lines,
    categories,
    formulaSeries: (label: string, path: string, value: number | string) => valueSeries(label, path, value),
    addLine: (line: { name: string; type: CompiledLine["type"]; category?: string; lifeMonths?: number }): Float64Array => {
      const category = line.type === "operatingExpense" ? (line.category ?? "Other") : "";
      if (category && !categories.includes(category)) categories.push(category);
      const arr = new Float64Array(H);
      lines.push({ name: line.name, type: line.type, category, categoryIndex: categories.indexOf(category), series: arr, computed: true, fromIndex: 0, untilIndex: H - 1, lifeMonths: line.lifeMonths ?? 60 });
      return arr;
    },
  };
  const stages: EngineStage[] = [];
  const extensionData: Record<string, unknown> = {};
  const cohortEarliestService = new Float64Array(cohorts.length).fill(-Infinity);
  for (const ext of ENGINE_EXTENSIONS) {
    const stage = ext.compile({ ...compiledSoFar, cohortEarliestService, data: extensionData });
    if (stage) stages.push(stage);
  }
  const baseParams = table.freeze();
  params.current = new Float64Array(baseParams);
  return {
    model,
    calendar,
    months: H,
    unitScale,
    table,
    baseParams,
    params: params.current,
    driverNames,
    driverSeries: series,
    order: ordered,
    lines,
    categories,
    cohorts,
    tranches,
    rounds,
    oneOffs,
    covenants,
    stages,
    cohortEarliestService,
    extensionData,
    slots,
    opening: {
      cash: ob.cash,
      receivables: ob.receivables,
      ppeNet: ob.ppeNet,
      ppeLife: ob.ppeRemainingLifeMonths,
      payables: ob.payables,
      paidInCapital: ob.paidInCapital,
      retainedEarnings: ob.retainedEarnings,
      fleetNbv,
      debt: tranches.reduce((s, t) => s + t.openingBalance, 0),
    },
  };
}

/**
 * Yearly figures filled into months. `linear` and `growth` move from this year's
 * figure (in January) toward next year's (reached the next January); with
 * `sumToYear` the year's figure is an annual total and the same shape is scaled so
 * the twelve months add up to it. The last year has no next figure and stays flat.
 */
function yearlyFunction(
  d: Extract<Model["drivers"][string], { yearly: unknown }>,
  base: string,
  table: ParamTable,
  calendar: Calendar,
  firstYear: number,
  p: () => Float64Array,
): MonthFunction {
  const years = Object.keys(d.yearly).map(Number).sort((a, b) => a - b);
  const slotOfYear = new Map<number, number>();
  for (const y of years) slotOfYear.set(y, table.add(`${base}.yearly.${y}`, d.yearly[String(y)]));
  const H = calendar.length;
  const thisSlot = new Int32Array(H);
  const nextSlot = new Int32Array(H);
  const monthInYear = new Float64Array(H);
  for (let t = 0; t < H; t++) {
    const y = calendar.year[t];
    thisSlot[t] = slotOfYear.get(y) ?? -1;
    nextSlot[t] = slotOfYear.get(y + 1) ?? -1;
    monthInYear[t] = calendar.month[t] - 1;
  }
  void firstYear;
  const sum = d.sumToYear;
  switch (d.fill) {
    case "flat":
      return sum ? (t) => p()[thisSlot[t]] / 12 : (t) => p()[thisSlot[t]];
    case "linear":
      return (t) => {
        const v = p()[thisSlot[t]];
        const n = nextSlot[t];
        if (n < 0) return sum ? v / 12 : v;
        const w = p()[n];
        const shape = v + ((w - v) * monthInYear[t]) / 12;
        if (!sum) return shape;
        // Sum over m = 0..11 of v + (w - v) m / 12 = 12 v + 5.5 (w - v).
        const total = 12 * v + 5.5 * (w - v);
        return total === 0 ? 0 : (v * shape) / total;
      };
    case "growth":
      return (t) => {
        const v = p()[thisSlot[t]];
        const n = nextSlot[t];
        if (n < 0) return sum ? v / 12 : v;
        const w = p()[n];
        if (v <= 0 || w <= 0) {
          // Compound growth needs positive figures; fall back to a straight line between them.
          const shape = v + ((w - v) * monthInYear[t]) / 12;
          if (!sum) return shape;
          const total = 12 * v + 5.5 * (w - v);
          return total === 0 ? 0 : (v * shape) / total;
        }
        const g = Math.pow(w / v, 1 / 12);
        const shape = Math.pow(g, monthInYear[t]);
        if (!sum) return v * shape;
        // Geometric series: sum of g^m for m = 0..11.
        const total = Math.abs(g - 1) < 1e-12 ? 12 : (Math.pow(g, 12) - 1) / (g - 1);
        return (v * shape) / total;
      };
  }
}

function topologicalOrder(nodes: SeriesNode[]): SeriesNode[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const done = new Set<string>();
  const out: SeriesNode[] = [];
  const visit = (n: SeriesNode) => {
    if (done.has(n.name)) return;
    done.add(n.name);
    for (const dep of n.deps) {
      const d = byName.get(dep);
      if (d) visit(d);
    }
    out.push(n);
  };
  nodes.forEach(visit);
  return out;
}
