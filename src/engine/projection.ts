import type { CompiledModel } from "./compile.js";
import { ITEM_NAMES, RATIO_NAMES, type RatioName, type StatementItem } from "./items.js";

// What one evaluation writes and its callers read (statements, ratios, the debt, the fleet,
// capitalised interest, rounds); the scratch state that produces it is in workspace.ts.

export interface TrancheSeries {
  balance: Float64Array;
  interest: Float64Array;
  principal: Float64Array;
  rate: Float64Array;
}

export interface CohortSeries {
  capex: Float64Array;
  capacity: Float64Array;
  powerCost: Float64Array;
  depreciation: Float64Array;
  /** At month end; zero from the month it is retired. */
  netBookValue: Float64Array;
  /** Cash received when it is retired (in its last month of service). */
  retirementProceeds: Float64Array;
  /** Proceeds − book value at retirement. */
  retirementGain: Float64Array;
}

/** The revolving credit facility, by month (see `statements` for the order within a month). */
export interface RevolverSeries {
  limit: Float64Array;
  rate: Float64Array;
  balance: Float64Array;
  interest: Float64Array;
  commitmentFee: Float64Array;
  drawn: Float64Array;
  repaid: Float64Array;
}

/**
 * The opening balance sheet of one evaluation. Opening balances are params, so an
 * evaluation may differ from the file; retained earnings is the plug that balances it.
 */
export interface OpeningValues {
  cash: number;
  receivables: number;
  ppe: number;
  fleetNbv: number;
  debt: number;
  payables: number;
  paidInCapital: number;
  retainedEarnings: number;
  lossCarryforward: number;
}

/** Buffers of one evaluation. Owned by a workspace and overwritten by the next evaluation. */
export interface Projection {
  compiled: CompiledModel;
  opening: OpeningValues;
  items: Record<StatementItem, Float64Array>;
  ratios: Record<RatioName, Float64Array>;
  opexByCategory: Float64Array[];
  lineValues: Float64Array[];
  tranches: TrancheSeries[];
  cohorts: CohortSeries[];
  revolver: RevolverSeries | null;
  /** Per cohort: first and last month of service (month indices; 2 numbers per cohort). */
  cohortService: Float64Array;
  /**
   * Capitalised interest by qualifying asset — the constructions (GPU sites), then the
   * fleet cohorts — when `financing.capitalizeInterest` is on: interest added to the
   * asset's cost each month, and the depreciation of that capitalised interest.
   */
  capitalization: { interest: Float64Array[]; depreciation: Float64Array[] } | null;
  /** Per round: month index, amount, pre- and post-money, dilution of existing holders. */
  rounds: Float64Array; // 5 numbers per round
  /**
   * What a simulated path's validity checks (validity.ts), counted by the month loop when
   * it writes only PATH_ITEMS and no stage runs after it (`current`): whether a reported
   * value is not finite (0 when all are, else NaN), and the months whose balance sheet or
   * cash tie is off by more than BALANCE_TOLERANCE.
   */
  checks: { current: boolean; nonFinite: number; unbalanced: number };
}

export function emptyProjection(c: CompiledModel): Projection {
  const H = c.months;
  const arr = () => new Float64Array(H);
  const items = Object.fromEntries(ITEM_NAMES.map((n) => [n, arr()])) as Record<StatementItem, Float64Array>;
  const ratios = Object.fromEntries(RATIO_NAMES.map((n) => [n, arr()])) as Record<RatioName, Float64Array>;
  return {
    compiled: c,
    opening: { cash: 0, receivables: 0, ppe: 0, fleetNbv: 0, debt: 0, payables: 0, paidInCapital: 0, retainedEarnings: 0, lossCarryforward: 0 },
    items,
    ratios,
    opexByCategory: c.categories.map(arr),
    lineValues: c.lines.map(arr),
    tranches: c.tranches.map(() => ({ balance: arr(), interest: arr(), principal: arr(), rate: arr() })),
    cohorts: c.cohorts.map(() => ({ capex: arr(), capacity: arr(), powerCost: arr(), depreciation: arr(), netBookValue: arr(), retirementProceeds: arr(), retirementGain: arr() })),
    revolver: c.revolver ? { limit: arr(), rate: arr(), balance: arr(), interest: arr(), commitmentFee: arr(), drawn: arr(), repaid: arr() } : null,
    cohortService: new Float64Array(c.cohorts.length * 2),
    capitalization: qualifyingAssets(c) > 0 ? { interest: Array.from({ length: qualifyingAssets(c) }, arr), depreciation: Array.from({ length: qualifyingAssets(c) }, arr) } : null,
    rounds: new Float64Array(c.rounds.length * 5),
    checks: { current: false, nonFinite: 0, unbalanced: 0 },
  };
}

/** Assets that capitalise interest: the constructions (if sites are on), then the cohorts (if the fleet is). */
export function qualifyingAssets(c: CompiledModel): number {
  return (c.capitalizeInterest.sites ? c.constructions.length : 0) + (c.capitalizeInterest.fleet ? c.cohorts.length : 0);
}
