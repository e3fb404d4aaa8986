import { evaluate, createWorkspace, type EvaluationOptions, type Projection, type Workspace } from "../engine/project.js";
import type { DriverStep } from "../engine/compile.js";
import type { CompiledSystem, Effect } from "./compile.js";
import { evaluationOptions } from "../uncertainty/paths.js";

/**
 * Projecting the system: each company is a normal compiled model; what links it to the
 * others is written into its params (and line scales) before each evaluation, from the
 * cash-out months of the companies it depends on. Companies are projected in dependency
 * order; where links form a cycle the whole group is projected again and again (each
 * company seeing the others' latest cash-out months) until no cash-out month moves.
 */
export interface SystemState {
  /** Per company: serial month of the first month with cash below zero (Infinity: none within its horizon). */
  cashOut: Float64Array;
  /** Per company: serial month of the first month with cash below its cash floor. */
  floorOut: Float64Array;
  /** Per link: 1 when the link is cut (as if it did not exist). */
  disabled: Uint8Array;
}

export interface Resolution {
  /** Evaluations of company models in this resolution. */
  evaluations: number;
  /** Most passes any cycle needed (1 without cycles). */
  iterations: number;
  converged: boolean;
  /** Per cyclic group: its companies, passes and whether it settled. */
  cycles: { companies: number[]; iterations: number; converged: boolean }[];
}

export interface SystemRuntime {
  system: CompiledSystem;
  workspaces: Workspace[];
  /** Per company: its params for this path before links act (base, scenario, samples, shared drivers). */
  pathParams: Float64Array[];
  /** Per company: driver steps for the first evaluation of a path (null: every step). */
  steps: (readonly DriverStep[] | null)[];
  /** Per company: what its evaluations may skip or do in one pass (a simulation plan's). */
  evaluation: EvaluationOptions[];
  /** Per company: 1 when its driver stage has not run for the current path yet. */
  fresh: Uint8Array;
  /** Per company: the options of its later evaluations within a path (see againOptions). */
  again: ({ base: EvaluationOptions; full: EvaluationOptions; statements: EvaluationOptions; lines: EvaluationOptions } | null)[];
  /** False: every evaluation is a whole one (what the shortcuts are tested against). */
  shortcuts: boolean;
  state: SystemState;
  projections: (Projection | null)[];
}

export function createRuntime(system: CompiledSystem, workspaces?: Workspace[]): SystemRuntime {
  const n = system.companies.length;
  return {
    system,
    workspaces: workspaces ?? system.companies.map((c) => createWorkspace(c.compiled)),
    pathParams: system.companies.map((c) => Float64Array.from(c.compiled.baseParams)),
    steps: system.companies.map(() => null),
    evaluation: system.companies.map(() => evaluationOptions({})),
    fresh: new Uint8Array(n).fill(1),
    again: system.companies.map(() => null),
    shortcuts: true,
    state: { cashOut: new Float64Array(n).fill(Infinity), floorOut: new Float64Array(n).fill(Infinity), disabled: new Uint8Array(system.links.length) },
    projections: system.companies.map(() => null),
  };
}

/** Copies the shared drivers' current series (from the shared model's last evaluation) into every company's path params. */
export function writeSharedSeries(rt: SystemRuntime, shift: ((driver: number, serial: number) => number) | null = null): void {
  const sys = rt.system;
  for (const company of sys.companies) {
    const params = rt.pathParams[company.index];
    for (const s of company.shared) {
      const series = sys.shared.driverSeries.get(sys.sharedDrivers[s.driver])!;
      const slots = s.slots;
      for (let t = 0; t < slots.length; t++) params[slots[t]] = series[s.offset + t] + (shift ? shift(s.driver, sys.startSerial + s.offset + t) : 0);
    }
  }
}

/** Starts a new path: every company's driver stage runs again on its next evaluation. */
export function newPath(rt: SystemRuntime): void {
  rt.fresh.fill(1);
  rt.state.cashOut.fill(Infinity);
  rt.state.floorOut.fill(Infinity);
}

function triggerSerial(rt: SystemRuntime, link: number): number {
  if (rt.state.disabled[link]) return Infinity;
  const l = rt.system.links[link];
  const out = l.trigger === "cashFloor" ? rt.state.floorOut[l.source] : rt.state.cashOut[l.source];
  return out + 1 + l.lag;
}

function applyEffect(rt: SystemRuntime, k: number, params: Float64Array, e: Effect): void {
  const sys = rt.system;
  const company = sys.companies[k];
  const base = rt.pathParams[k];
  const from = triggerSerial(rt, e.link) - company.startSerial;
  switch (e.kind) {
    case "contract":
      if (from < base[e.exitSlot]) {
        params[e.exitSlot] = from;
        params[e.takeOrPaySlot] = e.paid;
      }
      return;
    case "line": {
      const scale = e.line.scale!;
      const H = scale.length;
      const m = Math.max(0, Math.min(H, from));
      scale.fill(1, 0, m);
      if (m < H) scale.fill(e.factor, m, H);
      return;
    }
    case "round":
      if (Math.round(base[e.monthSlot]) >= from) params[e.amountSlot] = base[e.amountSlot] * e.factor;
      return;
    case "investorPays": {
      const investee = sys.companies[e.company];
      const investeeParams = rt.pathParams[e.company];
      const roundSerial = investee.startSerial + Math.round(investeeParams[e.roundMonthSlot]);
      const amount = investeeParams[e.roundAmountSlot] * (roundSerial >= from + company.startSerial ? e.factor : 1);
      params[e.monthSlot] = roundSerial - company.startSerial;
      params[e.amountSlot] = -amount * e.unitRatio;
      return;
    }
  }
}

