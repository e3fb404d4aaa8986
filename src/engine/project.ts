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
 * opening PP&E's depreciation is −0 (then every month is added). The four fleet totals are
 * summed again only when a cohort was evaluated again since.
 */
function addFleet(c: CompiledModel, ws: Workspace, out: Projection, everyMonth: boolean): void {
  const H = c.months;
  const it = out.items;
  const fleet = ws.fleet;
  const capexLines = ws.capexBase;
  const depLines = ws.depreciationBase;
  const totals = fleet.totalsVersion !== fleet.version;
  const powerCostSeries = it.powerCost;
  const capacitySeries = it.capacity;
  const proceedsSeries = it.disposalProceeds;
  const gainSeries = ws.disposalGainBase;
  if (totals) {
    powerCostSeries.fill(0);
    capacitySeries.fill(0);
    proceedsSeries.fill(0);
    gainSeries.fill(0);
  }
  for (let k = 0; k < c.cohorts.length; k++) {
    const series = out.cohorts[k];
    const w = 6 * k;
    const capex = series.capex;
    const capexTo = everyMonth ? H : fleet.window[w + 1];
    for (let t = everyMonth ? 0 : fleet.window[w]; t < capexTo; t++) capexLines[t] += capex[t];
    const depreciation = series.depreciation;
    const depTo = everyMonth ? H : fleet.window[w + 3];
    for (let t = everyMonth ? 0 : fleet.window[w + 2]; t < depTo; t++) depLines[t] += depreciation[t];
    if (!totals) continue;
    const capacity = series.capacity;
    const powerCost = series.powerCost;
    const proceeds = series.retirementProceeds;
    const gain = series.retirementGain;
    const to = fleet.window[w + 5];
    for (let t = fleet.window[w + 4]; t < to; t++) {
      capacitySeries[t] += capacity[t];
      powerCostSeries[t] += powerCost[t];
      proceedsSeries[t] += proceeds[t];
      gainSeries[t] += gain[t];
    }
  }
  fleet.totalsVersion = fleet.version;
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
    } else keepCapitalizationInputs(ws, nA, capCashFree);
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
 * spend by month — nothing else. While those are what they were when the schedule
 * recorded it (compared value by value), the capitalised interest, its depreciation and
 * write-offs, and each asset's series in the projection are exactly what a new run writes.
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
    if (!sameNumber(ws.assetLive[a], setup[5 * a]) || !sameNumber(ws.assetDepMonths[a], setup[5 * a + 1]) || !sameNumber(ws.assetRetire[a], setup[5 * a + 2]) || !sameNumber(ws.assetTranche[a], setup[5 * a + 3]) || !sameNumber(ws.assetAccum[a], setup[5 * a + 4])) return false;
    if (!sameSeries(ws.assetSpend[a], key.spend[a])) return false;
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
 * loss on disposal.
 */
