import { compileModel, type CompiledModel, type CompiledLine } from "../engine/compile.js";
import { UNIT_SCALE } from "../model/derived.js";
import { parseMonth, monthSerial } from "../model/months.js";
import type { LoadedModel } from "../model/load.js";
import { investorOneOff, type LoadedCompany, type LoadedLink, type LoadedSystem } from "./load.js";

/**
 * How a link acts on the company it affects, as writes into params and line scales that
 * the compiled model already reads — the engine is not forked:
 *
 * - contract: the contract's `exit` month moves to the month the link takes effect and its
 *   takeOrPay becomes the share still paid (0 for stop): the customer pays that share for
 *   the rest of the term and its GPUs go back to spot sales (docs/gpu-cloud.md, "exit");
 * - line: the line's values are multiplied from that month on (by 0, the recovery share, or
 *   1 − the price cut) through the line's `scale` hook;
 * - round: an equity round due from that month on comes to 0 (or the share);
 * - investorPays: the investor's one-off payment follows the round's month and amount.
 */
export type Effect =
  | { kind: "contract"; link: number; exitSlot: number; takeOrPaySlot: number; paid: number }
  | { kind: "line"; link: number; line: CompiledLine; factor: number }
  | { kind: "round"; link: number; monthSlot: number; amountSlot: number; factor: number }
  | { kind: "investorPays"; link: number; company: number; roundMonthSlot: number; roundAmountSlot: number; monthSlot: number; amountSlot: number; factor: number; unitRatio: number };

export interface CompiledCompany {
  name: string;
  index: number;
  company: LoadedCompany;
  loaded: LoadedModel;
  compiled: CompiledModel;
  startSerial: number;
  months: number;
  unitScale: number;
  /** Shared driver index (into CompiledSystem.sharedDrivers) and the params holding its months in this company. */
  shared: { driver: number; slots: Int32Array; offset: number }[];
  /** Effects of links on this company's model (applied before each evaluation). */
  effects: Effect[];
  cashFloorSlot: number;
  lenderRecovery: number;
}

export interface CompiledLinkInfo {
  link: LoadedLink;
  /** Company whose cash-out triggers the link, and the company it affects. */
  source: number;
  company: number;
  trigger: "cashOut" | "cashFloor";
  lag: number;
  /** Lines whose difference (without the link − with it) is what the counterparty stopped paying. */
  paymentLines: number[];
}

/** The companies compiled once, the links as effects, and the order to project them in. */
export interface CompiledSystem {
  loaded: LoadedSystem;
  companies: CompiledCompany[];
  links: CompiledLinkInfo[];
  shared: CompiledModel;
  sharedDrivers: string[];
  startSerial: number;
  months: number;
  /** Groups of companies to project in order (dependencies first); a group of several, or with a self-loop, is a cycle. */
  order: { companies: number[]; cyclic: boolean }[];
  /** Per company, the companies whose projection depends on it (directly). */
  dependents: number[][];
  maxIterations: number;
}

