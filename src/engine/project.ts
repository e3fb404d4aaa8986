import type { CompiledModel, DriverStep } from "./compile.js";
import { ITEM_NAMES, RATIO_NAMES, type RatioName, type StatementItem } from "./items.js";
import { serviceWindow } from "./fleet.js";
import { BALANCE_TOLERANCE } from "./checks.js";

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
}

function emptyProjection(c: CompiledModel): Projection {
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

const workspaceOf = new WeakMap<Projection, Workspace>();

/** Assets that capitalise interest: the constructions (if sites are on), then the cohorts (if the fleet is). */
function qualifyingAssets(c: CompiledModel): number {
  return (c.capitalizeInterest.sites ? c.constructions.length : 0) + (c.capitalizeInterest.fleet ? c.cohorts.length : 0);
}

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
    capitalizationKey: { current: false, debtVersion: -1, setup: new Float64Array(5 * qualifyingAssets(c)), spend: Array.from({ length: qualifyingAssets(c) }, () => new Float64Array(H)) },
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
  };
  workspaceOf.set(ws.projection, ws);
  return ws;
}

const monthOf = (x: number) => Math.round(x);

/**
 * What an earlier maturity in a tranche's list repays in month m: a share of what was drawn
 * up to that month (opening balance included) or a set amount. The month loop caps it at
 * what is outstanding; the workbook writes the same figure.
 */
export function maturityPartAmount(p: Float64Array, openingSlot: number, part: { share: number; amount: number }, draw: ArrayLike<number>, m: number): number {
  if (part.share < 0) return p[part.amount];
  let principal = p[openingSlot];
  for (let t = 0; t <= m; t++) principal += draw[t];
  return principal * p[part.share];
}

/**
 * Projects the statements month by month. Conventions (see README, model reference):
 * interest accrues on the opening balance of the month at the month's annual rate / 12
 * and is paid in cash that month (so does interest on cash, when a rate is given);
 * depreciation is straight-line and starts in the in-service month (capex lines: the
 * month of spend) with a full month; taxes are paid in the month they arise.
 */
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
  statements(c, ws, out, out, 0, false, options.pathItemsOnly === true);
  if (options.stopAfter === "statements") return out;
  for (const stage of c.stages) stage.afterStatements?.(p, out, options);
  if (!ratiosInMonthLoop(c, options.pathItemsOnly === true)) computeRatios(out);
  return out;
}

/**
 * A path that writes only PATH_ITEMS computes the ratios in the month loop, from the
 * values it writes, with `computeRatios`'s operations: the same numbers, without a second
 * pass. Not with extensions, whose stages run after the month loop and before the ratios.
 */
function ratiosInMonthLoop(c: CompiledModel, pathItemsOnly: boolean): boolean {
  return pathItemsOnly && c.stages.length === 0;
}

/** Schedules whose months are inputs (so that a delay can be sampled). */
function scheduleInputs(c: CompiledModel, ws: Workspace, out: Projection): void {
  const p = c.params;
  const H = c.months;
  ws.equityByMonth.fill(0);
  for (let r = 0; r < c.rounds.length; r++) {
    const s = c.rounds[r].slots;
    const m = monthOf(p[s.month]);
    const amount = p[s.amount];
    const pre = p[s.preMoney];
    if (m >= 0 && m < H) ws.equityByMonth[m] += amount;
    const post = pre + amount;
    out.rounds[r * 5] = m;
    out.rounds[r * 5 + 1] = amount;
    out.rounds[r * 5 + 2] = pre;
    out.rounds[r * 5 + 3] = post;
    out.rounds[r * 5 + 4] = post > 0 ? amount / post : NaN;
  }
  const refundDep = ws.refundDepreciation;
  refundDep.fill(0);
  for (const o of c.oneOffs) {
    if (o.lands !== "capex") continue;
    const m = monthOf(p[o.slots.month]);
    const perMonth = p[o.slots.amount] / o.lifeMonths;
    for (let t = Math.max(0, m); t < Math.min(H, m + o.lifeMonths); t++) refundDep[t] += perMonth;
  }
}

/** One tranche's draws, repayments and maturities by month, from this evaluation's params. */
function trancheInputs(c: CompiledModel, ws: Workspace, k: number): void {
  const p = c.params;
  const H = c.months;
  const tr = c.tranches[k];
  const draw = ws.trancheDraw[k];
  const repay = ws.trancheRepay[k];
  const refinanced = ws.trancheRefinanced[k];
  draw.fill(0);
  repay.fill(0);
  refinanced.fill(0);
  for (const d of tr.draws) {
    const m = monthOf(p[d.month]);
    if (m >= 0 && m < H) draw[m] += p[d.amount];
  }
  for (const r of tr.repayments) {
    const m = monthOf(p[r.month]);
    if (m >= 0 && m < H) {
      repay[m] += p[r.amount];
      if (r.refinancing) refinanced[m] += p[r.amount];
    }
  }
  // Maturities before the final one: a share of the principal (opening balance plus
  // draws up to that month) or an amount; the loop caps it at what is outstanding.
  const due = ws.trancheMaturityDue[k];
  due.fill(0);
  for (const part of tr.partialMaturities) {
    const m = monthOf(p[part.month]);
    if (m < 0 || m >= H) continue;
    const amount = maturityPartAmount(p, tr.slots.openingBalance, part, draw, m);
    due[m] += amount;
    if (part.refinancing) refinanced[m] += amount;
  }
  if (tr.finalRefinancing) {
    const m = monthOf(p[tr.slots.maturity]);
    if (m >= 0 && m < H) refinanced[m] = Infinity;
  }
}

/** Applies each line's from/until months (and its scale, if a caller set one) and keeps running capex totals for depreciation. */
function maskLines(c: CompiledModel, ws: Workspace, out: Projection, computed: boolean): void {
  const H = c.months;
  for (let l = 0; l < c.lines.length; l++) {
    const line = c.lines[l];
    if (line.computed !== computed) continue;
    const v = out.lineValues[l];
    const src = line.series;
    if (line.fromIndex <= 0 && line.untilIndex >= H - 1) v.set(src);
    else for (let t = 0; t < H; t++) v[t] = t >= line.fromIndex && t <= line.untilIndex ? src[t] : 0;
    const scale = line.scale;
    if (scale) for (let t = 0; t < H; t++) v[t] *= scale[t];
    if (line.type === "capex") {
      const cum = ws.capexCumulative[l];
      let acc = 0;
      for (let t = 0; t < H; t++) cum[t] = acc += v[t];
    }
  }
}

function sumLines(c: CompiledModel, ws: Workspace, out: Projection, lineSums: (() => void) | null = null): void {
  const p = c.params;
  const H = c.months;
  const it = out.items;
  const refundDep = ws.refundDepreciation;
  const nonCash = ws.nonCashExpense;
  nonCash.fill(0);
  const revenueLines = it.revenue;
  const corLines = it.costOfRevenue;
  const opexLines = it.operatingExpenses;
  const capexLines = ws.capexBase;
  const depLines = ws.depreciationBase;
  revenueLines.fill(0);
  corLines.fill(0);
  opexLines.fill(0);
  capexLines.fill(0);
  const ppeLife = Math.max(1, Math.round(p[c.openingSlots.ppeLife]));
  const openingPpeMonthly = p[c.openingSlots.ppeNet] / ppeLife;
  for (let t = 0; t < H; t++) depLines[t] = (t < ppeLife ? openingPpeMonthly : 0) - refundDep[t];
  for (let k = 0; k < c.categories.length; k++) out.opexByCategory[k].fill(0);
  if (lineSums) lineSums();
  else for (let l = 0; l < c.lines.length; l++) {
    const line = c.lines[l];
    const v = out.lineValues[l];
    switch (line.type) {
      case "revenue":
        for (let t = 0; t < H; t++) revenueLines[t] += v[t];
        break;
      case "costOfRevenue":
        for (let t = 0; t < H; t++) corLines[t] += v[t];
        break;
      case "operatingExpense": {
        const cat = out.opexByCategory[line.categoryIndex];
        for (let t = 0; t < H; t++) {
          opexLines[t] += v[t];
          cat[t] += v[t];
        }
        if (line.nonCash) for (let t = 0; t < H; t++) nonCash[t] += v[t];
        break;
      }
      case "capex": {
        const cum = ws.capexCumulative[l];
        const L = line.lifeMonths;
        if (line.placedFrom === null) {
          for (let t = 0; t < H; t++) {
            capexLines[t] += v[t];
            depLines[t] += (cum[t] - (t >= L ? cum[t - L] : 0)) / L;
          }
        } else {
          // Built before use: what is spent before the month it is placed in service waits
          // (construction in progress) and starts depreciating then; later spend from its
          // own month. Placed to date P(t) = cumulative spend from that month on, 0 before.
          const from = monthOf(line.placedFrom[0]);
          for (let t = 0; t < H; t++) {
            capexLines[t] += v[t];
            const placed = t >= from ? cum[t] : 0;
            const gone = t - L >= from && t >= L ? cum[t - L] : 0;
            depLines[t] += (placed - gone) / L;
          }
        }
        break;
      }
    }
  }
  const powerCostSeries = it.powerCost;
  addFleet(c, ws, out, Object.is(openingPpeMonthly, -0));
  for (let t = 0; t < H; t++) corLines[t] += powerCostSeries[t];
  // One-off items land in their month; recurring revenue (for receivables) excludes them.
  const recurring = ws.recurringRevenue;
  recurring.set(revenueLines);
  const otherIncomeSeries = it.otherIncome;
  otherIncomeSeries.fill(0);
  const equityByMonth = ws.equityByMonth;
  for (let k = 0; k < c.oneOffs.length; k++) {
    const o = c.oneOffs[k];
    const t = monthOf(p[o.slots.month]);
    if (t < 0 || t >= H) continue;
    const amount = p[o.slots.amount];
    switch (o.lands) {
      case "otherIncome":
        otherIncomeSeries[t] += amount;
        break;
      case "revenue":
        revenueLines[t] += amount;
        break;
      case "costOfRevenue":
        corLines[t] -= amount;
        break;
      case "operatingExpense":
        opexLines[t] -= amount;
        out.opexByCategory[o.categoryIndex][t] -= amount;
        break;
      case "capex":
        capexLines[t] -= amount;
        break;
      case "equity":
        equityByMonth[t] += amount;
        break;
    }
  }

}

/**
 * Adds the cohorts' capex and depreciation to the lines' and sums their capacity, power,
 * retirement proceeds and gains — cohort by cohort in order, as one loop over every month
 * would, but only over the months a cohort's series are not zero: adding ±0 leaves any
 * sum that is not −0 as it is, and these sums start at +0 (so are never −0), unless
 * opening PP&E's depreciation is −0 (then every month is added). Each of the four fleet
 * totals is summed again only when a cohort's series of it was written since (see
 * `FleetCache.stale`). The depreciation with the fleet's added is the last one's when the
 * lines' depreciation it starts from and every cohort's depreciation are the same.
 */
