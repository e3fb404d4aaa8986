import type { LoadedModel } from "../model/load.js";
import { compileModel, type CompiledModel } from "../engine/compile.js";
import { evaluate, cashReactsToExtraCash, maturityPartAmount, type Projection } from "../engine/project.js";
import { parseFormula, isFormulaError } from "../model/formula.js";
import { monthSerial, parseMonth } from "../model/months.js";
import { buildResult, type RunResult } from "../engine/result.js";
import { covenantBreaches as covenantBreachesOf } from "../engine/metrics.js";
// The GPU-cloud sections compile only when the extension is registered (as the public API does).
import "../gpu/index.js";
import { gpuData, type GpuCompiled } from "../gpu/compile.js";
import { parseGpuSections } from "../gpu/validate.js";
import { AVERAGE_MONTH_HOURS } from "../gpu/schema.js";
import { Book, columnLetter, type Cell, type Row, type Sheet } from "./grid.js";
import { toExcelFormula, excelNumber } from "./excelFormula.js";
import { listWorkbookInputs, moneyUnit, type InputEntry } from "./inputs.js";

export const FMT = {
  amount: '#,##0.0_);(#,##0.0);0.0_)',
  amountPrecise: '#,##0.000_);(#,##0.000);0.000_)',
  ratio: '0.00_);(0.00)',
  percent: "0.0%",
  month: "yyyy-mm",
  whole: "#,##0",
  index: "0",
  price: "#,##0.00##",
  general: "General",
  rate: "0.00####",
} as const;

/** Why a cell holds a value where the rest of its row holds formulas. */
export const VALUE_NOTES = {
  gpuRevenue: "A value computed by burnrate's GPU-cloud engine (reference detail); it does not recompute when an input changes.",
  calendar: "Calendar facts of the horizon (fixed when the model was exported).",
};

export interface WorkbookOptions {
  /** Extra sheets, already computed (values). */
  scenarios?: { name: string | null; result: RunResult }[];
  extraSheets?: Sheet[];
}

export interface BuiltWorkbook {
  book: Book;
  compiled: CompiledModel;
  projection: Projection;
  result: RunResult;
  inputs: InputEntry[];
  /** Named ranges: name → row key of an Inputs row. */
  names: { name: string; key: string }[];
  /** Keys of statement rows and the engine series they reproduce (for tests). */
  checks: { key: string; values: ArrayLike<number> }[];
}

const sum = (terms: string[]) => (terms.length === 0 ? "0" : terms.join("+"));

/**
 * Lays out a model as a live workbook: every statement line an Excel formula over the
 * Inputs and Drivers sheets that reproduces burnrate's engine (src/engine/compile.ts and
 * statements.ts), with the engine's values cached in the cells.
 */
