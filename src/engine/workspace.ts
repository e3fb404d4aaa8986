import type { CompiledModel } from "./compile.js";
import { emptyProjection, qualifyingAssets, type Projection } from "./projection.js";
import { createDebtCache, type DebtCache } from "./debtSchedule.js";
import { createFleetCache, type FleetCache } from "./fleetCache.js";

// An evaluation's scratch state: made once per compiled model (or per simulation thread)
// and overwritten by each evaluation, so that evaluating allocates nothing. What one part
// keeps between evaluations to skip work (the debt walk, the fleet, capitalised interest,
// the funding gap's re-runs) is described beside the code that keeps it.

/** Scratch arrays reused across evaluations: evaluation allocates nothing. */
export interface Workspace {
  projection: Projection;
  capexCumulative: Float64Array[];
  trancheDraw: Float64Array[];
  trancheRepay: Float64Array[];
  /** Repayments paid from new money raised for them: not debt service. */
  trancheRefinanced: Float64Array[];
  /** Principal due at each maturity before the final one, by month. */
  trancheMaturityDue: Float64Array[];
  /** The tranches' walk, kept between evaluations while its inputs do not change (see `refreshDebt`). */
  debt: DebtCache;
  /** The fleet cohorts' series, kept while their inputs do not change (see `evaluateFleet`). */
  fleet: FleetCache;
  /** What the capitalised interest recorded in the debt schedule was computed from (see `capitalizationUnchanged`). */
  capitalizationKey: CapitalizationKey;
  equityByMonth: Float64Array;
  refundDepreciation: Float64Array;
  recurringRevenue: Float64Array;
  /** Operating expenses settled in shares: added back to cash, credited to paid-in capital. */
  nonCashExpense: Float64Array;
  /** Net book value at the start of the cohorts bought before it (from this evaluation's params). */
  openingFleetNbv: number;
  /** Capex, depreciation and disposal gains of the lines and the fleet, before capitalised interest. */
  capexBase: Float64Array;
  depreciationBase: Float64Array;
  disposalGainBase: Float64Array;
  /** Per qualifying asset: live month, months to depreciate, retirement, funding tranche; spend to date, capitalised book value, total. */
  assetLive: Float64Array;
  assetDepMonths: Float64Array;
  assetRetire: Float64Array;
  assetTranche: Int32Array;
  assetAccum: Float64Array;
  assetBook: Float64Array;
  assetTotal: Float64Array;
  assetWanted: Float64Array;
  assetSpend: Float64Array[];
  /** Per qualifying asset: the months [from, to) in which it can earn capitalised interest (see `capitalizeAhead`). */
  assetEarnFrom: Int32Array;
  assetEarnTo: Int32Array;
  /** The assets that earn, by first earning month; those earning in the month, in the assets' order. */
  assetsByStart: Int32Array;
  assetsEarning: Int32Array;
  /**
   * Per qualifying asset, the months outside which its capitalised interest and its
   * depreciation in `projection.capitalization` are zero: [lo, hi) of each (4 numbers).
   */
  assetRowSpans: Int32Array;
  /** Statements re-run with extra opening cash, for the funding gap (created when first needed). */
  scratch: Projection | null;
  /** What the funding gap's re-runs read that extra cash does not change (see `cashRuns`), made when first needed. */
  cashRun: CashRunInputs | null;
  /** What the last month loop read and carried, to resume the next one (see resume.ts), made when first needed. */
  monthLoop: MonthLoopMemory | null;
  /** The ratios are those of the statement items as they are (computed since the month loop last wrote them). */
  ratiosCurrent: boolean;
}

/**
 * The month loop's memory of its last run in this workspace (see resume.ts): whether it
 * holds, the fixed numbers and per-month inputs that run read (copies of the inputs, and
 * both as 32-bit halves for an exact comparison), and what it carried into each month.
 */
export interface MonthLoopMemory {
  /** Whether the projection's statement items are the recorded run's (no other run wrote them since). */
  valid: boolean;
  /** Runs so far, and the last one that resumed at half the horizon or later (see `worthRecording`). */
  runs: number;
  lastUseful: number;
  pathItemsOnly: boolean;
  /** Whether it read capitalised interest from the debt schedule (the last sources). */
  capFromSchedule: boolean;
  /** The debt schedule's version it read (see `DebtCache.version`). */
  debtVersion: number;
  fixed: Float64Array;
  /** This run's fixed numbers, written before they are compared with `fixed`. */
  fixedNow: Float64Array;
  sources: Float64Array[];
  copies: Float64Array[];
  sourceBits: Int32Array[];
  copyBits: Int32Array[];
  /** MONTH_STATE numbers per month, carried into it; month H: what the loop ended with. */
  state: Float64Array;
}