function addFleet(c: CompiledModel, ws: Workspace, out: Projection, everyMonth: boolean): void {
  const H = c.months;
  const it = out.items;
  const fleet = ws.fleet;
  const nCohorts = c.cohorts.length;
  const win = fleet.window;
  const capexLines = ws.capexBase;
  for (let k = 0; k < nCohorts; k++) {
    const capex = out.cohorts[k].capex;
    const capexTo = everyMonth ? H : win[WINDOW * k + 1];
    for (let t = everyMonth ? 0 : win[WINDOW * k]; t < capexTo; t++) capexLines[t] += capex[t];
  }
  const depLines = ws.depreciationBase;
  if (fleet.depreciationCurrent && everyMonth === fleet.depreciationEveryMonth && sameSeries(depLines, fleet.depreciationBefore)) depLines.set(fleet.depreciationAfter);
  else {
    fleet.depreciationBefore.set(depLines);
    for (let k = 0; k < nCohorts; k++) {
      const depreciation = out.cohorts[k].depreciation;
      const depTo = everyMonth ? H : win[WINDOW * k + 3];
      for (let t = everyMonth ? 0 : win[WINDOW * k + 2]; t < depTo; t++) depLines[t] += depreciation[t];
    }
    fleet.depreciationAfter.set(depLines);
    fleet.depreciationEveryMonth = everyMonth;
    fleet.depreciationCurrent = true;
  }
  const stale = fleet.stale;
  if (stale === 0) return;
  fleet.stale = 0;
  if (stale & STALE_CAPACITY) {
    const total = it.capacity;
    total.fill(0);
    for (let k = 0; k < nCohorts; k++) {
      const capacity = out.cohorts[k].capacity;
      const to = win[WINDOW * k + 5];
      for (let t = win[WINDOW * k + 4]; t < to; t++) total[t] += capacity[t];
    }
  }
  if (stale & STALE_POWER) {
    const total = it.powerCost;
    total.fill(0);
    for (let k = 0; k < nCohorts; k++) {
      const powerCost = out.cohorts[k].powerCost;
      const to = win[WINDOW * k + 7];
      for (let t = win[WINDOW * k + 6]; t < to; t++) total[t] += powerCost[t];
    }
  }
  if (stale & STALE_RETIREMENT) {
    const proceedsTotal = it.disposalProceeds;
    const gainTotal = ws.disposalGainBase;
    proceedsTotal.fill(0);
    gainTotal.fill(0);
    for (let k = 0; k < nCohorts; k++) {
      const series = out.cohorts[k];
      const proceeds = series.retirementProceeds;
      const gain = series.retirementGain;
      const to = win[WINDOW * k + 9];
      for (let t = win[WINDOW * k + 8]; t < to; t++) {
        proceedsTotal[t] += proceeds[t];
        gainTotal[t] += gain[t];
      }
    }
  }
}

/**
 * What depends on last month's balances: interest, tax, working capital, the revolver,
 * the balance sheet. Reads the operating lines of `src` and writes the statements of
 * `dst` (the same projection, or the scratch copy the funding gap re-runs with
 * `extraCash` more opening cash).
 *
 * Order within a month:
 *   1. interest on the opening balances: each tranche and the revolver at the month's
 *      rate / 12; the revolver's commitment fee on (limit − opening balance); interest
 *      income on positive opening cash and overdraft interest on negative opening cash;
 *   2. tranche draws, fees and scheduled principal (maturity repays what is left);
 *   3. income statement, tax, working capital, equity: cash before the revolver;
 *   4. the revolver closes the month: a balance above this month's limit is repaid down
 *      to it; then, below the cash floor it draws the shortfall (up to the limit), above
 *      the floor it repays from the excess (down to zero). At its maturity it is repaid
 *      in full. Draws bear interest from next month, like tranche draws.
 *
 * The tranches (step 2 and their interest) do not depend on cash, so they are walked
 * apart from the month loop (`refreshDebt`), each tranche only when its inputs changed
 * since its last walk in this workspace, and the month loop reads their monthly totals
 * from the workspace's debt schedule — the same numbers, summed in the same order as one
 * loop over tranches inside the month would. The funding gap's re-runs (`cashOnly`) read
 * the same schedule and write only ending cash.
 */
