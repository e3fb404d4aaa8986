import type { LoadedModel } from "../model/load.js";
import type { CompiledModel } from "../engine/compile.js";
import { listSources } from "../targets/sources.js";
import { UNIT_WORD } from "./units.js";

/** One input of the model as the workbook and the report list it. */
export interface InputEntry {
  path: string;
  /** A number, or a month index for month inputs. */
  value: number;
  kind: "number" | "month";
  /** YYYY-MM for month inputs. */
  month: string | null;
  unit: string;
  /** The citation: source, or "assumption: …", or "default" / "not cited". */
  citation: string;
  source: string | null;
  assumption: string | null;
  /** False for inputs the engine reads once, at compile time, as structure. */
  engineParam: boolean;
}

const RATE_KEYS = /(^|\.)(rate|spread|floor|annualRate|monthlyRate|upfrontFee|takeOrPay|declinePerYear|priceFactor|min|max)$/;

/** The unit an input is written in, from its key (README, "Units and conventions"). */
export function inputUnit(path: string, compiled: CompiledModel, kind: "number" | "month"): string {
  const model = compiled.model;
  const money = moneyUnit(model.meta.currency, model.meta.unit);
  const currency = model.meta.currency;
  if (kind === "month") return "month";
  const parts = path.split(".");
  const last = parts[parts.length - 1];
  if (parts[0] === "drivers") {
    const d = model.drivers[parts[1]];
    if (d && typeof d === "object" && "unit" in d && d.unit) return d.unit;
    return "";
  }
  if (/Months$/.test(last) || last === "ppeRemainingLifeMonths") return "months";
  if (last === "receivableDays" || last === "payableDays") return "days";
  if (path === "tax.rate") return "decimal";
  if (RATE_KEYS.test(path)) return parts[0] === "financing" && parts[1] === "covenants" ? "ratio" : "annual decimal";
  if (last === "count" || last === "gpus" || last === "times") return "units";
  if (last === "unitCost" || last === "salvagePerUnit") return `${currency} per unit`;
  if (last === "costPerMw") return `${currency} per MW`;
  if (last === "powerMw") return "MW";
  if (last === "powerKw") return "kW per unit";
  if (last === "pue") return "ratio";
  if (last === "capacityPerUnitHour") return "capacity per unit-hour";
  if (last === "powerPrice" || (parts[0] === "sites" && last === "powerPrice")) return `${currency} per kWh`;
  if (last === "pricePerGpuHour" || parts[0] === "pricing" || path === "rental.price" || last === "start" && parts[0] === "pricing") return `${currency} per GPU-hour`;
  if (path === "utilization") return "share";
  return money;
}

export function moneyUnit(currency: string, unit: string): string {
  const word = UNIT_WORD[unit];
  return word ? `${currency} ${word}` : currency;
}

/**
 * Every input the statements read: the engine's parameters (what scenarios, samples and the
 * solver change) and the opening balances and lives it reads at compile time, each with its
 * unit and citation.
 */
export function listWorkbookInputs(loaded: LoadedModel, compiled: CompiledModel): InputEntry[] {
  const sources = new Map(listSources(loaded).inputs.map((i) => [i.path, i]));
  const citationOf = (path: string) => {
    const s = sources.get(path);
    if (!s) return { citation: "default (not in the file)", source: null, assumption: null };
    if (s.uncited) return { citation: "not cited", source: null, assumption: null };
    const text = s.source && s.assumption ? `${s.source} | assumption: ${s.assumption}` : s.source ?? `assumption: ${s.assumption}`;
    return { citation: text, source: s.source, assumption: s.assumption };
  };
  const out: InputEntry[] = [];
  const seen = new Set<string>();
  const push = (path: string, value: number, kind: "number" | "month", engineParam: boolean) => {
    if (seen.has(path) || !Number.isFinite(value)) return;
    seen.add(path);
    out.push({ path, value, kind, month: kind === "month" ? compiled.calendar.labels[value] ?? monthText(compiled, value) : null, unit: inputUnit(path, compiled, kind), ...citationOf(path), engineParam });
  };
  const m = compiled.model;
  const ob = m.openingBalance;
  push("meta.cashFloor", compiled.baseParams[compiled.slots.cashFloor], "number", true);
  for (const key of ["cash", "receivables", "ppeNet", "ppeRemainingLifeMonths", "payables", "paidInCapital", "retainedEarnings"] as const) push(`openingBalance.${key}`, ob[key], "number", false);
  for (const [name, tr] of Object.entries(m.financing.debt)) push(`financing.debt.${name}.openingBalance`, tr.openingBalance, "number", false);
  compiled.table.paths.forEach((path, i) => push(path, compiled.baseParams[i], compiled.table.kinds[i], true));
  for (const line of compiled.lines) if (line.type === "capex") push(line.computed ? `${siteOfLine(line.name)}.lifeMonths` : `lines.${line.name}.lifeMonths`, line.lifeMonths, "number", false);
  for (const o of compiled.oneOffs) if (o.lands === "capex") push(`oneOffs.${o.name}.lifeMonths`, o.lifeMonths, "number", false);
  return out;
}

function siteOfLine(name: string): string {
  return `sites.${name.replace(/^capex: site /, "")}`;
}

function monthText(compiled: CompiledModel, index: number): string {
  const serial = compiled.calendar.startSerial + index;
  const year = Math.floor(serial / 12);
  return `${year}-${String(serial - year * 12 + 1).padStart(2, "0")}`;
}
