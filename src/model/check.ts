import { finalMaturity, type Model } from "./schema.js";
import type { IssuePath, ModelIssue } from "./issues.js";
import { parseMonth, monthSerial, formatMonth, serialToMonth } from "./months.js";
import { parseFormula, isFormulaError, isBuiltinValue } from "./formula.js";
import { formulaIssue } from "./formulaIssue.js";
import { hasOwnName } from "./names.js";
import { didYouMean } from "./suggest.js";
import { cohortNetBookValueAtStart } from "./derived.js";

type Issue = Omit<ModelIssue, "position">;

import { horizonOf } from "./horizon.js";
export { horizonOf };

/** Cross-field checks the schema cannot express: horizon, references, cycles, balance. */
export function checkModel(model: Model, extensions: Record<string, unknown> = {}): Issue[] {
  const issues: Issue[] = [];
  const error = (code: string, path: IssuePath, message: string, params?: Record<string, unknown>) => issues.push({ code, path, message, severity: "error", params });
  const warning = (code: string, path: IssuePath, message: string) => issues.push({ code, path, message, severity: "warning" });
  // An interest rate of −100 % or less would turn debt into a gift; almost always a percent typed as a decimal's sign error.
  const rateAboveMinusOne = (value: number | undefined, path: IssuePath, what: string) => {
    if (value !== undefined && !(value > -1)) error("rate_range", path, `${what} of ${value} is −100 % or less; rates are annual decimals above −1 (0.05 = 5 %)`, { value });
  };

  const meta = model.meta;
  if ((meta.months === undefined) === (meta.end === undefined)) {
    error("horizon", ["meta"], meta.months === undefined ? "give the horizon as `months: N` or `end: YYYY-MM`" : "give either `months` or `end`, not both", { variant: meta.months === undefined ? undefined : "both" });
    return issues;
  }
  const h = horizonOf(model);
  if (h.length < 1) {
    error("horizon", ["meta", "end"], `the end month ${meta.end} is before the start month ${meta.start}`, { variant: "end_before_start", end: meta.end, start: meta.start });
    return issues;
  }
  if (h.length > 600) {
    error("horizon", ["meta", meta.end ? "end" : "months"], `the horizon is ${h.length} months; at most 600 (50 years) are supported`, { variant: "too_long", months: h.length });
    // Every later check walks the horizon: stop here rather than list thousands of years.
    return issues;
  }
  const startLabel = meta.start;
  const endLabel = formatMonth(serialToMonth(h.end));
  const serial = (m: string) => monthSerial(parseMonth(m)!);
  const inHorizon = (m: string, path: IssuePath, what: string) => {
    const s = serial(m);
    if (s < h.start || s > h.end) error("month_outside_horizon", path, `${what} ${m} is outside the horizon ${startLabel} … ${endLabel}`, { month: m, start: startLabel, end: endLabel });
  };

  // Drivers and their references.
  const driverNames = new Set(Object.keys(model.drivers));
  const isDriver = (name: string) => driverNames.has(name);
  const graph = new Map<string, Set<string>>();
  // Formulas may read fleet and site series by name (sites: the GPU-cloud section, a plain record of names here).
  const sites = extensions.sites;
  const fleetNames = { cohorts: Object.keys(model.fleet), sites: sites && typeof sites === "object" ? Object.keys(sites) : [] };
  const checkFormula = (text: string, path: IssuePath, owner: string | null) => {
    const parsed = parseFormula(text, isDriver, fleetNames);
    if (isFormulaError(parsed)) {
      const issue = formulaIssue(parsed, text, driverNames);
      error(issue.code, path, issue.message, issue.params);
      return;
    }
    if (owner) graph.set(owner, parsed.sameMonth);
  };
  for (const [name, driver] of Object.entries(model.drivers)) {
    const path: IssuePath = ["drivers", name];
    if (isBuiltinValue(name)) error("reserved_name", path, `"${name}" is a built-in name of the formula language; choose another driver name`, { name });
    if (typeof driver === "string") checkFormula(driver, path, name);
    else if (typeof driver === "object") {
      if ("formula" in driver) checkFormula(driver.formula, [...path, "formula"], name);
      if ("yearly" in driver) {
        const years = Object.keys(driver.yearly).map(Number).sort((a, b) => a - b);
        const firstYear = serialToMonth(h.start).year;
        const lastYear = serialToMonth(h.end).year;
        const missing: number[] = [];
        for (let y = firstYear; y <= lastYear; y++) if (!hasOwnName(driver.yearly, String(y))) missing.push(y);
        if (missing.length) error("driver_missing_years", [...path, "yearly"], `no value for ${yearRanges(missing)}: the horizon covers ${firstYear}–${lastYear}; add ${missing.length > 1 ? "them" : "it"} (a yearly driver is never extended silently)`, { years: missing, first: firstYear, last: lastYear });
        const keys = Object.keys(driver.yearly).map(Number);
        if (keys.some((k, i) => i > 0 && k <= keys[i - 1])) error("years_out_of_order", [...path, "yearly"], `years are out of order (${keys.join(", ")}); list them from earliest to latest`, { years: keys });
        else if (driver.fill === "smooth" && keys.some((k, i) => i > 0 && k !== keys[i - 1] + 1)) error("years_not_consecutive", [...path, "yearly"], `fill: smooth moves between consecutive years; ${keys.join(", ")} has a gap — add the missing years`, { years: keys });
        void years;
      }
      if ("monthly" in driver) {
        const from = driver.from ? serial(driver.from) : h.start;
        if (from > h.start) error("driver_short", [...path, "from"], `the list starts in ${driver.from}, after the model's start ${startLabel}; values are needed from the start`, { variant: "starts_late", from: driver.from, start: startLabel });
        const lastCovered = from + driver.monthly.length - 1;
        if (lastCovered < h.end && driver.after === undefined) {
          error("driver_short", [...path, "monthly"], `${driver.monthly.length} values from ${driver.from ?? startLabel} end in ${formatMonth(serialToMonth(lastCovered))}, before the horizon ends (${endLabel}); add values or set \`after: hold\` or \`after: zero\``, { count: driver.monthly.length, from: driver.from ?? startLabel, last: formatMonth(serialToMonth(lastCovered)), end: endLabel });
        }
      }
      if ("growth" in driver) {
        const g = driver.growth;
        if (g.annualRate === undefined && g.monthlyRate === undefined) error("growth_rate", [...path, "growth"], "a growth driver needs `annualRate` or `monthlyRate`");
        if (g.annualRate !== undefined && g.monthlyRate !== undefined) error("growth_rate", [...path, "growth"], "give `annualRate` or `monthlyRate`, not both", { variant: "both" });
        if (g.annualRate !== undefined && g.annualRate <= -1) error("growth_rate", [...path, "growth", "annualRate"], "an annual rate of -100% or less makes the series zero or negative; use a formula for that", { variant: "annual_low" });
        if (g.monthlyRate !== undefined && g.monthlyRate <= -1) error("growth_rate", [...path, "growth", "monthlyRate"], "a monthly rate of -100% or less makes the series zero or negative; use a formula for that", { variant: "monthly_low" });
        if (g.from) inHorizon(g.from, [...path, "growth", "from"], "from");
      }
    }
  }
  for (const [name, line] of Object.entries(model.lines)) {
    const path: IssuePath = ["lines", name];
    if (typeof line.value === "string") checkFormula(line.value, [...path, "value"], null);
    if (line.category && line.type !== "operatingExpense") error("category_not_opex", [...path, "category"], `category applies to operating expenses only; this line is ${line.type}`, { lineType: line.type });
    if (line.lifeMonths !== undefined && line.type !== "capex") error("life_not_capex", [...path, "lifeMonths"], `lifeMonths applies to capex lines only; this line is ${line.type}`, { lineType: line.type });
    if (line.nonCash && line.type !== "operatingExpense") error("non_cash_not_opex", [...path, "nonCash"], `nonCash applies to operating expenses (stock-based compensation); this line is ${line.type}`, { lineType: line.type });
    if (line.from) inHorizon(line.from, [...path, "from"], "from");
    if (line.until) inHorizon(line.until, [...path, "until"], "until");
    if (line.from && line.until && serial(line.until) < serial(line.from)) error("months_out_of_order", [...path, "until"], `until ${line.until} is before from ${line.from}`, { month: line.until, other: line.from });
  }
  // Cycles among same-month references (prev() breaks a cycle: it reads last month).
  const cycle = findCycle(graph);
  if (cycle) error("driver_cycle", ["drivers", cycle[0]], `circular reference: ${cycle.join(" → ")}; break it with prev(x) if one of them should use last month's value`, { cycle });

  // Fleet.
  for (const [name, cohort] of Object.entries(model.fleet)) {
    const path: IssuePath = ["fleet", name];
    const purchase = serial(cohort.purchase);
    if (purchase > h.end) error("month_outside_horizon", [...path, "purchase"], `purchase ${cohort.purchase} is after the horizon ends (${endLabel})`, { variant: "after_end", month: cohort.purchase, end: endLabel });
    if (cohort.inService && serial(cohort.inService) < purchase) error("months_out_of_order", [...path, "inService"], `inService ${cohort.inService} is before purchase ${cohort.purchase}`, { month: cohort.inService, other: cohort.purchase });
    if (typeof cohort.powerPrice === "string") checkFormula(cohort.powerPrice, [...path, "powerPrice"], null);
    if (cohort.salvagePerUnit > cohort.unitCost) error("salvage_above_cost", [...path, "salvagePerUnit"], `salvage ${cohort.salvagePerUnit} per unit exceeds the unit cost ${cohort.unitCost}`, { salvage: cohort.salvagePerUnit, cost: cohort.unitCost });
  }

  // Financing.
  for (const [name, round] of Object.entries(model.financing.equity)) inHorizon(round.month, ["financing", "equity", name, "month"], "the round's month");
  let openingDebt = 0;
  // A fixed `rate`, or a floating `base` (a driver) + `spread` (+ `floor`): tranches and the revolver.
  const checkRate = (code: string, noun: string, path: IssuePath, r: { rate?: number; base?: string; spread?: number; floor?: number }) => {
    const fixed = r.rate !== undefined;
    const floating = r.base !== undefined || r.spread !== undefined;
    if (fixed === floating) error(code, path, fixed ? "give a fixed `rate` or a floating `base` + `spread`, not both" : `give the ${noun} a fixed \`rate\`, or a floating \`base\` (a driver) plus \`spread\``, { variant: fixed ? "both" : undefined });
    if (r.base !== undefined && !driverNames.has(r.base)) {
      const s = didYouMean(r.base, driverNames);
      error("unknown_driver", [...path, "base"], `unknown driver "${r.base}" for the base rate${s ? ` — did you mean "${s}"?` : "; define the curve under drivers:"}`, { name: r.base, suggestion: s });
    }
    if (r.base !== undefined && r.spread === undefined) error(code, [...path, "spread"], `a floating ${noun} needs a \`spread\` (0 if none)`, { variant: "spread" });
    if (r.floor !== undefined && r.base === undefined) error(code, [...path, "floor"], "floor applies to a floating rate only", { variant: "floor" });
    if (r.base === undefined && r.spread !== undefined && r.rate === undefined) error(code, [...path, "base"], `a floating ${noun} needs a \`base\` (the driver holding the base rate) as well as its \`spread\``, { variant: "base" });
    rateAboveMinusOne(r.rate, [...path, "rate"], "a rate");
    rateAboveMinusOne(r.spread, [...path, "spread"], "a spread");
  };
  for (const [name, tranche] of Object.entries(model.financing.debt)) {
    const path: IssuePath = ["financing", "debt", name];
    openingDebt += tranche.openingBalance;
    checkRate("tranche_rate", "tranche", path, tranche);
    const maturity = finalMaturity(tranche);
    if (Array.isArray(tranche.maturity)) {
      const parts = tranche.maturity;
      let shares = 0;
      let allShares = true;
      parts.forEach((part, i) => {
        const at: IssuePath = [...path, "maturity", i];
        const last = i === parts.length - 1;
        if (i > 0 && serial(part.month) <= serial(parts[i - 1].month)) error("months_out_of_order", [...at, "month"], `maturities are out of order at ${part.month}; list them in date order, each month once`, { variant: "list", month: part.month });
        if (part.share !== undefined && part.amount !== undefined) error("maturity_part", at, "give a `share` or an `amount`, not both", { variant: "both" });
        if (!last && part.share === undefined && part.amount === undefined) error("maturity_part", at, "give the share of the principal (`share: 0.5`) or the `amount` repaid in this month; only the last maturity repays whatever is left");
        if (last && part.amount !== undefined) error("maturity_part", [...at, "amount"], "the last maturity repays whatever is left: drop `amount` (or give the earlier ones as shares adding up to 1)", { variant: "last" });
        if (part.share === undefined) allShares = false;
        shares += part.share ?? 0;
      });
      const lastShare = parts[parts.length - 1].share;
      if (shares > 1 + 1e-9) error("maturity_shares", [...path, "maturity"], `the maturities' shares add up to ${round6(shares)}, more than the whole principal`, { total: round6(shares) });
      else if (allShares && lastShare !== undefined && Math.abs(shares - 1) > 1e-9) error("maturity_shares", [...path, "maturity", parts.length - 1, "share"], `the shares add up to ${round6(shares)}; with a share on the last maturity they must add up to 1 (or leave it out: the last repays what is left)`, { variant: "last", total: round6(shares) });
    }
    let previous = -Infinity;
    tranche.draws.forEach((draw, i) => {
      inHorizon(draw.month, [...path, "draws", i, "month"], "the draw month");
      const s = serial(draw.month);
      if (s < previous) error("months_out_of_order", [...path, "draws", i, "month"], `draws are out of order: ${draw.month} comes after a later month; list them in date order`, { variant: "list", month: draw.month });
      previous = s;
      if (s > serial(maturity)) error("draw_after_maturity", [...path, "draws", i, "month"], `the draw in ${draw.month} is after the tranche matures (${maturity})`, { month: draw.month, maturity });
    });
    previous = -Infinity;
    tranche.repayments.forEach((rep, i) => {
      inHorizon(rep.month, [...path, "repayments", i, "month"], "the repayment month");
      const s = serial(rep.month);
      if (s < previous) error("months_out_of_order", [...path, "repayments", i, "month"], `repayments are out of order at ${rep.month}; list them in date order`, { variant: "list", month: rep.month });
      previous = s;
    });
    if (tranche.amortization === "schedule" && tranche.repayments.length === 0) error("schedule_missing", [...path, "repayments"], "amortization `schedule` needs a list of repayments (month, amount)");
    if (tranche.amortization !== "schedule" && tranche.repayments.length > 0) error("schedule_unused", [...path, "repayments"], `repayments are only used with \`amortization: schedule\` (this tranche is ${tranche.amortization})`, { amortization: tranche.amortization });
    if (serial(maturity) < h.start && tranche.openingBalance > 0) error("matured", [...path, "maturity"], `the tranche matured in ${maturity}, before the start, but has an opening balance`, { maturity });
    if (tranche.openingBalance === 0 && tranche.draws.length === 0) warning("empty_tranche", path, "this tranche has no opening balance and no draws");
  }
  const rv = model.financing.revolver;
  if (rv) {
    const path: IssuePath = ["financing", "revolver"];
    openingDebt += rv.openingBalance;
    checkRate("revolver_rate", "revolver", path, rv);
    if (typeof rv.limit === "string") checkFormula(rv.limit, [...path, "limit"], null);
    else if (rv.limit < 0) error("revolver_limit", [...path, "limit"], `the limit is ${rv.limit}; a commitment is at least 0`, { limit: rv.limit });
    else if (rv.openingBalance > rv.limit) error("revolver_limit", [...path, "openingBalance"], `the opening balance ${rv.openingBalance} is above the limit ${rv.limit}`, { limit: rv.limit, balance: rv.openingBalance });
    if (rv.from) inHorizon(rv.from, [...path, "from"], "from");
    if (rv.from && rv.maturity && serial(rv.maturity) <= serial(rv.from)) error("months_out_of_order", [...path, "maturity"], `maturity ${rv.maturity} is not after from ${rv.from}`, { month: rv.maturity, other: rv.from });
    if (rv.maturity && serial(rv.maturity) < h.start && rv.openingBalance > 0) error("matured", [...path, "maturity"], `the revolver matured in ${rv.maturity}, before the start, but has an opening balance`, { maturity: rv.maturity });
  }
  const cashRates = model.financing.cash;
  for (const key of ["interestRate", "overdraftRate"] as const) {
    const v = cashRates?.[key];
    if (typeof v === "string") checkFormula(v, ["financing", "cash", key], null);
    else rateAboveMinusOne(v, ["financing", "cash", key], `${key}`);
  }
  for (const [name, covenant] of Object.entries(model.financing.covenants)) {
    const path: IssuePath = ["financing", "covenants", name];
    if ((covenant.min === undefined) === (covenant.max === undefined)) error("covenant_limit", path, "a covenant needs exactly one limit: `min` or `max`");
    if (covenant.from) inHorizon(covenant.from, [...path, "from"], "from");
  }
  for (const [name, item] of Object.entries(model.oneOffs)) {
    inHorizon(item.month, ["oneOffs", name, "month"], "the month");
    if (item.category && item.lands !== "operatingExpense") error("category_not_opex", ["oneOffs", name, "category"], "category applies to items landing in operatingExpense only", { variant: "oneoff" });
  }

  // Opening balance sheet.
  const ob = model.openingBalance;
  if (ob.debt !== undefined && Math.abs(ob.debt - openingDebt) > 1e-6) {
    error("opening_debt_mismatch", ["openingBalance", "debt"], `opening debt ${ob.debt} differs from the tranches' ${rv ? "and the revolver's " : ""}opening balances (${openingDebt}) by ${round6(ob.debt - openingDebt)}; describe every opening loan as a tranche with openingBalance so its rate and repayment are known`, { debt: ob.debt, tranches: openingDebt, difference: round6(ob.debt - openingDebt) });
  }
  const fleetNbv = Object.values(model.fleet).reduce((sum, c) => sum + cohortNetBookValueAtStart(c, h.start, model.meta.unit), 0);
  const assets = ob.cash + ob.receivables + ob.ppeNet + fleetNbv;
  const claims = openingDebt + ob.payables + ob.paidInCapital + ob.retainedEarnings;
  if (Math.abs(assets - claims) > 1e-6) {
    const detail = fleetNbv > 0 ? ` (assets include ${round6(fleetNbv)} of fleet cohorts bought before the start)` : "";
    error("opening_unbalanced", ["openingBalance"], `the opening balance sheet does not balance: assets ${round6(assets)}${detail} − liabilities ${round6(openingDebt + ob.payables)} − equity ${round6(ob.paidInCapital + ob.retainedEarnings)} = ${round6(assets - claims)}; adjust retainedEarnings or paidInCapital by that amount`, { assets: round6(assets), liabilities: round6(openingDebt + ob.payables), equity: round6(ob.paidInCapital + ob.retainedEarnings), difference: round6(assets - claims) });
  }
  for (const [name, scenario] of Object.entries(model.scenarios)) {
    if (scenario.extends !== undefined && !hasOwnName(model.scenarios, scenario.extends)) {
      const s = didYouMean(scenario.extends, Object.keys(model.scenarios));
      error("unknown_scenario", ["scenarios", name, "extends"], `scenario "${name}" extends "${scenario.extends}", which does not exist${s ? ` — did you mean "${s}"?` : ""}`, { name: scenario.extends, suggestion: s });
    }
  }
  return issues;
}