function statements(c: CompiledModel, ws: Workspace, src: Projection, dst: Projection, extraCash: number, cashOnly = false, pathItemsOnly = false): void {
  const p = c.params;
  const H = c.months;
  const cal = c.calendar;
  const inp = src.items;
  const it = dst.items;
  const revenueLines = inp.revenue;
  const corLines = inp.costOfRevenue;
  const opexLines = inp.operatingExpenses;
  const capexLines = ws.capexBase;
  const depLines = ws.depreciationBase;
  const otherIncomeSeries = inp.otherIncome;
  const proceedsSeries = inp.disposalProceeds;
  const gainSeries = ws.disposalGainBase;
  const recurring = ws.recurringRevenue;
  const equityByMonth = ws.equityByMonth;
  const taxRate = p[c.slots.taxRate];
  const lossLimit = p[c.slots.lossOffsetLimit];
  const dso = p[c.slots.receivableDays];
  const dpo = p[c.slots.payableDays];
  const cashFloor = p[c.slots.cashFloor];
  const nT = c.tranches.length;
  if (!cashOnly) {
    refreshDebt(c, ws, src);
    if (ws.cashRun) ws.cashRun.ready = false;
  }
  const debt = ws.debt;
  const schedule = debt.schedule;
  let debtTotal = 0;
  for (let k = 0; k < nT; k++) debtTotal += p[c.tranches[k].slots.openingBalance];
  const rv = c.revolver;
  const rvOut = dst.revolver;
  let rvBalance = 0;
  let rvFrom = 0;
  let rvMaturity = Infinity;
  let rvFee = 0;
  if (rv) {
    rvBalance = p[rv.slots.openingBalance];
    rvFrom = monthOf(p[rv.slots.from]);
    rvMaturity = monthOf(p[rv.slots.maturity]);
    rvFee = p[rv.slots.commitmentFee];
    debtTotal += rvBalance;
  }
  const incomeRate = c.cashRates.income;
  const overdraftRate = c.cashRates.overdraft;
  // Without a revolver or an overdraft rate, interest incurred does not depend on cash, so
  // neither does what is capitalised: re-runs read it from the schedule too, and so does a
  // full run when the assets and the debt are those of the run that recorded it.
  const capCashFree = c.revolver === null && c.cashRates.overdraft === null;
  let capFromSchedule = cashOnly && capCashFree;
  let nA = capFromSchedule ? 0 : setUpQualifyingAssets(c, ws, src);
  if (!cashOnly && nA > 0) {
    if (capCashFree && capitalizationUnchanged(ws, nA)) {
      capFromSchedule = true;
      nA = 0;
    } else {
      keepCapitalizationInputs(ws, nA, capCashFree);
      if (capCashFree && exactShortcuts.capitalizeAhead && capitalizeAhead(c, ws, src, dst, nA)) {
        capFromSchedule = true;
        nA = 0;
      } else markRowsWritten(ws, nA, H);
    }
  }
  const capOut = dst.capitalization;
  // Capitalisation reads each tranche's opening balance and rate (the walk's own series).
  const trancheOpen = debt.open;
  const trancheRates = src.tranches;

  // The opening balance sheet from this evaluation's params; retained earnings is the
  // plug, so a sampled opening cash (or any other opening balance) is balanced by equity.
  const os = c.openingSlots;
  let cash = p[os.cash] + extraCash;
  let receivables = p[os.receivables];
  let payables = p[os.payables];
  let ppe = p[os.ppeNet] + ws.openingFleetNbv;
  let paidIn = p[os.paidInCapital];
  let retained = cash + receivables + ppe - debtTotal - payables - paidIn;
  let nol = p[c.slots.lossCarryforward];
  let nolAtYearStart = nol;
  let incomeYearToDate = 0;
  let taxYearToDate = 0;
  const o = dst.opening;
  o.cash = cash;
  o.receivables = receivables;
  o.ppe = ppe;
  o.fleetNbv = ws.openingFleetNbv;
  o.debt = debtTotal;
  o.payables = payables;
  o.paidInCapital = paidIn;
  o.retainedEarnings = retained;
  o.lossCarryforward = nol;
  let feesTotal = 0;
  // The ratios, when the month loop computes them (see `computeRatios`).
  const withRatios = !cashOnly && ratiosInMonthLoop(c, pathItemsOnly);
  const r = dst.ratios;
  let sumEbitda = 0;
  let sumTaxes = 0;
  let sumInterest = 0;
  let sumService = 0;
  // validity.ts's checks, with its operations on the same values (see Projection.checks).
  let nonFinite = 0;
  let unbalanced = 0;
  let previousCash = cash;

  for (let t = 0; t < H; t++) {
    const revenue = revenueLines[t];
    const costOfRevenue = corLines[t];
    const opex = opexLines[t];
    const otherIncome = otherIncomeSeries[t];
    const disposalProceeds = proceedsSeries[t];
    const equity = equityByMonth[t];
    const recurringRevenue = recurring[t];
    const grossProfit = revenue - costOfRevenue;
    const ebitda = grossProfit - opex;

    // Debt: interest on the opening balance; draws, then scheduled principal (the walk's totals).
    let cashInterest = schedule.interest[t];
    const feeAmortization = schedule.feeAmortization[t];
    let drawn = schedule.drawn[t];
    let repaid = schedule.repaid[t];
    let scheduled = schedule.scheduled[t];
    const feesPaid = schedule.feesPaid[t];
    let openDebt = schedule.openDebt[t];
    let rateTimesDebt = schedule.rateTimesDebt[t];

    // The revolver's interest and commitment fee, on the month's opening balance.
    let rvLimit = 0;
    let rvInterest = 0;
    let rvCommitment = 0;
    const rvOpen = rvBalance;
    if (rv) {
      const s = rv.slots;
      const rate = rv.fixed ? p[s.rate] : Math.max(rv.base![t], p[s.floor]) + p[s.spread];
      const available = t >= rvFrom && t < rvMaturity;
      rvLimit = available ? Math.max(0, rv.limit[t]) : 0;
      rvInterest = (rvOpen * rate) / 12;
      if (available) rvCommitment = (Math.max(0, rvLimit - rvOpen) * rvFee) / 12;
      rvOut!.rate[t] = rate;
      rvOut!.limit[t] = rvLimit;
      cashInterest += rvInterest + rvCommitment;
      openDebt += rvOpen;
      rateTimesDebt += rvOpen * rate;
    }
    // Interest on cash itself: earned on a positive opening balance, charged on a negative one.
    let interestIncome = 0;
    if (cash > 0) {
      if (incomeRate !== null) interestIncome = (cash * incomeRate[t]) / 12;
    } else if (overdraftRate !== null) cashInterest -= (cash * overdraftRate[t]) / 12;

    const grossInterest = cashInterest + feeAmortization;
    // Interest capitalised on assets not yet in service, and its depreciation once they are.
    let capitalized = 0;
    let capDepreciation = 0;
    let capWrittenOff = 0;
    if (capFromSchedule) {
      capitalized = schedule.capitalized[t];
      capDepreciation = schedule.capDepreciation[t];
      capWrittenOff = schedule.capWrittenOff[t];
    } else if (nA > 0) {
      const averageRate = openDebt > 0 ? rateTimesDebt / openDebt : 0;
      let wanted = 0;
      for (let a = 0; a < nA; a++) {
        let v = 0;
        if (t < ws.assetLive[a]) {
          const base = ws.assetAccum[a];
          if (base > 0) {
            const k = ws.assetTranche[a];
            // The funding tranche's rate on what it can fund, the average rate on the rest.
            const specific = k >= 0 ? Math.min(base, trancheOpen[k][t]) : 0;
            v = Math.max(0, (specific * (k >= 0 ? trancheRates[k].rate[t] : 0) + (base - specific) * averageRate) / 12);
          }
          ws.assetAccum[a] += ws.assetSpend[a][t];
        }
        ws.assetWanted[a] = v;
        wanted += v;
      }
      // Never more than the interest incurred in the month.
      const scale = wanted > grossInterest ? Math.max(0, grossInterest) / wanted : 1;
      for (let a = 0; a < nA; a++) {
        const v = ws.assetWanted[a] * scale;
        if (v !== 0) {
          ws.assetAccum[a] += v;
          ws.assetBook[a] += v;
          ws.assetTotal[a] += v;
          capitalized += v;
        }
        let d = 0;
        const live = ws.assetLive[a];
        if (t >= live && ws.assetBook[a] > 0) {
          if (t < live + ws.assetDepMonths[a]) d = Math.min(ws.assetBook[a], ws.assetTotal[a] / ws.assetDepMonths[a]);
          ws.assetBook[a] -= d;
          // A cohort retired with capitalised interest not yet depreciated: part of its book value.
          if (t === ws.assetRetire[a]) {
            capWrittenOff += ws.assetBook[a];
            ws.assetBook[a] = 0;
          }
        }
        capDepreciation += d;
        capOut!.interest[a][t] = v;
        capOut!.depreciation[a][t] = d;
      }
    }
    if (!cashOnly && !capFromSchedule) {
      schedule.capitalized[t] = capitalized;
      schedule.capDepreciation[t] = capDepreciation;
      schedule.capWrittenOff[t] = capWrittenOff;
    }
    const capex = capexLines[t] + capitalized;
    const depreciation = depLines[t] + capDepreciation;
    const disposalGain = gainSeries[t] - capWrittenOff;
    const ebit = ebitda - depreciation;
    const interestExpense = grossInterest - capitalized;
    const pretax = ebit - interestExpense + interestIncome + otherIncome + disposalGain;
    // Tax on the fiscal year's income to date: losses carried in from earlier years offset
    // at most lossOffsetLimit of it; each month pays the year's tax so far less what the
    // year's earlier months paid (so a later loss in the year reverses earlier payments);
    // the year's own loss is carried forward. No carry-back to earlier years.
    if (t === 0 || cal.fiscalYear[t] !== cal.fiscalYear[t - 1]) {
      nolAtYearStart = nol;
      incomeYearToDate = 0;
      taxYearToDate = 0;
    }
    incomeYearToDate += pretax;
    const lossesUsed = incomeYearToDate > 0 ? Math.min(nolAtYearStart, lossLimit * incomeYearToDate) : 0;
    const taxDue = incomeYearToDate > lossesUsed ? taxRate * (incomeYearToDate - lossesUsed) : 0;
    const taxes = taxDue - taxYearToDate;
    taxYearToDate = taxDue;
    nol = nolAtYearStart - lossesUsed + (incomeYearToDate < 0 ? -incomeYearToDate : 0);
    const netIncome = pretax - taxes;

    // Working capital on recurring revenue and cash costs (days of the month's flow).
    const days = cal.days[t];
    const newReceivables = (recurringRevenue / days) * dso;
    // Stock-based compensation is an expense paid in shares: no cash leaves, no payable
    // arises, equity grows.
    const shareSettled = ws.nonCashExpense[t];
    const newPayables = ((costOfRevenue + opex - shareSettled) / days) * dpo;
    // A gain on disposal is not cash: the proceeds are, in investing.
    const operatingCashFlow = netIncome + depreciation + feeAmortization + shareSettled - disposalGain - (newReceivables - receivables) + (newPayables - payables);
    const investingCashFlow = disposalProceeds - capex;
    let financingCashFlow = equity + drawn - repaid - feesPaid;

    // The revolver closes the month against the cash floor.
    let rvDraw = 0;
    let rvRepay = 0;
    if (rv) {
      if (t >= rvMaturity) {
        rvRepay = rvOpen;
        scheduled += rvOpen;
      } else if (t >= rvFrom) {
        const before = cash + operatingCashFlow + investingCashFlow + financingCashFlow;
        const excess = Math.max(0, rvOpen - rvLimit);
        const left = before - excess;
        const owed = rvOpen - excess;
        if (left < cashFloor) rvDraw = Math.max(0, Math.min(cashFloor - left, rvLimit - owed));
        else rvRepay = Math.min(left - cashFloor, owed);
        rvRepay += excess;
      }
      const end = rvOpen + rvDraw - rvRepay;
      rvBalance = Math.abs(end) < 1e-12 ? 0 : end;
      drawn += rvDraw;
      repaid += rvRepay;
      financingCashFlow += rvDraw - rvRepay;
      rvOut!.balance[t] = rvBalance;
      rvOut!.interest[t] = rvInterest;
      rvOut!.commitmentFee[t] = rvCommitment;
      rvOut!.drawn[t] = rvDraw;
      rvOut!.repaid[t] = rvRepay;
    }
    const netCashFlow = operatingCashFlow + investingCashFlow + financingCashFlow;
    cash += netCashFlow;
    receivables = newReceivables;
    payables = newPayables;
    ppe += capex - depreciation - (disposalProceeds - disposalGain);
    debtTotal += drawn - repaid;
    feesTotal = schedule.feesTotal[t];
    paidIn += equity + shareSettled;
    retained += netIncome;

    it.endingCash[t] = cash;
    if (cashOnly) continue;
    it.ebitda[t] = ebitda;
    it.taxes[t] = taxes;
    it.netIncome[t] = netIncome;
    it.operatingCashFlow[t] = operatingCashFlow;
    it.investingCashFlow[t] = investingCashFlow;
    const freeCashFlow = operatingCashFlow - capex;
    it.freeCashFlow[t] = freeCashFlow;
    it.financingCashFlow[t] = financingCashFlow;
    const totalAssets = cash + receivables + ppe;
    it.totalAssets[t] = totalAssets;
    it.debt[t] = debtTotal;
    const totalLiabilities = debtTotal - feesTotal + payables;
    it.totalLiabilities[t] = totalLiabilities;
    const totalEquity = paidIn + retained;
    it.equity[t] = totalEquity;
    it.cashInterest[t] = cashInterest;
    const service = cashInterest + scheduled;
    it.debtService[t] = service;
    if (withRatios) {
      r.dscr[t] = service > 1e-12 ? (ebitda - taxes) / service : NaN;
      sumEbitda += ebitda;
      sumTaxes += taxes;
      sumInterest += cashInterest;
      sumService += service;
      if (t >= 12) {
        sumEbitda -= it.ebitda[t - 12];
        sumTaxes -= it.taxes[t - 12];
        sumInterest -= it.cashInterest[t - 12];
        sumService -= it.debtService[t - 12];
      }
      const n = Math.min(t + 1, 12);
      r.dscrLtm[t] = sumService > 1e-12 ? (sumEbitda - sumTaxes) / sumService : NaN;
      r.interestCoverageLtm[t] = sumInterest > 1e-12 ? sumEbitda / sumInterest : NaN;
      const annualEbitda = (sumEbitda * 12) / n;
      const netDebt = debtTotal - cash;
      r.netDebtToEbitdaLtm[t] = annualEbitda > 1e-12 ? netDebt / annualEbitda : NaN;
      nonFinite += cash - cash + (revenue - revenue) + (netIncome - netIncome) + (freeCashFlow - freeCashFlow) + (debtTotal - debtTotal) + (totalAssets - totalAssets) + (totalLiabilities - totalLiabilities) + (totalEquity - totalEquity);
      const imbalance = totalAssets - totalLiabilities - totalEquity;
      const tie = cash - previousCash - (operatingCashFlow + investingCashFlow + financingCashFlow);
      previousCash = cash;
      unbalanced += Math.abs(imbalance) <= BALANCE_TOLERANCE && Math.abs(tie) <= BALANCE_TOLERANCE ? 0 : 1;
    }
    if (pathItemsOnly) continue;
    it.grossProfit[t] = grossProfit;
    it.capex[t] = capex;
    it.depreciation[t] = depreciation;
    it.disposalGain[t] = disposalGain;
    it.ebit[t] = ebit;
    it.grossInterest[t] = grossInterest;
    it.capitalizedInterest[t] = capitalized;
    it.interestExpense[t] = interestExpense;
    it.interestIncome[t] = interestIncome;
    it.netInterestExpense[t] = interestExpense - interestIncome;
    it.pretaxIncome[t] = pretax;
    it.equityRaised[t] = equity;
    it.debtDrawn[t] = drawn;
    it.debtRepaid[t] = repaid;
    it.financingFees[t] = feesPaid;
    it.netCashFlow[t] = netCashFlow;
    it.receivables[t] = receivables;
    it.ppeNet[t] = ppe;
    it.revolverBalance[t] = rvBalance;
    it.unamortizedFees[t] = feesTotal;
    it.payables[t] = payables;
    it.paidInCapital[t] = paidIn;
    it.retainedEarnings[t] = retained;
    it.commitmentFees[t] = rvCommitment;
    it.scheduledPrincipal[t] = scheduled;
    it.revolverDrawn[t] = rvDraw;
    it.revolverRepaid[t] = rvRepay;
    it.lossCarryforward[t] = nol;
  }
  if (!cashOnly && nA > 0 && capCashFree) ws.capitalizationKey.current = true;
  if (withRatios) {
    dst.checks.nonFinite = nonFinite;
    dst.checks.unbalanced = unbalanced;
    dst.checks.current = true;
  }
}

/**
 * The assets that capitalise interest, for this evaluation: GPU sites (their spend and
 * go-live month) and fleet cohorts (their cost, from purchase to going into service; a
 * cohort bought before the start and not yet in service starts with its cost). Returns
 * how many.
 */
function setUpQualifyingAssets(c: CompiledModel, ws: Workspace, src: Projection): number {
  const n = ws.assetLive.length;
  if (n === 0) return 0;
  const p = c.params;
  let a = 0;
  ws.assetSpend.length = n;
  if (c.capitalizeInterest.sites) {
    for (const con of c.constructions) {
      ws.assetLive[a] = monthOf(con.live[0]);
      ws.assetDepMonths[a] = con.lifeMonths;
      ws.assetRetire[a] = Infinity;
      ws.assetTranche[a] = con.tranche;
      ws.assetAccum[a] = 0;
      ws.assetSpend[a] = con.spend;
      a++;
    }
  }
  if (c.capitalizeInterest.fleet) {
    for (let k = 0; k < c.cohorts.length; k++) {
      const co = c.cohorts[k];
      const live = src.cohortService[2 * k];
      const retire = src.cohortService[2 * k + 1];
      ws.assetLive[a] = live;
      ws.assetDepMonths[a] = Math.max(1, Math.min(p[co.slots.lifeMonths], retire - live + 1));
      ws.assetRetire[a] = retire;
      ws.assetTranche[a] = -1;
      ws.assetAccum[a] = co.preStart && live > 0 ? (p[co.slots.count] * p[co.slots.unitCost]) / c.unitScale : 0;
      ws.assetSpend[a] = src.cohorts[k].capex;
      a++;
    }
  }
  ws.assetBook.fill(0);
  ws.assetTotal.fill(0);
  return n;
}

/**
 * Without a revolver or an overdraft rate, interest capitalised in a month depends on the
 * debt's walk (interest incurred, opening balances and rates), each asset's set-up (live
 * month, months to depreciate, retirement, funding tranche, cost carried in) and its
 * spend in the months before it is live — nothing else. While those are what they were
 * when the schedule recorded it (compared value by value), the capitalised interest, its
 * depreciation and write-offs, and each asset's series in the projection are exactly what
 * a new run writes.
 */
export interface CapitalizationKey {
  current: boolean;
  debtVersion: number;
  setup: Float64Array;
  spend: Float64Array[];
}

function capitalizationUnchanged(ws: Workspace, nA: number): boolean {
  const key = ws.capitalizationKey;
  if (!key.current || key.debtVersion !== ws.debt.version) return false;
  const setup = key.setup;
  for (let a = 0; a < nA; a++) {
    const live = ws.assetLive[a];
    if (!sameNumber(live, setup[5 * a]) || !sameNumber(ws.assetDepMonths[a], setup[5 * a + 1]) || !sameNumber(ws.assetRetire[a], setup[5 * a + 2]) || !sameNumber(ws.assetTranche[a], setup[5 * a + 3]) || !sameNumber(ws.assetAccum[a], setup[5 * a + 4])) return false;
    // Only the spend of the months before it goes live is capitalised on.
    const spend = ws.assetSpend[a];
    const kept = key.spend[a];
    for (let t = 0; t < spend.length && t < live; t++) if (!Object.is(spend[t], kept[t])) return false;
  }
  return true;
}