export function compileSystem(loaded: LoadedSystem): CompiledSystem {
  const shared = compileModel(loaded.shared.model, loaded.shared.extensions);
  const sharedDrivers = [...shared.driverNames];
  const companies: CompiledCompany[] = loaded.companies.map((company) => {
    const compiled = compileModel(company.loaded.model, company.loaded.extensions);
    const offset = company.startSerial - loaded.startSerial;
    return {
      name: company.name,
      index: company.index,
      company,
      loaded: company.loaded,
      compiled,
      startSerial: company.startSerial,
      months: company.months,
      unitScale: UNIT_SCALE[company.loaded.model.meta.unit],
      shared: company.shared.map(({ driver, as }) => ({
        driver: sharedDrivers.indexOf(driver),
        slots: Int32Array.from({ length: company.months }, (_, i) => compiled.table.slot(`drivers.${as}.monthly.${i}`)!),
        offset,
      })),
      effects: [],
      cashFloorSlot: compiled.slots.cashFloor,
      lenderRecovery: company.lenderRecovery,
    };
  });
  const links: CompiledLinkInfo[] = loaded.links.map((link) => {
    const spec = link.spec;
    const target = companies[link.company];
    const c = target.compiled;
    const slot = (path: string) => {
      const s = c.table.slot(path);
      if (s === undefined) throw new Error(`internal: no param at ${path} in ${target.name}`);
      return s;
    };
    const paymentLines: number[] = [];
    if (spec.type === "investment") {
      const factor = spec.onCashOut === "stop" ? 0 : (spec.share ?? 0);
      const monthSlot = slot(`financing.equity.${link.round}.month`);
      const amountSlot = slot(`financing.equity.${link.round}.amount`);
      target.effects.push({ kind: "round", link: link.index, monthSlot, amountSlot, factor });
      if (spec.investorPays) {
        const investor = companies[link.source];
        const one = `oneOffs.${investorOneOff(link.name)}`;
        const is = (path: string) => investor.compiled.table.slot(path)!;
        investor.effects.push({ kind: "investorPays", link: link.index, company: link.company, roundMonthSlot: monthSlot, roundAmountSlot: amountSlot, monthSlot: is(`${one}.month`), amountSlot: is(`${one}.amount`), factor, unitRatio: target.unitScale / investor.unitScale });
      }
    } else {
      const paid = spec.onCashOut === "stop" ? 0 : spec.onCashOut === "recovery" ? spec.share! : 1 - spec.share!;
      const customers = new Set<string>();
      for (const name of link.contracts) {
        target.effects.push({ kind: "contract", link: link.index, exitSlot: slot(`contracts.${name}.exit`), takeOrPaySlot: slot(`contracts.${name}.takeOrPay`), paid });
        const customer = (target.loaded.extensions.contracts as Record<string, { customer: string }>)[name].customer;
        customers.add(`revenue: ${customer}`);
      }
      for (const name of link.lines) {
        const line = c.lines.find((l) => l.name === name)!;
        line.scale = new Float64Array(c.months).fill(1);
        target.effects.push({ kind: "line", link: link.index, line, factor: paid });
        customers.add(name);
      }
      for (const name of customers) paymentLines.push(c.lines.findIndex((l) => l.name === name));
    }
    return { link, source: link.source, company: link.company, trigger: spec.trigger, lag: spec.lagMonths, paymentLines };
  });

  // Dependencies: a company depends on the companies whose cash-out its links follow; an
  // investor who pays depends on itself (its payment stops once it has run out of cash).
  const n = companies.length;
  const dependsOn: Set<number>[] = companies.map(() => new Set());
  for (const l of links) {
    dependsOn[l.company].add(l.source);
    if (l.link.spec.type === "investment" && l.link.spec.investorPays) dependsOn[l.source].add(l.source);
  }
  const dependents: number[][] = companies.map(() => []);
  dependsOn.forEach((set, k) => set.forEach((j) => j !== k && dependents[j].push(k)));
  const order = stronglyConnected(n, (k) => [...dependsOn[k]]).map((group) => ({ companies: group.sort((a, b) => a - b), cyclic: group.length > 1 || dependsOn[group[0]].has(group[0]) }));
  return { loaded, companies, links, shared, sharedDrivers, startSerial: loaded.startSerial, months: loaded.months, order, dependents, maxIterations: loaded.system.system.maxIterations };
}

/**
 * Tarjan's strongly connected components over "k depends on j" edges: components come out
 * with what they depend on first, the order to project them in.
 */
function stronglyConnected(n: number, edges: (k: number) => number[]): number[][] {
  let counter = 0;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const out: number[][] = [];
  const visit = (v: number) => {
    index[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = 1;
    for (const w of edges(v)) {
      if (index[w] < 0) {
        visit(w);
        low[v] = Math.min(low[v], low[w]);
      } else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
    }
    if (low[v] === index[v]) {
      const group: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = 0;
        group.push(w);
      } while (w !== v);
      out.push(group);
    }
  };
  for (let v = 0; v < n; v++) if (index[v] < 0) visit(v);
  return out;
}

/** Every company reachable from `start` along "is depended on by" edges, `start` included. */
export function downstream(system: CompiledSystem, start: number): Set<number> {
  const seen = new Set<number>([start]);
  const queue = [start];
  while (queue.length) {
    const k = queue.pop()!;
    for (const d of system.dependents[k]) if (!seen.has(d)) (seen.add(d), queue.push(d));
  }
  return seen;
}

/**
 * "+N bp for everyone at once": adds N basis points to every shared driver the system's
 * `sector.rates` names, from `sector.shockFrom` (default: the system's first month). Null
 * when the system declares no shared rate.
 */
export function rateShift(system: CompiledSystem, bp: number): ((driver: number, serial: number) => number) | null {
  const sector = system.loaded.system.sector;
  const rates = new Set((sector?.rates ?? []).map((name) => system.sharedDrivers.indexOf(name)).filter((i) => i >= 0));
  if (rates.size === 0 || bp === 0) return null;
  const from = sector?.shockFrom ? monthSerial(parseMonth(sector.shockFrom)!) : system.startSerial;
  const shift = bp / 10000;
  return (driver, serial) => (serial >= from && rates.has(driver) ? shift : 0);
}