/** 2025, 2027–2031: consecutive years as ranges, so that a message stays short. */
function yearRanges(years: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < years.length; i++) {
    let j = i;
    while (j + 1 < years.length && years[j + 1] === years[j] + 1) j++;
    parts.push(j > i ? `${years[i]}–${years[j]}` : String(years[i]));
    i = j;
  }
  return parts.length > 12 ? `${parts.slice(0, 12).join(", ")}, …` : parts.join(", ");
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * A cycle in a dependency graph as a closed list of names, or null. Depth-first with an
 * explicit stack: a chain of thousands of drivers cannot exhaust the call stack.
 */
export function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 1 | 2>();
  for (const root of graph.keys()) {
    if (state.has(root)) continue;
    const path: string[] = [root];
    const iterators: Iterator<string>[] = [(graph.get(root) ?? new Set<string>()).values()];
    state.set(root, 1);
    while (path.length > 0) {
      const next = iterators[iterators.length - 1].next();
      if (next.done) {
        state.set(path.pop()!, 2);
        iterators.pop();
        continue;
      }
      const node = next.value;
      const s = state.get(node);
      if (s === 1) return [...path.slice(path.indexOf(node)), node];
      if (s === undefined) {
        state.set(node, 1);
        path.push(node);
        iterators.push((graph.get(node) ?? new Set<string>()).values());
      }
    }
  }
  return null;
}