/** Records what this run's capitalisation starts from (it is current once the month loop ends). */
function keepCapitalizationInputs(ws: Workspace, nA: number, cashFree: boolean): void {
  const key = ws.capitalizationKey;
  key.current = false;
  if (!cashFree) return;
  key.debtVersion = ws.debt.version;
  const setup = key.setup;
  for (let a = 0; a < nA; a++) {
    setup[5 * a] = ws.assetLive[a];
    setup[5 * a + 1] = ws.assetDepMonths[a];
    setup[5 * a + 2] = ws.assetRetire[a];
    setup[5 * a + 3] = ws.assetTranche[a];
    setup[5 * a + 4] = ws.assetAccum[a];
    key.spend[a].set(ws.assetSpend[a]);
  }
}

/**
 * Shortcuts that skip work whose result is known without it (each exact: see where it is
 * used). Always on; tests turn one off to compare with the full computation.
 */
export const exactShortcuts = {
  /** Interest capitalisation computed ahead of the month loop, only where it can be non-zero (`capitalizeAhead`). */
  capitalizeAhead: true,
  /** Each tranche added to the debt totals only over the months its series are not zero (`refreshDebt`). */
  trancheSpans: true,
};

/**
 * Interest capitalised, its depreciation and write-offs, written into the debt schedule
 * before the month loop, when they do not depend on cash (no revolver, no overdraft rate):
 * the month loop's interest incurred is then the schedule's interest plus fee amortisation
 * and its debt the schedule's. The same operations as the month loop's (`statements`),
 * but only where they can give something other than zero:
 *   - an asset earns interest only in the months before it goes live, from the first one
 *     it has a positive cost or spends (before, its cost is not positive and what it adds
 *     is zero, whose sign it never shows);
 *   - from its live month on it earns nothing (0 × a scale of at most 1), so its book
 *     value and total no longer depend on the other assets: it depreciates on its own,
 *     an asset at a time, until its book value is not positive (then nothing changes);
 *     the depreciation per month (total / months) is computed once, the same quotient;
 *   - the monthly sums add each asset's non-zero amounts in the assets' order to +0, as
 *     the month loop does (adding ±0 to a sum that started at +0 changes nothing).
 * A month that would scale the interest by NaN (none wanted and a negative interest
 * incurred: 0 / 0, which turns every asset's figures into NaN) is left to the month loop:
 * returns false, with the assets set up again.
 */
function capitalizeAhead(c: CompiledModel, ws: Workspace, src: Projection, dst: Projection, nA: number): boolean {
  const H = c.months;
  const schedule = ws.debt.schedule;
  const interestBy = schedule.interest;
  const feeAmortizationBy = schedule.feeAmortization;
  const openDebtBy = schedule.openDebt;
  const rateTimesDebtBy = schedule.rateTimesDebt;
  const trancheOpen = ws.debt.open;
  const trancheRates = src.tranches;
  const capitalizedBy = schedule.capitalized;
  const depreciationBy = schedule.capDepreciation;
  const writtenOffBy = schedule.capWrittenOff;
  const capOut = dst.capitalization!;
  const live = ws.assetLive;
  const depMonths = ws.assetDepMonths;
  const retireAt = ws.assetRetire;
  const trancheOf = ws.assetTranche;
  const accum = ws.assetAccum;
  const book = ws.assetBook;
  const total = ws.assetTotal;
  const wantedBy = ws.assetWanted;
  const spendOf = ws.assetSpend;
  const earnFrom = ws.assetEarnFrom;
  const earnTo = ws.assetEarnTo;
  const byStart = ws.assetsByStart;
  const earning = ws.assetsEarning;
  // The rows hold the last run's figures: only the months they may be non-zero in are cleared.
  const rowSpans = ws.assetRowSpans;
  let nStarting = 0;
  for (let a = 0; a < nA; a++) {
    const l = live[a];
    // Months t < live: live rounded up, within the horizon (none when live is NaN).
    const to = l > 0 ? (l < H ? Math.ceil(l) : H) : 0;
    let from = 0;
    if (!(accum[a] > 0)) {
      const spend = spendOf[a];
      while (from < to && spend[from] === 0) from++;
    }
    earnFrom[a] = from;
    earnTo[a] = to;
    const row = capOut.interest[a];
    for (let t = rowSpans[4 * a], hi = rowSpans[4 * a + 1]; t < hi; t++) row[t] = 0;
    rowSpans[4 * a] = from;
    rowSpans[4 * a + 1] = to;
    if (from >= to) continue;
    // Insertion by first earning month, after those that start with it (assets' order).
    let i = nStarting++;
    while (i > 0 && earnFrom[byStart[i - 1]] > from) {
      byStart[i] = byStart[i - 1];
      i--;
    }
    byStart[i] = a;
  }
  capitalizedBy.fill(0);
  let nEarning = 0;
  let next = 0;
  for (let t = 0; t < H; t++) {
    let kept = 0;
    for (let i = 0; i < nEarning; i++) if (earnTo[earning[i]] > t) earning[kept++] = earning[i];
    nEarning = kept;
    for (; next < nStarting && earnFrom[byStart[next]] === t; next++) {
      const a = byStart[next];
      let i = nEarning++;
      while (i > 0 && earning[i - 1] > a) {
        earning[i] = earning[i - 1];
        i--;
      }
      earning[i] = a;
    }
    const grossInterest = interestBy[t] + feeAmortizationBy[t];
    let wanted = 0;
    if (nEarning > 0) {
      const openDebt = openDebtBy[t];
      const averageRate = openDebt > 0 ? rateTimesDebtBy[t] / openDebt : 0;
      for (let i = 0; i < nEarning; i++) {
        const a = earning[i];
        let v = 0;
        const base = accum[a];
        if (base > 0) {
          const k = trancheOf[a];
          // The funding tranche's rate on what it can fund, the average rate on the rest.
          const specific = k >= 0 ? Math.min(base, trancheOpen[k][t]) : 0;
          v = Math.max(0, (specific * (k >= 0 ? trancheRates[k].rate[t] : 0) + (base - specific) * averageRate) / 12);
        }
        accum[a] += spendOf[a][t];
        wantedBy[a] = v;
        wanted += v;
      }
    }
    // Never more than the interest incurred in the month.
    let scale = 1;
    if (wanted > grossInterest) {
      scale = Math.max(0, grossInterest) / wanted;
      if (scale !== scale) {
        setUpQualifyingAssets(c, ws, src);
        markRowsWritten(ws, nA, H);
        return false;
      }
    }
    if (nEarning === 0) continue;
    let capitalized = 0;
    for (let i = 0; i < nEarning; i++) {
      const a = earning[i];
      const v = wantedBy[a] * scale;
      if (v !== 0) {
        accum[a] += v;
        book[a] += v;
        total[a] += v;
        capitalized += v;
      }
      capOut.interest[a][t] = v;
    }
    capitalizedBy[t] = capitalized;
  }
  depreciationBy.fill(0);
  writtenOffBy.fill(0);
  for (let a = 0; a < nA; a++) {
    const row = capOut.depreciation[a];
    const l = live[a];
    let left = book[a];
    // Depreciation starts in the live month (t >= live), which NaN never is.
    const start = !(left > 0) || l !== l ? H : earnTo[a];
    let t = start;
    const months = depMonths[a];
    const end = l + months;
    const perMonth = total[a] / months;
    const retire = retireAt[a];
    for (; t < H; t++) {
      let d = 0;
      if (t < end) d = Math.min(left, perMonth);
      left -= d;
      // A cohort retired with capitalised interest not yet depreciated: part of its book value.
      if (t === retire) {
        writtenOffBy[t] += left;
        left = 0;
      }
      depreciationBy[t] += d;
      row[t] = d;
      if (!(left > 0)) {
        t++;
        break;
      }
      if (t + 1 >= end) {
        // Fully depreciated but for rounding: only a retirement still writes it off.
        for (t++; t < H; t++) {
          row[t] = 0;
          if (t === retire) {
            writtenOffBy[t] += left;
            left = 0;
            t++;
            break;
          }
        }
        break;
      }
    }
    book[a] = left;
    // Clear what the last run left outside the months written now.
    const lo = rowSpans[4 * a + 2];
    const hi = rowSpans[4 * a + 3];
    for (let m = lo, to = Math.min(hi, start); m < to; m++) row[m] = 0;
    for (let m = Math.max(lo, t); m < hi; m++) row[m] = 0;
    rowSpans[4 * a + 2] = start;
    rowSpans[4 * a + 3] = t;
  }
  ws.capitalizationKey.current = true;
  return true;
}

/** The month loop writes every month of every asset's rows: any may be non-zero. */
function markRowsWritten(ws: Workspace, nA: number, H: number): void {
  const rowSpans = ws.assetRowSpans;
  for (let a = 0; a < nA; a++) {
    rowSpans[4 * a] = 0;
    rowSpans[4 * a + 1] = H;
    rowSpans[4 * a + 2] = 0;
    rowSpans[4 * a + 3] = H;
  }
}

/**
 * Whether extra opening cash changes anything but cash itself: it does when cash earns
 * or pays interest, or when a revolver would draw less. Otherwise the funding gap is
 * simply floor − minimum cash.
 */
export function cashReactsToExtraCash(c: CompiledModel): boolean {
  return c.revolver !== null || c.cashRates.income !== null || c.cashRates.overdraft !== null;
}

/** Lowest (ending cash − floor) over the horizon with `extra` more opening cash, all else as evaluated. */
export function lowestCashAboveFloor(proj: Projection, extra: number, floor: number): number {
  const cash = cashWithExtra(proj, extra);
  let low = Infinity;
  for (let t = 0; t < cash.length; t++) if (cash[t] < low) low = cash[t];
  return low - floor;
}

/** Ending cash by month with `extra` more opening cash (the statements re-run on scratch buffers). */
function cashWithExtra(proj: Projection, extra: number): Float64Array {
  const ws = workspaceOf.get(proj);
  if (!ws) throw new Error("internal: a projection outside its workspace");
  const c = proj.compiled;
  ws.scratch ??= emptyProjection(c);
  if (cashRunsApply(c)) {
    cashRuns(c, ws, proj, extra, NaN, ws.scratch.items.endingCash, null);
    return ws.scratch.items.endingCash;
  }
  statements(c, ws, proj, ws.scratch, extra, true);
  return ws.scratch.items.endingCash;
}

/**
 * The funding gap's re-runs, month by month, from what does not depend on cash: without a
 * revolver, and with capitalised interest that does not depend on cash (none, or read from
 * the schedule: no overdraft rate), extra opening cash changes only interest on cash and
 * what follows from it (pre-tax income, tax, net income, operating cash flow, cash). The
 * rest of each month is computed once per evaluation with the month loop's own
 * expressions, so the same numbers; then each re-run performs the month loop's operations
 * on cash, in its order. Two re-runs can go side by side in one pass (`cashRuns`).
 */
interface CashRunInputs {
  /** Whether `perMonth` belongs to the workspace's last evaluation. */
  ready: boolean;
  /** CASH_RUN_STRIDE numbers per month (see `prepareCashRuns`). */
  perMonth: Float64Array;
  /** 1 in the first month of a fiscal year. */
  yearStarts: Uint8Array;
  /** Ending cash of the second re-run of a pair. */
  second: Float64Array;
}

const CASH_RUN_STRIDE = 13;

