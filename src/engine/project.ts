import type { CompiledModel, DriverStep } from "./compile.js";
import type { StatementItem } from "./items.js";
import type { Projection } from "./projection.js";
import { workspaceOf, defaultWorkspace, type Workspace } from "./workspace.js";
import { scheduleInputs, maskLines, sumLines } from "./lineSums.js";
import { evaluateFleet, powerPricedElsewhere } from "./fleetCache.js";
import { statements, ratiosInMonthLoop, computeRatios } from "./statements.js";
import { exactShortcuts } from "./shortcuts.js";

// The engine's evaluation: `evaluate` runs one compiled model's drivers, lines, fleet and
// statements into a workspace's projection. Each step lives in the file named for it:
//   lineSums.ts        the inputs the month loop reads, summed series by series
//   fleetCache.ts      the fleet cohorts' series, kept between evaluations
//   debtSchedule.ts    the term-debt tranches' walk, kept between evaluations
//   capitalization.ts  interest capitalised on assets before they are in service
//   statements.ts      the month loop (income statement, cash flow, balance sheet) and ratios
//   cashRuns.ts        the statements re-run with extra opening cash, for the funding gap
//   fundingGap.ts      the funding gap's solver
//   projection.ts, workspace.ts  what an evaluation writes, and its scratch state
// Callers import from here.

export type { TrancheSeries, CohortSeries, RevolverSeries, OpeningValues, Projection } from "./projection.js";
export { createWorkspace, defaultWorkspace, type Workspace, type CapitalizationKey } from "./workspace.js";
export { maturityPartAmount, type DebtSchedule, type DebtCache } from "./debtSchedule.js";
export type { FleetCache } from "./fleetCache.js";
export { exactShortcuts } from "./shortcuts.js";
export { cashReactsToExtraCash, lowestCashAboveFloor, cashPathsWithExtra } from "./cashRuns.js";
export { fundingGapOf } from "./fundingGap.js";

/**
 * What a simulation's plan lets an evaluation skip: fleet cohorts no sampled input moves
 * (their series stay from the last evaluation in this workspace), and the line-by-line
 * fills, copies and sums (replaced by one compiled loop; `lineValues` are then not filled).
 */
export interface EvaluationOptions {
  skipFleet?: boolean;
  lineSums?: (() => void) | null;
  /**
   * Since the last evaluation in this workspace only params that neither the drivers, the
   * fleet nor its sites read have changed (a system's link effects: contract exits, line
   * scales, round amounts): the fleet is not evaluated again and extensions may keep what
   * they derived from it (with the drivers' steps skipped too).
   */
  sameFleet?: boolean;
  /**
   * Stop early, for a caller that reads only part of the projection: "lines" after the
   * operating lines are summed (revenue and the lines are this evaluation's; the statements,
   * the stages after them and the ratios keep the previous evaluation's values);
   * "statements" after the month loop (the stages after it and the ratios are skipped).
   * Extensions may then leave their report series (those no line reads) as they were.
   */
  stopAfter?: "lines" | "statements";
  /**
   * The caller reads the statement items, ratios and metrics only (a Monte Carlo path):
   * extensions may leave the series no line reads (a GPU cloud's backlog, utilization,
   * per-cohort revenue, book values) as they were.
   */
  skipReportSeries?: boolean;
  /**
   * The caller reads no statement item outside `PATH_ITEMS` (a simulate path: its collected
   * series, its metrics, covenants and validity) besides the ratios: the month loop leaves
   * the other items as they were.
   */
  pathItemsOnly?: boolean;
}

const NO_OPTIONS: EvaluationOptions = {};

/**
 * The statement items an evaluation with `pathItemsOnly` writes (revenue and the other
 * operating lines are summed before the month loop, and always written): what a simulated
 * path's statistics (endingCash, revenue, netIncome, freeCashFlow, debt), its metrics and
 * covenants (with the ratios: ebitda, taxes, cashInterest, debtService) and its validity
 * (the balance sheet's totals and the cash-flow tie) read.
 */
export const PATH_ITEMS: readonly StatementItem[] = ["endingCash", "netIncome", "freeCashFlow", "debt", "ebitda", "taxes", "cashInterest", "debtService", "totalAssets", "totalLiabilities", "equity", "operatingCashFlow", "investingCashFlow", "financingCashFlow"];

export function evaluate(c: CompiledModel, params: Float64Array | null = null, ws: Workspace = defaultWorkspace(c), steps: readonly DriverStep[] | null = null, options: EvaluationOptions = NO_OPTIONS): Projection {
  if (params && params !== c.params) c.params.set(params);
  const p = c.params;
  const out = ws.projection;
  if (ws.cashRun) ws.cashRun.ready = false;
  out.checks.current = false;

  // 1. Drivers, lines and prices: whole series, or month by month where prev() recurses.
  const order = steps ?? c.order;
  if (order.length > 0) c.driverStepsRun++;
  for (let k = 0; k < order.length; k++) order[k].run();

  scheduleInputs(c, ws, out);
  const lineSums = options.lineSums ?? null;
  if (!lineSums) maskLines(c, ws, out, false);
  // 3. Extensions that decide when fleet cohorts can run (e.g. a site's go-live).
  for (const stage of c.stages) stage.beforeFleet?.(p, out);
  if (!options.skipFleet && !options.sameFleet) evaluateFleet(c, ws, out);
  // 4. Extensions that turn capacity into revenue and costs (contracts, spot sales).
  for (const stage of c.stages) stage.afterFleet?.(p, out, options);
  maskLines(c, ws, out, true);
  // 5. Operating lines summed by kind, series by series (tight loops, no month-major work).
  sumLines(c, ws, out, lineSums);
  if (options.stopAfter === "lines") return out;
  if (statements(c, ws, out, out, 0, false, options.pathItemsOnly === true) < c.months) ws.ratiosCurrent = false;
  if (options.stopAfter === "statements") return out;
  for (const stage of c.stages) stage.afterStatements?.(p, out, options);
  // The ratios read only statement items: while the month loop wrote none, they stand.
  if (!ratiosInMonthLoop(c, options.pathItemsOnly === true)) {
    if (!ws.ratiosCurrent || !exactShortcuts.resumeMonthLoop) computeRatios(out);
    ws.ratiosCurrent = true;
  }
  return out;
}

/**
 * For an extension that prices the power of the cohorts marked 1 in `cohorts` (a GPU site's
 * power at its PUE and price) and has just written their whole power cost series, as it does
 * after every evaluation of the fleet: the fleet's power total in `proj`'s workspace is summed
 * again, and from now on the core no longer prices those cohorts' power (what it wrote
 * would be overwritten).
 */
export function cohortPowerRewritten(proj: Projection, cohorts: Uint8Array): void {
  const ws = workspaceOf.get(proj);
  if (!ws) return;
  powerPricedElsewhere(ws.fleet, cohorts);
}