function evaluateFleet(c: CompiledModel, ws: Workspace, out: Projection): void {
  const p = c.params;
  const H = c.months;
  const hours = c.calendar.hours;
  const fleet = ws.fleet;
  let openingNbv = 0;
  for (let k = 0; k < c.cohorts.length; k++) {
    const co = c.cohorts[k];
    const s = co.slots;
    if (!cohortUnchanged(c, fleet, k)) {
      fleet.evaluated[k] = 0;
      fleet.version++;
      const series = out.cohorts[k];
      const count = p[s.count];
      const cost = (count * p[s.unitCost]) / c.unitScale;
      const salvage = (count * p[s.salvage]) / c.unitScale;
      const purchase = monthOf(p[s.purchase]);
      serviceWindow(p, s, c.cohortEarliestService[k], out.cohortService, 2 * k);
      const inService = out.cohortService[2 * k];
      const retirement = out.cohortService[2 * k + 1];
      const life = p[s.lifeMonths];
      const service = retirement - inService + 1;
      const proceedsParam = p[s.proceeds];
      const proceeds = proceedsParam === proceedsParam ? (count * proceedsParam) / c.unitScale : salvage;
      const perMonth = (cost - salvage) / life;
      const depreciating = Math.min(life, service);
      const capacityPerHour = count * p[s.capacity];
      const kw = (count * p[s.powerKw] * p[s.pue]) / c.unitScale;
      // Bought before the start: its book value then (the month before the first), unless retired.
      fleet.openingNbv[k] = co.preStart && retirement >= 0 ? cost - perMonth * Math.min(depreciating, Math.max(0, -inService)) : NaN;
      const bookAtRetirement = cost - perMonth * depreciating;
      // The months each series is not exactly zero (see `addFleet`): capex, depreciation, the others.
      let capexFirst = H;
      let capexLast = -1;
      let depFirst = H;
      let depLast = -1;
      let first = H;
      let last = -1;
      for (let t = 0; t < H; t++) {
        const capex = t === purchase && !co.preStart ? cost : 0;
        const running = t >= inService && t <= retirement;
        const depreciation = t >= inService && t < inService + depreciating ? perMonth : 0;
        const capacity = running ? capacityPerHour * hours[t] : 0;
        const powerCost = running ? kw * hours[t] * co.powerPrice[t] : 0;
        const bought = co.preStart || t >= purchase;
        const used = Math.min(depreciating, Math.max(0, t - inService + 1));
        series.netBookValue[t] = bought && t < retirement ? cost - perMonth * used : 0;
        const retires = t === retirement && bought;
        const retirementProceeds = retires ? proceeds : 0;
        const retirementGain = retires ? proceeds - bookAtRetirement : 0;
        series.capex[t] = capex;
        series.depreciation[t] = depreciation;
        series.capacity[t] = capacity;
        series.powerCost[t] = powerCost;
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
        if (capacity !== 0 || powerCost !== 0 || retirementProceeds !== 0 || retirementGain !== 0) {
          if (first === H) first = t;
          last = t;
        }
      }
      fleet.window[6 * k] = capexFirst;
      fleet.window[6 * k + 1] = capexLast + 1;
      fleet.window[6 * k + 2] = depFirst;
      fleet.window[6 * k + 3] = depLast + 1;
      fleet.window[6 * k + 4] = first;
      fleet.window[6 * k + 5] = last + 1;
      const key = fleet.key[k];
      const slots = fleet.slots[k];
      for (let i = 0; i < slots.length; i++) key[i] = p[slots[i]];
      key[slots.length] = c.cohortEarliestService[k];
      fleet.powerPrice[k].set(co.powerPrice);
      fleet.evaluated[k] = 1;
    }
    const nbv = fleet.openingNbv[k];
    if (nbv === nbv) openingNbv += nbv;
  }
  ws.openingFleetNbv = openingNbv;
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
  /** The cohort's params at its last evaluation, then its earliest month. */
  key: Float64Array[];
  powerPrice: Float64Array[];
  evaluated: Uint8Array;
  /** Per cohort, from and to (exclusive) months of: its capex, its depreciation, its other series. */
  window: Int32Array;
  openingNbv: Float64Array;
  /** Counts evaluations of any cohort: what was summed from the cohorts is current while it is unchanged. */
  version: number;
  /** The version the fleet's totals (capacity, power, proceeds, gains) in the projection were summed at. */
  totalsVersion: number;
}

function createFleetCache(c: CompiledModel): FleetCache {
  const n = c.cohorts.length;
  const slots = c.cohorts.map((co) => Int32Array.from(Object.values(co.slots).filter((slot) => slot >= 0)));
  return {
    slots,
    key: slots.map((list) => new Float64Array(list.length + 1)),
    powerPrice: c.cohorts.map(() => new Float64Array(c.months)),
    evaluated: new Uint8Array(n),
    window: new Int32Array(6 * n),
    openingNbv: new Float64Array(n),
    version: 0,
    totalsVersion: -1,
  };
}