/** Whether `cashRuns` can stand for the month loop's re-runs (see CashRunInputs). */
function cashRunsApply(c: CompiledModel): boolean {
  return c.revolver === null && (c.cashRates.overdraft === null || qualifyingAssets(c) === 0);
}

function prepareCashRuns(c: CompiledModel, ws: Workspace, src: Projection): CashRunInputs {
  const H = c.months;
  let run = ws.cashRun;
  if (!run) {
    const yearStarts = new Uint8Array(H);
    for (let t = 0; t < H; t++) yearStarts[t] = t === 0 || c.calendar.fiscalYear[t] !== c.calendar.fiscalYear[t - 1] ? 1 : 0;
    run = ws.cashRun = { ready: false, perMonth: new Float64Array(H * CASH_RUN_STRIDE), yearStarts, second: new Float64Array(H) };
  }
  if (run.ready) return run;
  const p = c.params;
  const inp = src.items;
  const schedule = ws.debt.schedule;
  const dso = p[c.slots.receivableDays];
  const dpo = p[c.slots.payableDays];
  // As in `statements`: capitalised interest comes from the schedule when no overdraft
  // rate makes it depend on cash, and is zero when no asset qualifies.
  const capFromSchedule = c.cashRates.overdraft === null;
  const revenueLines = inp.revenue;
  const corLines = inp.costOfRevenue;
  const opexLines = inp.operatingExpenses;
  const otherIncomeSeries = inp.otherIncome;
  const proceedsSeries = inp.disposalProceeds;
  const scheduledInterest = schedule.interest;
  const feeAmortizationBy = schedule.feeAmortization;
  const capitalizedBy = schedule.capitalized;
  const capDepreciationBy = schedule.capDepreciation;
  const capWrittenOffBy = schedule.capWrittenOff;
  const drawnBy = schedule.drawn;
  const repaidBy = schedule.repaid;
  const feesPaidBy = schedule.feesPaid;
  const capexLines = ws.capexBase;
  const depLines = ws.depreciationBase;
  const gainSeries = ws.disposalGainBase;
  const recurring = ws.recurringRevenue;
  const nonCash = ws.nonCashExpense;
  const equityByMonth = ws.equityByMonth;
  const daysBy = c.calendar.days;
  let receivables = p[c.openingSlots.receivables];
  let payables = p[c.openingSlots.payables];
  const k = run.perMonth;
  for (let t = 0, o = 0; t < H; t++, o += CASH_RUN_STRIDE) {
    const revenue = revenueLines[t];
    const costOfRevenue = corLines[t];
    const opex = opexLines[t];
    const grossProfit = revenue - costOfRevenue;
    const ebitda = grossProfit - opex;
    const cashInterest = scheduledInterest[t];
    const feeAmortization = feeAmortizationBy[t];
    let capitalized = 0;
    let capDepreciation = 0;
    let capWrittenOff = 0;
    if (capFromSchedule) {
      capitalized = capitalizedBy[t];
      capDepreciation = capDepreciationBy[t];
      capWrittenOff = capWrittenOffBy[t];
    }
    const capex = capexLines[t] + capitalized;
    const depreciation = depLines[t] + capDepreciation;
    const disposalGain = gainSeries[t] - capWrittenOff;
    const ebit = ebitda - depreciation;
    const days = daysBy[t];
    const newReceivables = (recurring[t] / days) * dso;
    const shareSettled = nonCash[t];
    const newPayables = ((costOfRevenue + opex - shareSettled) / days) * dpo;
    k[o] = ebit;
    // EBIT less interest expense when cash earns (no overdraft interest): the same three operations.
    k[o + 1] = ebit - (cashInterest + feeAmortization - capitalized);
    k[o + 2] = cashInterest;
    k[o + 3] = feeAmortization;
    k[o + 4] = capitalized;
    k[o + 5] = otherIncomeSeries[t];
    k[o + 6] = disposalGain;
    k[o + 7] = depreciation;
    k[o + 8] = shareSettled;
    k[o + 9] = newReceivables - receivables;
    k[o + 10] = newPayables - payables;
    k[o + 11] = proceedsSeries[t] - capex;
    k[o + 12] = equityByMonth[t] + drawnBy[t] - repaidBy[t] - feesPaidBy[t];
    receivables = newReceivables;
    payables = newPayables;
  }
  run.ready = true;
  return run;
}

/**
 * Ending cash by month with `extraA` more opening cash into `outA`, and with `extraB` into
 * `outB` when it is given: the month loop's operations on cash (see CashRunInputs), both
 * re-runs in one pass — they are independent chains of dependent operations, so the
 * second costs little more than the first.
 */
function cashRuns(c: CompiledModel, ws: Workspace, src: Projection, extraA: number, extraB: number, outA: Float64Array, outB: Float64Array | null): void {
  const run = prepareCashRuns(c, ws, src);
  const p = c.params;
  const H = c.months;
  const k = run.perMonth;
  const yearStarts = run.yearStarts;
  const taxRate = p[c.slots.taxRate];
  const lossLimit = p[c.slots.lossOffsetLimit];
  const incomeRate = c.cashRates.income;
  const overdraftRate = c.cashRates.overdraft;
  const pair = outB !== null;
  const openingCash = p[c.openingSlots.cash];
  const openingLosses = p[c.slots.lossCarryforward];
  let cashA = openingCash + extraA;
  let nolA = openingLosses;
  let nolAtYearStartA = nolA;
  let incomeYearToDateA = 0;
  let taxYearToDateA = 0;
  let cashB = pair ? openingCash + extraB : 0;
  let nolB = openingLosses;
  let nolAtYearStartB = nolB;
  let incomeYearToDateB = 0;
  let taxYearToDateB = 0;
  for (let t = 0, o = 0; t < H; t++, o += CASH_RUN_STRIDE) {
    const ebit = k[o];
    const ebitLessInterest = k[o + 1];
    const scheduledInterest = k[o + 2];
    const feeAmortization = k[o + 3];
    const capitalized = k[o + 4];
    const otherIncome = k[o + 5];
    const disposalGain = k[o + 6];
    const depreciation = k[o + 7];
    const shareSettled = k[o + 8];
    const receivablesChange = k[o + 9];
    const payablesChange = k[o + 10];
    const investing = k[o + 11];
    const financing = k[o + 12];
    const yearStart = yearStarts[t] === 1;
    {
      let pretax: number;
      if (cashA > 0) {
        const interestIncome = incomeRate !== null ? (cashA * incomeRate[t]) / 12 : 0;
        pretax = ebitLessInterest + interestIncome + otherIncome + disposalGain;
      } else {
        let cashInterest = scheduledInterest;
        if (overdraftRate !== null) cashInterest -= (cashA * overdraftRate[t]) / 12;
        pretax = ebit - (cashInterest + feeAmortization - capitalized) + 0 + otherIncome + disposalGain;
      }
      if (yearStart) {
        nolAtYearStartA = nolA;
        incomeYearToDateA = 0;
        taxYearToDateA = 0;
      }
      incomeYearToDateA += pretax;
      const lossesUsed = incomeYearToDateA > 0 ? Math.min(nolAtYearStartA, lossLimit * incomeYearToDateA) : 0;
      const taxDue = incomeYearToDateA > lossesUsed ? taxRate * (incomeYearToDateA - lossesUsed) : 0;
      const taxes = taxDue - taxYearToDateA;
      taxYearToDateA = taxDue;
      nolA = nolAtYearStartA - lossesUsed + (incomeYearToDateA < 0 ? -incomeYearToDateA : 0);
      const netIncome = pretax - taxes;
      const operatingCashFlow = netIncome + depreciation + feeAmortization + shareSettled - disposalGain - receivablesChange + payablesChange;
      cashA += operatingCashFlow + investing + financing;
      outA[t] = cashA;
    }
    if (pair) {
      let pretax: number;
      if (cashB > 0) {
        const interestIncome = incomeRate !== null ? (cashB * incomeRate[t]) / 12 : 0;
        pretax = ebitLessInterest + interestIncome + otherIncome + disposalGain;
      } else {
        let cashInterest = scheduledInterest;
        if (overdraftRate !== null) cashInterest -= (cashB * overdraftRate[t]) / 12;
        pretax = ebit - (cashInterest + feeAmortization - capitalized) + 0 + otherIncome + disposalGain;
      }
      if (yearStart) {
        nolAtYearStartB = nolB;
        incomeYearToDateB = 0;
        taxYearToDateB = 0;
      }
      incomeYearToDateB += pretax;
      const lossesUsed = incomeYearToDateB > 0 ? Math.min(nolAtYearStartB, lossLimit * incomeYearToDateB) : 0;
      const taxDue = incomeYearToDateB > lossesUsed ? taxRate * (incomeYearToDateB - lossesUsed) : 0;
      const taxes = taxDue - taxYearToDateB;
      taxYearToDateB = taxDue;
      nolB = nolAtYearStartB - lossesUsed + (incomeYearToDateB < 0 ? -incomeYearToDateB : 0);
      const netIncome = pretax - taxes;
      const operatingCashFlow = netIncome + depreciation + feeAmortization + shareSettled - disposalGain - receivablesChange + payablesChange;
      cashB += operatingCashFlow + investing + financing;
      outB![t] = cashB;
    }
  }
}

/**
 * Ending cash by month with `extraA` and with `extraB` more opening cash, as the funding
 * gap's solver computes a guess and the run just below it (copies; for checks).
 */
export function cashPathsWithExtra(proj: Projection, extraA: number, extraB: number): [Float64Array, Float64Array] {
  const ws = workspaceOf.get(proj);
  if (!ws) throw new Error("internal: a projection outside its workspace");
  const c = proj.compiled;
  if (!cashRunsApply(c)) return [Float64Array.from(cashWithExtra(proj, extraA)), Float64Array.from(cashWithExtra(proj, extraB))];
  const a = new Float64Array(c.months);
  const b = new Float64Array(c.months);
  cashRuns(c, ws, proj, extraA, extraB, a, b);
  return [a, b];
}

/** Scratch for the funding-gap solver: the two latest cash paths (per workspace, made once). */
const gapPaths = new WeakMap<Projection, { a: Float64Array; b: Float64Array }>();

/**
 * The funding gap: the smallest extra opening cash X ≥ 0 with which every month's
 * ending cash is at or above the floor. Without interest on cash and without a revolver
 * extra cash moves every month's cash by exactly X, so X = floor − minimum cash. With
 * them, cash(X) is continuous and non-decreasing in X but not a shift (extra cash earns
 * interest, is taxed, saves overdraft or revolver interest; months the revolver holds at
 * the floor stay there), so X is found by a capped solver on the statements themselves.
 * Each month's cash is linear in X between regime changes (cash changing sign, tax losses
 * running out, the revolver's limit), so from the two latest cash paths every month
 * predicts where it reaches the floor and the largest prediction is the next guess (exact
 * once both paths are in the answer's regime); a bracket [lo, hi] with lo infeasible and
 * hi feasible, starting from [0, floor − minimum cash] (widened if needed), keeps every
 * guess inside, with bisection as fallback, and a guess at the floor is confirmed by one
 * run just below it. At most 80 re-runs of the month loop (typically 3–7); it stops when
 * hi − lo ≤ 1e-9 × max(1, hi). "At or above" allows 1e-11 × max(1, |floor|, |minimum
 * cash|) for rounding. The value returned is the bracket's feasible end: the floor holds
 * there, and it exceeds the exact gap by at most that width. NaN if no X up to 2^40 × the
 * first guess works (only with negative rates).
 *
 * Where `cashRuns` applies, each guess's run goes with the run just below it in one pass,
 * before it is known whether the confirmation is needed: the guesses, their order and the
 * bracket are the same; an unneeded second run is dropped.
 */
