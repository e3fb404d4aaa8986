import type { Model } from "../model/schema.js";
import type { Calendar } from "../model/months.js";
import type { ModelIssue } from "../model/issues.js";
import type { ParamTable } from "./params.js";
import type { CompiledCohort, CompiledLine } from "./compile.js";
import type { EvaluationOptions, Projection } from "./project.js";
import type { FleetSchedule } from "./fleet.js";

/**
 * Extensions add model sections the core does not know (GPU sites and contracts, …)
 * without forking the engine: they validate their section at load time, and at compile
 * time register params, add computed lines (revenue, costs, capex that then flow
 * through the three statements like any other line) and a stage that fills them on
 * every evaluation.
 */
export interface ExtensionCompileContext {
  model: Model;
  /** Raw extension sections from the file (already validated by `validate`). */
  extensions: Record<string, unknown>;
  calendar: Calendar;
  table: ParamTable;
  unitScale: number;
  monthIndex(month: string): number;
  driverSeries(name: string): Float64Array | undefined;
  cohorts: CompiledCohort[];
  lines: CompiledLine[];
  categories: string[];
  /** A series from a number or formula (registered as a param / evaluated with the drivers). */
  formulaSeries(label: string, path: string, value: number | string): Float64Array;
  /**
   * Adds a line whose monthly values the stage writes into the returned array. A capex
   * line with `placedFrom` is depreciated from the month the stage writes into it.
   */
  addLine(line: { name: string; type: CompiledLine["type"]; category?: string; lifeMonths?: number; placedFrom?: Float64Array }): Float64Array;
  /**
   * Registers an asset under construction (its spend, life, funding tranche and a
   * one-element array the stage fills with its go-live month): the engine capitalises
   * interest on it when `financing.capitalizeInterest.sites` is on.
   */
  addConstruction(spec: { name: string; spend: Float64Array; lifeMonths: number; tranche: string | null; live: Float64Array }): number;
  /** Per cohort, the earliest month it may run; a stage may write it in beforeFleet. */
  cohortEarliestService: Float64Array;
  /**
   * Registers how sites go live and when cohorts may start, from params alone, so that
   * formulas can read fleet and site series (fleetUnits, siteLive, …) before the fleet is
   * evaluated. The stage should use the same `run` in beforeFleet.
   */
  fleetSchedule(schedule: FleetSchedule): void;
  /** A place to keep compiled detail for reports (keyed by extension name). */
  data: Record<string, unknown>;
}

export interface EngineStage {
  /** Runs after drivers, before fleet cohorts are evaluated. */
  beforeFleet?(params: Float64Array, projection: Projection): void;
  /** Runs after fleet cohorts (capacity known), before the statements. */
  afterFleet?(params: Float64Array, projection: Projection, options: EvaluationOptions): void;
  /** Runs after the statements (balances and capitalised interest known): report series. */
  afterStatements?(params: Float64Array, projection: Projection, options: EvaluationOptions): void;
}

export interface EngineExtension {
  name: string;
  /** Top-level sections this extension owns. */
  sections: string[];
  /** Validates its sections against the core model; issues carry paths (positions are added by the loader). */
  validate(model: Model, extensions: Record<string, unknown>): Omit<ModelIssue, "position">[];
  compile(ctx: ExtensionCompileContext): EngineStage | null;
  /**
   * A value this extension computed from a formula that `check` would refuse as a constant
   * (a utilization above 1, …), or null. burnrate refuses such a projection instead of
   * clamping the value silently (a simulation path with one is invalid).
   */
  rangeProblem?(projection: Projection): RangeProblem | null;
}

/** A computed value outside the range its key allows: where, and what to tell the user. */
export interface RangeProblem {
  lineItem: string;
  period: string;
  message: string;
}

/** Registered extensions, in the order their stages run. */
export const ENGINE_EXTENSIONS: EngineExtension[] = [];

export function registerExtension(extension: EngineExtension): void {
  if (!ENGINE_EXTENSIONS.some((e) => e.name === extension.name)) ENGINE_EXTENSIONS.push(extension);
}