export function buildWorkbook(loaded: LoadedModel, options: WorkbookOptions = {}): BuiltWorkbook {
  const compiled = compileModel(loaded.model, loaded.extensions);
  const projection = evaluate(compiled);
  const result = buildResult(loaded, projection);
  const model = compiled.model;
  const H = compiled.months;
  const cal = compiled.calendar;
  const scale = compiled.unitScale;
  const money = moneyUnit(model.meta.currency, model.meta.unit);
  const book = new Book();
  const gpu: GpuCompiled | null = gpuData(compiled);
  const checks: BuiltWorkbook["checks"] = [];
  const company = model.meta.company;
  const scenarioText = loaded.scenario ? ` — scenario: ${loaded.scenario}` : "";
  const monthly = (name: string, title: string): Sheet => book.add({ name, monthly: true, title: `${company} — ${title}${scenarioText}`, subtitle: `Amounts in ${money}; months ${cal.labels[0]} to ${cal.labels[H - 1]}`, rows: [] });

  // ── Inputs ──────────────────────────────────────────────────────────────────────────
  const inputs = listWorkbookInputs(loaded, compiled);
  const inputsSheet: Sheet = {
    name: "Inputs",
    monthly: false,
    title: `${company} — inputs${scenarioText}`,
    subtitle: "Change a value in column C: every statement recomputes. Months are dates (enter e.g. 2026-03); column D is the month's index from the start.",
    headers: ["Input", "Unit", "Value", "Month index", "Source or assumption"],
    widths: [44, 18, 16, 12, 100],
    rows: [],
  };
  const startSerial = cal.startSerial;
  const startYear = Math.floor(startSerial / 12);
  const startMonth = startSerial - startYear * 12 + 1;
  for (const input of inputs) {
    const key = `in:${input.path}`;
    if (input.kind === "month") {
      const serial = startSerial + input.value;
      const y = Math.floor(serial / 12);
      const m = serial - y * 12 + 1;
      inputsSheet.rows.push({
        key,
        label: input.path,
        unit: input.unit,
        fmt: FMT.month,
        scalar: { v: new Date(Date.UTC(y, m - 1, 1)), fmt: FMT.month },
        texts: [{ f: `(YEAR(${book.scalar(key)})-${startYear})*12+MONTH(${book.scalar(key)})-${startMonth}`, v: input.value, fmt: FMT.index }, input.citation],
      });
    } else {
      inputsSheet.rows.push({ key, label: input.path, unit: input.unit, scalar: { v: input.value, fmt: inputFormat(input) }, texts: [null, input.citation], note: input.engineParam ? undefined : undefined });
    }
  }
  book.add(inputsSheet);
  // Month inputs: their index (column D) is what formulas compare with the month row.
  const monthIndexCell = (path: string) => book.column(`in:${path}`, "D");
  const P = (path: string) => book.scalar(`in:${path}`);
  const hasInput = (path: string) => inputs.some((i) => i.path === path);

  // ── Drivers: calendar, drivers, lines, one-offs ─────────────────────────────────────
  const drivers = monthly("Drivers", "drivers and lines");
  const valueRow = (key: string, label: string, values: ArrayLike<number>, note: string, fmt: string = FMT.general): Row => ({ key, label, fmt, note, months: (t) => ({ v: values[t] }) });
  drivers.rows.push({ key: "cal:label", label: "Month", style: "header", months: (t) => ({ v: cal.labels[t] }), note: VALUE_NOTES.calendar });
  drivers.rows.push(valueRow("cal:t", "t (month index from 0)", Array.from({ length: H }, (_, t) => t), VALUE_NOTES.calendar, FMT.index));
  drivers.rows.push(valueRow("cal:year", "year", cal.year, VALUE_NOTES.calendar, FMT.index));
  drivers.rows.push(valueRow("cal:month", "month (1–12)", cal.month, VALUE_NOTES.calendar, FMT.index));
  drivers.rows.push(valueRow("cal:fiscalYear", "fiscal year", cal.fiscalYear, VALUE_NOTES.calendar, FMT.index));
  drivers.rows.push(valueRow("cal:quarter", "fiscal quarter (1–4)", cal.fiscalQuarter, VALUE_NOTES.calendar, FMT.index));
  drivers.rows.push(valueRow("cal:days", "days in the month", cal.days, VALUE_NOTES.calendar, FMT.index));
  drivers.rows.push(valueRow("cal:hours", "hours in the month", cal.hours, VALUE_NOTES.calendar, FMT.whole));
  const T = (t: number) => book.at("cal:t", t);
  const monthIndex = (m: string) => monthSerial(parseMonth(m)!) - startSerial;
  const driverNames = new Set(Object.keys(model.drivers));
  /** The sheet of the smooth fills, made when the first such driver is met. */
  let fillsSheet: Sheet | null = null;

  /** A formula of the model's language in month t (drivers are rows `drv:NAME`). */
  const translate = (text: string, t: number): string => {
    const parsed = parseFormula(text, (n) => driverNames.has(n));
    if (isFormulaError(parsed)) throw new Error(`internal: formula ${text}: ${parsed.message}`);
    return toExcelFormula(parsed, {
      driver: (n) => book.at(`drv:${n}`, t),
      previous: (n) => (t > 0 ? book.at(`drv:${n}`, t - 1) : null),
      calendar: (n) => book.at(`cal:${n}`, t),
      monthIndex,
      fleet: (fn, name) => fleetCell(fn, name, t),
    });
  };
  /**
   * A fleet or site series a formula reads, from the GPU fleet sheet's rows (units while the
   * cohort runs, its capacity row; a site from the month it is live).
   */
  const fleetCell = (fn: string, name: string | null, t: number): string => {
    const terms: string[] = [];
    if (fn === "fleetUnits" || fn === "fleetCapacity") {
      compiled.cohorts.forEach((co, k) => {
        if (name !== null && co.name !== name) return;
        const key = (what: string) => `cohort:${k}:${what}`;
        const running = `AND(${T(t)}>=${book.scalar(key("inService"))},${T(t)}<=${book.scalar(key("retire"))})`;
        terms.push(fn === "fleetUnits" ? `IF(${running},${P(`fleet.${co.name}.count`)},0)` : book.at(key("capacity"), t));
      });
    } else {
      for (const site of gpu?.sites ?? []) {
        if (name !== null && site.name !== name) continue;
        terms.push(`IF(${T(t)}>=${book.scalar(`site:${site.name}:live`)},${fn === "siteLive" ? "1" : P(`sites.${site.name}.powerMw`)},0)`);
      }
    }
    return terms.length === 0 ? "0" : terms.length === 1 ? terms[0] : `(${terms.join("+")})`;
  };
  /** A number input (by its parameter path) or a formula. */
  const valueOrFormula = (path: string, value: number | string, t: number) => (typeof value === "number" ? P(path) : translate(value, t));

  drivers.rows.push({ label: "Drivers", style: "section" });
  for (const name of Object.keys(model.drivers)) {
    const d = model.drivers[name];
    const values = compiled.driverSeries.get(name)!;
    const base = `drivers.${name}`;
    const unit = typeof d === "object" && "unit" in d ? d.unit : undefined;
    let formula: ((t: number) => string) | null = null;
    let note: string | undefined;
    if (typeof d === "number") formula = () => P(base);
    else if (typeof d === "string") formula = (t) => translate(d, t);
    else if ("constant" in d) formula = () => P(`${base}.constant`);
    else if ("formula" in d) formula = (t) => translate(d.formula, t);
    // A month driver holds a month index (as `t` counts), the same number in every month.
    else if ("month" in d) formula = () => monthIndexCell(`${base}.month`);
    else if ("yearly" in d && d.fill === "smooth") formula = smoothFill(name, d, base);
    else if ("yearly" in d) formula = (t) => yearlyFormula(d, base, t);
    else if ("monthly" in d) {
      const from = d.from ? monthIndex(d.from) : 0;
      const n = d.monthly.length;
      formula = (t) => {
        const i = t - from;
        if (i < n) return P(`${base}.monthly.${i}`);
        return d.after === "hold" ? P(`${base}.monthly.${n - 1}`) : "0";
      };
    } else {
      const g = d.growth;
      const monthlyRate = g.monthlyRate !== undefined;
      const start = P(`${base}.growth.start`);
      const rate = P(monthlyRate ? `${base}.growth.monthlyRate` : `${base}.growth.annualRate`);
      const from = g.from ? monthIndex(g.from) : 0;
      formula = (t) => (t <= from ? start : `${start}*POWER(1+${rate},(${T(t)}-${from})/${monthlyRate ? 1 : 12})`);
    }
    drivers.rows.push({ key: `drv:${name}`, label: name, unit, fmt: FMT.general, note, months: (t) => (formula ? { f: formula(t), v: values[t] } : { v: values[t], note: t === 0 ? note : undefined }) });
  }

  /**
   * `fill: smooth` (engine: smoothYearlyFill in compile.ts) on a sheet of its own: mid-year
   * anchors, and with sumToYear the engine's 25 rounds of corrections (each round scales a
   * year's anchor by target ÷ its months' total, stopping once every ratio is within 1e-9 of
   * 1), then each year's months scaled to sum exactly to its total.
   */
  function smoothFill(name: string, d: Extract<(typeof model.drivers)[string], { yearly: unknown }>, base: string): (t: number) => string {
    fillsSheet ??= book.add({ name: "Fills", monthly: false, title: `${company} — drivers with fill: smooth`, subtitle: "Mid-year anchors between the yearly inputs; with sumToYear, the corrections that make each year's months add up to its total (the engine's iteration).", headers: ["", "", "", "Years →"], widths: [52, 10, 14], rows: [] });
    const rows = fillsSheet.rows;
    const years = Object.keys(d.yearly).map(Number).sort((a, b) => a - b);
    const n = years.length;
    const col = (k: number) => columnLetter(3 + k);
    const mirror = mirrorSmooth(years.map((y) => compiled.params[compiled.table.slot(`${base}.yearly.${y}`)!]), d.sumToYear);
    const target = (k: number) => P(`${base}.yearly.${years[k]}`);
    const cells = (key: string, label: string, f: (k: number) => string, v: (k: number) => number, fmt: string = FMT.general) =>
      rows.push({ key, label, fmt, scalar: { f: f(0), v: v(0), fmt }, texts: Array.from({ length: n - 1 }, (_, i) => ({ f: f(i + 1), v: v(i + 1), fmt })) });
    const at = (key: string, k: number) => book.column(key, col(k));
    rows.push({ label: `${name}: ${years.join(", ")}${d.sumToYear ? " (annual totals)" : ""}`, style: "section", texts: years.slice(1).map(String), scalar: { v: years[0] } });
    /** A month's level (year k, month m 0–11) between the anchors of row `key`. */
    const level = (key: string, k: number, m: number) => {
      const x = (m - 5.5) / 12;
      const j = x < 0 ? k - 1 : k;
      if (j < 0 || j + 1 >= n) return at(key, k);
      const a = at(key, j);
      const b = at(key, j + 1);
      const w = x < 0 ? 1 + x : x;
      return `IF(AND(${a}>0,${b}>0),${a}*POWER(${b}/${a},${w}),${a}+(${b}-${a})*${w})`;
    };
    const total = (key: string, k: number) => Array.from({ length: 12 }, (_, m) => level(key, k, m)).join("+");
    cells(`fill:${name}:a0`, "anchors (mid-year levels)", (k) => (d.sumToYear ? `${target(k)}/12` : target(k)), (k) => mirror.anchors[0][k]);
    let last = `fill:${name}:a0`;
    if (d.sumToYear) {
      for (let i = 0; i < 25; i++) {
        const a = `fill:${name}:a${i}`;
        cells(`fill:${name}:r${i}`, `round ${i + 1}: target ÷ months' total`, (k) => `IF(AND(${total(a, k)}>0,${target(k)}>0),${target(k)}/(${total(a, k)}),1)`, (k) => mirror.ratios[i][k]);
        const ratios = Array.from({ length: n }, (_, k) => at(`fill:${name}:r${i}`, k));
        rows.push({ key: `fill:${name}:w${i}`, label: `round ${i + 1}: largest |ratio − 1|`, fmt: FMT.general, scalar: { f: `MAX(${ratios.map((r) => `ABS(${r}-1)`).join(",")})`, v: mirror.worst[i] } });
        rows.push({ key: `fill:${name}:s${i}`, label: `round ${i + 1}: already converged (1/0)`, fmt: FMT.index, scalar: { f: i === 0 ? "0" : `IF(OR(${book.scalar(`fill:${name}:s${i - 1}`)}=1,${book.scalar(`fill:${name}:w${i - 1}`)}<1E-9),1,0)`, v: mirror.stopped[i] ? 1 : 0 } });
        cells(`fill:${name}:a${i + 1}`, `round ${i + 1}: anchors`, (k) => `IF(${book.scalar(`fill:${name}:s${i}`)}=1,${at(a, k)},${at(a, k)}*${at(`fill:${name}:r${i}`, k)})`, (k) => mirror.anchors[i + 1][k]);
      }
      last = `fill:${name}:a25`;
      cells(`fill:${name}:total`, "months' total with the final anchors", (k) => total(last, k), (k) => mirror.finalTotals[k]);
    }
    const finalKey = last;
    return (t: number) => {
      const k = years.indexOf(cal.year[t]);
      const m = cal.month[t] - 1;
      const lv = level(finalKey, k, m);
      if (!d.sumToYear) return lv;
      const tot = at(`fill:${name}:total`, k);
      return `IF(${tot}<>0,${lv}*${target(k)}/${tot},${target(k)}/12)`;
    };
  }

  function yearlyFormula(d: Extract<(typeof model.drivers)[string], { yearly: unknown }>, base: string, t: number): string {
    const y = cal.year[t];
    const m = cal.month[t] - 1;
    const v = P(`${base}.yearly.${y}`);
    const hasNext = String(y + 1) in d.yearly;
    const w = hasNext ? P(`${base}.yearly.${y + 1}`) : null;
    const flat = d.sumToYear ? `${v}/12` : v;
    if (d.fill === "flat" || w === null) return flat;
    const linearShape = `(${v}+(${w}-${v})*${m}/12)`;
    const linearTotal = `(12*${v}+5.5*(${w}-${v}))`;
    const linear = d.sumToYear ? `IF(${linearTotal}=0,0,${v}*${linearShape}/${linearTotal})` : linearShape;
    if (d.fill === "linear") return linear;
    const g = `POWER(${w}/${v},1/12)`;
    const shape = `POWER(${g},${m})`;
    const growth = d.sumToYear ? `${v}*${shape}/IF(ABS(${g}-1)<1E-12,12,(POWER(${g},12)-1)/(${g}-1))` : `${v}*${shape}`;
    return `IF(OR(${v}<=0,${w}<=0),${linear},${growth})`;
  }

  // Lines: the value in the months the line applies, else 0.
  drivers.rows.push({ label: "Lines (model unit per month)", style: "section" });
  const siteOfCapexLine = new Map<string, number>();
  gpu?.sites.forEach((s, i) => siteOfCapexLine.set(s.lineName, i));
  compiled.lines.forEach((line, l) => {
    const values = projection.lineValues[l];
    const key = `line:${line.name}`;
    const label = `${line.name} (${line.type}${line.category ? `, ${line.category}` : ""}${line.nonCash ? ", non-cash" : ""})`;
    if (!line.computed) {
      const spec = model.lines[line.name];
      drivers.rows.push({ key, label, unit: money, fmt: FMT.amount, months: (t) => (t >= line.fromIndex && t <= line.untilIndex ? { f: valueOrFormula(`lines.${line.name}.value`, spec.value, t), v: values[t] } : { v: 0 }) });
    } else if (siteOfCapexLine.has(line.name)) {
      const s = siteOfCapexLine.get(line.name)!;
      const site = gpu!.sites[s];
      drivers.rows.push({ key, label, unit: money, fmt: FMT.amount, note: "Construction spend: cost per MW × MW, spread evenly from buildStart to the month before the planned go-live (a delay moves the go-live, not the spend).", months: (t) => ({ f: `IF(AND(${T(t)}>=${book.scalar(`site:${site.name}:build`)},${T(t)}<${book.scalar(`site:${site.name}:build`)}+${book.scalar(`site:${site.name}:buildMonths`)}),${book.scalar(`site:${site.name}:spendPerMonth`)},0)`, v: values[t] }) });
    } else if (gpu && gpu.spotLine === line.series) {
      drivers.rows.push({ key, label, unit: money, fmt: FMT.amount, note: "Spot sales: each cohort's uncontracted hours × utilization × its generation's price (GPU fleet sheet).", months: (t) => ({ f: sum(compiled.cohorts.map((_, k) => book.at(`cohort:${k}:spot`, t))), v: values[t] }) });
    } else if (gpu && gpu.customerLines.includes(line.series)) {
      const customer = gpu.customers[gpu.customerLines.indexOf(line.series)];
      const contracts = gpu.contracts.filter((c) => c.customer === customer);
      drivers.rows.push({ key, label, unit: money, fmt: FMT.amount, note: "The customer's contracts, billed for the share of reserved capacity delivered (GPU fleet sheet).", months: (t) => ({ f: sum(contracts.map((c) => book.at(`contract:${c.name}:revenue`, t))), v: values[t] }) });
    } else {
      drivers.rows.push({ key, label, unit: money, fmt: FMT.amount, note: VALUE_NOTES.gpuRevenue, months: (t) => ({ v: values[t], note: t === 0 ? VALUE_NOTES.gpuRevenue : undefined }) });
    }
  });

  // One-off items: the amount in its month.
  if (compiled.oneOffs.length > 0) drivers.rows.push({ label: "One-off items", style: "section" });
  const oneOffValue = (o: (typeof compiled.oneOffs)[number], t: number) => {
    const m = Math.round(compiled.params[o.slots.month]);
    return m === t ? compiled.params[o.slots.amount] : 0;
  };
  for (const o of compiled.oneOffs) {
    const b = `oneOffs.${o.name}`;
    drivers.rows.push({ key: `oneoff:${o.name}`, label: `${o.name} (${o.lands}${o.category ? `, ${o.category}` : ""})`, unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(${monthIndexCell(`${b}.month`)}=${T(t)},${P(`${b}.amount`)},0)`, v: oneOffValue(o, t) }) });
  }
  const oneOffsLanding = (lands: string, category?: string) => compiled.oneOffs.filter((o) => o.lands === lands && (category === undefined || o.category === category));

  /**
   * GPU-cloud revenue as formulas (engine: gpu/compile.ts, afterFleet): capacity and
   * reserved hours by pool (a site, or the cohorts without one); each contract's committed
   * GPUs and price, effective start (not before its site is live), renewals at a price
   * factor, exit with take-or-pay, billed for the share of reserved hours delivered; spot
   * sales of each cohort's uncontracted hours at its generation's price.
   */
  function gpuRevenueRows(rows: Row[]): void {
    const g = gpu!;
    const sections = parseGpuSections(loaded.extensions).sections!;
    const p = compiled.params;
    const nSites = g.sites.length;
    const hours = (t: number) => book.at("cal:hours", t);
    const pools = Array.from({ length: nSites + 1 }, (_, q) => q).filter((q) => g.cohortPool.some((x) => x === q) || g.contracts.some((c) => c.pool === q));
    const mirror = mirrorContracts(g, compiled);
    rows.push({ label: "GPU revenue: capacity by pool, contracts, spot sales", style: "section" });
    for (const q of pools) {
      const name = q < nSites ? `site ${g.sites[q].name}` : "cohorts without a site";
      const members = compiled.cohorts.map((_, k) => k).filter((k) => g.cohortPool[k] === q);
      rows.push({ key: `pool:${q}:available`, label: `GPU-hours available, ${name}`, fmt: FMT.whole, months: (t) => ({ f: sum(members.map((k) => book.at(cohortKey(k, "capacity"), t))), v: g.series.poolAvailable[q][t] }) });
      const inPool = g.contracts.filter((c) => c.pool === q);
      rows.push({ key: `pool:${q}:reserved`, label: `GPU-hours reserved by contracts, ${name}`, fmt: FMT.whole, months: (t) => ({ f: sum(inPool.map((c) => book.at(`contract:${c.name}:reserved`, t))), v: g.series.poolReserved[q][t] }) });
    }
    for (const [ci, c] of g.contracts.entries()) {
      const b = `contracts.${c.name}`;
      const sl = c.slots;
      const m = mirror[ci];
      const sc = (what: string) => book.scalar(`contract:${c.name}:${what}`);
      rows.push({ label: `Contract ${c.name} (${c.customer}${c.site ? `, site ${c.site}` : ""})`, style: "section" });
      rows.push({ key: `contract:${c.name}:term`, label: "term (months)", fmt: FMT.index, scalar: { f: `MAX(1,ROUND(${P(`${b}.termMonths`)},0))`, v: m.term } });
      const gpusFormula = sl.gpus >= 0 ? P(`${b}.gpus`) : `${P(`${b}.value`)}*${scale}/(${P(`${b}.pricePerGpuHour`)}*${AVERAGE_MONTH_HOURS}*${sc("term")})`;
      const priceFormula = sl.price >= 0 ? P(`${b}.pricePerGpuHour`) : `${P(`${b}.value`)}*${scale}/(${sc("gpus")}*${AVERAGE_MONTH_HOURS}*${sc("term")})`;
      rows.push({ key: `contract:${c.name}:gpus`, label: "committed GPUs", fmt: FMT.whole, scalar: { f: gpusFormula, v: m.gpus } });
      rows.push({ key: `contract:${c.name}:price`, label: `price per GPU-hour (${model.meta.currency})`, fmt: FMT.price, scalar: { f: priceFormula, v: m.price } });
      const planned = `ROUND(${monthIndexCell(`${b}.start`)},0)`;
      rows.push({ key: `contract:${c.name}:start`, label: "starts (month index; not before its site is live)", fmt: FMT.index, scalar: { f: c.pool < nSites ? `MAX(${planned},${book.scalar(`site:${c.site}:live`)})` : planned, v: m.start } });
      rows.push({ key: `contract:${c.name}:renewals`, label: "renewals", fmt: FMT.index, scalar: { f: sl.renewTimes >= 0 ? `ROUND(${P(`${b}.renewal.times`)},0)` : "0", v: m.renewals } });
      rows.push({ key: `contract:${c.name}:renewTerm`, label: "renewal term (months)", fmt: FMT.index, scalar: { f: sl.renewTerm >= 0 ? `MAX(1,ROUND(${P(`${b}.renewal.termMonths`)},0))` : sc("term"), v: m.renewTerm } });
      rows.push({ key: `contract:${c.name}:factor`, label: "renewal price factor", fmt: FMT.general, scalar: { f: sl.renewFactor >= 0 ? P(`${b}.renewal.priceFactor`) : "1", v: m.factor } });
      rows.push({ key: `contract:${c.name}:end`, label: "ends (month index, after renewals)", fmt: FMT.index, scalar: { f: `${sc("start")}+${sc("term")}+${sc("renewals")}*${sc("renewTerm")}`, v: m.end } });
      const exit = sl.exit >= 0 ? `ROUND(${monthIndexCell(`${b}.exit`)},0)` : null;
      if (exit) rows.push({ key: `contract:${c.name}:exit`, label: "customer exits (month index)", fmt: FMT.index, scalar: { f: exit, v: m.exit } });
      const exitCell = exit ? sc("exit") : null;
      const served = (t: number) => `AND(${T(t)}>=${sc("start")},${T(t)}<${sc("end")}${exitCell ? `,${T(t)}<${exitCell}` : ""})`;
      rows.push({ key: `contract:${c.name}:reserved`, label: "GPU-hours reserved", fmt: FMT.whole, months: (t) => ({ f: `IF(${served(t)},${sc("gpus")}*${hours(t)},0)`, v: m.reserved[t] }) });
      // Term i of the month (0 = the original), its first month, and the price then.
      const termIndex = (t: number) => `IF(${T(t)}<${sc("start")}+${sc("term")},0,1+INT((${T(t)}-${sc("start")}-${sc("term")})/${sc("renewTerm")}))`;
      rows.push({ key: `contract:${c.name}:termIndex`, label: "term running (0 = original, 1… = renewals)", fmt: FMT.index, months: (t) => ({ f: termIndex(t), v: m.termIndex[t] }) });
      const termStart = (t: number) => `IF(${book.at(`contract:${c.name}:termIndex`, t)}=0,${sc("start")},${sc("start")}+${sc("term")}+(${book.at(`contract:${c.name}:termIndex`, t)}-1)*${sc("renewTerm")})`;
      const termPrice = (t: number) => `${sc("gpus")}*${sc("price")}*POWER(${sc("factor")},${book.at(`contract:${c.name}:termIndex`, t)})/${scale}`;
      const delivered = (t: number) => `IF(${book.at(`pool:${c.pool}:reserved`, t)}>0,MIN(1,${book.at(`pool:${c.pool}:available`, t)}/${book.at(`pool:${c.pool}:reserved`, t)}),1)`;
      const billed = (t: number) => (exitCell ? `IF(${T(t)}>=${exitCell},${P(`${b}.takeOrPay`)}*${termPrice(t)}*${hours(t)},${termPrice(t)}*${hours(t)}*${delivered(t)})` : `${termPrice(t)}*${hours(t)}*${delivered(t)}`);
      const live = (t: number) => `AND(${T(t)}>=${sc("start")},${T(t)}<${sc("end")}${exitCell ? `,${termStart(t)}<${exitCell}` : ""})`;
      rows.push({ key: `contract:${c.name}:revenue`, label: "revenue (delivered share of reserved hours; take-or-pay after an exit)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(${live(t)},${billed(t)},0)`, v: m.revenue[t] }) });
    }
    if (g.utilization && sections.utilization !== undefined) {
      const util = g.utilization;
      rows.push({ key: "gpu:utilization", label: "utilization of uncontracted hours (as written)", fmt: FMT.percent, months: (t) => ({ f: valueOrFormula("utilization", sections.utilization!, t), v: util[t] }) });
    }
    const priceRows = new Map<string, string>();
    for (const [gen, curve] of Object.entries(sections.pricing ?? {})) {
      const price = g.cohortPrice.find((_, k) => g.cohortGeneration[k] === gen);
      if (!price || price.kind !== "series") continue;
      const value = typeof curve === "number" || typeof curve === "string" ? curve : "price" in curve ? curve.price : null;
      if (value === null) continue;
      const path = typeof curve === "number" || typeof curve === "string" ? `pricing.${gen}` : `pricing.${gen}.price`;
      const series = price.series;
      rows.push({ key: `price:${gen}`, label: `${gen} price per GPU-hour (spot)`, fmt: FMT.price, months: (t) => ({ f: valueOrFormula(path, value as number | string, t), v: series[t] }) });
      priceRows.set(gen, `price:${gen}`);
    }
    compiled.cohorts.forEach((co, k) => {
      const pricing = g.cohortPrice[k];
      const gen = g.cohortGeneration[k];
      const pool = g.cohortPool[k];
      const price = (t: number): string => {
        if (pricing.kind === "series" && gen !== null && priceRows.has(gen)) return book.at(priceRows.get(gen)!, t);
        if (pricing.kind === "decline" && gen !== null) return `${P(`pricing.${gen}.start`)}*POWER(1-${P(`pricing.${gen}.declinePerYear`)},MAX(0,${T(t)}-ROUND(${monthIndexCell(`fleet.${co.name}.inService`)},0))/12)`;
        return "0";
      };
      const util = (t: number) => (book_has_gpu("gpu:utilization") ? `MIN(1,MAX(0,${book.at("gpu:utilization", t)}))` : "0");
      const cap = (t: number) => book.at(cohortKey(k, "capacity"), t);
      const reservedShare = (t: number) => `MIN(1,${book.at(`pool:${pool}:reserved`, t)}/${book.at(`pool:${pool}:available`, t)})`;
      rows.push({
        key: `cohort:${k}:spot`,
        label: `spot revenue of ${co.name} (uncontracted hours × utilization × price)`,
        unit: money,
        fmt: FMT.amount,
        months: (t) => ({ f: `IF(${cap(t)}<=0,0,${util(t)}*${cap(t)}*(1-${reservedShare(t)})*${price(t)}/${scale})`, v: mirrorSpot(g, projection, k, t) }),
      });
    });
    function book_has_gpu(key: string): boolean {
      return rows.some((r) => r.key === key);
    }
  }

  // ── GPU fleet: sites and cohorts ───────────────────────────────────────────────────
  const fleetSheet = compiled.cohorts.length > 0 || (gpu && gpu.sites.length > 0) ? monthly("GPU fleet", "fleet cohorts" + (gpu ? ", sites and GPU revenue" : "")) : null;
  const cohortKey = (k: number, what: string) => `cohort:${k}:${what}`;
  if (fleetSheet) {
    const rows = fleetSheet.rows;
    for (const site of gpu?.sites ?? []) {
      const b = `sites.${site.name}`;
      const p = compiled.params;
      const build = Math.round(p[site.slots.buildStart]);
      const n = Math.max(1, Math.round(p[site.slots.goLive]) - build);
      rows.push({ label: `Site ${site.name}`, style: "section" });
      rows.push({ key: `site:${site.name}:live`, label: "live from (month index: planned go-live + delay)", fmt: FMT.index, scalar: { f: `ROUND(${monthIndexCell(`${b}.goLive`)}+${P(`${b}.delayMonths`)},0)`, v: gpu!.state.siteLive[gpu!.sites.indexOf(site)] } });
      rows.push({ key: `site:${site.name}:build`, label: "construction starts (month index)", fmt: FMT.index, scalar: { f: monthIndexCell(`${b}.buildStart`), v: build } });
      rows.push({ key: `site:${site.name}:buildMonths`, label: "construction months", fmt: FMT.index, scalar: { f: `MAX(1,${monthIndexCell(`${b}.goLive`)}-${monthIndexCell(`${b}.buildStart`)})`, v: n } });
      rows.push({ key: `site:${site.name}:spendPerMonth`, label: "construction spend per month", unit: money, fmt: FMT.amount, scalar: { f: `${P(`${b}.costPerMw`)}*${P(`${b}.powerMw`)}/${scale}/${book.scalar(`site:${site.name}:buildMonths`)}`, v: (p[site.slots.costPerMw] * p[site.slots.powerMw]) / scale / n } });
      const sitePrice = model_extension_value(loaded, ["sites", site.name, "powerPrice"]);
      rows.push({ key: `site:${site.name}:powerPrice`, label: "power price", unit: `${model.meta.currency} per kWh`, fmt: FMT.price, months: (t) => ({ f: valueOrFormula(`${b}.powerPrice`, sitePrice as number | string, t), v: site.powerPrice[t] }) });
    }
    compiled.cohorts.forEach((co, k) => {
      const spec = model.fleet[co.name];
      const b = `fleet.${co.name}`;
      const p = compiled.params;
      const s = co.slots;
      const series = projection.cohorts[k];
      const siteIndex = gpu ? gpu.cohortPool[k] : -1;
      const site = gpu && siteIndex < gpu.sites.length ? gpu.sites[siteIndex] : null;
      const cost = (p[s.count] * p[s.unitCost]) / scale;
      const salvage = (p[s.count] * p[s.salvage]) / scale;
      const inService = Math.max(Math.round(p[s.inService]), compiled.cohortEarliestService[k]);
      const life = p[s.lifeMonths];
      const serviceParam = p[s.serviceLife];
      const service = Math.max(1, Math.round(Number.isFinite(serviceParam) ? serviceParam : life));
      const depreciating = Math.min(life, service);
      const retirement = inService + service - 1;
      const proceedsParam = p[s.proceeds];
      const proceeds = Number.isFinite(proceedsParam) ? (p[s.count] * proceedsParam) / scale : salvage;
      rows.push({ label: `Cohort ${co.name}${site ? ` (site ${site.name})` : ""}`, style: "section" });
      rows.push({ key: cohortKey(k, "cost"), label: "cost (count × unit cost)", unit: money, fmt: FMT.amount, scalar: { f: `${P(`${b}.count`)}*${P(`${b}.unitCost`)}/${scale}`, v: cost } });
      rows.push({ key: cohortKey(k, "salvage"), label: "salvage (count × salvage per unit)", unit: money, fmt: FMT.amount, scalar: { f: `${P(`${b}.count`)}*${P(`${b}.salvagePerUnit`)}/${scale}`, v: salvage } });
      const earliest: string[] = [monthIndexCell(`${b}.inService`)];
      if (site) earliest.push(book.scalar(`site:${site.name}:live`));
      if (spec.delivery !== undefined) earliest.push(monthIndexCell(`${b}.delivery`));
      rows.push({ key: cohortKey(k, "inService"), label: `runs from (month index${earliest.length > 1 ? ": in service, not before its site is live or the hardware arrives" : ""})`, fmt: FMT.index, scalar: { f: earliest.length > 1 ? `MAX(${earliest.join(",")})` : earliest[0], v: inService } });
      rows.push({ key: cohortKey(k, "service"), label: "service life (months it runs; default: its depreciation life)", fmt: FMT.index, scalar: { f: `MAX(1,ROUND(${Number.isFinite(serviceParam) ? P(`${b}.serviceLifeMonths`) : P(`${b}.lifeMonths`)},0))`, v: service } });
      rows.push({ key: cohortKey(k, "depMonths"), label: "months depreciated (the shorter of its lives)", fmt: FMT.index, scalar: { f: `MIN(${P(`${b}.lifeMonths`)},${book.scalar(cohortKey(k, "service"))})`, v: depreciating } });
      rows.push({ key: cohortKey(k, "retire"), label: "retired at the end of (month index)", fmt: FMT.index, scalar: { f: `${book.scalar(cohortKey(k, "inService"))}+${book.scalar(cohortKey(k, "service"))}-1`, v: retirement } });
      rows.push({ key: cohortKey(k, "proceeds"), label: "proceeds at retirement (default: salvage)", unit: money, fmt: FMT.amount, scalar: { f: Number.isFinite(proceedsParam) ? `${P(`${b}.count`)}*${P(`${b}.retirementProceedsPerUnit`)}/${scale}` : book.scalar(cohortKey(k, "salvage")), v: proceeds } });
      rows.push({ key: cohortKey(k, "perMonth"), label: "depreciation per month ((cost − salvage) / life)", unit: money, fmt: FMT.amountPrecise, scalar: { f: `(${book.scalar(cohortKey(k, "cost"))}-${book.scalar(cohortKey(k, "salvage"))})/${P(`${b}.lifeMonths`)}`, v: (cost - salvage) / life } });
      const pue = site ? P(`sites.${site.name}.pue`) : P(`${b}.pue`);
      const kw = (p[s.count] * p[s.powerKw] * (site ? p[site.slots.pue] : p[s.pue])) / scale;
      rows.push({ key: cohortKey(k, "kw"), label: `power drawn (count × kW × PUE${site ? " of the site" : ""}), model unit`, fmt: FMT.general, scalar: { f: `${P(`${b}.count`)}*${P(`${b}.powerKw`)}*${pue}/${scale}`, v: kw } });
      const priceKey = site ? `site:${site.name}:powerPrice` : cohortKey(k, "powerPrice");
      if (!site) rows.push({ key: priceKey, label: "power price", unit: `${model.meta.currency} per kWh`, fmt: FMT.price, months: (t) => ({ f: valueOrFormula(`${b}.powerPrice`, spec.powerPrice, t), v: co.powerPrice[t] }) });
      const inS = book.scalar.bind(book, cohortKey(k, "inService"));
      const running = (t: number) => `AND(${T(t)}>=${inS()},${T(t)}<=${book.scalar(cohortKey(k, "retire"))})`;
      const depreciatingNow = (t: number) => `AND(${T(t)}>=${inS()},${T(t)}<${inS()}+${book.scalar(cohortKey(k, "depMonths"))})`;
      rows.push({ key: cohortKey(k, "capex"), label: "capex", unit: money, fmt: FMT.amount, months: (t) => (co.preStart ? { v: 0 } : { f: `IF(${T(t)}=${monthIndexCell(`${b}.purchase`)},${book.scalar(cohortKey(k, "cost"))},0)`, v: series.capex[t] }) });
      rows.push({ key: cohortKey(k, "depreciation"), label: "depreciation", unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(${depreciatingNow(t)},${book.scalar(cohortKey(k, "perMonth"))},0)`, v: series.depreciation[t] }) });
      rows.push({ key: cohortKey(k, "capacity"), label: "capacity (count × capacity per unit-hour × hours)", fmt: FMT.whole, months: (t) => ({ f: `IF(${running(t)},${P(`${b}.count`)}*${P(`${b}.capacityPerUnitHour`)}*${book.at("cal:hours", t)},0)`, v: series.capacity[t] }) });
      rows.push({ key: cohortKey(k, "power"), label: "power cost", unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(${running(t)},${book.scalar(cohortKey(k, "kw"))}*${book.at("cal:hours", t)}*${book.at(priceKey, t)},0)`, v: series.powerCost[t] }) });
      const used = (t: number) => `MIN(${book.scalar(cohortKey(k, "depMonths"))},MAX(0,${T(t)}-${inS()}+1))`;
      const beforeRetirement = (t: number) => `${T(t)}<${book.scalar(cohortKey(k, "retire"))}`;
      rows.push({ key: cohortKey(k, "nbv"), label: "net book value", unit: money, fmt: FMT.amount, months: (t) => ({ f: co.preStart ? `IF(${beforeRetirement(t)},${book.scalar(cohortKey(k, "cost"))}-${book.scalar(cohortKey(k, "perMonth"))}*${used(t)},0)` : `IF(AND(${T(t)}>=${monthIndexCell(`${b}.purchase`)},${beforeRetirement(t)}),${book.scalar(cohortKey(k, "cost"))}-${book.scalar(cohortKey(k, "perMonth"))}*${used(t)},0)`, v: series.netBookValue[t] }) });
      const retires = (t: number) => (co.preStart ? `${T(t)}=${book.scalar(cohortKey(k, "retire"))}` : `AND(${T(t)}=${book.scalar(cohortKey(k, "retire"))},${T(t)}>=${monthIndexCell(`${b}.purchase`)})`);
      rows.push({ key: cohortKey(k, "retirementProceeds"), label: "retirement proceeds (cash, in its last month of service)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(${retires(t)},${book.scalar(cohortKey(k, "proceeds"))},0)`, v: series.retirementProceeds[t] }) });
      rows.push({ key: cohortKey(k, "retirementGain"), label: "gain on retirement (proceeds − book value)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(${retires(t)},${book.scalar(cohortKey(k, "proceeds"))}-(${book.scalar(cohortKey(k, "cost"))}-${book.scalar(cohortKey(k, "perMonth"))}*${book.scalar(cohortKey(k, "depMonths"))}),0)`, v: series.retirementGain[t] }) });
      if (co.preStart) {
        // Bought before the start: its book value the month before the first (engine: evaluateFleet).
        rows.push({ key: cohortKey(k, "nbvStart"), label: "net book value at the start (bought before the horizon; 0 if already retired)", unit: money, fmt: FMT.amount, scalar: { f: `IF(${book.scalar(cohortKey(k, "retire"))}>=0,${book.scalar(cohortKey(k, "cost"))}-${book.scalar(cohortKey(k, "perMonth"))}*MIN(${book.scalar(cohortKey(k, "depMonths"))},MAX(0,-${inS()})),0)`, v: retirement >= 0 ? cost - ((cost - salvage) / life) * Math.min(depreciating, Math.max(0, -inService)) : 0 } });
      }
    });
    if (gpu) gpuRevenueRows(rows);
    if (gpu) {
      const gs = gpu.series;
      rows.push({ label: "GPU cloud detail (values, for reference: the rows above compute what reaches the statements)", style: "section" });
      const detail: [string, ArrayLike<number>, string][] = [
        ["GPU-hours available", gs.available, FMT.whole],
        ["GPU-hours contracted", gs.contractedHours, FMT.whole],
        ["GPU-hours sold on the spot market", gs.spotHours, FMT.whole],
        ["Contract revenue", gs.contractRevenue, FMT.amount],
        ["Spot revenue", gs.spotRevenue, FMT.amount],
        ["Backlog (month end)", gs.backlog, FMT.amount],
      ];
      for (const [label, values, fmt] of detail) rows.push({ label, fmt, unit: fmt === FMT.amount ? money : "GPU-hours", months: (t) => ({ v: Number.isFinite(values[t]) ? values[t] : null }) });
      rows.push({ label: "Utilization (sold ÷ available)", fmt: FMT.percent, months: (t) => ({ v: Number.isFinite(gs.utilization[t]) ? gs.utilization[t] : null }) });
    }
  }

  // ── Debt schedule ───────────────────────────────────────────────────────────────────
  const debtSheet = monthly("Debt schedule", "debt schedule");
  const dRows = debtSheet.rows;
  const trKey = (k: number, what: string) => `tranche:${k}:${what}`;
  const mirror = mirrorTranches(compiled, projection);
  compiled.tranches.forEach((tr, k) => {
    const spec = model.financing.debt[tr.name];
    const b = `financing.debt.${tr.name}`;
    const mi = mirror[k];
    const at = (what: string, t: number) => book.at(trKey(k, what), t);
    const sc = (what: string) => book.scalar(trKey(k, what));
    dRows.push({ label: `Tranche ${tr.name} — ${tr.amortization}${tr.fixed ? ", fixed rate" : `, floating: ${spec.base} + spread`}`, style: "section" });
    const drawTerms = spec.draws.map((_, i) => ({ m: monthIndexCell(`${b}.draws.${i}.month`), a: P(`${b}.draws.${i}.amount`) }));
    dRows.push({ key: trKey(k, "maturity"), label: "final maturity (month index)", fmt: FMT.index, scalar: { f: monthIndexCell(compiled.table.paths[tr.slots.maturity]), v: mi.maturity } });
    dRows.push({
      key: trKey(k, "amortStart"),
      label: "scheduled principal from (month index: the month after the first draw, or the start for an opening balance, + interest-only months)",
      fmt: FMT.index,
      scalar: { f: `IF(${P(`${b}.openingBalance`)}>0,0,MIN(${[...drawTerms.map((d) => `IF(AND(${d.a}>0,${d.m}>=0,${d.m}<${H}),${d.m},${H})`), String(H)].join(",")})+1)+${P(`${b}.interestOnlyMonths`)}`, v: mi.amortStart },
    });
    const rate = (t: number) => (tr.fixed ? P(`${b}.rate`) : `${Number.isFinite(compiled.params[tr.slots.floor]) ? `MAX(${book.at(`drv:${spec.base}`, t)},${P(`${b}.floor`)})` : book.at(`drv:${spec.base}`, t)}+${P(`${b}.spread`)}`);
    dRows.push({ key: trKey(k, "rate"), label: "annual rate", fmt: FMT.percent, months: (t) => ({ f: rate(t), v: projection.tranches[k].rate[t] }) });
    dRows.push({ key: trKey(k, "open"), label: "opening balance", unit: money, fmt: FMT.amount, months: (t) => ({ f: t === 0 ? P(`${b}.openingBalance`) : at("close", t - 1), v: mi.open[t] }) });
    dRows.push({ key: trKey(k, "draw"), label: "draws", unit: money, fmt: FMT.amount, months: (t) => ({ f: sum(drawTerms.map((d) => `IF(${d.m}=${T(t)},${d.a},0)`)), v: mi.draw[t] }) });
    dRows.push({ key: trKey(k, "fee"), label: "upfront fee paid (draws × fee)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `${at("draw", t)}*${P(`${b}.upfrontFee`)}`, v: mi.fee[t] }) });
    dRows.push({ key: trKey(k, "monthsLeft"), label: "months to maturity, this month included", fmt: FMT.index, months: (t) => ({ f: `${sc("maturity")}-${T(t)}+1`, v: mi.maturity - t + 1 }) });
    dRows.push({ key: trKey(k, "interest"), label: "interest (opening balance × rate / 12)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `${at("open", t)}*${at("rate", t)}/12`, v: mi.interest[t] }) });
    dRows.push({ key: trKey(k, "feesOpen"), label: "unamortized fees, opening", unit: money, fmt: FMT.amount, months: (t) => ({ f: t === 0 ? "0" : at("feesClose", t - 1), v: mi.feesOpen[t] }) });
    const expensed = (t: number) => (tr.expenseFees ? "TRUE" : `${at("monthsLeft", t)}<=1`);
    dRows.push({ key: trKey(k, "amort"), label: tr.expenseFees ? "fees expensed when paid (feeTreatment: expense)" : "fee amortization (straight-line to maturity; the rest at maturity)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(${expensed(t)},${at("feesOpen", t)}+${at("fee", t)},${at("feesOpen", t)}/${at("monthsLeft", t)})`, v: mi.amort[t] }) });
    dRows.push({ key: trKey(k, "feesClose"), label: "unamortized fees, closing", unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(${expensed(t)},0,${at("feesOpen", t)}+${at("fee", t)}-${at("amort", t)})`, v: mi.feesClose[t] }) });
    const repayTerms = spec.repayments.map((r, i) => ({ m: monthIndexCell(`${b}.repayments.${i}.month`), a: P(`${b}.repayments.${i}.amount`), refinancing: r.refinancing }));
    const parts = tr.partialMaturities;
    if (parts.length > 0) {
      const partTerm = (part: (typeof parts)[number], i: number) => {
        const m = monthIndexCell(`${b}.maturity.${i}.month`);
        const due = part.share >= 0 ? `(${P(`${b}.openingBalance`)}+SUMIFS(${book.wholeRange(trKey(k, "draw"), H)},${book.wholeRange("cal:t", H)},"<="&${m}))*${P(`${b}.maturity.${i}.share`)}` : P(`${b}.maturity.${i}.amount`);
        return { m, due, refinancing: part.refinancing };
      };
      const terms = parts.map(partTerm);
      dRows.push({ key: trKey(k, "due"), label: "principal due at the earlier maturities", unit: money, fmt: FMT.amount, months: (t) => ({ f: sum(terms.map((x) => `IF(${x.m}=${T(t)},${x.due},0)`)), v: mi.due[t] }) });
      if (terms.some((x) => x.refinancing)) dRows.push({ key: trKey(k, "dueRefinanced"), label: "of which refinanced (not debt service)", unit: money, fmt: FMT.amount, months: (t) => ({ f: sum(terms.filter((x) => x.refinancing).map((x) => `IF(${x.m}=${T(t)},${x.due},0)`)), v: mi.dueRefinanced[t] }) });
    }
    const hasRepayments = spec.repayments.length > 0;
    if (hasRepayments) {
      dRows.push({ key: trKey(k, "repay"), label: "scheduled repayments", unit: money, fmt: FMT.amount, months: (t) => ({ f: sum(repayTerms.map((r) => `IF(${r.m}=${T(t)},${r.a},0)`)), v: mi.repay[t] }) });
      dRows.push({ key: trKey(k, "refinanced"), label: "of which refinanced (not debt service)", unit: money, fmt: FMT.amount, months: (t) => ({ f: sum(repayTerms.filter((r) => r.refinancing).map((r) => `IF(${r.m}=${T(t)},${r.a},0)`)), v: mi.refinanced[t] }) });
    }
    const scheduledPrincipal = (t: number): string => {
      const open = at("open", t);
      switch (tr.amortization) {
        case "straightLine":
          return `${open}/${at("monthsLeft", t)}`;
        case "annuity": {
          const r = `(${at("rate", t)}/12)`;
          const n = at("monthsLeft", t);
          return `MIN(${open},IF(ABS(${r})<1E-12,${open}/${n},${open}*${r}/(1-POWER(1+${r},-${n})))-${at("interest", t)})`;
        }
        case "schedule":
          return `MIN(${open}+${at("draw", t)},${at("repay", t)})`;
        case "bullet":
          return "0";
      }
    };
    const beforeFinal = (t: number) => {
      const regular = `IF(AND(${T(t)}>=${sc("amortStart")},${at("open", t)}>0),${scheduledPrincipal(t)},0)`;
      return parts.length > 0 ? `IF(${at("due", t)}>0,MIN(${at("open", t)}+${at("draw", t)},${regular}+${at("due", t)}),${regular})` : regular;
    };
    dRows.push({ key: trKey(k, "principal"), label: "principal repaid", unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(${T(t)}>=${sc("maturity")},${at("open", t)}+${at("draw", t)},${beforeFinal(t)})`, v: projection.tranches[k].principal[t] }) });
    dRows.push({ key: trKey(k, "close"), label: "closing balance", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `IF(ABS(${at("open", t)}+${at("draw", t)}-${at("principal", t)})<1E-12,0,${at("open", t)}+${at("draw", t)}-${at("principal", t)})`, v: projection.tranches[k].balance[t] }) });
    dRows.push({
      key: trKey(k, "scheduled"),
      label: "scheduled principal (debt service; refinanced repayments excluded)",
      unit: money,
      fmt: FMT.amount,
      months: (t) => {
        const refinancedTerms = [...(hasRepayments ? [at("refinanced", t)] : []), ...(parts.some((x) => x.refinancing) ? [at("dueRefinanced", t)] : [])];
        const regular = refinancedTerms.length ? `${at("principal", t)}-MIN(${at("principal", t)},${sum(refinancedTerms)})` : at("principal", t);
        return { f: tr.finalRefinancing ? `IF(${T(t)}=${sc("maturity")},0,${regular})` : regular, v: mi.scheduled[t] };
      },
    });
    checks.push({ key: trKey(k, "close"), values: projection.tranches[k].balance }, { key: trKey(k, "principal"), values: projection.tranches[k].principal });
  });
  const allTranches = (what: string, t: number) => sum(compiled.tranches.map((_, k) => book.at(trKey(k, what), t)));
  const book_has = (key: string) => debtSheet.rows.some((r) => r.key === key);
  const it = projection.items;
  const rv = compiled.revolver;
  const rvSpec = model.financing.revolver;
  const rvOut = projection.revolver;
  const floorCell = P("meta.cashFloor");
  const rvAt = (what: string, t: number) => book.at(`rv:${what}`, t);
  const finiteParam = (slot: number) => Number.isFinite(compiled.params[slot]);
  if (rv && rvSpec && rvOut) {
    const b = "financing.revolver";
    const p = compiled.params;
    const from = Math.round(p[rv.slots.from]);
    const maturity = finiteParam(rv.slots.maturity) ? Math.round(p[rv.slots.maturity]) : Infinity;
    const hasMaturity = Number.isFinite(maturity);
    const beforeMaturity = (t: number) => (hasMaturity ? `${T(t)}<${monthIndexCell(`${b}.maturity`)}` : "TRUE");
    const afterMaturity = (t: number) => (hasMaturity ? `${T(t)}>=${monthIndexCell(`${b}.maturity`)}` : "FALSE");
    const open = Float64Array.from({ length: H }, (_, t) => (t === 0 ? p[rv.slots.openingBalance] : rvOut.balance[t - 1]));
    const before = Float64Array.from({ length: H }, (_, t) => (t === 0 ? p[compiled.openingSlots.cash] : it.endingCash[t - 1]) + it.netCashFlow[t] - rvOut.drawn[t] + rvOut.repaid[t]);
    dRows.push({ label: `Revolving credit facility — draws to keep cash at the floor, repaid from cash above it${rv.fixed ? ", fixed rate" : `, floating: ${rvSpec.base} + spread`}`, style: "section" });
    dRows.push({ key: "rv:limitInput", label: "commitment (limit) as written", unit: money, fmt: FMT.amount, months: (t) => ({ f: valueOrFormula(`${b}.limit`, rvSpec.limit, t), v: rv.limit[t] }) });
    dRows.push({ key: "rv:available", label: "available (1/0: from its first month, before maturity)", fmt: FMT.index, months: (t) => ({ f: `IF(AND(${T(t)}>=${monthIndexCell(`${b}.from`)},${beforeMaturity(t)}),1,0)`, v: t >= from && t < maturity ? 1 : 0 }) });
    dRows.push({ key: "rv:limit", label: "limit this month", unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(${rvAt("available", t)}=1,MAX(0,${rvAt("limitInput", t)}),0)`, v: rvOut.limit[t] }) });
    const rate = (t: number) => (rv.fixed ? P(`${b}.rate`) : `${finiteParam(rv.slots.floor) ? `MAX(${book.at(`drv:${rvSpec.base}`, t)},${P(`${b}.floor`)})` : book.at(`drv:${rvSpec.base}`, t)}+${P(`${b}.spread`)}`);
    dRows.push({ key: "rv:rate", label: "annual rate", fmt: FMT.percent, months: (t) => ({ f: rate(t), v: rvOut.rate[t] }) });
    dRows.push({ key: "rv:open", label: "opening balance", unit: money, fmt: FMT.amount, months: (t) => ({ f: t === 0 ? P(`${b}.openingBalance`) : rvAt("close", t - 1), v: open[t] }) });
    dRows.push({ key: "rv:interest", label: "interest (opening balance × rate / 12)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `${rvAt("open", t)}*${rvAt("rate", t)}/12`, v: rvOut.interest[t] }) });
    dRows.push({ key: "rv:commitment", label: "commitment fee ((limit − opening balance) × fee / 12)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(${rvAt("available", t)}=1,MAX(0,${rvAt("limit", t)}-${rvAt("open", t)})*${P(`${b}.commitmentFee`)}/12,0)`, v: rvOut.commitmentFee[t] }) });
    dRows.push({ key: "rv:before", label: "cash before the revolver (opening cash + the month's other flows)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `${book.at("cf:opening", t)}+${book.at("cf:operating", t)}+${book.at("cf:investing", t)}+${book.at("cf:financingBefore", t)}`, v: before[t] }) });
    dRows.push({ key: "rv:excess", label: "balance above the limit (repaid)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `MAX(0,${rvAt("open", t)}-${rvAt("limit", t)})`, v: Math.max(0, open[t] - rvOut.limit[t]) }) });
    const left = (t: number) => `(${rvAt("before", t)}-${rvAt("excess", t)})`;
    const owed = (t: number) => `(${rvAt("open", t)}-${rvAt("excess", t)})`;
    const started = (t: number) => `${T(t)}>=${monthIndexCell(`${b}.from`)}`;
    dRows.push({ key: "rv:draw", label: "drawn (up to the limit, to bring cash to the floor)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(${afterMaturity(t)},0,IF(${started(t)},IF(${left(t)}<${floorCell},MAX(0,MIN(${floorCell}-${left(t)},${rvAt("limit", t)}-${owed(t)})),0),0))`, v: rvOut.drawn[t] }) });
    dRows.push({ key: "rv:repay", label: "repaid (from cash above the floor; all at maturity)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(${afterMaturity(t)},${rvAt("open", t)},IF(${started(t)},IF(${left(t)}<${floorCell},0,MIN(${left(t)}-${floorCell},${owed(t)}))+${rvAt("excess", t)},0))`, v: rvOut.repaid[t] }) });
    dRows.push({ key: "rv:close", label: "closing balance", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `IF(ABS(${rvAt("open", t)}+${rvAt("draw", t)}-${rvAt("repay", t)})<1E-12,0,${rvAt("open", t)}+${rvAt("draw", t)}-${rvAt("repay", t)})`, v: rvOut.balance[t] }) });
    dRows.push({ key: "rv:scheduled", label: "repaid at maturity (debt service)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(${afterMaturity(t)},${rvAt("open", t)},0)`, v: t >= maturity ? open[t] : 0 }) });
    checks.push({ key: "rv:close", values: rvOut.balance }, { key: "rv:draw", values: rvOut.drawn }, { key: "rv:repay", values: rvOut.repaid }, { key: "rv:commitment", values: rvOut.commitmentFee });
  }
  const rates = compiled.cashRates;
  const cashRateSpec = model.financing.cash;
  const openingCash = Float64Array.from({ length: H }, (_, t) => (t === 0 ? compiled.params[compiled.openingSlots.cash] : it.endingCash[t - 1]));
  if (rates.income || rates.overdraft) dRows.push({ label: "Interest on cash (on the month's opening balance)", style: "section" });
  if (rates.income && cashRateSpec?.interestRate !== undefined) {
    const spec = cashRateSpec.interestRate;
    const income = rates.income;
    dRows.push({ key: "cash:incomeRate", label: "rate earned on positive cash", fmt: FMT.percent, months: (t) => ({ f: valueOrFormula("financing.cash.interestRate", spec, t), v: income[t] }) });
    dRows.push({ key: "cash:income", label: "interest income", unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(${book.at("cf:opening", t)}>0,${book.at("cf:opening", t)}*${book.at("cash:incomeRate", t)}/12,0)`, v: it.interestIncome[t] }) });
  }
  if (rates.overdraft && cashRateSpec?.overdraftRate !== undefined) {
    const spec = cashRateSpec.overdraftRate;
    const overdraft = rates.overdraft;
    dRows.push({ key: "cash:overdraftRate", label: "rate charged on negative cash", fmt: FMT.percent, months: (t) => ({ f: valueOrFormula("financing.cash.overdraftRate", spec, t), v: overdraft[t] }) });
    dRows.push({ key: "cash:overdraft", label: "overdraft interest", unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(${book.at("cf:opening", t)}>0,0,-${book.at("cf:opening", t)}*${book.at("cash:overdraftRate", t)}/12)`, v: openingCash[t] > 0 ? 0 : (-openingCash[t] * overdraft[t]) / 12 }) });
  }
  const revolverTerm = (what: string, t: number) => (rv ? [rvAt(what, t)] : []);
  dRows.push({ label: "All debt", style: "section" });
  dRows.push({ key: "debt:trancheDrawn", label: "Term debt drawn", unit: money, fmt: FMT.amount, months: (t) => ({ f: allTranches("draw", t), v: it.debtDrawn[t] - it.revolverDrawn[t] }) });
  dRows.push({ key: "debt:trancheRepaid", label: "Term debt repaid", unit: money, fmt: FMT.amount, months: (t) => ({ f: allTranches("principal", t), v: it.debtRepaid[t] - it.revolverRepaid[t] }) });
  dRows.push({ key: "debt:drawn", label: "Debt drawn (term debt and revolver)", unit: money, fmt: FMT.amount, months: (t) => ({ f: sum([book.at("debt:trancheDrawn", t), ...revolverTerm("draw", t)]), v: it.debtDrawn[t] }) });
  dRows.push({ key: "debt:repaid", label: "Debt repaid (term debt and revolver)", unit: money, fmt: FMT.amount, months: (t) => ({ f: sum([book.at("debt:trancheRepaid", t), ...revolverTerm("repay", t)]), v: it.debtRepaid[t] }) });
  dRows.push({ key: "debt:fees", label: "Financing fees paid", unit: money, fmt: FMT.amount, months: (t) => ({ f: allTranches("fee", t), v: it.financingFees[t] }) });
  dRows.push({ key: "debt:cashInterest", label: "Interest paid (tranches, revolver interest and commitment fee, overdraft)", unit: money, fmt: FMT.amount, months: (t) => ({ f: sum([allTranches("interest", t), ...revolverTerm("interest", t), ...revolverTerm("commitment", t), ...(book_has("cash:overdraft") ? [book.at("cash:overdraft", t)] : [])]), v: it.cashInterest[t] }) });
  dRows.push({ key: "debt:feeAmortization", label: "Fee amortization", unit: money, fmt: FMT.amount, months: (t) => ({ f: allTranches("amort", t), v: sumOf(mirror.map((m) => m.amort), t) }) });
  dRows.push({ key: "debt:grossInterest", label: "Interest cost, gross (interest paid + fee amortization)", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `${book.at("debt:cashInterest", t)}+${book.at("debt:feeAmortization", t)}`, v: it.grossInterest[t] }) });
  dRows.push({ key: "debt:interestExpense", label: "Interest expense", unit: money, fmt: FMT.amount, months: (t) => ({ f: book.at("debt:grossInterest", t), v: it.interestExpense[t] }) });
  const openingDebtTerms = [...compiled.tranches.map((tr) => P(`financing.debt.${tr.name}.openingBalance`)), ...(rv ? [P("financing.revolver.openingBalance")] : [])];
  dRows.push({ key: "debt:balance", label: "Debt (principal), closing", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `${t === 0 ? `(${sum(openingDebtTerms)})` : book.at("debt:balance", t - 1)}+${book.at("debt:drawn", t)}-${book.at("debt:repaid", t)}`, v: it.debt[t] }) });
  dRows.push({ key: "debt:unamortized", label: "Unamortized debt costs, closing", unit: money, fmt: FMT.amount, months: (t) => ({ f: allTranches("feesClose", t), v: it.unamortizedFees[t] }) });
  dRows.push({ key: "debt:scheduled", label: "Scheduled principal", unit: money, fmt: FMT.amount, months: (t) => ({ f: sum([allTranches("scheduled", t), ...revolverTerm("scheduled", t)]), v: it.scheduledPrincipal[t] }) });
  dRows.push({ key: "debt:service", label: "Debt service (interest paid + scheduled principal)", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `${book.at("debt:cashInterest", t)}+${book.at("debt:scheduled", t)}`, v: it.debtService[t] }) });

  // ── Interest capitalised on assets not yet in service (financing.capitalizeInterest) ──
  // The engine's rule (engine/statements.ts): each month, on each qualifying asset's cost
  // carried so far (spend to date plus interest already capitalised), the funding tranche's
  // rate on what that tranche can fund and the average rate of the opening debt on the rest;
  // all assets together never more than the month's gross interest. Once the asset is in
  // service the capitalised interest is depreciated over its life; a cohort retired early
  // writes off what is left.
  const capOut = projection.capitalization;
  if (capOut) {
    type Asset = { label: string; live: string; liveAt: number; depMonths: string; depMonthsAt: number; retire: string | null; retireAt: number; base0: string; base0At: number; spend: (t: number) => string; spendAt: ArrayLike<number>; tranche: number };
    const assets: Asset[] = [];
    const p = compiled.params;
    if (compiled.capitalizeInterest.sites) {
      compiled.constructions.forEach((con, i) => {
        const site = gpu!.sites.find((s) => s.construction === i)!;
        const lifePath = `sites.${site.name}.lifeMonths`;
        assets.push({
          label: `site ${site.name}`,
          live: book.scalar(`site:${site.name}:live`),
          liveAt: Math.round(con.live[0]),
          depMonths: hasInput(lifePath) ? P(lifePath) : excelNumber(con.lifeMonths),
          depMonthsAt: con.lifeMonths,
          retire: null,
          retireAt: Infinity,
          base0: "0",
          base0At: 0,
          spend: (t) => book.at(`line:${site.lineName}`, t),
          spendAt: con.spend,
          tranche: con.tranche,
        });
      });
    }
    if (compiled.capitalizeInterest.fleet) {
      compiled.cohorts.forEach((co, k) => {
        const live = projection.cohortService[2 * k];
        const retire = projection.cohortService[2 * k + 1];
        const liveCell = book.scalar(cohortKey(k, "inService"));
        assets.push({
          label: `cohort ${co.name}`,
          live: liveCell,
          liveAt: live,
          depMonths: `MAX(1,${book.scalar(cohortKey(k, "depMonths"))})`,
          depMonthsAt: Math.max(1, Math.min(p[co.slots.lifeMonths], retire - live + 1)),
          retire: book.scalar(cohortKey(k, "retire")),
          retireAt: retire,
          // Bought before the start and not yet in service: its cost carries interest from the first month.
          base0: co.preStart ? `IF(${liveCell}>0,${book.scalar(cohortKey(k, "cost"))},0)` : "0",
          base0At: co.preStart && live > 0 ? (p[co.slots.count] * p[co.slots.unitCost]) / scale : 0,
          spend: (t) => book.at(cohortKey(k, "capex"), t),
          spendAt: projection.cohorts[k].capex,
          tranche: -1,
        });
      });
    }
    // The engine's figures, for the cached values (the same rule, month by month).
    const nA = assets.length;
    const trOpen = (k: number, t: number) => mirror[k].open[t];
    const rvOpenAt = (t: number) => (rv && rvOut ? (t === 0 ? compiled.params[rv.slots.openingBalance] : rvOut.balance[t - 1]) : 0);
    const openDebtAt = Float64Array.from({ length: H }, (_, t) => compiled.tranches.reduce((x, _tr, k) => x + trOpen(k, t), 0) + rvOpenAt(t));
    const rateDebtAt = Float64Array.from({ length: H }, (_, t) => compiled.tranches.reduce((x, _tr, k) => x + trOpen(k, t) * projection.tranches[k].rate[t], 0) + (rvOut ? rvOpenAt(t) * rvOut.rate[t] : 0));
    const avgRateAt = Float64Array.from({ length: H }, (_, t) => (openDebtAt[t] > 0 ? rateDebtAt[t] / openDebtAt[t] : 0));
    const baseAt = assets.map(() => new Float64Array(H));
    const wantedAt = assets.map(() => new Float64Array(H));
    const bookAt = assets.map(() => new Float64Array(H));
    const totalAt = assets.map(() => new Float64Array(H));
    const offAt = assets.map(() => new Float64Array(H));
    const wantedSum = new Float64Array(H);
    const scaleAt = new Float64Array(H);
    for (let t = 0; t < H; t++) {
      for (let a = 0; a < nA; a++) {
        const x = assets[a];
        const base = t === 0 ? x.base0At : t - 1 < x.liveAt ? baseAt[a][t - 1] + x.spendAt[t - 1] + capOut.interest[a][t - 1] : baseAt[a][t - 1];
        baseAt[a][t] = base;
        let v = 0;
        if (t < x.liveAt && base > 0) {
          const specific = x.tranche >= 0 ? Math.min(base, trOpen(x.tranche, t)) : 0;
          v = Math.max(0, (specific * (x.tranche >= 0 ? projection.tranches[x.tranche].rate[t] : 0) + (base - specific) * avgRateAt[t]) / 12);
        }
        wantedAt[a][t] = v;
        wantedSum[t] += v;
      }
      scaleAt[t] = wantedSum[t] > it.grossInterest[t] ? Math.max(0, it.grossInterest[t]) / wantedSum[t] : 1;
      for (let a = 0; a < nA; a++) {
        const x = assets[a];
        const open = (t === 0 ? 0 : bookAt[a][t - 1]) + capOut.interest[a][t];
        totalAt[a][t] = (t === 0 ? 0 : totalAt[a][t - 1]) + capOut.interest[a][t];
        const left = open - capOut.depreciation[a][t];
        offAt[a][t] = t === x.retireAt && t >= x.liveAt && open > 0 ? left : 0;
        bookAt[a][t] = left - offAt[a][t];
      }
    }
    const capKey = (a: number, what: string) => `cap:${a}:${what}`;
    const ca = (a: number, what: string, t: number) => book.at(capKey(a, what), t);
    const trancheOpens = (t: number) => [...compiled.tranches.map((_, k) => book.at(trKey(k, "open"), t)), ...(rv ? [rvAt("open", t)] : [])];
    const trancheRates = (t: number) => [...compiled.tranches.map((_, k) => `${book.at(trKey(k, "open"), t)}*${book.at(trKey(k, "rate"), t)}`), ...(rv ? [`${rvAt("open", t)}*${rvAt("rate", t)}`] : [])];
    dRows.push({ label: "Interest capitalised on assets not yet in service (financing.capitalizeInterest)", style: "section" });
    dRows.push({ key: "cap:openDebt", label: "debt outstanding, opening (tranches and revolver)", unit: money, fmt: FMT.amount, months: (t) => ({ f: sum(trancheOpens(t)), v: openDebtAt[t] }) });
    dRows.push({ key: "cap:avgRate", label: "average rate of the opening debt", fmt: FMT.percent, months: (t) => ({ f: `IF(${book.at("cap:openDebt", t)}>0,(${sum(trancheRates(t))})/${book.at("cap:openDebt", t)},0)`, v: avgRateAt[t] }) });
    assets.forEach((x, a) => {
      const T0 = (t: number) => T(t);
      dRows.push({ label: `Capitalised interest: ${x.label}`, style: "section" });
      dRows.push({ key: capKey(a, "base"), label: "cost carrying interest, opening (spend so far + interest capitalised, until in service)", unit: money, fmt: FMT.amount, months: (t) => ({ f: t === 0 ? x.base0 : `IF(${T0(t - 1)}<${x.live},${ca(a, "base", t - 1)}+${x.spend(t - 1)}+${ca(a, "interest", t - 1)},${ca(a, "base", t - 1)})`, v: baseAt[a][t] }) });
      const rateTerm = (t: number) => {
        if (x.tranche < 0) return `${ca(a, "base", t)}*${book.at("cap:avgRate", t)}`;
        const specific = `MIN(${ca(a, "base", t)},${book.at(trKey(x.tranche, "open"), t)})`;
        return `${specific}*${book.at(trKey(x.tranche, "rate"), t)}+(${ca(a, "base", t)}-${specific})*${book.at("cap:avgRate", t)}`;
      };
      dRows.push({ key: capKey(a, "wanted"), label: x.tranche < 0 ? "interest on it before the cap (× average rate / 12)" : "interest on it before the cap (its tranche's rate on what the tranche funds, the average rate on the rest, / 12)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(AND(${T0(t)}<${x.live},${ca(a, "base", t)}>0),MAX(0,(${rateTerm(t)})/12),0)`, v: wantedAt[a][t] }) });
      dRows.push({ key: capKey(a, "interest"), label: "interest capitalised (× the month's cap)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `${ca(a, "wanted", t)}*${book.at("cap:scale", t)}`, v: capOut.interest[a][t] }) });
      dRows.push({ key: capKey(a, "total"), label: "interest capitalised to date", unit: money, fmt: FMT.amount, months: (t) => ({ f: t === 0 ? ca(a, "interest", t) : `${ca(a, "total", t - 1)}+${ca(a, "interest", t)}`, v: totalAt[a][t] }) });
      const bookOpen = (t: number) => (t === 0 ? ca(a, "interest", t) : `(${ca(a, "book", t - 1)}+${ca(a, "interest", t)})`);
      dRows.push({ key: capKey(a, "depreciation"), label: "depreciation (capitalised to date ÷ its months of depreciation, once in service)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(AND(${T0(t)}>=${x.live},${T0(t)}<${x.live}+${x.depMonths},${bookOpen(t)}>0),MIN(${bookOpen(t)},${ca(a, "total", t)}/${x.depMonths}),0)`, v: capOut.depreciation[a][t] }) });
      if (x.retire !== null) dRows.push({ key: capKey(a, "writtenOff"), label: "written off at retirement (not yet depreciated)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `IF(AND(${T0(t)}=${x.retire},${T0(t)}>=${x.live},${bookOpen(t)}>0),${bookOpen(t)}-${ca(a, "depreciation", t)},0)`, v: offAt[a][t] }) });
      dRows.push({ key: capKey(a, "book"), label: "book value of the capitalised interest, closing", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `${bookOpen(t)}-${ca(a, "depreciation", t)}${x.retire !== null ? `-${ca(a, "writtenOff", t)}` : ""}`, v: bookAt[a][t] }) });
    });
    dRows.push({ label: "Capitalised interest, all assets", style: "section" });
    dRows.push({ key: "cap:wanted", label: "interest to capitalise before the cap", unit: money, fmt: FMT.amount, months: (t) => ({ f: sum(assets.map((_, a) => ca(a, "wanted", t))), v: wantedSum[t] }) });
    dRows.push({ key: "cap:scale", label: "cap: never more than the month's gross interest (share kept)", fmt: FMT.general, months: (t) => ({ f: `IF(${book.at("cap:wanted", t)}>${book.at("debt:grossInterest", t)},MAX(0,${book.at("debt:grossInterest", t)})/${book.at("cap:wanted", t)},1)`, v: scaleAt[t] }) });
    dRows.push({ key: "cap:interest", label: "interest capitalised", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: sum(assets.map((_, a) => ca(a, "interest", t))), v: it.capitalizedInterest[t] }) });
    dRows.push({ key: "cap:depreciation", label: "depreciation of capitalised interest", unit: money, fmt: FMT.amount, months: (t) => ({ f: sum(assets.map((_, a) => ca(a, "depreciation", t))), v: capOut.depreciation.reduce((s2, d) => s2 + d[t], 0) }) });
    dRows.push({ key: "cap:writtenOff", label: "written off at retirement", unit: money, fmt: FMT.amount, months: (t) => ({ f: sum(assets.flatMap((x, a) => (x.retire !== null ? [ca(a, "writtenOff", t)] : []))), v: offAt.reduce((s2, o) => s2 + o[t], 0) }) });
  }

  // ── Income statement ────────────────────────────────────────────────────────────────
  const is = monthly("Income statement", "income statement");
  const linesOf = (type: string, filter: (l: (typeof compiled.lines)[number]) => boolean = () => true) => compiled.lines.filter((l) => l.type === type && filter(l));
  const lineSum = (type: string, t: number, filter?: (l: (typeof compiled.lines)[number]) => boolean) => linesOf(type, filter).map((l) => book.at(`line:${l.name}`, t));
  const oneOffSum = (lands: string, t: number, category?: string) => oneOffsLanding(lands, category).map((o) => book.at(`oneoff:${o.name}`, t));
  const cohortSum = (what: string, t: number) => compiled.cohorts.map((_, k) => book.at(cohortKey(k, what), t));
  const neg = (terms: string[]) => terms.map((x) => `-${x}`).join("");
  const recurring = Float64Array.from({ length: H }, (_, t) => linesOf("revenue").reduce((s, l) => s + projection.lineValues[compiled.lines.indexOf(l)][t], 0));
  is.rows.push({ key: "is:recurring", label: "Revenue from lines (recurring; receivables are on it)", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: sum(lineSum("revenue", t)), v: recurring[t] }) });
  is.rows.push({ key: "is:revenue", label: "Revenue", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `${book.at("is:recurring", t)}${oneOffSum("revenue", t).map((x) => `+${x}`).join("")}`, v: it.revenue[t] }) });
  is.rows.push({ key: "is:powerCost", label: "of cost of revenue: fleet power", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: sum(cohortSum("power", t)), v: it.powerCost[t] }) });
  is.rows.push({ key: "is:costOfRevenue", label: "Cost of revenue", unit: money, fmt: FMT.amount, months: (t) => ({ f: `${sum(lineSum("costOfRevenue", t))}+${book.at("is:powerCost", t)}${neg(oneOffSum("costOfRevenue", t))}`, v: it.costOfRevenue[t] }) });
  is.rows.push({ key: "is:grossProfit", label: "Gross profit", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `${book.at("is:revenue", t)}-${book.at("is:costOfRevenue", t)}`, v: it.grossProfit[t] }) });
  compiled.categories.forEach((category, i) => {
    is.rows.push({ key: `is:opex:${category}`, label: `  ${category}`, unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: `${sum(lineSum("operatingExpense", t, (l) => l.category === category))}${neg(oneOffSum("operatingExpense", t, category))}`, v: projection.opexByCategory[i][t] }) });
  });
  is.rows.push({ key: "is:opex", label: "Operating expenses", unit: money, fmt: FMT.amount, months: (t) => ({ f: sum(compiled.categories.map((c) => book.at(`is:opex:${c}`, t))), v: it.operatingExpenses[t] }) });
  is.rows.push({ key: "is:ebitda", label: "EBITDA", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `${book.at("is:grossProfit", t)}-${book.at("is:opex", t)}`, v: it.ebitda[t] }) });
  // Depreciation: opening PP&E, capex refunds, capex lines, cohorts.
  const ob = model.openingBalance;
  const ppeLife = Math.max(1, Math.round(compiled.params[compiled.openingSlots.ppeLife]));
  const openingDep = Float64Array.from({ length: H }, (_, t) => (t < ppeLife ? compiled.params[compiled.openingSlots.ppeNet] / ppeLife : 0));
  const lifeCell = `MAX(1,ROUND(${P("openingBalance.ppeRemainingLifeMonths")},0))`;
  is.rows.push({ key: "is:depOpening", label: "  depreciation of opening PP&E (straight-line over its remaining life)", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: `IF(${T(t)}<${lifeCell},${P("openingBalance.ppeNet")}/${lifeCell},0)`, v: openingDep[t] }) });
  for (const o of oneOffsLanding("capex")) {
    const b = `oneOffs.${o.name}`;
    const m = Math.round(compiled.params[o.slots.month]);
    const per = compiled.params[o.slots.amount] / o.lifeMonths;
    is.rows.push({ key: `is:refund:${o.name}`, label: `  less: capex refund ${o.name} (lower cost over ${o.lifeMonths} months)`, unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: `IF(AND(${T(t)}>=${monthIndexCell(`${b}.month`)},${T(t)}<${monthIndexCell(`${b}.month`)}+${P(`${b}.lifeMonths`)}),${P(`${b}.amount`)}/${P(`${b}.lifeMonths`)},0)`, v: t >= m && t < m + o.lifeMonths ? per : 0 }) });
  }
  for (const line of linesOf("capex")) {
    const l = compiled.lines.indexOf(line);
    const lifePath = line.computed ? `sites.${line.name.replace(/^capex: site /, "")}.lifeMonths` : `lines.${line.name}.lifeMonths`;
    const values = projection.lineValues[l];
    const placedFrom = line.placedFrom ? Math.round(line.placedFrom[0]) : null;
    const dep = Float64Array.from({ length: H }, (_, t) => {
      const L = line.lifeMonths;
      let cum = 0;
      let cumBefore = 0;
      for (let u = 0; u <= t; u++) {
        cum += values[u];
        if (u <= t - L) cumBefore += values[u];
      }
      if (placedFrom === null) return (cum - cumBefore) / L;
      // Engine (sumLines): built before use — spend waits until the asset is placed in service.
      const placed = t >= placedFrom ? cum : 0;
      const gone = t - L >= placedFrom && t >= L ? cumBefore : 0;
      return (placed - gone) / L;
    });
    const siteLive = line.placedFrom && siteOfCapexLine.has(line.name) ? book.scalar(`site:${gpu!.sites[siteOfCapexLine.get(line.name)!].name}:live`) : null;
    is.rows.push({ key: `is:dep:${line.name}`, label: `  depreciation of ${line.name} (spend of the last lifeMonths ÷ lifeMonths)`, unit: money, fmt: FMT.amount, style: "detail", months: (t) => {
        if (siteLive === null) return { f: `SUMIFS(${book.range(`line:${line.name}`, 0, t)},${book.range("cal:t", 0, t)},">"&(${T(t)}-${P(lifePath)}))/${P(lifePath)}`, v: dep[t] };
        const L = P(lifePath);
        const upTo = (bound: string) => `SUMIFS(${book.range(`line:${line.name}`, 0, t)},${book.range("cal:t", 0, t)},"<="&(${bound}))`;
        return { f: `(IF(${T(t)}>=${siteLive},${upTo(T(t))},0)-IF(AND(${T(t)}-${L}>=${siteLive},${T(t)}>=${L}),${upTo(`${T(t)}-${L}`)},0))/${L}`, v: dep[t] };
      } });
  }
  if (capOut) {
    is.rows.push({ key: "is:capDepreciation", label: "  depreciation of capitalised interest", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: book.at("cap:depreciation", t), v: capOut.depreciation.reduce((x, a) => x + a[t], 0) }) });
    is.rows.push({ key: "is:capitalized", label: "  interest capitalised (added to PP&E, not expensed)", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: book.at("cap:interest", t), v: it.capitalizedInterest[t] }) });
  }
  is.rows.push({ key: "is:depreciation", label: "Depreciation", unit: money, fmt: FMT.amount, months: (t) => ({ f: `${book.at("is:depOpening", t)}${neg(oneOffsLanding("capex").map((o) => book.at(`is:refund:${o.name}`, t)))}${linesOf("capex").map((l) => `+${book.at(`is:dep:${l.name}`, t)}`).join("")}${cohortSum("depreciation", t).map((x) => `+${x}`).join("")}${capOut ? `+${book.at("is:capDepreciation", t)}` : ""}`, v: it.depreciation[t] }) });
  is.rows.push({ key: "is:ebit", label: "EBIT", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `${book.at("is:ebitda", t)}-${book.at("is:depreciation", t)}`, v: it.ebit[t] }) });
  is.rows.push({ key: "is:interest", label: "Interest expense", unit: money, fmt: FMT.amount, months: (t) => ({ f: `${book.at("debt:interestExpense", t)}${capOut ? `-${book.at("is:capitalized", t)}` : ""}`, v: it.interestExpense[t] }) });
  is.rows.push({ key: "is:disposalGain", label: "Gain (loss) on retiring assets", unit: money, fmt: FMT.amount, months: (t) => ({ f: `${sum(cohortSum("retirementGain", t))}${capOut ? `-${book.at("cap:writtenOff", t)}` : ""}`, v: it.disposalGain[t] }) });
  is.rows.push({ key: "is:interestIncome", label: "Interest income (on cash)", unit: money, fmt: FMT.amount, months: (t) => ({ f: book_has("cash:income") ? book.at("cash:income", t) : "0", v: it.interestIncome[t] }) });
  is.rows.push({ key: "is:netInterest", label: "Interest expense, net", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: `${book.at("is:interest", t)}-${book.at("is:interestIncome", t)}`, v: it.netInterestExpense[t] }) });
  is.rows.push({ key: "is:otherIncome", label: "Other income", unit: money, fmt: FMT.amount, months: (t) => ({ f: sum(oneOffSum("otherIncome", t)), v: it.otherIncome[t] }) });
  is.rows.push({ key: "is:pretax", label: "Pre-tax income", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `${book.at("is:ebit", t)}-${book.at("is:interest", t)}+${book.at("is:interestIncome", t)}+${book.at("is:otherIncome", t)}+${book.at("is:disposalGain", t)}`, v: it.pretaxIncome[t] }) });
  // Tax as the engine computes it (statements() in engine/statements.ts): on the fiscal year's
  // income to date; losses carried in at the year's start offset at most lossOffsetLimit of
  // it; each month pays the year's tax so far less what the year's earlier months paid.
  const fiscalYearOf = compiled.calendar.fiscalYear;
  const startsYear = (t: number) => t === 0 || fiscalYearOf[t] !== fiscalYearOf[t - 1];
  const taxRateValue = compiled.params[compiled.slots.taxRate];
  const lossLimitValue = compiled.params[compiled.slots.lossOffsetLimit];
  const nolYearStart = new Float64Array(H);
  const incomeYtd = new Float64Array(H);
  const nolUsed = new Float64Array(H);
  const taxYtd = new Float64Array(H);
  for (let t = 0; t < H; t++) {
    nolYearStart[t] = startsYear(t) ? (t === 0 ? compiled.params[compiled.slots.lossCarryforward] : it.lossCarryforward[t - 1]) : nolYearStart[t - 1];
    incomeYtd[t] = (startsYear(t) ? 0 : incomeYtd[t - 1]) + it.pretaxIncome[t];
    nolUsed[t] = incomeYtd[t] > 0 ? Math.min(nolYearStart[t], lossLimitValue * incomeYtd[t]) : 0;
    taxYtd[t] = incomeYtd[t] > nolUsed[t] ? taxRateValue * (incomeYtd[t] - nolUsed[t]) : 0;
  }
  const nolPath = compiled.table.paths[compiled.slots.lossCarryforward];
  is.rows.push({ key: "is:nolYearStart", label: "  tax loss carry-forward at the fiscal year's start", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: startsYear(t) ? (t === 0 ? P(nolPath) : book.at("is:nolClose", t - 1)) : book.at("is:nolYearStart", t - 1), v: nolYearStart[t] }) });
  is.rows.push({ key: "is:incomeYtd", label: "  pre-tax income, fiscal year to date", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: startsYear(t) ? book.at("is:pretax", t) : `${book.at("is:incomeYtd", t - 1)}+${book.at("is:pretax", t)}`, v: incomeYtd[t] }) });
  is.rows.push({ key: "is:nolUsed", label: "  losses used against the year's profit to date (at most lossOffsetLimit of it)", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: `IF(${book.at("is:incomeYtd", t)}>0,MIN(${book.at("is:nolYearStart", t)},${P("tax.lossOffsetLimit")}*${book.at("is:incomeYtd", t)}),0)`, v: nolUsed[t] }) });
  is.rows.push({ key: "is:taxYtd", label: "  tax due on the year to date", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: `IF(${book.at("is:incomeYtd", t)}>${book.at("is:nolUsed", t)},${P("tax.rate")}*(${book.at("is:incomeYtd", t)}-${book.at("is:nolUsed", t)}),0)`, v: taxYtd[t] }) });
  is.rows.push({ key: "is:taxes", label: "Taxes (the year's tax to date less what its earlier months paid)", unit: money, fmt: FMT.amount, months: (t) => ({ f: startsYear(t) ? book.at("is:taxYtd", t) : `${book.at("is:taxYtd", t)}-${book.at("is:taxYtd", t - 1)}`, v: it.taxes[t] }) });
  is.rows.push({ key: "is:nolClose", label: "  tax loss carry-forward, closing", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: `${book.at("is:nolYearStart", t)}-${book.at("is:nolUsed", t)}+IF(${book.at("is:incomeYtd", t)}<0,-${book.at("is:incomeYtd", t)},0)`, v: it.lossCarryforward[t] }) });
  is.rows.push({ key: "is:netIncome", label: "Net income", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `${book.at("is:pretax", t)}-${book.at("is:taxes", t)}`, v: it.netIncome[t] }) });

  // ── Cash flow ───────────────────────────────────────────────────────────────────────
  const cf = monthly("Cash flow", "cash-flow statement (indirect)");
  const nonCashLines = linesOf("operatingExpense", (l) => l.nonCash);
  const nonCash = Float64Array.from({ length: H }, (_, t) => nonCashLines.reduce((s, l) => s + projection.lineValues[compiled.lines.indexOf(l)][t], 0));
  const prevBalance = (values: ArrayLike<number>, opening: number, t: number) => (t === 0 ? opening : values[t - 1]);
  cf.rows.push({ key: "cf:netIncome", label: "Net income", unit: money, fmt: FMT.amount, months: (t) => ({ f: book.at("is:netIncome", t), v: it.netIncome[t] }) });
  cf.rows.push({ key: "cf:depreciation", label: "+ depreciation", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: book.at("is:depreciation", t), v: it.depreciation[t] }) });
  cf.rows.push({ key: "cf:feeAmortization", label: "+ amortization of debt costs", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: book.at("debt:feeAmortization", t), v: sumOf(mirror.map((m) => m.amort), t) }) });
  cf.rows.push({ key: "cf:nonCash", label: "+ expenses settled in shares", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: sum(nonCashLines.map((l) => book.at(`line:${l.name}`, t))), v: nonCash[t] }) });
  cf.rows.push({ key: "cf:receivables", label: "− increase in receivables", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: `-(${book.at("bs:receivables", t)}-${t === 0 ? P("openingBalance.receivables") : book.at("bs:receivables", t - 1)})`, v: -(it.receivables[t] - prevBalance(it.receivables, projection.opening.receivables, t)) }) });
  cf.rows.push({ key: "cf:payables", label: "+ increase in payables", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: `${book.at("bs:payables", t)}-${t === 0 ? P("openingBalance.payables") : book.at("bs:payables", t - 1)}`, v: it.payables[t] - prevBalance(it.payables, projection.opening.payables, t) }) });
  cf.rows.push({ key: "cf:disposalGain", label: "− gain on retiring assets (its cash is in investing)", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: `-${book.at("is:disposalGain", t)}`, v: -it.disposalGain[t] }) });
  cf.rows.push({ key: "cf:operating", label: "Operating cash flow", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: ["cf:netIncome", "cf:depreciation", "cf:feeAmortization", "cf:nonCash", "cf:disposalGain", "cf:receivables", "cf:payables"].map((k) => book.at(k, t)).join("+"), v: it.operatingCashFlow[t] }) });
  cf.rows.push({ key: "cf:capex", label: "Capital expenditure", unit: money, fmt: FMT.amount, months: (t) => ({ f: `${sum([...lineSum("capex", t), ...cohortSum("capex", t)])}${neg(oneOffSum("capex", t))}${capOut ? `+${book.at("is:capitalized", t)}` : ""}`, v: it.capex[t] }) });
  cf.rows.push({ key: "cf:proceeds", label: "Proceeds from retiring assets", unit: money, fmt: FMT.amount, months: (t) => ({ f: sum(cohortSum("retirementProceeds", t)), v: it.disposalProceeds[t] }) });
  cf.rows.push({ key: "cf:investing", label: "Investing cash flow", unit: money, fmt: FMT.amount, months: (t) => ({ f: `${book.at("cf:proceeds", t)}-${book.at("cf:capex", t)}`, v: it.investingCashFlow[t] }) });
  cf.rows.push({ key: "cf:free", label: "Free cash flow (operating − capex)", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `${book.at("cf:operating", t)}-${book.at("cf:capex", t)}`, v: it.freeCashFlow[t] }) });
  for (const round of compiled.rounds) {
    const b = `financing.equity.${round.name}`;
    cf.rows.push({ key: `cf:round:${round.name}`, label: `  equity round ${round.name}`, unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: `IF(${monthIndexCell(`${b}.month`)}=${T(t)},${P(`${b}.amount`)},0)`, v: Math.round(compiled.params[round.slots.month]) === t ? compiled.params[round.slots.amount] : 0 }) });
  }
  cf.rows.push({ key: "cf:equity", label: "Equity raised", unit: money, fmt: FMT.amount, months: (t) => ({ f: sum([...compiled.rounds.map((r) => book.at(`cf:round:${r.name}`, t)), ...oneOffSum("equity", t)]), v: it.equityRaised[t] }) });
  cf.rows.push({ key: "cf:trancheDrawn", label: "Term debt drawn", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: book.at("debt:trancheDrawn", t), v: it.debtDrawn[t] - it.revolverDrawn[t] }) });
  cf.rows.push({ key: "cf:trancheRepaid", label: "Term debt repaid", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: book.at("debt:trancheRepaid", t), v: it.debtRepaid[t] - it.revolverRepaid[t] }) });
  cf.rows.push({ key: "cf:fees", label: "Financing fees paid", unit: money, fmt: FMT.amount, months: (t) => ({ f: book.at("debt:fees", t), v: it.financingFees[t] }) });
  cf.rows.push({ key: "cf:financingBefore", label: "Financing before the revolver", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: `${book.at("cf:equity", t)}+${book.at("cf:trancheDrawn", t)}-${book.at("cf:trancheRepaid", t)}-${book.at("cf:fees", t)}`, v: it.financingCashFlow[t] - it.revolverDrawn[t] + it.revolverRepaid[t] }) });
  if (rv) cf.rows.push({ key: "cf:revolver", label: "Revolver drawn − repaid", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: `${rvAt("draw", t)}-${rvAt("repay", t)}`, v: it.revolverDrawn[t] - it.revolverRepaid[t] }) });
  cf.rows.push({ key: "cf:drawn", label: "Debt drawn", unit: money, fmt: FMT.amount, months: (t) => ({ f: book.at("debt:drawn", t), v: it.debtDrawn[t] }) });
  cf.rows.push({ key: "cf:repaid", label: "Debt repaid", unit: money, fmt: FMT.amount, months: (t) => ({ f: book.at("debt:repaid", t), v: it.debtRepaid[t] }) });
  cf.rows.push({ key: "cf:financing", label: "Financing cash flow", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `${book.at("cf:financingBefore", t)}${rv ? `+${book.at("cf:revolver", t)}` : ""}`, v: it.financingCashFlow[t] }) });
  cf.rows.push({ key: "cf:net", label: "Net change in cash", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `${book.at("cf:operating", t)}+${book.at("cf:investing", t)}+${book.at("cf:financing", t)}`, v: it.netCashFlow[t] }) });
  cf.rows.push({ key: "cf:opening", label: "Cash, opening", unit: money, fmt: FMT.amount, months: (t) => ({ f: t === 0 ? P("openingBalance.cash") : book.at("cf:ending", t - 1), v: openingCash[t] }) });
  cf.rows.push({ key: "cf:ending", label: "Cash, closing", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `${book.at("cf:opening", t)}+${book.at("cf:net", t)}`, v: it.endingCash[t] }) });

  // ── Balance sheet ───────────────────────────────────────────────────────────────────
  const bs = monthly("Balance sheet", "balance sheet (month end)");
  const fleetNbvTerms = compiled.cohorts.map((co, k) => (co.preStart ? book.scalar(cohortKey(k, "nbvStart")) : null)).filter((x): x is string => x !== null);
  bs.rows.push({ key: "bs:cash", label: "Cash", unit: money, fmt: FMT.amount, months: (t) => ({ f: book.at("cf:ending", t), v: it.endingCash[t] }) });
  bs.rows.push({ key: "bs:receivables", label: "Receivables (recurring revenue ÷ days × receivable days)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `${book.at("is:recurring", t)}/${book.at("cal:days", t)}*${P("workingCapital.receivableDays")}`, v: it.receivables[t] }) });
  bs.rows.push({ key: "bs:ppe", label: "Net PP&E", unit: money, fmt: FMT.amount, months: (t) => ({ f: `${t === 0 ? `(${sum([P("openingBalance.ppeNet"), ...fleetNbvTerms])})` : book.at("bs:ppe", t - 1)}+${book.at("cf:capex", t)}-${book.at("is:depreciation", t)}-(${book.at("cf:proceeds", t)}-${book.at("is:disposalGain", t)})`, v: it.ppeNet[t] }) });
  bs.rows.push({ key: "bs:assets", label: "Total assets", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `${book.at("bs:cash", t)}+${book.at("bs:receivables", t)}+${book.at("bs:ppe", t)}`, v: it.totalAssets[t] }) });
  bs.rows.push({ key: "bs:debt", label: "Debt (principal)", unit: money, fmt: FMT.amount, months: (t) => ({ f: book.at("debt:balance", t), v: it.debt[t] }) });
  if (rv) bs.rows.push({ key: "bs:revolver", label: "  of which revolver", unit: money, fmt: FMT.amount, style: "detail", months: (t) => ({ f: rvAt("close", t), v: it.revolverBalance[t] }) });
  bs.rows.push({ key: "bs:unamortized", label: "Less unamortized debt costs", unit: money, fmt: FMT.amount, months: (t) => ({ f: book.at("debt:unamortized", t), v: it.unamortizedFees[t] }) });
  bs.rows.push({ key: "bs:payables", label: "Payables ((cost of revenue + opex − share-settled) ÷ days × payable days)", unit: money, fmt: FMT.amount, months: (t) => ({ f: `(${book.at("is:costOfRevenue", t)}+${book.at("is:opex", t)}-${book.at("cf:nonCash", t)})/${book.at("cal:days", t)}*${P("workingCapital.payableDays")}`, v: it.payables[t] }) });
  bs.rows.push({ key: "bs:liabilities", label: "Total liabilities", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `${book.at("bs:debt", t)}-${book.at("bs:unamortized", t)}+${book.at("bs:payables", t)}`, v: it.totalLiabilities[t] }) });
  bs.rows.push({ key: "bs:paidIn", label: "Paid-in capital", unit: money, fmt: FMT.amount, months: (t) => ({ f: `${t === 0 ? P("openingBalance.paidInCapital") : book.at("bs:paidIn", t - 1)}+${book.at("cf:equity", t)}+${book.at("cf:nonCash", t)}`, v: it.paidInCapital[t] }) });
  const o = projection.opening;
  const openingRetained = o.cash + o.receivables + o.ppe - o.debt - o.payables - o.paidInCapital;
  bs.rows.push({
    key: "bs:openingRetained",
    label: "Retained earnings at the start (the balancing figure: assets − debt − payables − paid-in capital)",
    unit: money,
    fmt: FMT.amount,
    style: "detail",
    scalar: { f: `${P("openingBalance.cash")}+${P("openingBalance.receivables")}+${P("openingBalance.ppeNet")}${fleetNbvTerms.map((x) => `+${x}`).join("")}-(${sum(openingDebtTerms)})-${P("openingBalance.payables")}-${P("openingBalance.paidInCapital")}`, v: openingRetained },
  });
  bs.rows.push({ key: "bs:retained", label: "Retained earnings", unit: money, fmt: FMT.amount, months: (t) => ({ f: `${t === 0 ? book.scalar("bs:openingRetained") : book.at("bs:retained", t - 1)}+${book.at("is:netIncome", t)}`, v: it.retainedEarnings[t] }) });
  bs.rows.push({ key: "bs:equity", label: "Total equity", unit: money, fmt: FMT.amount, style: "total", months: (t) => ({ f: `${book.at("bs:paidIn", t)}+${book.at("bs:retained", t)}`, v: it.equity[t] }) });
  bs.rows.push({ key: "bs:check", label: "Check: assets − liabilities − equity (0 every month)", unit: money, fmt: FMT.amountPrecise, style: "check", months: (t) => ({ f: `${book.at("bs:assets", t)}-${book.at("bs:liabilities", t)}-${book.at("bs:equity", t)}`, v: it.totalAssets[t] - it.totalLiabilities[t] - it.equity[t] }) });
  // Helper rows for the metrics (first month a condition holds, found with MATCH).
  bs.rows.push({ label: "Helper rows for the Metrics sheet", style: "section" });
  bs.rows.push({ key: "m:cashNegative", label: "cash below zero (1/0)", fmt: FMT.index, months: (t) => ({ f: `IF(${book.at("bs:cash", t)}<0,1,0)`, v: it.endingCash[t] < 0 ? 1 : 0 }) });
  const breakevenFlags = new Float64Array(H);
  for (let t = H - 1; t >= 0; t--) breakevenFlags[t] = it.netIncome[t] >= 0 && (t === H - 1 || breakevenFlags[t + 1] === 1) ? 1 : 0;
  bs.rows.push({ key: "m:profitableOn", label: "net income ≥ 0 from this month to the end (1/0)", fmt: FMT.index, months: (t) => ({ f: t === H - 1 ? `IF(${book.at("is:netIncome", t)}>=0,1,0)` : `IF(AND(${book.at("is:netIncome", t)}>=0,${book.at("m:profitableOn", t + 1)}=1),1,0)`, v: breakevenFlags[t] }) });
  bs.rows.push({ key: "m:fcfPositive", label: "free cash flow above zero (1/0)", fmt: FMT.index, months: (t) => ({ f: `IF(${book.at("cf:free", t)}>0,1,0)`, v: it.freeCashFlow[t] > 0 ? 1 : 0 }) });

  // Ratios (Debt schedule, after the statements they read).
  const r = projection.ratios;
  const blankIfNaN = (v: number) => (Number.isFinite(v) ? v : "");
  const ltm = (key: string, t: number) => `SUM(${book.range(key, Math.max(0, t - 11), t)})`;
  dRows.push({ label: "Ratios", style: "section" });
  dRows.push({ key: "ratio:dscr", label: "DSCR ((EBITDA − taxes) ÷ debt service; blank without debt service)", fmt: FMT.ratio, months: (t) => ({ f: `IF(${book.at("debt:service", t)}>1E-12,(${book.at("is:ebitda", t)}-${book.at("is:taxes", t)})/${book.at("debt:service", t)},"")`, v: blankIfNaN(r.dscr[t]) }) });
  dRows.push({ key: "ratio:dscrLtm", label: "DSCR, last twelve months", fmt: FMT.ratio, months: (t) => ({ f: `IF(${ltm("debt:service", t)}>1E-12,(${ltm("is:ebitda", t)}-${ltm("is:taxes", t)})/${ltm("debt:service", t)},"")`, v: blankIfNaN(r.dscrLtm[t]) }) });
  dRows.push({ key: "ratio:icLtm", label: "Interest coverage, last twelve months (EBITDA ÷ interest paid)", fmt: FMT.ratio, months: (t) => ({ f: `IF(${ltm("debt:cashInterest", t)}>1E-12,${ltm("is:ebitda", t)}/${ltm("debt:cashInterest", t)},"")`, v: blankIfNaN(r.interestCoverageLtm[t]) }) });
  dRows.push({ key: "ratio:ndLtm", label: "Net debt ÷ EBITDA, last twelve months annualized", fmt: FMT.ratio, months: (t) => ({ f: `IF(${ltm("is:ebitda", t)}*12/${Math.min(t + 1, 12)}>1E-12,(${book.at("bs:debt", t)}-${book.at("bs:cash", t)})/(${ltm("is:ebitda", t)}*12/${Math.min(t + 1, 12)}),"")`, v: blankIfNaN(r.netDebtToEbitdaLtm[t]) }) });
  // Covenant tests.
  compiled.covenants.forEach((cov, c) => {
    const valueKey = cov.metric === "dscr" ? (cov.ltm ? "ratio:dscrLtm" : "ratio:dscr") : cov.metric === "interestCoverage" ? (cov.ltm ? "ratio:icLtm" : null) : cov.metric === "netDebtToEbitda" ? (cov.ltm ? "ratio:ndLtm" : null) : "bs:cash";
    const limit = P(`financing.covenants.${cov.name}.${cov.bound}`);
    const breaches = projectionBreaches(projection, cov.name);
    const monthValue = (t: number) =>
      cov.metric === "interestCoverage" ? `IF(${book.at("debt:cashInterest", t)}>1E-12,${book.at("is:ebitda", t)}/${book.at("debt:cashInterest", t)},"")` : `IF(${book.at("is:ebitda", t)}*12>1E-12,(${book.at("bs:debt", t)}-${book.at("bs:cash", t)})/(${book.at("is:ebitda", t)}*12),"")`;
    dRows.push({
      key: `cov:${c}`,
      label: `Covenant ${cov.name}: ${cov.metric} ${cov.bound} (${cov.ltm ? "LTM" : "month"}, ${cov.quarterly ? "quarter ends" : "monthly"}) — 1 = breached`,
      fmt: FMT.index,
      months: (t) => {
        const tested = t >= cov.fromIndex && (!cov.quarterly || t === H - 1 || cal.fiscalQuarter[t + 1] !== cal.fiscalQuarter[t]);
        if (!tested) return { v: 0 };
        const v = valueKey ? book.at(valueKey, t) : `(${monthValue(t)})`;
        const undefinedBreach = cov.metric === "netDebtToEbitda" ? `IF(${book.at("bs:debt", t)}-${book.at("bs:cash", t)}>1E-9,1,0)` : "0";
        const test = cov.bound === "min" ? `IF(${v}<${limit},1,0)` : `IF(${v}>${limit},1,0)`;
        return { f: `IF(${v}="",${undefinedBreach},${test})`, v: breaches.has(t) ? 1 : 0 };
      },
    });
  });

  // ── Metrics ─────────────────────────────────────────────────────────────────────────
  const metrics = book.add({ name: "Metrics", monthly: false, title: `${company} — metrics${scenarioText}`, subtitle: `Live formulas over the statements; amounts in ${money}.`, headers: ["Metric", "Unit", "Value", "Month", "Definition"], widths: [44, 16, 16, 12, 90], rows: [] });
  const mt = result.metrics;
  const labels = book.wholeRange("cal:label", H);
  const whole = (key: string) => book.wholeRange(key, H);
  const monthOf = (indexCell: string) => `IF(${indexCell}<0,"not within the horizon",INDEX(${labels},1,${indexCell}+1))`;
  const mrow = (key: string, label: string, unit: string, fmt: string, f: string, v: number | string | null, month: string | null, definition: string) => metrics.rows.push({ key, label, unit, fmt, scalar: { f, v }, texts: [month, definition] });
  const idx = (key: string) => `IFERROR(MATCH(1,${whole(key)},0)-1,-1)`;
  mrow("metric:cashOutIndex", "Cash runs out (month index; −1 = not within the horizon)", "month index", FMT.index, idx("m:cashNegative"), result.metrics.cashOut === null ? -1 : cal.labels.indexOf(result.metrics.cashOut), null, "first month whose closing cash is below zero");
  mrow("metric:cashOut", "Cash runs out", "month", FMT.general, monthOf(book.scalar("metric:cashOutIndex")), mt.cashOut ?? "not within the horizon", null, "as YYYY-MM");
  mrow("metric:runway", "Runway", "months", FMT.whole, `IF(${book.scalar("metric:cashOutIndex")}<0,${H},${book.scalar("metric:cashOutIndex")})`, mt.runwayMonths, null, "months of non-negative cash before it runs out; the horizon's length when it never does");
  mrow("metric:minCash", "Minimum cash", money, FMT.amount, `MIN(${whole("bs:cash")})`, mt.minCash, null, "lowest month-end cash");
  mrow("metric:minCashMonth", "Minimum cash, month", "month", FMT.general, `INDEX(${labels},1,MATCH(${book.scalar("metric:minCash")},${whole("bs:cash")},0))`, mt.minCashPeriod, null, "");
  if (cashReactsToExtraCash(compiled)) {
    // Extra cash earns interest or saves revolver draws: the gap is solved on the statements, not a formula.
    metrics.rows.push({ key: "metric:fundingGap", label: "Funding gap", unit: money, fmt: FMT.amount, scalar: { v: mt.fundingGap, note: "A value: with interest on cash or a revolver, extra opening cash changes more than cash, so burnrate solves for the gap by re-running the statements (README, Metrics). Export again after changing inputs." }, texts: [null, "extra opening cash that keeps cash at or above the cash floor every month (solved by burnrate)"] });
  } else mrow("metric:fundingGap", "Funding gap", money, FMT.amount, `MAX(0,${P("meta.cashFloor")}-${book.scalar("metric:minCash")})`, mt.fundingGap, null, "extra opening cash that keeps cash at or above the cash floor every month");
  mrow("metric:breakevenIndex", "Breakeven (month index; −1 = not within the horizon)", "month index", FMT.index, idx("m:profitableOn"), mt.breakeven === null ? -1 : cal.labels.indexOf(mt.breakeven), null, "");
  mrow("metric:breakeven", "Breakeven (net income ≥ 0 from then on)", "month", FMT.general, monthOf(book.scalar("metric:breakevenIndex")), mt.breakeven ?? "not within the horizon", null, "first month from which net income stays ≥ 0 to the end");
  mrow("metric:firstFcfIndex", "First month of positive free cash flow (index)", "month index", FMT.index, idx("m:fcfPositive"), mt.firstPositiveFreeCashFlow === null ? -1 : cal.labels.indexOf(mt.firstPositiveFreeCashFlow), null, "");
  mrow("metric:firstFcf", "First month of positive free cash flow", "month", FMT.general, monthOf(book.scalar("metric:firstFcfIndex")), mt.firstPositiveFreeCashFlow ?? "not within the horizon", null, "");
  mrow("metric:burn", "Cumulative burn", money, FMT.amount, `-SUMIF(${whole("cf:free")},"<0")`, mt.cumulativeBurn, null, "sum of negative free cash flow over the horizon");
  mrow("metric:minDscr", "Minimum DSCR", "ratio", FMT.ratio, `IF(COUNT(${whole("ratio:dscr")})=0,"no debt service",MIN(${whole("ratio:dscr")}))`, mt.minDscr ?? "no debt service", mt.minDscrPeriod, "lowest monthly (EBITDA − taxes) ÷ debt service");
  mrow("metric:interestCoverage", "Interest coverage (min, LTM)", "ratio", FMT.ratio, `IF(COUNT(${whole("ratio:icLtm")})=0,"–",MIN(${whole("ratio:icLtm")}))`, mt.interestCoverage ?? "–", null, "lowest trailing-twelve-month EBITDA ÷ interest paid");
  mrow("metric:netDebtToEbitda", "Net debt / EBITDA (end, LTM)", "ratio", FMT.ratio, `IF(${book.at("ratio:ndLtm", H - 1)}="","– (EBITDA not positive)",${book.at("ratio:ndLtm", H - 1)})`, mt.netDebtToEbitda ?? "– (EBITDA not positive)", null, "(debt − cash) ÷ annualized LTM EBITDA at the last month");
  mrow("metric:covenantBreaches", "Covenant tests failed", "count", FMT.whole, compiled.covenants.length ? sum(compiled.covenants.map((_, c) => `SUM(${whole(`cov:${c}`)})`)) : "0", mt.covenantBreaches.length, null, "failed covenant tests over the horizon");
  mrow("metric:balanceCheck", "Largest balance-sheet gap", money, FMT.amountPrecise, `MAX(MAX(${whole("bs:check")}),-MIN(${whole("bs:check")}))`, result.checks.maxImbalance, null, "assets − liabilities − equity; zero up to rounding");

  for (const extra of options.extraSheets ?? []) book.add(extra);

  // Statement rows the tests compare with the engine.
  const itemRows: [string, keyof typeof it][] = [
    ["is:revenue", "revenue"], ["is:costOfRevenue", "costOfRevenue"], ["is:grossProfit", "grossProfit"], ["is:opex", "operatingExpenses"], ["is:ebitda", "ebitda"], ["is:depreciation", "depreciation"], ["is:ebit", "ebit"], ["is:interest", "interestExpense"], ["is:otherIncome", "otherIncome"], ["is:pretax", "pretaxIncome"], ["is:taxes", "taxes"], ["is:netIncome", "netIncome"], ["is:nolClose", "lossCarryforward"],
    ["cf:operating", "operatingCashFlow"], ["cf:capex", "capex"], ["cf:investing", "investingCashFlow"], ["cf:free", "freeCashFlow"], ["cf:equity", "equityRaised"], ["cf:drawn", "debtDrawn"], ["cf:repaid", "debtRepaid"], ["cf:fees", "financingFees"], ["cf:financing", "financingCashFlow"], ["cf:net", "netCashFlow"], ["cf:ending", "endingCash"],
    ["bs:receivables", "receivables"], ["bs:ppe", "ppeNet"], ["bs:assets", "totalAssets"], ["bs:debt", "debt"], ["bs:unamortized", "unamortizedFees"], ["bs:payables", "payables"], ["bs:liabilities", "totalLiabilities"], ["bs:paidIn", "paidInCapital"], ["bs:retained", "retainedEarnings"], ["bs:equity", "equity"],
    ["debt:cashInterest", "cashInterest"], ["debt:scheduled", "scheduledPrincipal"], ["debt:service", "debtService"], ["is:powerCost", "powerCost"],
    ["debt:grossInterest", "grossInterest"], ["is:interestIncome", "interestIncome"], ["is:netInterest", "netInterestExpense"],
    ["is:disposalGain", "disposalGain"], ["cf:proceeds", "disposalProceeds"],
  ];
  for (const [key, item] of itemRows) checks.push({ key, values: it[item] });
  for (const name of Object.keys(model.drivers)) checks.push({ key: `drv:${name}`, values: compiled.driverSeries.get(name)! });
  compiled.lines.forEach((line, l) => checks.push({ key: `line:${line.name}`, values: projection.lineValues[l] }));

  const names: BuiltWorkbook["names"] = [];
  const nameable: [string, string][] = [
    ["opening_cash", "openingBalance.cash"], ["cash_floor", "meta.cashFloor"], ["tax_rate", "tax.rate"], ["receivable_days", "workingCapital.receivableDays"], ["payable_days", "workingCapital.payableDays"],
  ];
  for (const tr of compiled.tranches) nameable.push([`rate_${tr.name}`, `financing.debt.${tr.name}.${tr.fixed ? "rate" : "spread"}`]);
  for (const rd of compiled.rounds) nameable.push([`equity_${rd.name}`, `financing.equity.${rd.name}.amount`]);
  for (const [name, path] of nameable) if (hasInput(path)) names.push({ name: excelName(name), key: `in:${path}` });
  book.layout();
  return { book, compiled, projection, result, inputs, names, checks };
}