export function fundingGapOf(proj: Projection, floor: number, minCash: number): number {
  const shortfall = floor - minCash;
  if (!(shortfall > 0)) return 0;
  const c = proj.compiled;
  if (!cashReactsToExtraCash(c)) return shortfall;
  const H = c.months;
  let paths = gapPaths.get(proj);
  if (!paths) gapPaths.set(proj, (paths = { a: new Float64Array(H), b: new Float64Array(H) }));
  const ws = workspaceOf.get(proj);
  if (!ws) throw new Error("internal: a projection outside its workspace");
  const paired = cashRunsApply(c);
  const eps = 1e-11 * Math.max(1, Math.abs(floor), Math.abs(minCash));
  const width = (x: number) => 1e-9 * Math.max(1, x);
  // Two latest points: (xa, a) and (xb, b); the base path is the first.
  let a = paths.a;
  let b = paths.b;
  let xa = 0;
  a.set(proj.items.endingCash);
  let xb = shortfall;
  /** Makes (x, cash) the latest point; returns its lowest cash above the floor. */
  const record = (x: number, cash: Float64Array): number => {
    // The older point makes room for the new one.
    const older = a;
    a = b;
    xa = xb;
    b = older;
    b.set(cash);
    xb = x;
    let low = Infinity;
    for (let t = 0; t < H; t++) if (b[t] < low) low = b[t];
    return low - floor;
  };
  const evaluateAt = (x: number): number => record(x, cashWithExtra(proj, x));
  // The first call shifts the base path into `a`: put it in `b` so that it lands there.
  b.set(a);
  xb = 0;
  let lo = 0;
  let flo = minCash - floor;
  let hi = shortfall;
  let fhi = evaluateAt(hi);
  let runs = 1;
  for (let i = 0; fhi < -eps && i < 40; i++, runs++) {
    lo = hi;
    flo = fhi;
    hi *= 2;
    fhi = evaluateAt(hi);
  }
  if (fhi < -eps) return NaN;
  void flo;
  while (hi - lo > width(hi) && runs < 80) {
    // Every month's own straight line through the two latest paths, to the floor.
    let x = -Infinity;
    const dx = xb - xa;
    for (let t = 0; t < H && dx !== 0; t++) {
      const slope = (b[t] - a[t]) / dx;
      if (slope > 1e-12) {
        const reach = xb + (floor - b[t]) / slope;
        if (reach > x) x = reach;
      } else if (b[t] < floor - eps) {
        x = NaN; // a month below the floor that extra cash does not lift here: no prediction
        break;
      }
    }
    if (!(x > lo && x < hi)) x = (lo + hi) / 2;
    const below = x - width(x);
    // The confirmation below x is possible (it also needs x at the floor): run both now.
    const both = paired && below > lo && runs + 1 < 80;
    let fx: number;
    if (both) {
      const scratch = (ws.scratch ??= emptyProjection(c)).items.endingCash;
      cashRuns(c, ws, proj, x, below, scratch, ws.cashRun!.second);
      fx = record(x, scratch);
    } else fx = evaluateAt(x);
    runs++;
    if (fx >= -eps) {
      hi = x;
      fhi = fx;
      // At the floor: infeasible just below means this is the gap.
      if (fx <= eps && below > lo && runs < 80) {
        fx = both ? record(below, ws.cashRun!.second) : evaluateAt(below);
        runs++;
        if (fx < -eps) lo = below;
        else hi = below;
      }
    } else lo = x;
  }
  void fhi;
  return hi;
}

/**
 * Fleet cohorts: capex in the purchase month; capacity and power from the in-service
 * month (or the month its site allows, if later) for its service life; straight-line
 * depreciation down to salvage over its depreciation life (stopping early if it is
 * retired first). At the end of the last month of service the cohort is retired: its
 * proceeds come in as cash, its book value leaves PP&E, and the difference is a gain or
 * loss on disposal. A cohort is evaluated again only in the parts its changed inputs
 * reach (see `cohortChanges`).
 */
function evaluateFleet(c: CompiledModel, ws: Workspace, out: Projection): void {
  const p = c.params;
  const fleet = ws.fleet;
  let openingNbv = 0;
  for (let k = 0; k < c.cohorts.length; k++) {
    const changed = cohortChanges(c, fleet, k);
    if (changed !== 0) {
      const s = c.cohorts[k].slots;
      fleet.evaluated[k] = 0;
      if (changed & CHANGED_SCHEDULE) {
        serviceWindow(p, s, c.cohortEarliestService[k], out.cohortService, 2 * k);
        // Power may be priced in its months of service only, by the core or an extension.
        const w = WINDOW * k;
        const to = Math.min(c.months - 1, out.cohortService[2 * k + 1]);
        fleet.window[w + 6] = Math.min(c.months, runningFrom(out.cohortService[2 * k]));
        fleet.window[w + 7] = to === to ? to + 1 : 0;
        fleet.stale |= STALE_POWER;
      }
      if (changed & (CHANGED_SCHEDULE | CHANGED_BOOK)) {
        cohortBook(c, fleet, out, k);
        fleet.stale |= STALE_RETIREMENT;
        fleet.depreciationCurrent = false;
      }
      if (changed & (CHANGED_SCHEDULE | CHANGED_CAPACITY)) {
        cohortCapacity(c, fleet, out, k);
        fleet.stale |= STALE_CAPACITY;
      }
      if (changed & (CHANGED_SCHEDULE | CHANGED_POWER) && fleet.pricedElsewhere[k] === 0) {
        cohortPower(c, out, k);
        fleet.stale |= STALE_POWER;
      }
      const key = fleet.key[k];
      const slots = fleet.slots[k];
      for (let i = 0; i < slots.length; i++) key[i] = p[slots[i]];
      key[slots.length] = c.cohortEarliestService[k];
      fleet.serviceMonths[2 * k] = out.cohortService[2 * k];
      fleet.serviceMonths[2 * k + 1] = out.cohortService[2 * k + 1];
      if (changed & (CHANGED_SCHEDULE | CHANGED_POWER)) fleet.powerPrice[k].set(c.cohorts[k].powerPrice);
      fleet.evaluated[k] = 1;
    }
    const nbv = fleet.openingNbv[k];
    if (nbv === nbv) openingNbv += nbv;
  }
  ws.openingFleetNbv = openingNbv;
}

/**
 * A cohort's capex, depreciation, book value and retirement (proceeds, gain), its book value
 * at the start, and the months each of them is not exactly zero. Reads its params and its
 * months of service.
 */
function cohortBook(c: CompiledModel, fleet: FleetCache, out: Projection, k: number): void {
  const p = c.params;
  const H = c.months;
  const co = c.cohorts[k];
  const s = co.slots;
  const series = out.cohorts[k];
  const count = p[s.count];
  const cost = (count * p[s.unitCost]) / c.unitScale;
  const salvage = (count * p[s.salvage]) / c.unitScale;
  const purchase = monthOf(p[s.purchase]);
  const inService = out.cohortService[2 * k];
  const retirement = out.cohortService[2 * k + 1];
  const life = p[s.lifeMonths];
  const service = retirement - inService + 1;
  const proceedsParam = p[s.proceeds];
  const proceeds = proceedsParam === proceedsParam ? (count * proceedsParam) / c.unitScale : salvage;
  const perMonth = (cost - salvage) / life;
  const depreciating = Math.min(life, service);
  // Bought before the start: its book value then (the month before the first), unless retired.
  fleet.openingNbv[k] = co.preStart && retirement >= 0 ? cost - perMonth * Math.min(depreciating, Math.max(0, -inService)) : NaN;
  const bookAtRetirement = cost - perMonth * depreciating;
  // The months each series is not exactly zero (see `addFleet`).
  let capexFirst = H;
  let capexLast = -1;
  let depFirst = H;
  let depLast = -1;
  let first = H;
  let last = -1;
  for (let t = 0; t < H; t++) {
    const capex = t === purchase && !co.preStart ? cost : 0;
    const depreciation = t >= inService && t < inService + depreciating ? perMonth : 0;
    const bought = co.preStart || t >= purchase;
    const used = Math.min(depreciating, Math.max(0, t - inService + 1));
    series.netBookValue[t] = bought && t < retirement ? cost - perMonth * used : 0;
    const retires = t === retirement && bought;
    const retirementProceeds = retires ? proceeds : 0;
    const retirementGain = retires ? proceeds - bookAtRetirement : 0;
    series.capex[t] = capex;
    series.depreciation[t] = depreciation;
    series.retirementProceeds[t] = retirementProceeds;
    series.retirementGain[t] = retirementGain;
    // x !== 0 is false for ±0 and true for NaN.
    if (capex !== 0) {
      if (capexFirst === H) capexFirst = t;
      capexLast = t;
    }
    if (depreciation !== 0) {
      if (depFirst === H) depFirst = t;
      depLast = t;
    }
    if (retirementProceeds !== 0 || retirementGain !== 0) {
      if (first === H) first = t;
      last = t;
    }
  }
  const w = WINDOW * k;
  fleet.window[w] = capexFirst;
  fleet.window[w + 1] = capexLast + 1;
  fleet.window[w + 2] = depFirst;
  fleet.window[w + 3] = depLast + 1;
  fleet.window[w + 8] = first;
  fleet.window[w + 9] = last + 1;
}

/** The first and last month of service within the horizon as loop bounds (none when unknown). */
function runningFrom(inService: number): number {
  return Math.max(0, Math.ceil(inService));
}

/** A cohort's capacity by month (GPU-hours), and the months it is not zero. */
function cohortCapacity(c: CompiledModel, fleet: FleetCache, out: Projection, k: number): void {
  const p = c.params;
  const H = c.months;
  const hours = c.calendar.hours;
  const s = c.cohorts[k].slots;
  const capacity = out.cohorts[k].capacity;
  const inService = out.cohortService[2 * k];
  const retirement = out.cohortService[2 * k + 1];
  const capacityPerHour = p[s.count] * p[s.capacity];
  let first = H;
  let last = -1;
  capacity.fill(0);
  // Outside its months of service (all months when they are NaN) it has none.
  const to = Math.min(H - 1, retirement);
  for (let t = runningFrom(inService); t <= to; t++) {
    const v = capacityPerHour * hours[t];
    capacity[t] = v;
    if (v !== 0) {
      if (first === H) first = t;
      last = t;
    }
  }
  fleet.window[WINDOW * k + 4] = first;
  fleet.window[WINDOW * k + 5] = last + 1;
}

/** A cohort's power cost by month at its own power price. */
function cohortPower(c: CompiledModel, out: Projection, k: number): void {
  const p = c.params;
  const H = c.months;
  const hours = c.calendar.hours;
  const co = c.cohorts[k];
  const s = co.slots;
  const powerCost = out.cohorts[k].powerCost;
  const kw = (p[s.count] * p[s.powerKw] * p[s.pue]) / c.unitScale;
  const price = co.powerPrice;
  powerCost.fill(0);
  const to = Math.min(H - 1, out.cohortService[2 * k + 1]);
  for (let t = runningFrom(out.cohortService[2 * k]); t <= to; t++) powerCost[t] = kw * hours[t] * price[t];
}

/**
 * Each cohort's series depend on its own params, the earliest month its site allows and
 * its power price series, nothing else: while those are unchanged (compared value by
 * value, sign of zero and NaN included) its series and service months are exactly what a
 * new evaluation would write. Also the months its series are not zero, and its book value
 * at the start (NaN when it does not count).
 */