function cohortUnchanged(c: CompiledModel, fleet: FleetCache, k: number): boolean {
  if (fleet.evaluated[k] === 0) return false;
  const p = c.params;
  const slots = fleet.slots[k];
  const key = fleet.key[k];
  for (let i = 0; i < slots.length; i++) if (!sameNumber(p[slots[i]], key[i])) return false;
  if (!sameNumber(c.cohortEarliestService[k], key[slots.length])) return false;
  return sameSeries(c.cohorts[k].powerPrice, fleet.powerPrice[k]);
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
  /** Whether the totals were summed from the walks as they are now. */
  totalsCurrent: boolean;
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
    totalsCurrent: false,
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

/** Whether tranche k's params and base rates are those of its last walk. */
function trancheUnchanged(c: CompiledModel, debt: DebtCache, k: number): boolean {
  if (debt.walked[k] === 0) return false;
  const p = c.params;
  const slots = debt.slots[k];
  const key = debt.key[k];
  for (let i = 0; i < slots.length; i++) if (!sameNumber(p[slots[i]], key[i])) return false;
  const base = c.tranches[k].base;
  const snapshot = debt.base[k];
  return !base || !snapshot || sameSeries(base, snapshot);
}

function addInto(sum: Float64Array, x: Float64Array, H: number): void {
  for (let t = 0; t < H; t++) sum[t] += x[t];
}

/** Walks every tranche whose inputs changed (into `out`'s tranche series) and sums the monthly totals again if any did. */
function refreshDebt(c: CompiledModel, ws: Workspace, out: Projection): void {
  const debt = ws.debt;
  const nT = c.tranches.length;
  for (let k = 0; k < nT; k++) {
    if (trancheUnchanged(c, debt, k)) continue;
    debt.walked[k] = 0;
    debt.totalsCurrent = false;
    trancheInputs(c, ws, k);
    walkTranche(c, ws, out, k);
    const p = c.params;
    const slots = debt.slots[k];
    const key = debt.key[k];
    for (let i = 0; i < slots.length; i++) key[i] = p[slots[i]];
    const base = c.tranches[k].base;
    if (base) debt.base[k]!.set(base);
    debt.walked[k] = 1;
  }
  if (debt.totalsCurrent) return;
  // Each month's total adds the tranches in their order to +0: the same additions as one
  // loop over tranches inside the month (a tranche at a time here, for contiguous reads).
  const H = c.months;
  const sc = debt.schedule;
  sc.interest.fill(0);
  sc.feeAmortization.fill(0);
  sc.drawn.fill(0);
  sc.repaid.fill(0);
  sc.scheduled.fill(0);
  sc.feesPaid.fill(0);
  sc.openDebt.fill(0);
  sc.rateTimesDebt.fill(0);
  sc.feesTotal.fill(0);
  for (let k = 0; k < nT; k++) {
    addInto(sc.openDebt, debt.open[k], H);
    addInto(sc.rateTimesDebt, debt.rateTimesOpen[k], H);
    addInto(sc.interest, debt.cashInterest[k], H);
    addInto(sc.feeAmortization, debt.feeAmortization[k], H);
    addInto(sc.drawn, ws.trancheDraw[k], H);
    addInto(sc.repaid, out.tranches[k].principal, H);
    addInto(sc.scheduled, debt.scheduled[k], H);
    addInto(sc.feesPaid, debt.feesPaid[k], H);
    addInto(sc.feesTotal, debt.feesLeft[k], H);
  }
  debt.totalsCurrent = true;
  debt.version++;
}

/**
 * One tranche month by month: interest on the opening balance at the month's rate / 12;
 * the draw and its upfront fee; scheduled principal (the maturity repays what is left).
 */
function walkTranche(c: CompiledModel, ws: Workspace, out: Projection, k: number): void {
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
  let balance = p[s.openingBalance];
  let fees = 0;
  // Interest-only months are interest payments: an opening balance pays from the first
  // month, a draw from the month after it (the draw month bears no interest).
  const amortStart = (balance > 0 ? 0 : firstDrawMonth(drawBy) + 1) + p[s.interestOnly];
  for (let t = 0; t < H; t++) {
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
    scheduledBy[t] = principal - Math.min(principal, refinancedBy[t]);
    feesPaidBy[t] = fee;
    feesLeftBy[t] = fees;
  }
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