/** A valid, readable Excel name (letters, digits, _ and .; not a cell address). */
export function excelName(text: string): string {
  let s = text.replace(/[^A-Za-z0-9_.]/g, "_");
  if (!/^[A-Za-z_]/.test(s)) s = `_${s}`;
  return s;
}

function inputFormat(input: InputEntry): string {
  if (input.unit === "annual decimal" || input.unit === "decimal") return FMT.rate;
  if (input.unit.endsWith("per kWh") || input.unit.endsWith("per GPU-hour")) return FMT.price;
  if (input.unit === "months" || input.unit === "days" || input.unit === "units") return FMT.general;
  return FMT.general;
}

function sumOf(arrays: ArrayLike<number>[], t: number): number {
  let s = 0;
  for (const a of arrays) s += a[t];
  return s;
}

function model_extension_value(loaded: LoadedModel, path: string[]): unknown {
  let node: unknown = loaded.extensions;
  for (const p of path) node = node && typeof node === "object" ? (node as Record<string, unknown>)[p] : undefined;
  if (node && typeof node === "object" && "value" in (node as Record<string, unknown>)) return (node as Record<string, unknown>).value;
  return node;
}

function projectionBreaches(projection: Projection, covenant: string): Set<number> {
  const cal = projection.compiled.calendar;
  const out = new Set<number>();
  for (const b of covenantBreachesOf(projection)) if (b.covenant === covenant) out.add(cal.labels.indexOf(b.period));
  return out;
}