export interface FleetCache {
  slots: Int32Array[];
  /** Per slot of `slots`: the parts of the cohort it reaches (CHANGED_…). */
  reaches: Uint8Array[];
  /** The cohort's params at its last evaluation, then its earliest month. */
  key: Float64Array[];
  powerPrice: Float64Array[];
  /** `powerPrice` and the cohorts' power price series now, as 32-bit halves (see `samePrices`). */
  powerPriceBits: Int32Array[];
  powerPriceNowBits: Int32Array[];
  /** Per cohort: 1 when an extension prices its power (see `cohortPowerRewritten`). */
  pricedElsewhere: Uint8Array;
  /** Per cohort: first and last month of service at its last evaluation (as `Projection.cohortService`). */
  serviceMonths: Float64Array;
  evaluated: Uint8Array;
  /**
   * Per cohort (WINDOW numbers), from and to (exclusive) months of: its capex, its
   * depreciation, its capacity, its power cost (its months of service), its retirement
   * proceeds and gain. Outside them the series are zero.
   */
  window: Int32Array;
  openingNbv: Float64Array;
  /** The fleet totals (STALE_…) a cohort's series of which were written since `addFleet` last summed them. */
  stale: number;
  /** The lines' depreciation `addFleet` last started from, and with the fleet's added; current while no cohort's depreciation was written since. */
  depreciationBefore: Float64Array;
  depreciationAfter: Float64Array;
  depreciationEveryMonth: boolean;
  depreciationCurrent: boolean;
}

const WINDOW = 10;
/** The fleet totals: capacity; power; retirement proceeds and gains. */
const STALE_CAPACITY = 1;
const STALE_POWER = 2;
const STALE_RETIREMENT = 4;

/**
 * What a cohort's changed inputs reach: its power price, kW and PUE its power cost only;
 * its capacity per unit-hour its capacity only; its unit cost, salvage and proceeds its
 * capex, depreciation, book value and retirement only; anything else (count, months, lives,
 * the earliest month its site allows) all of it.
 */
const CHANGED_CAPACITY = 1;
const CHANGED_POWER = 2;
const CHANGED_BOOK = 4;
const CHANGED_SCHEDULE = 8;
const CHANGED_ALL = CHANGED_CAPACITY | CHANGED_POWER | CHANGED_BOOK | CHANGED_SCHEDULE;
const SLOT_REACHES: Record<keyof CompiledModel["cohorts"][number]["slots"], number> = {
  count: CHANGED_ALL,
  unitCost: CHANGED_BOOK,
  purchase: CHANGED_ALL,
  inService: CHANGED_ALL,
  lifeMonths: CHANGED_ALL,
  serviceLife: CHANGED_ALL,
  salvage: CHANGED_BOOK,
  proceeds: CHANGED_BOOK,
  capacity: CHANGED_CAPACITY,
  powerKw: CHANGED_POWER,
  pue: CHANGED_POWER,
};

function createFleetCache(c: CompiledModel): FleetCache {
  const n = c.cohorts.length;
  const H = c.months;
  const used = c.cohorts.map((co) => (Object.entries(co.slots) as [keyof typeof SLOT_REACHES, number][]).filter(([, slot]) => slot >= 0));
  const slots = used.map((list) => Int32Array.from(list, ([, slot]) => slot));
  const powerPrice = c.cohorts.map(() => new Float64Array(H));
  const bits = (a: Float64Array) => new Int32Array(a.buffer, a.byteOffset, 2 * a.length);
  return {
    slots,
    // A slot absent from SLOT_REACHES (a new cohort key) reaches everything.
    reaches: used.map((list) => Uint8Array.from(list, ([name]) => SLOT_REACHES[name] ?? CHANGED_ALL)),
    key: slots.map((list) => new Float64Array(list.length + 1)),
    powerPrice,
    powerPriceBits: powerPrice.map(bits),
    powerPriceNowBits: c.cohorts.map((co) => bits(co.powerPrice)),
    pricedElsewhere: new Uint8Array(n),
    serviceMonths: new Float64Array(2 * n),
    evaluated: new Uint8Array(n),
    window: new Int32Array(WINDOW * n),
    openingNbv: new Float64Array(n),
    stale: STALE_CAPACITY | STALE_POWER | STALE_RETIREMENT,
    depreciationBefore: new Float64Array(H),
    depreciationAfter: new Float64Array(H),
    depreciationEveryMonth: false,
    depreciationCurrent: false,
  };
}

/** The parts of cohort k (CHANGED_…) its inputs changed since its last evaluation in this workspace reach; 0 when none. */
function cohortChanges(c: CompiledModel, fleet: FleetCache, k: number): number {
  if (fleet.evaluated[k] === 0) return CHANGED_ALL;
  const p = c.params;
  const slots = fleet.slots[k];
  const reaches = fleet.reaches[k];
  const key = fleet.key[k];
  let changed = 0;
  for (let i = 0; i < slots.length; i++) if (!sameNumber(p[slots[i]], key[i])) changed |= reaches[i];
  if (changed & CHANGED_SCHEDULE) return CHANGED_ALL;
  if (!sameNumber(c.cohortEarliestService[k], key[slots.length])) return CHANGED_ALL;
  // An extension prices its power: the core's is not read (see `cohortPowerRewritten`).
  if (fleet.pricedElsewhere[k] === 1) return changed & ~CHANGED_POWER;
  // Its power cost reads the price in its months of service only (unchanged, see above).
  if (!(changed & CHANGED_POWER)) {
    const retirement = fleet.serviceMonths[2 * k + 1];
    if (!samePrices(c.cohorts[k].powerPrice, fleet.powerPrice[k], fleet.powerPriceNowBits[k], fleet.powerPriceBits[k], runningFrom(fleet.serviceMonths[2 * k]), Math.min(c.months - 1, retirement))) changed |= CHANGED_POWER;
  }
  return changed;
}

/**
 * `sameNumber` month by month, from … to (inclusive), for series `a` and `b` whose 32-bit
 * halves are `aBits` and `bBits`: equal zeros are told apart by their bits (the sign bit),
 * not by dividing by them, for a price is often zero in every month (power priced by a site).
 */
function samePrices(a: Float64Array, b: Float64Array, aBits: Int32Array, bBits: Int32Array, from: number, to: number): boolean {
  for (let t = from; t <= to; t++) {
    const x = a[t];
    const y = b[t];
    if (x !== y) {
      if (x === x || y === y) return false;
    } else if (x === 0 && (aBits[2 * t] !== bBits[2 * t] || aBits[2 * t + 1] !== bBits[2 * t + 1])) return false;
  }
  return true;
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
  ws.fleet.stale |= STALE_POWER;
  ws.fleet.pricedElsewhere.set(cohorts);
}

function firstDrawMonth(draws: Float64Array): number {
  for (let t = 0; t < draws.length; t++) if (draws[t] > 0) return t;
  return draws.length;
}

/** The tranches' monthly totals (see `statements`), and what the last full run capitalised. */
export interface DebtSchedule {
  interest: Float64Array;
  feeAmortization: Float64Array;
  drawn: Float64Array;
  repaid: Float64Array;
  scheduled: Float64Array;
  feesPaid: Float64Array;
  openDebt: Float64Array;
  rateTimesDebt: Float64Array;
  feesTotal: Float64Array;
  capitalized: Float64Array;
  capDepreciation: Float64Array;
  capWrittenOff: Float64Array;
}

/**
 * Each tranche's walk by month — its opening balance, opening balance × rate, cash
 * interest, fee amortisation, debt service, fees paid and fees left to amortise — with
 * the params and base rates it ran with, and the totals over tranches. A tranche's walk
 * reads nothing but its own params and base rate series, so while those are unchanged
 * (compared value by value, sign of zero and NaN included) its series are exactly what a
 * new walk would write, and a simulation that samples no debt input walks no tranche.
 */
export interface DebtCache {
  slots: Int32Array[];
  key: Float64Array[];
  base: (Float64Array | null)[];
  /** 1 once tranche k's series and key belong together. */
  walked: Uint8Array;
  /**
   * Per tranche: months [lo, hi) outside which all nine of its series that the totals add
   * are zero (2 numbers per tranche; a wider span is as good).
   */
  span: Int32Array;
  /** The totals were summed from the walks as they are now before this month (the horizon: all months). */
  totalsFrom: number;
  /** The same for the two totals that read the rates (opening debt × rate, cash interest): walks that changed only them. */
  rateTotalsFrom: number;
  /** Counts the times the totals were summed: what was computed from them is current while it is unchanged. */
  version: number;
  open: Float64Array[];
  rateTimesOpen: Float64Array[];
  cashInterest: Float64Array[];
  feeAmortization: Float64Array[];
  scheduled: Float64Array[];
  feesPaid: Float64Array[];
  feesLeft: Float64Array[];
  schedule: DebtSchedule;
}

function createDebtCache(c: CompiledModel): DebtCache {
  const H = c.months;
  const arr = () => new Float64Array(H);
  const each = () => c.tranches.map(arr);
  const slots = c.tranches.map((tr) => {
    const s = tr.slots;
    const list = [s.openingBalance, s.rate, s.spread, s.floor, s.interestOnly, s.maturity, s.fee];
    for (const d of tr.draws) list.push(d.month, d.amount);
    for (const r of tr.repayments) list.push(r.month, r.amount);
    for (const part of tr.partialMaturities) list.push(part.month, part.share, part.amount);
    return Int32Array.from(list.filter((slot) => slot >= 0));
  });
  return {
    slots,
    key: slots.map((list) => new Float64Array(list.length)),
    base: c.tranches.map((tr) => (tr.base ? new Float64Array(H) : null)),
    walked: new Uint8Array(c.tranches.length),
    span: new Int32Array(2 * c.tranches.length),
    totalsFrom: 0,
    rateTotalsFrom: 0,
    version: 0,
    open: each(),
    rateTimesOpen: each(),
    cashInterest: each(),
    feeAmortization: each(),
    scheduled: each(),
    feesPaid: each(),
    feesLeft: each(),
    schedule: { interest: arr(), feeAmortization: arr(), drawn: arr(), repaid: arr(), scheduled: arr(), feesPaid: arr(), openDebt: arr(), rateTimesDebt: arr(), feesTotal: arr(), capitalized: arr(), capDepreciation: arr(), capWrittenOff: arr() },
  };
}

/** Same number, sign of zero and NaN included (Object.is without the call). */
const sameNumber = (a: number, b: number): boolean => (a === b ? a !== 0 || 1 / a === 1 / b : a !== a && b !== b);

/** `sameNumber` month by month. */
function sameSeries(a: Float64Array, b: Float64Array): boolean {
  for (let t = 0; t < a.length; t++) {
    const x = a[t];
    const y = b[t];
    if (x !== y) {
      if (x === x || y === y) return false;
    } else if (x === 0 && 1 / x !== 1 / y) return false;
  }
  return true;
}

/**
 * The first month from which tranche k's walk must be redone: 0 when it was not walked or
 * one of its params changed (draws, repayments and maturities are then inputs anew), else
 * the first month its base rate differs from the last walk's (the horizon if none does).
 */
function trancheChangedFrom(c: CompiledModel, debt: DebtCache, k: number): number {
  if (debt.walked[k] === 0) return 0;
  const p = c.params;
  const slots = debt.slots[k];
  const key = debt.key[k];
  for (let i = 0; i < slots.length; i++) if (!sameNumber(p[slots[i]], key[i])) return 0;
  const base = c.tranches[k].base;
  const snapshot = debt.base[k];
  const H = c.months;
  if (!base || !snapshot) return H;
  for (let t = 0; t < H; t++) {
    const x = base[t];
    const y = snapshot[t];
    if (x !== y) {
      if (x === x || y === y) return t;
    } else if (x === 0 && 1 / x !== 1 / y) return t;
  }
  return H;
}

/** Adds x to sum over months [from, to). */
function addInto(sum: Float64Array, x: Float64Array, from: number, to: number): void {
  for (let t = from; t < to; t++) sum[t] += x[t];
}