/**
 * Without a revolver or an overdraft rate, interest capitalised in a month depends on the
 * debt's walk (interest incurred, opening balances and rates), each asset's set-up (live
 * month, months to depreciate, retirement, funding tranche, cost carried in) and its
 * spend in the months before it is live — nothing else. While those are what they were
 * when the schedule recorded it (compared value by value, or known unchanged: see
 * `capitalizationKeptAsIs`), the capitalised interest, its depreciation and write-offs, and
 * each asset's series in the projection are exactly what a new run writes (capitalization.ts).
 */
export interface CapitalizationKey {
  current: boolean;
  debtVersion: number;
  /** The fleet's `version` when the inputs were recorded. */
  fleetVersion: number;
  setup: Float64Array;
  spend: Float64Array[];
}

/**
 * The funding gap's re-runs, month by month, from what does not depend on cash: without a
 * revolver, and with capitalised interest that does not depend on cash (none, or read from
 * the schedule: no overdraft rate), extra opening cash changes only interest on cash and
 * what follows from it (pre-tax income, tax, net income, operating cash flow, cash). The
 * rest of each month is computed once per evaluation with the month loop's own
 * expressions, so the same numbers; then each re-run performs the month loop's operations
 * on cash, in its order. Two re-runs can go side by side in one pass (`cashRuns`, in cashRuns.ts).
 */
export interface CashRunInputs {
  /** Whether `perMonth` belongs to the workspace's last evaluation. */
  ready: boolean;
  /** CASH_RUN_STRIDE numbers per month (see `prepareCashRuns`). */
  perMonth: Float64Array;
  /** 1 in the first month of a fiscal year. */
  yearStarts: Uint8Array;
  /** Ending cash of the second re-run of a pair. */
  second: Float64Array;
}

/** The workspace each projection belongs to (for the funding gap's re-runs and extensions). */
export const workspaceOf = new WeakMap<Projection, Workspace>();

export function createWorkspace(c: CompiledModel): Workspace {
  const H = c.months;
  const arr = () => new Float64Array(H);
  const ws: Workspace = {
    projection: emptyProjection(c),
    capexCumulative: c.lines.map(arr),
    trancheDraw: c.tranches.map(arr),
    trancheRepay: c.tranches.map(arr),
    trancheRefinanced: c.tranches.map(arr),
    trancheMaturityDue: c.tranches.map(arr),
    debt: createDebtCache(c),
    fleet: createFleetCache(c),
    capitalizationKey: { current: false, debtVersion: -1, fleetVersion: -1, setup: new Float64Array(5 * qualifyingAssets(c)), spend: Array.from({ length: qualifyingAssets(c) }, () => new Float64Array(H)) },
    equityByMonth: arr(),
    refundDepreciation: arr(),
    recurringRevenue: arr(),
    nonCashExpense: arr(),
    openingFleetNbv: 0,
    capexBase: arr(),
    depreciationBase: arr(),
    disposalGainBase: arr(),
    assetLive: new Float64Array(qualifyingAssets(c)),
    assetDepMonths: new Float64Array(qualifyingAssets(c)),
    assetRetire: new Float64Array(qualifyingAssets(c)),
    assetTranche: new Int32Array(qualifyingAssets(c)),
    assetAccum: new Float64Array(qualifyingAssets(c)),
    assetBook: new Float64Array(qualifyingAssets(c)),
    assetTotal: new Float64Array(qualifyingAssets(c)),
    assetWanted: new Float64Array(qualifyingAssets(c)),
    assetSpend: [],
    assetEarnFrom: new Int32Array(qualifyingAssets(c)),
    assetEarnTo: new Int32Array(qualifyingAssets(c)),
    assetsByStart: new Int32Array(qualifyingAssets(c)),
    assetsEarning: new Int32Array(qualifyingAssets(c)),
    assetRowSpans: new Int32Array(4 * qualifyingAssets(c)),
    scratch: null,
    cashRun: null,
    monthLoop: null,
    ratiosCurrent: false,
  };
  workspaceOf.set(ws.projection, ws);
  return ws;
}

const defaultWorkspaces = new WeakMap<CompiledModel, Workspace>();
export function defaultWorkspace(c: CompiledModel): Workspace {
  let ws = defaultWorkspaces.get(c);
  if (!ws) {
    ws = createWorkspace(c);
    defaultWorkspaces.set(c, ws);
  }
  return ws;
}