/** The engine's debt loop, keeping what the workbook shows per tranche (cached values). */
function mirrorTranches(c: CompiledModel, proj: Projection) {
  const p = c.params;
  const H = c.months;
  return c.tranches.map((tr, k) => {
    const draw = new Float64Array(H);
    const repay = new Float64Array(H);
    const refinanced = new Float64Array(H);
    for (const d of tr.draws) {
      const m = Math.round(p[d.month]);
      if (m >= 0 && m < H) draw[m] += p[d.amount];
    }
    for (const r of tr.repayments) {
      const m = Math.round(p[r.month]);
      if (m >= 0 && m < H) {
        repay[m] += p[r.amount];
        if (r.refinancing) refinanced[m] += p[r.amount];
      }
    }
    const due = new Float64Array(H);
    const dueRefinanced = new Float64Array(H);
    // Everything paid from new money (repayments, earlier maturities, the final one): not debt service.
    const refinancedAll = Float64Array.from(refinanced);
    for (const part of tr.partialMaturities) {
      const m = Math.round(p[part.month]);
      if (m < 0 || m >= H) continue;
      const amount = maturityPartAmount(p, tr.slots.openingBalance, part, draw, m);
      due[m] += amount;
      if (part.refinancing) {
        dueRefinanced[m] += amount;
        refinancedAll[m] += amount;
      }
    }
    if (tr.finalRefinancing) {
      const m = Math.round(p[tr.slots.maturity]);
      if (m >= 0 && m < H) refinancedAll[m] = Infinity;
    }
    let firstDraw = H;
    for (let t = 0; t < H; t++)
      if (draw[t] > 0) {
        firstDraw = t;
        break;
      }
    const amortStart = (p[tr.slots.openingBalance] > 0 ? 0 : firstDraw + 1) + p[tr.slots.interestOnly];
    const maturity = Math.round(p[tr.slots.maturity]);
    const open = new Float64Array(H);
    const fee = new Float64Array(H);
    const interest = new Float64Array(H);
    const feesOpen = new Float64Array(H);
    const amort = new Float64Array(H);
    const feesClose = new Float64Array(H);
    const scheduled = new Float64Array(H);
    const s = proj.tranches[k];
    let fees = 0;
    for (let t = 0; t < H; t++) {
      open[t] = t === 0 ? p[tr.slots.openingBalance] : s.balance[t - 1];
      interest[t] = (open[t] * s.rate[t]) / 12;
      fee[t] = draw[t] * p[tr.slots.fee];
      feesOpen[t] = fees;
      const monthsLeft = maturity - t + 1;
      if (monthsLeft <= 1 || tr.expenseFees) {
        amort[t] = fees + fee[t];
        fees = 0;
      } else {
        amort[t] = fees / monthsLeft;
        fees += fee[t] - amort[t];
      }
      feesClose[t] = fees;
      const principal = s.principal[t];
      scheduled[t] = principal - Math.min(principal, refinancedAll[t]);
    }
    return { draw, repay, refinanced, due, dueRefinanced, amortStart, maturity, open, fee, interest, feesOpen, amort, feesClose, scheduled };
  });
}