/**
 * How company k is evaluated again within a path. Links act only through params that
 * neither the drivers, the fleet nor its sites read (a contract's exit and take-or-pay, a
 * line's scale, a round's amount, an investor's payment), so a later evaluation keeps the
 * drivers' series, the fleet and what the GPU stage derives from them (`sameFleet`), and
 * `stopAfter` leaves out what the caller does not read.
 */
function againOptions(rt: SystemRuntime, k: number, stopAfter: EvaluationOptions["stopAfter"]): EvaluationOptions {
  const base = rt.evaluation[k];
  if (!rt.shortcuts) return base;
  let cached = rt.again[k];
  if (!cached || cached.base !== base) {
    cached = rt.again[k] = {
      base,
      full: evaluationOptions({ ...base, sameFleet: true }),
      statements: evaluationOptions({ ...base, sameFleet: true, stopAfter: "statements" }),
      lines: evaluationOptions({ ...base, sameFleet: true, stopAfter: "lines" }),
    };
  }
  return stopAfter === "lines" ? cached.lines : stopAfter === "statements" ? cached.statements : cached.full;
}

function project(rt: SystemRuntime, k: number, stopAfter?: EvaluationOptions["stopAfter"]): Projection {
  const company = rt.system.companies[k];
  const c = company.compiled;
  const params = c.params;
  params.set(rt.pathParams[k]);
  for (const e of company.effects) applyEffect(rt, k, params, e);
  const fresh = rt.fresh[k] === 1;
  rt.fresh[k] = 0;
  const proj = fresh ? evaluate(c, null, rt.workspaces[k], rt.steps[k], rt.evaluation[k]) : evaluate(c, null, rt.workspaces[k], NO_STEPS, againOptions(rt, k, stopAfter));
  rt.projections[k] = proj;
  return proj;
}

/**
 * Company k's revenue and lines with the links as they stand, not its statements (they
 * keep the previous evaluation's): for a rerun whose cash-out month is already known. Only
 * after a full evaluation of k in this path.
 */
export function projectCompanyLines(rt: SystemRuntime, k: number): Projection {
  if (rt.fresh[k]) throw new Error("internal: lines of a company not yet projected in this path");
  return project(rt, k, "lines");
}

/** Projects company k with the links as they stand; returns true when its cash-out months moved. */
export function evaluateCompany(rt: SystemRuntime, k: number, stopAfter?: "statements"): boolean {
  const company = rt.system.companies[k];
  const proj = project(rt, k, stopAfter);
  const params = company.compiled.params;
  const cash = proj.items.endingCash;
  const floor = params[company.cashFloorSlot];
  let out = Infinity;
  let below = Infinity;
  for (let t = 0; t < cash.length; t++) {
    if (below === Infinity && cash[t] < floor) below = company.startSerial + t;
    if (cash[t] < 0) {
      out = company.startSerial + t;
      break;
    }
  }
  const moved = out !== rt.state.cashOut[k] || below !== rt.state.floorOut[k];
  rt.state.cashOut[k] = out;
  rt.state.floorOut[k] = below;
  return moved;
}

const NO_STEPS: readonly DriverStep[] = [];

/**
 * Projects the companies (all, or those in `only`) in dependency order. A cycle starts
 * from "nobody has run out of cash" and repeats whole passes (Gauss–Seidel: each company
 * sees the latest months) until a pass moves no cash-out month, at most maxIterations.
 */
export function resolve(rt: SystemRuntime, only: Set<number> | null = null, stopAfter?: "statements"): Resolution {
  const sys = rt.system;
  const result: Resolution = { evaluations: 0, iterations: 1, converged: true, cycles: [] };
  for (const group of sys.order) {
    const members = only ? group.companies.filter((k) => only.has(k)) : group.companies;
    if (members.length === 0) continue;
    if (!group.cyclic) {
      for (const k of members) evaluateCompany(rt, k, stopAfter);
      result.evaluations += members.length;
      continue;
    }
    for (const k of members) {
      rt.state.cashOut[k] = Infinity;
      rt.state.floorOut[k] = Infinity;
    }
    let iterations = 0;
    let converged = false;
    while (iterations < sys.maxIterations) {
      iterations++;
      let moved = false;
      for (const k of members) if (evaluateCompany(rt, k, stopAfter)) moved = true;
      result.evaluations += members.length;
      if (!moved) {
        converged = true;
        break;
      }
    }
    result.cycles.push({ companies: members, iterations, converged });
    result.iterations = Math.max(result.iterations, iterations);
    if (!converged) result.converged = false;
  }
  return result;
}

/** Companies a cut of link `l` can change: what the affected company (and a paying investor) feed. */
export function cutClosure(sys: CompiledSystem, l: number, downstream: (start: number) => Set<number>): Set<number> {
  const info = sys.links[l];
  const out = downstream(info.company);
  if (info.link.spec.type === "investment" && info.link.spec.investorPays) for (const k of downstream(info.source)) out.add(k);
  return out;
}