/**
 * Walks every tranche whose inputs changed (into `out`'s tranche series), from the first
 * month they changed, and sums the monthly totals again from the first month any did.
 *
 * A month of a walk reads only the balance and fees left at the end of the month before
 * (both kept in its series, as they were carried) and that month's inputs, so a walk
 * resumed at month m from its own series writes what a walk from the start would. When
 * only the base rate changed and the tranche does not amortise as an annuity, its balance,
 * principal and fees do not read the rate: only the rate, the interest and opening
 * balance × rate are written again (`rewalkRates`), and only their two totals summed.
 * Each month's total is its own sum over tranches, so the months before the first changed
 * one keep theirs. A tranche is added only over its span: the totals start at +0 and
 * adding to +0 never gives −0, so adding +0 or −0 leaves any total as it is.
 */
function refreshDebt(c: CompiledModel, ws: Workspace, out: Projection): void {
  const debt = ws.debt;
  const H = c.months;
  const nT = c.tranches.length;
  for (let k = 0; k < nT; k++) {
    const from = trancheChangedFrom(c, debt, k);
    if (from >= H) continue;
    debt.walked[k] = 0;
    if (from > 0 && c.tranches[k].amortization !== "annuity") {
      if (from < debt.rateTotalsFrom) debt.rateTotalsFrom = from;
      rewalkRates(c, ws, out, k, from);
    } else {
      if (from < debt.totalsFrom) debt.totalsFrom = from;
      if (from === 0) trancheInputs(c, ws, k);
      walkTranche(c, ws, out, k, from);
    }
    const p = c.params;
    const slots = debt.slots[k];
    const key = debt.key[k];
    for (let i = 0; i < slots.length; i++) key[i] = p[slots[i]];
    const base = c.tranches[k].base;
    const snapshot = debt.base[k];
    if (base && snapshot) for (let t = from; t < H; t++) snapshot[t] = base[t];
    debt.walked[k] = 1;
  }
  const from = debt.totalsFrom;
  const ratesFrom = Math.min(from, debt.rateTotalsFrom);
  if (ratesFrom >= H) return;
  // Each month's total adds the tranches in their order to +0: the same additions as one
  // loop over tranches inside the month (a tranche at a time here, for contiguous reads).
  const sc = debt.schedule;
  sc.interest.fill(0, ratesFrom, H);
  sc.rateTimesDebt.fill(0, ratesFrom, H);
  if (from < H) {
    sc.feeAmortization.fill(0, from, H);
    sc.drawn.fill(0, from, H);
    sc.repaid.fill(0, from, H);
    sc.scheduled.fill(0, from, H);
    sc.feesPaid.fill(0, from, H);
    sc.openDebt.fill(0, from, H);
    sc.feesTotal.fill(0, from, H);
  }
  const spans = exactShortcuts.trancheSpans;
  for (let k = 0; k < nT; k++) {
    const spanFrom = spans ? debt.span[2 * k] : 0;
    const hi = spans ? debt.span[2 * k + 1] : H;
    const ratesLo = Math.max(ratesFrom, spanFrom);
    if (ratesLo >= hi) continue;
    addInto(sc.rateTimesDebt, debt.rateTimesOpen[k], ratesLo, hi);
    addInto(sc.interest, debt.cashInterest[k], ratesLo, hi);
    const lo = Math.max(from, spanFrom);
    if (lo >= hi) continue;
    addInto(sc.openDebt, debt.open[k], lo, hi);
    addInto(sc.feeAmortization, debt.feeAmortization[k], lo, hi);
    addInto(sc.drawn, ws.trancheDraw[k], lo, hi);
    addInto(sc.repaid, out.tranches[k].principal, lo, hi);
    addInto(sc.scheduled, debt.scheduled[k], lo, hi);
    addInto(sc.feesPaid, debt.feesPaid[k], lo, hi);
    addInto(sc.feesTotal, debt.feesLeft[k], lo, hi);
  }
  debt.totalsFrom = H;
  debt.rateTotalsFrom = H;
  debt.version++;
}

/**
 * Tranche k's rate, interest and opening balance × rate from month `from` on, after its
 * base rate changed there: the rest of its walk stays (see `refreshDebt`). The same
 * operations as `walkTranche`'s on the same opening balances and fee amortisation.
 */
function rewalkRates(c: CompiledModel, ws: Workspace, out: Projection, k: number, from: number): void {
  const p = c.params;
  const H = c.months;
  const debt = ws.debt;
  const tr = c.tranches[k];
  const s = tr.slots;
  const series = out.tranches[k];
  const openBy = debt.open[k];
  const rateTimesOpenBy = debt.rateTimesOpen[k];
  const cashInterestBy = debt.cashInterest[k];
  const feeAmortizationBy = debt.feeAmortization[k];
  const base = tr.base;
  const fixedRate = p[s.rate];
  const floor = p[s.floor];
  const spread = p[s.spread];
  const span = debt.span;
  for (let t = from; t < H; t++) {
    const open = openBy[t];
    const annualRate = tr.fixed ? fixedRate : Math.max(base![t], floor) + spread;
    rateTimesOpenBy[t] = open * annualRate;
    const interest = (open * annualRate) / 12;
    series.interest[t] = interest + feeAmortizationBy[t];
    series.rate[t] = annualRate;
    cashInterestBy[t] = interest;
    // No opening balance, yet a rate that makes 0 × rate NaN: outside the span, maybe.
    if (open === 0 && (open * annualRate !== 0 || interest !== 0)) {
      if (t < span[2 * k]) span[2 * k] = t;
      if (t >= span[2 * k + 1]) span[2 * k + 1] = t + 1;
    }
  }
}

/**
 * One tranche month by month: interest on the opening balance at the month's rate / 12;
 * the draw and its upfront fee; scheduled principal (the maturity repays what is left).
 * From month `from` on: the months before keep what the last walk wrote (see `refreshDebt`).
 */
function walkTranche(c: CompiledModel, ws: Workspace, out: Projection, k: number, from = 0): void {
  const p = c.params;
  const H = c.months;
  const debt = ws.debt;
  const tr = c.tranches[k];
  const s = tr.slots;
  const series = out.tranches[k];
  const drawBy = ws.trancheDraw[k];
  const repayBy = ws.trancheRepay[k];
  const dueBy = ws.trancheMaturityDue[k];
  const refinancedBy = ws.trancheRefinanced[k];
  const openBy = debt.open[k];
  const rateTimesOpenBy = debt.rateTimesOpen[k];
  const cashInterestBy = debt.cashInterest[k];
  const feeAmortizationBy = debt.feeAmortization[k];
  const scheduledBy = debt.scheduled[k];
  const feesPaidBy = debt.feesPaid[k];
  const feesLeftBy = debt.feesLeft[k];
  const base = tr.base;
  const fixedRate = p[s.rate];
  const floor = p[s.floor];
  const spread = p[s.spread];
  const feeRate = p[s.fee];
  const maturity = monthOf(p[s.maturity]);
  const opening = p[s.openingBalance];
  // Interest-only months are interest payments: an opening balance pays from the first
  // month, a draw from the month after it (the draw month bears no interest).
  const amortStart = (opening > 0 ? 0 : firstDrawMonth(drawBy) + 1) + p[s.interestOnly];
  let balance = from > 0 ? series.balance[from - 1] : opening;
  let fees = from > 0 ? feesLeftBy[from - 1] : 0;
  // The span of months in which a series the totals add is not zero: the last walk's
  // before `from` (as wide as it was, cut at `from`), this walk's after.
  const span = debt.span;
  let lo = H;
  let hi = 0;
  if (from > 0 && span[2 * k] < from) {
    lo = span[2 * k];
    hi = Math.min(span[2 * k + 1], from);
  }
  for (let t = from; t < H; t++) {
    const open = balance;
    const annualRate = tr.fixed ? fixedRate : Math.max(base![t], floor) + spread;
    openBy[t] = open;
    rateTimesOpenBy[t] = open * annualRate;
    const interest = (open * annualRate) / 12;
    const draw = drawBy[t];
    const fee = draw * feeRate;
    // Deferred costs amortize straight-line over the months left to maturity; whatever
    // is left (and a fee paid in the maturity month) is expensed at maturity.
    const monthsLeft = maturity - t + 1;
    let amort: number;
    if (monthsLeft <= 1 || tr.expenseFees) {
      amort = fees + fee;
      fees = 0;
    } else {
      amort = fees / monthsLeft;
      fees += fee - amort;
    }
    let principal = 0;
    const afterDraw = open + draw;
    if (t >= maturity) principal = afterDraw;
    else {
      if (t >= amortStart && open > 0) {
        switch (tr.amortization) {
          case "straightLine":
            principal = open / monthsLeft;
            break;
          case "annuity": {
            const r = annualRate / 12;
            // Near zero the closed form loses all precision; the zero-rate limit is exact there.
            const payment = Math.abs(r) < 1e-12 ? open / monthsLeft : (open * r) / (1 - Math.pow(1 + r, -monthsLeft));
            principal = Math.min(open, payment - interest);
            break;
          }
          case "schedule":
            principal = Math.min(afterDraw, repayBy[t]);
            break;
          case "bullet":
            break;
        }
      }
      const due = dueBy[t];
      if (due > 0) principal = Math.min(afterDraw, principal + due);
    }
    const end = afterDraw - principal;
    balance = Math.abs(end) < 1e-12 ? 0 : end;
    series.balance[t] = balance;
    series.interest[t] = interest + amort;
    series.principal[t] = principal;
    series.rate[t] = annualRate;
    cashInterestBy[t] = interest;
    feeAmortizationBy[t] = amort;
    // A repayment funded by a refinancing is cash out but not debt service (DSCR), in
    // any month — including the maturity month, where it is part of the final repayment.
    const scheduled = principal - Math.min(principal, refinancedBy[t]);
    scheduledBy[t] = scheduled;
    feesPaidBy[t] = fee;
    feesLeftBy[t] = fees;
    if (open !== 0 || open * annualRate !== 0 || interest !== 0 || amort !== 0 || draw !== 0 || principal !== 0 || scheduled !== 0 || fee !== 0 || fees !== 0) {
      if (t < lo) lo = t;
      hi = t + 1;
    }
  }
  span[2 * k] = lo;
  span[2 * k + 1] = hi;
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

/**
 * Debt ratios per month. Trailing-twelve-month (LTM) figures use the months available
 * at the start of the horizon; net debt / EBITDA annualizes them (× 12 / months) so that
 * a short window is not mistaken for a small EBITDA.
 */
function computeRatios(out: Projection): void {
  const it = out.items;
  const r = out.ratios;
  const H = it.revenue.length;
  let sumEbitda = 0;
  let sumTaxes = 0;
  let sumInterest = 0;
  let sumService = 0;
  for (let t = 0; t < H; t++) {
    const service = it.debtService[t];
    r.dscr[t] = service > 1e-12 ? (it.ebitda[t] - it.taxes[t]) / service : NaN;
    sumEbitda += it.ebitda[t];
    sumTaxes += it.taxes[t];
    sumInterest += it.cashInterest[t];
    sumService += service;
    if (t >= 12) {
      sumEbitda -= it.ebitda[t - 12];
      sumTaxes -= it.taxes[t - 12];
      sumInterest -= it.cashInterest[t - 12];
      sumService -= it.debtService[t - 12];
    }
    const n = Math.min(t + 1, 12);
    r.dscrLtm[t] = sumService > 1e-12 ? (sumEbitda - sumTaxes) / sumService : NaN;
    r.interestCoverageLtm[t] = sumInterest > 1e-12 ? sumEbitda / sumInterest : NaN;
    const annualEbitda = (sumEbitda * 12) / n;
    const netDebt = it.debt[t] - it.endingCash[t];
    r.netDebtToEbitdaLtm[t] = annualEbitda > 1e-12 ? netDebt / annualEbitda : NaN;
  }
}