export { excelNumber };

/** The contract loop of gpu/compile.ts per contract (cached values of the contract rows). */
function mirrorContracts(g: GpuCompiled, c: CompiledModel) {
  const p = c.params;
  const H = c.months;
  const hours = c.calendar.hours;
  return g.contracts.map((ct, i) => {
    const sl = ct.slots;
    const term = Math.max(1, Math.round(p[sl.termMonths]));
    const gpus = g.state.contractGpus[i];
    const price = g.state.contractPrice[i];
    const start = g.state.contractStart[i];
    const renewals = sl.renewTimes >= 0 ? Math.round(p[sl.renewTimes]) : 0;
    const renewTerm = sl.renewTerm >= 0 ? Math.max(1, Math.round(p[sl.renewTerm])) : term;
    const factor = sl.renewFactor >= 0 ? p[sl.renewFactor] : 1;
    const exit = sl.exit >= 0 ? Math.round(p[sl.exit]) : Infinity;
    const end = start + term + renewals * renewTerm;
    const top = p[sl.takeOrPay];
    const reserved = new Float64Array(H);
    const revenue = new Float64Array(H);
    const termIndex = new Float64Array(H);
    const avail = g.series.poolAvailable[ct.pool];
    const pooled = g.series.poolReserved[ct.pool];
    for (let t = 0; t < H; t++) {
      if (t >= start && t < Math.min(end, exit)) reserved[t] = gpus * hours[t];
      const k = t < start + term ? 0 : 1 + Math.floor((t - start - term) / renewTerm);
      termIndex[t] = k;
      const a = k === 0 ? start : start + term + (k - 1) * renewTerm;
      if (t < start || t >= end || a >= exit) continue;
      const termPrice = (gpus * price * Math.pow(factor, k)) / c.unitScale;
      revenue[t] = t >= exit ? top * termPrice * hours[t] : termPrice * hours[t] * (pooled[t] > 0 ? Math.min(1, avail[t] / pooled[t]) : 1);
    }
    return { term, gpus, price, start, renewals, renewTerm, factor, exit, end, reserved, revenue, termIndex };
  });
}

