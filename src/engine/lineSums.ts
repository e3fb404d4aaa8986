import type { CompiledModel } from "./compile.js";
import type { Projection } from "./projection.js";
import type { Workspace } from "./workspace.js";
import { monthOf } from "./numbers.js";
import { addFleet } from "./fleetCache.js";

// Before the month loop: the inputs it reads, series by series — equity rounds and refunds
// by month, each line masked to its months, and the operating lines summed by kind with the
// fleet's capex, depreciation, power and disposals added (tight loops, no month-major work).

/** Schedules whose months are inputs (so that a delay can be sampled). */
export function scheduleInputs(c: CompiledModel, ws: Workspace, out: Projection): void {
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

/** Applies each line's from/until months (and its scale, if a caller set one) and keeps running capex totals for depreciation. */
export function maskLines(c: CompiledModel, ws: Workspace, out: Projection, computed: boolean): void {
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

export function sumLines(c: CompiledModel, ws: Workspace, out: Projection, lineSums: (() => void) | null = null): void {
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