/** A cohort's spot revenue in month t (gpu/compile.ts, step 3). */
function mirrorSpot(g: GpuCompiled, proj: Projection, k: number, t: number): number {
  const a = proj.cohorts[k].capacity[t];
  if (a <= 0) return 0;
  const pool = g.cohortPool[k];
  const avail = g.series.poolAvailable[pool][t];
  const reservedShare = Math.min(1, g.series.poolReserved[pool][t] / avail);
  const u = g.utilization ? Math.min(1, Math.max(0, g.utilization[t])) : 0;
  return (u * a * (1 - reservedShare) * g.series.cohortSpotPrice[k][t]) / proj.compiled.unitScale;
}

/** The engine's smooth fill, keeping every round (cached values of the Fills sheet). */
function mirrorSmooth(targets: number[], sum: boolean) {
  const n = targets.length;
  const interpolate = (anchors: number[]) => {
    const levels: number[][] = [];
    for (let k = 0; k < n; k++) {
      const row: number[] = [];
      for (let m = 0; m < 12; m++) {
        const x = (m - 5.5) / 12;
        const j = x < 0 ? k - 1 : k;
        if (j < 0 || j + 1 >= n) row.push(anchors[k]);
        else {
          const a = anchors[j];
          const b = anchors[j + 1];
          const w = x < 0 ? 1 + x : x;
          row.push(a > 0 && b > 0 ? a * Math.pow(b / a, w) : a + (b - a) * w);
        }
      }
      levels.push(row);
    }
    return levels;
  };
  const totalOf = (row: number[]) => row.reduce((s, v) => s + v, 0);
  const anchors: number[][] = [targets.map((v) => (sum ? v / 12 : v))];
  const ratios: number[][] = [];
  const worst: number[] = [];
  const stopped: boolean[] = [];
  let done = false;
  for (let i = 0; i < 25 && sum; i++) {
    const levels = interpolate(anchors[i]);
    const r = levels.map((row, k) => {
      const total = totalOf(row);
      return total > 0 && targets[k] > 0 ? targets[k] / total : 1;
    });
    ratios.push(r);
    worst.push(Math.max(...r.map((x) => Math.abs(x - 1))));
    stopped.push(done);
    anchors.push(done ? anchors[i] : anchors[i].map((a, k) => a * r[k]));
    if (worst[i] < 1e-9) done = true;
  }
  const finalTotals = interpolate(anchors[anchors.length - 1]).map(totalOf);
  return { anchors, ratios, worst, stopped, finalTotals };
}
